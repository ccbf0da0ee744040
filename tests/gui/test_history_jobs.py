"""The history tab's queries as jobs (ui/tasks.py): a newer filter wins over a slower older one; a database that
refuses is a message in the tab, never a crash; shutdown waits for the queries under way."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import zoneinfo
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel
from pytestqt.qtbot import QtBot
from sqlalchemy import event
from test_history_tab import _insert_calls

from biztel_desk.services.context import AppContext
from biztel_desk.store.db import DB_FILENAME
from biztel_desk.store.history import DEFAULT_SORT, HistoryFilter, HistoryRow, Sort, SqlHistorySource
from biztel_desk.ui.crash import crash_log_path, install_crash_handler
from biztel_desk.ui.tabs.history_tab import HistoryTab

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
SLOW = "0001"  # the keyword whose page query is held until the test releases it


class _HeldSource(SqlHistorySource):
    """The real query, held at its start for one keyword: the older request answers after the newer one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.release = threading.Event()
        self.held_started = threading.Event()
        self.held_done = threading.Event()

    def page(self, history_filter: HistoryFilter, offset: int, limit: int, sort: Sort = DEFAULT_SORT,
             total: int | None = None) -> list[HistoryRow]:
        held = history_filter.keyword == SLOW
        if held:
            self.held_started.set()
            assert self.release.wait(10)
        try:
            return super().page(history_filter, offset, limit, sort, total=total)
        finally:
            if held:
                self.held_done.set()


def test_a_filter_changed_twice_quickly_shows_only_the_newer_result(qtbot: QtBot, context: AppContext,
                                                                   make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    _insert_calls(context, "本社", 5, dt.datetime(2024, 4, 1, 9, tzinfo=TOKYO))
    source = _HeldSource(context.database)
    tab = HistoryTab(context, source=source)
    qtbot.addWidget(tab)
    tab.load("本社")
    qtbot.waitUntil(lambda: not tab.model.loading and tab.model.rowCount() == 5, timeout=5000)
    shown: list[list[str]] = []
    tab.model.page_loaded.connect(lambda: shown.append([r.from_number for r in tab.model.rows]))

    tab.keyword_edit.setText(SLOW)  # the first request: its query is held
    tab.apply_keyword_now()
    qtbot.waitUntil(source.held_started.is_set, timeout=5000)
    tab.keyword_edit.setText("0002")  # the admin typed on before it answered
    tab.apply_keyword_now()
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=5000)
    source.release.set()
    assert source.held_done.wait(10)
    # One more round trip after the older query returned: its result, had it been kept, would be shown by now.
    with qtbot.waitSignal(tab.model.page_loaded, timeout=5000):
        tab.model.refresh()
    assert shown == [["090-1111-0002"], ["090-1111-0002"]]
    assert [tab.model.row_at(0).from_number] == ["090-1111-0002"]  # type: ignore[union-attr]
    tab.model.shutdown()


def _impatient(context: AppContext) -> None:
    """New connections give up on a lock at once instead of after 10 s (the fault is the same, the test faster)."""
    engine = context.database.engine
    event.listen(engine, "connect", lambda connection, _record: connection.execute("PRAGMA busy_timeout=0"))
    engine.dispose()


@pytest.mark.sqlite_only("the lock is SQLite's write lock (BEGIN IMMEDIATE through sqlite3)")
def test_a_locked_database_in_a_history_job_is_a_message_in_the_tab_not_a_crash(
        qtbot: QtBot, context: AppContext, data_dir: Path, make_setting, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox

    boxes: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *args, **_kw: boxes.append(str(args[2])))
    monkeypatch.setattr(QMessageBox, "warning", lambda *args, **_kw: boxes.append(str(args[2])))
    install_crash_handler(data_dir, "ja", context.database.location)
    make_setting()
    _insert_calls(context, "本社", 2, dt.datetime(2024, 5, 1, 0, tzinfo=TOKYO), state="failed", task_id=None,
                  match_reason="")
    tab = HistoryTab(context)
    qtbot.addWidget(tab)
    tab.load("本社")
    qtbot.waitUntil(lambda: not tab.model.loading and tab.model.rowCount() == 2, timeout=5000)
    tab.view.selectionModel().select(tab.model.index(0, 0),
                                     QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    _impatient(context)
    lock = sqlite3.connect(Path(data_dir) / DB_FILENAME, timeout=30, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    try:
        tab.retry_selected()
        qtbot.waitUntil(lambda: tab.status_label.text().startswith("再試行できませんでした"), timeout=5000)
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert "データベースが別のプログラムにロックされています" in tab.status_label.text()
    assert not boxes and not crash_log_path(data_dir).exists()
    tab.model.shutdown()


def test_shutdown_waits_for_the_query_under_way_and_starts_no_other(qtbot: QtBot, context: AppContext,
                                                                   make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    _insert_calls(context, "本社", 3, dt.datetime(2024, 4, 1, 9, tzinfo=TOKYO))
    source = _HeldSource(context.database)
    tab = HistoryTab(context, source=source)
    qtbot.addWidget(tab)
    tab.load("本社")
    qtbot.waitUntil(lambda: not tab.model.loading, timeout=5000)
    tab.keyword_edit.setText(SLOW)
    tab.apply_keyword_now()
    qtbot.waitUntil(source.held_started.is_set, timeout=5000)
    threading.Timer(0.2, source.release.set).start()
    tab.model.shutdown()  # returns only once the held query returned: the database may be closed now
    assert source.held_done.is_set()
    tab.model.refresh()  # after shutdown: nothing runs
    assert not tab.model.jobs.running()

