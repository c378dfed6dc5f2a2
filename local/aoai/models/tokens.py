"""Entra ID tokens: client-credential checks, JWT issuing (HS256, key made at start) and verification."""

from __future__ import annotations

import time
import uuid
from typing import Any

import jwt

from local.aoai import config
from local.aoai.errors import entra_error

SCOPE_AUDIENCES = {
    "https://cognitiveservices.azure.com": config.COGNITIVE_AUDIENCE,
    "https://management.azure.com": config.MANAGEMENT_AUDIENCE,
    "https://management.core.windows.net": config.MANAGEMENT_AUDIENCE,
}


def audience_for_scope(scope: str) -> str:
    """Map a client-credentials scope ('<resource>/.default') to the token audience."""
    resources = [s for s in scope.split() if s not in ("openid", "profile", "offline_access")]
    if len(resources) != 1 or not resources[0].endswith("/.default"):
        raise entra_error(
            400,
            "invalid_scope",
            f"AADSTS1002012: The provided value for scope {scope} is not valid. Client credential flows "
            "must have a scope value with /.default suffixed to the resource identifier.",
            [1002012],
        )
    resource = resources[0].removesuffix("/.default").rstrip("/")
    if resource not in SCOPE_AUDIENCES:
        raise entra_error(
            400,
            "invalid_resource",
            f"AADSTS500011: The resource principal named {resource} was not found in the tenant.",
            [500011],
        )
    return SCOPE_AUDIENCES[resource]


def check_client(client_id: str | None, client_secret: str | None) -> None:
    if client_id != config.CLIENT_ID:
        raise entra_error(
            400,
            "unauthorized_client",
            f"AADSTS700016: Application with identifier '{client_id}' was not found in the directory.",
            [700016],
        )
    if client_secret != config.CLIENT_SECRET:
        raise entra_error(
            401,
            "invalid_client",
            f"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is "
            f"the client secret value, not the client secret ID, for a secret added to app '{client_id}'.",
            [7000215],
        )


class TokenIssuer:
    """Issues and verifies the emulator's own bearer tokens."""

    def __init__(self, key: bytes, issuer_base: str = "https://sts.windows.net") -> None:
        self.key = key
        self.issuer = f"{issuer_base}/{config.TENANT_ID}/"

    def issue(self, audience: str, lifetime_seconds: int) -> tuple[str, int]:
        issued = int(time.time())
        claims: dict[str, Any] = {
            "aud": audience,
            "iss": self.issuer,
            "iat": issued,
            "nbf": issued - 300 if lifetime_seconds > 0 else issued + lifetime_seconds - 600,
            "exp": issued + lifetime_seconds,
            "tid": config.TENANT_ID,
            "appid": config.CLIENT_ID,
            "oid": str(uuid.uuid5(uuid.NAMESPACE_URL, config.CLIENT_ID)),
            "sub": config.CLIENT_ID,
            "uti": uuid.uuid4().hex,
            "ver": "1.0",
        }
        token = jwt.encode(claims, self.key, algorithm="HS256", headers={"kid": "aoai-emulator"})
        return token, lifetime_seconds

    def problem(self, token: str, audience: str) -> str | None:
        """Why `token` is not acceptable for `audience` ('expired', 'audience', 'invalid'), or None."""
        try:
            jwt.decode(token, self.key, algorithms=["HS256"], audience=audience, issuer=self.issuer, leeway=0)
        except jwt.ExpiredSignatureError:
            return "expired"
        except jwt.InvalidAudienceError:
            return "audience"
        except jwt.PyJWTError:
            return "invalid"
        return None
