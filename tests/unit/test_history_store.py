"""History queries on 12,000 jobs: keyset and jump pages are exactly the rows a plain OFFSET query returns."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from helpers.history_rows import add_jobs
from sqlalchemy import select

from biztel_desk.services.context import AppContext
from biztel_desk.store.history import (
    DEFAULT_SORT,
    HistoryFilter,
    SqlHistorySource,
    cursor_of,
    keyword_term,
    retry_now,
)
from biztel_desk.store.models import Call, LinkJob

ROWS = 12_000
START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def source(context: AppContext, make_setting) -> SqlHistorySource:  # type: ignore[no-untyped-def]
    make_setting()
    make_setting("支店")
    rng = random.Random(3)
    with context.database.begin() as session:
        calls = []
        for i in range(ROWS):
            began = START + dt.timedelta(minutes=7 * (i // 3))  # three calls share each start: ties need the id
            calls.append(Call(
                unique_id=f"u{i:06d}", request_id=f"r{i:06d}", direction="inbound",
                from_number=f"090-{rng.randrange(10000):04d}-{i % 10000:04d}", to_number="0312345678",
                to_agent_id=f"agent{i % 7}", to_extension=str(200 + i % 9), started_at=began,
                ended_at=began + dt.timedelta(seconds=rng.randrange(30, 600)) if i % 5 else None,
            ))
        session.add_all(calls)
        session.flush()
        add_jobs(session, calls)
    return SqlHistorySource(context.database)


FILTERS = [
    HistoryFilter("本社"),
    HistoryFilter("本社", started_from=START + dt.timedelta(days=6), started_before=START + dt.timedelta(days=13)),
    HistoryFilter("本社", state="failed"),
    HistoryFilter("本社", keyword="agent3"),
    HistoryFilter("本社", keyword="agent3", started_from=START + dt.timedelta(days=5), started_before=START + dt.timedelta(days=9)),
]
SORTS = [DEFAULT_SORT, ("started_at", False), ("from_number", False), ("to_agent_id", True), ("retry_count", True),
         ("processed_at", False), ("ended_at", True), ("state", False)]


def _offset_ids(source: SqlHistorySource, history_filter: HistoryFilter, sort: tuple[str, bool]) -> list[int]:
    """The reference: the whole filtered list in order (a plain query with no paging tricks)."""
    with source.database.read() as session:
        return list(session.scalars(source._ids_query(history_filter, sort)))


def test_the_job_copies_its_call_start(source: SqlHistorySource) -> None:
    with source.database.read() as session:
        pairs = session.execute(select(LinkJob.call_started_at, Call.started_at).join(Call, LinkJob.call_id == Call.id)).all()
    assert len(pairs) == ROWS and all(job == call for job, call in pairs)


@pytest.mark.parametrize("history_filter", FILTERS)
def test_jump_and_keyset_pages_equal_offset_pages(source: SqlHistorySource, history_filter: HistoryFilter) -> None:
    size = 250
    for sort in SORTS:
        expected = _offset_ids(source, history_filter, sort)
        total = source.count(history_filter)
        assert total == len(expected) > 0
        pages = (total + size - 1) // size
        for page in sorted({0, 1, pages // 2, pages - 2, pages - 1, *random.Random(1).sample(range(pages), min(5, pages))}):
            if page < 0:
                continue
            rows = source.page(history_filter, page * size, size, sort, total=total)
            assert [row.job_id for row in rows] == expected[page * size : (page + 1) * size], (sort, page)
        if sort in (DEFAULT_SORT, ("from_number", False), ("state", False)):
            # Walk forwards by keyset from the first page to the last, then backwards again.
            rows = source.page(history_filter, 0, size, sort)
            walked = [row.job_id for row in rows]
            while len(walked) < total:
                rows = source.page_after(history_filter, cursor_of(rows[-1], sort), size, sort)
                assert rows, sort
                walked.extend(row.job_id for row in rows)
            assert walked == expected, sort
            back = source.page(history_filter, (pages - 1) * size, size, sort, total=total)
            position = (pages - 1) * size
            while position > 0:
                back = source.page_after(history_filter, cursor_of(back[0], sort), size, sort, backwards=True)
                position -= size
                assert [row.job_id for row in back] == expected[position : position + size], sort


def test_iter_rows_streams_every_row_in_order(source: SqlHistorySource) -> None:
    history_filter = HistoryFilter("本社", keyword="agent3")
    chunks = list(source.iter_rows(history_filter, chunk=100))
    assert all(len(chunk) <= 100 for chunk in chunks)
    assert [row.job_id for chunk in chunks for row in chunk] == _offset_ids(source, history_filter, DEFAULT_SORT)


def test_keywords_in_any_phone_format() -> None:
    assert keyword_term("+81 90-1234-5678") == "9012345678"
    assert keyword_term("090(1234)5678") == "9012345678"
    assert keyword_term("０９０－１２３４－５６７８") == "9012345678"
    assert keyword_term("1234-56") == "123456"
    assert keyword_term(" agent7 ") == "agent7"
    assert keyword_term("  ") is None


def test_retry_now_only_touches_failed_and_retrying(source: SqlHistorySource) -> None:
    with source.database.read() as session:
        jobs = {job.state: job.id for job in session.scalars(select(LinkJob).limit(10))}
    assert retry_now(source.database, list(jobs.values())) == 2
    with source.database.read() as session:
        after = {job.id: (job.state, job.next_retry_at) for job in session.scalars(select(LinkJob).where(LinkJob.id.in_(jobs.values())))}
    assert after[jobs["failed"]] == ("pending", None) and after[jobs["retrying"]] == ("pending", None)
    assert after[jobs["linked"]][0] == "linked"


def test_retry_now_of_a_failed_task_update_updates_and_never_creates(source: SqlHistorySource) -> None:
    with source.database.begin() as session:
        failed = session.scalars(select(LinkJob).where(LinkJob.state == "failed")).first()
        assert failed is not None
        failed.task_id = "00T000000000001AAA"  # its Task exists: the update failed, not the create
        job_id = failed.id
    assert retry_now(source.database, [job_id]) == 1
    with source.database.read() as session:
        job = session.get(LinkJob, job_id)
        assert job is not None and (job.state, job.task_id) == ("update_pending", "00T000000000001AAA")
