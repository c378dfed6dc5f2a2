"""Activities of the deploy and smoke-test stages: ARM deployment (start, state) and a chat call."""

from __future__ import annotations

from typing import Any

import azure.durable_functions as df

from activities._common import parse, run, settings
from shared import aoai_ops, arm_ops, clients, names
from shared.payloads import ChatInput, DeploymentInput, DeploymentRef
from shared.settings import Settings, SettingsError

bp = df.Blueprint()


def _account(config: Settings) -> tuple[str, str]:
    if not (config.resource_group and config.account_name):
        raise SettingsError("AZURE_RESOURCE_GROUP and AZURE_OPENAI_ACCOUNT_NAME are needed to deploy.")
    return config.resource_group, config.account_name


@bp.activity_trigger(input_name="payload", activity=names.START_DEPLOYMENT)
def start_deployment(payload: dict) -> dict:
    def work() -> dict[str, Any]:
        request = parse(DeploymentInput, payload)
        config = settings()
        group, account = _account(config)
        return arm_ops.start_deployment(clients.arm_client(config), group, account, request.name,
                                        request.model, request.sku, request.capacity)

    return run(names.START_DEPLOYMENT, work)


@bp.activity_trigger(input_name="payload", activity=names.GET_DEPLOYMENT)
def get_deployment(payload: dict) -> dict:
    def work() -> dict[str, Any]:
        request = parse(DeploymentRef, payload)
        config = settings()
        group, account = _account(config)
        # operation_url (from start_deployment) is optional: it lets a failure carry ARM's reason.
        operation_url = payload.get("operation_url") if isinstance(payload, dict) else None
        return arm_ops.get_deployment(clients.arm_client(config), group, account, request.name, operation_url)

    return run(names.GET_DEPLOYMENT, work)


@bp.activity_trigger(input_name="payload", activity=names.CHAT_COMPLETION)
def chat_completion(payload: dict) -> dict:
    def work() -> dict[str, Any]:
        request = parse(ChatInput, payload)
        return aoai_ops.chat_completion(clients.openai_client(settings()), request.deployment,
                                        request.messages, request.max_tokens)

    return run(names.CHAT_COMPLETION, work)
