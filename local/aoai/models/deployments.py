"""Model deployments (ARM): validation, lifecycle Accepted -> Creating -> Succeeded | Failed, PATCH of
the SKU capacity, Developer-tier expiry, and the async operations that report them."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from local.aoai import config
from local.aoai.config import Timings
from local.aoai.errors import arm_error
from local.aoai.models.catalog import BASE_MODELS
from local.aoai.models.common import new_id
from local.aoai.models.faults import Faults

SKU_NAMES = {"standard", "globalstandard", "developer", "developertier"}
DEVELOPER_SKUS = {"developer", "developertier"}
TERMINAL = {"Succeeded", "Failed"}
OPERATIONS = (
    f"/subscriptions/{config.SUBSCRIPTION_ID}/providers/Microsoft.CognitiveServices/locations/"
    f"{config.LOCATION}/operationResults"
)


def _iso(at: float) -> str:
    return dt.datetime.fromtimestamp(at, dt.UTC).isoformat().replace("+00:00", "Z")


@dataclass
class DeploymentRecord:
    name: str
    sku_name: str
    capacity: int
    model_name: str
    model_format: str
    model_version: str
    created_at: float
    ready_at: float
    operation_id: str
    state: str = "Accepted"
    modified_at: float = 0.0
    failure: dict[str, Any] | None = None
    tags: dict[str, str] | None = None
    expires_at: float | None = None  # Developer tier: deleted by the service 24 h after creation
    operation_kind: str = "create"  # "update": a PATCH, polled through its Location (ARM RPC)
    new_capacity: int | None = None  # the capacity a PATCH in progress applies at ready_at

    @property
    def fine_tuned(self) -> bool:
        return self.model_name not in BASE_MODELS

    def to_arm(self, resource_id: str, requests_per_minute_per_unit: float) -> dict[str, Any]:
        per_ten_seconds = requests_per_minute_per_unit * self.capacity / 6
        return {
            "id": resource_id,
            "name": self.name,
            "type": "Microsoft.CognitiveServices/accounts/deployments",
            "sku": {"name": self.sku_name, "capacity": self.capacity},
            "tags": self.tags or {},
            "etag": f'"{self.operation_id}"',
            "systemData": {
                "createdBy": config.CLIENT_ID,
                "createdByType": "Application",
                "createdAt": _iso(self.created_at),
                "lastModifiedBy": config.CLIENT_ID,
                "lastModifiedByType": "Application",
                "lastModifiedAt": _iso(self.modified_at or self.created_at),
            },
            "properties": {
                "model": {
                    "format": self.model_format,
                    "name": self.model_name,
                    "version": self.model_version,
                },
                "provisioningState": self.state,
                "versionUpgradeOption": "NoAutoUpgrade",
                "currentCapacity": self.capacity,
                "capabilities": {"chatCompletion": "true"},
                "rateLimits": [{"key": "request", "renewalPeriod": 10, "count": round(per_ten_seconds, 3)}]
                if per_ten_seconds
                else [],
            },
        }

    def operation(self) -> dict[str, Any]:
        """The ARM operation resource: `id` is its full resource path (ARM RPC async-api-reference)."""
        done = self.state in TERMINAL and self.new_capacity is None
        status = ("Failed" if self.state == "Failed" else "Succeeded") if done else "InProgress"
        body: dict[str, Any] = {
            "id": f"{OPERATIONS}/{self.operation_id}",
            "name": self.operation_id,
            "status": status,
            "startTime": _iso(self.modified_at or self.created_at),
        }
        if status != "InProgress":
            body["endTime"] = _iso(self.ready_at)
        if status == "Failed" and self.failure:
            body["error"] = {"code": self.failure["code"], "message": self.failure["message"]}
        return body


class DeploymentsModel:
    def __init__(self, timings: Timings, faults: Faults) -> None:
        self.timings = timings
        self.faults = faults
        self.records: dict[str, DeploymentRecord] = {}

    def get(self, name: str) -> DeploymentRecord:
        record = self.records.get(name)
        if record is None:
            raise arm_error(404, "DeploymentNotFound", f"Deployment '{name}' not found.")
        return record

    def find_operation(self, operation_id: str) -> DeploymentRecord:
        for record in self.records.values():
            if record.operation_id == operation_id:
                return record
        raise arm_error(404, "NotFound", f"Operation '{operation_id}' not found.")

    def _check_sku(self, sku: dict[str, Any]) -> tuple[str, int]:
        sku_name = sku.get("name")
        if not isinstance(sku_name, str) or sku_name.lower() not in SKU_NAMES:
            raise arm_error(
                400,
                "InvalidResourceProperties",
                f"The specified SKU '{sku_name}' for model deployment is not supported. "
                "Use Standard, GlobalStandard or Developer.",
            )
        capacity = sku.get("capacity", 1)
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
            raise arm_error(400, "InvalidCapacity", "The sku capacity must be a positive integer.")
        return sku_name, capacity

    def put(
        self, name: str, body: dict[str, Any], deployable: set[str], now: float
    ) -> tuple[DeploymentRecord, bool]:
        """Create or update; `deployable` = the account's fine-tuned models and kept checkpoints."""
        sku_name, capacity = self._check_sku(body.get("sku") or {})
        model = (body.get("properties") or {}).get("model") or {}
        model_name = model.get("name")
        if model_name not in deployable and model_name not in BASE_MODELS:
            raise arm_error(
                400,
                "DeploymentModelNotSupported",
                f"The model 'Format:{model.get('format')},Name:{model_name},"
                f"Version:{model.get('version')}' of account deployment is not supported: "
                "it is neither a base model of this account nor a fine-tuned model (or checkpoint) of a "
                "succeeded job.",
            )
        if model_name in BASE_MODELS and sku_name.lower() in DEVELOPER_SKUS:
            raise arm_error(
                400,
                "InvalidResourceProperties",
                f"The Developer SKU is for fine-tuned models; deploy the base model '{model_name}' as "
                "Standard or GlobalStandard.",
            )
        if model_name not in BASE_MODELS:
            self._check_fine_tuned_quota(name)
        created = name not in self.records
        failure = self.faults.take_deployment_failure(name)
        record = DeploymentRecord(
            name=name,
            sku_name=sku_name,
            capacity=capacity,
            model_name=model_name,
            model_format=model.get("format") or "OpenAI",
            model_version=str(model.get("version") or "1"),
            created_at=now if created else self.records[name].created_at,
            modified_at=now,
            ready_at=now + self.timings.deployment_seconds,
            operation_id=new_id("op", "-"),
            failure=asdict(failure) if failure else None,
            tags=body.get("tags"),
        )
        if sku_name.lower() in DEVELOPER_SKUS:
            record.expires_at = record.created_at + self.timings.developer_deployment_lifetime_seconds
        self.records[name] = record
        self.advance(now)
        return record, created

    def _check_fine_tuned_quota(self, name: str) -> None:
        # Azure's limit of 5 fine-tuned deployments per resource; Developer ones count too (no source
        # says otherwise). Base-model deployments have their own, larger limit.
        active = [r for r in self.records.values() if r.name != name and r.state != "Failed" and r.fine_tuned]
        if len(active) >= config.MAX_FINE_TUNED_DEPLOYMENTS:
            raise arm_error(
                400,
                "InsufficientQuota",
                f"This account already has {len(active)} fine-tuned model deployments, the maximum allowed. "
                "Delete a deployment, then retry.",
            )

    def patch(self, name: str, body: dict[str, Any], now: float) -> DeploymentRecord:
        """Deployments_Update: change the SKU capacity (and tags); applied after deployment_seconds / 2."""
        record = self.get(name)
        sku = body.get("sku")
        if sku is not None and not isinstance(sku, dict):
            raise arm_error(400, "InvalidRequestContent", "sku must be an object with name and capacity.")
        if record.state != "Succeeded" or record.new_capacity is not None:
            raise arm_error(
                409,
                "Conflict",
                f"The deployment '{name}' is {record.state} or being updated; retry when it has Succeeded.",
            )
        if sku:
            sku_name, capacity = self._check_sku({"name": record.sku_name, **sku})
            if sku_name.lower() != record.sku_name.lower():
                raise arm_error(
                    400,
                    "InvalidResourceProperties",
                    f"The SKU of the deployment '{name}' cannot change from {record.sku_name} to {sku_name}; "
                    "create a new deployment instead.",
                )
            record.new_capacity = capacity
        if isinstance(body.get("tags"), dict):
            record.tags = body["tags"]
        record.operation_id, record.operation_kind = new_id("op", "-"), "update"
        record.modified_at, record.ready_at = now, now + self.timings.deployment_seconds / 2
        self.advance(now)
        return record

    def advance(self, now: float) -> bool:
        changed = False
        for record in list(self.records.values()):
            if record.expires_at is not None and now >= record.expires_at:
                del self.records[record.name]  # the service deletes an expired Developer deployment
                changed = True
            elif record.new_capacity is not None and now >= record.ready_at:
                record.capacity, record.new_capacity = record.new_capacity, None
                changed = True
            elif record.state not in TERMINAL:
                if now >= record.ready_at:
                    record.state = "Failed" if record.failure else "Succeeded"
                    changed = True
                elif record.state == "Accepted" and now >= record.modified_at + (
                    record.ready_at - record.modified_at
                ) / 3:
                    record.state = "Creating"
                    changed = True
        return changed

    def delete(self, name: str) -> bool:
        return self.records.pop(name, None) is not None

    def serving(self, name: str) -> DeploymentRecord | None:
        record = self.records.get(name)
        return record if record is not None and record.state == "Succeeded" else None

    def to_dict(self) -> dict[str, Any]:
        return {name: asdict(record) for name, record in self.records.items()}

    def load(self, data: dict[str, Any]) -> None:
        self.records = {name: DeploymentRecord(**item) for name, item in data.items()}
