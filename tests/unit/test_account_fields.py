"""The account form's rules (domain.account_fields) and the 接続テスト texts (services.salesforce_access)."""

from __future__ import annotations

from biztel_desk.domain.account_fields import login_host_text, missing_secrets, shown_rows
from biztel_desk.domain.config import AuthMethod, SecretKind
from biztel_desk.salesforce.connection import ConnectionReport
from biztel_desk.services.salesforce_access import callback_urls_text, eca_steps_text, report_lines


def test_each_auth_method_shows_its_own_rows() -> None:
    password = shown_rows(AuthMethod.PASSWORD.value)
    assert password[SecretKind.PASSWORD.value] and password[SecretKind.SECURITY_TOKEN.value] and password["username"]
    assert not password["consumer_key"] and not password[SecretKind.PRIVATE_KEY.value]
    jwt = shown_rows(AuthMethod.JWT.value)
    assert jwt[SecretKind.PRIVATE_KEY.value] and jwt["username"] and jwt["consumer_key"]
    browser = shown_rows(AuthMethod.OAUTH_BROWSER.value)
    assert browser[SecretKind.CONSUMER_SECRET.value] and not browser["username"]
    assert not browser[SecretKind.REFRESH_TOKEN.value]  # the tokens have no field: only the browser login writes them
    assert browser["login_state"] and browser["eca_help"] and not password["login_state"] and not jwt["eca_help"]
    assert not shown_rows(AuthMethod.OAUTH_BROWSER.value, login_state=False)["login_state"]  # nothing saved yet


def test_the_secrets_each_method_needs_typed() -> None:
    assert missing_secrets(AuthMethod.PASSWORD.value, {SecretKind.SECURITY_TOKEN: "t"}) == [SecretKind.PASSWORD]
    assert missing_secrets(AuthMethod.PASSWORD.value, {SecretKind.PASSWORD: "pw"}) == []  # the token is optional
    assert missing_secrets(AuthMethod.JWT.value, {SecretKind.PRIVATE_KEY: ""}) == [SecretKind.PRIVATE_KEY]
    assert missing_secrets(AuthMethod.CLIENT_CREDENTIALS.value, {}) == [SecretKind.CONSUMER_SECRET]
    assert missing_secrets(AuthMethod.OAUTH_BROWSER.value, {}) == []  # the sign-in brings its own tokens
    assert missing_secrets("unknown", {}) == []


def test_login_host_for_each_choice() -> None:
    assert [login_host_text(kind, " acme.my.salesforce.com ") for kind in ("production", "sandbox", "my_domain")] == [
        "login", "test", "acme.my.salesforce.com"]
    assert login_host_text("loopback", "http://127.0.0.1:8765") == "http://127.0.0.1:8765"


def test_connection_report_lines_in_both_languages() -> None:
    report = ConnectionReport("00D000000000001AAA", "Acme", "管理者", "admin@example.com",
                              "https://acme.my.salesforce.com", (12, 15000))
    assert report_lines(report, "ja") == [
        "接続に成功しました。", "組織: Acme (00D000000000001AAA)", "ユーザ: 管理者 (admin@example.com)",
        "インスタンス: https://acme.my.salesforce.com", "API使用量(24時間): 12 / 15000(0.1%)"]
    assert report_lines(report, "en")[-1] == "API usage (24 h): 12 / 15000 (0.1%)"


def test_the_browser_login_steps_list_the_callback_urls() -> None:
    for lang in ("ja", "en"):
        text = eca_steps_text(lang)
        assert all(f"     {url}" in text for url in callback_urls_text().splitlines())
        assert len(text.splitlines()) == 7 + len(callback_urls_text().splitlines())


def test_a_private_key_file_is_read_or_refused_with_a_reason(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from biztel_desk.services.salesforce_access import PrivateKeyError, read_private_key

    key = tmp_path / "server.key"
    key.write_text("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n", encoding="utf-8")
    assert read_private_key(str(key)).startswith("-----BEGIN PRIVATE KEY-----")
    certificate = tmp_path / "server.crt"
    certificate.write_text("-----BEGIN CERTIFICATE-----\nMIIE\n", encoding="utf-8")
    with pytest.raises(PrivateKeyError) as refused:
        read_private_key(str(certificate))
    assert refused.value.text("ja").startswith("PEM形式の秘密鍵ではありません")
    with pytest.raises(PrivateKeyError) as missing:
        read_private_key(str(tmp_path / "gone.key"))
    assert missing.value.text("en").startswith("Cannot read the file: ")
