"""連携対象 tab driven as an admin would: 編集, add numbers, check them, 保存 or キャンセル."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from biztel_desk.domain.config import LinkTargetConfig
from biztel_desk.services.context import AppContext
from biztel_desk.ui.models.targets_model import CHECK, DEFAULT_OUTBOUND, NORMALIZED, TargetsModel
from biztel_desk.ui.tabs.targets_tab import TargetsTab

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def _tab(qtbot, context: AppContext, name: str | None = "本社") -> TargetsTab:  # type: ignore[no-untyped-def]
    tab = TargetsTab(context)
    qtbot.addWidget(tab)
    tab.load(name)
    tab.resize(800, 500)
    tab.show()
    qtbot.waitExposed(tab)
    return tab


def _click_checkbox(qtbot, tab: TargetsTab, row: int, column: int) -> None:  # type: ignore[no-untyped-def]
    rect = tab.view.visualRect(tab.model.index(row, column))
    # The indicator sits at the left edge of the cell, after the item margin.
    point = QPoint(rect.left() + 12, rect.center().y())
    qtbot.mouseClick(tab.view.viewport(), Qt.MouseButton.LeftButton, pos=point)


def _add(qtbot, tab: TargetsTab, number: str) -> None:  # type: ignore[no-untyped-def]
    tab.number_edit.clear()
    if number.isascii():
        qtbot.keyClicks(tab.number_edit, number)
    else:
        tab.number_edit.insert(number)  # what an input method commits
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)


def _checked(tab: TargetsTab, row: int, column: int = CHECK) -> bool:
    return tab.model.data(tab.model.index(row, column), Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked


def test_targets_model_passes_the_model_tester(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = TargetsModel()
    model.set_targets([LinkTargetConfig("03-1234-5678"), LinkTargetConfig("+1 650 253 0000", enabled=False)])
    qtmodeltester.check(model)
    model.set_editable(True)
    model.append(LinkTargetConfig("06-6123-4567"))
    qtmodeltester.check(model)


def test_check_new_is_the_one_add_check_of_the_tab_and_the_wizard() -> None:
    """What 追加 accepts (the tab's and the wizard's): a number, not one in the table under any spelling."""
    model = TargetsModel()
    model.set_targets([LinkTargetConfig("03-1234-5678")])
    assert model.check_new("06-6123-4567") == ("+81661234567", None)
    e164, problem = model.check_new("(03)1234-5678")
    assert e164 is None and problem is not None and problem.code == "phone_duplicate"
    e164, problem = model.check_new("12345")
    assert problem is not None and problem.code != "phone_duplicate"


def test_read_only_until_edit(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    tab = _tab(qtbot, context)
    assert tab.model.data(tab.model.index(0, 1)) == "03-1234-5678"
    assert tab.model.data(tab.model.index(0, NORMALIZED)) == "+81 3-1234-5678"
    assert not tab.save_button.isVisible() and not tab.number_edit.isVisible()
    _click_checkbox(qtbot, tab, 0, CHECK)
    assert _checked(tab, 0)  # nothing changes outside edit mode
    assert tab.warning_label.isHidden()


def test_add_check_and_save(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    tab = _tab(qtbot, context)
    qtbot.mouseClick(tab.edit_button, Qt.MouseButton.LeftButton)
    assert tab.save_button.isVisible()
    _add(qtbot, tab, "０６－６１２３－４５６７")
    assert tab.model.rowCount() == 2 and tab.problems_label.isHidden()
    assert tab.model.data(tab.model.index(1, NORMALIZED)) == "+81 6-6123-4567"
    _click_checkbox(qtbot, tab, 0, CHECK)
    assert not _checked(tab, 0)
    _click_checkbox(qtbot, tab, 1, DEFAULT_OUTBOUND)
    assert _checked(tab, 1, DEFAULT_OUTBOUND)
    with qtbot.waitSignal(tab.changed):
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert not tab.is_editing() and tab.status_label.text() == "保存しました。"

    again = _tab(qtbot, context)
    assert again.model.targets() == [
        LinkTargetConfig("03-1234-5678", enabled=False),
        LinkTargetConfig("０６－６１２３－４５６７", enabled=True, default_outbound=True),
    ]


def test_only_one_default_outbound(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(targets=(LinkTargetConfig("03-1234-5678", default_outbound=True), LinkTargetConfig("06-6123-4567")))
    tab = _tab(qtbot, context)
    qtbot.mouseClick(tab.edit_button, Qt.MouseButton.LeftButton)
    _click_checkbox(qtbot, tab, 1, DEFAULT_OUTBOUND)
    assert not _checked(tab, 0, DEFAULT_OUTBOUND) and _checked(tab, 1, DEFAULT_OUTBOUND)


def test_invalid_number_is_refused_with_the_reason(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    tab = _tab(qtbot, context)
    qtbot.mouseClick(tab.edit_button, Qt.MouseButton.LeftButton)
    _add(qtbot, tab, "03-1234")
    assert tab.model.rowCount() == 1
    assert tab.problems_label.isVisible()
    assert "電話番号「03-1234」は有効な番号ではありません" in tab.problems_label.text()
    assert tab.number_edit.text() == "03-1234"  # kept, to be corrected


def test_duplicate_in_another_format_is_refused(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    tab = _tab(qtbot, context)
    qtbot.mouseClick(tab.edit_button, Qt.MouseButton.LeftButton)
    _add(qtbot, tab, "+81 3-1234-5678")
    assert tab.model.rowCount() == 1
    assert "電話番号「+81 3-1234-5678」は既に登録されています" in tab.problems_label.text()
    qtbot.keyClicks(tab.number_edit, "9")
    assert tab.problems_label.isHidden()  # the message goes away once the admin types


def test_cancel_restores_what_was_saved(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(targets=(LinkTargetConfig("03-1234-5678"), LinkTargetConfig("06-6123-4567", enabled=False)))
    tab = _tab(qtbot, context)
    before = tab.model.targets()
    qtbot.mouseClick(tab.edit_button, Qt.MouseButton.LeftButton)
    _add(qtbot, tab, "045-123-4567")
    _click_checkbox(qtbot, tab, 1, CHECK)
    tab.view.selectRow(0)
    qtbot.mouseClick(tab.delete_button, Qt.MouseButton.LeftButton)
    assert tab.model.targets() != before
    qtbot.mouseClick(tab.cancel_button, Qt.MouseButton.LeftButton)
    assert tab.model.targets() == before
    assert not tab.is_editing() and tab.edit_button.isEnabled()
    assert context.config.get_setting("本社").targets == tuple(before)


def test_warning_when_no_number_is_checked(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    tab = _tab(qtbot, context)
    assert tab.warning_label.isHidden()
    qtbot.mouseClick(tab.edit_button, Qt.MouseButton.LeftButton)
    _click_checkbox(qtbot, tab, 0, CHECK)
    assert tab.warning_label.isVisible() and tab.warning_label.text() == "電話番号設定が不足しています"
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    again = _tab(qtbot, context)
    assert again.warning_label.isVisible()


def test_disabled_without_setting(qtbot, context: AppContext) -> None:  # type: ignore[no-untyped-def]
    tab = _tab(qtbot, context, None)
    assert not tab.isEnabled() and tab.model.rowCount() == 0 and tab.warning_label.isHidden()
