"""What a validation run checks against: the model, its limit, epochs, tier, prices and the file's role."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shared.validation.models import UnknownModelError, canonical_model, encoding_for_model, model_token_limit

TRAINING = "training"
VALIDATION = "validation"
MIN_EXAMPLES_BY_ROLE = {TRAINING: 10, VALIDATION: 1}
METHODS = ("supervised", "dpo", "reinforcement")


@dataclass(frozen=True)
class ValidationOptions:
    """Options of one validation; ``resolve()`` checks them and fills the model's limit and encoding.

    ``min_examples`` None means the role's minimum: 10 for a training file, 1 for a validation file.
    ``encoding`` None means the model's own encoding.
    """

    model: str = "gpt-4o-mini-2024-07-18"
    max_tokens: int | None = None
    n_epochs: int | None = None
    price_overrides: dict[str, Any] | None = field(default=None, hash=False)  # FINETUNE_PRICES_JSON
    max_file_bytes: int = 512 * 1024 * 1024
    min_examples: int | None = None
    role: str = TRAINING
    encoding: str | None = None
    training_type: str | None = None     # the run's training tier (prices differ); None: Standard
    # The run's training method (supervised | dpo | reinforcement): the format every line must have,
    # and how the run is billed (per token, or per training hour for reinforcement). None: a file alone,
    # chat or preference examples accepted (one format per file).
    method: str | None = None
    item_fields: tuple[str, ...] = ()    # a reinforcement grader's item.* references, checked on every line
    method_hyperparameters: dict[str, Any] | None = field(default=None, hash=False)  # RFT hours estimate
    rft_example_epochs_per_hour: float = 100.0   # FINETUNE_RFT_EXAMPLE_EPOCHS_PER_HOUR

    def resolve(self) -> ResolvedOptions:
        """The checked options; UnknownModelError for an unknown model without max_tokens."""
        if self.role not in MIN_EXAMPLES_BY_ROLE:
            raise ValueError(f"role must be 'training' or 'validation', got {self.role!r}.")
        if self.method is not None and self.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}, got {self.method!r}.")
        if self.max_tokens is not None and self.max_tokens < 1:
            raise ValueError(f"max_tokens must be a positive whole number, got {self.max_tokens}.")
        if self.n_epochs is not None and self.n_epochs < 1:
            raise ValueError(f"n_epochs must be a positive whole number, got {self.n_epochs}.")
        if self.max_tokens is None and canonical_model(self.model) is None:
            raise UnknownModelError(self.model)
        limit = self.max_tokens if self.max_tokens is not None else model_token_limit(self.model)
        minimum = self.min_examples if self.min_examples is not None else MIN_EXAMPLES_BY_ROLE[self.role]
        return ResolvedOptions(
            options=self,
            model=canonical_model(self.model) or self.model,
            token_limit=limit,
            encoding=self.encoding or encoding_for_model(self.model),
            min_examples=minimum,
        )


@dataclass(frozen=True)
class ResolvedOptions:
    """ValidationOptions after checking: the canonical model name, its limit and encoding."""

    options: ValidationOptions
    model: str
    token_limit: int
    encoding: str
    min_examples: int
