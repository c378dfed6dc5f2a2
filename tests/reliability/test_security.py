"""Security: keys on the HTTP surface, token checks in the emulator, no secret anywhere, no chosen ids.

- With a function key configured (the stack's default), every HTTP function and the
  Durable webhook API answer 401 without the key or with a wrong one.
- The emulator refuses a wrong API key, a token signed by anyone else, an unsigned
  token, a token for another audience and an expired token, on the data plane and ARM.
- After real runs (one completed, one failed at the service), the actual secret values
  (function key, API key, client secret, storage account key, every bearer token) appear
  in no log (host and emulator stderr), no Durable status (input, custom status, output,
  history) and no report blob.
- A caller cannot choose an instance id: ids come from the dataset, a second start of the
  same file version joins or refuses the existing run, and two run folders whose names
  look alike get distinct ids, files and report folders.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
import urllib.parse

import jwt
import pytest

from local.stack_client import DURABLE_BASE, StackClient, http_request
from tests.e2e.steps import assert_deployed_and_answered, drop, finished, started_run, unique_run
from tests.reliability.datasets import SAMPLE, chat_dataset
from tests.reliability.harness import CrashableStack
from tests.reliability.steps import control, emulator_state, files_of, jobs_of

pytestmark = pytest.mark.reliability
API = "?api-version=2025-04-01-preview"
JWT_SHAPE = re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*")


# ---- Keys on the HTTP surface ----

def test_every_http_function_and_the_durable_api_answer_401_without_the_key(rel_client: StackClient) -> None:
    fake_id = "ft-someone-0123456789abcdef"
    routes = [("POST", "/api/finetune"), ("GET", "/api/finetune"), ("GET", f"/api/finetune/{fake_id}"),
              ("POST", f"/api/finetune/{fake_id}/approve"), ("POST", f"/api/finetune/{fake_id}/cancel"),
              ("GET", f"{DURABLE_BASE}/instances"), ("GET", f"{DURABLE_BASE}/instances/{fake_id}"),
              ("POST", f"{DURABLE_BASE}/orchestrators/finetune_orchestrator/{fake_id}")]
    wrong = {"x-functions-key": secrets.token_urlsafe(24)}
    for method, path in routes:
        url = rel_client.base_url + path
        body = {"training_file": "datasets/x/train.jsonl"} if method == "POST" else None
        assert http_request(method, url, body).status == 401, (method, path)
        assert http_request(method, url, body, wrong).status == 401, (method, path, "wrong key")
        assert http_request(method, url + "?code=not-the-key", body).status == 401, (method, path)
    with_key = rel_client.call("GET", "/api/finetune")
    assert with_key.status == 200, with_key.body


# ---- The emulator refuses what it did not issue ----

def _foreign_token(client: StackClient, audience: str) -> str:
    now = int(time.time())
    claims = {"aud": audience, "iss": f"https://sts.windows.net/{client.emulator['tenant_id']}/", "iat": now,
              "nbf": now - 60, "exp": now + 3600, "tid": client.emulator["tenant_id"],
              "appid": client.emulator["client_id"]}
    return jwt.encode(claims, secrets.token_bytes(32), algorithm="HS256", headers={"kid": "aoai-emulator"})


def _unsigned_token(client: StackClient, audience: str) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    now = int(time.time())
    claims = {"aud": audience, "iss": f"https://sts.windows.net/{client.emulator['tenant_id']}/",
              "exp": now + 3600, "tid": client.emulator["tenant_id"]}
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def test_the_emulator_refuses_wrong_keys_and_foreign_unsigned_misdirected_or_expired_tokens(
        rel_client: StackClient) -> None:
    data_plane, emu = f"/openai/files{API}", rel_client.emulator
    arm = (f"/subscriptions/{emu['subscription_id']}/resourceGroups/{emu['resource_group']}/providers/"
           f"Microsoft.CognitiveServices/accounts/{emu['account']}/deployments?api-version=2024-10-01")
    cognitive, management = "https://cognitiveservices.azure.com", "https://management.azure.com"

    def token(audience: str, expires_in: int = 3600) -> str:
        return control(rel_client, "POST", "tokens", {"audience": audience, "expires_in": expires_in})[
            "access_token"]

    assert rel_client.emulator_call("GET", data_plane).status == 200  # the right key works
    assert rel_client.emulator_call("GET", data_plane, bearer=token("cognitiveservices")).status == 200
    assert rel_client.emulator_call("GET", arm, bearer=token("management")).status == 200
    wrong_key = http_request("GET", emu["endpoint"] + data_plane, headers={"api-key": secrets.token_hex(16)},
                             context=_tls(rel_client))
    assert wrong_key.status == 401, wrong_key.body
    refused = {
        "foreign": (_foreign_token(rel_client, cognitive), _foreign_token(rel_client, management)),
        "unsigned": (_unsigned_token(rel_client, cognitive), _unsigned_token(rel_client, management)),
        "other audience": (token("management"), token("cognitiveservices")),
        "expired": (token("cognitiveservices", -60), token("management", -60)),
    }
    for label, (for_data_plane, for_arm) in refused.items():
        answer = rel_client.emulator_call("GET", data_plane, bearer=for_data_plane)
        assert answer.status == 401, (label, answer.body)
        answer = rel_client.emulator_call("GET", arm, bearer=for_arm)
        assert answer.status == 401, (label, answer.body)
    assert rel_client.emulator_call("GET", arm, bearer=token("management", -60)).body["error"]["code"] == \
        "ExpiredAuthenticationToken"
    form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": emu["client_id"],
                                   "client_secret": "not-the-secret",
                                   "scope": "https://cognitiveservices.azure.com/.default"}).encode()
    answer = http_request("POST", f"{emu['authority']}/{emu['tenant_id']}/oauth2/v2.0/token", form,
                          {"Content-Type": "application/x-www-form-urlencoded"}, _tls(rel_client))
    assert answer.status == 401 and answer.body["error"] == "invalid_client", answer.body


def _tls(client: StackClient):
    import ssl

    return ssl.create_default_context(cafile=client.emulator["ca_cert"])


# ---- No secret in logs, statuses or reports ----

def _secret_values(stack: CrashableStack) -> dict[str, str]:
    emu = stack.emulator
    account_key = re.search(r"AccountKey=([^;]+)", stack.connection_string)
    values = {"function key": stack.function_key or "", "master key": stack.master_key or "",
              "emulator API key": emu["api_key"],
              "client secret": emu["client_secret"],
              "storage account key": account_key.group(1) if account_key else ""}
    return {label: value for label, value in values.items() if value}


def _everything_a_user_or_operator_sees(client: StackClient, stack: CrashableStack) -> dict[str, str]:
    seen = {f"log:{name}": text for name, text in stack.log_texts().items()}
    for status in client.durable_instances():
        full = client.durable_status(status["instanceId"], show_history=True)
        history = client.call("GET", f"{DURABLE_BASE}/instances/{urllib.parse.quote(status['instanceId'])}",
                              params={"showHistory": "true", "showHistoryOutput": "true"}).body
        seen[f"status:{status['instanceId']}"] = json.dumps([full, history])
    for name in client.list_blobs(client.reports_container):
        seen[f"report:{name}"] = client.read_blob(client.reports_container, name).decode("utf-8", "replace")
    runs = client.call("GET", "/api/finetune", params={"top": "100"}).body
    seen["api:list"] = json.dumps(runs)
    for row in runs["runs"]:
        seen[f"api:{row['id']}"] = json.dumps(client.call("GET", f"/api/finetune/{row['id']}").body)
        for view in ("metrics", "reports"):   # what the runs page reads besides the summary
            answer = client.call("GET", f"/api/finetune/{row['id']}/{view}")
            seen[f"api:{row['id']}:{view}"] = json.dumps(answer.body)
    seen["page"] = client.call("GET", "/api/ui").body
    return seen


def test_no_key_token_or_secret_appears_in_logs_statuses_or_reports(rel_stack: CrashableStack,
                                                                    rel_client: StackClient) -> None:
    run = unique_run("secrets")
    etags = drop(rel_client, run, {"training.jsonl": SAMPLE / "training.jsonl"})
    completed = finished(rel_client, started_run(rel_client, run, "training.jsonl", etags["training.jsonl"]))
    assert_deployed_and_answered(rel_client, completed)
    control(rel_client, "POST", "faults/jobs", {"count": 1, "message": "injected failure"})
    failed_run = unique_run("secrets-failed")
    etags = drop(rel_client, failed_run, {"training.jsonl": SAMPLE / "training.jsonl"})
    failed_id = started_run(rel_client, failed_run, "training.jsonl", etags["training.jsonl"])
    failed = finished(rel_client, failed_id)
    assert failed["runtimeStatus"] == "Failed"
    secrets_by_label = _secret_values(rel_stack)
    assert len(secrets_by_label) == 5
    seen = _everything_a_user_or_operator_sees(rel_client, rel_stack)
    assert len(seen["log:host"]) > 1000 and any(key.startswith("report:") for key in seen)
    for where, text in seen.items():
        for label, value in secrets_by_label.items():
            assert value not in text, f"the {label} appears in {where}"
        assert not JWT_SHAPE.search(text), f"a bearer token appears in {where}"


# ---- Instance ids are derived, never chosen ----

def test_a_caller_cannot_choose_or_collide_with_another_runs_instance(rel_client: StackClient) -> None:
    chosen = rel_client.call("POST", "/api/finetune", {"training_file": "datasets/x/train.jsonl",
                                                       "instance_id": "ft-victim-0123456789abcdef"})
    assert chosen.status == 400 and chosen.body["error"]["field"] == "instance_id"
    for odd in ("victim", "ft-victim-0123456789abcdef:monitor", "..%2F..%2Fsecrets"):
        assert rel_client.call("GET", f"/api/finetune/{odd}").status in (400, 404)
    # two folders whose names reduce to the same slug, holding the same bytes
    suffix = unique_run("")
    first_run, second_run = f"Look Alike{suffix}", f"look-alike{suffix}"
    body = chat_dataset(12)
    ids = {}
    for run in (first_run, second_run):
        drop(rel_client, run, {"examples.jsonl": body})
        answer = rel_client.call("POST", "/api/finetune", {
            "training_file": f"datasets/{run}/examples.jsonl",
            "settings": {"suffix": run[:4].replace(" ", "_"), "deployment": {"enabled": False}}})
        assert answer.status == 202, answer.body
        ids[run] = answer.body["id"]
    assert ids[first_run] != ids[second_run]
    # starting the same file version again joins (or refuses) the run: its settings cannot be swapped
    again = rel_client.call("POST", "/api/finetune", {"training_file": f"datasets/{first_run}/examples.jsonl",
                                                      "settings": {"suffix": "hijack"}})
    assert (again.status, again.body.get("id")) == (202, ids[first_run]) or \
        (again.status, again.body["error"]["code"]) == (409, "run_exists"), again.body
    finals = {run: finished(rel_client, instance) for run, instance in ids.items()}
    state = emulator_state(rel_client)
    for run, status in finals.items():
        assert status["runtimeStatus"] == "Completed", status
        (job,) = jobs_of(state, ids[run])
        assert job["suffix"] == run[:4].replace(" ", "_")  # its own settings, not the hijacker's
        own_files = {f["id"] for f in files_of(state, run, ids[run])}
        assert set(status["output"]["files"].values()) == own_files
        assert status["output"]["report"]["summary"].startswith(f"reports/{run}/{ids[run]}/")
    assert not set(finals[first_run]["output"]["files"].values()) & set(finals[second_run]["output"]["files"]
                                                                        .values())
