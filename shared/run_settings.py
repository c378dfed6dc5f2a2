"""Run settings: the schema of ``finetune.json`` and of the HTTP body's ``settings``.

``parse_run_settings(raw, settings)`` checks every key and value (unknown keys and bad
values raise ``RequestError`` with code ``invalid_run_settings`` and the dotted field name)
and fills the gaps from the app settings, before anything is uploaded. The result,
``RunSettings``, travels in the orchestration as a plain dict (``to_dict``/``from_dict``).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from shared.errors import INVALID_RUN_SETTINGS, RequestError
from shared.method_settings import apply_method
from shared.prices import canonical_tier
from shared.settings import Settings

# The exercise's conversation (issue 5): the default smoke test.
DEFAULT_SMOKE_MESSAGES: tuple[dict[str, str], ...] = (
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "Does Azure OpenAI support customer managed keys?"},
    {"role": "assistant", "content": "Yes, customer managed keys are supported by Azure OpenAI."},
    {"role": "user", "content": "Do other Azure AI services support this too?"},
)
TRAINING_TYPES = ("standard", "globalstandard", "developer", "developertier")
SUFFIX_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
DEPLOYMENT_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,63}$")
CHAT_ROLES = ("system", "user", "assistant")
MAX_SMOKE_MESSAGES = 50
MAX_APPROVAL_HOURS = 24 * 30

TOP_KEYS = {"model", "suffix", "seed", "hyperparameters", "training_type", "deployment", "smoke_test",
            "max_cost_usd", "cleanup", "method"}
HYPER_KEYS = {"n_epochs", "batch_size", "learning_rate_multiplier"}
DEPLOYMENT_KEYS = {"enabled", "name", "sku", "capacity", "require_approval", "approval_timeout_hours",
                   "checkpoint"}
CHECKPOINTS = ("final", "best")   # deployment.checkpoint: the job's model, or its best kept checkpoint
SMOKE_KEYS = {"messages"}


@dataclass
class DeploymentSettings:
    enabled: bool = True
    name: str | None = None                  # None: derived from the run (shared/run_ids.py)
    sku: str = "Standard"
    capacity: int = 1
    require_approval: bool = False
    approval_timeout_hours: float = 24.0
    checkpoint: str = "final"                # "best": the kept checkpoint with the lowest full_valid_loss


@dataclass
class RunSettings:
    """A run's validated settings, defaults filled in."""

    model: str
    suffix: str | None = None
    seed: int | None = None
    hyperparameters: dict[str, Any] = field(default_factory=dict)   # only the keys given (the method's)
    training_type: str | None = None         # always set by parse_run_settings (never left to the service)
    deployment: DeploymentSettings = field(default_factory=DeploymentSettings)
    smoke_messages: list[dict[str, str]] = field(default_factory=lambda: [dict(m) for m in
                                                                         DEFAULT_SMOKE_MESSAGES])
    max_cost_usd: float | None = None
    cleanup: bool = False
    # {"type": supervised|dpo|reinforcement, "explicit", and for reinforcement "grader", "item_fields",
    # "response_format"}: shared/method_settings.py
    method: dict[str, Any] = field(default_factory=lambda: {"type": "supervised", "explicit": False})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunSettings:
        """Rebuild an already validated RunSettings (from the orchestration's history)."""
        values = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        values["deployment"] = DeploymentSettings(**{
            k: v for k, v in (data.get("deployment") or {}).items()
            if k in DeploymentSettings.__dataclass_fields__})
        return cls(**values)

    @property
    def n_epochs(self) -> int | None:
        value = self.hyperparameters.get("n_epochs")
        return value if isinstance(value, int) else None


def _fail(field_name: str, message: str) -> RequestError:
    return RequestError(INVALID_RUN_SETTINGS, message, field_name)


def _check_keys(value: Any, allowed: set[str], where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(where or "settings", f"{where or 'The run settings'} must be a JSON object.")
    unknown = sorted(set(value) - allowed)
    if unknown:
        prefix = f"{where}." if where else ""
        raise _fail(prefix + unknown[0], f"Unknown setting '{prefix}{unknown[0]}'. "
                    f"Allowed here: {', '.join(sorted(allowed))}.")
    return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(float(value)))


def _int_in(value: Any, name: str, low: int, high: int, auto: bool = False) -> int | str:
    if auto and value == "auto":
        return "auto"
    if not _is_int(value) or not low <= value <= high:
        extra = ' or "auto"' if auto else ""
        raise _fail(name, f"{name} must be a whole number from {low} to {high}{extra}; got {value!r}.")
    return value


def _bool(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(name, f"{name} must be true or false; got {value!r}.")
    return value


def _text(value: Any, name: str, pattern: re.Pattern[str], rule: str) -> str:
    if not isinstance(value, str) or not pattern.match(value):
        raise _fail(name, f"{name} must be {rule}; got {value!r}.")
    return value


def _hyperparameters(raw: Any) -> dict[str, Any]:
    data = _check_keys(raw, HYPER_KEYS, "hyperparameters")
    result: dict[str, Any] = {}
    if "n_epochs" in data:
        result["n_epochs"] = _int_in(data["n_epochs"], "hyperparameters.n_epochs", 1, 50, auto=True)
    if "batch_size" in data:
        result["batch_size"] = _int_in(data["batch_size"], "hyperparameters.batch_size", 1, 256, auto=True)
    if "learning_rate_multiplier" in data:
        value = data["learning_rate_multiplier"]
        if value != "auto" and (not _is_number(value) or not 0 < value <= 10):
            raise _fail("hyperparameters.learning_rate_multiplier",
                        "hyperparameters.learning_rate_multiplier must be a number above 0 and at most 10 "
                        f'or "auto"; got {value!r}.')
        result["learning_rate_multiplier"] = value
    return result


def _deployment(raw: Any, settings: Settings) -> DeploymentSettings:
    data = _check_keys(raw if raw is not None else {}, DEPLOYMENT_KEYS, "deployment")
    result = DeploymentSettings(sku=settings.default_sku, capacity=settings.default_capacity,
                                approval_timeout_hours=settings.approval_timeout_hours)
    if "enabled" in data:
        result.enabled = _bool(data["enabled"], "deployment.enabled")
    if data.get("name") is not None:
        result.name = _text(data["name"], "deployment.name", DEPLOYMENT_NAME_PATTERN,
                            "2 to 64 characters: letters, digits, '-', '_' or '.', starting with a letter "
                            "or digit")
    if "sku" in data:
        result.sku = _text(data["sku"], "deployment.sku", re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$"),
                           "an SKU name such as Standard, GlobalStandard or Developer")
    if "capacity" in data:
        result.capacity = int(_int_in(data["capacity"], "deployment.capacity", 1, 10000))
    if "require_approval" in data:
        result.require_approval = _bool(data["require_approval"], "deployment.require_approval")
    if "approval_timeout_hours" in data:
        value = data["approval_timeout_hours"]
        if not _is_number(value) or not 0 < value <= MAX_APPROVAL_HOURS:
            raise _fail("deployment.approval_timeout_hours",
                        f"deployment.approval_timeout_hours must be a number above 0 and at most "
                        f"{MAX_APPROVAL_HOURS}; got {value!r}.")
        result.approval_timeout_hours = float(value)
    if "checkpoint" in data:
        if data["checkpoint"] not in CHECKPOINTS:
            raise _fail("deployment.checkpoint", 'deployment.checkpoint must be "final" (the fine-tuned '
                        'model) or "best" (the kept checkpoint with the lowest full_valid_loss); got '
                        f"{data['checkpoint']!r}.")
        result.checkpoint = data["checkpoint"]
    return result


def _smoke_messages(raw: Any) -> list[dict[str, str]]:
    data = _check_keys(raw, SMOKE_KEYS, "smoke_test")
    if "messages" not in data:
        return [dict(m) for m in DEFAULT_SMOKE_MESSAGES]
    messages = data["messages"]
    if not isinstance(messages, list) or not 1 <= len(messages) <= MAX_SMOKE_MESSAGES:
        raise _fail("smoke_test.messages",
                    f"smoke_test.messages must be a list of 1 to {MAX_SMOKE_MESSAGES} chat messages.")
    for index, message in enumerate(messages):
        name = f"smoke_test.messages[{index}]"
        if not isinstance(message, dict) or set(message) != {"role", "content"}:
            raise _fail(name, f'{name} must be an object with exactly "role" and "content".')
        if message["role"] not in CHAT_ROLES:
            raise _fail(name + ".role", f"{name}.role must be one of {', '.join(CHAT_ROLES)}.")
        if not isinstance(message["content"], str) or not message["content"].strip():
            raise _fail(name + ".content", f"{name}.content must be a non-empty string.")
    if messages[-1]["role"] != "user":
        raise _fail("smoke_test.messages", "The last smoke_test message must have role \"user\".")
    return [dict(m) for m in messages]


def parse_run_settings(raw: Any, settings: Settings) -> RunSettings:
    """Validate ``raw`` (finetune.json / the body's settings; None means all defaults)."""
    data = _check_keys(raw if raw is not None else {}, TOP_KEYS, "")
    result = RunSettings(model=settings.default_model, max_cost_usd=settings.max_cost_usd,
                         training_type=settings.default_training_type)
    if "model" in data:
        result.model = _text(data["model"], "model", re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"),
                             "a base model name such as gpt-4o-mini-2024-07-18")
    if data.get("suffix") is not None:
        result.suffix = _text(data["suffix"], "suffix", SUFFIX_PATTERN,
                              "1 to 40 characters from a-z A-Z 0-9 - _")
    if data.get("seed") is not None:
        result.seed = int(_int_in(data["seed"], "seed", 0, 2**31 - 1))
    if "hyperparameters" in data:
        result.hyperparameters = _hyperparameters(data["hyperparameters"])
    if data.get("training_type") is not None:
        value = data["training_type"]
        if not isinstance(value, str) or value.lower() not in TRAINING_TYPES:
            raise _fail("training_type", f"training_type must be one of Standard, GlobalStandard, Developer "
                        f"(case does not matter); got {value!r}.")
        result.training_type = canonical_tier(value)
    apply_method(data, result)  # method, its hyperparameters, and the model/method/tier check
    result.deployment = _deployment(data.get("deployment"), settings)
    if "smoke_test" in data:
        result.smoke_messages = _smoke_messages(data["smoke_test"])
    if "max_cost_usd" in data:
        value = data["max_cost_usd"]
        if value is not None and (not _is_number(value) or value < 0):
            raise _fail("max_cost_usd", f"max_cost_usd must be a number of US dollars (0 or more) or null "
                        f"for no cap; got {value!r}.")
        result.max_cost_usd = None if value is None else float(value)
    if "cleanup" in data:
        result.cleanup = _bool(data["cleanup"], "cleanup")
    return result


def settings_from_bytes(raw: bytes, where: str) -> dict[str, Any]:
    """A ``finetune.json``'s bytes as a JSON object; RequestError (invalid_run_settings) saying what to fix.

    Shared by the pipeline (the blob) and the CLI (a local file), so both say the same thing.
    """
    try:
        parsed = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RequestError(INVALID_RUN_SETTINGS, f"{where} is not valid UTF-8 JSON ({exc}). Fix the file and "
                           "upload the dataset again.", None) from exc
    if not isinstance(parsed, dict):
        raise RequestError(INVALID_RUN_SETTINGS, f"{where} must hold a JSON object of run settings.", None)
    return parsed
