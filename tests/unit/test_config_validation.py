"""Validation of link settings, objects, targets, accounts and system settings, with their messages."""

from __future__ import annotations

import pytest

from biztel_desk.domain.config import (
    AccountConfig,
    LinkObjectConfig,
    LinkSettingConfig,
    LinkTargetConfig,
    check_status_change,
    parse_login_host,
    validate_account,
    validate_basic,
    validate_objects,
    validate_system,
    validate_targets,
)
from biztel_desk.domain.messages import Problem

GOOD = LinkSettingConfig(name="本社", account="devorg", fallback_record_id="0012v000032fR15AAE", api_consent=True)


def codes(problems: list[Problem]) -> list[tuple[str, str]]:
    return [(p.path, p.code) for p in problems]


def test_good_setting_passes() -> None:
    cleaned, problems = validate_basic(GOOD, {"devorg"})
    assert problems == []
    assert cleaned.fallback_record_id == "0012v000032fR15AAE"


def test_memo_of_501_characters_is_refused_500_accepted() -> None:
    _, problems = validate_basic(LinkSettingConfig(**{**GOOD.__dict__, "memo": "あ" * 501}), {"devorg"})
    assert codes(problems) == [("memo", "too_long")]
    assert problems[0].text("ja") == "メモは500文字以内で入力してください(現在501文字)。"
    assert problems[0].text("en") == "Memo must be at most 500 characters (now 501)."
    _, problems = validate_basic(LinkSettingConfig(**{**GOOD.__dict__, "memo": "あ" * 500}), {"devorg"})
    assert problems == []


def test_unknown_account() -> None:
    _, problems = validate_basic(LinkSettingConfig(**{**GOOD.__dict__, "account": "nope"}), {"devorg"})
    assert codes(problems) == [("account", "unknown_account")]
    assert "nope" in problems[0].text("ja")


def test_wrong_checksum_has_its_own_message() -> None:
    _, problems = validate_basic(LinkSettingConfig(**{**GOOD.__dict__, "fallback_record_id": "0012v000032fR15AAB"}), {"devorg"})
    assert codes(problems) == [("fallback_record_id", "id_checksum")]
    assert "チェックサム" in problems[0].text("ja")


def test_fallback_from_lightning_url() -> None:
    url = "https://x.lightning.force.com/lightning/r/Account/0012v000032fR15AAE/view"
    cleaned, problems = validate_basic(LinkSettingConfig(**{**GOOD.__dict__, "fallback_record_id": url}), {"devorg"})
    assert problems == [] and cleaned.fallback_record_id == "0012v000032fR15AAE"


def test_name_rules() -> None:
    _, problems = validate_basic(LinkSettingConfig(**{**GOOD.__dict__, "name": "  "}), {"devorg"})
    assert codes(problems) == [("name", "required")]
    _, problems = validate_basic(LinkSettingConfig(**{**GOOD.__dict__, "name": "x" * 81}), {"devorg"})
    assert codes(problems) == [("name", "too_long")]


def test_bad_choice() -> None:
    _, problems = validate_basic(LinkSettingConfig(**{**GOOD.__dict__, "on_no_match": "ignore"}), {"devorg"})
    assert codes(problems) == [("on_no_match", "bad_choice")]


@pytest.mark.parametrize(
    ("status", "consent", "refused"),
    [
        ("enabled", False, True),
        ("paused", False, True),
        ("disabled", False, False),
        ("enabled", True, False),
        ("paused", True, False),
    ],
)
def test_status_needs_consent(status: str, consent: bool, refused: bool) -> None:
    problem = check_status_change(status, consent)
    assert (problem is not None) == refused
    if problem:
        assert problem.code == "consent_required"


def test_objects_rules() -> None:
    objects = [
        LinkObjectConfig("Account", "取引先", "001", 1),
        LinkObjectConfig("Contact", "取引先責任者", "0030", 2),
        LinkObjectConfig("Lead", "リード", "00Q", 2),
        LinkObjectConfig("My Object", "x", "a00", 3),
        LinkObjectConfig("account", "x", "001", 4),
    ]
    _, problems = validate_objects(objects)
    assert codes(problems) == [
        ("objects[1].tab_code", "tab_code_format"),
        ("objects[2].priority", "duplicate_priority"),
        ("objects[3].api_name", "api_name_format"),
        ("objects[4].api_name", "duplicate_object"),
    ]
    assert problems[0].text("ja") == "タブコード「0030」が不正です: 英数字ちょうど3文字で入力してください(例: 001)。"
    assert problems[1].text("ja").startswith("優先順位2が重複しています")


@pytest.mark.parametrize("name", ["Account", "MyObject__c", "ns__Obj__c", "My_Obj__c"])
def test_api_names_accepted(name: str) -> None:
    _, problems = validate_objects([LinkObjectConfig(name, "", "a01", 1)])
    assert problems == []


def test_targets_rules() -> None:
    targets = [
        LinkTargetConfig("03-1234-5678", default_outbound=True),
        LinkTargetConfig("０３（１２３４）５６７８"),
        LinkTargetConfig("12345"),
        LinkTargetConfig("06-1234-5678", default_outbound=True),
    ]
    _, problems = validate_targets(targets)
    assert codes(problems) == [
        ("targets[1].number", "phone_duplicate"),
        ("targets[2].number", "phone_invalid"),
        ("targets[3].default_outbound", "default_outbound_many"),
    ]


def test_system_bounds() -> None:
    settings, problems = validate_system({"retention_days": 181})
    assert codes(problems) == [("system.retention_days", "out_of_range")]
    assert "1〜180" in problems[0].text("ja")
    settings, problems = validate_system({"retention_days": 1, "time_zone": "Asia/Tokyo"})
    assert problems == [] and settings.retention_days == 1
    _, problems = validate_system({"time_zone": "Mars/Base", "default_region": "XX", "bogus": 1})
    assert {p.code for p in problems} == {"time_zone_invalid", "region_invalid", "unknown_key"}
    _, problems = validate_system({"subject_inbound": "着信 {nope}"})
    assert codes(problems) == [("system.subject_inbound", "template_invalid")]


def test_defaults() -> None:
    settings, problems = validate_system({})
    assert problems == [] and settings.retention_days == 90 and settings.page_size == 50


@pytest.mark.parametrize(("key", "low", "high", "default"),
                         [("phone_index_max_age_s", 5, 3600, 60), ("phone_index_miss_refresh_s", 0, 600, 5),
                          ("retry_backoff_max_minutes", 1, 1440, 60), ("phone_index_reconcile_hours", 1, 168, 24),
                          ("call_settle_s", 0, 600, 30)])
def test_link_engine_timing_settings(key: str, low: int, high: int, default: int) -> None:
    assert getattr(validate_system({})[0], key) == default
    for good in (low, high):
        settings, problems = validate_system({key: good})
        assert problems == [] and getattr(settings, key) == good
    for bad in (low - 1, high + 1):
        _, problems = validate_system({key: bad})
        assert codes(problems) == [(f"system.{key}", "out_of_range")]
    # A label of its own in both languages, not the raw key.
    _, problems = validate_system({key: high + 1})
    assert key not in problems[0].text("ja") and key not in problems[0].text("en")


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("login", "production", "login"),
        ("", "production", "login"),
        ("test", "sandbox", "test"),
        ("https://test.salesforce.com", "sandbox", "test"),
        ("acme.my.salesforce.com", "my_domain", "acme.my.salesforce.com"),
        ("https://ACME.my.salesforce.com/", "my_domain", "acme.my.salesforce.com"),
        ("acme--uat.sandbox.my.salesforce.com", "my_domain", "acme--uat.sandbox.my.salesforce.com"),
        ("http://127.0.0.1:8123", "loopback", "http://127.0.0.1:8123"),
        ("http://localhost:8123", "loopback", "http://127.0.0.1:8123"),
    ],
)
def test_login_hosts(text: str, kind: str, value: str) -> None:
    host = parse_login_host(text)
    assert not isinstance(host, Problem)
    assert (host.kind, host.value) == (kind, value)


def test_lightning_host_is_converted_with_a_notice() -> None:
    host = parse_login_host("https://acme.lightning.force.com")
    assert not isinstance(host, Problem)
    assert host.value == "acme.my.salesforce.com" and host.domain == "acme.my"
    assert host.notice is not None and "acme.my.salesforce.com" in host.notice.text("ja")


@pytest.mark.parametrize(("text", "code"), [("http://acme.my.salesforce.com", "host_insecure"), ("example.com", "host_invalid")])
def test_bad_hosts(text: str, code: str) -> None:
    host = parse_login_host(text)
    assert isinstance(host, Problem) and host.code == code


def test_account_rules() -> None:
    _, problems = validate_account(AccountConfig(name="x", auth_method="jwt", username="u@example.com"))
    assert codes(problems) == [("consumer_key", "consumer_key_required")]
    _, problems = validate_account(AccountConfig(name="x", auth_method="client_credentials", consumer_key="k"))
    assert codes(problems) == [("login_host", "my_domain_required")]
    _, problems = validate_account(AccountConfig(name="x", username="u", api_version="59"))
    assert codes(problems) == [("api_version", "api_version_format")]


def test_account_name_problems_name_the_account_not_the_link_setting() -> None:
    _, problems = validate_account(AccountConfig(name="  ", username="u@example.com"))
    assert [p.text("ja") for p in problems] == ["アカウント名を入力してください。"]
    assert problems[0].field_name == "name"  # the dialog still puts it next to its 名前 field
    _, problems = validate_account(AccountConfig(name="x" * 81, username="u@example.com"))
    assert problems[0].text("en").startswith("Account name must be at most 80 characters")


@pytest.mark.parametrize("template", ["着信 {customer:d}", "{customer!x}", "{customer:{start}}", "{customer:>999999999}",
                                      "{start!r}"])
def test_subject_template_with_a_format_spec_or_conversion_is_refused(template: str) -> None:
    # Each of these passed validation before and then failed (or took ~1 GB) when every Task was formatted.
    _, problems = validate_system({"subject_inbound": template})
    assert codes(problems) == [("system.subject_inbound", "template_spec")]
    assert "{customer}" in problems[0].text("ja") or "{start}" in problems[0].text("ja")
    assert "書式指定や変換" in problems[0].text("ja") and "format spec" in problems[0].text("en")


def test_subject_template_braces_and_length() -> None:
    _, problems = validate_system({"subject_outbound": "発信 {customer"})
    assert codes(problems) == [("system.subject_outbound", "template_syntax")]
    assert "{{" in problems[0].text("ja")
    _, problems = validate_system({"subject_outbound": "発" * 256})
    assert codes(problems) == [("system.subject_outbound", "too_long")]
    settings, problems = validate_system({"subject_inbound": "{{着信}} {customer} {start} {duration}" + "x" * 200})
    assert problems == [] and settings.subject_inbound.startswith("{{着信}}")


def test_outside_line_prefix() -> None:
    assert validate_system({})[0].outside_line_prefix == "0"
    for good in ("", "0", "9", "0000"):
        settings, problems = validate_system({"outside_line_prefix": good})
        assert problems == [] and settings.outside_line_prefix == good
    for bad in ("a", "00000", "0-"):
        _, problems = validate_system({"outside_line_prefix": bad})
        assert codes(problems) == [("system.outside_line_prefix", "outside_prefix_invalid")]
