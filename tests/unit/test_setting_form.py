"""services.setting_form: what the 基本情報 tab's 保存 stores and which buttons it offers, without Qt."""

from __future__ import annotations

from biztel_desk.domain.config import DEFAULT_OBJECTS, LinkObjectConfig, LinkSettingConfig, LinkStatus, LinkTargetConfig
from biztel_desk.services.setting_form import (
    StatusView,
    basic_to_save,
    consent_unsaved,
    form_buttons,
    status_step,
    status_view,
)

FIELDS = {"name": "本社", "account": "devorg", "memo": "メモ", "api_consent": True}


def test_a_new_setting_gets_the_defaults_of_a_new_one() -> None:
    setting = basic_to_save(None, FIELDS)
    assert (setting.name, setting.account, setting.memo, setting.api_consent) == ("本社", "devorg", "メモ", True)
    assert setting.objects == DEFAULT_OBJECTS and setting.status == "disabled" and setting.targets == ()


def test_a_saved_setting_keeps_what_the_database_holds_beyond_the_fields() -> None:
    stored = LinkSettingConfig(name="旧名", account="old", status="paused", objects=(LinkObjectConfig("Lead", "リード", "00Q", 1),),
                               targets=(LinkTargetConfig("03-1234-5678"),))
    setting = basic_to_save(stored, FIELDS)
    assert (setting.name, setting.account, setting.memo) == ("本社", "devorg", "メモ")
    assert setting.status == "paused"  # changed elsewhere (the CLI): never reverted by a 保存 of the fields
    assert setting.objects == stored.objects and setting.targets == stored.targets


def test_form_buttons() -> None:
    assert form_buttons(active=False, is_new=False, dirty=False) == (False, False)  # no setting shown
    assert form_buttons(active=True, is_new=False, dirty=False) == (False, False)  # nothing edited
    assert form_buttons(active=True, is_new=False, dirty=True) == (True, True)
    assert form_buttons(active=True, is_new=True, dirty=False) == (True, False)  # a new one can always be saved


def test_status_view_of_a_saved_setting_a_new_one_and_none() -> None:
    paused = LinkSettingConfig(name="本社", status="paused")
    assert status_view(paused, is_new=False) == StatusView(True, LinkStatus.PAUSED, LinkStatus.PAUSED)
    assert status_view(None, is_new=True) == StatusView(False, LinkStatus.DISABLED, None)  # save it first
    assert status_view(None, is_new=False) == StatusView(False, LinkStatus.DISABLED, None)  # nothing shown


def test_status_step_asks_before_disabling_only() -> None:
    assert status_step(LinkStatus.ENABLED, LinkStatus.ENABLED) == ""
    assert status_step(LinkStatus.ENABLED, LinkStatus.DISABLED) == "ask"
    assert status_step(LinkStatus.DISABLED, LinkStatus.PAUSED) == "set"
    assert status_step(LinkStatus.PAUSED, LinkStatus.ENABLED) == "set"


def test_consent_unsaved_when_ticked_but_not_stored() -> None:
    assert consent_unsaved(True, LinkSettingConfig(name="本社", api_consent=False))
    assert not consent_unsaved(True, LinkSettingConfig(name="本社", api_consent=True))
    assert not consent_unsaved(False, LinkSettingConfig(name="本社", api_consent=False))
    assert not consent_unsaved(True, None)
