"""What every activity module shares: settings, payload parsing and the error convention.

Activities are thin: parse the payload, get the process's cached clients, call a
plain function of shared/, return a dict. A PipelineError (or a bad setting) becomes
a RETURNED ``{"error": ...}`` (permanent: the orchestrator fails fast); anything else,
transient service failures above all, is raised so the orchestrator's retry policy
applies (shared/errors.py, docs/pipeline.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from shared import errors
from shared.payloads import Payload
from shared.settings import Settings, SettingsError, load_settings

P = TypeVar("P", bound=Payload)
log = logging.getLogger("activities")


def settings() -> Settings:
    """The app's settings (read per invocation: cheap, and never at import).

    Reports in the datasets container would re-trigger the pipeline and mix outputs with
    datasets, which the app never modifies: that configuration is refused here.
    """
    loaded = load_settings()
    if loaded.reports_container == loaded.datasets_container:
        raise SettingsError("REPORTS_CONTAINER must name a container other than DATASETS_CONTAINER "
                            f"({loaded.datasets_container}); reports never go beside the datasets.")
    return loaded


def parse(cls: type[P], payload: Any) -> P:
    """The payload as its dataclass; a malformed payload is a permanent internal error."""
    try:
        return cls.from_dict(payload if isinstance(payload, dict) else None)
    except (TypeError, ValueError) as exc:
        raise errors.PipelineError(errors.INTERNAL, f"Malformed {cls.__name__} payload: {exc}.") from exc


def run(activity: str, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run an activity's work under the convention: permanent failures returned, transient ones raised."""
    try:
        result = work()
    except errors.PipelineError as exc:
        result = errors.error_result(exc.code, exc.message)
    except SettingsError as exc:
        result = errors.error_result(exc.code, f"The app is misconfigured: {exc}")
    problem = errors.returned_error(result)
    if problem:
        log.warning("%s returned %s: %s", activity, problem.get("code"), problem.get("message"))
    return result
