"""連携通話履歴 for an admin's first week (issue #13): the 失敗/要対応 quick filter, the row menu, Ctrl+F / F5, a refresh
that leaves the row under the admin's eye alone, 開く without a browser, the columns in view at 1366 px."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from helpers.window import Boxes, boxes_fixture, close_window, open_window  # noqa: F401 (fixtures)
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import func, select

from biztel_desk.domain.matching import Reason
from biztel_desk.services.context import AppContext
from biztel_desk.store.models import Call, LinkJob, LinkSetting
from biztel_desk.ui.models.history_model import COLUMN_KEYS
from biztel_desk.ui.tabs.history_tab import HistoryTab

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints", "does not support raise", "grabbing the keyboard")
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
START = dt.datetime(2024, 4, 1, 9, tzinfo=TOKYO)
STATES = ("linked", "failed", "retrying", "linked", "held", "skipped", "failed", "pending")


def _insert(context: AppContext, count: int, start: dt.datetime = START, prefix: str = "c",
            states: tuple[str, ...] = STATES) -> None:
    """Calls one minute apart, each with a job of 本社 in one of ``states`` (in turn)."""
    with context.database.begin() as session:
        setting_id = session.scalar(select(LinkSetting.id).where(LinkSetting.name == "本社"))
        for number in range(count):
            state = states[number % len(states)]
            outbound = number % 5 == 4
            customer = f"0{number % 7 + 1}0{number:08d}"[:11]
            call = Call(unique_id=f"{prefix}{number:04d}", request_id="", direction="outbound" if outbound else "inbound",
                        from_number="0312345678" if outbound else customer,
                        to_number=customer if outbound else "0312345678",
                        customer_e164="+81" + customer[1:], company_e164="+81312345678", to_agent_id="agent1",
                        started_at=start + dt.timedelta(minutes=number),
                        ended_at=start + dt.timedelta(minutes=number, seconds=40), duration_s=40)
            session.add(call)
            session.flush()
            values: dict[str, object] = {"state": state}
            if state == "linked":
                values.update(task_id=f"00T00000000{number:04d}AAA", record_id="0032v00003ABCDEAAA",
                              record_object="Contact", match_reason=Reason(
                                  "single", {"object": "Contact", "id": "0032v00003ABCDEAAA", "field": "MobilePhone"}
                              ).to_json())
            if state == "failed":
                values.update(error_code="FIELD_CUSTOM_VALIDATION_EXCEPTION",
                              error_message="The Subject field must not be longer than 80 characters in this org")
            session.add(LinkJob(call_id=call.id, setting_id=setting_id, **values))


def _settle(qtbot, tab: HistoryTab) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not tab.model.loading and not tab.model.counting, timeout=10000)


def _tab(qtbot, context: AppContext) -> HistoryTab:  # type: ignore[no-untyped-def]
    tab = HistoryTab(context)
    qtbot.addWidget(tab)
    tab.load("本社")
    tab.resize(1300, 600)
    tab.show()
    qtbot.waitExposed(tab)
    _settle(qtbot, tab)
    return tab


def _count(context: AppContext, *conditions: object) -> int:
    with context.database.read() as session:
        return int(session.scalar(select(func.count()).select_from(LinkJob).join(Call).where(*conditions)) or 0)


def test_the_attention_filter_shows_failed_and_waiting_calls_with_their_count(qtbot, context: AppContext,  # type: ignore[no-untyped-def]
                                                                              make_setting) -> None:
    make_setting()
    context.config.save_system({"page_size": 10})
    _insert(context, 75)
    tab = _tab(qtbot, context)
    assert tab.model.total == 75
    qtbot.mouseClick(tab.attention_button, Qt.MouseButton.LeftButton)  # one click
    _settle(qtbot, tab)
    naive = _count(context, LinkJob.state.in_(("failed", "retrying")))
    assert naive == 29 and tab.model.total == naive
    assert tab.page_label.text() == f"1–10 / {naive}件"
    tab.model.last_page()  # a page jump uses the same filter and count
    _settle(qtbot, tab)
    assert tab.model.rowCount() == naive - 20
    assert {tab.model.row_at(r).state for r in range(tab.model.rowCount())} <= {"failed", "retrying"}  # type: ignore[union-attr]
    # With a date range too (per-day counts summed over the two states).
    tab.quick_range("")
    tab.from_check.setChecked(True)
    tab.from_date.setDate(tab.from_date.date().fromString("2024/04/01", "yyyy/MM/dd"))
    tab.to_check.setChecked(True)
    tab.to_date.setDate(tab.from_date.date())
    _settle(qtbot, tab)
    assert tab.attention_button.isChecked() and tab.model.total == naive
    # A state picked by hand replaces the quick filter, and the quick filter the state.
    tab.state_combo.setCurrentIndex(tab.state_combo.findData("held"))
    _settle(qtbot, tab)
    assert not tab.attention_button.isChecked()
    assert tab.model.total == _count(context, LinkJob.state == "held")
    tab.attention_button.click()
    _settle(qtbot, tab)
    assert tab.state_combo.currentData() == "" and tab.model.total == naive
    tab.attention_button.click()
    _settle(qtbot, tab)
    assert tab.model.total == 75


def test_the_row_menu_opens_copies_retries_and_filters_by_the_number(qtbot, context: AppContext,  # type: ignore[no-untyped-def]
                                                                     make_setting, monkeypatch) -> None:
    make_setting()
    _insert(context, 16)
    tab = _tab(qtbot, context)
    model = tab.model
    rows = [model.row_at(r) for r in range(model.rowCount())]
    failed = next(r for r, row in enumerate(rows) if row is not None and row.state == "failed")
    linked = next(r for r, row in enumerate(rows) if row is not None and row.state == "linked")

    # Right click on a row selects it and opens its menu.
    rect = tab.view.visualRect(model.index(failed, COLUMN_KEYS.index("from_number")))
    tab.view.customContextMenuRequested.emit(rect.center())
    menu = tab.row_menu
    assert menu is not None and menu.isVisible()
    assert [r.row() for r in tab.view.selectionModel().selectedRows()] == [failed]
    actions = {action.objectName(): action for action in menu.actions() if action.objectName()}
    assert set(actions) == {"open", "copyRow", "copyNumber", "retry", "callsOfNumber"}
    assert [action.text() for action in menu.actions() if action.text()] == [
        "開く", "行をコピー", "番号をコピー", "今すぐ再試行", "この番号の通話"]
    assert not actions["open"].isEnabled()  # a failed call has no Task
    assert actions["retry"].isEnabled()
    menu.close()

    actions["copyRow"].trigger()
    copied = QGuiApplication.clipboard().text().split("\t")
    assert copied[:3] == ["失敗", "応答", rows[failed].direction == "outbound" and "発信" or "着信"]  # type: ignore[union-attr]
    assert len(copied) == len(tab.visible_columns())
    actions["copyNumber"].trigger()
    failed_row = rows[failed]
    assert failed_row is not None
    number = failed_row.to_number if failed_row.direction == "outbound" else failed_row.from_number
    assert QGuiApplication.clipboard().text() == number and number != "0312345678"

    with qtbot.waitSignal(tab.retried, timeout=5000) as retried:
        actions["retry"].trigger()
    assert retried.args == [1]
    with context.database.read() as session:
        assert session.get(LinkJob, failed_row.job_id).state == "pending"  # type: ignore[union-attr]

    # 開く on a linked row opens the Task's page.
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(QUrl(url).toString()) or True)
    _settle(qtbot, tab)
    menu = tab.row_context_menu(linked)
    assert menu is not None
    open_action = next(action for action in menu.actions() if action.objectName() == "open")
    assert open_action.isEnabled()
    open_action.trigger()
    assert opened == [tab.task_url(linked)] and "00T" in opened[0]

    # この番号の通話: every call with that number, whatever the state and date.
    linked_row = model.row_at(linked)
    assert linked_row is not None
    tab.attention_button.click()
    _settle(qtbot, tab)
    calls = next(action for action in menu.actions() if action.objectName() == "callsOfNumber")
    calls.trigger()
    _settle(qtbot, tab)
    customer = linked_row.to_number if linked_row.direction == "outbound" else linked_row.from_number
    assert tab.keyword_edit.text() == customer and not tab.attention_button.isChecked()
    expected = _count(context, (Call.from_number == customer) | (Call.to_number == customer))
    assert expected >= 1 and tab.model.total == expected


def test_ctrl_f_goes_to_the_filter_and_f5_refreshes(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    _insert(context, 3)
    tab = _tab(qtbot, context)
    tab.activateWindow()
    tab.keyword_edit.setText("abc")
    tab.view.setFocus()
    qtbot.waitUntil(tab.view.hasFocus)
    qtbot.keyClick(tab.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert tab.keyword_edit.hasFocus() and tab.keyword_edit.selectedText() == "abc"
    tab.keyword_edit.clear()
    tab.apply_keyword_now()
    _settle(qtbot, tab)
    assert tab.model.total == 3
    _insert(context, 2, START + dt.timedelta(hours=1), prefix="n")
    tab.view.setFocus()
    qtbot.keyClick(tab.view, Qt.Key.Key_F5)
    _settle(qtbot, tab)
    assert tab.model.total == 5


def test_new_rows_do_not_move_the_selected_row(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    context.config.save_system({"page_size": 20})
    _insert(context, 30)
    tab = _tab(qtbot, context)
    model = tab.model
    tab.view.selectRow(4)
    chosen = model.row_at(4)
    assert chosen is not None
    y = tab.view.visualRect(model.index(4, 0)).top()
    _insert(context, 3, START + dt.timedelta(hours=2), prefix="n")  # three newer calls: on top, newest first
    tab.refresh()
    _settle(qtbot, tab)
    assert model.row_at(4).job_id == chosen.job_id  # type: ignore[union-attr]
    assert tab.view.visualRect(model.index(4, 0)).top() == y
    assert [r.row() for r in tab.view.selectionModel().selectedRows()] == [4]
    assert model.offset == 3 and model.total == 33 and model.paging().has_previous  # the new calls are one page back
    assert tab.page_label.text() == "4–23 / 33件"
    model.first_page()
    _settle(qtbot, tab)
    assert [model.row_at(r).unique_id for r in range(3)] == ["n0002", "n0001", "n0000"]  # type: ignore[union-attr]


def test_new_rows_do_not_move_the_row_under_the_mouse(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    _insert(context, 12)
    tab = _tab(qtbot, context)
    model = tab.model
    center = tab.view.visualRect(model.index(6, 0)).center()
    qtbot.mouseMove(tab.view.viewport(), center)
    qtbot.waitUntil(lambda: tab.view.viewport().underMouse(), timeout=2000)
    hovered = model.row_at(6)
    assert hovered is not None
    _insert(context, 2, START + dt.timedelta(hours=2), prefix="n")
    tab.refresh()
    _settle(qtbot, tab)
    assert model.row_at(6).job_id == hovered.job_id and model.offset == 2  # type: ignore[union-attr]
    # Scrolled down, nothing selected, the mouse elsewhere: the top row in view stays the top row.
    qtbot.mouseMove(tab.keyword_edit)
    qtbot.waitUntil(lambda: not tab.view.viewport().underMouse(), timeout=2000)
    tab.resize(1300, 200)  # a few rows in view: the page scrolls
    qtbot.waitUntil(lambda: tab.view.verticalScrollBar().maximum() > 0, timeout=2000)
    tab.view.verticalScrollBar().setValue(3)
    top = model.row_at(tab.view.rowAt(0))
    assert top is not None and tab.view.rowAt(0) > 0
    _insert(context, 2, START + dt.timedelta(hours=2, minutes=30), prefix="s")
    tab.refresh()
    _settle(qtbot, tab)
    assert model.row_at(tab.view.rowAt(0)).job_id == top.job_id and model.offset == 4  # type: ignore[union-attr]
    tab.resize(1300, 600)
    # Nothing selected and the mouse elsewhere: the page is read again as it is (new calls on top).
    qtbot.mouseMove(tab.keyword_edit)
    qtbot.waitUntil(lambda: not tab.view.viewport().underMouse(), timeout=2000)
    model.first_page()
    _settle(qtbot, tab)
    _insert(context, 1, START + dt.timedelta(hours=3), prefix="m")
    tab.refresh()
    _settle(qtbot, tab)
    assert model.offset == 0 and model.row_at(0).unique_id == "m0000"  # type: ignore[union-attr]


def test_open_without_a_browser_says_so_and_copies_the_url(qtbot, context: AppContext, make_setting,  # type: ignore[no-untyped-def]
                                                            monkeypatch) -> None:
    make_setting()
    _insert(context, 1, states=("linked",))
    tab = _tab(qtbot, context)
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda _url: False)  # no browser on this computer
    url = tab.task_url(0)
    assert url
    task = tab.view.visualRect(tab.model.index(0, COLUMN_KEYS.index("task_id"))).center()
    qtbot.mouseClick(tab.view.viewport(), Qt.MouseButton.LeftButton, pos=task)
    box = tab.open_failed_box
    assert isinstance(box, QMessageBox)
    qtbot.waitUntil(box.isVisible)
    assert box.text() == ("このコンピュータで既定のブラウザを開けませんでした。"
                          "URLをコピーして、ブラウザのアドレス欄に貼り付けてください。")
    assert box.informativeText() == url
    QGuiApplication.clipboard().clear()
    copy = next(button for button in box.buttons() if button.text() == "コピー")
    copy.click()
    assert QGuiApplication.clipboard().text() == url


def test_open_linked_record_and_error_are_in_view_at_1366(qtbot, context: AppContext, make_setting,  # type: ignore[no-untyped-def]
                                                          boxes: Boxes) -> None:
    """In a 1366x768 window (the smallest common laptop screen), the 通話履歴 button, 紐付け先 and エラー show
    without scrolling sideways, with the default columns and long reasons and errors."""
    make_setting()
    context.config.save_system({"time_zone": "Asia/Tokyo"})
    _insert(context, 40)
    window = open_window(qtbot, context)
    try:
        window.resize(1366, 768)
        window.select_setting("本社")
        window.tabs.setCurrentWidget(window.history_tab)
        tab = window.history_tab
        _settle(qtbot, tab)
        qtbot.waitUntil(lambda: tab.model.rowCount() > 0)
        qtbot.wait(50)
        assert window.width() <= 1366
        view = tab.view
        assert view.horizontalScrollBar().value() == 0
        visible = view.viewport().width()
        for key in ("state", "task_id", "record_id", "error_message"):
            column = COLUMN_KEYS.index(key)
            assert not view.isColumnHidden(column)
            left = view.columnViewportPosition(column)
            assert left >= 0 and left + min(view.columnWidth(column), 120) <= visible, key
        task = COLUMN_KEYS.index("task_id")
        assert view.columnViewportPosition(task) + view.columnWidth(task) <= visible
        record = COLUMN_KEYS.index("record_id")
        assert view.columnViewportPosition(record) + view.columnWidth(record) <= visible
    finally:
        close_window(window)


def test_the_linked_record_shows_its_name_with_the_id_in_the_tooltip(qtbot, context: AppContext,  # type: ignore[no-untyped-def]
                                                                      make_setting) -> None:
    make_setting()
    _insert(context, 2, states=("linked",))
    with context.database.begin() as session:
        named = session.scalars(select(LinkJob).order_by(LinkJob.id)).first()
        assert named is not None
        named.record_name = "山田 花子"  # what the engine keeps from the match; the other row predates names
    tab = _tab(qtbot, context)
    column = COLUMN_KEYS.index("record_id")
    by_name = {tab.model.row_at(r).record_name: r for r in range(2)}  # type: ignore[union-attr]
    with_name, without = by_name["山田 花子"], by_name[None]
    assert tab.model.data(tab.model.index(with_name, column)) == "山田 花子"
    tooltip = tab.model.data(tab.model.index(with_name, column), Qt.ItemDataRole.ToolTipRole)
    assert tooltip.splitlines()[:2] == ["山田 花子", "Contact 0032v00003ABCDEAAA"]
    assert "MobilePhone" in tooltip  # and why it was chosen
    old = tab.model.data(tab.model.index(without, column))
    assert "0032v00003ABCDEAAA" in old and "山田" not in old
    assert "0032v00003ABCDEAAA" in tab.model.data(tab.model.index(without, column), Qt.ItemDataRole.ToolTipRole)
