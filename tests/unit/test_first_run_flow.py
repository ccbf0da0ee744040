"""The first-run wizard's flow without Qt (services.first_run): when アカウント's 次へ is allowed, what each page
checks or saves on 次へ, and what 有効化 offers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from biztel_desk.domain.config import (
    DEFAULT_OBJECTS,
    AccountConfig,
    LinkObjectConfig,
    LinkSettingConfig,
    LinkTargetConfig,
)
from biztel_desk.domain.messages import ProblemsError
from biztel_desk.services.context import AppContext
from biztel_desk.services.first_run import ConnectionCheck, enable_choice, leave_objects, leave_setting, save_setting
from biztel_desk.verify.report import VerificationReport, problem


def test_next_only_after_a_success_with_the_values_shown_and_an_edit_undoes_it() -> None:
    check = ConnectionCheck()
    assert not check.holds(("a",)) and not check.edited(("b",))  # nothing tested: no "test again" either
    check.start(("a",))
    assert not check.holds(("a",))
    assert not check.edited(("b",))  # typing while the test runs: its result decides
    assert not check.succeed(("b",))  # the values changed meanwhile: the success is of other values
    assert check.holds(("a",)) and not check.holds(("b",))
    check.start(("b",))
    assert check.succeed(("b",)) and check.holds(("b",))
    assert not check.edited(("b",))  # an edit that changed nothing (typed and undone)
    assert check.edited(("c",)) and not check.holds(("b",))
    assert not check.edited(("d",))  # said once
    check.start(("d",))
    check.fail()
    assert not check.holds(("d",))


def _account(context: AppContext) -> LinkSettingConfig:
    context.config.save_account(AccountConfig(name="本番組織", username="admin@example.com"))
    return LinkSettingConfig(name="本社", account="本番組織", fallback_record_id="0012v000032fR15AAE", api_consent=True)


def test_a_new_setting_is_checked_on_leaving_its_page_and_created_with_its_objects_and_targets(
    context: AppContext,
) -> None:
    config = context.config
    basic = _account(context)
    with pytest.raises(ProblemsError) as refused:
        leave_setting(config, None, LinkSettingConfig(name="", account="本番組織"))
    assert "name" in {found.field_name for found in refused.value.problems}
    assert leave_setting(config, None, basic) is None and config.list_settings() == []
    objects = [LinkObjectConfig("Contact", "取引先責任者", "003", 1)]
    leave_objects(config, None, objects)
    assert config.list_settings() == []  # checked only
    with pytest.raises(ProblemsError):
        leave_objects(config, None, [*objects, LinkObjectConfig("Account", "取引先", "001", 1)])  # one priority twice
    with pytest.raises(ProblemsError):
        save_setting(config, None, basic, objects, [LinkTargetConfig("12345")])
    assert config.list_settings() == []
    assert save_setting(config, None, basic, objects, [LinkTargetConfig("03-1234-5678")]) == "本社"
    saved = config.get_setting("本社")
    assert saved is not None and saved.objects == tuple(objects)
    assert [target.number for target in saved.targets] == ["03-1234-5678"]


def test_once_created_each_page_saves_on_leaving_it(context: AppContext, make_setting: Callable[..., object]) -> None:
    config = context.config
    make_setting("本社", account="本番組織")
    existing = config.get_setting("本社")
    assert existing is not None and existing.objects == DEFAULT_OBJECTS
    assert leave_setting(config, "本社", replace(existing, name="大阪")) == "大阪"
    assert config.get_setting("本社") is None
    leave_objects(config, "大阪", [LinkObjectConfig("Lead", "リード", "00Q", 1)])
    assert save_setting(config, "大阪", existing, [], [LinkTargetConfig("06-6123-4567")]) == "大阪"
    saved = config.get_setting("大阪")
    assert saved is not None and [o.api_name for o in saved.objects] == ["Lead"]
    assert [target.number for target in saved.targets] == ["06-6123-4567"]


def test_enable_is_offered_with_api_consent_and_chosen_when_verification_found_nothing() -> None:
    consent = LinkSettingConfig(name="本社", api_consent=True)
    ok, problems = VerificationReport("本社"), VerificationReport("本社", [problem("label_missing", "label:WavImg")])
    assert enable_choice(None, ok) == (False, False)
    assert enable_choice(LinkSettingConfig(name="本社"), ok) == (False, False)
    assert enable_choice(consent, ok) == (True, True)
    assert enable_choice(consent, problems) == (True, False)
    assert enable_choice(consent, None) == (True, False)  # 設定確認 did not complete
