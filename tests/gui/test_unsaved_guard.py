"""Unsaved edits in オブジェクト / 連携対象 are never lost (issue #13, item 4): leaving the tab, switching the setting
and closing the window ask 保存 / 破棄 / キャンセル; 設定確認 with edits asks 保存して確認 / 保存せずに確認 / キャンセル."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from helpers.window import Boxes, Button, boxes_fixture, click_setting, window_fixture  # noqa: F401 (fixtures)
from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from biztel_desk.services.context import AppContext
from biztel_desk.ui.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")
ORDER = ["Account", "Contact", "Lead"]  # the default objects, as saved
MOVED = ["Contact", "Account", "Lead"]  # after 下へ on the first row


def edit_objects(qtbot: QtBot, window: MainWindow) -> None:
    """オブジェクト: the first row one place down (an edit that needs no Salesforce to save)."""
    tab = window.objects_tab
    window.tabs.setCurrentWidget(tab)
    tab.view.selectionModel().setCurrentIndex(
        tab.model.index(0, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
    qtbot.mouseClick(tab.down_button, Qt.MouseButton.LeftButton)
    assert tab.is_dirty() and [o.api_name for o in tab.model.objects()] == MOVED


def edit_targets(qtbot: QtBot, window: MainWindow, *, show: bool = True) -> None:
    """連携対象: 編集, a second number, 追加 (not saved)."""
    tab = window.targets_tab
    if show:
        window.tabs.setCurrentWidget(tab)
    tab.edit_button.click()
    tab.number_edit.setText("06-1234-5678")
    tab.add_button.click()
    assert tab.is_dirty()


def saved_objects(context: AppContext, name: str = "本社") -> list[str]:
    setting = context.config.get_setting(name)
    assert setting is not None
    return [o.api_name for o in sorted(setting.objects, key=lambda o: o.priority)]


def saved_numbers(context: AppContext, name: str = "本社") -> list[str]:
    setting = context.config.get_setting(name)
    assert setting is not None
    return [t.number for t in setting.targets]


EDITS: dict[str, tuple[Callable[[QtBot, MainWindow], None], str]] = {
    "objects": (edit_objects, "オブジェクト"),
    "targets": (edit_targets, "連携対象"),
}


def check_outcome(window: MainWindow, context: AppContext, kind: str, answer: Button) -> None:
    """Saved (保存), as saved before (破棄), or still edited and not saved (キャンセル)."""
    if kind == "objects":
        tab = window.objects_tab
        assert saved_objects(context) == (MOVED if answer == Button.Save else ORDER)
        shown = [o.api_name for o in tab.model.objects()]
        assert shown == (ORDER if answer == Button.Discard else MOVED)
    else:
        tab = window.targets_tab  # type: ignore[assignment]
        assert saved_numbers(context) == (["03-1234-5678", "06-1234-5678"] if answer == Button.Save
                                          else ["03-1234-5678"])
        shown = [t.number for t in tab.model.targets()]
        assert shown == (["03-1234-5678"] if answer == Button.Discard else ["03-1234-5678", "06-1234-5678"])
    assert tab.is_dirty() == (answer == Button.Cancel)


@pytest.fixture
def two_settings(window: MainWindow, make_setting) -> MainWindow:  # type: ignore[no-untyped-def]
    make_setting("本社")
    make_setting("大阪支店")
    window.refresh()
    window.select_setting("本社")
    return window


@pytest.mark.parametrize("answer", [Button.Save, Button.Discard, Button.Cancel], ids=["save", "discard", "cancel"])
@pytest.mark.parametrize("kind", ["objects", "targets"])
def test_leaving_the_tab_asks(qtbot: QtBot, two_settings: MainWindow, context: AppContext, boxes: Boxes,
                              kind: str, answer: Button) -> None:
    window = two_settings
    edit, title = EDITS[kind]
    edit(qtbot, window)
    edited_tab = window.tabs.currentWidget()
    boxes.answer(answer)
    window.tabs.setCurrentWidget(window.history_tab)  # as a click on the tab bar does
    assert boxes.questions == [f"「本社」の{title}に保存されていない変更があります。保存しますか?"]
    # キャンセル keeps the admin on the tab with the edits; 保存 and 破棄 go on to the tab asked for.
    assert window.tabs.currentWidget() is (edited_tab if answer == Button.Cancel else window.history_tab)
    check_outcome(window, context, kind, answer)


@pytest.mark.parametrize("answer", [Button.Save, Button.Discard, Button.Cancel], ids=["save", "discard", "cancel"])
@pytest.mark.parametrize("kind", ["objects", "targets"])
def test_switching_the_setting_asks(qtbot: QtBot, two_settings: MainWindow, context: AppContext, boxes: Boxes,
                                    kind: str, answer: Button) -> None:
    window = two_settings
    edit, title = EDITS[kind]
    edit(qtbot, window)
    boxes.answer(answer)
    click_setting(qtbot, window, "大阪支店")
    assert boxes.questions == [f"「本社」の{title}に保存されていない変更があります。保存しますか?"]
    if answer == Button.Cancel:
        assert window.selected_setting() == "本社"
        assert window.setting_list.currentItem().text() == "本社"  # the highlight stays with the form
        check_outcome(window, context, kind, answer)
        return
    assert window.selected_setting() == "大阪支店"
    assert saved_objects(context) == (MOVED if answer == Button.Save and kind == "objects" else ORDER)
    assert saved_numbers(context) == (["03-1234-5678", "06-1234-5678"] if answer == Button.Save and kind == "targets"
                                      else ["03-1234-5678"])
    assert saved_objects(context, "大阪支店") == ORDER and saved_numbers(context, "大阪支店") == ["03-1234-5678"]
    assert not window.objects_tab.is_dirty() and not window.targets_tab.is_dirty()


@pytest.mark.parametrize("answer", [Button.Save, Button.Discard, Button.Cancel], ids=["save", "discard", "cancel"])
@pytest.mark.parametrize("kind", ["objects", "targets"])
def test_closing_the_window_asks(qtbot: QtBot, two_settings: MainWindow, context: AppContext, boxes: Boxes,
                                 kind: str, answer: Button) -> None:
    window = two_settings
    edit, title = EDITS[kind]
    edit(qtbot, window)
    boxes.answer(answer)
    window.close()
    assert boxes.questions == [f"「本社」の{title}に保存されていない変更があります。保存しますか?"]
    assert window.isVisible() == (answer == Button.Cancel)
    check_outcome(window, context, kind, answer)


def test_a_clean_tab_is_left_without_a_question(qtbot: QtBot, two_settings: MainWindow, boxes: Boxes) -> None:
    window = two_settings
    window.tabs.setCurrentWidget(window.targets_tab)
    qtbot.mouseClick(window.targets_tab.edit_button, Qt.MouseButton.LeftButton)  # editing, nothing changed
    for tab in (window.objects_tab, window.basic_tab, window.history_tab):
        window.tabs.setCurrentWidget(tab)
        assert window.tabs.currentWidget() is tab
    click_setting(qtbot, window, "大阪支店")
    assert window.selected_setting() == "大阪支店" and boxes.questions == []


def test_every_tab_with_edits_is_asked_about_on_close(qtbot: QtBot, two_settings: MainWindow, context: AppContext,
                                                      boxes: Boxes) -> None:
    window = two_settings
    edit_objects(qtbot, window)
    boxes.answer(Button.Save)  # leaving オブジェクト for 連携対象
    edit_targets(qtbot, window)
    window.basic_tab.form.memo_edit.setPlainText("メモ")
    boxes.answer(Button.Discard, Button.Save, Button.Cancel)  # 基本情報, then 連携対象, then… nothing more
    window.close()
    assert boxes.questions[1:] == ["「本社」の基本情報に保存されていない変更があります。保存しますか?",
                                   "「本社」の連携対象に保存されていない変更があります。保存しますか?"]
    assert not window.isVisible()
    assert saved_objects(context) == MOVED and saved_numbers(context) == ["03-1234-5678", "06-1234-5678"]
    assert context.config.get_setting("本社").memo == ""  # type: ignore[union-attr]
    boxes.answers.clear()


# --- 設定確認 with unsaved edits --------------------------------------------------------------------------------


def answer_verify_box(window: MainWindow, button: str) -> None:
    """Click ``button`` (the object name: saveAndVerify / verifyWithoutSaving / cancelVerify) once the question
    is open (it runs its own event loop)."""

    def click() -> None:
        box = window.edit_guard.verify_edits_box
        if box is None or not box.isVisible():
            QTimer.singleShot(20, click)
            return
        found = box.findChild(QPushButton, button)
        assert found is not None
        found.click()

    QTimer.singleShot(0, click)


@pytest.mark.parametrize("button", ["saveAndVerify", "verifyWithoutSaving", "cancelVerify"])
def test_verify_with_unsaved_edits_asks_first(qtbot: QtBot, two_settings: MainWindow, context: AppContext,
                                              boxes: Boxes, button: str) -> None:
    window = two_settings
    edit_objects(qtbot, window)
    started: list[str] = []
    window.verify_runner.started.connect(started.append)
    answer_verify_box(window, button)
    window.basic_tab.verify_button.click()
    if button == "cancelVerify":
        assert started == [] and window.objects_tab.is_dirty() and saved_objects(context) == ORDER
        return
    assert started == ["本社"]
    qtbot.waitUntil(lambda: not window.verify_runner.is_running(), timeout=20000)
    dialog = window.verify_runner.result_dialog
    if dialog is not None:
        dialog.close()
    assert saved_objects(context) == (MOVED if button == "saveAndVerify" else ORDER)
    assert window.objects_tab.is_dirty() == (button == "verifyWithoutSaving")
    assert boxes.questions == []


def test_verify_without_edits_asks_nothing(qtbot: QtBot, two_settings: MainWindow, boxes: Boxes) -> None:
    window = two_settings
    started: list[str] = []
    window.verify_runner.started.connect(started.append)
    window.basic_tab.verify_button.click()
    assert started == ["本社"] and window.edit_guard.verify_edits_box is None
    qtbot.waitUntil(lambda: not window.verify_runner.is_running(), timeout=20000)
    if window.verify_runner.result_dialog is not None:
        window.verify_runner.result_dialog.close()


def test_the_verify_question_in_japanese(qtbot: QtBot, two_settings: MainWindow, boxes: Boxes, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The question as the admin sees it (a screenshot under the test's tmp dir)."""
    window = two_settings
    edit_objects(qtbot, window)
    edit_targets(qtbot, window, show=False)
    shots: list[str] = []

    def shoot() -> None:
        box = window.edit_guard.verify_edits_box
        if box is None or not box.isVisible():
            QTimer.singleShot(20, shoot)
            return
        assert box.text() == "「本社」のオブジェクト、連携対象に保存されていない変更があります。"
        assert sorted(b.text() for b in box.buttons()) == sorted(["保存して確認", "保存せずに確認", "キャンセル"])
        assert box.defaultButton().text() == "保存して確認"
        path = tmp_path / "verify_edits.png"
        box.grab().save(str(path))
        shots.append(str(path))
        box.reject()  # Escape: キャンセル

    QTimer.singleShot(0, shoot)
    window.basic_tab.verify_button.click()
    assert shots and window.objects_tab.is_dirty() and window.targets_tab.is_dirty()
    assert boxes.questions == []


@pytest.mark.parametrize("answer", [Button.Save, Button.Discard, Button.Cancel], ids=["save", "discard", "cancel"])
def test_leaving_basic_info_asks(qtbot: QtBot, two_settings: MainWindow, context: AppContext, boxes: Boxes,
                                 answer: Button) -> None:
    window = two_settings
    window.tabs.setCurrentWidget(window.basic_tab)
    window.basic_tab.form.memo_edit.setPlainText("新しいメモ")
    boxes.answer(answer)
    window.tabs.setCurrentWidget(window.objects_tab)
    assert boxes.questions == ["「本社」の基本情報に保存されていない変更があります。保存しますか?"]
    assert window.tabs.currentWidget() is (window.basic_tab if answer == Button.Cancel else window.objects_tab)
    assert context.config.get_setting("本社").memo == ("新しいメモ" if answer == Button.Save else "")  # type: ignore[union-attr]
    assert window.basic_tab.is_dirty() == (answer == Button.Cancel)


def test_a_setting_renamed_on_leaving_its_tab_is_selected_under_its_new_name(
        qtbot: QtBot, two_settings: MainWindow, context: AppContext, boxes: Boxes) -> None:
    window = two_settings
    window.tabs.setCurrentWidget(window.basic_tab)
    window.basic_tab.name_edit.setText("本店")
    boxes.answer(Button.Save)
    window.tabs.setCurrentWidget(window.targets_tab)
    assert boxes.questions == ["「本社」の基本情報に保存されていない変更があります。保存しますか?"]
    assert window.tabs.currentWidget() is window.targets_tab
    assert window.selected_setting() == "本店" and window.targets_tab.setting_name == "本店"
    assert window.objects_tab.setting_name == "本店" and context.config.get_setting("本社") is None
