"""オブジェクト tab driven as an admin would: edit cells, reorder, save, see refusals, reopen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QLineEdit, QSpinBox

from biztel_desk.domain.config import LinkObjectConfig
from biztel_desk.services.context import AppContext
from biztel_desk.ui.models.objects_model import ObjectsModel
from biztel_desk.ui.tabs.objects_tab import ObjectsTab

# The offscreen platform warns that it cannot propagate size hints when a window is shown: harmless.
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def type_text(qtbot, line: QLineEdit, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type ASCII key by key; Japanese arrives at once, as an input method commits it."""
    if text.isascii():
        qtbot.keyClicks(line, text)
    else:
        line.insert(text)


def _tab(qtbot, context: AppContext, name: str | None = "本社") -> ObjectsTab:  # type: ignore[no-untyped-def]
    tab = ObjectsTab(context)
    qtbot.addWidget(tab)
    tab.load(name)
    tab.resize(800, 500)
    tab.show()
    qtbot.waitExposed(tab)
    return tab


def _type_in_cell(qtbot, tab: ObjectsTab, row: int, column: int, text: str) -> None:  # type: ignore[no-untyped-def]
    """Double-click-like edit: open the cell editor, type, press Enter."""
    index = tab.model.index(row, column)
    tab.view.setCurrentIndex(index)
    tab.view.edit(index)
    editor = tab.view.focusWidget()
    assert isinstance(editor, QLineEdit | QSpinBox), editor
    line = editor.lineEdit() if isinstance(editor, QSpinBox) else editor
    line.selectAll()
    type_text(qtbot, line, text)
    qtbot.keyClick(line, Qt.Key.Key_Return)
    # The delegate commits on Return through a queued call: wait for the cell to show the text.
    qtbot.waitUntil(lambda: str(tab.model.data(index)) == text)


def _select_row(tab: ObjectsTab, row: int) -> None:
    tab.view.selectionModel().setCurrentIndex(
        tab.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    )


def test_objects_model_passes_the_model_tester(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = ObjectsModel()
    model.set_objects([LinkObjectConfig("Account", "取引先", "001", 1), LinkObjectConfig("Lead", "リード", "00Q", 2)])
    qtmodeltester.check(model)
    model.append()
    model.move(0, 1)
    qtmodeltester.check(model)


def test_empty_without_setting(qtbot, context: AppContext) -> None:  # type: ignore[no-untyped-def]
    tab = _tab(qtbot, context, None)
    assert tab.model.rowCount() == 0
    assert not tab.isEnabled()


def test_shows_the_default_objects(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    tab = _tab(qtbot, context)
    assert [o.api_name for o in tab.model.objects()] == ["Account", "Contact", "Lead"]
    assert tab.model.data(tab.model.index(2, 2)) == "00Q"
    assert "Lead" in tab.lead_note.text()
    assert not tab.save_button.isEnabled()


def test_add_custom_object_and_persist(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    tab = _tab(qtbot, context)
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    assert tab.model.rowCount() == 4
    editor = tab.view.focusWidget()
    assert isinstance(editor, QLineEdit)
    qtbot.keyClicks(editor, "Order__c")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.model.data(tab.model.index(3, 0)) == "Order__c")
    _type_in_cell(qtbot, tab, 3, 1, "注文")
    _type_in_cell(qtbot, tab, 3, 2, "a0B")
    assert tab.model.data(tab.model.index(3, 3)) == 4
    assert tab.save_button.isEnabled()
    with qtbot.waitSignal(tab.changed):
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    # The account has no password here: the new tab code could not be compared with the org, and is saved anyway.
    assert tab.status_label.text().startswith("保存しました。タブコードをSalesforceのキープレフィックスと照合できませんでした(")
    assert "パスワードがキーリングに登録されていません" in tab.status_label.text()
    assert tab.problems_label.isHidden()

    again = _tab(qtbot, context)
    assert again.model.objects()[3] == LinkObjectConfig("Order__c", "注文", "a0B", 4)


def test_four_character_tab_code_is_refused(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    tab = _tab(qtbot, context)
    _type_in_cell(qtbot, tab, 1, 2, "0031")
    with qtbot.assertNotEmitted(tab.changed):
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert tab.problems_label.isVisible()
    assert "2行目" in tab.problems_label.text() and "タブコード「0031」が不正です" in tab.problems_label.text()
    assert "英数字ちょうど3文字" in (tab.model.problem(1, "tab_code") or "")
    assert tab.model.data(tab.model.index(1, 2), Qt.ItemDataRole.BackgroundRole) is not None
    assert context.config.get_setting("本社").objects[1].tab_code == "003"  # nothing saved


def test_duplicate_priority_is_refused(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    tab = _tab(qtbot, context)
    _type_in_cell(qtbot, tab, 2, 3, "1")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert "優先順位1が重複しています" in tab.problems_label.text()
    assert tab.model.problem(2, "priority") is not None
    assert [o.priority for o in context.config.get_setting("本社").objects] == [1, 2, 3]


def test_bad_api_name_is_refused(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    tab = _tab(qtbot, context)
    _type_in_cell(qtbot, tab, 0, 0, "取引先")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert "API参照名「取引先」が不正です" in tab.problems_label.text()


def test_reorder_delete_and_cancel(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    tab = _tab(qtbot, context)
    _select_row(tab, 2)
    assert not tab.down_button.isEnabled()
    qtbot.mouseClick(tab.up_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(tab.up_button, Qt.MouseButton.LeftButton)
    assert [(o.api_name, o.priority) for o in tab.model.objects()] == [("Lead", 1), ("Account", 2), ("Contact", 3)]
    assert not tab.up_button.isEnabled()
    qtbot.mouseClick(tab.cancel_button, Qt.MouseButton.LeftButton)
    assert [o.api_name for o in tab.model.objects()] == ["Account", "Contact", "Lead"]

    # The seed: remove Lead when the account cannot access it.
    _select_row(tab, 2)
    qtbot.mouseClick(tab.delete_button, Qt.MouseButton.LeftButton)
    _select_row(tab, 0)
    qtbot.mouseClick(tab.down_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    again = _tab(qtbot, context)
    assert [(o.api_name, o.priority) for o in again.model.objects()] == [("Contact", 1), ("Account", 2)]


def test_english_ui(qtbot, qapp, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    from biztel_desk.ui.i18n import install_translators

    make_setting()
    translators = install_translators(qapp, "en")
    try:
        tab = _tab(qtbot, context)
        assert tab.model.headerData(0, Qt.Orientation.Horizontal) == "API name"
        assert tab.save_button.text() == "Save" and "Lead row" in tab.lead_note.text()
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)
        from PySide6.QtCore import QLocale

        QLocale.setDefault(QLocale(QLocale.Language.Japanese))


def test_checkable_rows_for_the_wizard(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The wizard offers the standard objects with a checkbox each; the tab's rows have none."""
    from biztel_desk.domain.config import DEFAULT_OBJECTS

    plain = ObjectsModel()
    plain.set_objects(DEFAULT_OBJECTS)
    assert plain.index(0, 0).data(Qt.ItemDataRole.CheckStateRole) is None
    assert plain.checked_objects() == list(DEFAULT_OBJECTS)

    model = ObjectsModel()
    model.set_checkable(True)
    model.set_objects(DEFAULT_OBJECTS)
    api = model.index(2, 0)
    assert api.flags() & Qt.ItemFlag.ItemIsUserCheckable and not api.flags() & Qt.ItemFlag.ItemIsEditable
    assert model.index(2, 1).flags() & Qt.ItemFlag.ItemIsEditable  # the tab name stays editable
    with qtbot.waitSignal(model.edited):
        assert model.setData(api, Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    assert api.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    assert model.checked_objects() == list(DEFAULT_OBJECTS[:2]) and len(model.objects()) == 3
    model.fill_from_describe(2, "リード", "00Q")  # the unchecked row keeps its mark while describe fills it
    assert not model.is_checked(2)
