"""Fixtures of the schema tier: the contract, one emulator, real clients whose responses are recorded.

Without ../shared/reference/azure-specs the tier cannot check anything: it skips with the reason on
a developer's machine and fails under CI (CI=true), where the folder is always beside the clone.
After each test every recorded response is validated (tests/schema/contract.py); a problem no
documented difference explains fails the test.
"""

from __future__ import annotations

import http.server
import os
import ssl
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.fixtures.emulator import EmulatorHandle, running_emulator
from tests.schema.contract import SPECS, Contract, spec_available

SAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "samples", "azure-faq", "training.jsonl")


@pytest.fixture(scope="session")
def contract() -> Contract:
    if not spec_available():
        reason = f"the published contracts are not beside the repository ({SPECS} is missing)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"schema tier: {reason}; CI must run with /work/shared beside the clone")
        pytest.skip(f"schema tier: {reason}")
    return Contract()


@pytest.fixture(autouse=True)
def verified(contract: Contract) -> Iterator[None]:
    """After the test: every response the clients received matches its contract."""
    yield
    problems = contract.verify()
    assert not problems, "responses that differ from the published contract:\n" + "\n".join(problems)


@pytest.fixture(scope="session")
def schema_emulator() -> Iterator[EmulatorHandle]:
    with running_emulator() as handle:
        yield handle


class Clients:
    """The real clients, each recording every response it receives into the contract."""

    def __init__(self, emulator: EmulatorHandle, contract: Contract) -> None:
        self.emulator = emulator
        self.info = emulator.info
        self.contract = contract
        self.ssl_context = ssl.create_default_context(cafile=self.info["ca_cert"])

    def _httpx_hook(self, response: Any) -> None:
        response.read()
        request = response.request
        self.contract.record(
            request.method, str(request.url), response.status_code, response.headers, response.content
        )

    def _azure_hook(self, pipeline_response: Any) -> None:
        http = pipeline_response.http_response

        def body() -> bytes:
            try:
                return http.body()
            except Exception:  # a streamed answer nobody read (a poll the client discarded)
                return http.read()

        self.contract.record(http.request.method, http.request.url, http.status_code, http.headers, body)

    def _http_client(self) -> Any:
        import openai

        return openai.DefaultHttpxClient(
            verify=self.ssl_context, event_hooks={"response": [self._httpx_hook]}
        )

    def aoai(self, api_version: str, **kwargs: Any) -> Any:
        import openai

        kwargs.setdefault("api_key", self.info["api_key"])
        return openai.AzureOpenAI(
            azure_endpoint=self.info["endpoint"],
            api_version=api_version,
            max_retries=0,
            http_client=self._http_client(),
            **kwargs,
        )

    def v1(self) -> Any:
        import openai

        return openai.OpenAI(
            base_url=self.info["endpoint"] + "/openai/v1/",
            api_key=self.info["api_key"],
            max_retries=0,
            http_client=self._http_client(),
        )

    def credential(self, **overrides: Any) -> Any:
        return self.emulator.credential(raw_response_hook=self._azure_hook, **overrides)

    def mgmt(self) -> Any:
        return self.emulator.mgmt_client(self.credential(), raw_response_hook=self._azure_hook)


@pytest.fixture
def clients(schema_emulator: EmulatorHandle, contract: Contract) -> Clients:
    schema_emulator.reset()
    return Clients(schema_emulator, contract)


@pytest.fixture(scope="session")
def sample_training() -> bytes:
    with open(SAMPLE, "rb") as stream:
        return stream.read()


@pytest.fixture(scope="session")
def content_server(sample_training: bytes) -> Iterator[Callable[[str], str]]:
    """A plain HTTP server on 127.0.0.1 serving the sample at /<name> (what /files/import fetches)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/missing.jsonl":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(sample_training)))
            self.end_headers()
            self.wfile.write(sample_training)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield lambda name: f"http://127.0.0.1:{server.server_address[1]}/{name}"
    finally:
        server.shutdown()
        server.server_close()
