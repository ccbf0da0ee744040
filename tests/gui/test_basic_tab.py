"""基本情報 tab driven as a user: create, validate inline, save, restart, link status and fallback Id extraction."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.window import (  # noqa: F401 (fixtures)
    Boxes,
    Button,
    boxes_fixture,
    click_setting,
    close_window,
    list_names,
    open_window,
    reopen_context,
    window_fixture,
)
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from biztel_desk.domain.config import DEFAULT_OBJECTS, AccountConfig
from biztel_desk.domain.messages import message
from biztel_desk.secrets import SecretStore
from biztel_desk.services.context import AppContext
from biztel_desk.ui.main_window import MainWindow

LIGHTNING_URL = "https://ap15.lightning.force.com/lightning/r/Account/0012v000032fR15AAE/view"


def type_into(qtbot: QtBot, widget, text: str) -> None:  # type: ignore[no-untyped-def]
    """Select all and paste ``text`` (QTest cannot type Japanese or URL punctuation on every platform)."""
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
    widget.selectAll()
    widget.insert(text)


def click(qtbot: QtBot, button) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_new_setting_is_validated_inline_then_saved_and_survives_a_restart(
    qtbot: QtBot, context: AppContext, window: MainWindow, data_dir: Path, secrets: SecretStore, boxes: Boxes
) -> None:
    context.config.save_account(AccountConfig(name="devorg", username="admin@example.com"))
    tab = window.basic_tab
    tab.refresh_accounts()
    click(qtbot, window.new_button)
    assert tab.name_edit.text() == "連携設定 1"
    assert tab.form.account_combo.currentText() == "devorg"  # the only account is preselected

    tab.name_edit.clear()
    tab.form.memo_edit.setPlainText("あ" * 501)
    type_into(qtbot, tab.form.fallback_edit, "0012v000032fR15ABC")  # 18 characters, wrong checksum
    click(qtbot, tab.save_button)

    assert tab.form.errors["name"].isVisible()
    assert tab.form.errors["name"].text() == message("required", "ja", field_name="name")
    assert tab.form.errors["memo"].text() == message("too_long", "ja", field_name="memo", max=500, length=501)
    assert tab.form.fallback_hint.text() == message("id_checksum", "ja", field_name="fallback_record_id")
    assert tab.summary_label.isVisible() and "3件" in tab.summary_label.text()
    assert context.config.list_settings() == []

    type_into(qtbot, tab.form.fallback_edit, "https://ap15.lightning.force.com/lightning/o/Account/list")
    assert tab.form.fallback_hint.text() == message("id_not_in_url", "ja", field_name="fallback_record_id")
    click(qtbot, tab.save_button)
    assert tab.form.fallback_hint.text() == message("id_not_in_url", "ja", field_name="fallback_record_id")
    assert context.config.list_settings() == []

    type_into(qtbot, tab.name_edit, "本社コールセンター")
    tab.form.memo_edit.setPlainText("あ" * 500)
    type_into(qtbot, tab.form.fallback_edit, LIGHTNING_URL)
    tab.form.consent_check.setChecked(True)
    tab.form.no_match_combo.setCurrentIndex(tab.form.no_match_combo.findData("retry_then_fallback"))
    click(qtbot, tab.form.case_radio)
    with qtbot.waitSignal(tab.saved) as saved:
        click(qtbot, tab.save_button)
    assert saved.args == ["本社コールセンター"]
    assert not tab.form.errors["name"].isVisible() and not tab.summary_label.isVisible()
    assert list_names(window) == ["本社コールセンター"]
    assert window.selected_setting() == "本社コールセンター"
    stored = context.config.get_setting("本社コールセンター")
    assert stored is not None and stored.objects == DEFAULT_OBJECTS and stored.status == "disabled"

    window.close()
    restarted = open_window(qtbot, reopen_context(data_dir, secrets))
    try:
        basic = restarted.basic_tab
        assert restarted.selected_setting() == "本社コールセンター"
        assert basic.name_edit.text() == "本社コールセンター"
        assert basic.form.account_combo.currentText() == "devorg"
        assert basic.form.fallback_edit.text() == "0012v000032fR15AAE"
        assert basic.form.consent_check.isChecked()
        assert basic.form.memo_edit.toPlainText() == "あ" * 500
        assert basic.form.no_match_combo.currentData() == "retry_then_fallback"
        assert basic.form.case_radio.isChecked()
        assert not basic.is_dirty()
    finally:
        close_window(restarted)
        restarted.context.close()


def test_unknown_account_is_refused_next_to_the_account(qtbot: QtBot, context: AppContext, window: MainWindow) -> None:
    context.config.save_account(AccountConfig(name="devorg", username="admin@example.com"))
    context.config.save_account(AccountConfig(name="旧組織", username="old@example.com"))
    tab = window.basic_tab
    click(qtbot, window.new_button)
    tab.form.account_combo.setCurrentIndex(tab.form.account_combo.findText("旧組織"))
    type_into(qtbot, tab.form.fallback_edit, "0012v000032fR15AAE")
    context.config.delete_account("旧組織")  # removed meanwhile, e.g. from the command line

    click(qtbot, tab.save_button)
    assert tab.form.errors["account"].text() == message("unknown_account", "ja", field_name="account", value="旧組織")
    assert context.config.list_settings() == []

    tab.refresh_accounts()
    tab.form.account_combo.setCurrentIndex(tab.form.account_combo.findText("devorg"))
    click(qtbot, tab.save_button)
    assert not tab.form.errors["account"].isVisible()
    assert [s.name for s in context.config.list_settings()] == ["連携設定 1"]


def test_fallback_record_shows_the_extracted_id_as_you_type(qtbot: QtBot, window: MainWindow, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    window.refresh()
    click_setting(qtbot, window, "本社")
    tab = window.basic_tab
    type_into(qtbot, tab.form.fallback_edit, LIGHTNING_URL)
    assert tab.form.fallback_hint.text() == "抽出したID: 0012v000032fR15AAE"
    type_into(qtbot, tab.form.fallback_edit, "https://acme.my.salesforce.com/0012v000032fR15")
    assert tab.form.fallback_hint.text() == "抽出したID: 0012v000032fR15AAE"
    type_into(qtbot, tab.form.fallback_edit, "0012v000032fR")
    assert tab.form.fallback_hint.text() == message("id_format", "ja", field_name="fallback_record_id")


def test_memo_counter_counts_characters_and_turns_red_above_500(qtbot: QtBot, window: MainWindow, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    window.refresh()
    click_setting(qtbot, window, "本社")
    tab = window.basic_tab
    tab.form.memo_edit.setPlainText("😀" * 500)  # one character each, though 4 bytes in UTF-8 and 2 units in UTF-16
    assert tab.form.memo_counter.text() == "500 / 500"
    assert "#c62828" not in tab.form.memo_counter.styleSheet()
    qtbot.keyClicks(tab.form.memo_edit, "x")
    assert tab.form.memo_counter.text() == "501 / 500"
    assert "#c62828" in tab.form.memo_counter.styleSheet()


def test_status_needs_api_consent(qtbot: QtBot, context: AppContext, window: MainWindow, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(api_consent=False)
    window.refresh()
    click_setting(qtbot, window, "本社")
    tab = window.basic_tab
    click(qtbot, tab.status_buttons["enabled"])  # type: ignore[index]
    assert tab.status_error.text().startswith(message("consent_required", "ja"))
    assert tab.status_buttons["disabled"].isChecked()  # type: ignore[index]
    assert context.config.get_setting("本社").status == "disabled"  # type: ignore[union-attr]

    click(qtbot, tab.form.consent_check)
    click(qtbot, tab.status_buttons["paused"])  # type: ignore[index]
    assert "先に「保存」" in tab.status_error.text()  # the consent is ticked but not saved yet
    assert context.config.get_setting("本社").status == "disabled"  # type: ignore[union-attr]

    click(qtbot, tab.save_button)
    with qtbot.waitSignal(tab.changed):
        click(qtbot, tab.status_buttons["enabled"])  # type: ignore[index]
    assert not tab.status_error.isVisible()
    assert context.config.get_setting("本社").status == "enabled"  # type: ignore[union-attr]
    assert window.link_status_label.text() == "録音連携ステータス: 有効"
    assert window.setting_list.item(0).data(Qt.ItemDataRole.UserRole + 1) == "enabled"


def test_disabling_asks_first(qtbot: QtBot, context: AppContext, window: MainWindow, boxes: Boxes, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    context.config.set_status("本社", "enabled")
    window.refresh()
    click_setting(qtbot, window, "本社")
    tab = window.basic_tab

    boxes.answer(Button.No)
    click(qtbot, tab.status_buttons["disabled"])  # type: ignore[index]
    assert "「本社」" in boxes.questions[-1] and "連携されません" in boxes.questions[-1]
    assert tab.status_buttons["enabled"].isChecked()  # type: ignore[index]
    assert context.config.get_setting("本社").status == "enabled"  # type: ignore[union-attr]

    boxes.answer(Button.Yes)
    click(qtbot, tab.status_buttons["disabled"])  # type: ignore[index]
    assert context.config.get_setting("本社").status == "disabled"  # type: ignore[union-attr]
    assert window.link_status_label.text() == "録音連携ステータス: 無効"

    click(qtbot, tab.status_buttons["paused"])  # no question when not disabling
    assert context.config.get_setting("本社").status == "paused"  # type: ignore[union-attr]
    assert len(boxes.questions) == 2


def test_consent_removed_while_enabled_is_refused_on_save(qtbot: QtBot, context: AppContext, window: MainWindow, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    context.config.set_status("本社", "paused")
    window.refresh()
    click_setting(qtbot, window, "本社")
    tab = window.basic_tab
    click(qtbot, tab.form.consent_check)
    click(qtbot, tab.save_button)
    assert tab.form.errors["api_consent"].text() == message("consent_required", "ja")
    assert context.config.get_setting("本社").api_consent  # type: ignore[union-attr]


def test_revert_restores_the_saved_values(qtbot: QtBot, window: MainWindow, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    window.refresh()
    click_setting(qtbot, window, "本社")
    tab = window.basic_tab
    assert not tab.save_button.isEnabled() and not tab.revert_button.isEnabled()
    type_into(qtbot, tab.name_edit, "名古屋")
    assert tab.is_dirty() and tab.save_button.isEnabled() and tab.revert_button.isEnabled()
    click(qtbot, tab.revert_button)
    assert tab.name_edit.text() == "本社" and not tab.is_dirty()


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_verify_button_emits_the_setting_name(qtbot: QtBot, window: MainWindow, boxes: Boxes, make_setting) -> None:  # type: ignore[no-untyped-def]
    tab = window.basic_tab
    assert not tab.verify_button.isEnabled()  # nothing selected
    make_setting()
    window.refresh()
    click_setting(qtbot, window, "本社")
    assert tab.verify_button.isEnabled()
    with qtbot.waitSignal(tab.verify_requested) as requested:
        click(qtbot, tab.verify_button)
    assert requested.args == ["本社"]
    # The window runs 設定確認 in the background: the account has no password in the keyring, so the
    # verification ends with a report saying so, shown in the result popup; the button comes back.
    qtbot.waitUntil(lambda: not window.verify_runner.is_running(), timeout=20000)
    qtbot.waitUntil(lambda: window.verify_runner.result_dialog is not None and window.verify_runner.result_dialog.isVisible(), timeout=5000)
    assert tab.verify_button.isEnabled()
    window.verify_runner.result_dialog.close()


def test_on_unanswered_is_chosen_saved_and_exported(qtbot: QtBot, context: AppContext, window: MainWindow) -> None:
    from biztel_desk.services.settings_file import export_toml

    context.config.save_account(AccountConfig(name="devorg", username="admin@example.com"))
    tab = window.basic_tab
    tab.refresh_accounts()
    click(qtbot, window.new_button)
    type_into(qtbot, tab.form.fallback_edit, "0012v000032fR15AAE")
    assert tab.form.unanswered_combo.currentData() == "link"  # the default: a missed customer is a call too
    assert tab.form.unanswered_combo.findData("skip") >= 0
    tab.form.unanswered_combo.setCurrentIndex(tab.form.unanswered_combo.findData("skip"))
    click(qtbot, tab.save_button)
    saved = context.config.get_setting("連携設定 1")
    assert saved is not None and saved.on_unanswered == "skip"
    window.resize(1000, 900)
    tab.grab().save("/tmp/h8_basic_on_unanswered.png")
    assert 'on_unanswered = "skip"' in export_toml(context.config)
    assert "link | skip" in export_toml(context.config)
