"""Durable patterns through the local host with the real DurableOrchestrationClient and SDK replay."""

from __future__ import annotations

import json

import pytest

from tests.fixtures.host import HostProcess
from tests.integration.host.helpers import (
    WEBHOOKS,
    activity_runs,
    call,
    client_op,
    start,
    status,
    utc_now_text,
    wait_for,
)

pytestmark = pytest.mark.integration


def _event_types(body: dict) -> list[str]:
    return [e["EventType"] for e in body["historyEvents"]]


def test_sequence_returns_202_while_running_then_200_with_output(host: HostProcess) -> None:
    reply = call("POST", f"{host.base_url}/api/start/sequence", ["Tokyo", "Seattle"])
    assert reply.status == 202
    payload = reply.json()
    assert reply.headers["Location"] == payload["statusQueryGetUri"]
    assert set(payload) >= {"id", "statusQueryGetUri", "sendEventPostUri", "terminatePostUri",
                            "rewindPostUri", "purgeHistoryDeleteUri", "suspendPostUri", "resumePostUri"}
    body = wait_for(host.base_url, payload["id"])
    assert body["runtimeStatus"] == "Completed"
    assert body["output"] == ["Hello Tokyo!", "Hello Seattle!"]
    assert json.loads(body["input"]) == ["Tokyo", "Seattle"]  # a JSON string holding JSON text
    assert status(host.base_url, payload["id"]).status == 200
    completed = [e for e in body["historyEvents"] if e["EventType"] == "TaskCompleted"]
    assert [e["FunctionName"] for e in completed] == ["say_hello", "say_hello"]
    assert completed[0]["Result"] == "Hello Tokyo!"  # a JSON value, parsed as the extension does


def test_unknown_instance_is_404_with_empty_body(host: HostProcess) -> None:
    reply = status(host.base_url, "no-such-instance")
    assert (reply.status, reply.text) == (404, "")
    assert client_op(host.base_url, "status", "no-such-instance").json() is None


def test_fan_out_fan_in_and_wait_for_completion(host: HostProcess) -> None:
    reply = call("POST", f"{host.base_url}/api/run/fan_out", 10)
    assert reply.status == 200
    assert json.loads(reply.text) == sum(n * n for n in range(10))


def test_retry_schedules_host_timers_with_the_real_numbering(host: HostProcess) -> None:
    succeed_on = len(activity_runs(host, "flaky")) + 3
    body = wait_for(host.base_url, start(host.base_url, "retry", succeed_on))
    assert body["runtimeStatus"] == "Completed", body["output"]
    assert body["output"] == f"succeeded on attempt {succeed_on}"
    raw = client_op(host.base_url, "status", body["instanceId"]).json()["historyEvents"]
    kinds = [e["EventType"] for e in raw if e["EventType"] not in ("ExecutionStarted", "ExecutionCompleted")]
    assert kinds == ["TaskFailed", "TimerCreated", "TimerFired", "TaskFailed", "TimerCreated", "TimerFired",
                     "TaskCompleted"]


def test_retry_exhausted_fails_with_the_activity_message(host: HostProcess) -> None:
    body = wait_for(host.base_url, start(host.base_url, "retry", 10_000))
    assert body["runtimeStatus"] == "Failed"
    assert "Orchestrator function 'retry' failed" in body["output"]
    assert "Activity function 'flaky' failed: RuntimeError" in body["output"]
    assert _event_types(body).count("TaskFailed") == 3


def test_timer_never_fires_early(host: HostProcess) -> None:
    body = wait_for(host.base_url, start(host.base_url, "timer", 1))
    assert body["output"] == {"early": False}
    created = next(e for e in body["historyEvents"] if e["EventType"] == "TimerCreated")
    fired = next(e for e in body["historyEvents"] if e["EventType"] == "TimerFired")
    assert created["FireAt"] == fired["FireAt"]


def test_human_interaction_event_wins_over_timeout(host: HostProcess) -> None:
    instance_id = start(host.base_url, "approval", 30)
    wait_for(host.base_url, instance_id, ("Running",))
    client_op(host.base_url, "raise", instance_id, {"ok": True}, "event=Approval")
    body = wait_for(host.base_url, instance_id)
    # The Python client double-encodes raised events: the orchestrator receives JSON text (contract §4).
    assert body["output"] == {"approved": '{"ok": true}'}


def test_human_interaction_times_out(host: HostProcess) -> None:
    body = wait_for(host.base_url, start(host.base_url, "approval", 1))
    assert body["output"] == {"approved": None, "timed_out": True}


def test_raw_webhook_event_is_delivered_as_json(host: HostProcess) -> None:
    instance_id = start(host.base_url, "approval", 30)
    url = f"{host.base_url}{WEBHOOKS}/instances/{instance_id}/raiseEvent/Approval"
    assert call("POST", url, {"ok": True}).status == 202
    assert wait_for(host.base_url, instance_id)["output"] == {"approved": {"ok": True}}
    assert call("POST", url, {"ok": True}).status == 410
    assert call("POST", f"{host.base_url}{WEBHOOKS}/instances/nope/raiseEvent/Approval", 1).status == 404


def test_continue_as_new_starts_a_fresh_history(host: HostProcess) -> None:
    body = wait_for(host.base_url, start(host.base_url, "counter", {"n": 0, "stop": 3}))
    assert body["output"] == {"n": 3, "last": 9}
    assert json.loads(body["input"]) == {"n": 3, "stop": 3}
    assert _event_types(body).count("ExecutionStarted") == 1
    assert _event_types(body).count("TaskCompleted") == 1


def test_sub_orchestrations_with_generated_and_given_ids(host: HostProcess) -> None:
    instance_id = start(host.base_url, "parent")
    body = wait_for(host.base_url, instance_id)
    assert body["output"] == ["Hello Oslo!", "Hello Rome!"]
    child = wait_for(host.base_url, f"{instance_id}-child")
    assert child["runtimeStatus"] == "Completed" and child["output"] == ["Hello Rome!"]
    assert _event_types(body).count("SubOrchestrationInstanceCompleted") == 2


def test_failure_output_names_the_orchestrator_and_the_error(host: HostProcess) -> None:
    body = wait_for(host.base_url, start(host.base_url, "failing"))
    assert body["runtimeStatus"] == "Failed"
    assert body["output"].startswith("Orchestrator function 'failing' failed:")
    assert "exploded: boom" in body["output"]
    assert status(host.base_url, body["instanceId"]).status == 200


def test_orchestrator_can_catch_an_activity_failure(host: HostProcess) -> None:
    assert wait_for(host.base_url, start(host.base_url, "catching"))["output"] == {"caught": True}


def test_terminate_then_operations_are_gone(host: HostProcess) -> None:
    instance_id = start(host.base_url, "waiter")
    wait_for(host.base_url, instance_id, ("Running",))
    assert client_op(host.base_url, "terminate", instance_id, query="reason=enough").status == 200
    body = wait_for(host.base_url, instance_id)
    assert (body["runtimeStatus"], body["output"]) == ("Terminated", "enough")
    terminate = f"{host.base_url}{WEBHOOKS}/instances/{instance_id}/terminate?reason=again"
    assert call("POST", terminate).status == 410


def test_custom_status_and_its_16_kb_limit(host: HostProcess) -> None:
    instance_id = start(host.base_url, "waiter")
    running = wait_for(host.base_url, instance_id, ("Running",))
    assert running["customStatus"] == {"stage": "waiting"}
    client_op(host.base_url, "raise", instance_id, "go", "event=Go")
    body = wait_for(host.base_url, instance_id)
    assert body["customStatus"] == {"stage": "done"}
    assert body["output"] == 'Hello "go"!'
    too_big = wait_for(host.base_url, start(host.base_url, "big_status"))
    assert too_big["runtimeStatus"] == "Failed" and "16 KB" in too_big["output"]


def test_suspend_holds_events_until_resume(host: HostProcess) -> None:
    instance_id = start(host.base_url, "waiter")
    wait_for(host.base_url, instance_id, ("Running",))
    client_op(host.base_url, "suspend", instance_id)
    wait_for(host.base_url, instance_id, ("Suspended",))
    client_op(host.base_url, "raise", instance_id, "later", "event=Go")
    assert status(host.base_url, instance_id).json()["runtimeStatus"] == "Suspended"
    client_op(host.base_url, "resume", instance_id)
    body = wait_for(host.base_url, instance_id)
    assert body["output"] == 'Hello "later"!'
    assert {"ExecutionSuspended", "ExecutionResumed"} <= set(_event_types(body))


def test_list_query_pages_and_purge(host: HostProcess) -> None:
    ids = [start(host.base_url, "sequence", ["P"], instance_id=f"page-{n}") for n in range(3)]
    for instance_id in ids:
        wait_for(host.base_url, instance_id)
    first = call("GET", f"{host.base_url}{WEBHOOKS}/instances?instanceIdPrefix=page-&top=2")
    token = first.headers["x-ms-continuation-token"]
    second = call("GET", f"{host.base_url}{WEBHOOKS}/instances?instanceIdPrefix=page-&top=2",
                  headers={"x-ms-continuation-token": token})
    assert sorted(i["instanceId"] for i in first.json() + second.json()) == ids
    assert "x-ms-continuation-token" not in second.headers
    listed = client_op(host.base_url, "list").json()
    assert set(ids) <= set(listed["completed"])
    assert client_op(host.base_url, "purge", ids[0]).json() == {"deleted": 1}
    assert status(host.base_url, ids[0]).status == 404


def test_webhook_start_of_unknown_orchestrator_is_400(host: HostProcess) -> None:
    assert call("POST", f"{host.base_url}{WEBHOOKS}/orchestrators/nope", 1).status == 400
    # A body holding JSON text arrives as the client's double-encoded input does (contract §4).
    reply = call("POST", f"{host.base_url}{WEBHOOKS}/orchestrators/sequence/given-id", json.dumps(["W"]))
    assert reply.status == 202 and reply.json()["id"] == "given-id"
    assert wait_for(host.base_url, "given-id")["output"] == ["Hello W!"]
    # A bare JSON list reaches get_input() as a list, which the SDK refuses, as on Azure.
    call("POST", f"{host.base_url}{WEBHOOKS}/orchestrators/sequence/raw-list", ["W"])
    failed = wait_for(host.base_url, "raw-list")
    assert failed["runtimeStatus"] == "Failed" and "must be str" in failed["output"]


def test_http_routes_methods_and_constraints(host: HostProcess) -> None:
    assert call("GET", f"{host.base_url}/api/items/5").text == "item 5"
    assert call("GET", f"{host.base_url}/api/items/abc").status == 404
    assert call("POST", f"{host.base_url}/api/items/5").status == 404
    assert call("GET", f"{host.base_url}/api/ping?who=me").json() == {"who": "me"}


def test_activities_run_concurrently_up_to_the_host_json_limit(host: HostProcess) -> None:
    body = wait_for(host.base_url, start(host.base_url, "parallel_slow", 8))
    assert body["output"] == list(range(8))
    edges = sorted([(at, 1) for _, at in activity_runs(host, "tracked-start")] +
                   [(at, -1) for _, at in activity_runs(host, "tracked-end")])
    running = peak = 0
    for _, change in edges:
        running += change
        peak = max(peak, running)
    assert 1 < peak <= 4  # concurrent, and never above maxConcurrentActivityFunctions (host.json)


def test_webhook_start_can_wait_and_running_ids_cannot_be_restarted(host: HostProcess) -> None:
    url = f"{host.base_url}{WEBHOOKS}/orchestrators/sequence/waited?timeout=20&pollingInterval=0.05"
    reply = call("POST", url, json.dumps(["V"]))
    assert (reply.status, reply.json()) == (200, ["Hello V!"])
    instance_id = start(host.base_url, "waiter", instance_id="busy")
    wait_for(host.base_url, instance_id, ("Running",))
    again = call("POST", f"{host.base_url}{WEBHOOKS}/orchestrators/waiter/busy")
    assert again.status == 500 and "already exists" in again.json()["ExceptionMessage"]
    assert call("POST", f"{host.base_url}/api/start/waiter?id=busy").status == 500  # start_new raised
    failed = wait_for(host.base_url, start(host.base_url, "failing"))
    query = "returnInternalServerErrorOnFailure=true"
    assert status(host.base_url, failed["instanceId"], query).status == 500


def test_unsupported_api_paths_answer_an_empty_404(host: HostProcess) -> None:
    for method, path in (("GET", "/entities/counter/k"), ("GET", "/orchestrators/sequence"),
                         ("PUT", "/instances/x")):
        reply = call(method, f"{host.base_url}{WEBHOOKS}{path}")
        assert (reply.status, reply.text) == (404, ""), path


def test_restart_and_purge_by_filter(host: HostProcess) -> None:
    window_start = utc_now_text()
    instance_id = start(host.base_url, "sequence", ["R"], instance_id="restart-me")
    wait_for(host.base_url, instance_id)
    restart = f"{host.base_url}{WEBHOOKS}/instances/restart-me/restart"
    same = call("POST", f"{restart}?restartWithNewInstanceId=false")
    assert same.status == 202 and same.json()["id"] == "restart-me"
    assert wait_for(host.base_url, "restart-me")["output"] == ["Hello R!"]
    fresh = call("POST", restart)
    assert fresh.status == 202 and fresh.json()["id"] != "restart-me"
    assert wait_for(host.base_url, fresh.json()["id"])["output"] == ["Hello R!"]
    window = f"createdTimeFrom={window_start}&createdTimeTo={utc_now_text()}&runtimeStatus=Completed"
    purge = call("DELETE", f"{host.base_url}{WEBHOOKS}/instances?{window}")
    assert (purge.status, purge.json()) == (200, {"instancesDeleted": 2})
    assert status(host.base_url, "restart-me").status == 404
    again = call("DELETE", f"{host.base_url}{WEBHOOKS}/instances?{window}")
    assert again.status == 404
