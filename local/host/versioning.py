"""Orchestration versioning as the Durable extension defines it (host.json ``durableTask``).

- ``defaultVersion``: the version of every new instance started without one (client
  ``start_new(version=...)``, ``?version=`` and sub-orchestrations may give their own), and the
  version of this worker. An instance keeps its version for life (continue_as_new included).
- ``versionMatchStrategy``: which instances this worker runs, by their version:
  ``None`` (all), ``Strict`` (the same string), ``CurrentOrOlder`` (the default: equal or older).
- ``versionFailureStrategy``: what happens to the others: ``Reject`` (the default; the work is
  left untouched for a worker that matches) or ``Fail`` (the instance fails with
  ``VersionMismatch``).

Comparison follows DTFx ``VersioningSettings.CompareVersions``: blank versions are equal and
older than any defined one; two ``System.Version`` strings (2 to 4 numeric parts) compare by
parts; anything else compares as case-insensitive ordinal strings.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MATCH_STRATEGIES = ("None", "Strict", "CurrentOrOlder")
FAILURE_STRATEGIES = ("Reject", "Fail")
MISMATCH_TYPE = "VersionMismatch"
MISMATCH_MESSAGE = "Orchestration version did not comply with Worker Versioning"
_DOTNET_VERSION = re.compile(r"^\d+(\.\d+){1,3}$")
_INT32_MAX = 2**31 - 1


def _dotnet_version(text: str) -> tuple[int, ...] | None:
    """``System.Version.TryParse``: 2 to 4 non-negative Int32 parts; missing parts sort first."""
    text = text.strip()
    if not _DOTNET_VERSION.match(text):
        return None
    parts = tuple(int(p) for p in text.split("."))
    if any(p > _INT32_MAX for p in parts):
        return None
    return parts + (-1,) * (4 - len(parts))


def compare_versions(source: str | None, other: str | None) -> int:
    """Negative, zero or positive as ``source`` is older than, equal to or newer than ``other``."""
    source_blank, other_blank = not (source or "").strip(), not (other or "").strip()
    if source_blank and other_blank:
        return 0
    if source_blank:
        return -1
    if other_blank:
        return 1
    assert source is not None and other is not None
    parsed_source, parsed_other = _dotnet_version(source), _dotnet_version(other)
    if parsed_source is not None and parsed_other is not None:
        return (parsed_source > parsed_other) - (parsed_source < parsed_other)
    left, right = source.upper(), other.upper()
    return (left > right) - (left < right)


@dataclass(frozen=True)
class VersionPolicy:
    default_version: str = ""
    match: str = "CurrentOrOlder"
    failure: str = "Reject"

    def accepts(self, instance_version: str | None) -> bool:
        """True when this worker may run an instance of ``instance_version``."""
        if self.match == "None":
            return True
        if self.match == "Strict":
            return (instance_version or "") == self.default_version
        return compare_versions(instance_version, self.default_version) <= 0


def _strategy(durable: dict[str, Any], key: str, allowed: tuple[str, ...], default: str) -> str:
    raw = durable.get(key)
    if raw is None or raw == "":
        return default
    text = str(raw).strip()
    # .NET configuration binds an enum from its number too
    if text.isascii() and text.isdigit() and int(text) < len(allowed):
        return allowed[int(text)]
    for name in allowed:
        if name.lower() == text.lower():
            return name
    raise ValueError(f"LOCALHOST_BAD_HOST_JSON: extensions.durableTask.{key} is {raw!r}; use one of "
                     f"{', '.join(allowed)} (the values the Durable extension accepts).")


def policy_from_host_json(durable: dict[str, Any], resolve: Callable[[str, str], str]) -> VersionPolicy:
    """The policy from host.json's ``extensions.durableTask`` (``defaultVersion`` may be %Setting%)."""
    default_version = durable.get("defaultVersion")
    return VersionPolicy(
        default_version=resolve(str(default_version), "") if default_version is not None else "",
        match=_strategy(durable, "versionMatchStrategy", MATCH_STRATEGIES, "CurrentOrOlder"),
        failure=_strategy(durable, "versionFailureStrategy", FAILURE_STRATEGIES, "Reject"),
    )
