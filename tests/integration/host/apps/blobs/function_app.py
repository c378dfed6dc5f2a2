"""A small v2 app of the host's tests: blob triggers that record what they receive to RUNS_FILE."""

import json
import os

import azure.durable_functions as df
import azure.functions as func

app = df.DFApp()


def _record(entry: dict) -> None:
    with open(os.environ["RUNS_FILE"], "a", encoding="utf-8") as runs:
        runs.write(json.dumps(entry) + "\n")


@app.blob_trigger(arg_name="blob", path="%UPLOADS_CONTAINER%/{name}", connection="AzureWebJobsStorage")
def on_upload(blob: func.InputStream) -> None:
    _record({"function": "on_upload", "name": blob.name, "length": blob.length, "uri": blob.uri,
             "metadata": blob.metadata, "etag": blob.blob_properties["ETag"],
             "content": blob.read().decode()})


@app.blob_trigger(arg_name="blob", path="starts/{name}", connection="AzureWebJobsStorage")
@app.durable_client_input(client_name="client")
async def start_from_blob(blob: func.InputStream, client: df.DurableOrchestrationClient) -> None:
    """A blob starter, as real apps write them: the instance id comes from the blob."""
    instance_id = blob.name.replace("/", "-")
    await client.start_new("echo", instance_id, {"blob": blob.name})


@app.orchestration_trigger(context_name="context", orchestration="echo")
def echo(context: df.DurableOrchestrationContext):
    return context.get_input()


@app.blob_trigger(arg_name="blob", path="poison/{name}", connection="AzureWebJobsStorage", source="EventGrid")
def always_fails(blob: func.InputStream) -> None:
    _record({"function": "always_fails", "name": blob.name})
    raise RuntimeError("this function always fails")
