"""A small v2 app of the host's timer-trigger tests: each run appends a line to the RUNS_FILE file."""

import json
import os
import time

import azure.durable_functions as df
import azure.functions as func

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)


def _record(function: str, timer: func.TimerRequest, **extra: object) -> None:
    entry = {"function": function, "past_due": timer.past_due, "status": timer.schedule_status,
             "at": time.time(), **extra}
    with open(os.environ["RUNS_FILE"], "a", encoding="utf-8") as runs:
        runs.write(json.dumps(entry) + "\n")


@app.timer_trigger(arg_name="timer", schedule="*/2 * * * * *")
def every_two_seconds(timer: func.TimerRequest) -> None:
    _record("every_two_seconds", timer)


@app.timer_trigger(arg_name="timer", schedule="1/3 * * * * *")
def always_fails(timer: func.TimerRequest) -> None:
    _record("always_fails", timer)
    raise RuntimeError("this timer function always fails")


@app.timer_trigger(arg_name="timer", schedule="%NIGHTLY_SCHEDULE%", run_on_startup=True)
def nightly(timer: func.TimerRequest, context: func.Context) -> None:
    _record("nightly", timer, function_name=context.function_name)


@app.timer_trigger(arg_name="timer", schedule="0 0 * * * *")
def hourly(timer: func.TimerRequest) -> None:
    _record("hourly", timer)


@app.timer_trigger(arg_name="timer", schedule="0 0 0 1 1 *")
@app.durable_client_input(client_name="client")
async def yearly_starter(timer: func.TimerRequest, client: df.DurableOrchestrationClient) -> None:
    """A timer starter, as real apps write them (for example a nightly clean-up orchestration)."""
    instance_id = await client.start_new("stamp", None, {"past_due": timer.past_due})
    _record("yearly_starter", timer, instance_id=instance_id)


@app.orchestration_trigger(context_name="context", orchestration="stamp")
def stamp(context: df.DurableOrchestrationContext):
    return (yield context.call_activity("echo", context.get_input()))


@app.activity_trigger(input_name="value", activity="echo")
def echo(value: dict) -> dict:
    return value
