"""On PostgreSQL the history tab shows the database's estimate (約…件) while the exact count runs, then the count;
on SQLite (exact counts in tens of milliseconds) there is no estimate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from helpers.history_rows import save_settings
from helpers.postgres_server import fresh_database
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from biztel_desk.secrets import MemoryBackend, SecretStore
from biztel_desk.services.context import AppContext
from biztel_desk.store.db import Database
from biztel_desk.store.history import HistoryFilter, SqlHistorySource
from biztel_desk.store.models import Call, LinkJob, LinkSetting
from biztel_desk.ui.tabs.history_tab import HistoryTab

CALLS = 1200


def _fill(context: AppContext) -> None:
    save_settings(context.config)
    start = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    with context.database.begin() as session:
        setting_id = session.scalar(select(LinkSetting.id).where(LinkSetting.name == "本社"))
        calls = [Call(unique_id=f"u{i:05d}", direction="inbound", from_number=f"090-3333-{i:04d}",
                      to_number="03-1234-5678", started_at=start + dt.timedelta(minutes=i), ended_at=None)
                 for i in range(CALLS)]
        session.add_all(calls)
        session.flush()
        session.add_all(LinkJob(call_id=call.id, setting_id=setting_id, state="linked") for call in calls)


@pytest.fixture
def pg_context() -> Iterator[AppContext]:
    with fresh_database("estimate") as url:
        database = Database.open(url=url)
        context = AppContext(database=database, secrets=SecretStore(MemoryBackend()), lang="ja")
        _fill(context)
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE link_jobs")  # as autovacuum does: the estimate reads the statistics
        yield context
        database.close()


def test_the_estimate_is_shown_until_the_exact_count_arrives(qtbot: QtBot, pg_context: AppContext) -> None:
    tab = HistoryTab(pg_context)
    qtbot.addWidget(tab)
    seen: list[str] = []
    # Connected after the tab's own slot: records the label as the admin sees it when the estimate arrives.
    tab.model.estimate_loaded.connect(lambda: seen.append(tab.page_label.text()))
    tab.load("本社")
    qtbot.waitUntil(lambda: tab.model.total_known and not tab.model.loading and not tab.model.counting, timeout=10000)
    estimate = SqlHistorySource(pg_context.database).estimate(HistoryFilter("本社"))
    assert estimate is not None and estimate > 0
    # (The first page may or may not be there yet: it runs beside the count.)
    assert seen and all(shown.endswith(f" / 約{estimate:,}件") for shown in seen)
    assert tab.page_label.text() == f"1–50 / {CALLS:,}件"
    assert tab.model.estimate is None  # the exact count replaced it
    # A keyword has no estimate (trigram selectivity guesses are far off): the exact count only.
    assert SqlHistorySource(pg_context.database).estimate(HistoryFilter("本社", keyword="090-3333-0007")) is None


@pytest.mark.sqlite_only("the context's database must be SQLite (under --db postgresql it is the server)")
def test_sqlite_has_no_estimate(context: AppContext) -> None:
    assert SqlHistorySource(context.database).estimate(HistoryFilter("本社")) is None
