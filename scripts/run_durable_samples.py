"""Run the official samples-v2 apps of Azure/azure-functions-durable-python on the local host, unmodified.

Fetches nothing: give it a folder that holds the samples (a checkout's ``samples-v2``). Each sample
runs from a copy of its folder (the versioning sample's scenario rewrites host.json between two
host starts, as its README's redeployment does); the code files are never changed. Storage is a
real Azurite started here. Prints one line per sample and exits 1 if any failed.

    .venv/bin/python scripts/run_durable_samples.py /path/to/azure-functions-durable-python/samples-v2

docs/local-host.md ("The official samples") records which commit was checked and the result.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from local.azurite import Azurite, start_azurite
from tests.fixtures.host import HostProcess

SAMPLES = ("function_chaining", "fan_in_fan_out", "blueprint", "orchestration_versioning")
HELLOS = ["Hello Tokyo!", "Hello Seattle!", "Hello London!"]


def _http(method: str, url: str, body: Any = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"}
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            status, text = answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
    try:
        return status, json.loads(text) if text else None
    except ValueError:
        return status, text


def _wait(check_status: dict[str, Any], wanted: tuple[str, ...] = ("Completed", "Failed", "Terminated"),
          timeout: float = 60, custom_status: str | None = None) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        _, body = _http("GET", check_status["statusQueryGetUri"])
        if isinstance(body, dict) and body.get("runtimeStatus") in wanted and (
                custom_status is None or body.get("customStatus") == custom_status):
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"{check_status['id']} did not reach {wanted}: {body}")
        time.sleep(0.1)


def _start(host: HostProcess, path: str, body: Any = None) -> dict[str, Any]:
    status, payload = _http("POST", f"{host.base_url}/api/{path}", body)
    assert status == 202 and isinstance(payload, dict), (status, payload)
    return payload


def _expect(actual: Any, expected: Any, what: str) -> None:
    if actual != expected:
        raise AssertionError(f"{what}: expected {expected!r}, got {actual!r}")


def function_chaining(sample: Path, work: Path, azurite: Azurite) -> str:
    # As published, its host.json holds two JSON documents one after the other. The real host's
    # HostJsonFileConfigurationSource parses it with JObject.Parse, which refuses trailing content,
    # so neither host starts it: the local host must refuse it too.
    try:
        HostProcess(sample, work / "refused-state").start()
        raise AssertionError("the local host started on a host.json that is not one JSON document")
    except RuntimeError as refused:
        if "LOCALHOST_BAD_JSON" not in str(refused):
            raise
    app = work / "app"
    shutil.copytree(sample, app)
    first_document, _ = json.JSONDecoder().raw_decode((sample / "host.json").read_text())
    (app / "host.json").write_text(json.dumps(first_document))
    host = HostProcess(app, work / "state").start()
    try:
        body = _wait(_start(host, "orchestrators/my_orchestrator"))
        _expect(body["output"], HELLOS, "output")
    finally:
        host.stop()
    return "published host.json refused as by the real host; with its first JSON document: " + str(HELLOS)


def fan_in_fan_out(sample: Path, work: Path, azurite: Azurite) -> str:
    files = work / "site"
    sizes = {}
    for folder, name, text in (("E2_Copy", "__init__.py", "print('copy')\n"),
                               ("E2_List", "__init__.py", "print('list')\n"),
                               ("E2_List", "function.json", '{"bindings": []}\n')):
        (files / folder).mkdir(parents=True, exist_ok=True)
        (files / folder / name).write_text(text)
        sizes[f"{folder}_{name}"] = len(text.encode())
    app = work / "app"
    shutil.copytree(sample, app)
    host = HostProcess(app, work / "state", env={"AzureWebJobsStorage": azurite.connection_string}).start()
    try:
        body = _wait(_start(host, "orchestrators/E2_BackupSiteContent", str(files)))
        _expect(body["output"], sum(sizes.values()), "total bytes")
    finally:
        host.stop()
    from azure.storage.blob import BlobServiceClient

    with BlobServiceClient.from_connection_string(azurite.connection_string) as service:
        backups = {b.name: b.size for b in service.get_container_client("backups").list_blobs()}
    _expect(backups, sizes, "blobs in the backups container")
    return f"{len(sizes)} files, {sum(sizes.values())} bytes copied to Azurite's backups container"


def blueprint(sample: Path, work: Path, azurite: Azurite) -> str:
    app = work / "app"
    shutil.copytree(sample, app)
    host = HostProcess(app, work / "state").start()
    try:
        body = _wait(_start(host, "startOrchestrator"))
        _expect(body["output"], HELLOS, "output")
        status, text = _http("GET", f"{host.base_url}/api/HttpTrigger?name=Ada")
        _expect((status, text), (200, "Hello, Ada. This HTTP triggered function executed successfully."),
                "HttpTrigger")
    finally:
        host.stop()
    return f"blueprint orchestration {HELLOS}; HttpTrigger answers"


def _continue(check_status: dict[str, Any]) -> None:
    url = check_status["sendEventPostUri"].replace("{eventName}", "Continue")
    status, _ = _http("POST", url, "go")
    _expect(status, 202, "raise Continue")


def _versions(body: dict[str, Any]) -> list[str]:
    return body["output"]


def orchestration_versioning(sample: Path, work: Path, azurite: Azurite) -> str:
    """The README's scenario: start under defaultVersion 1.0, redeploy with 2.0, continue."""
    app = work / "app"
    shutil.copytree(sample, app)
    host = HostProcess(app, work / "state").start()
    try:
        done_in_one = _start(host, "orchestrators/my_orchestrator")
        waiting = _start(host, "orchestrators/my_orchestrator")
        for started in (done_in_one, waiting):
            _wait(started, ("Running",), custom_status="Waiting for Continue event...")
        _continue(done_in_one)
        _expect(_versions(_wait(done_in_one)), ["Orchestration version: 1.0",
                                                "Suborchestration version (explicit): 0.9",
                                                "Suborchestration version (default): 1.0", "Hello from A!"],
                "output under 1.0")
        newer = _start(host, "orchestrators/my_orchestrator?version=2.0")
        time.sleep(1.5)
        _expect(_wait(newer, ("Pending", "Running"))["runtimeStatus"], "Pending",
                "a 2.0 instance on a 1.0 worker (CurrentOrOlder, Reject)")
        old_origin = host.base_url
        host.stop()
        host_json = json.loads((app / "host.json").read_text())
        host_json["extensions"]["durableTask"]["defaultVersion"] = "2.0"
        (app / "host.json").write_text(json.dumps(host_json, indent=2))
        host.start()  # on a new free port: the management URLs handed out before move with it
        waiting, newer = ({k: v.replace(old_origin, host.base_url) for k, v in urls.items()}
                          for urls in (waiting, newer))
        _continue(waiting)
        _expect(_versions(_wait(waiting)), ["Orchestration version: 1.0",
                                            "Suborchestration version (explicit): 0.9",
                                            "Suborchestration version (default): 2.0", "Hello from A!"],
                "the README's output after the redeployment")
        _wait(newer, ("Running",), custom_status="Waiting for Continue event...")
        _continue(newer)
        _expect(_versions(_wait(newer))[3], "Hello from B!", "the 2.0 instance's code path")
    finally:
        host.stop()
    return "README scenario (1.0 instance continued after redeploying 2.0) and a 2.0 instance held, then run"


CHECKS: dict[str, Callable[[Path, Path, Azurite], str]] = {
    "function_chaining": function_chaining, "fan_in_fan_out": fan_in_fan_out, "blueprint": blueprint,
    "orchestration_versioning": orchestration_versioning,
}


def run_all(samples_dir: Path, work: Path) -> dict[str, tuple[bool, str]]:
    """Run every sample; {name: (passed, what was checked or why it failed)}."""
    results: dict[str, tuple[bool, str]] = {}
    azurite = start_azurite(work / "azurite")
    try:
        for name, check in CHECKS.items():
            folder = work / name
            folder.mkdir(parents=True, exist_ok=True)
            try:
                results[name] = (True, check(samples_dir / name, folder, azurite))
            except Exception as exc:  # report every sample, not only the first failure
                results[name] = (False, f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}")
    finally:
        azurite.stop()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("samples_dir", type=Path, help="the samples-v2 folder of a checkout")
    args = parser.parse_args()
    missing = [name for name in SAMPLES if not (args.samples_dir / name / "function_app.py").exists()]
    if missing:
        print(f"error: {args.samples_dir} has no {', '.join(missing)}; pass the samples-v2 folder of a "
              "checkout of Azure/azure-functions-durable-python.", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="durable-samples-") as work:
        results = run_all(args.samples_dir.resolve(), Path(work))
    for name, (passed, detail) in results.items():
        print(f"{'PASS' if passed else 'FAIL'} {name}: {detail}")
    return 0 if all(passed for passed, _ in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
