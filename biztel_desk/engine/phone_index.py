"""The local phone index (SPEC §9): the phone fields of the configured objects mirrored per account.

Why an index at all: matching a call then costs no API call, and it sees records created seconds ago
(SOSL's search index lags minutes). It is refreshed before each batch when older than ``max_age_s``:
incrementally by ``SystemModstamp`` (changed records are re-read whole, so a removed number disappears),
deletions through ``queryAll … IsDeleted = true``, converted Leads dropped (they are never matched).

Decision — a miss in a fresh index is an answer ("no match"), not a reason to ask SOSL: the refresh right
before the batch has already read every record changed up to that moment, which is more than SOSL would
see (its index lags). "Fresh" for a miss means younger than ``phone_index_miss_refresh_s`` (5 s): an older
index is refreshed incrementally and the misses looked up again before deciding no-match. SOSL is used only for objects the index does not mirror (index switched off, or an
object whose load failed) — see ``engine.linker``.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from biztel_desk.domain import phone
from biztel_desk.domain.matching import Candidate
from biztel_desk.salesforce.gateway import ObjectInfo, PhoneRow, SalesforceGateway
from biztel_desk.store.db import Database
from biztel_desk.store.models import PhoneIndexEntry, PhoneIndexState

log = logging.getLogger(__name__)

# Re-read changes this far behind the newest SystemModstamp seen: a transaction that commits late can carry
# an older SystemModstamp than records already read (unverified how late; two minutes is cheap to re-read).
OVERLAP = dt.timedelta(minutes=2)
_DELETE_CHUNK = 500


@functools.lru_cache(maxsize=131072)
def _normalize(raw: str, region: str) -> str | None:
    return phone.normalize(raw, region)


@dataclass
class RefreshReport:
    objects: int = 0
    loaded: int = 0  # records read
    deleted: int = 0  # records removed (deleted or converted)
    skipped: tuple[str, ...] = ()  # objects the org does not have / the user cannot see


class PhoneIndex:
    """The phone index of one Salesforce account (``account_id`` is the local accounts.id)."""

    def __init__(self, database: Database, account_id: int, gateway: SalesforceGateway, *, region: str = "JP",
                 clock: Callable[[], dt.datetime] | None = None) -> None:
        self.database = database
        self.account_id = account_id
        self.gateway = gateway
        self.region = region
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))

    # --- freshness ------------------------------------------------------------------------------------------

    def age(self, objects: Sequence[str]) -> float | None:
        """Seconds since the stalest of ``objects`` was refreshed; None when one was never loaded."""
        with self.database.read() as session:
            states = {s.object_name: s for s in self._states(session)}
        oldest: float = 0.0
        for name in objects:
            state = states.get(name)
            if state is None or state.refreshed_at is None:
                return None
            oldest = max(oldest, (self.clock() - state.refreshed_at).total_seconds())
        return oldest

    def mirrored(self, objects: Sequence[str]) -> set[str]:
        """The objects among ``objects`` whose phone fields the index holds (loaded at least once)."""
        with self.database.read() as session:
            return {s.object_name for s in self._states(session) if s.refreshed_at is not None and s.object_name in objects}

    def refresh(self, objects: Sequence[str], max_age_s: float) -> RefreshReport:
        """Bring every object older than ``max_age_s`` up to date (a first load when never loaded)."""
        report = RefreshReport()
        skipped = []
        for name in objects:
            info = self.gateway.describe(name)
            if info is None:
                skipped.append(name)
                continue
            with self.database.read() as session:
                state = session.scalar(self._state_query(name))
                fields = ",".join(info.phone_fields)
                fresh = (
                    state is not None
                    and state.refreshed_at is not None
                    and state.fields == fields
                    and (self.clock() - state.refreshed_at).total_seconds() < max_age_s
                )
                full = state is None or state.refreshed_at is None or state.fields != fields
                since = state.last_modstamp if state is not None else None
            if fresh:
                continue
            report.objects += 1
            if full or since is None:
                self._full_load(info, report)
            else:
                self._incremental(info, since, report)
        report.skipped = tuple(skipped)
        return report

    # --- lookups --------------------------------------------------------------------------------------------

    def lookup(self, session: Session, numbers: Sequence[str], objects: Sequence[str]) -> dict[str, list[Candidate]]:
        """Candidates per E.164 number among ``objects`` (no API call)."""
        result: dict[str, list[Candidate]] = {number: [] for number in numbers}
        unique = list(dict.fromkeys(numbers))
        for start in range(0, len(unique), _DELETE_CHUNK):
            chunk = unique[start : start + _DELETE_CHUNK]
            rows = session.execute(
                select(
                    PhoneIndexEntry.e164,
                    PhoneIndexEntry.object_name,
                    PhoneIndexEntry.record_id,
                    PhoneIndexEntry.field_name,
                    PhoneIndexEntry.last_modified,
                ).where(
                    PhoneIndexEntry.account_id == self.account_id,
                    PhoneIndexEntry.e164.in_(chunk),
                    PhoneIndexEntry.object_name.in_(list(objects)),
                )
            )
            for e164, object_name, record_id, field_name, last_modified in rows:
                result[e164].append(Candidate(object_name, record_id, field_name, last_modified))
        return result

    def remember(self, session: Session, object_name: str, entries: Sequence[tuple[str, str, str]],
                 when: dt.datetime) -> int:
        """Put records this app just created (record Id, phone field, value as written) into the index.

        Why: a Lead created for an unknown number must be matched by the very next batch, not only after the
        next refresh (up to ``phone_index_max_age_s`` later) — else every call from that number in between
        creates another Lead. Called in the transaction that journals the job as linked, so a crash can never
        leave a linked job whose Lead the index does not know. Only for an object the index mirrors: its next
        refresh then re-reads the record (SystemModstamp) and replaces this entry; for an object it does not
        mirror nothing would ever remove the entry again. Returns how many entries were written.
        """
        mirrored = session.scalar(
            self._state_query(object_name).where(PhoneIndexState.refreshed_at.is_not(None))
        )
        if mirrored is None or not entries:
            return 0
        values = []
        for record_id, field_name, raw in entries:
            e164 = _normalize(raw, self.region)
            if e164 is None:
                continue
            # Replace, not add: a refresh may have read the record already (one row per record and field).
            session.execute(
                delete(PhoneIndexEntry).where(
                    PhoneIndexEntry.account_id == self.account_id,
                    PhoneIndexEntry.record_id == record_id,
                    PhoneIndexEntry.field_name == field_name,
                )
            )
            values.append({"account_id": self.account_id, "object_name": object_name, "record_id": record_id,
                           "field_name": field_name, "raw": raw[:255], "e164": e164, "last_modified": when})
        if values:
            session.execute(insert(PhoneIndexEntry), values)
        return len(values)

    # --- loading --------------------------------------------------------------------------------------------

    def _states(self, session: Session) -> list[PhoneIndexState]:
        return list(session.scalars(select(PhoneIndexState).where(PhoneIndexState.account_id == self.account_id)))

    def _state_query(self, name: str):  # type: ignore[no-untyped-def]
        return select(PhoneIndexState).where(
            PhoneIndexState.account_id == self.account_id, PhoneIndexState.object_name == name
        )

    def _full_load(self, info: ObjectInfo, report: RefreshReport) -> None:
        started = self.clock()
        rows = self.gateway.phone_rows(info, None)
        with self.database.begin() as session:
            session.execute(
                delete(PhoneIndexEntry).where(
                    PhoneIndexEntry.account_id == self.account_id, PhoneIndexEntry.object_name == info.name
                )
            )
            self._insert(session, info, rows)
            self._save_state(session, info, rows, None, started)
        report.loaded += len(rows)
        log.info("phone index: loaded %d %s records", len(rows), info.name)

    def _incremental(self, info: ObjectInfo, since: dt.datetime, report: RefreshReport) -> None:
        started = self.clock()
        rows = self.gateway.phone_rows(info, since - OVERLAP)
        deleted = self.gateway.deleted_ids(info, since - OVERLAP)
        with self.database.begin() as session:
            # A changed record is re-read whole: drop its old entries, then insert what it holds now.
            stale = [r.record_id for r in rows] + deleted
            for start in range(0, len(stale), _DELETE_CHUNK):
                session.execute(
                    delete(PhoneIndexEntry).where(
                        PhoneIndexEntry.account_id == self.account_id,
                        PhoneIndexEntry.record_id.in_(stale[start : start + _DELETE_CHUNK]),
                    )
                )
            self._insert(session, info, rows)
            self._save_state(session, info, rows, since, started)
        report.loaded += len(rows)
        report.deleted += len(deleted) + sum(1 for r in rows if r.converted)

    def _insert(self, session: Session, info: ObjectInfo, rows: list[PhoneRow]) -> None:
        values = []
        for row in rows:
            if row.converted:  # SPEC §6: converted Leads are never matched
                continue
            for field_name, raw in row.phones.items():
                e164 = _normalize(raw, self.region)
                if e164 is None:
                    continue
                values.append(
                    {
                        "account_id": self.account_id,
                        "object_name": info.name,
                        "record_id": row.record_id,
                        "field_name": field_name,
                        "raw": raw[:255],
                        "e164": e164,
                        "last_modified": row.last_modified,
                    }
                )
        for start in range(0, len(values), 2000):
            session.execute(insert(PhoneIndexEntry), values[start : start + 2000])

    def _save_state(self, session: Session, info: ObjectInfo, rows: list[PhoneRow], since: dt.datetime | None,
                    started: dt.datetime) -> None:
        state = session.scalar(self._state_query(info.name))
        if state is None:
            state = PhoneIndexState(account_id=self.account_id, object_name=info.name)
            session.add(state)
        stamps = [r.modstamp for r in rows if r.modstamp is not None]
        newest = max(stamps) if stamps else since
        state.fields = ",".join(info.phone_fields)
        # An empty object keeps no SystemModstamp: its next refresh is a full load again (one query), so the
        # local clock never stands in for the org's.
        state.last_modstamp = max(newest, since) if newest is not None and since is not None else newest
        # Freshness counts from when the reads began: anything changed during them is re-read next time.
        state.refreshed_at = started
        session.flush()
