"""Storing imported calls once (by unique ID) and creating their link jobs by each setting's link status."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from biztel_desk.domain import phone
from biztel_desk.domain.call import CallRecord, Direction
from biztel_desk.domain.jobs import JobState
from biztel_desk.store.link_targets import SettingTargets as _SettingTargets
from biztel_desk.store.link_targets import job_state_for as _job_state_for
from biztel_desk.store.link_targets import load_settings as _load_settings
from biztel_desk.store.models import Call, ImportedFile, LinkJob, LinkTarget, utcnow

CALLS: Table = Call.__table__  # type: ignore[assignment]
JOBS: Table = LinkJob.__table__  # type: ignore[assignment]
TARGETS: Table = LinkTarget.__table__  # type: ignore[assignment]
FILES: Table = ImportedFile.__table__  # type: ignore[assignment]
# SQLite allows 32,766 bound parameters per statement; a calls row binds 20, so 1,000 rows stay well below.
INSERT_BATCH = 1000


@dataclass
class AddResult:
    inserted: int = 0
    known: int = 0  # unique IDs already stored (or repeated within the same batch): nothing was created
    job_counts: dict[str, Counter[str]] = field(default_factory=dict)  # setting name → {job state: count}
    discovered: dict[str, list[str]] = field(default_factory=dict)  # setting name → new unchecked numbers (E.164)

    def merge(self, other: AddResult) -> None:
        self.inserted += other.inserted
        self.known += other.known
        for name, counts in other.job_counts.items():
            self.job_counts.setdefault(name, Counter()).update(counts)
        for name, numbers in other.discovered.items():
            self.discovered.setdefault(name, []).extend(numbers)


def _insert(session: Session, table: Table) -> Any:
    """INSERT … ON CONFLICT DO NOTHING builder for the session's dialect."""
    name = session.get_bind().dialect.name
    if name == "sqlite":
        return sqlite.insert(table)
    if name == "postgresql":
        return postgresql.insert(table)
    raise NotImplementedError(f"calls cannot be stored in a {name} database")


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


def add_calls(session: Session, records: Sequence[CallRecord], region: str = "JP") -> AddResult:
    """Insert the calls not stored yet and their link jobs; never commits (one transaction is the caller's).

    A call gets a job for every setting that is not disabled (store.link_targets.job_state_for): where its
    company number — matched by number or by alias; for an outbound call whose source did not record the
    caller ID, the setting's default outbound number — is an enabled target, in the state the setting's
    status gives (enabled → pending, paused → held); otherwise an excluded job with the reason, so every
    call stays visible in the history. Company numbers not yet listed become unchecked, discovered targets
    of every setting.
    """
    result = AddResult()
    now = utcnow()
    chosen: dict[str, CallRecord] = {}
    for record in records:
        earlier = chosen.get(record.unique_id)
        if earlier is not None:
            result.known += 1
            if _rank(record) <= _rank(earlier):
                continue
        chosen[record.unique_id] = record
    # Known calls are the whole file on a re-import: skip them before any number is normalised.
    # (ON CONFLICT below still settles a race with another importer.)
    known: set[str] = set()
    for ids in _chunks(list(chosen), INSERT_BATCH):
        known.update(session.scalars(select(Call.unique_id).where(Call.unique_id.in_(ids))))
    result.known += len(known)
    rows: list[dict[str, Any]] = []
    for record in chosen.values():
        if record.unique_id in known:
            continue
        row = call_row(record, region)
        row["imported_at"] = now
        rows.append(row)
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
