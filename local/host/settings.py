"""Host settings: CLI flags, local.settings.json "Values" (applied to the environment as func start
does, the environment winning) and host.json (durable hub name, concurrency limits, versioning)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local.host.versioning import VersionPolicy, policy_from_host_json

DEFAULT_HUB = "TestHubName"
KEY_ENV = "LOCAL_HOST_FUNCTION_KEY"
MASTER_KEY_ENV = "LOCAL_HOST_MASTER_KEY"
POLL_ENV = "LOCAL_HOST_BLOB_POLL_SECONDS"
DEFAULT_BLOB_POLL_S = 2.0
# The Durable extension's default for both limits: 10 x the processors of the machine.
DEFAULT_CONCURRENCY = 10 * (os.cpu_count() or 1)


@dataclass
class HostSettings:
    app_dir: Path
    state_dir: Path
    port: int = 7071
    bind: str = "127.0.0.1"
    hub_name: str = DEFAULT_HUB
    max_activities: int = 10
    max_orchestrations: int = 4
    function_key: str | None = None
    master_key: str | None = None
    blob_poll_s: float = DEFAULT_BLOB_POLL_S
    route_prefix: str = "api"
    versioning: VersionPolicy = field(default_factory=VersionPolicy)


def _read_json(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"LOCALHOST_BAD_JSON: {path} is not valid JSON ({exc}); fix the file.") from exc


def apply_local_settings(app_dir: Path) -> list[str]:
    """Copy local.settings.json Values into os.environ unless already set; return the names applied."""
    values = _read_json(app_dir / "local.settings.json").get("Values", {}) or {}
    applied = []
    for name, value in values.items():
        if name not in os.environ and value is not None:
            os.environ[name] = str(value)
            applied.append(name)
    return applied


def resolve_setting(value: str, default: str) -> str:
    """host.json values may name an app setting as %Setting%."""
    if value.startswith("%") and value.endswith("%"):
        return os.environ.get(value.strip("%"), default)
    return value


def load_settings(app_dir: Path, state_dir: Path, port: int, function_key: str | None = None,
                  bind: str = "127.0.0.1", master_key: str | None = None) -> HostSettings:
    """Resolve the host's settings; call after apply_local_settings so its Values count.

    Raises ValueError (with a LOCALHOST_* code) for a host.json the extension would refuse.
    """
    extensions = _read_json(app_dir / "host.json").get("extensions", {}) or {}
    durable = extensions.get("durableTask", {}) or {}
    route_prefix = (extensions.get("http", {}) or {}).get("routePrefix", "api")
    hub = resolve_setting(str(durable.get("hubName") or DEFAULT_HUB), DEFAULT_HUB)
    return HostSettings(
        app_dir=app_dir, state_dir=state_dir, port=port, bind=bind, hub_name=hub,
        max_activities=int(durable.get("maxConcurrentActivityFunctions") or DEFAULT_CONCURRENCY),
        max_orchestrations=int(durable.get("maxConcurrentOrchestratorFunctions") or DEFAULT_CONCURRENCY),
        function_key=function_key or os.environ.get(KEY_ENV) or None,
        master_key=master_key or os.environ.get(MASTER_KEY_ENV) or None,
        blob_poll_s=float(os.environ.get(POLL_ENV) or DEFAULT_BLOB_POLL_S),
        route_prefix=str(route_prefix).strip("/"),
        versioning=policy_from_host_json(durable, resolve_setting),
    )
