"""Injected faults: failing calls to a route, failing jobs, deployments and file processing."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from local.aoai.models.common import new_id

FAULT_STATUSES = {429, 500, 503}
DEFAULT_MESSAGES = {
    429: "Requests to the fine-tuning API have exceeded the rate limit of your current pricing tier. "
    "Please retry after {retry} seconds.",
    500: "The server had an error while processing your request. Sorry about that!",
    503: "The service is temporarily unable to process your request. Please try again later.",
}
DEFAULT_CODES = {429: "429", 500: "internalFailure", 503: "serviceUnavailable"}


@dataclass
class RouteFault:
    """The next `count` calls matching route/method/path_regex answer `status`."""

    id: str
    status: int
    count: int
    route: str | None = None
    method: str | None = None
    path_regex: str | None = None
    retry_after: float | None = None
    code: str = ""
    message: str = ""

    def matches(self, route: str, method: str, path: str) -> bool:
        if self.route is not None and self.route != route:
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path_regex is None or re.search(self.path_regex, path) is not None


@dataclass
class Failure:
    """How an injected job/deployment/file failure reports itself."""

    code: str
    message: str
    at_step: int | None = None


@dataclass
class Faults:
    routes: list[RouteFault] = field(default_factory=list)
    next_jobs: list[Failure] = field(default_factory=list)
    jobs_by_id: dict[str, Failure] = field(default_factory=dict)
    next_deployments: list[Failure] = field(default_factory=list)
    deployments_by_name: dict[str, Failure] = field(default_factory=dict)
    next_files: list[Failure] = field(default_factory=list)
    files_by_name: dict[str, Failure] = field(default_factory=dict)
    # The service pausing a job by itself at a step (the $5,000 RFT cost cap): step numbers.
    next_job_pauses: list[int] = field(default_factory=list)

    def add_route_fault(self, spec: dict[str, Any]) -> RouteFault:
        status = int(spec.get("status", 429))
        if status not in FAULT_STATUSES:
            raise ValueError(f"status must be one of {sorted(FAULT_STATUSES)}, got {status}")
        if not spec.get("route") and not spec.get("path_regex"):
            raise ValueError("give 'route' (e.g. 'files.create') and/or 'path_regex'")
        if spec.get("path_regex"):
            try:
                re.compile(spec["path_regex"])
            except re.error as exc:
                raise ValueError(f"path_regex is not a valid regular expression: {exc}") from None
        retry_after = spec.get("retry_after", 1 if status == 429 else None)
        fault = RouteFault(
            id=new_id("fault"),
            status=status,
            count=max(1, int(spec.get("count", 1))),
            route=spec.get("route"),
            method=spec.get("method"),
            path_regex=spec.get("path_regex"),
            retry_after=None if retry_after is None else float(retry_after),
            code=str(spec.get("code") or DEFAULT_CODES[status]),
            message=str(spec.get("message") or DEFAULT_MESSAGES[status].format(retry=retry_after)),
        )
        self.routes.append(fault)
        return fault

    def take_route_fault(self, route: str, method: str, path: str) -> RouteFault | None:
        for fault in self.routes:
            if fault.matches(route, method, path):
                fault.count -= 1
                if fault.count <= 0:
                    self.routes.remove(fault)
                return fault
        return None

    def take_job_failure(self, job_id: str) -> Failure | None:
        if job_id in self.jobs_by_id:
            return self.jobs_by_id.pop(job_id)
        return self.next_jobs.pop(0) if self.next_jobs else None

    def take_job_pause(self, job_id: str) -> int | None:
        """The step at which the next job created pauses itself, if a pause was injected."""
        return self.next_job_pauses.pop(0) if self.next_job_pauses else None

    def take_deployment_failure(self, name: str) -> Failure | None:
        if name in self.deployments_by_name:
            return self.deployments_by_name.pop(name)
        return self.next_deployments.pop(0) if self.next_deployments else None

    def take_file_failure(self, filename: str) -> Failure | None:
        if filename in self.files_by_name:
            return self.files_by_name.pop(filename)
        return self.next_files.pop(0) if self.next_files else None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Faults:
        def failures(items: list[dict[str, Any]]) -> list[Failure]:
            return [Failure(**item) for item in items]

        def named(items: dict[str, dict[str, Any]]) -> dict[str, Failure]:
            return {key: Failure(**item) for key, item in items.items()}

        return cls(
            routes=[RouteFault(**item) for item in data.get("routes", [])],
            next_jobs=failures(data.get("next_jobs", [])),
            jobs_by_id=named(data.get("jobs_by_id", {})),
            next_deployments=failures(data.get("next_deployments", [])),
            deployments_by_name=named(data.get("deployments_by_name", {})),
            next_files=failures(data.get("next_files", [])),
            files_by_name=named(data.get("files_by_name", {})),
            next_job_pauses=[int(step) for step in data.get("next_job_pauses", [])],
        )
