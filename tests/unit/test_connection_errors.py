"""Login failures become clear reasons in Japanese and English, and never carry a secret."""

from __future__ import annotations

import json

import pytest
import requests
from simple_salesforce.exceptions import SalesforceAuthenticationFailed, SalesforceRefusedRequest

from biztel_desk.domain.config import AccountConfig, AuthMethod, SecretKind
from biztel_desk.salesforce.connection import SalesforceLoginError, connect, map_error
from biztel_desk.secrets import MemoryBackend, SecretStore


def test_invalid_login_hints_at_the_security_token() -> None:
    error = map_error(
        SalesforceAuthenticationFailed("INVALID_LOGIN", "Invalid username, password, security token; or user locked out.")
    )
    assert error is not None and error.code == "invalid_login"
    assert "セキュリティトークン" in error.text("ja") and "私のセキュリティトークンのリセット" in error.text("ja")
    assert "Reset My Security Token" in error.text("en")


def test_soap_prefixed_code_is_understood() -> None:
    error = map_error(SalesforceAuthenticationFailed("sf:LOGIN_MUST_USE_SECURITY_TOKEN", "Invalid username..."))
    assert error is not None and error.code == "token_required"
    assert "セキュリティトークンが必要" in error.text("ja")
    assert "needs the security token" in error.text("en")


@pytest.mark.parametrize("code", ["API_DISABLED_FOR_ORG", "API_CURRENTLY_DISABLED"])
def test_api_disabled(code: str) -> None:
    error = map_error(SalesforceAuthenticationFailed(code, "API is not enabled for this Organization or Partner"))
    assert error is not None and error.code == "api_disabled"
    assert code in error.text("ja") and "API Enabled" in error.text("en")


def test_api_disabled_from_a_rest_error() -> None:
    body = json.dumps([{"errorCode": "API_DISABLED_FOR_ORG", "message": "API is not enabled"}]).encode()
    error = map_error(SalesforceRefusedRequest("https://x/services/data", 403, "query", body))
    assert error is not None and error.code == "api_disabled"


def test_oauth_invalid_grant() -> None:
    error = map_error(SalesforceAuthenticationFailed("invalid_grant", "user hasn't approved this consumer"))
    assert error is not None and error.code == "oauth_invalid_grant"
    assert "接続アプリケーション" in error.text("ja") and "connected app" in error.text("en")


@pytest.mark.parametrize("code", ["invalid_client_id", "invalid_client"])
def test_oauth_invalid_client(code: str) -> None:
    error = map_error(SalesforceAuthenticationFailed(code, "client identifier invalid"))
    assert error is not None and error.code == "oauth_invalid_client"
    assert "コンシューマ鍵" in error.text("ja") and "consumer key" in error.text("en")
    assert code in error.text("en")


def test_unreachable_host() -> None:
    error = map_error(requests.exceptions.ConnectionError("Name or service not known"), host="acme.my.salesforce.com")
    assert error is not None and error.code == "unreachable"
    assert "acme.my.salesforce.com" in error.text("ja") and "プロキシ" in error.text("ja")
    assert "proxy" in error.text("en")


def test_timeout_before_connection_error() -> None:
    # ConnectTimeout is both a Timeout and a ConnectionError: the timeout is the better reason.
    error = map_error(requests.exceptions.ConnectTimeout("timed out"), host="login.salesforce.com", timeout=5)
    assert error is not None and error.code == "timeout"
    assert "5秒" in error.text("ja") and "5 seconds" in error.text("en")


def test_unknown_failure_is_a_bug_not_a_message() -> None:
    assert map_error(KeyError("x")) is None


def test_unknown_auth_code_keeps_salesforces_message() -> None:
    error = map_error(SalesforceAuthenticationFailed("PASSWORD_LOCKOUT", "Your account is locked"))
    assert error is not None and "PASSWORD_LOCKOUT" in error.text("en") and "locked" in error.text("en")


def test_missing_secret_says_which_and_how() -> None:
    secrets = SecretStore(MemoryBackend())
    account = AccountConfig(name="本番", username="admin@example.com")
    with pytest.raises(SalesforceLoginError) as caught:
        connect(account, secrets)
    assert caught.value.code == "secret_missing"
    assert "パスワード" in caught.value.text("ja") and "biztel-desk account set-secret" in caught.value.text("ja")
    assert "password" in caught.value.text("en")


def test_missing_private_key_for_jwt() -> None:
    secrets = SecretStore(MemoryBackend())
    account = AccountConfig(name="jwt", auth_method=AuthMethod.JWT.value, username="a@b.c", consumer_key="3MV")
    with pytest.raises(SalesforceLoginError) as caught:
        connect(account, secrets)
    assert "秘密鍵" in caught.value.text("ja") and "private key" in caught.value.text("en")


def test_lightning_host_is_converted_and_said() -> None:
    secrets = SecretStore(MemoryBackend())
    account = AccountConfig(name="a", username="a@b.c", login_host="acme.lightning.force.com")
    with pytest.raises(SalesforceLoginError) as caught:
        connect(account, secrets)  # no password stored: fails before any network call, with the notice
    text = caught.value.text("ja")
    assert "acme.my.salesforce.com" in text and "Lightning" in text


def test_no_secret_in_the_error() -> None:
    secrets = SecretStore(MemoryBackend())
    secrets.set_account_secret("a", SecretKind.PASSWORD, "hunter2-secret")
    # A PEM that cannot be parsed: the error must not repeat it.
    secrets.set_account_secret("b", SecretKind.PRIVATE_KEY, "-----BEGIN PRIVATE KEY-----\nnot-a-key-secret\n")
    account = AccountConfig(name="b", auth_method=AuthMethod.JWT.value, username="a@b.c", consumer_key="3MV")
    with pytest.raises(SalesforceLoginError) as caught:
        connect(account, secrets, timeout=1)
    assert caught.value.code == "private_key_invalid"
    for lang in ("ja", "en"):
        assert "not-a-key-secret" not in caught.value.text(lang)
    assert "not-a-key-secret" not in str(caught.value)
