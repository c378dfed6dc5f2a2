"""The schema tier's machinery: record every response the real clients receive, map it to its emulator
route, and validate its body and headers against the published contract for that route.

Responses are captured at the transport (an httpx event hook for openai, azure-core's
raw_response_hook for azure-identity and the ARM client), so what is checked is what the clients
really got. Each response is matched to a route of local/aoai/routes.py by method and path, and to
the schema of that route on its surface: the authoring spec of the request's api-version, the v1
spec, the ARM spec or Entra's token contract.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from jsonschema import Draft202012Validator

from local.aoai.routes import DATA_PLANE, OTHER
from tests.schema.differences import explain

REPO_ROOT = Path(__file__).resolve().parents[2]
# ../shared beside the clone (CI), or beside a folder holding the clone (a git worktree in /work/wt/<x>).
SPECS = next(
    (
        folder / "shared" / "reference" / "azure-specs"
        for folder in REPO_ROOT.parents
        if (folder / "shared" / "reference" / "azure-specs" / "README.md").exists()
    ),
    REPO_ROOT.parent / "shared" / "reference" / "azure-specs",
)
ADDITIONS = Path(__file__).with_name("spec_additions.json")
AUTHORING = {
    "2024-10-21": "aoai_authoring_2024-10-21.json",
    "2025-04-01-preview": "aoai_authoring_2025-04-01-preview.json",
}
V1, ARM, ENTRA, EXTRA = (
    "aoai_v1.json",
    "arm_cognitiveservices_2024-10-01.json",
    "entra_token_v2.json",
    "additions",
)
WHOLE_SECONDS = re.compile(r"^[1-9]\d*$")
# ErrorCode is an open enum ("modelAsString"): a code must be a documented value or one the real
# service is recorded sending (bodies quoted in ../shared/reference/azure-specs/README.md and in
# docs/emulator.md: unknown path 404, key 401, throttling 429, chat on a missing deployment).
RECORDED_ERROR_CODES = {"404", "401", "429", "DeploymentNotFound"}

# Route name -> schema definition, per surface kind; None: no JSON body to check.
AUTHORING_BODIES = {
    "files.create": "File",
    "files.list": "FileList",
    "files.retrieve": "File",
    "files.delete": "FileDelete",
    "files.content": None,
    "files.import_url": "File",
    "jobs.create": "FineTuningJob",
    "jobs.list": "FineTuningJobList",
    "jobs.retrieve": "FineTuningJob",
    "jobs.delete": None,
    "jobs.cancel": "FineTuningJob",
    "jobs.pause": "FineTuningJob",
    "jobs.resume": "FineTuningJob",
    "jobs.events": "FineTuningJobEventList",
    "jobs.checkpoints": "FineTuningJobCheckpointList",
}
V1_BODIES = {
    "files.create": "AzureOpenAIFile",
    "files.list": "AzureListFilesResponse",
    "files.retrieve": "AzureOpenAIFile",
    "files.import_url": "AzureOpenAIFile",
    "files.content": None,
    "jobs.create": "OpenAI.FineTuningJob",
    "jobs.list": "ListFineTuningJobs",
    "jobs.retrieve": "OpenAI.FineTuningJob",
    "jobs.delete": None,
    "jobs.cancel": "OpenAI.FineTuningJob",
    "jobs.pause": "OpenAI.FineTuningJob",
    "jobs.resume": "OpenAI.FineTuningJob",
    "jobs.events": "ListFineTuningJobEvents",
    "jobs.checkpoints": "ListFineTuningJobCheckpoints",
}
# Not transcribed for v1: the file-delete answer (validated with the authoring FileDelete, same shape).
V1_FALLBACK = {"files.delete": (AUTHORING["2025-04-01-preview"], "FileDelete"),
               # Graders: transcribed into spec_additions.json (the v1 spec references OpenAI's schemas).
               "graders.validate": (EXTRA, "ValidateGraderResponse"),
               "graders.run": (EXTRA, "RunGraderResponse")}
MODELS = {"models.list": "ModelList", "models.retrieve": "Model"}
ARM_BODIES = {
    "deployments.put": "Deployment",
    "deployments.get": "Deployment",
    "deployments.patch": "Deployment",
    "deployments.list": "DeploymentListResult",
    "deployments.delete": None,
}


def spec_available() -> bool:
    return (SPECS / "README.md").exists()


def _load(name: str) -> dict[str, Any]:
    path = ADDITIONS if name == EXTRA else SPECS / name
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass
class Recorded:
    method: str
    url: str
    status: int
    headers: dict[str, str]
    body: Any
    surface: str = ""
    route: str = ""

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def api_version(self) -> str | None:
        return (parse_qs(urlsplit(self.url).query).get("api-version") or [None])[0]


def _route_table() -> list[tuple[str, str, re.Pattern[str], str]]:
    table = [("aoai", m, "/openai" + p, n) for m, p, n, _ in DATA_PLANE]
    table += [("v1", m, "/openai/v1" + p, n) for m, p, n, _ in DATA_PLANE]
    table += [(s, m, p, n) for s, m, p, n, _ in OTHER if s != "control"]
    compiled = []
    for surface, method, template, name in table:
        pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$")
        compiled.append((surface, method, pattern, name))
    # Literal paths first (files/import before files/{file_id}), as aiohttp resolves them.
    return sorted(compiled, key=lambda r: r[2].pattern.count("[^/]+"))


ROUTES = _route_table()
ALL_ROUTES = {(s, n) for s, _, _, n in ROUTES}


@dataclass
class Contract:
    """Validators for every schema, the recorded responses, coverage and differences seen."""

    validators: dict[tuple[str, str], Draft202012Validator] = field(default_factory=dict)
    pending: list[Recorded] = field(default_factory=list)
    covered: set[tuple[str, str]] = field(default_factory=set)
    differences_seen: set[str] = field(default_factory=set)

    def validator(self, spec: str, definition: str) -> Draft202012Validator:
        key = (spec, definition)
        if key not in self.validators:
            document = _load(spec)
            if definition not in document["$defs"]:
                raise AssertionError(f"{spec} defines no {definition}")
            schema = {"$ref": f"#/$defs/{definition}", "$defs": document["$defs"]}
            self.validators[key] = Draft202012Validator(schema)
        return self.validators[key]

    def record(self, method: str, url: str, status: int, headers: dict[str, str], raw: Any) -> None:
        """Keep a response; `raw` is its bytes, or a callable giving them once the client has read them
        (azure-core streams some answers, and reading them early would break the client)."""
        self.pending.append(Recorded(method.upper(), url, status, dict(headers), raw))

    def check(self, body: Any, spec: str, definition: str, where: str) -> list[str]:
        """Problems of `body` against the schema that no documented difference explains."""
        problems = []
        for error in self.validator(spec, definition).iter_errors(body):
            path = "/".join(str(p) for p in error.absolute_path)
            difference = explain(spec, definition, path, error.validator, error.instance)
            if difference is not None:
                self.differences_seen.add(difference.id)
            else:
                problems.append(f"{where}: {spec}#{definition} at '{path}': {error.message[:300]}")
        return problems

    def verify(self) -> list[str]:
        """Check every response recorded since the last call; return the unexplained problems."""
        problems: list[str] = []
        recorded, self.pending = self.pending, []
        for response in recorded:
            raw = response.body() if callable(response.body) else response.body
            try:
                response.body = json.loads(raw) if raw else None
            except ValueError:
                response.body = raw
            match = next(
                ((s, n) for s, m, p, n in ROUTES if m == response.method and p.match(response.path)), None
            )
            where = f"{response.method} {response.path} -> {response.status}"
            if match is None:
                if response.status != 404:
                    problems.append(f"{where}: no emulator route")
                continue
            response.surface, response.route = match
            self.covered.add(match)
            problems += self._check_one(response, where)
        return problems

    def _check_one(self, r: Recorded, where: str) -> list[str]:
        problems = self._check_headers(r, where)
        spec, definition = self._schema_of(r)
        if definition is not None:
            problems += self.check(r.body, spec, definition, where)
        if definition == "ErrorResponse" and r.surface in ("aoai", "v1"):
            documented = set(_load(spec)["$defs"]["ErrorCode"]["x-ms-enum-values"])
            code = (r.body.get("error") or {}).get("code") if isinstance(r.body, dict) else None
            if code not in documented | RECORDED_ERROR_CODES:
                problems.append(f"{where}: error code {code!r} is neither documented nor recorded")
        return problems

    def _schema_of(self, r: Recorded) -> tuple[str, str | None]:
        if r.surface in ("aoai", "v1"):
            error_spec = AUTHORING.get(r.api_version or "", AUTHORING["2025-04-01-preview"])
            if r.status >= 400:
                return error_spec, "ErrorResponse"
            if r.route == "chat.completions":
                return V1, "AzureCreateChatCompletionResponse" if isinstance(r.body, dict) else None
            if r.route in MODELS:
                return EXTRA, MODELS[r.route]
            if r.surface == "v1":
                return V1_FALLBACK.get(r.route) or (V1, V1_BODIES[r.route])
            return AUTHORING[r.api_version or ""], AUTHORING_BODIES[r.route]
        if r.surface == "arm":
            if r.status >= 400:
                return ARM, "ErrorResponse"
            if r.route == "operations.get":
                is_resource = isinstance(r.body, dict) and "properties" in r.body  # a PATCH's final GET
                return ARM, "Deployment" if is_resource else "OperationStatusResult"
            return ARM, ARM_BODIES[r.route]
        if r.route == "token":
            return ENTRA, "TokenError" if r.status >= 400 else "TokenResponse"
        return ENTRA, None  # openid configuration: checked by the Entra test

    def _check_headers(self, r: Recorded, where: str) -> list[str]:
        headers = {k.lower(): v for k, v in r.headers.items()}
        problems = []
        wanted = "x-ms-request-id" if r.surface == "arm" else "apim-request-id"
        if r.surface != "entra" and not headers.get(wanted):
            problems.append(f"{where}: no {wanted} header")
        if r.status == 201 and r.surface in ("aoai", "v1"):
            location = headers.get("location", "")
            body_id = r.body.get("id") if isinstance(r.body, dict) else None
            # The item's own URL in its collection (an import's file is under /files, as the spec example).
            collection = r.path.removesuffix("/import")
            endpoint = r.url[: r.url.index(r.path)]
            if location != f"{endpoint}{collection}/{body_id}":
                problems.append(f"{where}: Location {location!r} is not the absolute URL of {body_id}")
        if (
            r.surface == "arm"
            and r.route == "deployments.put"
            and r.status < 300
            and not headers.get("azure-asyncoperation", "").startswith("https://")
        ):
            problems.append(f"{where}: Azure-AsyncOperation is not an absolute URL")
        if r.status == 202 and not headers.get("location", "").startswith("https://"):
            problems.append(f"{where}: a 202 without an absolute Location")
        retry = headers.get("retry-after")
        needs_retry = (
            r.status in (202, 429)
            or (r.route == "deployments.put" and r.status < 300)
            or (
                r.route == "operations.get"
                and isinstance(r.body, dict)
                and r.body.get("status") == "InProgress"
            )
        )
        if needs_retry and not (retry and WHOLE_SECONDS.match(retry)):
            problems.append(f"{where}: Retry-After {retry!r} is not whole seconds")
        return problems
