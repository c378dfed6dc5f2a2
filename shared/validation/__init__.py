"""Dataset validation for Azure OpenAI fine-tuning: rules, token counts, statistics and cost.

One streaming pass per file (``validate_chunks``), or byte ranges validated
independently and merged exactly (``validate_range_chunks`` + ``merge_partials`` +
``finalize``), or a local file on every core (``validate_path``). The report's
schema and every code are documented in docs/validation.md.
"""

from shared.validation.codes import ERROR_CODES, WARNING_CODES
from shared.validation.engine import validate_chunks, validate_range_chunks
from shared.validation.models import (
    KNOWN_MODELS,
    UnknownModelError,
    canonical_model,
    encoding_for_model,
    model_token_limit,
)
from shared.validation.options import ValidationOptions
from shared.validation.parallel import read_file_chunks, validate_path
from shared.validation.partial import PartialResult, merge_partials
from shared.validation.ranges import plan_ranges
from shared.validation.report import ValidationReport, finalize

__all__ = [
    "ERROR_CODES",
    "KNOWN_MODELS",
    "WARNING_CODES",
    "PartialResult",
    "UnknownModelError",
    "ValidationOptions",
    "ValidationReport",
    "canonical_model",
    "encoding_for_model",
    "finalize",
    "merge_partials",
    "model_token_limit",
    "plan_ranges",
    "read_file_chunks",
    "validate_chunks",
    "validate_path",
    "validate_range_chunks",
]
