"""The main window driven as a user: the settings list, 新規 / 削除, unsaved-edit prompts, menus, status bar, restart."""

from __future__ import annotations

import sys
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
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from biztel_desk.domain.config import AccountConfig
from biztel_desk.secrets import SecretStore
from biztel_desk.services.context import AppContext
from biztel_desk.ui.crash import install_crash_handler, scrub
from biztel_desk.ui.main_window import MainWindow


def click(qtbot: QtBot, button) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_window_shows_title_tabs_menus_and_status_bar(window: MainWindow, make_setting) -> None:  # type: ignore[no-untyped-def]
    assert window.windowTitle() == "BIZTEL Desk — Salesforce履歴録音連携"
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == ["基本情報", "オブジェクト", "連携対象", "連携通話履歴"]
    menus = [action.text() for action in window.menuBar().actions()]
    assert menus == ["ファイル(&F)", "設定(&S)", "ヘルプ(&H)"]
    assert window.link_status_label.text() == "連携設定が選択されていません"
    assert not window.delete_button.isEnabled()
    assert not window.basic_tab.basic_group.isEnabled()  # nothing selected: the form is disabled

    make_setting()
    window.refresh()
    window.select_setting("本社")
    assert window.link_status_label.text() == "録音連携ステータス: 無効"
    assert window.jobs_label.text() == "この設定: 待機 0 / 連携済み 0 / 失敗 0"
    assert window.worker_label.text() == "ワーカー: 停止中"
    window.set_worker_state("送信中")
    assert window.worker_label.text() == "ワーカー: 送信中"


def test_new_setting_gets_a_unique_name_and_the_default_objects(qtbot: QtBot, context: AppContext, window: MainWindow, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(name="連携設定 1")
    window.refresh()
    click(qtbot, window.new_button)
    tab = window.basic_tab
    assert tab.is_new() and window.tabs.currentWidget() is tab
    assert tab.name_edit.text() == "連携設定 2"
    assert window.link_status_label.text() == "新しい連携設定(未保存)"
    assert not tab.verify_button.isEnabled() and not any(b.isEnabled() for b in tab.status_buttons.values())
    tab.form.fallback_edit.setText("0012v000032fR15AAE")
    click(qtbot, tab.save_button)
    assert list_names(window) == ["連携設定 1", "連携設定 2"]
    assert window.selected_setting() == "連携設定 2"
    stored = context.config.get_setting("連携設定 2")
    assert stored is not None
    assert [(o.api_name, o.tab_code) for o in stored.objects] == [("Account", "001"), ("Contact", "003"), ("Lead", "00Q")]


def test_delete_asks_with_the_setting_name(qtbot: QtBot, context: AppContext, window: MainWindow, boxes: Boxes, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(name="本社")
    make_setting(name="大阪")
    window.refresh()
    click_setting(qtbot, window, "本社")

    boxes.answer(Button.No)
    click(qtbot, window.delete_button)
    assert "連携設定「本社」を削除しますか" in boxes.questions[-1]
    assert list_names(window) == ["本社", "大阪"]

    boxes.answer(Button.Yes)
    click(qtbot, window.delete_button)
    assert [s.name for s in context.config.list_settings()] == ["大阪"]
    assert list_names(window) == ["大阪"]
    assert window.selected_setting() == "大阪"
    assert window.basic_tab.name_edit.text() == "大阪"


def test_switching_with_unsaved_edits_asks_to_save_discard_or_cancel(qtbot: QtBot, context: AppContext, window: MainWindow, boxes: Boxes, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(name="本社")
    make_setting(name="大阪")
    window.refresh()
    click_setting(qtbot, window, "本社")
    tab = window.basic_tab
    tab.form.memo_edit.setPlainText("編集中")

    boxes.answer(Button.Cancel)
    click_setting(qtbot, window, "大阪")
    assert "「本社」" in boxes.questions[-1]
    assert window.selected_setting() == "本社"
    assert window.setting_list.currentItem().text() == "本社"
    assert tab.form.memo_edit.toPlainText() == "編集中"

    boxes.answer(Button.Discard)
    click_setting(qtbot, window, "大阪")
    assert window.selected_setting() == "大阪" and tab.name_edit.text() == "大阪"
    assert context.config.get_setting("本社").memo == ""  # type: ignore[union-attr]

    tab.form.memo_edit.setPlainText("大阪のメモ")
    boxes.answer(Button.Save)
    click_setting(qtbot, window, "本社")
    assert context.config.get_setting("大阪").memo == "大阪のメモ"  # type: ignore[union-attr]
    assert window.selected_setting() == "本社" and tab.name_edit.text() == "本社"

    tab.name_edit.clear()  # invalid edits cannot be saved: the switch is refused and the message stays
    boxes.answer(Button.Save)
    click_setting(qtbot, window, "大阪")
    assert window.selected_setting() == "本社"
    assert tab.form.errors["name"].isVisible()
    assert len(boxes.questions) == 4


def test_closing_with_unsaved_edits_can_be_cancelled(qtbot: QtBot, window: MainWindow, boxes: Boxes, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    window.refresh()
    click_setting(qtbot, window, "本社")
    window.basic_tab.form.memo_edit.setPlainText("まだ保存していない")
    boxes.answer(Button.Cancel)
    assert not window.close()
    assert window.isVisible()


def test_selection_and_geometry_survive_a_restart(qtbot: QtBot, window: MainWindow, data_dir: Path, secrets: SecretStore, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(name="本社")
    make_setting(name="大阪")
    window.refresh()
    click_setting(qtbot, window, "大阪")
    window.tabs.setCurrentIndex(2)
    window.resize(1000, 650)
    assert window.close()

    restarted = open_window(qtbot, reopen_context(data_dir, secrets))
    try:
        assert restarted.selected_setting() == "大阪"
        assert restarted.setting_list.currentItem().text() == "大阪"
        assert restarted.tabs.currentIndex() == 2
        # The offscreen screen is 800×600, so the restored width is clamped to the minimum; the height is not.
        assert restarted.height() == 650 and restarted.width() < 1100
    finally:
        close_window(restarted)
        restarted.context.close()


@pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform's note when a dialog is shown
def test_account_dialog_refreshes_the_account_choice(qtbot: QtBot, context: AppContext, window: MainWindow) -> None:
    window.new_button.click()
    combo = window.basic_tab.form.account_combo
    assert combo.count() == 0 and window.basic_tab.form.account_hint.isVisible()

    def register_and_close() -> None:
        dialog = QApplication.activeModalWidget()
        assert dialog is not None
        context.config.save_account(AccountConfig(name="devorg", username="admin@example.com"))
        dialog.close()

    QTimer.singleShot(0, register_and_close)
    window.account_action.trigger()
    assert [combo.itemText(i) for i in range(combo.count())] == ["devorg"]
    assert combo.currentText() == "devorg"
    assert not window.basic_tab.form.account_hint.isVisible()


def test_crash_handler_logs_a_scrubbed_traceback_and_tells_the_user_once(monkeypatch, data_dir: Path, boxes: Boxes) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    hook = install_crash_handler(data_dir)
    assert sys.excepthook is hook
    try:
        raise RuntimeError("login failed for user=admin password=hunter2 security_token: 'abc123' key=XYZ")
    except RuntimeError as error:
        hook(RuntimeError, error, error.__traceback__)
    log = (data_dir / "logs" / "crash.log").read_text(encoding="utf-8")
    assert "RuntimeError" in log and "test_main_window.py" in log
    assert "hunter2" not in log and "abc123" not in log and "XYZ" not in log
    assert "user=admin" in log
    assert [kind for kind, _ in boxes.shown] == ["critical"]
    assert str(data_dir / "logs" / "crash.log") in boxes.shown[0][1]


def test_scrub_keeps_exception_names() -> None:
    assert scrub("KeyError: 'Account'") == "KeyError: 'Account'"
    assert scrub('{"client_secret": "s3cr3t"}') == '{"client_secret": ***}'
    assert scrub("Authorization: Bearer 00D5g000004ABCD!AQ") == "Authorization: Bearer ***"
