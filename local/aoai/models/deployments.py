"""Model deployments (ARM): validation, lifecycle Accepted -> Creating -> Succeeded | Failed."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from local.aoai import config
from local.aoai.config import Timings
from local.aoai.errors import arm_error
from local.aoai.models.common import new_id
from local.aoai.models.faults import Faults

SKU_NAMES = {"standard", "globalstandard", "developer", "developertier"}
TERMINAL = {"Succeeded", "Failed"}


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

    def to_arm(self, resource_id: str) -> dict[str, Any]:
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
                "rateLimits": [{"key": "request", "renewalPeriod": 10, "count": self.capacity}],
            },
        }

    def operation(self) -> dict[str, Any]:
        status = {"Succeeded": "Succeeded", "Failed": "Failed"}.get(self.state, "InProgress")
        body: dict[str, Any] = {
            "id": self.operation_id,
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

    def put(
        self, name: str, body: dict[str, Any], fine_tuned_models: set[str], now: float
    ) -> tuple[DeploymentRecord, bool]:
        """Create or update; returns the record and whether it was created."""
        sku = body.get("sku") or {}
        model = (body.get("properties") or {}).get("model") or {}
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
        model_name = model.get("name")
        if model_name not in fine_tuned_models:
            raise arm_error(
                400,
                "DeploymentModelNotSupported",
                f"The model 'Format:{model.get('format')},Name:{model_name},"
                f"Version:{model.get('version')}' of account deployment is not supported: "
                "it is not the fine-tuned model of a succeeded job.",
            )
        active = [r for r in self.records.values() if r.name != name and r.state != "Failed"]
        if len(active) >= config.MAX_FINE_TUNED_DEPLOYMENTS:
            raise arm_error(
                400,
                "InsufficientQuota",
                f"This account already has {len(active)} fine-tuned model deployments, the maximum allowed. "
                "Delete a deployment, then retry.",
            )
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
        self.records[name] = record
        self.advance(now)
        return record, created

    def advance(self, now: float) -> bool:
        changed = False
        for record in self.records.values():
            if record.state in TERMINAL:
                continue
            if now >= record.ready_at:
                record.state = "Failed" if record.failure else "Succeeded"
                changed = True
            elif (
                record.state == "Accepted"
                and now >= record.modified_at + (record.ready_at - record.modified_at) / 3
            ):
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
