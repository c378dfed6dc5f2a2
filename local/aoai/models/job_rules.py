"""Validation of a fine-tuning job creation request, as the service checks it."""

from __future__ import annotations

import re
from typing import Any

from local.aoai.errors import aoai_error

TRAINING_TYPES = {"standard", "globalstandard", "developer", "developertier"}
# The integer form: 1 is recorded accepted by the real service (BerriAI/litellm PR #24687, which
# sends it by default); 2 and 3 follow the order of the documented names *(inferred)*.
TRAINING_TYPE_NUMBERS = {1: "Standard", 2: "GlobalStandard", 3: "Developer"}
SUFFIX = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
HYPERPARAMETERS = {"n_epochs", "batch_size", "learning_rate_multiplier", "beta"}


def _bad(message: str, param: str) -> Exception:
    return aoai_error(400, "invalidPayload", message, param)


def requires_training_type(api_version: str | None) -> bool:
    """Whether a create request must name its trainingType on this api-version.

    The real service answers "The specified base model does not support fine-tuning." without it
    (recorded: BerriAI/litellm PR #24687, which names no api-version); Azure's docs introduce
    trainingType with 2025-04-01-preview, so the emulator requires it from that version on and on
    /openai/v1 *(inferred)*; the 2024-10-21 GA spec has no such field (its jobs train at Standard).
    """
    if api_version is None:
        return False
    return api_version == "v1" or api_version[:10] >= "2025-04-01"


def check_suffix(suffix: Any) -> str | None:
    if suffix is None:
        return None
    if not isinstance(suffix, str) or not SUFFIX.match(suffix):
        raise _bad("The suffix must be 1 to 40 characters from a-z, A-Z, 0-9, '-' and '_'.", "suffix")
    return suffix


def check_seed(seed: Any) -> int | None:
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= 2_147_483_647:
        raise _bad("The seed must be an integer between 0 and 2147483647.", "seed")
    return seed


def normalize_hyperparameters(raw: Any) -> dict[str, Any]:
    """Echo hyperparameters as Azure does: -1 for 'auto' epochs/batch size."""
    raw = raw or {}
    if not isinstance(raw, dict):
        raise _bad("hyperparameters must be an object.", "hyperparameters")
    unknown = set(raw) - HYPERPARAMETERS
    if unknown:
        raise _bad(f"Unknown hyperparameter(s): {', '.join(sorted(unknown))}.", "hyperparameters")
    result: dict[str, Any] = {"n_epochs": -1, "batch_size": -1, "learning_rate_multiplier": 1.0}
    for name, value in raw.items():
        if value == "auto":
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise _bad(
                f"The hyperparameter {name} must be 'auto' or a positive number.", f"hyperparameters.{name}"
            )
        if name in ("n_epochs", "batch_size") and not float(value).is_integer():
            raise _bad(f"The hyperparameter {name} must be an integer.", f"hyperparameters.{name}")
        result[name] = int(value) if name in ("n_epochs", "batch_size") else float(value)
    return result


def check_training_type(value: Any) -> str | int | None:
    """The job's training type as given (echoed unchanged): a name in any case, or its integer form."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value in TRAINING_TYPE_NUMBERS:
        return value
    if not isinstance(value, str) or value.lower() not in TRAINING_TYPES:
        raise _bad("trainingType must be one of Standard, GlobalStandard, Developer (or 1, 2, 3).",
                   "trainingType")
    return value


def check_metadata(metadata: Any) -> dict[str, str] | None:
    if metadata is None:
        return None
    if not isinstance(metadata, dict) or len(metadata) > 16:
        raise _bad("metadata must be an object with at most 16 pairs.", "metadata")
    for key, value in metadata.items():
        if not isinstance(value, str) or len(key) > 64 or len(value) > 512:
            raise _bad(
                "metadata keys are at most 64 characters and values strings of at most 512.", "metadata"
            )
    return dict(metadata)
