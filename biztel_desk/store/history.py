"""連携通話履歴 queries: a setting's link jobs with their calls, filtered, sorted and paged at a million rows."""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import time
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
    true,
    union_all,
    update,
)
from sqlalchemy.exc import DBAPIError

from biztel_desk.domain import phone
from biztel_desk.domain.jobs import JobState
from biztel_desk.store.db import Database
from biztel_desk.store.models import Call, HistoryDayCount, LinkJob, LinkSetting, utcnow

# In the order the admin picks them (SPEC §13): 連携済み, 待機中, 保留中, リトライ待ち, 失敗, スキップ, 送信中,
# then a linked call's Task update (a late leg): 更新待ち, 更新送信中, 更新済み; last 対象外.
JOB_STATES = ("linked", "pending", "held", "retrying", "failed", "skipped", "sending",
              "update_pending", "update_sending", "updated", "excluded")
RETRIABLE_STATES = (JobState.FAILED.value, JobState.RETRYING.value)
# 失敗/要対応, the history's quick filter: the calls that wait for the admin — failed (a Salesforce refusal, kept
# until retried by hand) and waiting to retry (no match yet, or a transient failure). Both are what 今すぐ再試行
# acts on. Held (paused on purpose), sending and excluded calls need nobody.
ATTENTION_STATES = RETRIABLE_STATES


@dataclass(frozen=True)
class HistoryFilter:
    """What the admin asked to see: a setting, a keyword, a start-time range (UTC, end exclusive), the states.

    ``state`` is one state, ``states`` a set of them (the 失敗/要対応 quick filter); a job matches when its state is
    ``state`` or one of ``states``; both empty = every state."""

    setting_name: str
    keyword: str = ""
    started_from: dt.datetime | None = None
    started_before: dt.datetime | None = None
    state: str = ""  # "" = every state
    states: tuple[str, ...] = ()

    def state_set(self) -> tuple[str, ...]:
        """The states asked for, sorted and without repeats; () = every state."""
        return tuple(sorted({self.state, *self.states} - {""}))


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
    match_reason: str = ""
    outcome: str = ""  # the call's disposition as stored (ANSWERED, NO ANSWER, BUSY, FAILED, CONGESTION, "")
    direction: str = ""  # the call's direction: inbound | outbound | internal
    record_name: str | None = None  # the linked record's name as the match read it (None: unknown, older rows)


# (sort key, descending); the sort key is a HistoryRow field name.
Sort = tuple[str, bool]
DEFAULT_SORT: Sort = ("started_at", True)


@dataclass(frozen=True)
class Cursor:
    """Where a keyset page starts: the sort value and job id of the row just outside it."""

    value: Any
    job_id: int


class HistorySource(Protocol):
    """Where the history table gets its rows: counted and fetched one page at a time."""

    def count(self, history_filter: HistoryFilter) -> int: ...

    def estimate(self, history_filter: HistoryFilter) -> int | None: ...

    def page(
        self, history_filter: HistoryFilter, offset: int, limit: int, sort: Sort = DEFAULT_SORT, total: int | None = None
    ) -> list[HistoryRow]: ...

    def page_after(
        self, history_filter: HistoryFilter, cursor: Cursor, limit: int, sort: Sort = DEFAULT_SORT, backwards: bool = False
    ) -> list[HistoryRow]: ...


# Sort keys on the job row (no join needed to order by them); started_at is the copy kept on the job.
_JOB_SORT: dict[str, Any] = {
    "started_at": LinkJob.call_started_at,
    "processed_at": LinkJob.processed_at,
    "retry_count": LinkJob.retry_count,
    "next_retry_at": LinkJob.next_retry_at,
    "task_id": LinkJob.task_id,
    "state": LinkJob.state,
    "record_id": LinkJob.record_id,
    "error_message": LinkJob.error_message,
}
_CALL_SORT: dict[str, Any] = {
    "unique_id": Call.unique_id,
    "request_id": Call.request_id,
    "from_number": Call.from_number,
    "to_number": Call.to_number,
    "ended_at": Call.ended_at,
    "from_agent_id": Call.from_agent_id,
    "to_agent_id": Call.to_agent_id,
    "from_extension": Call.from_extension,
    "to_extension": Call.to_extension,
    "outcome": Call.disposition,
    "direction": Call.direction,
}
SORT_KEYS = frozenset(_JOB_SORT) | frozenset(_CALL_SORT)
# Keyset paging compares (value, id) tuples, which NULLs break; these sort keys are never NULL.
_KEYSET_KEYS = frozenset(
    {"started_at", "retry_count", "state", "error_message", "unique_id", "request_id", "from_number", "to_number",
     "from_agent_id", "to_agent_id", "from_extension", "to_extension", "outcome", "direction"}
)

_ROW_COLUMNS = (
    LinkJob.id, Call.unique_id, Call.request_id, Call.from_number, Call.to_number, Call.started_at, Call.ended_at,
    Call.from_agent_id, Call.to_agent_id, Call.from_extension, Call.to_extension, LinkJob.processed_at,
    LinkJob.retry_count, LinkJob.next_retry_at, LinkJob.task_id, LinkJob.state, LinkJob.record_id,
    LinkJob.record_object, LinkJob.error_code, LinkJob.error_message, LinkJob.match_reason, Call.disposition,
    Call.direction, LinkJob.record_name,
)
_PHONE_CHARACTERS = frozenset("0123456789-+() ")
# Up to this many jobs in the date range, a keyword is tested row by row (a month of a busy PBX: ~35 ms);
# beyond it the FTS5 index finds the matching calls first.
RANGE_SCAN_ROWS = 120_000

log = logging.getLogger(__name__)

# PostgreSQL: the GIN trigram index of migration 0008_pg_trgm_history, over exactly this expression (a query
# must spell the indexed expression the same way for the planner to use the index; keep the two in step).
TRIGRAM_INDEX = "ix_calls_search_trgm"
# The searched text is a HEAD of many distinct values (ids, numbers) then, after a single space, the call's PARTY
# (agents and extensions: few distinct values). A keyword without a space matches the text exactly when it matches
# the head or the party (it cannot span the space between them): migration 0022_history_party_counts counts the
# party per day, and indexes the head alone (PG_SEARCH_HEAD, PG_PARTY: spelt once here, as the indexes are).
PG_SEARCH_HEAD = " || ' ' || ".join(
    ["unique_id", "request_id", "from_number", "to_number"]
    + [
        "replace(replace(replace(replace(replace(replace(" + column + ", '-', ''), ' ', ''), '(', ''), ')', ''),"
        " '+', ''), '.', '')"
        for column in ("from_number", "to_number")
    ]
    + ["coalesce(customer_e164, '')", "coalesce(company_e164, '')"]
)
PG_PARTY = " || ' ' || ".join(["from_agent_id", "to_agent_id", "from_extension", "to_extension"])
PG_SEARCH_BODY = PG_SEARCH_HEAD + " || ' ' || " + PG_PARTY


# PostgreSQL with btree_gin too (migration 0021_pg_history_search): one GIN index over the call's UTC day and the
# same searched text, in place of TRIGRAM_INDEX, so a keyword within a date range walks only that range's days.
# A query must spell the day as PG_CALL_DAY (the indexed expression).
DAY_TRIGRAM_INDEX = "ix_calls_search_day_trgm"
PG_CALL_DAY = "((started_at AT TIME ZONE 'UTC')::date)"
# PostgreSQL with 0021's index (migration 0022_history_party_counts): the parties numbered, a setting's jobs per
# (UTC day, state, party) kept by triggers, and a (day, head) trigram index; raw SQL, not models.
PARTIES_TABLE = "history_parties"
PARTY_COUNTS_TABLE = "history_party_day_counts"
HEAD_TRIGRAM_INDEX = "ix_calls_search_head_day_trgm"


def keyword_term(keyword: str, region: str = "JP") -> str | None:
    """The substring a keyword is searched as, or None for no keyword.

    A phone-like keyword is searched as digits, so ``+81 90-1111-2222``, ``09011112222`` and ``090-1111-2222``
    find the same call: a whole number becomes its national significant number (``9011112222``), which is
    part of both the national (``0…``) and the E.164 (``+81…``) forms; a partial one is searched as its digits.
    """
    text_ = unicodedata.normalize("NFKC", keyword).strip()
    if not text_:
        return None
    if any(ch.isdigit() for ch in text_) and set(text_) <= _PHONE_CHARACTERS:
        e164 = phone.normalize(text_, region)
        digits = phone.digits(text_)
        if e164 is not None and len(digits) >= 10:
            national = phone.search_forms(e164)[0]
            digits = national.removeprefix("0")
        return digits
    return text_


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _digits(column: Any) -> Any:
    expression = column
    for separator in ("-", " ", "(", ")", "+", "."):
        expression = func.replace(expression, separator, "")
    return expression


def keyword_body() -> Any:
    """The searched text of a call as an SQL expression: what migration 0004's FTS trigger stores, portably."""
    parts = [
        Call.unique_id, Call.request_id, Call.from_number, Call.to_number, _digits(Call.from_number),
        _digits(Call.to_number), func.coalesce(Call.customer_e164, ""), func.coalesce(Call.company_e164, ""),
        Call.from_agent_id, Call.to_agent_id, Call.from_extension, Call.to_extension,
    ]
    body = parts[0]
    for part in parts[1:]:
        body = body + " " + part
    return body


def keyword_index(connection: Connection) -> str:
    """How the keyword is searched on this database: ``fts5`` (SQLite), ``pg_trgm`` (PostgreSQL with the trigram
    index of migration 0008) or ``like`` (a LIKE scan over every call: PostgreSQL without pg_trgm, others)."""
    name = connection.dialect.name
    if name == "sqlite":
        return "fts5"
    if name == "postgresql":
        # 0008's index, or 0019's (day, text) index that replaces it (the same trigram entries)
        found = connection.exec_driver_sql(
            "SELECT 1 FROM pg_indexes WHERE indexname IN (%(name)s, %(day)s) AND tablename = 'calls'",
            {"name": TRIGRAM_INDEX, "day": DAY_TRIGRAM_INDEX},
        ).first()
        return "pg_trgm" if found else "like"
    return "like"


def ensure_trigram_index(engine: Engine) -> tuple[str, str]:
    """PostgreSQL: create pg_trgm and the keyword index when missing (what 0008 does when it has the rights).

    Returns ``(state, reason)``: state ``pg_trgm`` when the index exists now, else ``like`` with the server's
    reason (e.g. permission denied to create extension). Other databases: ``(keyword_index, "")``, no change.
    """
    with engine.connect() as connection:
        state = keyword_index(connection)
    if state != "like" or engine.dialect.name != "postgresql":
        return state, ""
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            connection.exec_driver_sql(
                f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON calls USING gin (({PG_SEARCH_BODY}) gin_trgm_ops)"
            )
    except DBAPIError as error:
        return "like", str(getattr(error, "orig", error)).strip().splitlines()[0]
    return "pg_trgm", ""


def day_trigram_index(connection: Connection) -> bool:
    """PostgreSQL: whether the (day, searched text) GIN index of migration 0019 exists."""
    if connection.dialect.name != "postgresql":
        return False
    return connection.exec_driver_sql(
        "SELECT 1 FROM pg_indexes WHERE indexname = %(name)s AND tablename = 'calls'", {"name": DAY_TRIGRAM_INDEX}
    ).first() is not None


def party_counts(connection: Connection) -> bool:
    """PostgreSQL: whether migration 0022's party counts and (day, head) index exist."""
    if connection.dialect.name != "postgresql":
        return False
    return connection.exec_driver_sql(
        "SELECT to_regclass(%(table)s) IS NOT NULL AND EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = %(index)s)",
        {"table": PARTY_COUNTS_TABLE, "index": HEAD_TRIGRAM_INDEX},
    ).scalar() is True


def ensure_day_trigram_index(engine: Engine) -> tuple[bool, str]:
    """PostgreSQL: create btree_gin and the (day, searched text) keyword index when missing, in place of 0008's
    index (what migration 0019 does when it has the rights). Returns ``(exists now, the server's reason when
    not)``; other databases ``(False, "")``. Needs pg_trgm (ensure_trigram_index first)."""
    if engine.dialect.name != "postgresql":
        return False, ""
    with engine.connect() as connection:
        exists = day_trigram_index(connection)
    if exists:
        ensure_party_counts(engine)
        return True, ""
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS btree_gin")
            connection.exec_driver_sql(DAY_TRIGRAM_INDEX_DDL)
            connection.exec_driver_sql(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")  # replaced, as 0019 does
    except DBAPIError as error:
        return False, str(getattr(error, "orig", error)).strip().splitlines()[0]
    ensure_party_counts(engine)
    return True, ""


def ensure_party_counts(engine: Engine) -> bool:
    """PostgreSQL at the app's schema: make migration 0022's party counts (what it makes when 0021's index exists)
    if that index exists now but did not when 0022 ran — an administrator created btree_gin later, then ran
    ``db upgrade`` (ensure_day_trigram_index calls this). Returns whether they exist now."""
    if engine.dialect.name != "postgresql":
        return False
    with engine.connect() as connection:
        if party_counts(connection):
            return True
        missing = connection.exec_driver_sql("SELECT to_regclass(%(table)s) IS NULL", {"table": PARTY_COUNTS_TABLE})
        if not missing.scalar() or not day_trigram_index(connection):
            return False
    migration = importlib.import_module("biztel_desk.store.migrations.versions.0022_history_party_counts")
    try:
        with engine.begin() as connection:
            for statement in migration.POSTGRESQL_UP:
                connection.exec_driver_sql(statement)
    except DBAPIError as error:
        log.warning("could not make the history's party counts (%s): a keyword's count rechecks every matching call",
                    str(getattr(error, "orig", error)).strip().splitlines()[0])
        return False
    return True


DAY_TRIGRAM_INDEX_DDL = (
    f"CREATE INDEX IF NOT EXISTS {DAY_TRIGRAM_INDEX} ON calls USING gin ({PG_CALL_DAY}, ({PG_SEARCH_BODY}) gin_trgm_ops)"
)
# A keyword within a range of up to this many days looks up each day in the (day, text) index (_keyword_days).
KEYWORD_DAYS_MAX = 1000
# A keyword's per-day counts (PostgreSQL, see keyword_spans) serve page jumps for this long at most.
KEYWORD_SPANS_SECONDS = 300.0

_DAY = dt.timedelta(days=1)
# A job's UTC day (PostgreSQL), as migrations 0018 and 0022 count it.
_JOB_DAY = "(link_jobs.call_started_at AT TIME ZONE 'UTC')::date"
_PARTY_COUNTS = table(PARTY_COUNTS_TABLE, column("setting_id"), column("day"), column("state"), column("party_id"),
                      column("n"))
_PARTIES = table(PARTIES_TABLE, column("id"), column("party"))
# Up to this OFFSET a page by start time is read directly (no per-day counts needed).
NEAR_OFFSET = 1000
# Databases whose history_day_counts are kept by the triggers of migration 0018_history_day_counts.
DAY_COUNT_DIALECTS = frozenset({"sqlite", "postgresql"})


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC)


@dataclass(frozen=True)
class Span:
    """A part of a filter's date range and how many jobs it holds: a whole UTC day (from history_day_counts) or
    a partial day at an edge of the range (counted exactly over the index). Spans are in time order, disjoint,
    and together cover the range."""

    start: dt.datetime | None  # None: the range's open lower end
    end: dt.datetime | None  # exclusive; None: the range's open upper end
    rows: int


class SqlHistorySource:
    """The history from the local database. Every query is bounded: it walks an index, never the whole table.

    * the filter is always ``setting_id`` + ``call_started_at`` range (+ ``state``) on the job row, which
      ``ix_link_jobs_history(_state)`` answer; a keyword is ``call_id IN (…)`` from the FTS5 trigram index on
      SQLite, from the pg_trgm GIN index on PostgreSQL (migration 0008), or a LIKE scan over the calls where
      neither exists;
    * a page is found as job ids first (over the index only), then its rows are fetched by id;
    * next/previous use keyset paging;
    * without a keyword, a count and a jump to page N read the per-day counts of migration 0018 (spans()): the
      count sums whole days and counts the partial days at the range's edges over the index; page N skips whole
      days by their counts and OFFSETs only within its day. With a keyword on PostgreSQL with migration 0019's
      (day, text) index, the count is the keyword's per-day counts (keyword_spans), kept for page jumps while they
      hold; for a keyword without a space, with migration 0022, those per-day counts come from the party counts
      (_party_day_counts). Otherwise (a keyword elsewhere, or a sort other than the start time) a jump uses OFFSET from whichever
      end is nearer, and the count walks the matching rows.
    """

    def __init__(self, database: Database, region: str = "JP") -> None:
        self.database = database
        self.region = region
        self._fts = database.engine.dialect.name == "sqlite"
        self._postgresql = database.engine.dialect.name == "postgresql"
        if self._postgresql:
            with database.engine.connect() as connection:
                self.keyword_index = keyword_index(connection)
            if self.keyword_index == "like":
                log.warning("PostgreSQL without the pg_trgm index %s: history keyword search scans every call"
                            " (see biztel-desk db check)", TRIGRAM_INDEX)
        else:
            self.keyword_index = "fts5" if self._fts else "like"
        self.day_keyword_index = False
        self.party_counts = False
        if self._postgresql and self.keyword_index == "pg_trgm":
            with database.engine.connect() as connection:
                self.day_keyword_index = day_trigram_index(connection)
                self.party_counts = self.day_keyword_index and party_counts(connection)
        # A keyword's per-day counts, per filter (by its repr: any field type), PostgreSQL with the day index.
        self._keyword_spans: dict[str, tuple[float, tuple[int, int], list[Span]]] = {}
        self.day_counts = database.engine.dialect.name in DAY_COUNT_DIALECTS
        self.near_offset = NEAR_OFFSET
        # Range sizes only decide between two correct plans, so a slightly stale figure does no harm.
        self._range_sizes: dict[tuple[Any, ...], int] = {}

    # --- the filter ---------------------------------------------------------------------------------------------

    def _where(self, query: Any, history_filter: HistoryFilter) -> Any:
        setting_id = select(LinkSetting.id).where(LinkSetting.name == history_filter.setting_name).scalar_subquery()
        query = query.where(LinkJob.setting_id == setting_id)
        if history_filter.started_from is not None:
            query = query.where(LinkJob.call_started_at >= history_filter.started_from)
        if history_filter.started_before is not None:
            query = query.where(LinkJob.call_started_at < history_filter.started_before)
        states = history_filter.state_set()
        if len(states) == 1:
            query = query.where(LinkJob.state == states[0])
        elif states:
            query = query.where(LinkJob.state.in_(states))
        term = keyword_term(history_filter.keyword, self.region)
        if term is not None:
            query = query.where(self._keyword_condition(term, history_filter))
        return query

    def _keyword_condition(self, term: str, history_filter: HistoryFilter) -> Any:
        pattern = _like(term)
        if self._postgresql:
            # The indexed expression, spelt as in migration 0008 (ILIKE keeps LIKE's default escape, backslash);
            # without the index the same condition is the LIKE scan.
            body = text(f"({PG_SEARCH_BODY}) ILIKE :pattern").bindparams(pattern=pattern)
            # (Not narrowed by _call_range: for a common word PostgreSQL then filters every call of the range
            # row by row, 1.7 s → 2.3 s for 'agent07' in a month of 10,000,000 calls.) With the (day, text)
            # index of migration 0019 the range's UTC days narrow the trigram walk itself (_keyword_days).
            return LinkJob.call_id.in_(select(Call.id).where(body, *self._keyword_days(history_filter)))
        if not self._fts:
            matching_calls = select(Call.id).where(keyword_body().ilike(pattern, escape="\\"))
            return LinkJob.call_id.in_(matching_calls)
        if len(term) < 3 or self._few_rows_in_range(history_filter):
            # Few rows in the date range (or a term too short for trigrams): test each row's searched text,
            # kept by FTS5 in its content table, instead of collecting every call the keyword matches.
            return text(
                "EXISTS (SELECT 1 FROM call_search_content WHERE call_search_content.id = link_jobs.call_id"
                " AND call_search_content.c0 LIKE :pattern ESCAPE '\\')"
            ).bindparams(pattern=pattern)
        phrase = '"' + term.replace('"', '""') + '"'
        matching = text("SELECT rowid FROM call_search WHERE call_search MATCH :phrase").bindparams(phrase=phrase)
        return LinkJob.call_id.in_(matching.columns(literal_column("rowid")))

    def _keyword_days(self, history_filter: HistoryFilter) -> list[Any]:
        """PostgreSQL with the (day, text) index: the filter's range as the list of the call's UTC days (the exact
        bounds stay on the job row), spelt as the indexed expression. GIN then looks up each day's entry with the
        keyword's trigrams (about 1 ms a day at 27,000 calls a day); a range (>=, <=) instead would collect every
        call of the range into a bitmap first (150-200 ms for a month). An open-ended or very long range is left to
        the trigrams alone."""
        if not self.day_keyword_index or history_filter.started_from is None or history_filter.started_before is None:
            return []
        first = _utc(history_filter.started_from).date()
        last = (_utc(history_filter.started_before) - dt.timedelta(microseconds=1)).date()
        if last < first or (last - first).days >= KEYWORD_DAYS_MAX:
            return []
        days = ",".join((first + dt.timedelta(days=n)).isoformat() for n in range((last - first).days + 1))
        return [text(f"{PG_CALL_DAY} = ANY('{{{days}}}'::date[])")]  # our own dates only: safe to inline

    def _call_range(self, history_filter: HistoryFilter) -> list[Any]:
        """PostgreSQL: the date range again on ``calls.started_at`` (the job's call_started_at is a copy of it), so
        a sort by a call column can start from ix_calls_started_at: the first page of a month of 10,000,000 calls
        sorted by 発信電話番号 went from 5.4 s to 1.5 s. SQLite plans are tuned without it and keep them."""
        if not self._postgresql:
            return []
        bounds = []
        if history_filter.started_from is not None:
            bounds.append(Call.started_at >= history_filter.started_from)
        if history_filter.started_before is not None:
            bounds.append(Call.started_at < history_filter.started_before)
        return bounds

    def _few_rows_in_range(self, history_filter: HistoryFilter) -> bool:
        """Whether the date range (and state) holds at most RANGE_SCAN_ROWS jobs: a bounded count."""
        if history_filter.started_from is None and history_filter.started_before is None:
            return False
        key = (history_filter.setting_name, history_filter.started_from, history_filter.started_before,
               history_filter.state_set())
        cached = self._range_sizes.get(key)
        if cached is None:
            unkeyed = replace(history_filter, keyword="")
            inner = self._where(select(LinkJob.id), unkeyed).limit(RANGE_SCAN_ROWS + 1).subquery()
            with self.database.read() as session:
                cached = int(session.scalar(select(func.count()).select_from(inner)) or 0)
            if len(self._range_sizes) > 64:
                self._range_sizes.clear()
            self._range_sizes[key] = cached
        return cached <= RANGE_SCAN_ROWS

    def _order(self, sort: Sort, reverse: bool = False) -> tuple[Any, Any, bool]:
        key, descending = sort
        column = _JOB_SORT.get(key, _CALL_SORT.get(key, LinkJob.call_started_at))
        descending = descending != reverse
        # The job id breaks ties so that pages never overlap or skip rows.
        order = column.desc() if descending else column.asc()
        if self._postgresql and key not in _KEYSET_KEYS:
            # A column that may be NULL: empty cells first when ascending, as SQLite orders them (PostgreSQL
            # puts NULLs last). Never-NULL keys keep the plain order, which the history indexes answer.
            order = order.nulls_last() if descending else order.nulls_first()
        if descending:
            return order, LinkJob.id.desc(), key in _CALL_SORT
        return order, LinkJob.id.asc(), key in _CALL_SORT

    def _ids_query(self, history_filter: HistoryFilter, sort: Sort, reverse: bool = False) -> Select[Any]:
        order, tie, needs_call = self._order(sort, reverse)
        query = select(LinkJob.id)
        if needs_call:
            query = query.join(Call, LinkJob.call_id == Call.id).where(*self._call_range(history_filter))
        return self._where(query, history_filter).order_by(order, tie)

    # --- HistorySource ------------------------------------------------------------------------------------------

    def count(self, history_filter: HistoryFilter) -> int:
        if self._by_day_counts(history_filter):
            return sum(span.rows for span in self.spans(history_filter))
        if self._by_party_counts(history_filter):
            return sum(n for _day, n in self._party_day_counts(history_filter))
        if self._by_keyword_spans(history_filter):
            return sum(span.rows for span in self.keyword_spans(history_filter))
        # No join: every condition is on the job row, so the count is a walk over ix_link_jobs_history(_state).
        query = self._where(select(func.count()).select_from(LinkJob), history_filter)
        with self.database.read() as session:
            return int(session.scalar(query) or 0)

    def estimate(self, history_filter: HistoryFilter) -> int | None:
        """The planner's estimate of count() on PostgreSQL, in milliseconds whatever the size; None elsewhere and
        for a keyword (trigram selectivity guesses are far off). Shown as 約…件 while the exact count runs (which,
        without a keyword, reads the per-day counts and follows within milliseconds)."""
        if not self._postgresql or keyword_term(history_filter.keyword, self.region) is not None:
            return None
        query = self._where(select(LinkJob.id), history_filter)
        with self.database.read() as session:
            compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
            plan = session.execute(text(f"EXPLAIN (FORMAT JSON) {compiled}")).scalar()
        try:
            return int(plan[0]["Plan"]["Plan Rows"])  # type: ignore[index]
        except (TypeError, KeyError, IndexError, ValueError):
            return None

    def page(
        self, history_filter: HistoryFilter, offset: int, limit: int, sort: Sort = DEFAULT_SORT, total: int | None = None
    ) -> list[HistoryRow]:
        """Rows ``offset … offset+limit`` in ``sort`` order; with ``total`` known, a page past the middle is
        read backwards from the end, so no jump skips more than half of the rows."""
        offset, limit = max(offset, 0), max(limit, 0)
        if sort[0] == "started_at" and self._by_day_counts(history_filter):
            return self._page_by_day_counts(history_filter, offset, limit, sort[1])
        if sort[0] == "started_at" and offset > 0 and self._by_keyword_spans(history_filter):
            # A keyword: past the first pages, or whenever the count's per-day counts still hold, skip whole days.
            spans = self._kept_keyword_spans(history_filter, total)
            if spans is None and offset > self.near_offset:
                spans = self.keyword_spans(history_filter)
            if spans is not None:
                return self._page_in_spans(history_filter, spans, offset, limit, sort[1])
        reverse = total is not None and offset > total // 2
        if reverse:
            assert total is not None
            end = min(offset + limit, total)
            query = self._ids_query(history_filter, sort, reverse=True).offset(total - end).limit(max(end - offset, 0))
        else:
            query = self._ids_query(history_filter, sort).offset(offset).limit(limit)
        with self.database.read() as session:
            ids = list(session.scalars(query))
            if reverse:
                ids.reverse()
            return self._rows(session, ids)

    def page_after(
        self, history_filter: HistoryFilter, cursor: Cursor, limit: int, sort: Sort = DEFAULT_SORT, backwards: bool = False
    ) -> list[HistoryRow]:
        """The ``limit`` rows after ``cursor`` in ``sort`` order (before it when ``backwards``): keyset paging."""
        key, descending = sort
        if key not in _KEYSET_KEYS:
            raise ValueError(f"no keyset paging by {key}")
        column = _JOB_SORT.get(key, _CALL_SORT.get(key))
        after_in_order = descending == backwards  # ascending walk forwards, or descending walk backwards
        if key == "started_at":
            # The filter's own bound on the same column would be the one SQLite starts the index walk from
            # (it uses one bound per side): narrow the filter to the cursor so the walk starts there.
            if after_in_order and (history_filter.started_from is None or history_filter.started_from < cursor.value):
                history_filter = replace(history_filter, started_from=cursor.value)
            elif not after_in_order:
                before = cursor.value + dt.timedelta(microseconds=1)
                if history_filter.started_before is None or before < history_filter.started_before:
                    history_filter = replace(history_filter, started_before=before)
        condition: ColumnElement[bool]
        # The redundant bound (value >= cursor) lets the database start the index walk at the cursor; the OR
        # alone makes SQLite scan from the beginning.
        if after_in_order:
            condition = (column >= cursor.value) & ((column > cursor.value) | (LinkJob.id > cursor.job_id))
        else:
            condition = (column <= cursor.value) & ((column < cursor.value) | (LinkJob.id < cursor.job_id))
        query = self._ids_query(history_filter, sort, reverse=backwards).where(condition).limit(max(limit, 0))
        with self.database.read() as session:
            ids = list(session.scalars(query))
            if backwards:
                ids.reverse()
            return self._rows(session, ids)

    # --- per-day counts (migration 0018_history_day_counts) ----------------------------------------------------------

    def _by_day_counts(self, history_filter: HistoryFilter) -> bool:
        return self.day_counts and keyword_term(history_filter.keyword, self.region) is None

    def spans(self, history_filter: HistoryFilter) -> list[Span]:
        """The filter's date range as spans with their row counts (setting + range + state; the keyword is ignored):
        whole UTC days from history_day_counts, partial days at the edges counted over ix_link_jobs_history(_state).
        Days without rows are left out."""
        lower = None if history_filter.started_from is None else _utc(history_filter.started_from)
        upper = None if history_filter.started_before is None else _utc(history_filter.started_before)
        first_day = None
        if lower is not None:
            first_day = lower.date() if lower == _midnight(lower.date()) else lower.date() + _DAY
        end_day = None if upper is None else upper.date()  # days before it are whole inside the range
        if lower is not None and upper is not None and lower >= upper:
            return []
        if first_day is not None and end_day is not None and first_day >= end_day:
            # Less than two days, no whole one: the index counts it all.
            with self.database.read() as session:
                return [span for span in [Span(lower, upper, self._exact(session, history_filter, lower, upper))]
                        if span.rows]
        # One statement (one round trip, one snapshot): the whole days' sums, then each partial edge day's count.
        setting_id = select(LinkSetting.id).where(LinkSetting.name == history_filter.setting_name).scalar_subquery()
        rows = func.sum(HistoryDayCount.n)
        days = select(literal(0).label("part"), HistoryDayCount.day, rows.label("rows")).where(
            HistoryDayCount.setting_id == setting_id)
        if first_day is not None:
            days = days.where(HistoryDayCount.day >= first_day)
        if end_day is not None:
            days = days.where(HistoryDayCount.day < end_day)
        states = history_filter.state_set()
        if len(states) == 1:
            days = days.where(HistoryDayCount.state == states[0])
        elif states:  # several (失敗/要対応): a day's count is the sum over them (grouped by day below)
            days = days.where(HistoryDayCount.state.in_(states))
        parts: list[Any] = [days.group_by(HistoryDayCount.day).having(rows != 0)]
        head = tail = None
        if lower is not None and first_day is not None and lower < _midnight(first_day):
            head = (lower, _midnight(first_day))
            parts.append(self._edge_count(-1, history_filter, *head))
        if upper is not None and end_day is not None and upper > _midnight(end_day):
            tail = (_midnight(end_day), upper)
            parts.append(self._edge_count(1, history_filter, *tail))
        with self.database.read() as session:
            found = session.execute(union_all(*parts)).all()
        whole = sorted((day, int(n)) for part, day, n in found if part == 0)
        edges = {part: int(n) for part, _day, n in found if part != 0}
        spans = []
        if head is not None:
            spans.append(Span(head[0], head[1], edges.get(-1, 0)))
        spans.extend(Span(_midnight(day), _midnight(day) + _DAY, n) for day, n in whole)
        if tail is not None:
            spans.append(Span(tail[0], tail[1], edges.get(1, 0)))
        if first_day is None and spans and spans[0].start is not None:
            spans[0] = replace(spans[0], start=None)  # no lower bound: the first day's span reaches down
        if end_day is None and spans and spans[-1].end is not None:
            spans[-1] = replace(spans[-1], end=None)
        return [span for span in spans if span.rows]

    def _edge_count(self, part: int, history_filter: HistoryFilter, lower: dt.datetime, upper: dt.datetime) -> Any:
        bounded = replace(history_filter, keyword="", started_from=lower, started_before=upper)
        return self._where(select(literal(part), literal(None), func.count()).select_from(LinkJob), bounded)

    def _exact(self, session: Any, history_filter: HistoryFilter, lower: dt.datetime | None,
               upper: dt.datetime | None) -> int:
        bounded = replace(history_filter, keyword="", started_from=lower, started_before=upper)
        return int(session.scalar(self._where(select(func.count()).select_from(LinkJob), bounded)) or 0)

    def _page_by_day_counts(self, history_filter: HistoryFilter, offset: int, limit: int,
                            descending: bool) -> list[HistoryRow]:
        """Page ``offset`` by start time: whole days are skipped by their counts, then OFFSET within one day."""
        if offset <= self.near_offset:  # the first pages: a plain OFFSET walks fewer entries than a day holds
            query = self._ids_query(history_filter, ("started_at", descending)).offset(offset).limit(limit)
            with self.database.read() as session:
                return self._rows(session, list(session.scalars(query)))
        spans = self.spans(history_filter)
        skipped = 0
        for span in reversed(spans) if descending else spans:
            if skipped + span.rows > offset:
                break
            skipped += span.rows
        else:
            return []
        if descending:
            narrowed = replace(history_filter, started_before=span.end) if span.end is not None else history_filter
        else:
            narrowed = replace(history_filter, started_from=span.start) if span.start is not None else history_filter
        query = self._ids_query(narrowed, ("started_at", descending)).offset(offset - skipped).limit(limit)
        with self.database.read() as session:
            return self._rows(session, list(session.scalars(query)))

    # --- a keyword's per-day counts (PostgreSQL with migration 0019's day index) ----------------------------------

    def _by_keyword_spans(self, history_filter: HistoryFilter) -> bool:
        return self.day_keyword_index and keyword_term(history_filter.keyword, self.region) is not None

    def _change_stamp(self, history_filter: HistoryFilter) -> tuple[int, int]:
        """Changes to the filter's jobs since a stamp: 0018's triggers append a history_day_counts row for every
        statement that adds, removes or moves a job (state, day, setting); compaction deletes and adds rows. Only
        the filter's setting and days count: calls arriving today leave a search of September as it was."""
        setting_id = select(LinkSetting.id).where(LinkSetting.name == history_filter.setting_name).scalar_subquery()
        query = select(func.count(), func.coalesce(func.max(HistoryDayCount.id), 0)).where(
            HistoryDayCount.setting_id == setting_id)
        if history_filter.started_from is not None:
            query = query.where(HistoryDayCount.day >= _utc(history_filter.started_from).date())
        if history_filter.started_before is not None:
            query = query.where(HistoryDayCount.day <= _utc(history_filter.started_before).date())
        with self.database.read() as session:
            rows, last = session.execute(query).one()
        return int(rows), int(last)

    def keyword_spans(self, history_filter: HistoryFilter, reuse_for: int | None = None) -> list[Span]:
        """The filter's matching jobs per UTC day of their start (the keyword included), from one grouped query
        that the (day, text) index answers: spans in time order, each a day clipped to the range. count() sums
        them; page N skips whole days by them, as the keyword-less path does with history_day_counts.

        ``reuse_for``: the total the caller shows (page(total=…)): the spans of the count that gave it are reused
        while they add up to it, no job was added, removed or moved since (the change stamp), and they are at
        most KEYWORD_SPANS_SECONDS old; else they are counted again."""
        kept = self._kept_keyword_spans(history_filter, reuse_for)
        if kept is not None:
            return kept
        now = time.monotonic()
        stamp = self._change_stamp(history_filter)
        if self._by_party_counts(history_filter):
            found: list[tuple[Any, int]] = self._party_day_counts(history_filter)
        else:
            day: Any = literal_column(_JOB_DAY)
            query = self._where(select(day, func.count()).select_from(LinkJob), history_filter).group_by(day)
            with self.database.read() as session:
                found = [(value, int(n)) for value, n in session.execute(query)]
        if any(value is None for value, _n in found):  # a job without its call's start: one span, plain OFFSET
            spans = [Span(None, None, sum(n for _value, n in found))]
            self._keyword_spans[repr(history_filter)] = (now, stamp, spans)
            return spans
        found.sort()
        lower = None if history_filter.started_from is None else _utc(history_filter.started_from)
        upper = None if history_filter.started_before is None else _utc(history_filter.started_before)
        # Each day clipped to the range (the days between are whole); never open-ended, so that a jump's query is
        # bounded to its days on both sides, even for a filter without a range.
        spans = [Span(_midnight(value) if lower is None else max(lower, _midnight(value)),
                      _midnight(value) + _DAY if upper is None else min(upper, _midnight(value) + _DAY), n)
                 for value, n in found]
        if len(self._keyword_spans) > 32:
            self._keyword_spans.clear()
        self._keyword_spans[repr(history_filter)] = (now, stamp, spans)
        return spans

    # --- a keyword's count from the party counts (PostgreSQL with migration 0022) ------------------------------------

    def _by_party_counts(self, history_filter: HistoryFilter) -> bool:
        """Whether the keyword can be counted from the party counts: a term without a space (it cannot then match
        across the space between the searched text's head and its party) on a database with migration 0022's."""
        term = keyword_term(history_filter.keyword, self.region)
        return self.party_counts and term is not None and " " not in term

    def _party_day_counts(self, history_filter: HistoryFilter) -> list[tuple[dt.date, int]]:
        """The filter's matching jobs per UTC day of their start (keyword included), exactly, from one statement:

        * each whole UTC day of the range: the party counts of the parties that match the keyword, plus the jobs
          whose call matches it in the head and not in the party (the (day, head) index finds them);
        * a partial day at an edge of the range (a JST day starts at 15:00 UTC): its jobs counted as the keyword's
          plain query counts them (0021's index, one day).

        Days in time order, without the days at 0."""
        pattern = _like(keyword_term(history_filter.keyword, self.region) or "")
        lower = None if history_filter.started_from is None else _utc(history_filter.started_from)
        upper = None if history_filter.started_before is None else _utc(history_filter.started_before)
        if lower is not None and upper is not None and lower >= upper:
            return []
        first_day = None
        if lower is not None:
            first_day = lower.date() if lower == _midnight(lower.date()) else lower.date() + _DAY
        end_day = None if upper is None else upper.date()  # days before it are whole inside the range
        job_day: Any = literal_column(_JOB_DAY)
        parts: list[Any] = []
        if first_day is not None and end_day is not None and first_day >= end_day:
            # Less than two days, no whole one: the keyword's plain query counts it all.
            parts.append(self._where(select(job_day, func.count()).select_from(LinkJob), history_filter)
                         .group_by(job_day))
        else:
            whole = replace(history_filter, keyword="",
                            started_from=None if first_day is None else _midnight(first_day),
                            started_before=None if end_day is None else _midnight(end_day))
            parts.append(self._party_part(whole, pattern, first_day, end_day))
            head = text(f"({PG_SEARCH_HEAD}) ILIKE :pattern AND NOT (({PG_PARTY}) ILIKE :pattern)").bindparams(
                pattern=pattern)
            in_head = LinkJob.call_id.in_(select(Call.id).where(head, *self._keyword_days(whole)))
            parts.append(self._where(select(job_day, func.count()).select_from(LinkJob), whole).where(in_head)
                         .group_by(job_day))
            for edge in ((lower, _midnight(first_day)) if lower is not None and first_day is not None else None,
                         (_midnight(end_day), upper) if upper is not None and end_day is not None else None):
                if edge is not None and edge[0] < edge[1]:
                    bounded = replace(history_filter, started_from=edge[0], started_before=edge[1])
                    parts.append(self._where(select(job_day, func.count()).select_from(LinkJob), bounded)
                                 .group_by(job_day))
        with self.database.read() as session:
            found = session.execute(union_all(*parts)).all()
        days: dict[dt.date, int] = {}
        for value, n in found:
            days[value] = days.get(value, 0) + int(n)
        return sorted((value, n) for value, n in days.items() if n)

    def _party_part(self, whole: HistoryFilter, pattern: str, first_day: dt.date | None,
                    end_day: dt.date | None) -> Any:
        """The party counts of the whole days [first_day, end_day) whose party matches ``pattern``, per day: the
        matching parties first (a few thousand strings), then each one's rows over the index (a LATERAL join, so
        the planner never trades the index walk for a scan of the whole table on a poor guess of how many match)."""
        setting_id = select(LinkSetting.id).where(LinkSetting.name == whole.setting_name).scalar_subquery()
        rows = select(_PARTY_COUNTS.c.day, _PARTY_COUNTS.c.n).where(
            _PARTY_COUNTS.c.setting_id == setting_id, _PARTY_COUNTS.c.party_id == _PARTIES.c.id)
        if first_day is not None:
            rows = rows.where(_PARTY_COUNTS.c.day >= first_day)
        if end_day is not None:
            rows = rows.where(_PARTY_COUNTS.c.day < end_day)
        states = whole.state_set()
        if len(states) == 1:
            rows = rows.where(_PARTY_COUNTS.c.state == states[0])
        elif states:
            rows = rows.where(_PARTY_COUNTS.c.state.in_(states))
        counted = rows.lateral("counted")
        return (select(counted.c.day, func.sum(counted.c.n)).select_from(_PARTIES.join(counted, true()))
                .where(_PARTIES.c.party.ilike(pattern)).group_by(counted.c.day))

    def _kept_keyword_spans(self, history_filter: HistoryFilter, total: int | None) -> list[Span] | None:
        """The spans keyword_spans() kept for this filter, if they still hold and add up to ``total``; else None."""
        cached = self._keyword_spans.get(repr(history_filter))
        if (total is None or cached is None or time.monotonic() - cached[0] > KEYWORD_SPANS_SECONDS
                or sum(span.rows for span in cached[2]) != total):
            return None
        return cached[2] if cached[1] == self._change_stamp(history_filter) else None

    def _page_in_spans(self, history_filter: HistoryFilter, spans: list[Span], offset: int, limit: int,
                       descending: bool) -> list[HistoryRow]:
        """Page ``offset`` by start time: whole spans are skipped by their counts; the id query is bounded on both
        sides to the spans the page lies in, and OFFSETs within them."""
        ordered = list(reversed(spans)) if descending else list(spans)
        skipped, first = 0, 0
        while first < len(ordered) and skipped + ordered[first].rows <= offset:
            skipped += ordered[first].rows
            first += 1
        if first == len(ordered):
            return []
        covered, last = skipped, first
        while last < len(ordered) - 1 and covered + ordered[last].rows < offset + limit:
            covered += ordered[last].rows
            last += 1
        near, far = ordered[first], ordered[last]
        if descending:
            narrowed = replace(history_filter, started_before=near.end if near.end is not None else history_filter.started_before,
                               started_from=far.start if far.start is not None else history_filter.started_from)
        else:
            narrowed = replace(history_filter, started_from=near.start if near.start is not None else history_filter.started_from,
                               started_before=far.end if far.end is not None else history_filter.started_before)
        query = self._ids_query(narrowed, ("started_at", descending)).offset(offset - skipped).limit(limit)
        with self.database.read() as session:
            return self._rows(session, list(session.scalars(query)))

    @staticmethod
    def _rows(session: Any, ids: Sequence[int]) -> list[HistoryRow]:
        if not ids:
            return []
        query = select(*_ROW_COLUMNS).join(Call, LinkJob.call_id == Call.id).where(LinkJob.id.in_(ids))
        by_id = {values[0]: HistoryRow(*values) for values in session.execute(query)}
        return [by_id[job_id] for job_id in ids if job_id in by_id]

    def iter_rows(
        self, history_filter: HistoryFilter, sort: Sort = DEFAULT_SORT, chunk: int = 2000
    ) -> Iterator[list[HistoryRow]]:
        """Every filtered row in ``sort`` order, ``chunk`` rows at a time, from one streamed query (export)."""
        order, tie, _ = self._order(sort)
        query = self._where(select(*_ROW_COLUMNS).join(Call, LinkJob.call_id == Call.id), history_filter)
        query = query.order_by(order, tie).execution_options(yield_per=chunk)
        with self.database.read() as session:
            for partition in session.execute(query).partitions(chunk):
                yield [HistoryRow(*values) for values in partition]


# One compaction at a time across desktops (two would only wait for each other's row locks).
_COMPACT_LOCK = 0x6869_7374  # "hist"


def compact_day_counts(database: Database) -> int:
    """Merge the rows of each (setting, day, state) of history_day_counts into one and drop keys at 0; returns
    how many rows went. PostgreSQL's triggers append a row per statement (migration 0018); run after each
    retention purge, so a count sums few rows. Safe while writers run: one statement deletes the rows it sees and
    inserts their sum (rows appended meanwhile stay and keep adding up). SQLite keeps one row per key already;
    only keys at 0 go."""
    name = database.engine.dialect.name
    if name == "postgresql":
        compact_party_counts(database)
    with database.begin() as session:
        if name == "postgresql":
            if not session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)").bindparams(key=_COMPACT_LOCK)):
                return 0
            result = session.execute(text(
                "WITH merged AS (DELETE FROM history_day_counts AS h USING (SELECT setting_id, day, state"
                " FROM history_day_counts GROUP BY 1, 2, 3 HAVING count(*) > 1 OR sum(n) = 0) AS k"
                " WHERE h.setting_id = k.setting_id AND h.day = k.day AND h.state = k.state"
                " RETURNING h.setting_id, h.day, h.state, h.n),"
                " kept AS (INSERT INTO history_day_counts (setting_id, day, state, n) SELECT setting_id, day, state,"
                " sum(n) FROM merged GROUP BY 1, 2, 3 HAVING sum(n) <> 0 RETURNING 1)"
                " SELECT (SELECT count(*) FROM merged) - (SELECT count(*) FROM kept)"
            ))
            return int(result.scalar() or 0)
        if name == "sqlite":
            deleted = session.execute(text("DELETE FROM history_day_counts WHERE n = 0"))
            return int(getattr(deleted, "rowcount", 0) or 0)
    return 0


def compact_party_counts(database: Database) -> int:
    """PostgreSQL with migration 0022: merge the rows of each (setting, day, state, party) of the party counts into
    one and drop keys at 0, as compact_day_counts does for the day counts (it calls this first); returns how many
    rows went. 0 where there are none."""
    with database.begin() as session:
        if not party_counts(session.connection()):
            return 0
        if not session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)").bindparams(key=_COMPACT_LOCK + 1)):
            return 0
        key = "setting_id, day, state, party_id"
        on_key = " AND ".join(f"h.{name} = k.{name}" for name in key.split(", "))
        result = session.execute(text(
            f"WITH merged AS (DELETE FROM {PARTY_COUNTS_TABLE} AS h USING (SELECT {key} FROM {PARTY_COUNTS_TABLE}"
            f" GROUP BY 1, 2, 3, 4 HAVING count(*) > 1 OR sum(n) = 0) AS k WHERE {on_key}"
            f" RETURNING h.setting_id, h.day, h.state, h.party_id, h.n),"
            f" kept AS (INSERT INTO {PARTY_COUNTS_TABLE} ({key}, n) SELECT {key}, sum(n) FROM merged"
            " GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0 RETURNING 1)"
            " SELECT (SELECT count(*) FROM merged) - (SELECT count(*) FROM kept)"
        ))
        return int(result.scalar() or 0)


def rebuild_day_counts(connection: Connection) -> int:
    """Recount history_day_counts from link_jobs in the caller's transaction (what migration 0018 back-fills): after
    a bulk load with triggers off (bench/history_bench.py's COPY) or a copy that brought the rows of another
    database (``biztel-desk db copy``). Returns the rows written."""
    postgresql = connection.dialect.name == "postgresql"
    day = "(call_started_at AT TIME ZONE 'UTC')::date" if postgresql else "date(call_started_at)"
    if postgresql:
        connection.exec_driver_sql("LOCK TABLE link_jobs IN SHARE MODE")
    connection.exec_driver_sql("DELETE FROM history_day_counts")
    result = connection.exec_driver_sql(
        f"INSERT INTO history_day_counts (setting_id, day, state, n) SELECT setting_id, {day}, state, count(*)"
        f" FROM link_jobs WHERE call_started_at IS NOT NULL GROUP BY setting_id, {day}, state"
    )
    if postgresql and party_counts(connection):
        rebuild_party_counts(connection)
    return int(getattr(result, "rowcount", 0) or 0)


def rebuild_party_counts(connection: Connection) -> int:
    """PostgreSQL with migration 0022: recount the party counts from link_jobs and calls in the caller's transaction
    (what the migration back-fills); rebuild_day_counts calls it. Returns the rows written."""
    connection.exec_driver_sql("LOCK TABLE link_jobs IN SHARE MODE")
    connection.exec_driver_sql("LOCK TABLE calls IN SHARE MODE")
    connection.exec_driver_sql(f"DELETE FROM {PARTY_COUNTS_TABLE}")
    party = f"({PG_PARTY.replace('from_', 'c.from_').replace('to_', 'c.to_')})"
    connection.exec_driver_sql(
        f"INSERT INTO {PARTIES_TABLE} (party) SELECT DISTINCT {party} FROM calls AS c"
        f" WHERE EXISTS (SELECT 1 FROM link_jobs AS j WHERE j.call_id = c.id)"
        f" AND NOT EXISTS (SELECT 1 FROM {PARTIES_TABLE} AS p WHERE p.party = {party})"
    )
    result = connection.exec_driver_sql(
        f"INSERT INTO {PARTY_COUNTS_TABLE} (setting_id, day, state, party_id, n)"
        f" SELECT k.setting_id, k.day, k.state, (SELECT min(p.id) FROM {PARTIES_TABLE} AS p WHERE p.party = k.party),"
        f" k.n FROM (SELECT j.setting_id, (j.call_started_at AT TIME ZONE 'UTC')::date AS day, j.state, {party} AS party,"
        " count(*) AS n FROM link_jobs AS j JOIN calls AS c ON c.id = j.call_id WHERE j.call_started_at IS NOT NULL"
        " GROUP BY 1, 2, 3, 4) AS k"
    )
    return int(getattr(result, "rowcount", 0) or 0)


def cursor_of(row: HistoryRow, sort: Sort) -> Cursor:
    """The keyset cursor of a row for ``sort`` (its sort value and job id)."""
    key = sort[0]
    value = getattr(row, key)
    if isinstance(value, dt.datetime):
        # Compared against the stored column, which holds UTC without a zone on SQLite.
        value = value.astimezone(dt.UTC)
    return Cursor(value, row.job_id)


def keyset_supported(sort: Sort) -> bool:
    return sort[0] in _KEYSET_KEYS


def retry_now(database: Database, job_ids: Sequence[int]) -> int:
    """今すぐ再試行: failed and retrying jobs among ``job_ids`` become pending, due now; one transaction.

    A failed Task update (the job has its Task) becomes ``update_pending``: its Task is updated, never created
    again. Returns how many jobs changed. Other states are left alone (a linked call must never be sent twice).
    """
    if not job_ids:
        return 0
    with database.begin() as session:
        ids = list(job_ids)
        if database.engine.dialect.name == "postgresql":
            # The calls first, as the engine locks them (linker._lock_calls): a later leg changing a call's agents
            # (store.calls) locks the call, then its jobs (migration 0022's trigger); taking them the other way
            # round, two such transactions could deadlock.
            session.execute(select(Call.id).where(Call.id.in_(select(LinkJob.call_id).where(LinkJob.id.in_(ids))))
                            .order_by(Call.id).with_for_update())
        updates = session.execute(
            update(LinkJob)
            .where(LinkJob.id.in_(ids), LinkJob.state.in_(RETRIABLE_STATES), LinkJob.task_id.is_not(None))
            .values(state=JobState.UPDATE_PENDING.value, next_retry_at=None, attempts=0, updated_at=utcnow())
        )
        result = session.execute(
            update(LinkJob)
            .where(LinkJob.id.in_(ids), LinkJob.state.in_(RETRIABLE_STATES))
            .values(state=JobState.PENDING.value, next_retry_at=None, updated_at=utcnow())
        )
        return int(getattr(result, "rowcount", 0) or 0) + int(getattr(updates, "rowcount", 0) or 0)
