"""The base models this emulated resource offers: the Model objects of GET /models, encodings, limits.

Shape: the `Model` definition of the 2024-10-21 authoring spec (capabilities, lifecycle_status,
deprecation; `model` and `fine_tune` only on fine-tuned models), the same in 2025-04-01-preview
(its examples get_models.json / get_model_finetune.json). Encodings and per-example token limits
are the ones Azure documents for fine-tuning (see docs/emulator.md "Models"). Deprecation dates are
illustrative (Azure's real dates live on its model-retirement page and move); they all lie after
the emulator was written, so nothing it accepts is listed as retired.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

O200K = "o200k_base"
CL100K = "cl100k_base"
FINE_TUNED = re.compile(r"^(?P<base>.+)\.ft-(?P<hex>[0-9a-f]{32})(?::ckpt-step-(?P<step>\d+))?$")


def _unix(day: str) -> int:
    return int(dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC).timestamp())


@dataclass(frozen=True)
class BaseModel:
    """One base model of the resource."""

    id: str
    created: str  # the model version's date
    encoding: str
    token_limit: int  # per training example
    fine_tune_until: str
    inference_until: str
    lifecycle_status: str = "generally-available"
    fine_tune: bool = True
    # Training methods and tiers Azure documents for the model (docs/emulator.md, "Methods and tiers").
    methods: tuple[str, ...] = ("supervised",)
    tiers: tuple[str, ...] = ("standard", "globalstandard", "developer")
    continuous: bool = True  # a model fine-tuned from it may be the base of a further job

    def to_api(self) -> dict[str, Any]:
        return {
            "object": "model",
            "id": self.id,
            "created_at": _unix(self.created),
            "status": "succeeded",
            "capabilities": {
                "fine_tune": self.fine_tune,
                "inference": True,
                "completion": False,
                "chat_completion": True,
                "embeddings": False,
            },
            "lifecycle_status": self.lifecycle_status,
            "deprecation": {
                "fine_tune": _unix(self.fine_tune_until),
                "inference": _unix(self.inference_until),
            },
        }


_SFT_DPO = ("supervised", "dpo")
_REGIONAL = ("standard",)
_VERSIONS = (
    BaseModel("gpt-4o-mini-2024-07-18", "2024-07-18", O200K, 65_536, "2027-07-18", "2028-03-31"),
    BaseModel("gpt-4o-2024-08-06", "2024-08-06", O200K, 65_536, "2027-08-06", "2028-03-31",
              methods=_SFT_DPO),
    BaseModel("gpt-4.1-2025-04-14", "2025-04-14", O200K, 65_536, "2028-04-14", "2029-04-14",
              methods=_SFT_DPO),
    BaseModel("gpt-4.1-mini-2025-04-14", "2025-04-14", O200K, 65_536, "2028-04-14", "2029-04-14",
              methods=_SFT_DPO),
    BaseModel("gpt-4.1-nano-2025-04-14", "2025-04-14", O200K, 32_768, "2028-04-14", "2029-04-14"),
    BaseModel("o4-mini-2025-04-16", "2025-04-16", O200K, 65_536, "2028-04-16", "2029-04-16", "preview",
              methods=("reinforcement",), tiers=_REGIONAL, continuous=False),
    BaseModel("gpt-35-turbo-0125", "2024-01-25", CL100K, 16_385, "2027-01-25", "2027-09-30", tiers=_REGIONAL),
    BaseModel("gpt-35-turbo-1106", "2023-11-06", CL100K, 16_385, "2027-01-25", "2027-09-30", tiers=_REGIONAL),
)
# Names without a date suffix are listed too (the service accepts both for jobs and deployments).
_ALIASES = {
    "gpt-4o-mini": "gpt-4o-mini-2024-07-18",
    "gpt-4o": "gpt-4o-2024-08-06",
    "gpt-4.1": "gpt-4.1-2025-04-14",
    "gpt-4.1-mini": "gpt-4.1-mini-2025-04-14",
    "gpt-4.1-nano": "gpt-4.1-nano-2025-04-14",
    "o4-mini": "o4-mini-2025-04-16",
    "gpt-35-turbo": "gpt-35-turbo-0125",
}
BASE_MODELS: dict[str, BaseModel] = {m.id: m for m in _VERSIONS}
for _alias, _target in _ALIASES.items():
    _model = BASE_MODELS[_target]
    BASE_MODELS[_alias] = dataclasses.replace(_model, id=_alias)


def base_model(name: str) -> BaseModel | None:
    """The base model `name` is, or descends from (a fine-tuned model or checkpoint); None if unknown."""
    while (match := FINE_TUNED.match(name)) is not None:
        name = match["base"]
    return BASE_MODELS.get(name)


def fine_tuned_model_api(model_id: str, job_id: str, parent: str, created_at: float) -> dict[str, Any]:
    """The Model object of an account's fine-tuned model (deployable; further fine-tunable)."""
    base = base_model(parent)
    inference_until = _unix(base.inference_until) if base else int(created_at) + 2 * 365 * 86_400
    return {
        "object": "model",
        "id": model_id,
        "created_at": int(created_at),
        "status": "succeeded",
        "model": parent,
        "fine_tune": job_id,
        "capabilities": {
            "fine_tune": True,
            "inference": True,
            "completion": False,
            "chat_completion": True,
            "embeddings": False,
        },
        "lifecycle_status": "generally-available",
        "deprecation": {"inference": inference_until},
    }
