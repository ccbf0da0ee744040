"""Storing imported calls once (by unique ID) and creating their link jobs by each setting's link status."""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from biztel_desk.domain import phone
from biztel_desk.domain.call import CallRecord, Direction, merge_legs
from biztel_desk.domain.jobs import JobState
from biztel_desk.store.db import dialect_insert as _insert
from biztel_desk.store.link_targets import SettingTargets as _SettingTargets
from biztel_desk.store.link_targets import job_state_for as _job_state_for
from biztel_desk.store.link_targets import load_settings as _load_settings
from biztel_desk.store.models import Call, CallLeg, ImportedFile, LinkJob, LinkTarget, utcnow

CALLS: Table = Call.__table__  # type: ignore[assignment]
JOBS: Table = LinkJob.__table__  # type: ignore[assignment]
TARGETS: Table = LinkTarget.__table__  # type: ignore[assignment]
FILES: Table = ImportedFile.__table__  # type: ignore[assignment]
LEGS: Table = CallLeg.__table__  # type: ignore[assignment]
# The calls-table fields a Task carries: a later leg changing any of them bumps the call's revision.
TASK_FIELDS = (
    "request_id", "recording_server_url", "direction", "from_number", "to_number", "customer_e164", "company_e164",
    "from_agent_id", "to_agent_id", "from_extension", "to_extension", "started_at", "ended_at", "duration_s",
    "disposition", "recording_file",
)
LEG_FIELDS = (
    "request_id", "recording_server_url", "direction", "from_number", "to_number", "from_agent_id", "to_agent_id",
    "from_extension", "to_extension", "started_at", "ended_at", "duration_s", "source", "presented_company_number",
    "disposition", "recording_file",
)
# SQLite allows 32,766 bound parameters per statement; a calls row binds 20, so 1,000 rows stay well below.
INSERT_BATCH = 1000


@dataclass
class AddResult:
    inserted: int = 0  # new calls
    known: int = 0  # legs already stored (or repeated within the same batch): nothing was created or changed
    updated: int = 0  # stored calls a new leg changed (their revision was bumped)
    job_counts: dict[str, Counter[str]] = field(default_factory=dict)  # setting name → {job state: count}
    discovered: dict[str, list[str]] = field(default_factory=dict)  # setting name → new unchecked numbers (E.164)

    def merge(self, other: AddResult) -> None:
        self.inserted += other.inserted
        self.known += other.known
        self.updated += other.updated
        for name, counts in other.job_counts.items():
            self.job_counts.setdefault(name, Counter()).update(counts)
        for name, numbers in other.discovered.items():
            self.discovered.setdefault(name, []).extend(numbers)


@functools.lru_cache(maxsize=65536)
def _normalize(number: str, region: str) -> str | None:
    # Files repeat the same company and customer numbers thousands of times; parsing is the slow part.
    return phone.normalize(number, region)


@functools.lru_cache(maxsize=4096)
def _discoverable(e164: str) -> bool:
    return phone.is_valid(e164)


def call_row(record: CallRecord, region: str) -> dict[str, Any]:
    """The calls-table values of a record: customer and company numbers resolved once, here."""
    customer = None if record.direction == Direction.INTERNAL else _normalize(record.customer_number, region)
    company_number = record.company_number
    return {
        "unique_id": record.unique_id,
        "request_id": record.request_id,
        "recording_server_url": record.recording_server_url,
        "direction": record.direction,
        "from_number": record.from_number,
        "to_number": record.to_number,
        "customer_e164": customer,
        "company_e164": _normalize(company_number, region) if company_number else None,
        "company_number": company_number.strip()[:64],
        "from_agent_id": record.from_agent_id,
        "to_agent_id": record.to_agent_id,
        "from_extension": record.from_extension,
        "to_extension": record.to_extension,
        "started_at": record.started_at,
        "ended_at": record.ended_at,
        "duration_s": record.duration_s,
        "source": record.source,
        "disposition": record.disposition,
        "recording_file": record.recording_file,
    }


def _rank(record: CallRecord) -> tuple[bool, int]:
    """Which of several rows with one unique ID describes the call: the answered leg, then the longest.

    Asterisk writes one CDR per dialled leg of a ring group, all with the caller's uniqueid; the leg that
    was answered names the agent and the talk time.
    """
    return record.disposition.strip().upper() == "ANSWERED", record.duration_s


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _leg_row(record: CallRecord) -> dict[str, Any]:
    row = {name: getattr(record, name) for name in LEG_FIELDS}
    row["leg_id"] = record.leg_key
    row["call_unique_id"] = record.unique_id
    return row


def _leg_record(row: Any) -> CallRecord:
    return CallRecord(
        unique_id=row.call_unique_id, leg_id=row.leg_id, **{name: getattr(row, name) for name in LEG_FIELDS}
    )


def add_calls(
    session: Session, records: Sequence[CallRecord], region: str = "JP", *, settle_s: int | None = None
) -> AddResult:
    """Store new legs, insert or update their calls, and create link jobs; never commits (one transaction is the
    caller's).

    Each record is one PBX leg (``leg_key``) of the call ``unique_id``. Legs already stored are known and change
    nothing (a re-import creates and changes nothing). A new leg of a call already stored — the next rotated file,
    the next 5,000-row chunk, or after the call was linked — recomputes the call from all its legs
    (``merge_legs``); when a field a Task carries changes, the call is updated and its ``revision`` bumped.
    ``settle_s`` (live sources: the system setting call_settle_s) sets ``settle_until`` = now + settle_s on every
    call that got a new leg; None (a manual import) leaves it empty.

    A new call gets a job for every setting that is not disabled (store.link_targets.job_state_for): where its
    company number — matched by number or by alias; for an outbound call whose source did not record the
    caller ID, the setting's default outbound number — is an enabled target, in the state the setting's
    status gives (enabled → pending, paused → held); otherwise an excluded job with the reason, so every
    call stays visible in the history. Company numbers not yet listed become unchecked, discovered targets
    of every setting.
    """
    result = AddResult()
    now = utcnow()
    settle_until = None if settle_s is None else now + dt.timedelta(seconds=settle_s)
    chosen: dict[str, CallRecord] = {}
    for record in records:
        earlier = chosen.get(record.leg_key)
        if earlier is not None:
            result.known += 1
            if _rank(record) <= _rank(earlier):
                continue
        chosen[record.leg_key] = record
    # Known legs are the whole file on a re-import: skip them before any number is normalised.
    known_legs: set[str] = set()
    for keys in _chunks(list(chosen), INSERT_BATCH):
        known_legs.update(session.scalars(select(CallLeg.leg_id).where(CallLeg.leg_id.in_(keys))))
    result.known += len(known_legs)
    groups: dict[str, list[CallRecord]] = {}
    for key, record in chosen.items():
        if key not in known_legs:
            groups.setdefault(record.unique_id, []).append(record)
    if not groups:
        return result
    call_ids = list(groups)
    stored: dict[str, Any] = {}
    earlier_legs: dict[str, list[CallRecord]] = {}
    for ids in _chunks(call_ids, INSERT_BATCH):
        for call in session.execute(
            select(CALLS.c.id, CALLS.c.unique_id, CALLS.c.revision, *(CALLS.c[name] for name in TASK_FIELDS))
            .where(CALLS.c.unique_id.in_(ids))
        ):
            stored[call.unique_id] = call
        for leg in session.execute(select(LEGS).where(LEGS.c.call_unique_id.in_(ids))):
            earlier_legs.setdefault(leg.call_unique_id, []).append(_leg_record(leg))
    new_leg_rows = [_leg_row(record) for legs in groups.values() for record in legs]
    for chunk in _chunks(new_leg_rows, INSERT_BATCH):
        session.execute(_insert(session, LEGS).on_conflict_do_nothing(index_elements=["leg_id"]), list(chunk))

    rows: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    for unique_id, legs in groups.items():
        every_leg = earlier_legs.get(unique_id, []) + legs
        merged = merge_legs(unique_id, every_leg)
        row = call_row(merged, region)
        before = stored.get(unique_id)
        if before is None:
            row["imported_at"] = now
            row["settle_until"] = settle_until
            rows.append(row)
            continue
        changed = any(getattr(before, name) != row[name] for name in TASK_FIELDS)
        if changed:
            result.updated += 1
            changes.append({"id": before.id, **{name: row[name] for name in TASK_FIELDS},
                            "revision": before.revision + 1, "settle_until": settle_until})
        elif settle_until is not None:
            changes.append({"id": before.id, "settle_until": settle_until})
    for change in changes:  # few: only calls whose legs straddle a chunk or file boundary
        session.execute(update(CALLS).where(CALLS.c.id == change["id"]).values(
            {k: v for k, v in change.items() if k != "id"}))
    changed_calls = [change for change in changes if "revision" in change]
    if changed_calls:
        _jobs_after_call_change(session, changed_calls)
    if not rows:
        return result

    by_unique_id = {row["unique_id"]: row for row in rows}
    inserted: list[tuple[int, str]] = []
    for chunk in _chunks(rows, INSERT_BATCH):
        statement = _insert(session, CALLS).on_conflict_do_nothing(index_elements=["unique_id"])
        inserted.extend(
            (row_id, unique_id)
            for row_id, unique_id in session.execute(statement.returning(CALLS.c.id, CALLS.c.unique_id), list(chunk))
        )
    result.inserted = len(inserted)
    result.known += len(rows) - len(inserted)
    if not inserted:
        return result

    settings = _load_settings(session)
    if not settings:
        return result
    jobs: list[dict[str, Any]] = []
    company_numbers: set[str] = set()
    for call_id, unique_id in inserted:
        row = by_unique_id[unique_id]
        company = row["company_e164"]
        if company is not None and row["direction"] != Direction.INTERNAL:
            company_numbers.add(company)
        for setting in settings:
            decided = _job_state_for(setting, row)
            if decided is None:
                continue
            state, reason = decided
            jobs.append(
                {"call_id": call_id, "setting_id": setting.id, "state": state.value,
                 "retry_count": 0, "match_reason": "", "error_code": reason.value if reason else "", "error_message": "",
                 "created_at": now, "updated_at": now}
            )
            result.job_counts.setdefault(setting.name, Counter())[state.value] += 1
    for chunk in _chunks(jobs, INSERT_BATCH):
        session.execute(
            _insert(session, JOBS).on_conflict_do_nothing(index_elements=["call_id", "setting_id"]), list(chunk)
        )
    _discover_targets(session, settings, company_numbers, result)
    return result


def _jobs_after_call_change(session: Session, changes: list[dict[str, Any]]) -> None:
    """The jobs of calls a late leg changed: a Task that exists waits for its update (``update_pending``, as
    apply_call_change does), and a job excluded for what the call was (e.g. unanswered under on_unanswered =
    skip, then answered by a later leg) is decided again like a new call's job."""
    now = utcnow()
    ids = [change["id"] for change in changes]
    session.execute(
        JOBS.update()
        .where(JOBS.c.call_id.in_(ids), JOBS.c.state.in_([JobState.LINKED.value, JobState.UPDATED.value]),
               JOBS.c.task_id.is_not(None))
        .values(state=JobState.UPDATE_PENDING.value, next_retry_at=None, attempts=0, updated_at=now)
    )
    excluded = session.execute(
        select(JOBS.c.id, JOBS.c.call_id, JOBS.c.setting_id)
        .where(JOBS.c.call_id.in_(ids), JOBS.c.state == JobState.EXCLUDED.value)
    ).all()
    if not excluded:
        return
    settings = {setting.id: setting for setting in _load_settings(session)}
    rows = {row.id: row._asdict() for row in session.execute(select(CALLS).where(CALLS.c.id.in_(ids)))}
    for job_id, call_id, setting_id in excluded:
        setting = settings.get(setting_id)
        if setting is None:
            continue
        decided = _job_state_for(setting, rows[call_id])
        if decided is None or decided[0] == JobState.EXCLUDED:
            if decided is not None and decided[1] is not None:
                session.execute(JOBS.update().where(JOBS.c.id == job_id)
                                .values(error_code=decided[1].value, updated_at=now))
            continue
        session.execute(JOBS.update().where(JOBS.c.id == job_id)
                        .values(state=decided[0].value, error_code="", error_message="", next_retry_at=None,
                                updated_at=now))


def _discover_targets(
    session: Session, settings: list[_SettingTargets], numbers: set[str], result: AddResult
) -> None:
    """SPEC §7: company numbers seen in calls join every setting's targets, unchecked and marked discovered."""
    new_targets = []
    for e164 in sorted(numbers):
        if not _discoverable(e164):
            continue
        label = phone.national_format(e164)
        for setting in settings:
            if e164 in setting.all_targets:
                continue
            new_targets.append(
                {"setting_id": setting.id, "number": label, "e164": e164, "enabled": False,
                 "default_outbound": False, "discovered": True}
            )
            result.discovered.setdefault(setting.name, []).append(e164)
    if new_targets:
        session.execute(
            _insert(session, TARGETS).on_conflict_do_nothing(index_elements=["setting_id", "e164"]), new_targets
        )


# --- imported files (watched folder) ---------------------------------------------------------------------


def imported_file(session: Session, sha256: str) -> ImportedFile | None:
    """The earlier import of a file with this content, if any."""
    return session.scalar(select(ImportedFile).where(ImportedFile.sha256 == sha256))


def record_imported_file(session: Session, sha256: str, name: str, imported: int, rejected: int) -> None:
    """Remember a file's content hash so the same bytes are never imported twice (a race keeps the first)."""
    session.execute(
        _insert(session, FILES).on_conflict_do_nothing(index_elements=["sha256"]),
        [{"sha256": sha256, "name": name[:255], "imported": imported, "rejected": rejected, "imported_at": utcnow()}],
    )


# Fields of a stored call that end up in its Task: a late leg changing one of them bumps the call's revision.
TASK_CALL_FIELDS = frozenset({
    "request_id", "recording_server_url", "direction", "from_number", "to_number", "customer_e164", "company_e164",
    "from_agent_id", "to_agent_id", "from_extension", "to_extension", "started_at", "ended_at", "duration_s",
    "disposition", "recording_file",
})
_CHANGEABLE_FIELDS = TASK_CALL_FIELDS | {"source", "settle_until"}


def apply_call_change(session: Session, unique_id: str, **fields: Any) -> bool:
    """A late leg changed a stored call: update its row; True when a field its Task carries changed.

    Such a change bumps ``calls.revision``, and the call's jobs whose Task exists (linked or updated) wait for
    their Task to be updated (``update_pending``). A job whose send is in flight is compared with the revision
    it carried when its outcome is recorded (engine.linker), so a change meanwhile is not lost. The call row is
    written first: it is the row the engine locks before it records an outcome.
    """
    unknown = set(fields) - _CHANGEABLE_FIELDS
    if unknown:
        raise ValueError(f"not a changeable call field: {', '.join(sorted(unknown))}")
    call = session.scalar(select(Call).where(Call.unique_id == unique_id).with_for_update())
    if call is None:
        raise KeyError(unique_id)
    changed = False
    for name, value in fields.items():
        if getattr(call, name) != value:
            setattr(call, name, value)
            changed = changed or name in TASK_CALL_FIELDS
    if not changed:
        session.flush()
        return False
    call.revision = (call.revision or 1) + 1
    session.flush()
    session.execute(
        JOBS.update()
        .where(JOBS.c.call_id == call.id, JOBS.c.state.in_([JobState.LINKED.value, JobState.UPDATED.value]),
               JOBS.c.task_id.is_not(None))
        .values(state=JobState.UPDATE_PENDING.value, next_retry_at=None, attempts=0, updated_at=utcnow())
    )
    return True
