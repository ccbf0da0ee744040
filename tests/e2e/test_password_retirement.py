"""Password (SOAP login()) accounts as SOAP login() goes away: refused from API 65.0, a retirement warning in
接続テスト, and a Winter '26 org's refusals (disabled, INSUFFICIENT_ACCESS) turned into instructions."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from biztel_desk.devorg.server import DevOrg
from biztel_desk.domain.config import AccountConfig, validate_account
from biztel_desk.salesforce.connection import SalesforceLoginError, check_connection
from biztel_desk.secrets import MemoryBackend, SecretStore


@pytest.fixture(scope="module")
def new_org() -> Iterator[DevOrg]:
    with DevOrg(seed="empty", new_org=True) as running:
        yield running


@pytest.fixture(scope="module")
def old_org() -> Iterator[DevOrg]:
    with DevOrg(seed="empty") as running:
        yield running


def _password_account(org: DevOrg, api_version: str = "59.0") -> AccountConfig:
    return AccountConfig(name="dev", username=org.credentials["username"], login_host=org.url,
                         api_version=api_version)


def _secrets(org: DevOrg) -> SecretStore:
    store = SecretStore(MemoryBackend())
    store.set_account_secret("dev", "password", org.credentials["password"])
    store.set_account_secret("dev", "security_token", org.credentials["security_token"])
    return store


def test_connection_test_warns_that_password_login_is_retired(old_org: DevOrg) -> None:
    report = check_connection(_password_account(old_org), _secrets(old_org), timeout=10)
    assert report.org_id.startswith("00D")
    assert "Summer '27" in report.warning_text("ja") and "ブラウザでログイン" in report.warning_text("ja")
    assert "Summer '27" in report.warning_text("en") and "External Client App" in report.warning_text("en")


def test_api_65_refuses_password_login_before_any_request(old_org: DevOrg) -> None:
    logins = old_org.counters()["login"]
    with pytest.raises(SalesforceLoginError) as caught:
        check_connection(_password_account(old_org, "65.0"), _secrets(old_org), timeout=10)
    assert caught.value.code == "soap_login_retired"
    assert "65.0" in caught.value.text("ja") and "ブラウザでログイン" in caught.value.text("ja")
    assert old_org.counters()["login"] == logins  # nothing was sent
    _, problems = validate_account(_password_account(old_org, "66.0"))
    assert [p.code for p in problems] == ["soap_login_retired"]
    assert "64.0" in problems[0].text("ja") and problems[0].text("ja").endswith("。")


def test_new_org_refuses_soap_login_with_instructions(new_org: DevOrg) -> None:
    with pytest.raises(SalesforceLoginError) as caught:
        check_connection(_password_account(new_org), _secrets(new_org), timeout=10)
    assert caught.value.code == "soap_login_disabled"
    ja = caught.value.text("ja")
    assert "設定 → ユーザインターフェース" in ja and "SOAP API login() を有効化" in ja and "Use Any API Auth" in ja
    assert "Enable SOAP API login()" in caught.value.text("en")
    assert new_org.credentials["password"] not in ja + str(caught.value)


def test_new_org_with_login_enabled_still_needs_use_any_api_auth(new_org: DevOrg) -> None:
    new_org.set_soap_login(True, use_any_api_auth=False)
    try:
        with pytest.raises(SalesforceLoginError) as caught:
            check_connection(_password_account(new_org), _secrets(new_org), timeout=10)
        assert caught.value.code == "soap_insufficient_access"
        assert "INSUFFICIENT_ACCESS" in caught.value.text("ja") and "Use Any API Auth" in caught.value.text("ja")
        new_org.set_soap_login(True, use_any_api_auth=True)
        assert check_connection(_password_account(new_org), _secrets(new_org), timeout=10).org_id
    finally:
        new_org.set_soap_login(False, use_any_api_auth=False)


def test_devorg_new_org_flag_refuses_soap_over_http(new_org: DevOrg) -> None:
    import requests

    envelope = (f'<?xml version="1.0"?><env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">'
                f'<env:Body><n1:login xmlns:n1="urn:partner.soap.sforce.com"><n1:username>'
                f'{new_org.credentials["username"]}</n1:username><n1:password>{new_org.credentials["password"]}'
                "</n1:password></n1:login></env:Body></env:Envelope>")
    answer = requests.post(f"{new_org.url}/services/Soap/u/59.0", data=envelope.encode(), timeout=10,
                           headers={"Content-Type": "text/xml", "SOAPAction": "login"})
    assert answer.status_code == 500 and "<sf:exceptionCode>INVALID_OPERATION</sf:exceptionCode>" in answer.text
    removed = requests.post(f"{new_org.url}/services/Soap/u/65.0", data=envelope.encode(), timeout=10,
                            headers={"Content-Type": "text/xml", "SOAPAction": "login"})
    assert "UNSUPPORTED_API_VERSION" in removed.text
    info = requests.get(f"{new_org.url}/__devorg/info", timeout=10).json()
    assert info["new_org"] is True and info["soap_login_enabled"] is False
