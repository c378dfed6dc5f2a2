"""Index a Python v2-model function app as the worker does: import function_app.py, call get_functions() once.

Triggers, routes and names come only from each function's binding metadata; the host knows
nothing else about the app. Binding types the host cannot serve are reported at start.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SUPPORTED = {"httpTrigger", "http", "durableClient", "orchestrationTrigger", "activityTrigger", "blobTrigger",
             "timerTrigger"}
TRIGGERS = {"httpTrigger": "http", "orchestrationTrigger": "orchestration", "activityTrigger": "activity",
            "blobTrigger": "blob", "timerTrigger": "timer"}


class AppLoadError(Exception):
    """The app folder cannot be indexed; the message says what to do."""


@dataclass
class FunctionInfo:
    """One indexed function and what the host needs to invoke it."""

    name: str  # the function name (decorator argument or Python name)
    trigger: str  # http | orchestration | activity | blob | timer
    func: Any
    bindings: list[dict[str, Any]]
    trigger_param: str
    is_async: bool
    client_param: str | None = None  # durableClient parameter name
    client_binding: dict[str, Any] | None = None

    @property
    def trigger_binding(self) -> dict[str, Any]:
        return next(b for b in self.bindings if b["type"] in TRIGGERS)

    @property
    def route(self) -> str | None:
        if self.trigger != "http":
            return None
        return self.trigger_binding.get("route") or self.name

    def accepts(self, name: str) -> bool:
        return name in inspect.signature(self.func).parameters


@dataclass
class AppIndex:
    functions: list[FunctionInfo] = field(default_factory=list)
    orchestrators: dict[str, FunctionInfo] = field(default_factory=dict)
    activities: dict[str, FunctionInfo] = field(default_factory=dict)
    http: list[FunctionInfo] = field(default_factory=list)
    blobs: list[FunctionInfo] = field(default_factory=list)
    timers: list[FunctionInfo] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # functions with unsupported bindings

    def get(self, name: str) -> FunctionInfo | None:
        """A function by name, as the host's admin API looks it up (case-insensitive)."""
        return next((f for f in self.functions if f.name.lower() == name.lower()), None)

    def describe(self) -> list[dict[str, Any]]:
        out = []
        for info in self.functions:
            item: dict[str, Any] = {"name": info.name, "trigger": info.trigger}
            if info.route is not None:
                item["route"] = info.route
            if info.trigger == "blob":
                item["path"] = info.trigger_binding.get("path")
            if info.trigger == "timer":
                item["schedule"] = info.trigger_binding.get("schedule")
            out.append(item)
        return out


def _import_app_module(app_dir: Path) -> Any:
    script = app_dir / "function_app.py"
    if not script.exists():
        raise AppLoadError(f"LOCALHOST_NO_APP: {script} does not exist; pass --app-dir with the folder "
                           "that holds function_app.py.")
    if str(app_dir) not in sys.path:
        sys.path.insert(0, str(app_dir))
    spec = importlib.util.spec_from_file_location("function_app", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["function_app"] = module
    spec.loader.exec_module(module)
    return module


def _find_app(module: Any) -> Any:
    from azure.functions import FunctionRegister

    apps = [v for v in vars(module).values() if isinstance(v, FunctionRegister)]
    if len(apps) != 1:
        raise AppLoadError(f"LOCALHOST_NO_FUNCTION_APP: function_app.py must define exactly one FunctionApp "
                           f"(found {len(apps)}).")
    return apps[0]


def _function_info(fn: Any) -> FunctionInfo | str:
    """A FunctionInfo, or the reason it cannot be served."""
    bindings = [json.loads(raw) for raw in fn.get_raw_bindings()]
    name = fn.get_function_name()
    unsupported = sorted({b["type"] for b in bindings} - SUPPORTED)
    if unsupported:
        return f"{name}: binding type(s) {', '.join(unsupported)}"
    trigger = next(b for b in bindings if b["type"] in TRIGGERS)
    kind = TRIGGERS[trigger["type"]]
    func = fn.get_user_function()
    if kind == "orchestration":
        name = trigger.get("orchestration") or name
    elif kind == "activity":
        name = trigger.get("activity") or name
    client = next((b for b in bindings if b["type"] == "durableClient"), None)
    is_async = inspect.iscoroutinefunction(func)
    if client is not None and not is_async:
        return f"{name}: durable client functions must be 'async def'"
    return FunctionInfo(name, kind, func, bindings, trigger["name"], is_async,
                        client["name"] if client else None, client)


def load_app(app_dir: Path, allow_unsupported: bool = False) -> AppIndex:
    """Import the app and index its functions; unsupported ones fail the start unless allowed."""
    app = _find_app(_import_app_module(app_dir.resolve()))
    index = AppIndex()
    for fn in app.get_functions():  # once: a second call raises "does not have a unique function name"
        info = _function_info(fn)
        if isinstance(info, str):
            index.skipped.append(info)
            continue
        index.functions.append(info)
        {"orchestration": index.orchestrators, "activity": index.activities}.get(info.trigger, {})[
            info.name] = info
        if info.trigger == "http":
            index.http.append(info)
        elif info.trigger == "blob":
            index.blobs.append(info)
        elif info.trigger == "timer":
            index.timers.append(info)
    if index.skipped and not allow_unsupported:
        raise AppLoadError("LOCALHOST_UNSUPPORTED_BINDING: the local host cannot serve "
                           + "; ".join(index.skipped)
                           + ". Remove these functions or start with --skip-unsupported to run the rest.")
    return index
