"""The Durable HTTP API's answers to bad input (400, never 500), paging that ends, purge by filter,
rewind and restart status codes, and the real host's 401s."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fixtures.host import HostProcess
from tests.integration.host.helpers import WEBHOOKS, call, start, wait_for

pytestmark = pytest.mark.integration
APP = Path(__file__).parent / "apps" / "durable"
KEY, MASTER = "function-key-123", "master-key-456"


def _api(host: HostProcess) -> str:
    return f"{host.base_url}{WEBHOOKS}"


@pytest.mark.parametrize("query", [
    "top=x", "top=0.5", "top=9223372036854775807", "top=0", "top=-3", "top=1001",
    "createdTimeFrom=x", "createdTimeTo=0", "runtimeStatus=Compleetd", "runtimeStatus=Running,Nope",
    "showInput=yes",
])
def test_bad_list_queries_are_400_with_the_reason(host: HostProcess, query: str) -> None:
    reply = call("GET", f"{_api(host)}/instances?{query}")
    name = query.split("=")[0]
    assert reply.status == 400, reply.text
    assert reply.json()["Message"].startswith(f"LOCALHOST_BAD_QUERY: '{name}' must be")


@pytest.mark.parametrize("token", ["not-base64!", "eyJhIjoxfQ==", "LTU="])
def test_a_malformed_continuation_token_is_400(host: HostProcess, token: str) -> None:
    reply = call("GET", f"{_api(host)}/instances", headers={"x-ms-continuation-token": token})
    assert reply.status == 400 and "x-ms-continuation-token" in reply.json()["Message"]


def test_pages_follow_tokens_to_an_end(host: HostProcess) -> None:
    ids = [start(host.base_url, "sequence", ["T"], instance_id=f"paged-{n}") for n in range(5)]
    for instance_id in ids:
        wait_for(host.base_url, instance_id)
    seen, token, pages = [], None, 0
    while True:
        headers = {"x-ms-continuation-token": token} if token else {}
        reply = call("GET", f"{_api(host)}/instances?instanceIdPrefix=paged-&top=2", headers=headers)
        assert reply.status == 200
        seen += [i["instanceId"] for i in reply.json()]
        pages += 1
        token = reply.headers.get("x-ms-continuation-token")
        if token is None:
            break
        assert pages < 5, "the continuation tokens do not come to an end"
    assert sorted(seen) == ids and pages == 3
    statuses = call("GET", f"{_api(host)}/instances?instanceIdPrefix=paged-&runtimeStatus=Completed&"
                           "runtimeStatus=Failed&showInput=false").json()
    assert len(statuses) == 5 and all(s["input"] is None for s in statuses)


@pytest.mark.parametrize("query", ["showHistory=1", "showHistoryOutput=maybe", "showInput=no",
                                   "returnInternalServerErrorOnFailure=yes"])
def test_bad_status_flags_are_400(host: HostProcess, query: str) -> None:
    instance_id = start(host.base_url, "sequence", ["F"])
    wait_for(host.base_url, instance_id)
    reply = call("GET", f"{_api(host)}/instances/{instance_id}?{query}")
    assert reply.status == 400 and "must be true or false" in reply.json()["Message"]


def test_show_history_and_show_input_shape_the_status(host: HostProcess) -> None:
    instance_id = wait_for(host.base_url, start(host.base_url, "sequence", ["H"]))["instanceId"]
    full = call("GET", f"{_api(host)}/instances/{instance_id}?showHistory=TRUE&showHistoryOutput=true").json()
    done = full["historyEvents"][-1]
    assert done["OrchestrationStatus"] == "Completed" and done["Result"] == ["Hello H!"]
    bare = call("GET", f"{_api(host)}/instances/{instance_id}?showHistory=true&showInput=false").json()
    assert bare["input"] is None and not any("Input" in e or "Result" in e for e in bare["historyEvents"])
    assert "historyEvents" not in call("GET", f"{_api(host)}/instances/{instance_id}").json()


def test_purge_by_filter_needs_created_time_from(host: HostProcess) -> None:
    for query in ("", "?runtimeStatus=Completed", "?createdTimeFrom=x"):
        reply = call("DELETE", f"{_api(host)}/instances{query}")
        assert (reply.status, reply.json()) == (400, "Please provide value for 'createdTimeFrom' parameter.")
    prefix = call("DELETE", f"{_api(host)}/instances?createdTimeFrom=2000-01-01T00:00:00Z&instanceIdPrefix=x")
    assert prefix.status == 400 and "ignores instanceIdPrefix" in prefix.json()["Message"]
    bad_status = call("DELETE", f"{_api(host)}/instances?createdTimeFrom=2000-01-01&runtimeStatus=Done")
    assert bad_status.status == 400 and "'runtimeStatus' must be" in bad_status.json()["Message"]


def test_start_checks_instance_ids_body_and_durations(host: HostProcess) -> None:
    for instance_id, problem in (("%40at", "must not start with @"), ("a%23b", "must not contain"),
                                 ("x" * 257, "must not exceed 256")):
        reply = call("POST", f"{_api(host)}/orchestrators/sequence/{instance_id}")
        assert reply.status == 400 and problem in reply.json()["ExceptionMessage"], instance_id
    bad_json = call("POST", f"{_api(host)}/orchestrators/sequence", raw=b"{not json")
    assert bad_json.status == 400 and bad_json.json()["Message"] == "Invalid JSON content"
    for query in ("timeout=x&pollingInterval=1", "timeout=5&pollingInterval=-1"):
        reply = call("POST", f"{_api(host)}/orchestrators/sequence?{query}", json.dumps(["D"]))
        assert reply.status == 400 and "must be a number of seconds" in reply.json()["Message"], query


def test_rewind_and_restart_status_codes(host: HostProcess) -> None:
    assert call("POST", f"{_api(host)}/instances/nope/rewind?reason=x").status == 404
    done = wait_for(host.base_url, start(host.base_url, "sequence", ["Z"]))["instanceId"]
    assert call("POST", f"{_api(host)}/instances/{done}/rewind").status == 410
    waiting = start(host.base_url, "waiter")
    wait_for(host.base_url, waiting, ("Running",))
    running = call("POST", f"{_api(host)}/instances/{waiting}/rewind")
    assert running.status == 500 and running.json()["ExceptionType"] == "System.InvalidOperationException"
    call("POST", f"{_api(host)}/instances/{waiting}/terminate?reason=done")
    unknown = call("POST", f"{_api(host)}/instances/nope/restart")
    assert unknown.status == 400
    assert unknown.json()["Message"] == "InstanceId does not match a valid orchestration instance."
    bad_flag = call("POST", f"{_api(host)}/instances/{done}/restart?restartWithNewInstanceId=maybe")
    assert bad_flag.status == 400
    failed = wait_for(host.base_url, start(host.base_url, "rewindable", "hook-rw"))["instanceId"]
    assert call("POST", f"{_api(host)}/instances/{failed}/Rewind?reason=retry").status == 202
    assert wait_for(host.base_url, failed, ("Completed",))["output"][1] == "hook-rw worked on try 2"


def test_401s_are_empty_and_challenge_where_the_real_host_does(local_host_factory, tmp_path: Path) -> None:
    host = local_host_factory(APP, env={"RUNS_FILE": str(tmp_path / "runs.jsonl"),
                                        "LOCAL_HOST_MASTER_KEY": MASTER}, args=("--function-key", KEY))
    function = call("GET", f"{host.base_url}/api/items/1?code=wrong")
    assert (function.status, function.text) == (401, "")
    assert "WWW-Authenticate" not in function.headers and function.headers["Content-Length"] == "0"
    assert "Content-Type" not in function.headers
    webhook = call("GET", f"{_api(host)}/instances")
    assert (webhook.status, webhook.text, webhook.headers["WWW-Authenticate"]) == (401, "", "Bearer")
    admin = call("POST", f"{host.base_url}/admin/functions/say_hello", {"input": "x"},
                 {"x-functions-key": KEY})
    assert (admin.status, admin.headers["WWW-Authenticate"]) == (401, "Bearer")  # a function key is not admin
    # The header wins over code= even when it is wrong; the master key opens everything.
    wrong_header = {"x-functions-key": "bad"}
    assert call("GET", f"{host.base_url}/api/items/1?code={KEY}", headers=wrong_header).status == 401
    assert call("GET", f"{host.base_url}/api/items/1", headers={"x-functions-key": MASTER}).text == "item 1"
    assert call("GET", f"{_api(host)}/instances?code={MASTER}").status == 200
    assert call("GET", f"{_api(host)}/instances?code={KEY}").status == 200
    assert MASTER not in host.log_text() and KEY not in host.log_text()
