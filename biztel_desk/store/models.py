"""SQLAlchemy 2 models of everything BIZTEL Desk keeps locally (never a secret)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware datetimes stored as UTC (SQLite has no time zones; PostgreSQL gets timestamptz)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        converted = value.astimezone(dt.UTC)
        return converted.replace(tzinfo=None) if dialect.name == "sqlite" else converted

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Account(Base):
    """A Salesforce connection (SPEC §3). Its secrets live in the OS keyring under its name."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    auth_method: Mapped[str] = mapped_column(String(32), default="password")
    username: Mapped[str] = mapped_column(String(255), default="")
    login_host: Mapped[str] = mapped_column(String(255), default="login")
    api_version: Mapped[str] = mapped_column(String(8), default="59.0")
    consumer_key: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class LinkSetting(Base):
    """連携設定 (SPEC §4–§5)."""

    __tablename__ = "link_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"))
    fallback_record_id: Mapped[str] = mapped_column(String(18))
    api_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    memo: Mapped[str] = mapped_column(Text, default="")
    on_multiple_match: Mapped[str] = mapped_column(String(32), default="most_recent")
    on_no_match: Mapped[str] = mapped_column(String(32), default="fallback")
    activity_mode: Mapped[str] = mapped_column(String(32), default="task")
    status: Mapped[str] = mapped_column(String(16), default="disabled")
    # link | skip: whether an unanswered call becomes a Task or an excluded job (domain.config.OnUnanswered).
    on_unanswered: Mapped[str] = mapped_column(String(16), default="link", server_default="link")
    status_changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    account: Mapped[Account] = relationship()
    objects: Mapped[list[LinkObject]] = relationship(
        back_populates="setting", cascade="all, delete-orphan", order_by="LinkObject.priority"
    )
    targets: Mapped[list[LinkTarget]] = relationship(
        back_populates="setting", cascade="all, delete-orphan", order_by="LinkTarget.id"
    )


class LinkObject(Base):
    """オブジェクト: a Salesforce object searched for the customer's number (SPEC §6)."""

    __tablename__ = "link_objects"
    __table_args__ = (
        UniqueConstraint("setting_id", "priority", name="uq_link_objects_setting_priority"),
        UniqueConstraint("setting_id", "api_name", name="uq_link_objects_setting_api_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    setting_id: Mapped[int] = mapped_column(ForeignKey("link_settings.id", ondelete="CASCADE"))
    api_name: Mapped[str] = mapped_column(String(80))
    tab_name: Mapped[str] = mapped_column(String(80), default="")
    tab_code: Mapped[str] = mapped_column(String(3))
    priority: Mapped[int] = mapped_column(Integer)

    setting: Mapped[LinkSetting] = relationship(back_populates="objects")


class LinkTarget(Base):
    """連携対象: a company phone number whose calls are linked when enabled (SPEC §7)."""

    __tablename__ = "link_targets"
    __table_args__ = (UniqueConstraint("setting_id", "e164", name="uq_link_targets_setting_e164"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    setting_id: Mapped[int] = mapped_column(ForeignKey("link_settings.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(64))
    e164: Mapped[str] = mapped_column(String(20))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    default_outbound: Mapped[bool] = mapped_column(Boolean, default=False)
    discovered: Mapped[bool] = mapped_column(Boolean, default=False)
    # The PBX's own spellings of this number (DID suffix, trunk name, ``s``), a JSON list of strings.
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")

    setting: Mapped[LinkSetting] = relationship(back_populates="targets")


class SystemValue(Base):
    """システム設定 (SPEC §12) and UI preferences, one typed value per key (declared in domain.config)."""

    __tablename__ = "system_values"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class Call(Base):
    """One finished call as the PBX reported it (SPEC §8); kept even when it is never linked."""

    __tablename__ = "calls"
    __table_args__ = (
        Index("ix_calls_started_at", "started_at"),
        Index("ix_calls_customer_e164", "customer_e164"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unique_id: Mapped[str] = mapped_column(String(100), unique=True)
    request_id: Mapped[str] = mapped_column(String(100), default="")
    recording_server_url: Mapped[str] = mapped_column(String(255), default="")
    direction: Mapped[str] = mapped_column(String(10))  # inbound | outbound | internal
    from_number: Mapped[str] = mapped_column(String(64), default="")
    to_number: Mapped[str] = mapped_column(String(64), default="")
    customer_e164: Mapped[str | None] = mapped_column(String(20))
    company_e164: Mapped[str | None] = mapped_column(String(20))
    from_agent_id: Mapped[str] = mapped_column(String(32), default="")
    to_agent_id: Mapped[str] = mapped_column(String(32), default="")
    from_extension: Mapped[str] = mapped_column(String(16), default="")
    to_extension: Mapped[str] = mapped_column(String(16), default="")
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    duration_s: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(32), default="")
    # The company side exactly as the PBX wrote it (a DID ``211553``, a trunk ``gsm0``): aliases match this.
    company_number: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # ANSWERED / NO ANSWER / BUSY … as the PBX wrote it: unanswered calls are calls too (a missed customer).
    disposition: Mapped[str] = mapped_column(String(16), default="", server_default="")
    # The recording's file name when the source records it (FreePBX recordingfile), for the playback link.
    recording_file: Mapped[str] = mapped_column(String(255), default="", server_default="")
    # Bumped whenever a late leg changes a field a Task carries (store.calls.add_calls, apply_call_change): a job whose
    # Task carries an older revision gets its Task updated (migration 0015_task_updates).
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # A call from a live source (watched folder, HTTP) is not linked before this: more legs may still come.
    settle_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CallLeg(Base):
    """One PBX leg (one CDR row) of a call: the call's row is recomputed from all its legs when one arrives."""

    __tablename__ = "call_legs"
    __table_args__ = (Index("ix_call_legs_call_unique_id", "call_unique_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    leg_id: Mapped[str] = mapped_column(String(120), unique=True)  # uniqueid#sequence, or a hash of the row
    call_unique_id: Mapped[str] = mapped_column(String(100))  # calls.unique_id: linkedid or the paired uniqueid
    request_id: Mapped[str] = mapped_column(String(100), default="")
    recording_server_url: Mapped[str] = mapped_column(String(255), default="")
    direction: Mapped[str] = mapped_column(String(10), default="")
    from_number: Mapped[str] = mapped_column(String(64), default="")
    to_number: Mapped[str] = mapped_column(String(64), default="")
    from_agent_id: Mapped[str] = mapped_column(String(32), default="")
    to_agent_id: Mapped[str] = mapped_column(String(32), default="")
    from_extension: Mapped[str] = mapped_column(String(16), default="")
    to_extension: Mapped[str] = mapped_column(String(16), default="")
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    duration_s: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(32), default="")
    presented_company_number: Mapped[str] = mapped_column(String(64), default="")
    disposition: Mapped[str] = mapped_column(String(16), default="")
    recording_file: Mapped[str] = mapped_column(String(255), default="")


class LinkJob(Base):
    """The journal of one call's way to Salesforce for one setting (SPEC §5, §9, §10, §13)."""

    __tablename__ = "link_jobs"
    __table_args__ = (
        UniqueConstraint("call_id", "setting_id", name="uq_link_jobs_call_setting"),
        Index("ix_link_jobs_due", "setting_id", "state", "next_retry_at"),
        Index("ix_link_jobs_batch", "batch_id"),
        # 連携通話履歴 at a million rows: one setting's jobs by call start (all states / one state), with the id
        # as tie-breaker, so counting, OFFSET jumps and keyset pages walk an index and never the table.
        Index("ix_link_jobs_history", "setting_id", "call_started_at", "id"),
        Index("ix_link_jobs_history_state", "setting_id", "state", "call_started_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    setting_id: Mapped[int] = mapped_column(ForeignKey("link_settings.id", ondelete="CASCADE"))
    # pending | held | sending | linked | retrying | failed | skipped | update_pending | update_sending | updated
    # | excluded (error_code = the reason)
    state: Mapped[str] = mapped_column(String(16))
    batch_id: Mapped[str | None] = mapped_column(String(36))
    # リトライ回数 (SPEC §9): no-match searches only, what the admin sees in the history.
    retry_count: Mapped[int] = mapped_column(Integer, default=0)
    # Consecutive transient Salesforce failures of this job: drives the send backoff (1, 5, 15, 60 min…) and is
    # kept apart from retry_count so a network hiccup never uses up a no-match retry. 0 after any other outcome.
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # In ``retrying``: when the job is due again. In ``sending`` with an unknown outcome: when its Tasks are looked
    # up again (None: at the next step).
    next_retry_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # When the batch that left this job in ``sending`` was claimed (migration 0009_send_started): Salesforce may
    # still commit a write up to its server-side limit (10 min) after that, so no lookup concludes "absent" sooner.
    send_started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The call revision the send in flight carries (claimed with the batch), and the one the Task in Salesforce
    # carries once linked or updated (migration 0015_task_updates). NULL: before that migration (revision 1).
    sent_revision: Mapped[int | None] = mapped_column(Integer)
    linked_revision: Mapped[int | None] = mapped_column(Integer)
    processed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    record_id: Mapped[str | None] = mapped_column(String(18))
    record_object: Mapped[str | None] = mapped_column(String(80))
    # The record's name as the match found it (migration 0019_linked_record_name); NULL: unknown (the Id is shown).
    record_name: Mapped[str | None] = mapped_column(String(255))
    task_id: Mapped[str | None] = mapped_column(String(18))
    case_id: Mapped[str | None] = mapped_column(String(18))
    match_reason: Mapped[str] = mapped_column(Text, default="")
    error_code: Mapped[str] = mapped_column(String(64), default="")
    error_message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # The call's started_at, copied so the history's date filter and sort need no join. A database trigger
    # (migration 0004_history_search) fills it on insert whatever writes the job; calls never change start.
    call_started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    call: Mapped[Call] = relationship()


class HistoryDayCount(Base):
    """How many of a setting's jobs started on one UTC day in one state: the sum of ``n`` over the rows of a
    (setting_id, day, state) key (migration 0018_history_day_counts).

    Kept exact by database triggers on ``link_jobs`` (insert, delete, a change of state, start or setting),
    whatever writes the job, in the writer's own transaction; the history counts a date range and finds page N
    from these rows instead of walking millions of index entries. On PostgreSQL each statement appends its net
    changes as new rows (writers never lock one another's counts, so they cannot deadlock) and
    ``store.history.compact_day_counts`` (after each retention purge) merges them; on SQLite, with one writer at
    a time, a key has one row, updated in place. No foreign key: a deleted setting's jobs go by cascade and
    their triggers bring its counts to 0.
    """

    __tablename__ = "history_day_counts"
    __table_args__ = (Index("ix_history_day_counts_key", "setting_id", "day", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    setting_id: Mapped[int] = mapped_column(Integer)
    day: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16))
    n: Mapped[int] = mapped_column(BigInteger, default=0)


class LinkLease(Base):
    """Which engine may step a link setting now (SPEC §10, exactly once across processes on one database).

    ``owner`` is ``hostname:pid:random`` of one LinkEngine; ``token`` is the fencing token (+1 at each takeover);
    the times are the database's clock. Renewed by a heartbeat and checked in the transactions that claim a batch,
    resolve ``sending`` jobs and record results. See ``engine.lease``.
    """

    __tablename__ = "link_leases"

    setting_id: Mapped[int] = mapped_column(ForeignKey("link_settings.id", ondelete="CASCADE"), primary_key=True)
    owner: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    token: Mapped[int] = mapped_column(BigInteger, default=1, server_default="1")
    acquired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ServiceHeartbeat(Base):
    """A running ``biztel-desk sync`` (the background service, or one started by hand) and its worker's state.

    ``owner`` is ``hostname:pid:random`` of the process; ``kind`` is ``service`` (started by the OS service that
    ``biztel-desk service install`` registers) or ``sync``. The window on the same PC shows this row as the state of
    linking (it is the service's console) and writes ``command`` (``run`` / ``pause`` / ``stop``), which the process
    picks up within a second. Times are the database's clock; ``expires_at`` passed means the process is gone.
    See ``engine.lease.ServiceBeacon``.
    """

    __tablename__ = "service_heartbeats"

    owner: Mapped[str] = mapped_column(String(255), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    data_dir: Mapped[str] = mapped_column(Text, default="", server_default="")
    state: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text, default="", server_default="")
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    command: Mapped[str | None] = mapped_column(String(16))


class PhoneIndexEntry(Base):
    """One phone field of one Salesforce record, normalised once (SPEC §9: the local phone index)."""

    __tablename__ = "phone_index"
    __table_args__ = (
        UniqueConstraint("account_id", "record_id", "field_name", name="uq_phone_index_record_field"),
        Index("ix_phone_index_lookup", "account_id", "e164"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    object_name: Mapped[str] = mapped_column(String(80))
    record_id: Mapped[str] = mapped_column(String(18))
    field_name: Mapped[str] = mapped_column(String(80))
    raw: Mapped[str] = mapped_column(String(255))
    e164: Mapped[str] = mapped_column(String(20))
    last_modified: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The person Account of a Person Account's number (on the Account and on its person Contact): one person.
    person_id: Mapped[str | None] = mapped_column(String(18), nullable=True)
    # The record's name (its describe name field: Name, CaseNumber…), read with its numbers (migration 0019).
    record_name: Mapped[str | None] = mapped_column(String(255), nullable=True)


class PhoneIndexState(Base):
    """How far the phone index of one object has been mirrored (by SystemModstamp)."""

    __tablename__ = "phone_index_state"
    __table_args__ = (UniqueConstraint("account_id", "object_name", name="uq_phone_index_state_object"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    object_name: Mapped[str] = mapped_column(String(80))
    fields: Mapped[str] = mapped_column(Text, default="")  # comma-separated phone fields mirrored
    last_modstamp: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    refreshed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # When the object was last read whole (a full load drops what a full read no longer returns).
    reconciled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ImportedFile(Base):
    """A call file already imported (by content hash): the watched folder imports each file once."""

    __tablename__ = "imported_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)


class IngestPosition(Base):
    """How far a polled call source has read (the PBX CDR database: issue #15), saved in the same transaction as
    the legs it imported, so that a crash never skips nor repeats a leg."""

    __tablename__ = "ingest_positions"

    source: Mapped[str] = mapped_column(String(64), primary_key=True)  # e.g. "cdr_db"
    position: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
