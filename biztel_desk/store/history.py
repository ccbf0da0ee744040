"""連携通話履歴 queries: one page of a setting's link jobs joined with their calls, filtered and sorted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import func, or_, select

from biztel_desk.store.db import Database
from biztel_desk.store.models import Call, LinkJob, LinkSetting

JOB_STATES = ("pending", "held", "sending", "linked", "retrying", "failed", "skipped")


@dataclass(frozen=True)
class HistoryFilter:
    """What the admin asked to see: a setting, a keyword, a start-time range (UTC, end exclusive), a state."""

    setting_name: str
    keyword: str = ""
    started_from: dt.datetime | None = None
    started_before: dt.datetime | None = None
    state: str = ""  # "" = every state


@dataclass(frozen=True)
class HistoryRow:
    """One line of the history table, as plain data (times are UTC-aware)."""

    job_id: int
    unique_id: str
    request_id: str
    from_number: str
    to_number: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    from_agent_id: str
    to_agent_id: str
    from_extension: str
    to_extension: str
    processed_at: dt.datetime | None
    retry_count: int
    next_retry_at: dt.datetime | None
    task_id: str | None
    state: str
    record_id: str | None
    record_object: str | None
    error_code: str
    error_message: str


# (sort key, descending); the sort key is a HistoryRow field name.
Sort = tuple[str, bool]
DEFAULT_SORT: Sort = ("started_at", True)


class HistorySource(Protocol):
    """Where the history table gets its rows: counted and fetched one page at a time."""

    def count(self, history_filter: HistoryFilter) -> int: ...

    def page(self, history_filter: HistoryFilter, offset: int, limit: int, sort: Sort = DEFAULT_SORT) -> list[HistoryRow]: ...


_SORT_COLUMNS: dict[str, Any] = {
    "unique_id": Call.unique_id,
    "request_id": Call.request_id,
    "from_number": Call.from_number,
    "to_number": Call.to_number,
    "started_at": Call.started_at,
    "ended_at": Call.ended_at,
    "from_agent_id": Call.from_agent_id,
    "to_agent_id": Call.to_agent_id,
    "from_extension": Call.from_extension,
    "to_extension": Call.to_extension,
    "processed_at": LinkJob.processed_at,
    "retry_count": LinkJob.retry_count,
    "next_retry_at": LinkJob.next_retry_at,
    "task_id": LinkJob.task_id,
    "state": LinkJob.state,
    "record_id": LinkJob.record_id,
    "error_message": LinkJob.error_message,
}
_KEYWORD_COLUMNS = (
    Call.unique_id,
    Call.request_id,
    Call.from_number,
    Call.to_number,
    Call.customer_e164,
    Call.company_e164,
    Call.from_agent_id,
    Call.to_agent_id,
    Call.from_extension,
    Call.to_extension,
    LinkJob.record_id,
    LinkJob.task_id,
)


def _like_pattern(keyword: str) -> str:
    escaped = keyword.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _where(query: Any, history_filter: HistoryFilter) -> Any:
    setting_id = select(LinkSetting.id).where(LinkSetting.name == history_filter.setting_name).scalar_subquery()
    query = query.where(LinkJob.setting_id == setting_id)
    if history_filter.started_from is not None:
        query = query.where(Call.started_at >= history_filter.started_from)
    if history_filter.started_before is not None:
        query = query.where(Call.started_at < history_filter.started_before)
    if history_filter.state:
        query = query.where(LinkJob.state == history_filter.state)
    keyword = history_filter.keyword.strip()
    if keyword:
        pattern = _like_pattern(keyword)
        query = query.where(or_(*(column.like(pattern, escape="\\") for column in _KEYWORD_COLUMNS)))
    return query


class SqlHistorySource:
    """The history straight from the local database; every query is bounded by LIMIT."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def count(self, history_filter: HistoryFilter) -> int:
        query = _where(select(func.count()).select_from(LinkJob).join(Call, LinkJob.call_id == Call.id), history_filter)
        with self.database.read() as session:
            return int(session.scalar(query) or 0)

    def page(self, history_filter: HistoryFilter, offset: int, limit: int, sort: Sort = DEFAULT_SORT) -> list[HistoryRow]:
        key, descending = sort
        column = _SORT_COLUMNS.get(key, Call.started_at)
        order = column.desc() if descending else column.asc()
        # The job id breaks ties so that pages never overlap or skip rows.
        tie = LinkJob.id.desc() if descending else LinkJob.id.asc()
        query = _where(select(LinkJob, Call).join(Call, LinkJob.call_id == Call.id), history_filter)
        query = query.order_by(order, tie).offset(max(offset, 0)).limit(max(limit, 0))
        with self.database.read() as session:
            return [_row(job, call) for job, call in session.execute(query)]


def _row(job: LinkJob, call: Call) -> HistoryRow:
    return HistoryRow(
        job_id=job.id,
        unique_id=call.unique_id,
        request_id=call.request_id,
        from_number=call.from_number,
        to_number=call.to_number,
        started_at=call.started_at,
        ended_at=call.ended_at,
        from_agent_id=call.from_agent_id,
        to_agent_id=call.to_agent_id,
        from_extension=call.from_extension,
        to_extension=call.to_extension,
        processed_at=job.processed_at,
        retry_count=job.retry_count,
        next_retry_at=job.next_retry_at,
        task_id=job.task_id,
        state=job.state,
        record_id=job.record_id,
        record_object=job.record_object,
        error_code=job.error_code,
        error_message=job.error_message,
    )
