"""Entra ID tokens through azure-identity, and the emulator's rejection of bad keys and tokens."""

from __future__ import annotations

import time

import jwt
import openai
import pytest
from azure.core.exceptions import ClientAuthenticationError

from local.aoai import config
from tests.fixtures.emulator import COGNITIVE_SCOPE, MANAGEMENT_SCOPE
from tests.integration.emulator.helpers import upload

pytestmark = pytest.mark.integration


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def test_client_secret_credential_gets_tokens_for_both_audiences(fresh_emulator):
    credential = fresh_emulator.credential()
    cognitive = credential.get_token(COGNITIVE_SCOPE)
    management = credential.get_token(MANAGEMENT_SCOPE)
    assert _claims(cognitive.token)["aud"] == config.COGNITIVE_AUDIENCE
    assert _claims(management.token)["aud"] == config.MANAGEMENT_AUDIENCE
    assert _claims(cognitive.token)["tid"] == fresh_emulator.info["tenant_id"]
    assert cognitive.expires_on > time.time()


def test_openai_client_with_azure_ad_token_provider(fresh_emulator):
    client = fresh_emulator.token_openai_client()
    created = upload(client)
    assert client.files.retrieve(created.id).id == created.id


def test_wrong_secret_and_unknown_client_are_refused(fresh_emulator):
    with pytest.raises(ClientAuthenticationError, match="AADSTS7000215"):
        fresh_emulator.credential(client_secret="wrong").get_token(COGNITIVE_SCOPE)
    with pytest.raises(ClientAuthenticationError, match="AADSTS700016"):
        fresh_emulator.credential(client_id="00000000-0000-0000-0000-000000000000").get_token(COGNITIVE_SCOPE)


def test_unknown_scope_is_refused(fresh_emulator):
    with pytest.raises(ClientAuthenticationError, match="AADSTS500011"):
        fresh_emulator.credential().get_token("https://vault.azure.net/.default")


def test_unknown_tenant_is_refused(fresh_emulator):
    with pytest.raises(ClientAuthenticationError):
        fresh_emulator.credential(tenant_id="11111111-1111-1111-1111-111111111111").get_token(COGNITIVE_SCOPE)


def test_wrong_api_key_is_401_with_the_service_body(fresh_emulator):
    client = fresh_emulator.openai_client(api_key="not-the-key")
    with pytest.raises(openai.AuthenticationError) as caught:
        client.files.list()
    assert caught.value.code == "401" and "invalid subscription key" in caught.value.message


def test_no_credentials_is_401(fresh_emulator):
    status, _, body = fresh_emulator.request("GET", "/openai/files?api-version=2024-10-21")
    assert status == 401 and body["error"]["code"] == "401"


@pytest.mark.parametrize("kind", ["foreign", "expired", "wrong_audience"])
def test_bad_bearer_tokens_are_401(fresh_emulator, kind):
    if kind == "foreign":
        token = jwt.encode(
            {"aud": config.COGNITIVE_AUDIENCE, "iss": f"https://sts.windows.net/{config.TENANT_ID}/",
             "exp": int(time.time()) + 3600},
            "a-key-that-is-not-the-emulators-32b",
            algorithm="HS256",
        )  # fmt: skip
    elif kind == "expired":
        token = fresh_emulator.issue_token("cognitiveservices", expires_in=-60)
    else:
        token = fresh_emulator.issue_token("management")
    client = fresh_emulator.openai_client(azure_ad_token=token)
    with pytest.raises(openai.AuthenticationError) as caught:
        client.files.list()
    assert "Access token is missing, invalid, audience is incorrect" in caught.value.message


def test_arm_refuses_data_plane_tokens_and_expired_tokens(fresh_emulator):
    path = (
        f"/subscriptions/{config.SUBSCRIPTION_ID}/resourceGroups/{config.RESOURCE_GROUP}/providers/"
        f"Microsoft.CognitiveServices/accounts/{config.ACCOUNT}/deployments?api-version=2025-09-01"
    )
    cases = {
        fresh_emulator.issue_token("cognitiveservices"): "InvalidAuthenticationTokenAudience",
        fresh_emulator.issue_token("management", expires_in=-60): "ExpiredAuthenticationToken",
        "garbage": "InvalidAuthenticationToken",
    }
    for token, code in cases.items():
        status, _, body = fresh_emulator.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        assert (status, body["error"]["code"]) == (401, code)
    status, _, body = fresh_emulator.request("GET", path, headers={"api-key": fresh_emulator.info["api_key"]})
    assert (status, body["error"]["code"]) == (401, "AuthenticationFailed")
    good = fresh_emulator.issue_token("management")
    status, _, body = fresh_emulator.request(
        "GET", path.split("?")[0], headers={"Authorization": f"Bearer {good}"}
    )
    assert (status, body["error"]["code"]) == (400, "MissingApiVersionParameter")


def test_openid_configuration_names_the_token_endpoint(fresh_emulator):
    tenant = fresh_emulator.info["tenant_id"]
    status, _, body = fresh_emulator.request("GET", f"/{tenant}/v2.0/.well-known/openid-configuration")
    assert status == 200
    assert body["token_endpoint"] == f"{fresh_emulator.info['authority']}/{tenant}/oauth2/v2.0/token"
