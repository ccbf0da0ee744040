"""Issue #16 (defects 6, 10): control characters in names, and the recording server URL's scheme and length.

Before the fix every value below was accepted: a tab, NUL or ANSI escape in a setting or account name, a
``javascript:`` call recording URL, and a 1 MB system recording URL (every job then failed with STRING_TOO_LONG,
because the URL lands in Task.B_ServerIP__c, a Text(50) field).
"""

from __future__ import annotations

import datetime as dt

import pytest

from biztel_desk.domain.call import RECORDING_URL_MAX, build_record
from biztel_desk.domain.config import (
    AccountConfig,
    LinkObjectConfig,
    LinkSettingConfig,
    LinkTargetConfig,
    validate_account,
    validate_basic,
    validate_objects,
    validate_system,
    validate_targets,
)
from biztel_desk.domain.messages import ProblemsError
from biztel_desk.services import settings_file
from biztel_desk.services.context import AppContext
from biztel_desk.verify.requirements import ACTIVITY_FIELDS

GOOD = LinkSettingConfig(name="本社", account="devorg", fallback_record_id="0012v000032fR15AAE", api_consent=True)
HOSTILE = {
    "tab": "本社\t大阪",
    "NUL": "本社\x00",
    "ANSI escape": "\x1b[31m本社\x1b[0m",
    "DEL": "本社\x7f",
    "line separator": "本社\u2028大阪",
    "right-to-left override": "本社\u202egpj.exe",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_setting_names_with_control_characters_are_refused(name: str) -> None:
    _, problems = validate_basic(LinkSettingConfig(**{**GOOD.__dict__, "name": HOSTILE[name]}), {"devorg"})
    assert [(p.path, p.code) for p in problems] == [("name", "control_characters")]


def test_the_message_names_the_character_and_what_to_do() -> None:
    _, problems = validate_basic(LinkSettingConfig(**{**GOOD.__dict__, "name": "本社\t大阪"}), {"devorg"})
    assert problems[0].text("ja") == (
        "連携名に使えない文字(U+0009: タブ・NUL・エスケープなどの制御文字)が含まれています。取り除いてください。"
    )
    assert problems[0].text("en") == (
        "Link name contains a character that is not allowed (U+0009: a control character such as tab, NUL or escape). "
        "Remove it."
    )


def test_account_names_tab_names_and_target_numbers_refuse_control_characters() -> None:
    _, problems = validate_account(AccountConfig(name="devorg\x1b[2J", username="a@example.com"))
    assert [(p.path, p.code) for p in problems] == [("name", "control_characters")]
    assert problems[0].text("en").startswith("Account name contains a character that is not allowed (U+001B")
    _, problems = validate_objects([LinkObjectConfig("Account", "取引先\x00", "001", 1)])
    assert [(p.path, p.code) for p in problems] == [("objects[0].tab_name", "control_characters")]
    _, problems = validate_targets([LinkTargetConfig("03-1234\t-5678")])
    assert [(p.path, p.code) for p in problems] == [("targets[0].number", "control_characters")]


def test_ordinary_japanese_names_still_pass() -> None:
    _, problems = validate_basic(LinkSettingConfig(**{**GOOD.__dict__, "name": "本社 営業部(東京)・第1課"}), {"devorg"})
    assert problems == []


def test_a_settings_file_with_a_tab_in_a_name_is_refused_whole(context: AppContext) -> None:
    text = (
        '[system]\nretention_days = 30\n\n[[accounts]]\nname = "devorg"\nusername = "a@example.com"\n\n'
        '[[settings]]\nname = "本社\\t大阪"\naccount = "devorg"\nfallback_record_id = "0012v000032fR15AAE"\n'
    )
    with pytest.raises(ProblemsError) as caught:
        settings_file.import_toml(context.config, text)
    assert {(p.path, p.code) for p in caught.value.problems} == {("settings[0].name", "control_characters")}
    assert context.config.list_accounts() == [] and context.config.system().retention_days == 90  # nothing changed


# --- the recording server URL ------------------------------------------------------------------------------


def test_the_limit_is_b_serverip_length() -> None:
    server_ip = next(f for f in ACTIVITY_FIELDS if f.api_name == "B_ServerIP__c")
    assert RECORDING_URL_MAX == server_ip.length == 50


def test_system_recording_url_of_1_mb_is_refused() -> None:
    _, problems = validate_system({"recording_server_url": "https://" + "a" * 1_000_000 + ".jp"})
    assert [(p.path, p.code) for p in problems] == [("system.recording_server_url", "too_long")]
    assert problems[0].text("en") == "Recording server URL must be at most 50 characters (now 1000011)."
    _, problems = validate_system({"recording_server_url": "https://s0000.u.biztel.jp:8000/"})
    assert problems == []  # the trailing / is not sent


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://s0000.u.biztel.jp", "https://", "http://[::1", "https://a\tb.jp"])
def test_system_recording_url_must_be_http_or_https_with_a_host(url: str) -> None:
    _, problems = validate_system({"recording_server_url": url})
    assert [p.code for p in problems] in (["url_invalid"], ["control_characters"])


def test_saving_a_1_mb_system_url_through_the_service_changes_nothing(context: AppContext) -> None:
    with pytest.raises(ProblemsError):
        context.config.save_system({"recording_server_url": "https://" + "a" * 1_000_000 + ".jp"})
    assert context.config.system().recording_server_url == ""


@pytest.mark.parametrize(("url", "code"), [
    ("javascript:alert(1)", "bad_url"),
    ("JAVASCRIPT:alert(1)", "bad_url"),
    ("data:text/html,<script>", "bad_url"),
    ("//evil.example.jp", "bad_url"),
    ("https://" + "a" * 43, "too_long"),
    ("https://s0000.u.biztel.jp:99999", "bad_url"),
])
def test_a_calls_recording_url_must_be_http_within_50(url: str, code: str) -> None:
    values = {"unique_id": "u", "from_number": "09011112222", "to_number": "0312345678",
              "started_at": "2024-04-01 09:00:00", "recording_server_url": url}
    problem = build_record(values, dt.UTC, "test")
    assert getattr(problem, "code", None) == code
    good = build_record({**values, "recording_server_url": "http://10.0.0.5:8000"}, dt.UTC, "test")
    assert getattr(good, "recording_server_url", None) == "http://10.0.0.5:8000"


def test_a_settings_file_with_a_long_recording_url_is_refused_whole(context: AppContext) -> None:
    text = '[system]\nretention_days = 30\nrecording_server_url = "https://' + "a" * 60 + '.jp"\n'
    with pytest.raises(ProblemsError) as caught:
        settings_file.import_toml(context.config, text)
    assert [(p.path, p.code) for p in caught.value.problems] == [("system.recording_server_url", "too_long")]
    assert context.config.system().retention_days == 90
