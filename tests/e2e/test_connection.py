"""接続テスト against the local dev org: every auth method logs in; wrong secrets give clear reasons."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from biztel_desk.devorg.server import DevOrg
from biztel_desk.domain.config import AccountConfig, AuthMethod, SecretKind
from biztel_desk.salesforce.connection import SalesforceLoginError, check_connection
from biztel_desk.secrets import MemoryBackend, SecretStore


@pytest.fixture(scope="module")
def org() -> Iterator[DevOrg]:
    with DevOrg(seed="empty") as running:
        yield running


def _account(org: DevOrg, method: AuthMethod = AuthMethod.PASSWORD, **changes: str) -> AccountConfig:
    credentials = org.credentials
    values = {
        "name": "dev",
        "auth_method": method.value,
        "username": credentials["username"] if method != AuthMethod.CLIENT_CREDENTIALS else "",
        "login_host": org.url,
        "consumer_key": credentials["consumer_key"] if method != AuthMethod.PASSWORD else "",
    }
    values.update(changes)
    return AccountConfig(**values)


def _secrets(**values: str) -> SecretStore:
    store = SecretStore(MemoryBackend())
    for kind, value in values.items():
        store.set_account_secret("dev", SecretKind(kind), value)
    return store


def test_password_login_reports_org_user_and_api_usage(org: DevOrg) -> None:
    credentials = org.credentials
    secrets = _secrets(password=credentials["password"], security_token=credentials["security_token"])
    report = check_connection(_account(org), secrets, timeout=10)
    assert report.org_id.startswith("00D") and report.org_name
    assert report.username == credentials["username"] and report.user_name
    assert report.instance_url.startswith("https://devorg-")
    assert report.api_usage is not None and report.api_usage[1] > 0


def test_wrong_password_is_a_clear_reason(org: DevOrg) -> None:
    secrets = _secrets(password="wrong-password", security_token=org.credentials["security_token"])
    with pytest.raises(SalesforceLoginError) as caught:
        check_connection(_account(org), secrets, timeout=10)
    assert caught.value.code == "invalid_login"
    assert "私のセキュリティトークンのリセット" in caught.value.text("ja")
    assert "wrong-password" not in caught.value.text("ja") and "wrong-password" not in str(caught.value)


def test_jwt_bearer_login(org: DevOrg) -> None:
    secrets = _secrets(private_key=org.jwt_private_key_pem)
    report = check_connection(_account(org, AuthMethod.JWT), secrets, timeout=10)
    assert report.org_id.startswith("00D")


def test_client_credentials_login(org: DevOrg) -> None:
    secrets = _secrets(consumer_secret=org.credentials["consumer_secret"])
    report = check_connection(_account(org, AuthMethod.CLIENT_CREDENTIALS), secrets, timeout=10)
    assert report.org_id.startswith("00D")


def test_wrong_consumer_secret(org: DevOrg) -> None:
    secrets = _secrets(consumer_secret="not-the-secret")
    with pytest.raises(SalesforceLoginError) as caught:
        check_connection(_account(org, AuthMethod.CLIENT_CREDENTIALS), secrets, timeout=10)
    assert caught.value.code in {"oauth_invalid_client", "oauth_invalid_grant"}
    assert "not-the-secret" not in caught.value.text("en")
