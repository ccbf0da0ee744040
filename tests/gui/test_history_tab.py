"""連携通話履歴 tab: real rows from calls + link jobs, filters, quick ranges, paging, sorting, columns, CSV, retry, open."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zoneinfo
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QItemSelectionModel, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QStyle
from sqlalchemy import select

from biztel_desk.domain.config import AccountConfig
from biztel_desk.domain.matching import Reason
from biztel_desk.services.context import AppContext
from biztel_desk.store.history import HistoryFilter, SqlHistorySource
from biztel_desk.store.models import Call, LinkJob, LinkSetting
from biztel_desk.ui.models.history_model import COLUMN_KEYS, DEFAULT_VISIBLE, HistoryModel
from biztel_desk.ui.tabs.history_tab import HistoryTab

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def _insert_calls(context: AppContext, setting: str, count: int, start: dt.datetime, **job: object) -> None:
    """Calls one hour apart, each with a link job for ``setting`` (what the ingest and engine will write)."""
    with context.database.begin() as session:
        setting_id = session.scalar(select(LinkSetting.id).where(LinkSetting.name == setting))
        for number in range(count):
            call = Call(
                unique_id=f"{setting}-{start:%Y%m%d%H}-{number:04d}",
                request_id=f"req-{number:04d}",
                direction="inbound",
                from_number=f"090-1111-{number:04d}",
                to_number="03-1234-5678",
                customer_e164=f"+8190111{number:05d}"[:13],
                company_e164="+81312345678",
                to_agent_id=f"agent{number % 3}",
                to_extension=f"{200 + number % 5}",
                started_at=start + dt.timedelta(hours=number),
                ended_at=start + dt.timedelta(hours=number, minutes=3),
                duration_s=180,
            )
            session.add(call)
            session.flush()
            values: dict[str, object] = {
                "state": "linked", "task_id": f"00T0000000{number:05d}AAA", "record_id": "0012v000032fR15AAE",
                "record_object": "Account", "processed_at": start + dt.timedelta(hours=number, minutes=4),
                "match_reason": Reason("single", {"object": "Account", "id": "0012v000032fR15AAE", "field": "Phone"}).to_json(),
            }
            values.update(job)
            session.add(LinkJob(call_id=call.id, setting_id=setting_id, **values))


def _settle(qtbot, tab: HistoryTab) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not tab.model.loading and not tab.model.counting, timeout=5000)


def _tab(qtbot, context: AppContext, name: str | None = "本社") -> HistoryTab:  # type: ignore[no-untyped-def]
    tab = HistoryTab(context)
    qtbot.addWidget(tab)
    tab.load(name)
    tab.resize(1400, 600)
    tab.show()
    qtbot.waitExposed(tab)
    _settle(qtbot, tab)
    return tab


def _column(key: str) -> int:
    return COLUMN_KEYS.index(key)


def _cell(tab: HistoryTab, row: int, key: str) -> str:
    return str(tab.model.data(tab.model.index(row, _column(key))))


def test_history_model_passes_the_model_tester(qtbot, qtmodeltester, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    _insert_calls(context, "本社", 7, dt.datetime(2024, 4, 1, 9, tzinfo=TOKYO))
    model = HistoryModel(SqlHistorySource(context.database), page_size=5, time_zone="Asia/Tokyo")
    with qtbot.waitSignal(model.page_loaded):
        model.set_filter(HistoryFilter("本社"))
    qtmodeltester.check(model)
    qtbot.waitUntil(lambda: model.total_known)
    with qtbot.waitSignal(model.page_loaded):
        model.next_page()
    assert model.rowCount() == 2
    with qtbot.waitSignal(model.page_loaded):
        model.sort(_column("from_number"), Qt.SortOrder.AscendingOrder)
    qtmodeltester.check(model)
    model.shutdown()


def test_columns_state_first_then_spec_order_with_default_visibility(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    tab = _tab(qtbot, context)
    headers = [tab.model.headerData(c, Qt.Orientation.Horizontal) for c in range(tab.model.columnCount())]
    assert headers == [
        "状態",  # "did it reach Salesforce?" at a glance, without scrolling
        "結果",  # answered, missed, busy… (issue #9)
        "発着信",  # 着信 / 発信 / 内線 (issue #13)
        "ユニークID", "リクエストID", "発信電話番号", "着信電話番号", "通話開始日時",
        "通話履歴", "紐付け先", "エラー",  # what the admin acts on, in view at 1366 px (issue #13)
        "通話終了日時", "発信エージェントID", "着信エージェントID", "発信内線番号", "着信内線番号", "処理終了日時",
        "リトライ回数", "リトライ予定",
    ]
    assert tab.visible_columns() == list(DEFAULT_VISIBLE)
    assert tab.view.isColumnHidden(_column("unique_id")) and tab.view.isColumnHidden(_column("to_agent_id"))
    assert tab.page_label.text() == "0–0 / 0件"
    assert tab.empty_label.isVisible()


def test_pages_with_navigation_and_sorts_by_any_column(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    make_setting("支店")
    _insert_calls(context, "本社", 120, dt.datetime(2024, 4, 1, 9, tzinfo=TOKYO))
    _insert_calls(context, "支店", 3, dt.datetime(2024, 4, 1, 9, tzinfo=TOKYO))
    tab = _tab(qtbot, context)
    assert tab.page_label.text() == "1–50 / 120件"
    assert tab.page_count_label.text() == "/ 3"
    assert _cell(tab, 0, "from_number") == "090-1111-0119"
    assert _cell(tab, 0, "state") == "連携済み"
    assert _cell(tab, 0, "task_id") == "開く"
    assert _cell(tab, 0, "record_id") == "Account 0012v000032fR15AAE の Phone で一致"  # the reason names the object: no prefix
    assert not tab.previous_button.isEnabled() and not tab.first_button.isEnabled()

    qtbot.mouseClick(tab.next_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, tab)
    assert tab.page_label.text() == "51–100 / 120件"
    assert _cell(tab, 0, "from_number") == "090-1111-0069"
    qtbot.mouseClick(tab.last_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, tab)
    assert tab.page_label.text() == "101–120 / 120件"
    assert _cell(tab, 19, "from_number") == "090-1111-0000"
    assert not tab.next_button.isEnabled() and not tab.last_button.isEnabled()
    qtbot.mouseClick(tab.previous_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, tab)
    assert tab.page_label.text() == "51–100 / 120件"
    tab.page_spin.setValue(3)
    _settle(qtbot, tab)
    assert tab.page_label.text() == "101–120 / 120件"
    qtbot.mouseClick(tab.first_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, tab)
    assert tab.page_label.text() == "1–50 / 120件" and tab.page_spin.value() == 1

    # A header click sorts in the database: oldest call first, then by agent (ties by job id).
    tab.view.sortByColumn(_column("started_at"), Qt.SortOrder.AscendingOrder)
    _settle(qtbot, tab)
    assert _cell(tab, 0, "from_number") == "090-1111-0000"
    tab.view.sortByColumn(_column("to_agent_id"), Qt.SortOrder.DescendingOrder)
    _settle(qtbot, tab)
    assert {_cell(tab, row, "to_agent_id") for row in range(40)} == {"agent2"}
    qtbot.mouseClick(tab.next_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, tab)
    assert [_cell(tab, row, "to_agent_id") for row in (0, 29, 30, 49)] == ["agent1", "agent1", "agent0", "agent0"]


def test_times_are_shown_in_the_configured_zone(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    context.config.save_system({"time_zone": "Asia/Tokyo"})
    _insert_calls(context, "本社", 1, dt.datetime(2024, 4, 1, 9, 30, tzinfo=TOKYO))
    tab = _tab(qtbot, context)
    assert _cell(tab, 0, "started_at") == "2024/04/01 09:30:00"
    context.config.save_system({"time_zone": "UTC"})
    tab.load("本社")
    _settle(qtbot, tab)
    assert _cell(tab, 0, "started_at") == "2024/04/01 00:30:00"


def test_keyword_in_any_format_state_and_date_filters(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    context.config.save_system({"time_zone": "Asia/Tokyo"})
    _insert_calls(context, "本社", 30, dt.datetime(2024, 4, 1, 0, tzinfo=TOKYO))  # 2024-04-01 00:00 … 04-02 05:00
    _insert_calls(
        context, "本社", 2, dt.datetime(2024, 5, 1, 0, tzinfo=TOKYO), state="failed", task_id=None, match_reason="",
        error_code="INVALID_CROSS_REFERENCE_KEY", error_message="invalid cross reference id",
    )
    tab = _tab(qtbot, context)
    assert tab.model.total == 32

    # Stored as 090-1111-0012: found typed internationally, without hyphens, in full width, or in part.
    for typed, expected in (("+81 90-1111-0012", 1), ("09011110012", 1), ("０９０－１１１１－００１２", 1), ("1111-0012", 1)):
        tab.keyword_edit.setText(typed)
        tab.apply_keyword_now()
        _settle(qtbot, tab)
        assert tab.model.total == expected, typed
        assert _cell(tab, 0, "from_number") == "090-1111-0012"
    assert tab.page_label.text() == "1–1 / 1件"
    qtbot.keyClicks(tab.keyword_edit, "x")  # typing waits for a pause, then filters
    qtbot.waitUntil(lambda: tab.model.total_known and tab.model.total == 0)
    for typed, expected in (("agent2", 10), ("AGENT2", 10), ("req-0003", 1), ("204", 6), ("本社-2024040100-0007", 1)):
        tab.keyword_edit.setText(typed)
        tab.apply_keyword_now()
        _settle(qtbot, tab)
        assert tab.model.total == expected, typed
    tab.keyword_edit.clear()
    tab.apply_keyword_now()
    _settle(qtbot, tab)
    assert tab.model.total == 32

    tab.state_combo.setCurrentIndex(tab.state_combo.findData("failed"))
    _settle(qtbot, tab)
    assert tab.model.total == 2
    error = _cell(tab, 0, "error_message")
    assert error.startswith("紐付け先のレコードが存在しないか参照できません(INVALID_CROSS_REFERENCE_KEY: invalid cross reference id)")
    assert "再試行してください" in error
    tab.state_combo.setCurrentIndex(0)

    tab.from_date.setDate(QDate(2024, 4, 2))
    tab.to_date.setDate(QDate(2024, 4, 2))
    qtbot.mouseClick(tab.from_check, Qt.MouseButton.LeftButton)
    _settle(qtbot, tab)
    assert tab.from_date.isEnabled()
    assert tab.range_combo.currentData() == "custom"
    assert tab.model.total == 8  # 04-02 00:00 … 05:00 and the two May calls
    qtbot.mouseClick(tab.to_check, Qt.MouseButton.LeftButton)
    _settle(qtbot, tab)
    assert tab.model.total == 6
    tab.keyword_edit.setText("agent0")
    tab.apply_keyword_now()
    _settle(qtbot, tab)
    assert tab.model.total == 2  # numbers 24 and 27


def test_quick_ranges_in_the_configured_zone(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    context.config.save_system({"time_zone": "Asia/Tokyo"})
    today = dt.datetime.now(TOKYO).replace(hour=0, minute=0, second=0, microsecond=0)
    days_back = {"today": 0, "yesterday": 1, "six": 6, "forty": 40}
    for label, back in days_back.items():
        _insert_calls(context, "本社", 1, today - dt.timedelta(days=back) + dt.timedelta(minutes=1), task_id=label)
    tab = _tab(qtbot, context)
    assert tab.model.total == 4

    def count(name: str) -> int:
        tab.quick_range(name)
        _settle(qtbot, tab)
        return tab.model.total

    assert count("today") == 1
    assert tab.from_check.isChecked() and tab.to_check.isChecked()
    assert tab.from_date.date().toPython() == today.date() == tab.to_date.date().toPython()
    assert count("yesterday") == 1
    assert count("last_7_days") == 3
    this_month = sum(1 for back in days_back.values() if (today - dt.timedelta(days=back)).month == today.month)
    assert count("this_month") == this_month
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).month
    assert count("last_month") == sum(1 for back in days_back.values() if (today - dt.timedelta(days=back)).month == last_month)
    assert count("") == 4
    assert not tab.from_check.isChecked() and not tab.from_date.isEnabled()


def test_column_chooser_persists(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    tab = _tab(qtbot, context)
    tab.column_actions["unique_id"].trigger()
    tab.column_actions["from_extension"].trigger()
    assert not tab.view.isColumnHidden(_column("unique_id"))
    assert tab.view.isColumnHidden(_column("from_extension"))
    assert context.config.preference("history_columns")[:4] == ["state", "outcome", "direction", "unique_id"]  # keys

    again = _tab(qtbot, context)
    assert "unique_id" in again.visible_columns() and "from_extension" not in again.visible_columns()
    assert again.column_actions["unique_id"].isChecked()
    again.reset_columns_action.trigger()
    assert again.visible_columns() == list(DEFAULT_VISIBLE)
    assert context.config.preference("history_columns") == list(DEFAULT_VISIBLE)


def test_a_saved_column_choice_is_kept_by_key_whatever_the_order(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    # Saved by an older version, whose order had 通話履歴 and 状態 after the SPEC columns.
    context.config.set_preference("history_columns", ["from_number", "started_at", "task_id", "state", "error_message"])
    tab = _tab(qtbot, context)
    # 結果 and 発着信 did not exist when it was saved: they show (visible by default) until the admin hides them.
    assert tab.visible_columns() == ["state", "outcome", "direction", "from_number", "started_at", "task_id",
                                     "error_message"]
    assert tab.column_actions["state"].isChecked() and not tab.column_actions["to_number"].isChecked()


def test_state_in_view_task_column_narrow_linked_to_elided_with_tooltip(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    long_reason = Reason("most_recent", {"object": "Contact", "id": "0032v00003AbCdEAAQ", "field": "MobilePhone",
                                         "count": 3}).to_json()
    _insert_calls(context, "本社", 3, dt.datetime(2024, 4, 1, 9, tzinfo=TOKYO), record_object="Contact",
                  record_id="0032v00003AbCdEAAQ", match_reason=long_reason)
    tab = _tab(qtbot, context)
    tab.resize(850, 600)  # the tab's share of a 1100 px window
    view, header = tab.view, tab.view.horizontalHeader()
    assert header.logicalIndex(0) == _column("state") and header.sectionViewportPosition(_column("state")) == 0
    assert header.sectionSize(_column("state")) < view.viewport().width()
    task_width = header.sectionSize(_column("task_id"))
    assert task_width <= view.fontMetrics().horizontalAdvance("通話履歴") + 24
    button_rect = view.visualRect(tab.model.index(0, _column("task_id")))
    assert view.fontMetrics().horizontalAdvance("開く") + 8 <= button_rect.width()  # the 開く button still fits
    text = _cell(tab, 0, "record_id")
    assert view.fontMetrics().horizontalAdvance(text) > header.sectionSize(_column("record_id"))  # elided…
    assert header.sectionSize(_column("record_id")) <= view.fontMetrics().horizontalAdvance("あ") * 16
    tooltip = tab.model.data(tab.model.index(0, _column("record_id")), Qt.ItemDataRole.ToolTipRole)
    assert tooltip.startswith(text) and "0032v00003AbCdEAAQ" in tooltip  # …and whole in the tooltip


def test_the_columns_button_makes_room_for_its_menu_arrow(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    tab = _tab(qtbot, context)
    button = tab.columns_button
    assert button.menu() is tab.columns_menu
    text_width = button.fontMetrics().horizontalAdvance(button.text())
    indicator = button.style().pixelMetric(QStyle.PixelMetric.PM_MenuButtonIndicator, None, button)
    assert button.width() >= text_width + indicator + 8


def test_export_csv_matches_the_database_row_by_row(qtbot, context: AppContext, make_setting, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    context.config.save_system({"time_zone": "Asia/Tokyo", "page_size": 10})
    _insert_calls(context, "本社", 45, dt.datetime(2024, 4, 1, 0, tzinfo=TOKYO))
    _insert_calls(context, "本社", 3, dt.datetime(2024, 6, 1, 0, tzinfo=TOKYO), state="failed", task_id=None,
                  error_code="ENTITY_IS_DELETED", error_message="entity is deleted")
    tab = _tab(qtbot, context)
    tab.column_actions["unique_id"].trigger()  # shown now, so exported too
    tab.keyword_edit.setText("agent1")
    tab.apply_keyword_now()
    _settle(qtbot, tab)
    assert tab.model.total == 16 and tab.model.rowCount() == 10  # more rows than one page

    target = tmp_path / "履歴.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), "CSV"))
    with qtbot.waitSignal(tab.exported, timeout=5000) as blocker:
        qtbot.mouseClick(tab.export_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [str(target), 16]
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel opens the Japanese correctly
    with target.open(encoding="utf-8-sig", newline="") as stream:
        lines = list(csv.reader(stream))
    assert lines[0] == [tab.model.column_title(key) for key in tab.visible_columns()]
    assert lines[0][:5] == ["状態", "結果", "発着信", "ユニークID", "発信電話番号"]  # the tab's order

    with context.database.read() as session:
        expected = session.execute(
            select(Call, LinkJob).join(LinkJob, LinkJob.call_id == Call.id)
            .where(Call.to_agent_id == "agent1").order_by(Call.started_at.desc(), LinkJob.id.desc())
        ).all()
    assert len(lines) - 1 == len(expected) == 16
    for line, (call, job) in zip(lines[1:], expected, strict=True):
        record = dict(zip(tab.visible_columns(), line, strict=True))
        assert record["unique_id"] == call.unique_id
        assert record["direction"] == "着信"
        assert record["from_number"] == call.from_number and record["to_number"] == call.to_number
        assert record["started_at"] == call.started_at.astimezone(TOKYO).strftime("%Y/%m/%d %H:%M:%S")
        assert record["ended_at"] == call.ended_at.astimezone(TOKYO).strftime("%Y/%m/%d %H:%M:%S")
        assert record["to_extension"] == call.to_extension
        assert record["retry_count"] == str(job.retry_count)
        assert record["task_id"] == (tab.model.url(job.task_id) if job.task_id else "")
        assert record["state"] == {"linked": "連携済み", "failed": "失敗"}[job.state]
        if job.state == "failed":
            assert record["error_message"].startswith("紐付け先のレコードは削除されています")


def test_retry_now_makes_selected_failed_rows_pending(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    _insert_calls(context, "本社", 2, dt.datetime(2024, 4, 1, 0, tzinfo=TOKYO))
    _insert_calls(context, "本社", 2, dt.datetime(2024, 5, 1, 0, tzinfo=TOKYO), state="failed", task_id=None,
                  error_code="INVALID_CROSS_REFERENCE_KEY", error_message="invalid cross reference id")
    _insert_calls(context, "本社", 1, dt.datetime(2024, 6, 1, 0, tzinfo=TOKYO), state="retrying", task_id=None,
                  retry_count=2, next_retry_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    tab = _tab(qtbot, context)
    assert [_cell(tab, row, "state") for row in range(5)] == ["リトライ待ち", "失敗", "失敗", "連携済み", "連携済み"]
    assert not tab.retry_button.isEnabled()
    selection = tab.view.selectionModel()
    for row in (0, 1, 3):  # a retrying, a failed and a linked row
        selection.select(tab.model.index(row, 0), QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    assert tab.retry_button.isEnabled()
    with qtbot.waitSignal(tab.retried, timeout=5000) as blocker:
        qtbot.mouseClick(tab.retry_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [2]
    _settle(qtbot, tab)
    with context.database.read() as session:
        states = {(job.state, job.next_retry_at is None) for job in session.scalars(select(LinkJob))}
        by_state = sorted(job.state for job in session.scalars(select(LinkJob)))
    assert by_state == ["failed", "linked", "linked", "pending", "pending"]
    assert ("pending", True) in states
    assert [_cell(tab, row, "state") for row in range(2)] == ["待機中", "待機中"]
    assert tab.status_label.text() == "2件を再試行の待機中にしました"


def test_the_task_button_opens_the_lightning_page(qtbot, context: AppContext, make_setting, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    context.config.save_account(AccountConfig(name="devorg", username="admin@example.com", login_host="http://127.0.0.1:8765"))
    make_setting()
    _insert_calls(context, "本社", 1, dt.datetime(2024, 4, 1, 0, tzinfo=TOKYO))
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(QUrl(url).toString()) or True)
    tab = _tab(qtbot, context)
    rect = tab.view.visualRect(tab.model.index(0, _column("task_id")))
    qtbot.mouseClick(tab.view.viewport(), Qt.MouseButton.RightButton, pos=rect.center())  # the row's menu, not 開く
    assert opened == []
    if tab.row_menu is not None:
        tab.row_menu.close()
    qtbot.mouseClick(tab.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened == ["http://127.0.0.1:8765/lightning/r/Task/00T000000000000AAA/view"]

    context.config.save_account(AccountConfig(name="devorg", username="admin@example.com", login_host="acme.my.salesforce.com"), original_name="devorg")
    tab.load("本社")
    _settle(qtbot, tab)
    assert tab.task_url(0) == "https://acme.my.salesforce.com/lightning/r/Task/00T000000000000AAA/view"


def test_disabled_without_setting(qtbot, context: AppContext) -> None:  # type: ignore[no-untyped-def]
    tab = _tab(qtbot, context, None)
    assert not tab.isEnabled() and tab.model.rowCount() == 0


def test_export_csv_neutralises_formula_cells(qtbot, context: AppContext, make_setting, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    _insert_calls(context, "本社", 2, dt.datetime(2024, 4, 1, 0, tzinfo=TOKYO))
    with context.database.begin() as session:
        calls = session.scalars(select(Call).order_by(Call.id)).all()
        calls[0].unique_id = "=cmd|' /C calc'!A0"
        calls[1].from_number = "+81901110001"
    tab = _tab(qtbot, context)
    tab.column_actions["unique_id"].trigger()
    target = tmp_path / "履歴.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), "CSV"))
    with qtbot.waitSignal(tab.exported, timeout=5000):
        qtbot.mouseClick(tab.export_button, Qt.MouseButton.LeftButton)
    with target.open(encoding="utf-8-sig", newline="") as stream:
        lines = list(csv.reader(stream))
    records = [dict(zip(tab.visible_columns(), line, strict=True)) for line in lines[1:]]
    assert {record["unique_id"] for record in records} == {"'=cmd|' /C calc'!A0", "本社-2024040100-0001"}
    assert "'+81901110001" in {record["from_number"] for record in records}
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for line in lines for cell in line)


def test_a_column_hidden_after_it_was_added_stays_hidden(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    context.config.set_preference("history_columns", ["state", "from_number"])  # saved before 結果 existed
    tab = _tab(qtbot, context)
    assert tab.visible_columns() == ["state", "outcome", "direction", "from_number"]
    tab.column_actions["outcome"].trigger()
    assert _tab(qtbot, context).visible_columns() == ["state", "direction", "from_number"]


def test_the_direction_column_shows_for_a_choice_saved_before_it(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    before = [key for key in COLUMN_KEYS if key != "direction"]  # what the column chooser offered until issue #13
    context.config.set_preference("history_columns", ["state", "outcome", "from_number"])
    context.config.set_preference("history_columns_seen", before)
    assert _tab(qtbot, context).visible_columns() == ["state", "outcome", "direction", "from_number"]


def test_updated_tasks_and_outcomes_show_in_their_columns(qtbot, context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    _insert_calls(context, "本社", 2, dt.datetime(2024, 4, 1, 9, tzinfo=TOKYO), state="updated")
    with context.database.begin() as session:
        first = session.scalar(select(Call).order_by(Call.started_at))
        assert first is not None
        first.disposition = "NO ANSWER"
    tab = _tab(qtbot, context)
    assert [(_cell(tab, row, "state"), _cell(tab, row, "outcome")) for row in range(2)] == [
        ("更新済み", "応答"), ("更新済み", "不在")]  # newest first
    assert tab.model.headerData(_column("outcome"), Qt.Orientation.Horizontal) == "結果"


def test_export_csv_keeps_leading_zeros_for_excel(qtbot, context: AppContext, make_setting, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Excel reads 0312345678 in a CSV as the number 312345678 and a 20-digit ID as 1.2E+19: the export writes such
    cells as ="0312345678" (Excel shows 0312345678 as text); other cells, and a value that merely looks like it,
    stay as they were."""
    make_setting()
    context.config.save_system({"time_zone": "Asia/Tokyo"})
    _insert_calls(context, "本社", 3, dt.datetime(2024, 4, 1, 0, tzinfo=TOKYO))
    with context.database.begin() as session:
        calls = session.scalars(select(Call).order_by(Call.id)).all()
        calls[0].from_number, calls[0].to_extension, calls[0].unique_id = "0312345678", "0201", "12345678901234567890"
        calls[1].from_number, calls[1].unique_id = '0312345678"),HYPERLINK("x', "0"
        calls[2].from_number, calls[2].to_extension = "09011112222", "201"
        job = session.scalar(select(LinkJob).where(LinkJob.call_id == calls[0].id))
        assert job is not None
        job.record_name = "株式会社テスト"  # 紐付け先 by name: the file keeps the Id too
    tab = _tab(qtbot, context)
    tab.column_actions["unique_id"].trigger()
    target = tmp_path / "履歴.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), "CSV"))
    with qtbot.waitSignal(tab.exported, timeout=5000):
        qtbot.mouseClick(tab.export_button, Qt.MouseButton.LeftButton)
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM: Excel reads the Japanese
    assert b'"=""0312345678"""' in data  # the cell ="0312345678", quoted as CSV quotes a cell with quotes
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    records = {record["started_at"]: record for record in
               (dict(zip(tab.visible_columns(), line, strict=True)) for line in lines[1:])}
    first, second, third = (records[f"2024/04/01 0{hour}:00:00"] for hour in range(3))
    assert (first["from_number"], first["to_extension"], first["unique_id"]) == (
        '="0312345678"', '="0201"', '="12345678901234567890"')
    assert (third["from_number"], third["to_extension"]) == ('="09011112222"', "201")
    assert second["from_number"] == '0312345678"),HYPERLINK("x' and second["unique_id"] == "0"
    assert first["retry_count"] == "0" and first["to_number"] == "03-1234-5678"
    assert first["record_id"] == "株式会社テスト (0012v000032fR15AAE)" and "株式会社テスト" not in third["record_id"]
    # Nothing else starts with = (formula cells are still neutralised).
    formulas = [cell for line in lines for cell in line if cell.startswith("=")]
    assert formulas and all(re.fullmatch(r'="\d+"', cell) for cell in formulas)


def test_the_state_column_fits_its_longest_word_though_sized_on_a_page_of_waiting_calls(  # type: ignore[no-untyped-def]
        qtbot, context: AppContext, make_setting) -> None:
    # The widths are measured once per setting: the demo's first page is 待機中 only, and once the calls were linked
    # the column showed 連携… instead of 連携済み.
    from biztel_desk.domain.jobs import state_label
    from biztel_desk.domain.vocabulary import JOB_STATES

    make_setting()
    _insert_calls(context, "本社", 3, dt.datetime(2024, 4, 1, 9, tzinfo=TOKYO), state="pending", task_id=None,
                  record_id=None, record_object=None, processed_at=None, match_reason=None)
    tab = _tab(qtbot, context)
    assert {row.state for row in tab.model.rows} == {"pending"}
    metrics, width = tab.view.fontMetrics(), tab.view.horizontalHeader().sectionSize(_column("state"))
    for state in JOB_STATES:
        assert metrics.horizontalAdvance(state_label(state, context.lang)) + 12 <= width, state
