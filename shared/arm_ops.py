"""ARM effects: create, read and delete the model deployment (Microsoft.CognitiveServices).

``start_deployment`` sends the PUT and returns at once (``polling=False``): the ARM
LRO can take many minutes, and ``LROPoller`` would otherwise poll on a background
thread of the activity's worker. The orchestrator waits on durable timers instead,
reading ``get_deployment`` until provisioningState is terminal, so no activity holds
a worker for the duration and a host restart loses nothing. Transient failures are
raised (the management client already retried 429/5xx honouring Retry-After);
permanent refusals are returned as ``{"error": ...}`` (shared/service_errors.py).
"""

from __future__ import annotations

import contextlib
from typing import Any

from azure.core.exceptions import ResourceNotFoundError
from azure.core.rest import HttpRequest
from azure.mgmt.cognitiveservices import CognitiveServicesManagementClient
from azure.mgmt.cognitiveservices.models import Deployment, DeploymentModel, DeploymentProperties, Sku

from shared import errors
from shared.service_errors import call_arm, is_error_result

MODEL_FORMAT = "OpenAI"
FINE_TUNED_MODEL_VERSION = "1"
NOT_FOUND = "NotFound"
FAILED_STATES = frozenset({"failed", "canceled", "disabled"})


def deployment_body(model: str, sku: str, capacity: int) -> Deployment:
    """The PUT body for a fine-tuned model's deployment."""
    return Deployment(
        sku=Sku(name=sku, capacity=capacity),
        properties=DeploymentProperties(
            model=DeploymentModel(format=MODEL_FORMAT, name=model, version=FINE_TUNED_MODEL_VERSION)),
    )


def _raw_error_message(raw: dict[str, Any] | None) -> str | None:
    """A failure message some services put in the deployment body (properties.error / error)."""
    if not isinstance(raw, dict):
        return None
    for holder in (raw.get("properties"), raw):
        error = holder.get("error") if isinstance(holder, dict) else None
        if isinstance(error, dict) and error.get("message"):
            code = f"{error['code']}: " if error.get("code") else ""
            return f"{code}{error['message']}"
    return None


def deployment_state(deployment: Deployment, raw: dict[str, Any] | None = None) -> dict[str, Any]:
    """A DeploymentState dict; Failed/Canceled/Disabled carry a deployment_failed error."""
    props = deployment.properties
    state = props.provisioning_state if props else None
    model = props.model.name if props and props.model else None
    result: dict[str, Any] = {"name": deployment.name, "provisioning_state": state, "model": model,
                              "error": None}
    if state and state.lower() in FAILED_STATES:
        reason = _raw_error_message(raw) or "the service gave no reason"
        result["error"] = {"code": errors.DEPLOYMENT_FAILED,
                           "message": f"The deployment {deployment.name} ended {state}: {reason}. "
                                      "Check the account's quota and the model name, then run again."}
    return result


def _read(arm: CognitiveServicesManagementClient, resource_group: str, account: str,
          name: str) -> tuple[Deployment, dict[str, Any] | None] | None:
    def keep_raw(pipeline_response: Any, deserialized: Deployment, _headers: Any) -> tuple[Deployment, Any]:
        try:
            raw = pipeline_response.http_response.json()
        except ValueError:
            raw = None
        return deserialized, raw

    try:
        return arm.deployments.get(resource_group, account, name, cls=keep_raw)
    except ResourceNotFoundError:
        return None


def _operation_error(arm: CognitiveServicesManagementClient, operation_url: str) -> str | None:
    """Why a finished ARM async operation failed (where ARM reports a deployment's failure)."""
    # _send_request is the generated client's documented way to send a raw request through its
    # pipeline (auth, retries); mgmt clients name it with the underscore.
    response = arm._send_request(HttpRequest("GET", operation_url))
    if response.status_code != 200:
        return None
    try:
        return _raw_error_message(response.json())
    except ValueError:
        return None


def get_deployment(arm: CognitiveServicesManagementClient, resource_group: str, account: str,
                   name: str, operation_url: str | None = None) -> dict[str, Any]:
    """The deployment's provisioning state; ``NotFound`` when there is none.

    ``operation_url`` (returned by ``start_deployment``) lets a failure carry ARM's reason.
    """
    found = call_arm(lambda: _read(arm, resource_group, account, name), errors.DEPLOYMENT_FAILED,
                     f"report on the deployment {name}")
    if is_error_result(found):
        return found  # type: ignore[return-value]
    if found is None:
        return {"name": name, "provisioning_state": NOT_FOUND, "model": None, "error": None}
    deployment, raw = found  # type: ignore[misc]
    state = deployment_state(deployment, raw)
    if state["error"] and operation_url and _raw_error_message(raw) is None:
        reason = call_arm(lambda: _operation_error(arm, operation_url), errors.DEPLOYMENT_FAILED,
                          f"report on the operation of {name}")
        if isinstance(reason, str):
            state = deployment_state(deployment, {"error": {"message": reason}})
    return state


def start_deployment(arm: CognitiveServicesManagementClient, resource_group: str, account: str, name: str,
                     model: str, sku: str, capacity: int) -> dict[str, Any]:
    """PUT the deployment of ``model`` (returns without waiting for provisioning).

    Idempotent: an existing deployment of the same model is reported as it is; one of
    another model under this name is never overwritten (a permanent error instead).
    """
    current = get_deployment(arm, resource_group, account, name)
    if is_error_result(current):
        return current
    if current["provisioning_state"] != NOT_FOUND:
        if current["model"] == model:
            return {**current, "reused": True}
        return errors.error_result(
            errors.DEPLOYMENT_FAILED,
            f"A deployment named {name} already serves the model {current['model']}; choose another "
            "deployment name in the run settings (the app never replaces a deployment).",
            name=name, provisioning_state=current["provisioning_state"])

    def keep_operation(pipeline_response: Any, deserialized: Deployment, _headers: Any) -> tuple[Any, Any]:
        return deserialized, pipeline_response.http_response.headers.get("Azure-AsyncOperation")

    def put() -> tuple[Deployment, str | None]:
        poller = arm.deployments.begin_create_or_update(
            resource_group, account, name, deployment_body(model, sku, capacity), polling=False,
            cls=keep_operation)
        return poller.result()

    created = call_arm(put, errors.DEPLOYMENT_FAILED, f"create the deployment {name} of {model}")
    if is_error_result(created):
        return {"name": name, "provisioning_state": None, "model": model, **created}  # type: ignore[dict-item]
    deployment, operation_url = created  # type: ignore[misc]
    return {**deployment_state(deployment), "operation_url": operation_url, "reused": False}


def delete_deployment(arm: CognitiveServicesManagementClient, resource_group: str, account: str,
                      name: str) -> dict[str, Any]:
    """Start deleting a deployment (cleanup of a half-made one); a missing deployment is fine."""

    def delete() -> None:
        with contextlib.suppress(ResourceNotFoundError):
            arm.deployments.begin_delete(resource_group, account, name, polling=False).result()

    result = call_arm(delete, errors.DEPLOYMENT_FAILED, f"delete the deployment {name}")
    if is_error_result(result):
        return result  # type: ignore[return-value]
    return {"name": name, "deleted": True, "error": None}
