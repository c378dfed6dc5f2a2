"""A small v2 app of the host's versioning tests: orchestrators that report ``context.version``.

``versioned`` waits for a "Go" event (so a test can restart the host with another host.json in
between), then calls a sub-orchestrator with an explicit version and one with the default.
"""

import azure.durable_functions as df
import azure.functions as func

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)


@app.route(route="start/{orchestrator}", methods=["POST"])
@app.durable_client_input(client_name="client")
async def start(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    body = req.get_body()
    instance_id = await client.start_new(req.route_params["orchestrator"], req.params.get("id"),
                                         req.get_json() if body else None, version=req.params.get("version"))
    return client.create_check_status_response(req, instance_id)


@app.orchestration_trigger(context_name="context", orchestration="versioned")
def versioned(context: df.DurableOrchestrationContext):
    context.set_custom_status(f"version {context.version} waiting for Go")
    yield context.wait_for_external_event("Go")
    explicit = yield context.call_sub_orchestrator("version_of", None, None, "0.9")
    default = yield context.call_sub_orchestrator("version_of")
    return {"self": context.version, "explicit": explicit, "default": default}


@app.orchestration_trigger(context_name="context", orchestration="version_of")
def version_of(context: df.DurableOrchestrationContext):
    yield context.call_activity("noop", None)
    return context.version


@app.orchestration_trigger(context_name="context", orchestration="continues")
def continues(context: df.DurableOrchestrationContext):
    round_number = context.get_input() or 0
    yield context.call_activity("noop", round_number)
    if round_number < 2:
        context.continue_as_new(round_number + 1)
        return None
    return {"rounds": round_number, "version": context.version}


@app.activity_trigger(input_name="value", activity="noop")
def noop(value: object) -> object:
    return value
