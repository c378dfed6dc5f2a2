"""Every DurableOrchestrationClient method, called by the real SDK client inside an app on the local host."""

from __future__ import annotations

import pytest

from tests.fixtures.host import HostProcess
from tests.integration.host.helpers import activity_runs, client_op, start, status, utc_now_text, wait_for

pytestmark = pytest.mark.integration


def test_start_new_and_get_status_with_and_without_history(host: HostProcess) -> None:
    instance_id = start(host.base_url, "sequence", ["Ann"], instance_id="client-status")
    wait_for(host.base_url, instance_id)
    full = client_op(host.base_url, "status", instance_id).json()
    assert full["runtimeStatus"] == "Completed" and full["output"] == ["Hello Ann!"]
    completed = [e for e in full["historyEvents"] if e["EventType"] == "TaskCompleted"]
    assert completed[0]["Result"] == "Hello Ann!" and completed[0]["Input"] == '"Ann"'
    plain = client_op(host.base_url, "status_plain", instance_id).json()
    assert plain["runtimeStatus"] == "Completed" and plain["hasHistory"] is False


def test_get_status_all_and_get_status_by(host: HostProcess) -> None:
    window_start = utc_now_text()
    done = start(host.base_url, "sequence", ["B"], instance_id="client-by-done")
    waiting = start(host.base_url, "waiter", instance_id="client-by-waiting")
    wait_for(host.base_url, done)
    wait_for(host.base_url, waiting, ("Running",))
    assert {done, waiting} <= set(client_op(host.base_url, "status_all").json())
    window = f"created_from={window_start}&created_to={utc_now_text()}"
    assert client_op(host.base_url, "status_by", query=window).json() == sorted([done, waiting])
    running = client_op(host.base_url, "status_by", query=f"{window}&runtime_status=Running").json()
    assert running == [waiting]
    client_op(host.base_url, "terminate", waiting)


def test_raise_event_terminate_suspend_and_resume(host: HostProcess) -> None:
    instance_id = start(host.base_url, "waiter", instance_id="client-events")
    wait_for(host.base_url, instance_id, ("Running",))
    assert client_op(host.base_url, "suspend", instance_id).json() == {"suspend": True}
    wait_for(host.base_url, instance_id, ("Suspended",))
    assert client_op(host.base_url, "raise", instance_id, "held", "event=Go").json() == {"raised": True}
    assert client_op(host.base_url, "resume", instance_id).json() == {"resume": True}
    assert wait_for(host.base_url, instance_id)["output"] == 'Hello "held"!'
    stopped = start(host.base_url, "waiter", instance_id="client-terminated")
    wait_for(host.base_url, stopped, ("Running",))
    client_op(host.base_url, "terminate", stopped, query="reason=no+longer+needed")
    body = wait_for(host.base_url, stopped)
    assert (body["runtimeStatus"], body["output"]) == ("Terminated", "no longer needed")


def test_purge_instance_history_and_purge_by_filter(host: HostProcess) -> None:
    one = start(host.base_url, "sequence", ["P"], instance_id="client-purge-one")
    wait_for(host.base_url, one)
    assert client_op(host.base_url, "purge", one).json() == {"deleted": 1}
    assert status(host.base_url, one).status == 404
    assert client_op(host.base_url, "purge", one).json() == {"deleted": 0}  # the SDK maps 404 to 0
    window_start = utc_now_text()
    ids = [start(host.base_url, "sequence", ["Q"], instance_id=f"client-purge-{n}") for n in range(3)]
    for instance_id in ids:
        wait_for(host.base_url, instance_id)
    window = f"created_from={window_start}&created_to={utc_now_text()}&runtime_status=Completed"
    assert client_op(host.base_url, "purge_by", query=window).json() == {"deleted": 3}
    assert all(status(host.base_url, i).status == 404 for i in ids)
    assert client_op(host.base_url, "purge_by", query=window).json() == {"deleted": 0}


def test_restart_with_a_new_id_or_the_same_one(host: HostProcess) -> None:
    instance_id = start(host.base_url, "sequence", ["Re"], instance_id="client-restart")
    wait_for(host.base_url, instance_id)
    new_id = client_op(host.base_url, "restart", instance_id).json()["id"]
    assert new_id != instance_id and wait_for(host.base_url, new_id)["output"] == ["Hello Re!"]
    same = client_op(host.base_url, "restart", instance_id, query="new_id=false").json()["id"]
    assert same == instance_id and wait_for(host.base_url, same)["output"] == ["Hello Re!"]


def test_wait_for_completion_or_create_check_status_response(host: HostProcess) -> None:
    done = start(host.base_url, "sequence", ["W"])
    wait_for(host.base_url, done)
    reply = client_op(host.base_url, "wait", done)
    assert (reply.status, reply.json()) == (200, ["Hello W!"])
    failed = start(host.base_url, "failing")
    wait_for(host.base_url, failed)
    reply = client_op(host.base_url, "wait", failed)
    assert reply.status == 500 and reply.json()["runtimeStatus"] == "Failed"
    waiting = start(host.base_url, "waiter")
    reply = client_op(host.base_url, "wait", waiting, query="timeout_ms=300")
    assert reply.status == 202 and reply.json()["id"] == waiting and "statusQueryGetUri" in reply.json()
    client_op(host.base_url, "terminate", waiting)


def test_rewind_reruns_only_the_failed_activity(host: HostProcess) -> None:
    instance_id = start(host.base_url, "rewindable", "rw-1", instance_id="client-rewind")
    failed = wait_for(host.base_url, instance_id)
    assert failed["runtimeStatus"] == "Failed" and "try 1 of rw-1 fails" in failed["output"]
    assert client_op(host.base_url, "rewind", instance_id, query="reason=fixed").json() == {"rewound": True}
    body = wait_for(host.base_url, instance_id, ("Completed",))  # rewind is asynchronous, as in Azure
    assert body["output"] == ["Hello rw-1!", "rw-1 worked on try 2"]
    assert activity_runs(host, "say_hello").count("rw-1") == 1  # the step that had worked is not run again
    kinds = [e["EventType"] for e in body["historyEvents"]]
    assert "TaskFailed" not in kinds and "ExecutionRewound" in kinds
    assert client_op(host.base_url, "rewind", instance_id).json()["error"] == (
        "The rewind operation is only supported on failed orchestration instances.")  # 410 now


def test_rewind_reaches_into_a_failed_sub_orchestration(host: HostProcess) -> None:
    instance_id = start(host.base_url, "rewindable_parent", "rw-2", instance_id="client-rewind-parent")
    assert wait_for(host.base_url, instance_id)["runtimeStatus"] == "Failed"
    assert wait_for(host.base_url, f"{instance_id}-child")["runtimeStatus"] == "Failed"
    assert client_op(host.base_url, "rewind", instance_id).json() == {"rewound": True}
    body = wait_for(host.base_url, instance_id, ("Completed",))
    assert body["output"] == {"child": ["Hello rw-2!", "rw-2 worked on try 2"]}
    assert wait_for(host.base_url, f"{instance_id}-child")["runtimeStatus"] == "Completed"


def test_rewind_refuses_unknown_and_running_instances(host: HostProcess) -> None:
    assert client_op(host.base_url, "rewind", "no-such-instance").json()["error"] == (
        "No instance with ID no-such-instance found.")
    waiting = start(host.base_url, "waiter")
    wait_for(host.base_url, waiting, ("Running",))
    answer = client_op(host.base_url, "rewind", waiting).json()
    assert answer["rewound"] is False
    assert "only supported on failed orchestration instances" in answer["error"]
    client_op(host.base_url, "terminate", waiting)
