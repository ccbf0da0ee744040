"""連携通話履歴 tab: real rows from calls + link jobs, filters, paging, sorting and the column chooser."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt

from biztel_desk.services.context import AppContext
from biztel_desk.store.history import HistoryFilter, SqlHistorySource
from biztel_desk.store.models import Call, LinkJob, LinkSetting
from biztel_desk.ui.models.history_model import COLUMN_KEYS, DEFAULT_VISIBLE, HistoryModel
from biztel_desk.ui.tabs.history_tab import HistoryTab

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")
TOKYO = dt.timezone(dt.timedelta(hours=9))


def _insert_calls(context: AppContext, setting: str, count: int, start: dt.datetime, **job: object) -> None:
    """Calls one hour apart, each with a link job for ``setting`` (what the ingest and engine will write)."""
    with context.database.begin() as session:
        setting_id = session.query(LinkSetting.id).filter(LinkSetting.name == setting).scalar()
        for number in range(count):
            call = Call(
                unique_id=f"{setting}-{start:%Y%m%d}-{number:04d}",
                request_id=f"req-{number:04d}",
                direction="inbound",
                from_number=f"090-1111-{number:04d}",
                to_number="03-1234-5678",
                to_agent_id=f"agent{number % 3}",
                to_extension=f"{200 + number % 5}",
                started_at=start + dt.timedelta(hours=number),
                ended_at=start + dt.timedelta(hours=number, minutes=3),
                duration_s=180,
            )
            session.add(call)
            session.flush()
            values = {"state": "linked", "task_id": "00T000000000001AAA", "record_id": "0012v000032fR15AAE",
                      "record_object": "Account", "processed_at": start + dt.timedelta(hours=number, minutes=4)}
            values.update(job)
            session.add(LinkJob(call_id=call.id, setting_id=setting_id, **values))


def _tab(qtbot, context: AppContext, name: str | None = "本社") -> HistoryTab:  # type: ignore[no-untyped-def]
    tab = HistoryTab(context)
    qtbot.addWidget(tab)
    tab.load(name)
    tab.resize(1200, 600)
    tab.show()
    qtbot.waitExposed(tab)
    return tab


def _column(key: str) -> int:
    return COLUMN_KEYS.index(key)


def test_history_model_passes_the_model_tester(qtmodeltester, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    _insert_calls(context, "本社", 7, dt.datetime(2024, 4, 1, 9, tzinfo=TOKYO))
    model = HistoryModel(SqlHistorySource(context.database), page_size=5, time_zone="Asia/Tokyo")
    model.set_filter(HistoryFilter("本社"))
    qtmodeltester.check(model)
    model.next_page()
    assert model.rowCount() == 2
    model.sort(_column("from_number"), Qt.SortOrder.AscendingOrder)
    qtmodeltester.check(model)


def test_columns_in_spec_order_with_default_visibility(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    tab = _tab(qtbot, context)
    headers = [tab.model.headerData(c, Qt.Orientation.Horizontal) for c in range(tab.model.columnCount())]
    assert headers == [
        "ユニークID", "リクエストID", "発信電話番号", "着信電話番号", "通話開始日時", "通話終了日時",
        "発信エージェントID", "着信エージェントID", "発信内線番号", "着信内線番号", "処理終了日時",
        "リトライ回数", "リトライ予定", "通話履歴", "状態", "紐付け先", "エラー",
    ]
    assert tab.visible_columns() == list(DEFAULT_VISIBLE)
    assert tab.view.isColumnHidden(_column("unique_id")) and tab.view.isColumnHidden(_column("to_agent_id"))
    assert tab.page_label.text() == "0–0 / 0件"
    assert tab.empty_label.isVisible()


def test_shows_real_rows_newest_first_and_pages(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    make_setting("支店")
    _insert_calls(context, "本社", 60, dt.datetime(2024, 4, 1, 9, tzinfo=TOKYO))
    _insert_calls(context, "支店", 3, dt.datetime(2024, 4, 1, 9, tzinfo=TOKYO))
    tab = _tab(qtbot, context)
    assert tab.page_label.text() == "1–50 / 60件"
    assert tab.model.data(tab.model.index(0, _column("from_number"))) == "090-1111-0059"
    assert tab.model.data(tab.model.index(0, _column("state"))) == "連携済み"
    assert tab.model.data(tab.model.index(0, _column("task_id"))) == "開く"
    assert tab.model.data(tab.model.index(0, _column("record_id"))) == "Account 0012v000032fR15AAE"
    assert not tab.previous_button.isEnabled()
    qtbot.mouseClick(tab.next_button, Qt.MouseButton.LeftButton)
    assert tab.page_label.text() == "51–60 / 60件"
    assert not tab.next_button.isEnabled()
    qtbot.mouseClick(tab.previous_button, Qt.MouseButton.LeftButton)
    assert tab.page_label.text() == "1–50 / 60件"

    # Sorting by a header click goes to the database (the oldest call first).
    tab.view.sortByColumn(_column("started_at"), Qt.SortOrder.AscendingOrder)
    assert tab.model.data(tab.model.index(0, _column("from_number"))) == "090-1111-0000"
    assert tab.task_url(0) == "https://login.salesforce.com/?startURL=%2F00T000000000001AAA"


def test_times_are_shown_in_the_configured_zone(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    context.config.save_system({"time_zone": "Asia/Tokyo"})
    _insert_calls(context, "本社", 1, dt.datetime(2024, 4, 1, 9, 30, tzinfo=TOKYO))
    tab = _tab(qtbot, context)
    assert tab.model.data(tab.model.index(0, _column("started_at"))) == "2024/04/01 09:30:00"


def test_keyword_state_and_date_filters(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    context.config.save_system({"time_zone": "Asia/Tokyo"})
    _insert_calls(context, "本社", 30, dt.datetime(2024, 4, 1, 0, tzinfo=TOKYO))  # 2024-04-01 00:00 … 04-02 05:00
    _insert_calls(
        context, "本社", 2, dt.datetime(2024, 5, 1, 0, tzinfo=TOKYO), state="failed", task_id=None,
        error_code="INVALID_FIELD", error_message="No such column 'B_UniqueId__c'",
    )
    tab = _tab(qtbot, context)
    assert tab.model.total == 32

    qtbot.keyClicks(tab.keyword_edit, "1111-0012")
    qtbot.waitUntil(lambda: tab.model.total == 1)
    assert tab.page_label.text() == "1–1 / 1件"
    tab.keyword_edit.clear()
    qtbot.keyClicks(tab.keyword_edit, "agent2")
    qtbot.waitUntil(lambda: tab.model.total == 10)
    tab.keyword_edit.clear()
    qtbot.waitUntil(lambda: tab.model.total == 32)

    tab.state_combo.setCurrentIndex(tab.state_combo.findData("failed"))
    assert tab.model.total == 2
    assert tab.model.data(tab.model.index(0, _column("error_message"))) == "No such column 'B_UniqueId__c'"
    assert "INVALID_FIELD" in tab.model.data(tab.model.index(0, _column("error_message")), Qt.ItemDataRole.ToolTipRole)
    tab.state_combo.setCurrentIndex(0)

    tab.from_date.setDate(QDate(2024, 4, 2))
    tab.to_date.setDate(QDate(2024, 4, 2))
    qtbot.mouseClick(tab.from_check, Qt.MouseButton.LeftButton)
    assert tab.from_date.isEnabled()
    assert tab.model.total == 8  # 04-02 00:00 … 05:00 and the two May calls
    qtbot.mouseClick(tab.to_check, Qt.MouseButton.LeftButton)
    assert tab.model.total == 6


def test_column_chooser_persists(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    tab = _tab(qtbot, context)
    tab.column_actions["unique_id"].trigger()
    tab.column_actions["from_extension"].trigger()
    assert not tab.view.isColumnHidden(_column("unique_id"))
    assert tab.view.isColumnHidden(_column("from_extension"))
    assert context.config.preference("history_columns")[0] == "unique_id"

    again = _tab(qtbot, context)
    assert "unique_id" in again.visible_columns() and "from_extension" not in again.visible_columns()
    assert again.column_actions["unique_id"].isChecked()
    again.reset_columns_action.trigger()
    assert again.visible_columns() == list(DEFAULT_VISIBLE)
    assert context.config.preference("history_columns") == list(DEFAULT_VISIBLE)


def test_disabled_without_setting(qtbot, context: AppContext) -> None:  # type: ignore[no-untyped-def]
    tab = _tab(qtbot, context, None)
    assert not tab.isEnabled() and tab.model.rowCount() == 0
