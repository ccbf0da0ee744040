"""The local phone index (SPEC §9): the phone fields of the configured objects mirrored per account.

Why an index at all: matching a call then costs no API call, and it sees records created seconds ago
(SOSL's search index lags minutes). It is refreshed before each batch when older than ``max_age_s``:
incrementally by ``SystemModstamp`` (changed records are re-read whole, so a removed number disappears),
deletions through ``queryAll … IsDeleted = true``, converted Leads dropped (they are never matched).

What an incremental read cannot see (SALESFORCE.md "Replication"): a long-running transaction commits rows
whose SystemModstamp is older than rows already read — hence ``OVERLAP``, the equivalent of getUpdated's
``latestDateCovered``; records purged from the Recycle Bin (after 15 days, or when it fills) and hard deletes
never show in ``queryAll``; records whose sharing no longer lets the integration user see them vanish
silently. So every ``phone_index_reconcile_hours`` (24 h) an object is read whole again, and whatever that
full read does not return is dropped — the only complete answer. It runs before the first batch after
start-up too when the last one is older than that (the time is kept in the database).

Decision — a miss is confirmed by one batched SOSL before any no-match policy acts (``confirm``): a stale
index (a record changed by a transaction longer than ``OVERLAP``, or shared with the user only now) must never
cause a fallback Task or a new Lead. A miss first costs an incremental refresh when the index is older than
``phone_index_miss_refresh_s`` (5 s: a record created seconds ago, which SOSL's lagging index cannot see yet),
then the SOSL for what is still missing — none when every number matches; the search also carries the
unknown numbers of jobs still waiting (a backlog's unknown numbers cost one search, not one per batch), and a
number found nowhere is not searched again for ``CONFIRM_TTL``. SOSL is also used for objects the index does not mirror (index switched off, or an object
whose load failed) — see ``engine.linker``.

Person Accounts: the Account's and the person Contact's entries carry the person Account Id (``person_id``),
so that matching counts one person once.
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
from biztel_desk.domain.jobs import JobState
from biztel_desk.domain.matching import Candidate
from biztel_desk.salesforce.gateway import SOSL_FIND_MAX, ObjectInfo, PhoneRow, SalesforceGateway
from biztel_desk.store.db import Database
from biztel_desk.store.models import Call, LinkJob, LinkSetting, PhoneIndexEntry, PhoneIndexState

log = logging.getLogger(__name__)

# Re-read changes this far behind the newest SystemModstamp seen: a transaction that commits late can carry
# an older SystemModstamp than records already read. REST and SOAP calls run for up to 10 minutes on the server
# ("API Request Limits and Allocations"), so a transaction started by one of them commits within that; longer
# ones (Bulk API, batch Apex) are caught by the periodic full reconcile.
OVERLAP = dt.timedelta(minutes=10)
_DELETE_CHUNK = 500
# A number SOSL has just confirmed absent is not searched again for this long. SOSL's own index lags writes by
# "about 15 minutes or more", so a new search minutes later mostly reads the same index again, while the
# incremental refresh (which sees new records at once) still runs before every batch. Saves one search per
# batch when a backlog holds the same unknown numbers many times.
CONFIRM_TTL = dt.timedelta(minutes=5)
# How many waiting jobs ``confirm`` looks ahead at for numbers to search in the same request.
_AHEAD_JOBS = 2000


@functools.lru_cache(maxsize=131072)
def _normalize(raw: str, region: str) -> str | None:
    return phone.normalize(raw, region)


@dataclass
class RefreshReport:
    objects: int = 0
    loaded: int = 0  # records read
    deleted: int = 0  # records removed (deleted or converted)
    reconciled: int = 0  # objects read whole because their last full read was too old
    dropped: int = 0  # records a full read no longer returned (purged, hard-deleted, no longer visible)
    skipped: tuple[str, ...] = ()  # objects the org does not have / the user cannot see


def _terms_length(numbers: Sequence[str]) -> int:
    """Length of the FIND {…} terms the gateway builds for ``numbers`` (both search forms, OR-joined)."""
    return len(" OR ".join(form for number in numbers for form in phone.search_forms(number)))


class PhoneIndex:
    """The phone index of one Salesforce account (``account_id`` is the local accounts.id)."""

    # (database URL, account, objects) → number → when SOSL last found nothing for it (this process only).
    _absent: dict[tuple[str, int, tuple[str, ...]], dict[str, dt.datetime]] = {}

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

    def refresh(self, objects: Sequence[str], max_age_s: float, reconcile_s: float | None = None) -> RefreshReport:
        """Bring every object older than ``max_age_s`` up to date (a first load when never loaded).

        ``reconcile_s``: an object whose last full read is older than this is read whole again (a reconcile);
        None never forces one (the miss refresh uses that).
        """
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
                due = (
                    reconcile_s is not None
                    and not full
                    and (state is None or state.reconciled_at is None
                         or (self.clock() - state.reconciled_at).total_seconds() >= reconcile_s)
                )
            if fresh and not due:
                continue
            report.objects += 1
            if due:
                report.reconciled += 1
            if full or due or since is None:
                self._full_load(info, report, since)
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
                    PhoneIndexEntry.person_id,
                    PhoneIndexEntry.record_name,
                ).where(
                    PhoneIndexEntry.account_id == self.account_id,
                    PhoneIndexEntry.e164.in_(chunk),
                    PhoneIndexEntry.object_name.in_(list(objects)),
                )
            )
            for e164, object_name, record_id, field_name, last_modified, person, name in rows:
                result[e164].append(Candidate(object_name, record_id, field_name, last_modified, person_id=person,
                                              record_name=name))
        return result

    def confirm(self, numbers: Sequence[str], objects: Sequence[str]) -> dict[str, list[Candidate]]:
        """One batched SOSL for numbers the index missed; what it finds is put into the index and returned.

        Why: a miss in a stale index must never become a fallback Task or a new Lead. The hits stay in the
        index (a record the incremental reads skipped stays missed by them): the next call from that number
        needs no search. A number found nowhere is not searched again for ``CONFIRM_TTL``. Only objects the
        index mirrors; an object the org no longer has is left out.
        """
        now = self.clock()
        absent = self._absent.setdefault((str(self.database.engine.url), self.account_id, tuple(sorted(objects))), {})
        for number in [n for n, when in absent.items() if now - when >= CONFIRM_TTL]:
            absent.pop(number, None)  # expired: the cache stays as small as the last few minutes' misses
        ask = [n for n in dict.fromkeys(numbers) if not (n in absent and now - absent[n] < CONFIRM_TTL)]
        found: dict[str, list[Candidate]] = {number: [] for number in numbers}
        if not ask:
            return found
        # The same request also confirms the misses of jobs still waiting (as many as fit in one search): a
        # backlog's unknown numbers then cost one search, not one per batch.
        ask += self._ahead(set(ask), absent, now, objects, SOSL_FIND_MAX - _terms_length(ask))
        # A non-searchable object would fail the whole search (verification reports it): it is left out.
        infos = [info for name in objects for info in [self.gateway.describe(name)]
                 if info is not None and info.searchable]
        answers = self.gateway.search_phones(ask, infos, self.region)
        found.update({n: c for n, c in answers.items() if n in found})
        for number in ask:
            if answers.get(number):
                absent.pop(number, None)
            else:
                absent[number] = now
        hits = [(number, c) for number, candidates in answers.items() for c in candidates]
        if hits:
            with self.database.begin() as session:
                for number, c in hits:
                    session.execute(
                        delete(PhoneIndexEntry).where(
                            PhoneIndexEntry.account_id == self.account_id,
                            PhoneIndexEntry.record_id == c.record_id,
                            PhoneIndexEntry.field_name == c.field_name,
                        )
                    )
                    session.execute(insert(PhoneIndexEntry), [{
                        "account_id": self.account_id, "object_name": c.object_name, "record_id": c.record_id,
                        "field_name": c.field_name, "raw": number, "e164": number, "last_modified": c.last_modified,
                        "person_id": c.person_id, "record_name": c.record_name}])
            log.info("phone index: SOSL found %d records the index missed", len(hits))
        return found

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

    def _ahead(self, asked: set[str], absent: dict[str, dt.datetime], now: dt.datetime, objects: Sequence[str],
               budget: int) -> list[str]:
        """Numbers of waiting jobs on this account that the index misses and no recent search covered."""
        if budget <= 0:
            return []
        with self.database.read() as session:
            waiting = list(dict.fromkeys(session.scalars(
                select(Call.customer_e164)
                .join(LinkJob, LinkJob.call_id == Call.id)
                .join(LinkSetting, LinkJob.setting_id == LinkSetting.id)
                .where(LinkSetting.account_id == self.account_id,
                       LinkJob.state.in_([JobState.PENDING.value, JobState.RETRYING.value]),
                       Call.customer_e164.is_not(None))
                .order_by(LinkJob.id)
                .limit(_AHEAD_JOBS)
            )))
            fresh = [n for n in waiting if n and n not in asked and not (n in absent and now - absent[n] < CONFIRM_TTL)]
            known = self.lookup(session, fresh, objects)
        extra: list[str] = []
        for number in fresh:
            if known[number]:
                continue
            cost = _terms_length([number]) + 4  # " OR " between numbers
            if cost > budget:
                break
            extra.append(number)
            budget -= cost
        return extra

    # --- loading --------------------------------------------------------------------------------------------

    def _states(self, session: Session) -> list[PhoneIndexState]:
        return list(session.scalars(select(PhoneIndexState).where(PhoneIndexState.account_id == self.account_id)))

    def _state_query(self, name: str):  # type: ignore[no-untyped-def]
        return select(PhoneIndexState).where(
            PhoneIndexState.account_id == self.account_id, PhoneIndexState.object_name == name
        )

    def _full_load(self, info: ObjectInfo, report: RefreshReport, since: dt.datetime | None = None) -> None:
        """Read the object whole and replace its entries: a record the read does not return is dropped."""
        started = self.clock()
        rows = self.gateway.phone_rows(info, None)
        with self.database.begin() as session:
            before = set(session.scalars(
                select(PhoneIndexEntry.record_id).where(
                    PhoneIndexEntry.account_id == self.account_id, PhoneIndexEntry.object_name == info.name
                )
            ))
            session.execute(
                delete(PhoneIndexEntry).where(
                    PhoneIndexEntry.account_id == self.account_id, PhoneIndexEntry.object_name == info.name
                )
            )
            self._insert(session, info, rows)
            self._save_state(session, info, rows, since, started, reconciled=True)
        dropped = len(before - {r.record_id for r in rows})
        report.loaded += len(rows)
        report.dropped += dropped
        log.info("phone index: loaded %d %s records (%d no longer returned, dropped)", len(rows), info.name, dropped)

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
                        "person_id": row.person_id,
                        "record_name": row.name,
                    }
                )
        for start in range(0, len(values), 2000):
            session.execute(insert(PhoneIndexEntry), values[start : start + 2000])

    def _save_state(self, session: Session, info: ObjectInfo, rows: list[PhoneRow], since: dt.datetime | None,
                    started: dt.datetime, *, reconciled: bool = False) -> None:
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
        if reconciled:
            state.reconciled_at = started
        session.flush()
