"""Lifecycle timings and the emulator's fixed identity (tenant, client, key, ARM scope)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

TENANT_ID = "72f988bf-0000-4000-8000-00000000e1a1"
CLIENT_ID = "4a3c2b1d-0000-4000-8000-00000000c11e"
CLIENT_SECRET = "emulator-client-secret"
API_KEY = "emulator-api-key-0000000000000000"
SUBSCRIPTION_ID = "00000000-0000-4000-8000-000000000001"
RESOURCE_GROUP = "rg-finetune-local"
ACCOUNT = "aoai-local"
LOCATION = "swedencentral"

COGNITIVE_AUDIENCE = "https://cognitiveservices.azure.com"
MANAGEMENT_AUDIENCE = "https://management.azure.com"
AUDIENCES = {
    "cognitiveservices": COGNITIVE_AUDIENCE,
    "management": MANAGEMENT_AUDIENCE,
}

MAX_PENDING_JOBS = 20
MAX_RUNNING_JOBS = 1
MAX_FINE_TUNED_DEPLOYMENTS = 5


@dataclass
class Timings:
    """How long simulated work takes, in seconds (defaults: the whole demo well under a minute)."""

    file_processing_seconds: float = 1.0
    job_start_delay_seconds: float = 1.0
    job_duration_seconds: float = 7.0
    job_steps: int = 10
    deployment_seconds: float = 2.0
    token_lifetime_seconds: int = 3600
    # Chat requests per minute a deployment serves per capacity unit (0: no limit). Azure's fine-tuned
    # Standard deployments serve about 1 per unit in practice; the default keeps tests unthrottled.
    requests_per_minute_per_capacity: float = 600.0
    # Azure deletes a Developer-tier deployment 24 h after it was created.
    developer_deployment_lifetime_seconds: float = 86_400.0
    # How long a job stays "pausing" before "paused" (and "resuming" before "running").
    pause_transition_seconds: float = 0.5

    @classmethod
    def fast(cls) -> Timings:
        """Short timings for tests."""
        return cls(
            file_processing_seconds=0.1,
            job_start_delay_seconds=0.1,
            job_duration_seconds=0.8,
            job_steps=5,
            deployment_seconds=0.2,
            pause_transition_seconds=0.1,
        )

    @classmethod
    def coerce(cls, value: Timings | dict[str, Any] | None) -> Timings:
        if value is None:
            return cls()
        if isinstance(value, Timings):
            return value
        timings = cls()
        timings.update(value)
        return timings

    def update(self, changes: dict[str, Any]) -> None:
        """Apply a partial update; raise ValueError on unknown names or invalid values."""
        known = {f.name: f.type for f in fields(self)}
        for name, raw in changes.items():
            if name not in known:
                raise ValueError(f"unknown timing {name!r}; known: {', '.join(sorted(known))}")
            number = int(raw) if name in ("job_steps", "token_lifetime_seconds") else float(raw)
            if number < 0 or (name == "job_steps" and number < 1):
                raise ValueError(f"timing {name!r} must be positive, got {raw!r}")
            setattr(self, name, number)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
