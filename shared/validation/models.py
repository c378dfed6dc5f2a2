"""Fine-tunable models: their per-example token limit and their tiktoken encoding.

Limits: Azure OpenAI docs, includes/fine-tune-models.md (ms.date 02/06/2025);
gpt-35-turbo's is its maximum request (16,385), the docs state no training
context length for it. Encodings: tiktoken 0.14's ``encoding_name_for_model``.
Names are accepted with or without the date suffix, in any case, with ``gpt-3.5``
or ``gpt-35``, and as a fine-tuned model (``<base>.ft-<id>``: continued training).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

O200K = "o200k_base"
CL100K = "cl100k_base"


@dataclass(frozen=True)
class ModelInfo:
    """One fine-tunable base model."""

    name: str
    token_limit: int
    encoding: str


KNOWN_MODELS: dict[str, ModelInfo] = {
    info.name: info
    for info in (
        ModelInfo("gpt-4o-2024-08-06", 65_536, O200K),
        ModelInfo("gpt-4o-mini-2024-07-18", 65_536, O200K),
        ModelInfo("gpt-4.1-2025-04-14", 65_536, O200K),
        ModelInfo("gpt-4.1-mini-2025-04-14", 65_536, O200K),
        ModelInfo("gpt-4.1-nano-2025-04-14", 32_768, O200K),
        ModelInfo("o4-mini-2025-04-16", 65_536, O200K),
        ModelInfo("gpt-35-turbo-0125", 16_385, CL100K),
        ModelInfo("gpt-35-turbo-1106", 16_385, CL100K),
    )
}

# Names without a date suffix; gpt-35-turbo means its newest fine-tunable version.
_ALIASES: dict[str, str] = {
    "gpt-4o": "gpt-4o-2024-08-06",
    "gpt-4o-mini": "gpt-4o-mini-2024-07-18",
    "gpt-4.1": "gpt-4.1-2025-04-14",
    "gpt-4.1-mini": "gpt-4.1-mini-2025-04-14",
    "gpt-4.1-nano": "gpt-4.1-nano-2025-04-14",
    "o4-mini": "o4-mini-2025-04-16",
    "gpt-35-turbo": "gpt-35-turbo-0125",
}
_FINE_TUNED_SUFFIX = re.compile(r"\.ft-[A-Za-z0-9_-]+$")


class UnknownModelError(ValueError):
    """The model is not a known fine-tunable model and no token limit was given."""

    code = "unknown_model"

    def __init__(self, model: str) -> None:
        known = ", ".join(KNOWN_MODELS)
        super().__init__(
            f"Unknown model {model!r}. Use one of: {known} (the date suffix may be left out), "
            "or give the per-example token limit explicitly (--max-tokens)."
        )
        self.model = model


def canonical_model(model: str) -> str | None:
    """The known model ``model`` names (alias, other spelling, fine-tuned model), or None."""
    name = _FINE_TUNED_SUFFIX.sub("", model.strip().lower()).replace("gpt-3.5-", "gpt-35-")
    if name in KNOWN_MODELS:
        return name
    return _ALIASES.get(name)


def model_token_limit(model: str) -> int:
    """The per-example token limit of ``model``; UnknownModelError when it is not known."""
    name = canonical_model(model)
    if name is None:
        raise UnknownModelError(model)
    return KNOWN_MODELS[name].token_limit


def encoding_for_model(model: str) -> str:
    """The tiktoken encoding name of ``model``; o200k_base for a model this table does not know."""
    name = canonical_model(model)
    if name is not None:
        return KNOWN_MODELS[name].encoding
    return CL100K if canonical_like_gpt35(model) else O200K


def canonical_like_gpt35(model: str) -> bool:
    """True for names of the gpt-3.5 family, which all use cl100k_base."""
    lowered = model.lower()
    return lowered.startswith(("gpt-35", "gpt-3.5", "gpt-4-", "gpt-4:")) or lowered == "gpt-4"
