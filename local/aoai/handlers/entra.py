"""Entra ID handlers: the tenant's OpenID configuration and the client-credentials token endpoint."""

from __future__ import annotations

from aiohttp import web

from local.aoai import config
from local.aoai.errors import entra_error
from local.aoai.handlers.common import info_of, state_of
from local.aoai.models.tokens import audience_for_scope, check_client


def _check_tenant(request: web.Request) -> str:
    tenant = request.match_info["tenant"]
    if tenant.lower() not in (config.TENANT_ID, "organizations"):
        raise entra_error(
            400,
            "invalid_tenant",
            f"AADSTS90002: Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID.",
            [90002],
        )
    return config.TENANT_ID


async def openid_configuration(request: web.Request) -> web.Response:
    tenant = _check_tenant(request)
    base = f"{info_of(request)['authority']}/{tenant}"
    return web.json_response(
        {
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": [
                "client_secret_post",
                "private_key_jwt",
                "client_secret_basic",
            ],
            "jwks_uri": f"{base}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": f"{base}/v2.0",
            "request_uri_parameter_supported": False,
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
            "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
            "tenant_region_scope": "EU",
            "cloud_instance_name": "microsoftonline.com",
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": "graph.microsoft.com",
        }
    )


async def token(request: web.Request) -> web.Response:
    _check_tenant(request)
    form = await request.post()
    grant_type = form.get("grant_type")
    if grant_type != "client_credentials":
        raise entra_error(
            400,
            "unsupported_grant_type",
            f"AADSTS70003: The app requested an unsupported grant type '{grant_type}'.",
            [70003],
        )
    check_client(_field(form, "client_id"), _field(form, "client_secret"))
    audience = audience_for_scope(_field(form, "scope") or "")
    state = state_of(request)
    access_token, lifetime = state.tokens.issue(audience, state.timings.token_lifetime_seconds)
    return web.json_response(
        {
            "token_type": "Bearer",
            "expires_in": lifetime,
            "ext_expires_in": lifetime,
            "access_token": access_token,
        }
    )


def _field(form: object, name: str) -> str | None:
    value = form.get(name)  # type: ignore[attr-defined]
    return value if isinstance(value, str) else None
