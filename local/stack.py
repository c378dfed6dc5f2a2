"""The local stack: Azurite + the Azure OpenAI emulator + the local Functions host, wired together.

``Stack(state_dir).start()`` starts the three as subprocesses on free ports, in
that order, and hands the host every setting the app needs to reach the other
two (storage connection string, endpoints, service-principal credentials, the
emulator's CA bundle, short orchestration timings). ``stop()`` ends them in
reverse order. ``up``, ``demo`` and the end-to-end tests all use this class;
``info()`` is the JSON that ``up --json`` prints and writes to
``<state_dir>/stack.json`` for ``drop`` and ``status``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

from local.azurite import REPO_ROOT, Azurite, AzuriteError, start_azurite
from local.processes import terminate

DEFAULT_STATE_ROOT = REPO_ROOT / ".state"
STACK_FILE_NAME = "stack.json"
EMULATOR_STARTUP_TIMEOUT_S = 60
HOST_STARTUP_TIMEOUT_S = 120
STOP_TIMEOUT_S = 15
# The host's own settings (docs/local-host.md): keys on, and a short blob poll interval.
HOST_KEY_ENV = "LOCAL_HOST_FUNCTION_KEY"
HOST_MASTER_KEY_ENV = "LOCAL_HOST_MASTER_KEY"
HOST_POLL_ENV = "LOCAL_HOST_BLOB_POLL_SECONDS"
BLOB_POLL_SECONDS = "0.5"

# Orchestration timings for one machine: the demo finishes in well under a minute.
LOCAL_TIMINGS: dict[str, str] = {
    "SETTLE_SECONDS": "2",
    "FILES_POLL_SECONDS": "1",
    "MONITOR_MIN_POLL_SECONDS": "1",
    "MONITOR_MAX_POLL_SECONDS": "2",
    "DEPLOY_POLL_SECONDS": "1",
}


# The app settings a run's checks read (shared/run_settings.py, shared/validation, shared/prices.py).
RUN_SETTING_NAMES = ("DATASETS_CONTAINER", "FINETUNE_DEFAULT_MODEL", "FINETUNE_DEFAULT_SKU",
                     "FINETUNE_DEFAULT_CAPACITY", "FINETUNE_MAX_COST_USD", "FINETUNE_PRICES_JSON",
                     "FINETUNE_MAX_FILE_BYTES", "APPROVAL_TIMEOUT_HOURS", "FINETUNE_DEFAULT_TRAINING_TYPE",
                     "FINETUNE_RFT_EXAMPLE_EPOCHS_PER_HOUR")


class StackError(RuntimeError):
    """A component of the local stack did not start (the message says which and why)."""


class _Component:
    """One subprocess of the stack whose first JSON line on stdout says it is ready."""

    def __init__(self, name: str, cmd: list[str], env: dict[str, str], log_path: Path) -> None:
        self.name = name
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log: IO[str] = open(log_path, "a", encoding="utf-8")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            cmd, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=self._log, text=True, start_new_session=True,
        )
        self.ready_line: dict[str, Any] | None = None
        self._ready = threading.Event()
        threading.Thread(target=self._read_stdout, name=f"{name}-stdout", daemon=True).start()

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if self.ready_line is None:
                with contextlib.suppress(ValueError):
                    parsed = json.loads(line)
                    if isinstance(parsed, dict):
                        self.ready_line = parsed
                        self._ready.set()
                        continue
            with contextlib.suppress(ValueError):  # the log was closed by stop()
                self._log.write(line)
                self._log.flush()
        self._ready.set()  # the process closed its stdout (it ended)

    def wait_ready(self, timeout: float) -> dict[str, Any]:
        self._ready.wait(timeout)
        if self.ready_line is None:
            code = self.process.poll()
            state = f"exited with code {code}" if code is not None else f"was not ready within {timeout:.0f}s"
            self.stop()
            raise StackError(f"{self.name} {state}. Last lines of {self.log_path}:\n{self.log_tail()}")
        return self.ready_line

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> None:
        terminate(self.process, timeout)
        self._log.close()


class Stack:
    """Azurite, the emulator and the local host on free ports, with the app's settings wired between them."""

    def __init__(
        self,
        state_dir: Path | str,
        app_dir: Path | str = REPO_ROOT,
        extra_settings: dict[str, str] | None = None,
        use_api_key: bool = False,
        function_keys: bool = True,
        emulator_timings: dict[str, float] | None = None,
    ) -> None:
        self.state_dir = Path(state_dir).resolve()
        self.app_dir = Path(app_dir).resolve()
        self.extra_settings = dict(extra_settings or {})
        self.use_api_key = use_api_key
        self.emulator_timings = dict(emulator_timings or {})  # e.g. {"job_duration_seconds": 1}
        # Function-level auth as in Azure: one random key per stack (never on a command line).
        self.function_key: str | None = secrets.token_urlsafe(24) if function_keys else None
        # The master key runs non-HTTP functions through POST /admin/functions/{name} (docs/local-host.md).
        self.master_key: str | None = secrets.token_urlsafe(32) if function_keys else None
        self.azurite: Azurite | None = None
        self.emulator: dict[str, Any] = {}
        self.host: dict[str, Any] = {}
        self.app_settings: dict[str, str] = {}
        self._emulator_proc: _Component | None = None
        self._host_proc: _Component | None = None

    # ---- Start and stop ----

    def start(self) -> Stack:
        """Start the three components in order; on any failure stop what started and raise StackError."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        try:
            try:
                self.azurite = start_azurite(self.state_dir / "azurite")
            except AzuriteError as exc:
                raise StackError(str(exc)) from None
            self._create_containers()
            self._emulator_proc = _Component(
                "emulator",
                [sys.executable, "-m", "local", "emulator", "--port", "0",
                 "--state-dir", str(self.state_dir / "emulator"), *self._timing_flags()],
                self._tool_env(), self.logs_dir / "emulator.log",
            )
            self.emulator = self._emulator_proc.wait_ready(EMULATOR_STARTUP_TIMEOUT_S)
            self.app_settings = self._wire_settings()
            self._host_proc = _Component(
                "host",
                [sys.executable, "-m", "local", "host", "--app-dir", str(self.app_dir), "--port", "0",
                 "--state-dir", str(self.state_dir / "host"), "--json"],
                {**self._tool_env(), **self._host_env(), **self.app_settings}, self.logs_dir / "host.log",
            )
            self.host = self._host_proc.wait_ready(HOST_STARTUP_TIMEOUT_S)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the host, then the emulator, then Azurite; safe to call twice."""
        for component in (self._host_proc, self._emulator_proc):
            if component is not None:
                component.stop()
        if self.azurite is not None:
            self.azurite.stop()
        with contextlib.suppress(OSError, ValueError, KeyError):
            if json.loads(self.stack_file.read_text(encoding="utf-8"))["pids"]["stack"] == os.getpid():
                self.stack_file.unlink()  # only our own: another stack may use the state dir now

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- Wiring ----

    def _tool_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PYTHONUNBUFFERED"] = "1"
        return env

    def _timing_flags(self) -> list[str]:
        flags = []
        for name, value in self.emulator_timings.items():
            flags += ["--" + name.replace("_", "-"), str(value)]
        return flags

    def _host_env(self) -> dict[str, str]:
        env = {HOST_POLL_ENV: BLOB_POLL_SECONDS, HOST_KEY_ENV: self.function_key or "",
               HOST_MASTER_KEY_ENV: self.master_key or ""}
        return env

    def _create_containers(self) -> None:
        from azure.core.exceptions import ResourceExistsError
        from azure.storage.blob import BlobServiceClient

        # closed at once: Azurite waits for open keep-alive connections before it exits
        with BlobServiceClient.from_connection_string(self.connection_string) as service:
            for name in (self.datasets_container, self.reports_container):
                with contextlib.suppress(ResourceExistsError):
                    service.create_container(name)

    def _wire_settings(self) -> dict[str, str]:
        """The app's settings (environment of the host: it wins over local.settings.json)."""
        emu = self.emulator
        settings = {
            "AzureWebJobsStorage": self.connection_string,
            "AzureWebJobsStorage__blobServiceUri": "",
            "DATASETS_CONTAINER": self.datasets_container,
            "REPORTS_CONTAINER": self.reports_container,
            "AZURE_OPENAI_ENDPOINT": emu["endpoint"],
            "AZURE_OPENAI_API_KEY": emu["api_key"] if self.use_api_key else "",
            "AZURE_SUBSCRIPTION_ID": emu["subscription_id"],
            "AZURE_RESOURCE_GROUP": emu["resource_group"],
            "AZURE_OPENAI_ACCOUNT_NAME": emu["account"],
            "ARM_ENDPOINT": emu["arm_endpoint"],
            "AZURE_TENANT_ID": emu["tenant_id"],
            "AZURE_CLIENT_ID": emu["client_id"],
            "AZURE_CLIENT_SECRET": emu["client_secret"],
            "AZURE_AUTHORITY_HOST": emu["authority"],
            "AZURE_DISABLE_INSTANCE_DISCOVERY": "true",
            "SSL_CERT_FILE": emu["ca_cert"],
            "REQUESTS_CA_BUNDLE": emu["ca_cert"],
            **LOCAL_TIMINGS,
        }
        settings.update(self.extra_settings)
        return settings

    # ---- What clients need ----

    @property
    def logs_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def stack_file(self) -> Path:
        return self.state_dir / STACK_FILE_NAME

    @property
    def datasets_container(self) -> str:
        return self.extra_settings.get("DATASETS_CONTAINER", "datasets")

    @property
    def reports_container(self) -> str:
        return self.extra_settings.get("REPORTS_CONTAINER", "reports")

    @property
    def connection_string(self) -> str:
        if self.azurite is None:
            raise StackError("the stack is not started")
        return self.azurite.connection_string

    @property
    def base_url(self) -> str:
        return str(self.host["base_url"]).rstrip("/")

    @property
    def runs_page_url(self) -> str:
        """The runs page (GET /api/ui), with the function key the page takes from ``?code=``."""
        return f"{self.base_url}/api/ui" + (f"?code={self.function_key}" if self.function_key else "")

    def pids(self) -> dict[str, int | None]:
        def pid(component: _Component | None) -> int | None:
            return component.process.pid if component is not None else None

        return {
            "stack": os.getpid(),
            "azurite": self.azurite.process.pid if self.azurite else None,
            "emulator": pid(self._emulator_proc),
            "host": pid(self._host_proc),
        }

    def info(self) -> dict[str, Any]:
        """Everything a script needs to use the running stack (the line ``up --json`` prints)."""
        return {
            "base_url": self.base_url,
            "function_key": self.function_key,
            "master_key": self.master_key,
            "runs_page": self.runs_page_url,
            "storage_connection_string": self.connection_string,
            "datasets_container": self.datasets_container,
            "reports_container": self.reports_container,
            "emulator": self.emulator,
            "host": self.host,
            "pids": self.pids(),
            "state_dir": str(self.state_dir),
            "logs_dir": str(self.logs_dir),
            "run_settings": self.run_settings(),
        }

    def run_settings(self) -> dict[str, str]:
        """The host's settings that shape a run's checks (defaults, cap, prices): ``drop`` checks with them.

        None is a secret; they are what the host's environment holds, so the checks before an
        upload see the same defaults and prices as the pipeline after it.
        """
        environment = {**os.environ, **self.app_settings}
        return {name: environment[name] for name in RUN_SETTING_NAMES if environment.get(name)}

    def write_stack_file(self) -> Path:
        """Write ``info()`` to ``<state_dir>/stack.json`` (readable by the owner only) for drop/status."""
        fd = os.open(self.stack_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(self.info(), handle, indent=2)
        return self.stack_file

    def check_alive(self) -> str | None:
        """The name of a component that has died since start, or None when all run."""
        if self.azurite is not None and self.azurite.process.poll() is not None:
            return "azurite"
        for component in (self._emulator_proc, self._host_proc):
            if component is not None and component.process.poll() is not None:
                return component.name
        return None

    def log_tail(self, name: str, lines: int = 15) -> str:
        component = {"emulator": self._emulator_proc, "host": self._host_proc}.get(name)
        return component.log_tail(lines) if component else ""

