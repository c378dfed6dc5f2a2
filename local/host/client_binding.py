"""The durableClient binding JSON and the check-status payload's management URLs, as the extension
builds them (ext: BindingHelper.DurableOrchestrationClientToString and
HttpApiHandler.CreateCheckStatusResponse)."""

from __future__ import annotations

import json

PUBLIC_PREFIX = "/runtime/webhooks/durabletask"


def management_urls(origin: str, instance_id: str, hub: str, key: str | None) -> dict[str, str]:
    """The check-status payload's URLs (ext: HttpApiHandler.CreateCheckStatusResponse)."""
    base = f"{origin}{PUBLIC_PREFIX}/instances/{instance_id}"
    query = f"taskHub={hub}&connection=Storage" + (f"&code={key}" if key else "")
    return {
        "id": instance_id,
        "statusQueryGetUri": f"{base}?{query}",
        "sendEventPostUri": f"{base}/raiseEvent/{{eventName}}?{query}",
        "terminatePostUri": f"{base}/terminate?reason={{text}}&{query}",
        "rewindPostUri": f"{base}/rewind?reason={{text}}&{query}",
        "purgeHistoryDeleteUri": f"{base}?{query}",
        "restartPostUri": f"{base}/restart?{query}",
        "suspendPostUri": f"{base}/suspend?reason={{text}}&{query}",
        "resumePostUri": f"{base}/resume?reason={{text}}&{query}",
    }


def client_binding(origin: str, rpc_base_url: str, hub: str, key: str | None) -> str:
    """The durableClient binding JSON (ext: BindingHelper.DurableOrchestrationClientToString)."""
    webhooks = f"{origin}{PUBLIC_PREFIX}"
    code = f"&code={key}" if key else ""
    q = f"taskHub={hub}&connection=Storage{code}"
    return json.dumps({
        "taskHubName": hub,
        "creationUrls": {
            "createNewInstancePostUri": f"{webhooks}/orchestrators/{{functionName}}[/{{instanceId}}]?{q}",
            "createAndWaitOnNewInstancePostUri": f"{webhooks}/orchestrators/{{functionName}}[/{{instanceId}}]"
                                                 f"?timeout={{timeoutInSeconds}}&pollingInterval="
                                                 f"{{intervalInSeconds}}&{q}",
        },
        "managementUrls": management_urls(origin, "INSTANCEID", hub, key),
        "baseUrl": webhooks,
        "requiredQueryStringParameters": q,
        "rpcBaseUrl": rpc_base_url,
    })
