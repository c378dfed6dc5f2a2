"""A small v2 app of the host's tests: one orchestrator per Durable pattern, plus HTTP endpoints.

Activities append a line per run to the file named by RUNS_FILE so tests can count runs.
"""

import json
import os
from datetime import datetime, timedelta

import azure.durable_functions as df
import azure.functions as func

app = df.DFApp(http_auth_level=func.AuthLevel.FUNCTION)


def _record(name: str, value: object) -> None:
    path = os.environ.get("RUNS_FILE")
    if path:
        with open(path, "a", encoding="utf-8") as runs:
            runs.write(json.dumps([name, value]) + "\n")


# ---- HTTP ----
@app.route(route="start/{orchestrator}", methods=["POST"])
@app.durable_client_input(client_name="client")
async def start(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    body = req.get_body()
    payload = json.loads(body) if body else None
    instance_id = await client.start_new(req.route_params["orchestrator"], req.params.get("id"), payload,
                                         version=req.params.get("version"))
    return client.create_check_status_response(req, instance_id)


@app.route(route="run/{orchestrator}", methods=["POST"])
@app.durable_client_input(client_name="client")
async def run_and_wait(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    instance_id = await client.start_new(req.route_params["orchestrator"], None, req.get_json())
    return await client.wait_for_completion_or_create_check_status_response(req, instance_id, 20000, 100)


def _statuses(req: func.HttpRequest) -> list[df.OrchestrationRuntimeStatus] | None:
    names = req.params.get("runtime_status")
    return [df.OrchestrationRuntimeStatus(n) for n in names.split(",")] if names else None


def _moment(req: func.HttpRequest, name: str) -> datetime | None:
    return datetime.fromisoformat(req.params[name]) if name in req.params else None


@app.route(route="client/{operation}/{instance_id?}", methods=["GET", "POST", "DELETE"])
@app.durable_client_input(client_name="client")
async def client_operation(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    """Drive one DurableOrchestrationClient call so tests exercise the real client against the host."""
    op, instance_id = req.route_params["operation"], req.route_params.get("instance_id")
    reason = req.params.get("reason", "by test")
    if op == "wait":  # the SDK answers with its own HttpResponse: 200 output, 500 failed, 202 timeout
        return await client.wait_for_completion_or_create_check_status_response(
            req, instance_id, int(req.params.get("timeout_ms", "10000")), 50)
    if op == "status":
        status = await client.get_status(instance_id, show_history=True, show_history_output=True)
        body = status.to_json() if status else None
        if status:
            body["historyEvents"] = getattr(status, "historyEvents", None)
    elif op == "status_plain":
        status = await client.get_status(instance_id)
        body = status.to_json() if status else None
        if status:
            body["hasHistory"] = getattr(status, "historyEvents", None) is not None
    elif op == "status_all":
        body = sorted(s.instance_id for s in await client.get_status_all())
    elif op == "status_by":
        found = await client.get_status_by(_moment(req, "created_from"), _moment(req, "created_to"),
                                           _statuses(req))
        body = sorted(s.instance_id for s in found)
    elif op == "purge_by":
        result = await client.purge_instance_history_by(_moment(req, "created_from"),
                                                        _moment(req, "created_to"), _statuses(req))
        body = {"deleted": result.instances_deleted}
    elif op == "rewind":
        try:
            await client.rewind(instance_id, reason)
            body = {"rewound": True}
        except Exception as exc:  # the SDK raises for 404/410/500: report what it said
            body = {"rewound": False, "error": str(exc)}
    elif op == "restart":
        # The SDK returns the extension's answer: the check-status payload of the new instance.
        restarted = await client.restart(instance_id, req.params.get("new_id", "true") == "true")
        body = {"id": restarted["id"]}
    elif op == "raise":
        await client.raise_event(instance_id, req.params["event"], req.get_json())
        body = {"raised": True}
    elif op in ("terminate", "suspend", "resume"):
        await getattr(client, op)(instance_id, reason)
        body = {op: True}
    elif op == "purge":
        body = {"deleted": (await client.purge_instance_history(instance_id)).instances_deleted}
    elif op == "list":
        statuses = await client.get_status_by(runtime_status=[df.OrchestrationRuntimeStatus.Completed])
        body = {"completed": sorted(s.instance_id for s in statuses),
                "all": len(await client.get_status_all())}
    else:
        return func.HttpResponse(status_code=404)
    return func.HttpResponse(json.dumps(body, default=str), mimetype="application/json")


@app.route(route="ping", auth_level=func.AuthLevel.ANONYMOUS)
def ping(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(json.dumps({"who": req.params.get("who")}), mimetype="application/json")


@app.route(route="items/{id:int}", methods=["GET"])
def item(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(f"item {int(req.route_params['id'])}")


# ---- Orchestrators ----
@app.orchestration_trigger(context_name="context", orchestration="sequence")
def sequence(context: df.DurableOrchestrationContext):
    cities = context.get_input() or ["Tokyo", "Seattle", "London"]
    results = []
    for city in cities:
        results.append((yield context.call_activity("say_hello", city)))
    return results


@app.orchestration_trigger(context_name="context", orchestration="fan_out")
def fan_out(context: df.DurableOrchestrationContext):
    count = context.get_input()
    values = yield context.task_all([context.call_activity("square", n) for n in range(count)])
    return sum(values)


@app.orchestration_trigger(context_name="context", orchestration="retry")
def retry(context: df.DurableOrchestrationContext):
    options = df.RetryOptions(first_retry_interval_in_milliseconds=100, max_number_of_attempts=3)
    outcome = yield context.call_activity_with_retry("flaky", options, context.get_input())
    return outcome


@app.orchestration_trigger(context_name="context", orchestration="timer")
def timer(context: df.DurableOrchestrationContext):
    start_time = context.current_utc_datetime
    deadline = start_time + timedelta(seconds=context.get_input())
    yield context.create_timer(deadline)
    return {"early": context.current_utc_datetime < deadline}


@app.orchestration_trigger(context_name="context", orchestration="approval")
def approval(context: df.DurableOrchestrationContext):
    deadline = context.current_utc_datetime + timedelta(seconds=context.get_input())
    timeout = context.create_timer(deadline)
    answer = context.wait_for_external_event("Approval")
    winner = yield context.task_any([answer, timeout])
    if winner == answer:
        timeout.cancel()
        return {"approved": answer.result}
    return {"approved": None, "timed_out": True}


@app.orchestration_trigger(context_name="context", orchestration="counter")
def counter(context: df.DurableOrchestrationContext):
    state = context.get_input()
    value = yield context.call_activity("square", state["n"])
    if state["n"] >= state["stop"]:
        return {"n": state["n"], "last": value}
    context.continue_as_new({"n": state["n"] + 1, "stop": state["stop"]})
    return None


@app.orchestration_trigger(context_name="context", orchestration="parent")
def parent(context: df.DurableOrchestrationContext):
    first = yield context.call_sub_orchestrator("sequence", ["Oslo"])
    second = yield context.call_sub_orchestrator("sequence", ["Rome"], f"{context.instance_id}-child")
    return first + second


@app.orchestration_trigger(context_name="context", orchestration="failing")
def failing(context: df.DurableOrchestrationContext):
    yield context.call_activity("explode", "boom")
    return "unreachable"


@app.orchestration_trigger(context_name="context", orchestration="catching")
def catching(context: df.DurableOrchestrationContext):
    try:
        yield context.call_activity("explode", "caught")
    except Exception as exc:
        return {"caught": "caught" in str(exc)}
    return {"caught": False}


@app.orchestration_trigger(context_name="context", orchestration="waiter")
def waiter(context: df.DurableOrchestrationContext):
    context.set_custom_status({"stage": "waiting"})
    value = yield context.wait_for_external_event("Go")
    context.set_custom_status({"stage": "done"})
    done = yield context.call_activity("say_hello", value if isinstance(value, str) else json.dumps(value))
    return done


@app.orchestration_trigger(context_name="context", orchestration="slow_steps")
def slow_steps(context: df.DurableOrchestrationContext):
    results = []
    for step in range(context.get_input()):
        results.append((yield context.call_activity("slow", step)))
    return results


@app.orchestration_trigger(context_name="context", orchestration="parallel_slow")
def parallel_slow(context: df.DurableOrchestrationContext):
    return (yield context.task_all([context.call_activity("tracked", n) for n in range(context.get_input())]))


@app.orchestration_trigger(context_name="context", orchestration="rewindable")
def rewindable(context: df.DurableOrchestrationContext):
    """A step that works, then one that fails until it has been tried twice (what rewind is for)."""
    key = context.get_input()
    first = yield context.call_activity("say_hello", key)
    second = yield context.call_activity("fails_first_time", key)
    return [first, second]


@app.orchestration_trigger(context_name="context", orchestration="rewindable_parent")
def rewindable_parent(context: df.DurableOrchestrationContext):
    key = context.get_input()
    child = yield context.call_sub_orchestrator("rewindable", key, f"{context.instance_id}-child")
    return {"child": child}


@app.orchestration_trigger(context_name="context", orchestration="big_status")
def big_status(context: df.DurableOrchestrationContext):
    context.set_custom_status("x" * 9000)
    yield context.call_activity("square", 1)
    return "unreachable"


# ---- Activities ----
@app.activity_trigger(input_name="city", activity="say_hello")
def say_hello(city: str) -> str:
    _record("say_hello", city)
    return f"Hello {city}!"


@app.activity_trigger(input_name="n", activity="square")
async def square(n: int) -> int:
    _record("square", n)
    return n * n


@app.activity_trigger(input_name="succeed_on", activity="flaky")
def flaky(succeed_on: int) -> str:
    _record("flaky", succeed_on)
    path = os.environ["RUNS_FILE"]
    with open(path, encoding="utf-8") as runs:
        attempts = sum(1 for line in runs if line.startswith('["flaky"'))
    if attempts < succeed_on:
        raise RuntimeError(f"attempt {attempts} fails")
    return f"succeeded on attempt {attempts}"


@app.activity_trigger(input_name="key", activity="fails_first_time")
def fails_first_time(key: str) -> str:
    _record("fails_first_time", key)
    with open(os.environ["RUNS_FILE"], encoding="utf-8") as runs:
        tries = sum(1 for line in runs if json.loads(line) == ["fails_first_time", key])
    if tries < 2:
        raise RuntimeError(f"try {tries} of {key} fails")
    return f"{key} worked on try {tries}"


@app.activity_trigger(input_name="message", activity="explode")
def explode(message: str) -> str:
    raise ValueError(f"exploded: {message}")


@app.activity_trigger(input_name="step", activity="slow")
def slow(step: int) -> int:
    import time

    time.sleep(0.3)
    _record("slow", step)
    return step


@app.activity_trigger(input_name="n", activity="tracked")
def tracked(n: int) -> int:
    """Records when it starts and ends, so tests can see how many ran at once."""
    import time

    _record("tracked-start", [n, time.time()])
    time.sleep(0.2)
    _record("tracked-end", [n, time.time()])
    return n
