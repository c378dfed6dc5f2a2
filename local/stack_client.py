"""A client of a running local stack: blob uploads, the app's HTTP API, the Durable status API, the emulator.

Built from the JSON that ``Stack.info()`` returns (the line ``up --json``
prints, also written to ``<state_dir>/stack.json``), so the commands (drop,
status, demo), the end-to-end tests and the benchmark talk to the stack the
same way a user would: over HTTP and the storage API.
"""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DURABLE_BASE = "/runtime/webhooks/durabletask"
HTTP_TIMEOUT_S = 30


@dataclass
class Response:
    """An HTTP answer: status, headers and the body (parsed JSON when it is JSON, else text)."""

    status: int
    headers: dict[str, str]
    body: Any


def http_request(
    method: str, url: str, body: Any = None, headers: dict[str, str] | None = None,
    context: ssl.SSLContext | None = None, timeout: float = HTTP_TIMEOUT_S,
) -> Response:
    """One HTTP call with the standard library; errors with a status are answers, not exceptions."""
    data = None
    all_headers = dict(headers or {})
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        all_headers.setdefault("Content-Type", "application/json")
    request = urllib.request.Request(url, data=data, method=method, headers=all_headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as answer:
            return _response(answer.status, dict(answer.headers), answer.read())
    except urllib.error.HTTPError as error:
        return _response(error.code, dict(error.headers), error.read())


def _response(status: int, headers: dict[str, str], raw: bytes) -> Response:
    text = raw.decode("utf-8", errors="replace")
    try:
        body: Any = json.loads(text) if text else None
    except ValueError:
        body = text
    return Response(status, headers, body)


class StackClient:
    """Talks to a running stack described by ``info`` (see ``local.stack.Stack.info``)."""

    def __init__(self, info: dict[str, Any]) -> None:
        self.info = info
        self.base_url = str(info["base_url"]).rstrip("/")
        self.function_key: str | None = info.get("function_key")
        self.master_key: str | None = info.get("master_key")
        self.emulator: dict[str, Any] = info["emulator"]
        self.datasets_container: str = info.get("datasets_container", "datasets")
        self.reports_container: str = info.get("reports_container", "reports")
        self._blob_service: Any = None

    @classmethod
    def from_file(cls, path: Path) -> StackClient:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    # ---- Storage ----

    def blob_service(self) -> Any:
        if self._blob_service is None:
            from azure.storage.blob import BlobServiceClient

            self._blob_service = BlobServiceClient.from_connection_string(
                self.info["storage_connection_string"])
        return self._blob_service

    def upload(self, blob_name: str, data: bytes | Path, container: str | None = None) -> str:
        """Upload (overwrite) one blob; return its ETag."""
        client = self.blob_service().get_blob_client(container or self.datasets_container, blob_name)
        if isinstance(data, Path):
            with data.open("rb") as handle:
                result = client.upload_blob(handle, overwrite=True)
        else:
            result = client.upload_blob(data, overwrite=True)
        return str(result["etag"])

    def list_blobs(self, container: str, prefix: str = "") -> list[str]:
        return [b.name for b in self.blob_service().get_container_client(container).list_blobs(prefix)]

    def read_blob(self, container: str, name: str) -> bytes:
        return self.blob_service().get_blob_client(container, name).download_blob().readall()

    # ---- The app's HTTP API and the Durable HTTP API ----

    def _key_headers(self) -> dict[str, str]:
        return {"x-functions-key": self.function_key} if self.function_key else {}

    def call(
        self, method: str, path: str, body: Any = None, params: dict[str, str] | None = None
    ) -> Response:
        """Call the host at ``path`` (``/api/...``, ``/runtime/...``), with the key when keys are on."""
        url = self.base_url + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        return http_request(method, url, body, self._key_headers())

    def run_function(self, name: str, input_value: str = "") -> Response:
        """Run a non-HTTP function (a timer, a blob trigger) at once: the host's admin endpoint, 202 when
        accepted (docs/local-host.md). It takes the master key, not the function key."""
        headers = {"x-functions-key": self.master_key} if self.master_key else {}
        return http_request("POST", f"{self.base_url}/admin/functions/{urllib.parse.quote(name, safe='')}",
                            {"input": input_value}, headers)

    def durable_status(self, instance_id: str, show_history: bool = False) -> dict[str, Any] | None:
        """The Durable status of one instance, or None when the host does not know it (404)."""
        params = {"showHistory": "true"} if show_history else None
        answer = self.call("GET", f"{DURABLE_BASE}/instances/{urllib.parse.quote(instance_id, safe='')}",
                           params=params)
        if answer.status == 404:
            return None
        if answer.status not in (200, 202) or not isinstance(answer.body, dict):
            raise RuntimeError(f"status of {instance_id}: HTTP {answer.status} {answer.body!r}"[:500])
        return answer.body

    def durable_instances(self) -> list[dict[str, Any]]:
        """Every instance the host knows (the Durable list API)."""
        answer = self.call("GET", f"{DURABLE_BASE}/instances", params={"top": "1000"})
        if answer.status != 200 or not isinstance(answer.body, list):
            raise RuntimeError(f"instance list: HTTP {answer.status} {answer.body!r}"[:500])
        return answer.body

    # ---- The emulator (HTTPS with its own CA) ----

    def emulator_call(self, method: str, path: str, body: Any = None, bearer: str | None = None) -> Response:
        """Call the emulator at ``path`` (for example ``/_emulator/...`` or ``/openai/...``)."""
        context = ssl.create_default_context(cafile=self.emulator["ca_cert"])
        headers = (
            {"api-key": self.emulator["api_key"]} if bearer is None else {"Authorization": f"Bearer {bearer}"}
        )
        return http_request(method, str(self.emulator["endpoint"]).rstrip("/") + path, body, headers, context)

    def emulator_jobs(self) -> list[dict[str, Any]]:
        """Every fine-tuning job in the emulator (through the data plane, as a client sees them)."""
        jobs: list[dict[str, Any]] = []
        after = ""
        version = "2025-04-01-preview"
        while True:
            query = f"?api-version={version}&limit=100" + (f"&after={after}" if after else "")
            answer = self.emulator_call("GET", "/openai/fine_tuning/jobs" + query)
            if answer.status != 200:
                raise RuntimeError(f"emulator job list: HTTP {answer.status} {answer.body!r}"[:500])
            jobs.extend(answer.body["data"])
            if not answer.body.get("has_more") or not answer.body["data"]:
                return jobs
            after = answer.body["data"][-1]["id"]
