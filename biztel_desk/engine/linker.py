"""One step of the link engine for one setting: resolve, match, decide, journal, send, record (SPEC §9, §10).

Exactly once — the local database is the journal:

1. Jobs left in ``sending`` (a crash, a timeout, a dropped connection) are resolved first, before anything is
   sent: their Tasks are looked up (``queryAll``, so archived Tasks count; filtered on an indexed field, see
   ``SalesforceGateway.find_tasks``); found → ``linked`` with that Task. Not found is not final at once:
   Salesforce keeps running a REST write for up to 10 minutes after the client gave up and may commit it
   then, so the job stays ``sending`` and is looked up again every ``recheck_s`` (``next_retry_at``) until
   ``server_write_limit_s`` has passed since its send started (``send_started_at``, journaled with the claim);
   only then is it concluded absent and goes back to ``pending``.
2. A job that was ever in a batch keeps its ``batch_id``; before it is sent again its Tasks are looked up
   ("resolve before send") so a retry never writes a Task that already exists.
   A job sent for the first time has no such memory — and the local database may simply not remember the
   call: a cumulative CDR file imported again after retention purged the calls, or a second PC with its own
   data directory importing the same file. So the first send is idempotent on Salesforce's side (a
   collections upsert on ``B_UniqueId__c`` when that field is an External ID and names this one Task) or is
   preceded by the same batched lookup (one query per batch, only for jobs the upsert does not cover).
3. Matching and every read happen before the journal. Then, in one transaction, the batch is marked
   ``sending`` (new batch_id, the decision and its reason) and committed; only then is the HTTP call made;
   then, in one transaction, each job becomes ``linked`` / ``retrying`` / ``failed`` — or stays ``sending``
   when the outcome is unknown, for step 1 to resolve.

The key of a Task is its ``CallObject`` (the call's unique ID) plus, for the ``all`` policy, the record it is
on (its anchor: WhoId, else the Case's Account, else WhatId): one Task per (call, target record).

Case mode and ``create_lead`` write parent + Task pairs in one all-or-none composite request, so a Task found
by CallObject proves its Case/Lead exists and a Task not found proves neither does (no orphan, no duplicate).

One Lead per unknown number (``create_lead``): the calls of a batch from one unknown number share one new Lead
(one parent, several Tasks referencing it in the same composite); once the batch is journaled as linked the
Lead goes into the local phone index in the same transaction, so the next batch matches it like any Lead.

Several engines on one database (the window's worker and a headless sync, several desktops on one PostgreSQL):
an engine steps a setting only while it holds that setting's lease (``engine.lease``), re-checked in the
transactions that resolve ``sending`` jobs and that mark a batch ``sending`` — so step 1 never takes a batch
another live engine is sending right now for abandoned.

Status decisions (SPEC §5): only an enabled setting sends or looks anything up. Jobs already pending when a
setting is paused or disabled stay pending and are sent once it is enabled again; nothing is sent meanwhile.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from biztel_desk.domain import phone
from biztel_desk.domain.config import (
    AccountConfig,
    LinkStatus,
    OnMultipleMatch,
    SystemSettings,
    system_time_zone,
)
from biztel_desk.domain.ids import key_prefix
from biztel_desk.domain.jobs import JobState
from biztel_desk.domain.matching import Candidate, Decision, ObjectRule, Reason, Target, decide
from biztel_desk.domain.payload import (
    LEAD_SOURCE,
    SERVER_FIELD_MAX,
    CallFacts,
    WriteOptions,
    case_fields,
    lead_fields,
    lead_phone,
    task_fields,
    task_update_fields,
    wants_case,
)
from biztel_desk.engine.lease import DEFAULT_TTL_S, LeaseLost, Leases
from biztel_desk.engine.phone_index import PhoneIndex
from biztel_desk.salesforce.errors import (
    TRANSIENT_RECORD_CODES,
    GatewayError,
    LimitExceeded,
    PermanentError,
    RecordError,
    TransientError,
    UnknownOutcome,
    WriteResult,
)
from biztel_desk.salesforce.gateway import (
    LOOKUP_IN_CHARS,
    MAX_COLLECTION,
    SERVER_WRITE_LIMIT_S,
    WRITE_TIMEOUT_S,
    FoundTask,
    ObjectInfo,
    SalesforceGateway,
    parse_datetime,
)
from biztel_desk.secrets import SecretStore
from biztel_desk.store import repos
from biztel_desk.store.db import Database
from biztel_desk.store.models import Call, LinkJob, LinkSetting

log = logging.getLogger(__name__)

STANDARD_PREFIXES = {"001": "Account", "003": "Contact", "00Q": "Lead", "500": "Case", "006": "Opportunity"}
CASE_PREFIX = "500"
LEAD_PREFIX = "00Q"
_ROLLBACK_CODES = frozenset({"ALL_OR_NONE_OPERATION_ROLLED_BACK", "PROCESSING_HALTED"})
MAX_COMPOSITE_SUBREQUESTS = 25
LOOKAHEAD_JOBS = 1000  # first sends read ahead from the journal for one lookup (bounded by its query's room)
# Our own error codes (rendered with advice by domain.failures).
RETRY_LIMIT_REACHED = "RETRY_LIMIT_REACHED"
LEAD_SOURCE_NOT_IN_PICKLIST = "LEAD_SOURCE_NOT_IN_PICKLIST"


@dataclass(frozen=True)
class EngineOptions:
    batch_size: int = MAX_COLLECTION
    use_index: bool = True
    # None: the system setting phone_index_max_age_s (read at every step, so a change applies at once).
    index_max_age_s: float | None = None
    # Backoff after transient failures of a job (SPEC §9: 1, 5, 15, 60 min…); past the last step each wait
    # doubles, and no wait exceeds the system setting retry_backoff_max_minutes.
    backoff_s: tuple[float, ...] = (60.0, 300.0, 900.0, 3600.0)
    timeout_s: float = 30.0  # reads (queries, searches, describes) and connecting
    # Writes wait for Salesforce's answer this long: more than its server-side limit for a REST write.
    write_timeout_s: float = WRITE_TIMEOUT_S
    # Salesforce may still commit a write this long after it started: an unknown outcome is concluded absent
    # (and sent again) only after that; meanwhile its Tasks are looked up again every ``recheck_s``.
    server_write_limit_s: float = SERVER_WRITE_LIMIT_S
    recheck_s: float = 60.0
    # A first-send lookup also covers the calls due next (as many as fit its query); a call found absent that
    # way is not looked up again when its own batch comes, if that is within this many seconds. 0: no lookahead.
    lookahead_ttl_s: float = 300.0
    # Consecutive transient failures after which a job fails with RETRY_LIMIT_REACHED, per error class:
    # "record" (UNABLE_TO_LOCK_ROW and the other transient per-record codes), "halted" (rolled back with no
    # record to blame), "request" (the whole request failed: network, refused for a concurrent-request limit).
    retry_caps: tuple[tuple[str, int], ...] = (("record", 20), ("halted", 10), ("request", 100))
    # Above api_optional_stop_percent the index is refreshed this many times less often (an optional call).
    optional_slowdown: float = 10.0
    # The per-setting lease (engine.lease): renewed by a heartbeat thread every lease_ttl_s / 3, whatever a send
    # takes; another desktop takes a dead owner's setting over within seconds.
    lease_ttl_s: float = DEFAULT_TTL_S

    def __post_init__(self) -> None:
        # A batch's calls from one unknown number share one Lead in one composite request, which holds at most
        # MAX_COLLECTION Tasks: a larger batch could not keep them together.
        if not 1 <= self.batch_size <= MAX_COLLECTION:
            raise ValueError(f"batch_size must be 1-{MAX_COLLECTION}, got {self.batch_size}")


@dataclass
class StepResult:
    """What one step did, as plain data (safe to hand to another thread)."""

    setting: str
    picked: int = 0
    linked: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0
    resolved: int = 0  # jobs left in ``sending`` whose outcome was looked up
    unknown: int = 0  # jobs left in ``sending`` / ``update_sending`` by this step (looked up by the next one)
    updated: int = 0  # linked calls whose Task was updated (a late leg changed the call)
    checking: int = 0  # jobs still in ``sending`` after a lookup: looked up again later, until the server limit
    more: bool = False  # a full batch was due: call again without waiting
    paused: str | None = None  # "status" | "usage" | "limit" | "lease": why nothing was sent
    lease_holder: str | None = None  # paused == "lease": the engine holding it ("hostname:pid:random")
    error: GatewayError | None = None
    api_usage: tuple[int, int] | None = None


@dataclass(frozen=True)
class SettingSnapshot:
    id: int
    name: str
    status: str
    account: AccountConfig
    account_id: int
    fallback_record_id: str
    on_multiple_match: str
    on_no_match: str
    activity_mode: str
    objects: tuple[ObjectRule, ...]
    tab_codes: dict[str, str]  # key prefix → object API name
    default_outbound_number: str = ""  # 既定の発信番号: the company side of outbound calls whose source lacks it


@dataclass(frozen=True)
class DueJob:
    id: int
    state: str
    batch_id: str | None
    retry_count: int
    attempts: int
    customer_e164: str | None
    call: CallFacts
    match_reason: str = ""  # the journaled decision of an earlier attempt (its targets), "" when none
    revision: int = 1  # the call's revision these facts are (journaled as sent_revision with the claim)


@dataclass
class _Unit:
    """One Task to write (with its Case or Lead when there is one) for one job."""

    job_id: int
    task: dict[str, Any]
    target: Target | None
    parent: dict[str, Any] | None = None  # a Case or a Lead created in the same composite request
    parent_field: str = "WhatId"
    shares: _Unit | None = None  # the unit whose new Lead this Task goes on (same number, same batch)
    upsert: bool = False
    error_class: str = ""  # for the retry caps: record | halted | request
    result: WriteResult | None = None
    parent_result: WriteResult | None = None
    outcome: str = ""  # ok | transient | permanent | requeue | unknown
    error: RecordError | None = None


@dataclass
class _Plan:
    """What the step decided for one job before the journal."""

    job: DueJob
    decision: Decision
    covered: list[FoundTask] = field(default_factory=list)  # Tasks already in Salesforce (resolve before send)
    case_accounts: dict[str, str | None] = field(default_factory=dict)  # Case Id → AccountId, for anchors
    units: list[_Unit] = field(default_factory=list)
    refused: RecordError | None = None  # nothing sent: the org would refuse it (journaled as failed)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def anchor_of(task: FoundTask, case_accounts: dict[str, str | None]) -> str | None:
    """The record a Task stands for: its WhoId, else the Account of its Case, else its WhatId."""
    if task.who_id:
        return task.who_id
    if task.what_id and key_prefix(task.what_id) == CASE_PREFIX:
        return case_accounts.get(task.what_id) or task.what_id
    return task.what_id


class LinkEngine:
    """Runs steps for settings; holds one gateway and phone index per Salesforce account (one thread only)."""

    def __init__(self, database: Database, secrets: SecretStore, *, options: EngineOptions | None = None,
                 clock: Callable[[], dt.datetime] | None = None) -> None:
        self.database = database
        self.secrets = secrets
        self.options = options or EngineOptions()
        self.clock = clock or _now
        self._gateways: dict[str, tuple[AccountConfig, SalesforceGateway]] = {}
        self._send_error: GatewayError | None = None
        # (setting id, unique ID) → when a lookahead found no Task for that call's first send (see _lookahead).
        self._absent_seen: dict[tuple[int, str], dt.datetime] = {}
        # A write request lasts at most its timeouts plus one re-login: how long a previous owner may still send.
        self.leases = Leases(database, ttl_s=self.options.lease_ttl_s, max_send_s=3 * self.options.timeout_s)

    def close(self) -> None:
        for _, gateway in self._gateways.values():
            gateway.close()
        self._gateways.clear()
        try:
            self.leases.release_all()
        except SQLAlchemyError:
            # The lease then simply expires (or is taken over at once on this host: our pid is gone soon).
            log.warning("could not release the link leases", exc_info=True)

    def gateway(self, account: AccountConfig) -> SalesforceGateway:
        known = self._gateways.get(account.name)
        if known is not None and known[0] == account:
            return known[1]
        if known is not None:
            known[1].close()
        gateway = SalesforceGateway(account, self.secrets, timeout=self.options.timeout_s,
                                    write_timeout=self.options.write_timeout_s)
        self._gateways[account.name] = (account, gateway)
        return gateway

    # --- the step -------------------------------------------------------------------------------------------

    def step(self, setting_name: str) -> StepResult:
        """Process at most one batch of due jobs of a setting. Known Salesforce failures end up in ``error``."""
        result = StepResult(setting_name)
        loaded = self._load(setting_name)
        if loaded is None:
            result.paused = "status"
            return result
        setting, system = loaded
        if setting.status != LinkStatus.ENABLED:
            result.paused = "status"
            return result
        holder = self.leases.acquire(setting.id)
        if holder is not None:
            # Another engine (another process, another desktop) is stepping this setting: touch nothing.
            result.paused, result.lease_holder = "lease", holder
            return result
        gateway = self.gateway(setting.account)
        try:
            gateway.open()
            self._run(setting, system, gateway, result)
        except LeaseLost:
            # Taken over while this step read Salesforce (a step longer than the lease): nothing was claimed.
            result.paused = "lease"
        except LimitExceeded as error:
            result.paused = "limit"
            result.error = error
        except GatewayError as error:
            result.error = error
        if result.error is None and self._send_error is not None:
            result.error = self._send_error
            if isinstance(self._send_error, LimitExceeded):
                result.paused = "limit"
        self._send_error = None
        result.api_usage = gateway.api_usage
        return result

    def _run(self, setting: SettingSnapshot, system: SystemSettings, gateway: SalesforceGateway,
             result: StepResult) -> None:
        usage = gateway.usage_percent()
        if usage >= system.api_pause_percent:
            # Paused on usage: one probe tells whether it has recovered (the worker spaces these probes out).
            gateway.refresh_usage()
            usage = gateway.usage_percent()
            if usage >= system.api_pause_percent:
                result.paused = "usage"
                return
        index = PhoneIndex(self.database, setting.account_id, gateway, region=system.default_region, clock=self.clock)
        result.resolved, absent, result.checking = self.resolve_sending(setting, gateway, index)
        result.resolved += self.resolve_updates(setting, system, gateway, result)
        jobs = self._due(setting)
        result.picked = len(jobs)
        result.more = len(jobs) >= self.options.batch_size
        if not jobs:
            # Refresh the index only for a batch to match: an idle worker polling every second would otherwise
            # spend two queries per object every phone_index_max_age_s all day long, for nothing.
            self._update_batch(setting, system, gateway, result)
            return
        if self.options.use_index:
            max_age = self.options.index_max_age_s
            if max_age is None:
                max_age = float(system.phone_index_max_age_s)
            if usage >= system.api_optional_stop_percent:
                max_age *= self.options.optional_slowdown
            index.refresh([rule.api_name for rule in setting.objects], max_age,
                          reconcile_s=system.phone_index_reconcile_hours * 3600.0)
        options = self._write_options(setting, system, gateway)
        plans = self._plan(setting, system, gateway, index, jobs, absent, options)
        self._build_units(setting, options, gateway, plans)
        if gateway.usage_percent() >= system.api_pause_percent:
            # The reads above carried a newer Sforce-Limit-Info than the check at the top of the step (an idle
            # engine makes no call, so that figure may be hours old): nothing is journaled, nothing sent.
            result.paused = "usage"
            return
        batch_id = str(uuid.uuid4())
        plans = self._journal(setting, system, plans, batch_id, result, index)
        self._send(gateway, plans, setting.id, auto_assign=system.run_assignment_rules)
        self._record(system, plans, batch_id, result, index, setting.id)
        self._update_batch(setting, system, gateway, result)

    # --- loading --------------------------------------------------------------------------------------------

    def _load(self, name: str) -> tuple[SettingSnapshot, SystemSettings] | None:
        with self.database.read() as session:
            row = session.scalar(
                select(LinkSetting)
                .options(
                    selectinload(LinkSetting.objects),
                    selectinload(LinkSetting.account),
                    selectinload(LinkSetting.targets),
                )
                .where(LinkSetting.name == name)
            )
            if row is None:
                return None
            snapshot = SettingSnapshot(
                id=row.id,
                name=row.name,
                status=row.status,
                account=repos.account_config(row.account),
                account_id=row.account_id,
                fallback_record_id=row.fallback_record_id,
                on_multiple_match=row.on_multiple_match,
                on_no_match=row.on_no_match,
                activity_mode=row.activity_mode,
                objects=tuple(ObjectRule(o.api_name, o.priority) for o in row.objects),
                tab_codes={o.tab_code: o.api_name for o in row.objects},
                default_outbound_number=next(
                    (t.number for t in row.targets if t.enabled and t.default_outbound), ""
                ),
            )
            return snapshot, repos.load_system(session)

    def _due(self, setting: SettingSnapshot) -> list[DueJob]:
        now = self.clock()
        with self.database.read() as session:
            rows = session.execute(
                select(LinkJob, Call)
                .join(Call, LinkJob.call_id == Call.id)
                .where(
                    LinkJob.setting_id == setting.id,
                    (LinkJob.state == JobState.PENDING)
                    | ((LinkJob.state == JobState.RETRYING) & (LinkJob.next_retry_at <= now)),
                    _settled(now),
                )
                .order_by(LinkJob.id)
                .limit(self.options.batch_size)
            ).all()
            return [_due_job(job, call, setting.default_outbound_number) for job, call in rows]

    # --- resolving unknown outcomes -------------------------------------------------------------------------

    def resolve_sending(self, setting: SettingSnapshot, gateway: SalesforceGateway,
                        index: PhoneIndex) -> tuple[int, set[int], int]:
        """Look up the Tasks of every job left in ``sending`` that is due for a look: linked when found.

        Not found is final only once ``server_write_limit_s`` has passed since the job's send started (Salesforce
        may still commit the write until then): the job then goes back to pending. Before that it stays
        ``sending`` and is looked up again in ``recheck_s`` (never later than at the limit).

        A failed lookup raises before anything changes: the jobs stay ``sending`` and the next step looks them
        up again — they are never sent again without an answer. Returns how many were looked up, the jobs now
        known to have no Task at all (no second lookup), and how many stay ``sending`` for a later look.
        """
        resolved = checking = 0
        absent: set[int] = set()
        limit = dt.timedelta(seconds=self.options.server_write_limit_s)
        recheck = dt.timedelta(seconds=self.options.recheck_s)
        now = self.clock()
        last_id = 0  # keyset: a job kept in ``sending`` is not looked up twice in one step
        if not self.leases.may_resolve(setting.id):
            # Taken over from an owner that may still be inside a request for these very jobs: later.
            return resolved, absent, checking
        while True:
            with self.database.read() as session:
                rows = session.execute(
                    select(LinkJob.id, LinkJob.match_reason, LinkJob.send_started_at, LinkJob.updated_at, Call,
                           LinkJob.sent_revision)
                    .join(Call, LinkJob.call_id == Call.id)
                    .where(LinkJob.setting_id == setting.id, LinkJob.state == JobState.SENDING, LinkJob.id > last_id,
                           # due for its next look, or past the limit (which a later run may have set lower)
                           LinkJob.next_retry_at.is_(None) | (LinkJob.next_retry_at <= now)
                           | (LinkJob.send_started_at <= now - limit))
                    .order_by(LinkJob.id)
                    .limit(MAX_COLLECTION)
                ).all()
            if not rows:
                return resolved, absent, checking
            last_id = rows[-1][0]
            found = self._existing(gateway, [(call.unique_id, call.request_id, call.started_at)
                                             for _, _, _, _, call, _ in rows])
            case_accounts = self._case_accounts(gateway, found)
            now = self.clock()
            updates = []
            leads: dict[str, tuple[str, str, str]] = {}
            for job_id, reason_json, send_started, updated_at, call, sent_revision in rows:
                targets = _journaled_targets(reason_json)
                tasks = _own_tasks(found.get(call.unique_id, []), targets, _is_create_lead(reason_json),
                                   case_accounts)
                anchors = {anchor_of(t, case_accounts) for t in tasks}
                complete = bool(tasks) and (len(targets) <= 1 or all(t in anchors for t in targets))
                if complete:
                    first = _first_task(tasks, targets, case_accounts)
                    updates.append(_linked_values(job_id, first, tasks, reason_json, now))
                    updates[-1]["linked_revision"] = sent_revision or 1
                    lead = _created_lead(Reason.from_json(reason_json).code, first)
                    if lead is not None:
                        updates[-1].update(record_id=lead, record_object="Lead")
                        leads[lead] = (lead, "Phone", lead_phone(_customer_number(call)))
                    continue
                deadline = (send_started or updated_at or now) + limit
                if now < deadline:
                    # Salesforce may still be running the write: look again later, never send it again yet.
                    checking += 1
                    updates.append({"id": job_id, "next_retry_at": min(now + recheck, deadline), "updated_at": now})
                    continue
                # Not (completely) written, and past the server's limit: send again. batch_id stays, so "resolve
                # before send" runs for what was written.
                if not tasks:
                    absent.add(job_id)
                updates.append({"id": job_id, "state": JobState.PENDING.value, "updated_at": now,
                                "next_retry_at": None})
            # Still ours: another engine may be sending these very jobs if it took the setting over. The Leads
            # written before the outcome was lost: the next batch must match them (no 2nd Lead).
            self._store_outcomes(setting.id, updates, JobState.LINKED, leads=leads, index=index, now=now)
            resolved += len(rows)

    def _existing(self, gateway: SalesforceGateway,
                  calls: Sequence[tuple[str, str | None, dt.datetime | None]]) -> dict[str, list[FoundTask]]:
        """The Tasks of calls given as (unique ID, request ID, start), by CallObject: one query per ~200 calls."""
        found: dict[str, list[FoundTask]] = {}
        if not calls:
            return found
        starts = [start for _, _, start in calls if start is not None]
        tasks = gateway.find_tasks([u for u, _, _ in calls],
                                   external_values=[v for u, r, _ in calls for v in (u, r) if v],
                                   created_since=min(starts) if starts else None)
        for task in tasks:
            found.setdefault(task.call_object, []).append(task)
        return found

    @staticmethod
    def _case_accounts(gateway: SalesforceGateway, found: dict[str, list[FoundTask]]) -> dict[str, str | None]:
        # Which Account a Case-only Task (Case mode, Account target) stands for. Needed even when a call has a
        # single Task so far: under the `all` policy that Task may be the only one of several targets written,
        # and taking its Case for the anchor would write that Account's Case + Task a second time. Costs one
        # query, only when a lookup found such Tasks (recovery, never the normal path).
        case_ids = [t.what_id for tasks in found.values() for t in tasks
                    if not t.who_id and t.what_id and key_prefix(t.what_id) == CASE_PREFIX]
        if not case_ids:
            return {}
        values = gateway.field_values("Case", [c for c in case_ids if c], ["AccountId"])
        return {case_id: row.get("AccountId") for case_id, row in values.items()}

    # --- matching and deciding ------------------------------------------------------------------------------

    def _plan(self, setting: SettingSnapshot, system: SystemSettings, gateway: SalesforceGateway,
              index: PhoneIndex, jobs: list[DueJob], absent: set[int], options: WriteOptions) -> list[_Plan]:
        object_names = [rule.api_name for rule in setting.objects]
        numbers = sorted({j.customer_e164 for j in jobs if j.customer_e164})
        candidates: dict[str, list[Candidate]] = {n: [] for n in numbers}
        mirrored = index.mirrored(object_names) if self.options.use_index else set()
        if mirrored and numbers:
            with self.database.read() as session:
                indexed = index.lookup(session, numbers, sorted(mirrored))
            misses = [n for n in numbers if not indexed[n]]
            if misses and self._refresh_for_misses(index, sorted(mirrored), system, gateway):
                # A Contact created seconds before the call is in the index now: look the misses up again
                # before anything is decided (a no-match with the fallback policy would be final).
                with self.database.read() as session:
                    indexed.update(index.lookup(session, misses, sorted(mirrored)))
            misses = [n for n in misses if not indexed[n]]
            if misses:  # one batched SOSL confirms a miss before a no-match policy acts (stale index)
                indexed.update(index.confirm(misses, sorted(mirrored)))
            for number, found in indexed.items():
                candidates[number].extend(found)
        # SOSL for what the index cannot answer: objects it does not mirror (index off, or load failed).
        unmirrored = [info for name in object_names if name not in mirrored
                      for info in [gateway.describe(name)] if info is not None]
        if unmirrored and numbers:
            for number, found in gateway.search_phones(numbers, unmirrored, system.default_region).items():
                candidates[number].extend(found)
        fallback = Target(self._object_of(setting, gateway, setting.fallback_record_id), setting.fallback_record_id)
        decisions = [
            decide(
                candidates.get(job.customer_e164 or "", []),
                list(setting.objects),
                setting.on_multiple_match,
                setting.on_no_match,
                fallback,
                retry_count=job.retry_count,
                retry_max=system.retry_max,
                anonymous=job.customer_e164 is None,
            )
            for job in jobs
        ]
        # Look up the Tasks of jobs sent before (resolve before send), and of first sends that the upsert does
        # not make idempotent: this database may not remember a call Salesforce already has (see the module).
        upsertable = self._upsert_possible(gateway, options)
        now = self.clock()
        wanted: list[tuple[str, str | None, dt.datetime | None]] = [
            (job.call.unique_id, job.call.request_id, job.call.started_at)
            for job, decision in zip(jobs, decisions, strict=True)
            if job.id not in absent and (
                job.batch_id
                or (decision.kind in {"link", "create_lead"} and not (upsertable and _single_plain(decision, options))
                    and not self._recently_absent(setting.id, job.call.unique_id, now))
            )
        ]
        if len(self._absent_seen) > 4 * LOOKAHEAD_JOBS:
            # Calls that never came to a first send in time (skipped, held…): forget them.
            horizon = now - dt.timedelta(seconds=self.options.lookahead_ttl_s)
            self._absent_seen = {k: t for k, t in self._absent_seen.items() if t >= horizon}
        ahead = self._lookahead(setting, jobs, wanted) if wanted else []
        existing = self._existing(gateway, wanted + ahead)
        for unique_id, _, _ in ahead:
            if unique_id not in existing:
                self._absent_seen[(setting.id, unique_id)] = now
        case_accounts = self._case_accounts(gateway, existing)
        plans = []
        for job, decision in zip(jobs, decisions, strict=True):
            covered = _own_tasks(
                existing.get(job.call.unique_id, []),
                [*_journaled_targets(job.match_reason), *(t.record_id for t in decision.targets)],
                _is_create_lead(job.match_reason) or decision.kind == "create_lead",
                case_accounts,
            )
            plans.append(_Plan(job, decision, covered, case_accounts))
        # A call of this batch already has its Lead in Salesforce (written by an earlier attempt whose outcome
        # was looked up): the batch's other calls from that number go on that Lead instead of a new one.
        leads: dict[str, str] = {}
        for plan in plans:
            lead = _created_lead(plan.decision.reason.code, *plan.covered[:1])
            if plan.decision.kind == "create_lead" and lead is not None and plan.job.customer_e164:
                leads.setdefault(plan.job.customer_e164, lead)
        for plan in plans:
            lead = leads.get(plan.job.customer_e164 or "")
            if plan.decision.kind == "create_lead" and not plan.covered and lead is not None:
                plan.decision = Decision("link", (Target("Lead", lead),),
                                         Reason("single", {"object": "Lead", "id": lead, "field": "Phone"}))
        return plans

    def _refresh_for_misses(self, index: PhoneIndex, objects: list[str], system: SystemSettings,
                            gateway: SalesforceGateway) -> bool:
        """Refresh the index (changes only) for numbers it cannot match, when it is older than a few seconds.

        SPEC §9: the index must see records created seconds ago, but the regular refresh runs only every
        phone_index_max_age_s (60 s). A miss costs one incremental refresh at most every
        phone_index_miss_refresh_s (5 s) — a handful of queries a minute while a backlog with unknown numbers
        drains, none while every number matches. True when it refreshed something.
        """
        threshold = float(system.phone_index_miss_refresh_s)
        if threshold <= 0:
            return False
        if gateway.usage_percent() >= system.api_optional_stop_percent:
            threshold *= self.options.optional_slowdown  # an optional call: spaced out above the 80 % guard
        age = index.age(objects)
        if age is None or age < threshold:
            return False
        return index.refresh(objects, threshold).objects > 0

    def _object_of(self, setting: SettingSnapshot, gateway: SalesforceGateway, record_id: str) -> str:
        prefix = key_prefix(record_id)
        if prefix in setting.tab_codes:
            return setting.tab_codes[prefix]
        if prefix in STANDARD_PREFIXES:
            return STANDARD_PREFIXES[prefix]
        for name in setting.tab_codes.values():
            info = gateway.describe(name)
            if info is not None and info.key_prefix == prefix:
                return name
        return "Account"  # unknown prefix: a WhatId, like every object but Contact and Lead

    # --- payloads -------------------------------------------------------------------------------------------

    def _recently_absent(self, setting_id: int, unique_id: str, now: dt.datetime) -> bool:
        """The call's first send was looked up ahead, minutes ago, and Salesforce had no Task for it."""
        seen = self._absent_seen.pop((setting_id, unique_id), None)
        return seen is not None and now - seen <= dt.timedelta(seconds=self.options.lookahead_ttl_s)

    def _lookahead(self, setting: SettingSnapshot, jobs: list[DueJob],
                   wanted: list[tuple[str, str | None, dt.datetime | None]]) -> list[tuple[str, str | None, dt.datetime | None]]:
        """First sends due after this batch, looked up in the same query while it has room (a backlog of new calls
        then costs one lookup per several batches, not one per batch)."""
        room = LOOKUP_IN_CHARS - sum(len(u) + 4 + (len(r) + 4 if r else 0) for u, r, _ in wanted)
        if room <= 0 or self.options.lookahead_ttl_s <= 0:
            return []
        with self.database.read() as session:
            rows = session.execute(
                select(Call.unique_id, Call.request_id, Call.started_at)
                .join(LinkJob, LinkJob.call_id == Call.id)
                .where(LinkJob.setting_id == setting.id, LinkJob.id > max(j.id for j in jobs),
                       LinkJob.batch_id.is_(None), LinkJob.state.in_([JobState.PENDING, JobState.RETRYING]))
                .order_by(LinkJob.id)
                .limit(LOOKAHEAD_JOBS)
            ).all()
        ahead: list[tuple[str, str | None, dt.datetime | None]] = []
        for unique_id, request_id, started_at in rows:
            room -= len(unique_id) + 4 + (len(request_id) + 4 if request_id else 0)
            if room < 0:
                break
            ahead.append((unique_id, request_id, started_at))
        return ahead

    @staticmethod
    def _upsert_possible(gateway: SalesforceGateway, options: WriteOptions) -> bool:
        """B_UniqueId__c is an External ID and holds the call's unique ID (URL playback): a Task can be upserted."""
        return gateway.task_setup().unique_id_external and options.playback_auth == "url"

    def _write_options(self, setting: SettingSnapshot, system: SystemSettings,
                       gateway: SalesforceGateway) -> WriteOptions:
        task = gateway.task_setup()
        return WriteOptions(
            time_zone=system.time_zone or system_time_zone(),
            playback_auth=system.playback_auth,
            recording_server_url=system.recording_server_url,
            subject_inbound=system.subject_inbound,
            subject_outbound=system.subject_outbound,
            task_status=task.closed_status or "Completed",
            activity_mode=setting.activity_mode,
            with_custom_fields="B_UniqueId__c" in task.fields,
            recording_url_template=system.recording_url_template,
            server_field_max=task.server_ip_length or SERVER_FIELD_MAX,
        )

    def _build_units(self, setting: SettingSnapshot, options: WriteOptions, gateway: SalesforceGateway,
                     plans: list[_Plan]) -> None:
        task_setup = gateway.task_setup()
        # Case mode needs a Contact's Account for Case.AccountId; the index does not keep it, so read it now
        # (one query per batch, Case mode only, before the journal like every other read).
        contact_ids = [t.record_id for p in plans for t in p.decision.targets
                       if t.object_name == "Contact" and t.account_id is None and wants_case(t, options)]
        accounts: dict[str, Any] = {}
        if contact_ids:
            accounts = {k: v.get("AccountId") for k, v in gateway.field_values("Contact", contact_ids, ["AccountId"]).items()}
        all_policy = setting.on_multiple_match == OnMultipleMatch.ALL
        new_leads: dict[str, _Unit] = {}  # customer E.164 → the unit creating that number's Lead in this batch
        for plan in plans:
            decision, job = plan.decision, plan.job
            if decision.kind not in {"link", "create_lead"}:
                continue
            if plan.covered and (decision.kind == "create_lead" or len(decision.targets) <= 1 or not all_policy):
                continue  # a Task already exists for this call: nothing to send (recorded as linked)
            done = {anchor_of(t, plan.case_accounts) for t in plan.covered}
            if decision.kind == "create_lead" and (refused := _lead_source_refused(gateway.describe("Lead"))):
                plan.refused = refused
                continue
            if decision.kind == "create_lead":
                task = _task_record(task_fields(job.call, Target("Lead", ""), options), task_setup.fields)
                task.pop("WhatId", None)
                owner = new_leads.get(job.customer_e164 or "")
                if owner is not None:
                    # Same unknown number earlier in this batch: its Task goes on that unit's new Lead.
                    plan.units.append(_Unit(job.id, task, None, parent_field="WhoId", shares=owner))
                    continue
                lead = {"attributes": {"type": "Lead"}, **lead_fields(job.call)}
                plan.units.append(_Unit(job.id, task, None, parent=lead, parent_field="WhoId"))
                if job.customer_e164:
                    new_leads[job.customer_e164] = plan.units[-1]
                continue
            for target in decision.targets:
                if target.record_id in done:
                    continue
                if target.object_name == "Contact" and target.account_id is None and target.record_id in accounts:
                    target = replace(target, account_id=accounts[target.record_id])
                if wants_case(target, options):
                    contact = target.record_id if target.object_name == "Contact" else None
                    task = _task_record(task_fields(job.call, target, options, case_ref="", contact_id=contact),
                                        task_setup.fields)
                    case = {"attributes": {"type": "Case"}, **case_fields(job.call, target, options)}
                    plan.units.append(_Unit(job.id, task, target, parent=case, parent_field="WhatId"))
                else:
                    task = _task_record(task_fields(job.call, target, options), task_setup.fields)
                    plan.units.append(_Unit(job.id, task, target))
            # Upsert on B_UniqueId__c only when its value names this one Task: URL playback (the value is the
            # unique ID; in admin mode it is the request ID, which need not be unique per call) and a single
            # plain Task for the call (the `all` policy writes several Tasks with the same value). Journal and
            # lookup still guard every resend; the upsert adds safety against Tasks written by another tool.
            if (self._upsert_possible(gateway, options) and len(plan.units) == 1
                    and plan.units[0].parent is None and plan.units[0].shares is None and not plan.covered):
                plan.units[0].upsert = True

    # --- the journal ----------------------------------------------------------------------------------------

    def _journal(self, setting: SettingSnapshot, system: SystemSettings, plans: list[_Plan], batch_id: str,
                 result: StepResult, index: PhoneIndex | None = None) -> list[_Plan]:
        """One transaction: claim the jobs (compare-and-set on their state), record every decision."""
        now = self.clock()
        ids = [p.job.id for p in plans]
        with self.database.begin() as session:
            # The lease is re-checked in the transaction that claims the batch: no other engine can be sending
            # (or resolving) this setting's jobs between this check and the commit.
            self.leases.hold(session, setting.id)
            session.execute(
                update(LinkJob)
                .where(LinkJob.id.in_(ids), LinkJob.state.in_([JobState.PENDING, JobState.RETRYING]))
                .values(state=JobState.SENDING.value, batch_id=batch_id, updated_at=now, send_started_at=now,
                        next_retry_at=None)
                .execution_options(synchronize_session=False)
            )
            # Another engine on the same database (a headless sync next to the window) may have claimed some.
            owned = set(session.scalars(select(LinkJob.id).where(LinkJob.id.in_(ids), LinkJob.batch_id == batch_id)))
            plans = [p for p in plans if p.job.id in owned]
            updates = [self._decided_values(p, system, now, result) for p in plans]
            linked_ids = [u["id"] for u in updates if u.get("state") == JobState.LINKED.value]
            _lock_calls(session, linked_ids)
            if updates:
                session.execute(update(LinkJob), updates)
            _stale_to_update(session, linked_ids)
            leads = [(lead, "Phone", lead_phone(p.job.call.customer_number)) for p in plans
                     if not p.units and (lead := _created_lead(p.decision.reason.code, *p.covered[:1]))]
            if leads and index is not None:
                index.remember(session, "Lead", leads, now)
        return plans

    def _decided_values(self, plan: _Plan, system: SystemSettings, now: dt.datetime, result: StepResult) -> dict[str, Any]:
        decision, job = plan.decision, plan.job
        reason = decision.reason
        params = dict(reason.params)
        if decision.targets:
            params["targets"] = [t.record_id for t in decision.targets]
        values: dict[str, Any] = {"id": job.id, "match_reason": Reason(reason.code, params).to_json(), "updated_at": now,
                                  "attempts": 0, "sent_revision": job.revision}
        if decision.targets:
            values.update(record_id=decision.targets[0].record_id, record_object=decision.targets[0].object_name,
                          record_name=decision.targets[0].name)  # the name the match read (the history shows it)
        if decision.kind == "skip":
            result.skipped += 1
            values.update(state=JobState.SKIPPED.value, processed_at=now, batch_id=job.batch_id)
        elif decision.kind == "retry":
            result.retrying += 1
            values.update(
                state=JobState.RETRYING.value,
                retry_count=job.retry_count + 1,
                next_retry_at=now + dt.timedelta(minutes=system.retry_interval_minutes),
                batch_id=job.batch_id,
            )
        elif plan.refused is not None:
            result.failed += 1
            values.update(state=JobState.FAILED.value, error_code=plan.refused.code, error_message=plan.refused.message,
                          processed_at=now, batch_id=job.batch_id)
        elif not plan.units:
            # Everything this call needs is already in Salesforce (found by the lookup before sending).
            result.linked += 1
            first = _first_task(plan.covered, [t.record_id for t in decision.targets], plan.case_accounts)
            values.update(_linked_values(job.id, first, plan.covered, values["match_reason"], now))
            values["linked_revision"] = job.revision
            anchor = anchor_of(first, plan.case_accounts)
            if anchor and len(decision.targets) <= 1:
                # The Task written by an earlier attempt may sit on another record than today's decision.
                values.update(record_id=anchor, record_object=STANDARD_PREFIXES.get(key_prefix(anchor), values.get("record_object")))
                if not decision.targets or anchor != decision.targets[0].record_id:
                    values["record_name"] = None  # another record than the match: its name is not known here
        else:
            # Units to send: attempts is counted again by _record if this send fails transiently.
            del values["attempts"]
        return values

    # --- sending --------------------------------------------------------------------------------------------

    def _send(self, gateway: SalesforceGateway, plans: list[_Plan], setting_id: int | None = None, *,
              auto_assign: bool = False) -> None:
        def still_ours() -> None:  # before every write request: a desktop that lost its lease never writes
            if setting_id is not None:
                self.leases.check(setting_id)

        units = [u for p in plans for u in p.units]
        _adopt_orphans(units)
        plain = [u for u in units if u.parent is None and u.shares is None and not u.upsert]
        upserts = [u for u in units if u.upsert]
        pairs = [u for u in units if u.parent is not None or u.shares is not None]
        for chunk in _chunked(upserts):
            still_ours()
            self._send_chunk(chunk, lambda c: gateway.upsert_tasks([u.task for u in c]))
        self._existing_upserts(gateway, plans, [u for u in upserts if u.outcome == "permanent"])
        for chunk in _chunked(plain):
            still_ours()
            self._send_chunk(chunk, lambda c: gateway.create([u.task for u in c]))
        for chunk in _pair_chunks(pairs):
            still_ours()
            self._send_pairs(gateway, chunk, auto_assign)

    def _existing_upserts(self, gateway: SalesforceGateway, plans: list[_Plan], refused: list[_Unit]) -> None:
        """Upserts refused for a record of their own: the Task may exist already (the upsert then updates it, and
        a Task has fields that can be set on create only, such as TaskSubtype). Look those calls up: a Task found
        is this call's Task — linked, not failed. Costs a query only when an upsert was refused."""
        if not refused:
            return
        jobs = {p.job.id: p.job for p in plans}
        calls = [jobs[u.job_id].call for u in refused]
        try:
            found = self._existing(gateway, [(c.unique_id, c.request_id, c.started_at) for c in calls])
        except GatewayError as error:
            _mark(refused, "transient", RecordError(error.code, error.message), "request")
            return
        for unit, call in zip(refused, calls, strict=True):
            tasks = found.get(call.unique_id)
            if tasks:
                unit.outcome, unit.error, unit.result = "ok", None, WriteResult(tasks[0].id, None, False)

    def _failed_request(self, chunk: list[_Unit], error: GatewayError) -> None:
        """The whole request failed: what that means for each of its records."""
        self._send_error = self._send_error or error
        if isinstance(error, UnknownOutcome | LimitExceeded):
            # LimitExceeded on a write is a refusal (unverified that nothing was applied): look it up anyway.
            _mark(chunk, "unknown", RecordError(error.code, error.message))
        elif isinstance(error, TransientError):
            # Never reached Salesforce's data (no connection, refused for the concurrent-request limit…).
            _mark(chunk, "transient", RecordError(error.code, error.message), "request")
        else:
            _mark(chunk, "permanent", RecordError(error.code, error.message))

    def _send_chunk(self, chunk: list[_Unit], call: Callable[[list[_Unit]], list[WriteResult]]) -> None:
        try:
            results = call(chunk)
        except (UnknownOutcome, LimitExceeded, TransientError, PermanentError) as error:
            self._failed_request(chunk, error)
            return
        for unit, written in zip(chunk, results, strict=True):
            unit.result = written
            if written.ok:
                unit.outcome = "ok"
            else:
                assert written.error is not None
                unit.error = written.error
                unit.outcome = "transient" if written.error.transient else "permanent"
                unit.error_class = _error_class(written.error.code)

    def _send_pairs(self, gateway: SalesforceGateway, chunk: list[_Unit], auto_assign: bool = False) -> None:
        owners = [u for u in chunk if u.parent is not None]
        position = {id(u): i for i, u in enumerate(owners)}
        # A unit sharing a new Lead points at its owner's parent: `@{parents[i].id}` for both Tasks.
        tasks = [(u.task, position[id(u.shares or u)], u.parent_field) for u in chunk]
        try:
            parent_results, task_results = gateway.create_with_parents([u.parent for u in owners if u.parent], tasks,
                                                                       auto_assign=auto_assign)
        except (UnknownOutcome, LimitExceeded, TransientError, PermanentError) as error:
            self._failed_request(chunk, error)
            return
        results = [(parent_results[position[id(u.shares or u)]], task) for u, task in zip(chunk, task_results, strict=True)]
        if self._pair_outcomes(chunk, results) == 0 and any(u.outcome == "requeue" for u in chunk):
            self._narrow(gateway, chunk, auto_assign)

    @staticmethod
    def _pair_outcomes(chunk: list[_Unit], results: list[tuple[WriteResult, WriteResult]]) -> int:
        """Each unit's outcome from its parent's and its Task's result; returns how many failed for a reason
        of their own (all or none: the others were only rolled back and are ``requeue``)."""
        causes = 0
        for unit, (parent, task) in zip(chunk, results, strict=True):
            unit.parent_result, unit.result = parent, task
            if parent.ok and task.ok:
                unit.outcome = "ok"
                continue
            cause = next((e for e in (parent.error, task.error) if e is not None and e.code not in _ROLLBACK_CODES), None)
            if cause is not None:
                causes += 1
                unit.error = cause
                unit.outcome = "transient" if cause.transient else "permanent"
                unit.error_class = _error_class(cause.code)
            else:
                unit.error = parent.error or task.error
                unit.outcome = "requeue"
        return causes

    def _narrow(self, gateway: SalesforceGateway, chunk: list[_Unit], auto_assign: bool) -> None:
        """All or none failed and every record reads PROCESSING_HALTED / rolled back: no record is named.

        Split the request in halves (keeping the Tasks that share a new Lead together) and send each, so the
        records that were fine are written and the search closes in on the bad one; a single parent is sent as
        sObject subrequests, whose failing subrequest answers with its own error. Costs about 2·log2(n) calls,
        only when such a failure happens.
        """
        groups = list(_groups(chunk).values())
        for unit in chunk:
            unit.outcome, unit.error, unit.result, unit.parent_result = "", None, None, None
        if len(groups) > 1:
            middle = len(groups) // 2
            for half in (groups[:middle], groups[middle:]):
                self._send_pairs(gateway, [u for group in half for u in group], auto_assign)
            return
        group = groups[0]
        owner = next((u for u in group if u.parent is not None), None)
        if owner is None or owner.parent is None or len(group) + 1 > MAX_COMPOSITE_SUBREQUESTS:
            _mark(group, "transient", RecordError("PROCESSING_HALTED", "rolled back without a record to blame"),
                  "halted")
            return
        try:
            parent, task_results = gateway.create_pair_records(owner.parent, [(u.task, u.parent_field) for u in group],
                                                               auto_assign=auto_assign)
        except (UnknownOutcome, LimitExceeded, TransientError, PermanentError) as error:
            self._failed_request(group, error)
            return
        if self._pair_outcomes(group, [(parent, task) for task in task_results]) == 0:
            for unit in group:
                if unit.outcome == "requeue":
                    unit.outcome, unit.error_class = "transient", "halted"

    # --- recording ------------------------------------------------------------------------------------------

    def _record(self, system: SystemSettings, plans: list[_Plan], batch_id: str, result: StepResult,
                index: PhoneIndex | None = None, setting_id: int | None = None) -> None:
        now = self.clock()
        updates = []
        leads: dict[str, tuple[str, str, str]] = {}
        counted = (result.linked, result.retrying, result.failed, result.unknown)
        for plan in plans:
            if plan.decision.kind not in {"link", "create_lead"} or not plan.units:
                continue
            job = plan.job
            outcomes = {u.outcome for u in plan.units}
            written = [u for u in plan.units if u.outcome == "ok"]
            values: dict[str, Any] = {"id": job.id, "updated_at": now}
            if "unknown" in outcomes:
                # Stays ``sending``: looked up at the next step, and again until Salesforce's limit for the write
                # has passed. The history says why it is still being sent.
                result.unknown += 1
                unknown = next(u for u in plan.units if u.outcome == "unknown")
                if unknown.error is not None:
                    values.update(error_code=unknown.error.code[:64], error_message=unknown.error.text())
                values["next_retry_at"] = None
                updates.append(values)
                continue
            if outcomes == {"ok"}:
                result.linked += 1
                first = written[0]
                assert first.result is not None
                task_ids = [u.result.id for u in written if u.result is not None and u.result.id] + [
                    t.id for t in plan.covered
                ]
                values.update(
                    state=JobState.LINKED.value,
                    linked_revision=job.revision,
                    task_id=first.result.id,
                    case_id=first.parent_result.id if first.parent_result and first.parent_field == "WhatId" else None,
                    processed_at=now,
                    error_code="",
                    error_message="",
                    next_retry_at=None,
                    attempts=0,
                )
                if first.parent_field == "WhoId" and first.parent_result is not None and first.parent_result.id:
                    values.update(record_id=first.parent_result.id, record_object="Lead")
                    leads[first.parent_result.id] = (first.parent_result.id, "Phone",
                                                     lead_phone(job.call.customer_number))
                if len(task_ids) > 1:
                    values["match_reason"] = _with_tasks(plan, task_ids)
            else:
                keep_batch = batch_id if (written or plan.covered) else None
                if keep_batch is None:
                    # Salesforce answered and wrote nothing of this call (refused, rolled back, locked): its next
                    # send within lookahead_ttl_s needs no lookup.
                    self._absent_seen[(setting_id or 0, job.call.unique_id)] = now
                failed = next((u for u in plan.units if u.outcome == "permanent"), None)
                transient = next((u for u in plan.units if u.outcome == "transient"), None)
                if failed is not None and failed.error is not None:
                    result.failed += 1
                    values.update(state=JobState.FAILED.value, error_code=failed.error.code[:64],
                                  error_message=failed.error.text(), processed_at=now, batch_id=keep_batch, attempts=0)
                elif transient is not None and transient.error is not None:
                    attempts = job.attempts + 1
                    if attempts >= self.retry_cap(transient.error_class):
                        # Nothing retries forever: the job fails, and the history says which error kept coming.
                        result.failed += 1
                        values.update(state=JobState.FAILED.value, error_code=RETRY_LIMIT_REACHED,
                                      error_message=f"{attempts} × {transient.error.text()}", processed_at=now,
                                      batch_id=keep_batch, attempts=0, next_retry_at=None)
                    else:
                        result.retrying += 1
                        # attempts, not retry_count: リトライ回数 counts no-match searches only (SPEC §9).
                        delay = self.backoff_delay(job.attempts, system.retry_backoff_max_minutes)
                        values.update(state=JobState.RETRYING.value, attempts=attempts,
                                      next_retry_at=now + dt.timedelta(seconds=delay),
                                      error_code=transient.error.code[:64], error_message=transient.error.text(),
                                      batch_id=keep_batch)
                else:
                    # Rolled back only because another pair failed: send again in the next batch.
                    values.update(state=JobState.PENDING.value, batch_id=keep_batch)
            updates.append(values)
        if updates:
            try:
                # A desktop that lost the lease leaves its jobs ``sending`` for the new owner to look up (and
                # reports none of them).
                self._store_outcomes(setting_id, updates, JobState.LINKED, leads=leads, index=index, now=now)
            except LeaseLost:
                result.linked, result.retrying, result.failed, result.unknown = counted
                raise

    # --- updating a linked call's Task (a late leg changed the call) ----------------------------------------

    def _update_batch(self, setting: SettingSnapshot, system: SystemSettings, gateway: SalesforceGateway,
                      result: StepResult) -> None:
        """One batch of Tasks to update: journaled like creates (``update_sending`` + the revision sent, committed
        before the PATCH), then each job is ``updated`` — or ``update_pending`` again if the call changed once
        more meanwhile — or stays ``update_sending`` when the outcome is unknown (``resolve_updates``)."""
        if gateway.usage_percent() >= system.api_pause_percent:
            return
        now = self.clock()
        with self.database.read() as session:
            rows = session.execute(
                select(LinkJob.id, LinkJob.task_id, LinkJob.match_reason, LinkJob.attempts, Call)
                .join(Call, LinkJob.call_id == Call.id)
                .where(LinkJob.setting_id == setting.id, LinkJob.state == JobState.UPDATE_PENDING,
                       LinkJob.next_retry_at.is_(None) | (LinkJob.next_retry_at <= now), _settled(now))
                .order_by(LinkJob.id)
                .limit(self.options.batch_size)
            ).all()
        if not rows:
            return
        result.more = result.more or len(rows) >= self.options.batch_size
        options = self._write_options(setting, system, gateway)
        present = gateway.task_setup().fields
        units: list[_Unit] = []
        revisions: dict[int, int] = {}
        attempts: dict[int, int] = {}
        for job_id, task_id, reason_json, job_attempts, call in rows:
            facts, _ = _call_facts(call, setting.default_outbound_number)
            fields = {k: v for k, v in task_update_fields(facts, options).items() if k in present}
            revisions[job_id] = call.revision or 1
            attempts[job_id] = job_attempts or 0
            for task in _task_ids(task_id, reason_json):
                units.append(_Unit(job_id, {"attributes": {"type": "Task"}, "Id": task, **fields}, None))
        batch_id = str(uuid.uuid4())
        ids = list(revisions)
        with self.database.begin() as session:
            self.leases.hold(session, setting.id)
            session.execute(
                update(LinkJob)
                .where(LinkJob.id.in_(ids), LinkJob.state == JobState.UPDATE_PENDING)
                .values(state=JobState.UPDATE_SENDING.value, batch_id=batch_id, send_started_at=now, updated_at=now,
                        next_retry_at=None)
                .execution_options(synchronize_session=False)
            )
            owned = set(session.scalars(select(LinkJob.id).where(LinkJob.id.in_(ids), LinkJob.batch_id == batch_id)))
            if owned:
                session.execute(update(LinkJob), [{"id": i, "sent_revision": revisions[i]} for i in sorted(owned)])
        units = [u for u in units if u.job_id in owned]
        for chunk in _chunked(units):
            self.leases.check(setting.id)  # a desktop that lost its lease never writes
            self._send_chunk(chunk, lambda c: gateway.update([u.task for u in c]))
        self._record_updates(system, units, revisions, attempts, result, setting.id)

    def _record_updates(self, system: SystemSettings, units: list[_Unit], revisions: dict[int, int],
                        attempts: dict[int, int], result: StepResult, setting_id: int | None = None) -> None:
        now = self.clock()
        by_job: dict[int, list[_Unit]] = {}
        for unit in units:
            by_job.setdefault(unit.job_id, []).append(unit)
        updates: list[dict[str, Any]] = []
        for job_id, job_units in by_job.items():
            outcomes = {u.outcome for u in job_units}
            values: dict[str, Any] = {"id": job_id, "updated_at": now}
            failed = next((u for u in job_units if u.outcome == "permanent"), None)
            transient = next((u for u in job_units if u.outcome == "transient"), None)
            unknown = next((u for u in job_units if u.outcome == "unknown"), None)
            if outcomes == {"ok"}:
                result.updated += 1
                values.update(state=JobState.UPDATED.value, linked_revision=revisions[job_id], processed_at=now,
                              error_code="", error_message="", next_retry_at=None, attempts=0)
            elif unknown is not None:
                # Stays update_sending: looked up (the Task read back) before it is ever sent again.
                result.unknown += 1
                if unknown.error is not None:
                    values.update(error_code=unknown.error.code[:64], error_message=unknown.error.text())
                values["next_retry_at"] = None
            elif failed is not None and failed.error is not None:
                result.failed += 1
                values.update(state=JobState.FAILED.value, error_code=failed.error.code[:64],
                              error_message=failed.error.text(), processed_at=now, attempts=0)
            elif transient is not None and transient.error is not None:
                count = attempts.get(job_id, 0) + 1
                if count >= self.retry_cap(transient.error_class):
                    result.failed += 1
                    values.update(state=JobState.FAILED.value, error_code=RETRY_LIMIT_REACHED,
                                  error_message=f"{count} × {transient.error.text()}", processed_at=now, attempts=0)
                else:
                    result.retrying += 1
                    delay = self.backoff_delay(attempts.get(job_id, 0), system.retry_backoff_max_minutes)
                    values.update(state=JobState.UPDATE_PENDING.value, attempts=count,
                                  next_retry_at=now + dt.timedelta(seconds=delay),
                                  error_code=transient.error.code[:64], error_message=transient.error.text())
            updates.append(values)
        if updates:
            # A desktop that lost the lease records nothing; the new owner reads these Tasks back (resolve_updates).
            self._store_outcomes(setting_id, updates, JobState.UPDATED)

    def resolve_updates(self, setting: SettingSnapshot, system: SystemSettings, gateway: SalesforceGateway,
                        result: StepResult) -> int:
        """Jobs left in ``update_sending`` (the PATCH's answer was lost): read their Tasks back. A Task holding
        the call's current values was updated → ``updated``. Otherwise the update may still commit until
        ``server_write_limit_s`` after it started, so the job is looked at again every ``recheck_s``; only then
        does it go back to ``update_pending`` to be sent again. A failed read changes nothing."""
        if not self.leases.may_resolve(setting.id):
            return 0  # taken over from an owner that may still be inside a request for these very jobs: later
        now = self.clock()
        with self.database.read() as session:
            rows = session.execute(
                select(LinkJob.id, LinkJob.task_id, LinkJob.match_reason, LinkJob.send_started_at,
                       LinkJob.updated_at, Call)
                .join(Call, LinkJob.call_id == Call.id)
                .where(LinkJob.setting_id == setting.id, LinkJob.state == JobState.UPDATE_SENDING,
                       LinkJob.next_retry_at.is_(None) | (LinkJob.next_retry_at <= now))
                .order_by(LinkJob.id)
                .limit(MAX_COLLECTION)
            ).all()
        if not rows:
            return 0
        options = self._write_options(setting, system, gateway)
        present = gateway.task_setup().fields
        expected: dict[int, tuple[dict[str, Any], list[str], int]] = {}
        for job_id, task_id, reason_json, _, _, call in rows:
            facts, _ = _call_facts(call, setting.default_outbound_number)
            fields = {k: v for k, v in task_update_fields(facts, options).items() if k in present}
            expected[job_id] = (fields, _task_ids(task_id, reason_json), call.revision or 1)
        names = sorted({name for fields, _, _ in expected.values() for name in fields})
        read = gateway.field_values("Task", [t for _, tasks, _ in expected.values() for t in tasks], names)
        limit = dt.timedelta(seconds=self.options.server_write_limit_s)
        recheck = dt.timedelta(seconds=self.options.recheck_s)
        now = self.clock()
        updates: list[dict[str, Any]] = []
        for job_id, _, _, send_started, updated_at, _ in rows:
            fields, tasks, revision = expected[job_id]
            if tasks and all(t in read and all(_same_value(k, v, read[t].get(k)) for k, v in fields.items())
                             for t in tasks):
                result.updated += 1
                updates.append({"id": job_id, "state": JobState.UPDATED.value, "linked_revision": revision,
                                "processed_at": now, "updated_at": now, "error_code": "", "error_message": "",
                                "next_retry_at": None})
                continue
            deadline = (send_started or updated_at or now) + limit
            if now < deadline:
                result.checking += 1
                updates.append({"id": job_id, "next_retry_at": min(now + recheck, deadline), "updated_at": now})
                continue
            # Not written, and past the server's limit: send the update again (with the call as it is now).
            updates.append({"id": job_id, "state": JobState.UPDATE_PENDING.value, "next_retry_at": None,
                            "updated_at": now})
        self._store_outcomes(setting.id, updates, JobState.UPDATED)
        return len(rows)

    def _store_outcomes(self, setting_id: int | None, updates: list[dict[str, Any]], done: JobState, *,
                        leads: dict[str, tuple[str, str, str]] | None = None, index: PhoneIndex | None = None,
                        now: dt.datetime | None = None) -> None:
        """Record link outcomes (``updates``: one dict of LinkJob columns a job) in one transaction.

        The fencing token first: the setting's lease is re-checked in the very transaction that records the
        results, so a desktop that lost the lease writes nothing (``LeaseLost``; ``setting_id`` None: no lease).
        The calls of the jobs now ``done`` (linked / updated) are locked, so that a late leg changing such a call
        while its Task was being written is seen: that job goes to update_pending (``_stale_to_update``). The
        Leads this send created go into the phone index in the same transaction: no window in which a crash
        leaves a new Lead unknown locally (a second Lead for the next call from that number).
        """
        with self.database.begin() as session:
            if setting_id is not None:
                self.leases.hold(session, setting_id)
            done_ids = [u["id"] for u in updates if u.get("state") == done.value]
            _lock_calls(session, done_ids)
            session.execute(update(LinkJob), updates)
            _stale_to_update(session, done_ids)
            if leads and index is not None:
                index.remember(session, "Lead", list(leads.values()), now or self.clock())

    def retry_cap(self, error_class: str) -> int:
        """Consecutive transient failures after which a job of this error class fails (EngineOptions.retry_caps)."""
        caps = dict(self.options.retry_caps)
        return caps.get(error_class or "request", caps.get("request", 100))

    def backoff_delay(self, attempts: int, max_minutes: int) -> float:
        """Seconds to wait after the (attempts + 1)-th consecutive transient failure: 1, 5, 15, 60 min, then
        doubling, never more than ``max_minutes`` (the system setting retry_backoff_max_minutes)."""
        steps = self.options.backoff_s
        if attempts < len(steps):
            delay = steps[attempts]
        else:
            delay = steps[-1] * 2.0 ** min(attempts - len(steps) + 1, 32)
        return min(delay, max_minutes * 60.0)


# --- helpers ---------------------------------------------------------------------------------------------------


def _due_job(job: LinkJob, call: Call, default_outbound_number: str = "") -> DueJob:
    facts, customer_e164 = _call_facts(call, default_outbound_number)
    return DueJob(job.id, job.state, job.batch_id, job.retry_count, job.attempts, customer_e164, facts,
                  job.match_reason or "", call.revision or 1)


def _call_facts(call: Call, default_outbound_number: str = "") -> tuple[CallFacts, str | None]:
    inbound = call.direction == "inbound"
    customer = call.from_number if inbound else call.to_number
    # The company side as the PBX recorded it (DID, presented caller ID), else the number the call was matched
    # to a link target with, else — outbound calls from sources without the caller ID — the 既定の発信番号.
    company = call.to_number if inbound else call.from_number
    if not company and call.company_e164:
        company = phone.national_format(call.company_e164)
    if not company and not inbound:
        company = default_outbound_number
    customer_e164 = call.customer_e164
    if customer_e164 is None and not phone.is_anonymous(customer):
        customer_e164 = phone.normalize(customer)
    facts = CallFacts(
        unique_id=call.unique_id,
        request_id=call.request_id,
        direction=call.direction,
        from_number=call.from_number,
        to_number=call.to_number,
        customer_number=customer,
        company_number=company,
        from_agent_id=call.from_agent_id,
        to_agent_id=call.to_agent_id,
        from_extension=call.from_extension,
        to_extension=call.to_extension,
        started_at=call.started_at,
        ended_at=call.ended_at,
        duration_s=call.duration_s,
        recording_server_url=call.recording_server_url,
        disposition=call.disposition or "",
        recording_file=call.recording_file or "",
    )
    return facts, customer_e164


def _settled(now: dt.datetime) -> Any:
    """The call's settle window has passed (or it has none): a live source sends no more legs for it."""
    return Call.settle_until.is_(None) | (Call.settle_until <= now)


def _lock_calls(session: Session, job_ids: Sequence[int]) -> None:
    """Lock the calls of these jobs first (PostgreSQL: SELECT … FOR UPDATE; SQLite serialises writers anyway), so a
    late leg's change (store.calls.apply_call_change, which writes the call row first) commits either wholly before
    this transaction's revision check or wholly after it — never unseen by both."""
    if job_ids:
        session.execute(select(Call.id).where(Call.id.in_(select(LinkJob.call_id).where(LinkJob.id.in_(job_ids))))
                        .with_for_update())


def _stale_to_update(session: Session, job_ids: Sequence[int]) -> None:
    """Jobs just linked or updated whose call changed meanwhile (its revision is past the one sent): their Task
    waits for an update (``update_pending``)."""
    if not job_ids:
        return
    revision = select(Call.revision).where(Call.id == LinkJob.call_id).scalar_subquery()
    session.execute(
        update(LinkJob)
        .where(LinkJob.id.in_(job_ids), LinkJob.state.in_([JobState.LINKED, JobState.UPDATED]),
               LinkJob.task_id.is_not(None), func.coalesce(LinkJob.linked_revision, 1) < revision)
        .values(state=JobState.UPDATE_PENDING.value, next_retry_at=None, attempts=0)
        .execution_options(synchronize_session=False)
    )


def _task_ids(task_id: str | None, reason_json: str) -> list[str]:
    """Every Task a linked job wrote (the ``all`` policy writes one per record), its first one first."""
    listed: list[str] = []
    if reason_json:
        tasks = Reason.from_json(reason_json).params.get("tasks")
        if isinstance(tasks, list):
            listed = [str(t) for t in tasks if t]
    ids = [task_id] if task_id else []
    return ids + [t for t in listed if t not in ids]


_DATETIME_FIELDS = frozenset({"B_CallStartDateTime__c", "B_CallEndDateTime__c"})


def _same_value(name: str, sent: Any, read: Any) -> bool:
    """A Task field read back holds what an update sent (Salesforce's own spelling of dates and numbers)."""
    if sent in (None, "") or read in (None, ""):
        return sent in (None, "") and read in (None, "")
    if name in _DATETIME_FIELDS:
        return parse_datetime(sent) == parse_datetime(read)
    if isinstance(sent, int):
        try:
            return int(float(read)) == sent
        except (TypeError, ValueError):
            return False
    return str(sent).replace("\r\n", "\n") == str(read).replace("\r\n", "\n")


def _customer_number(call: Call) -> str:
    return call.from_number if call.direction == "inbound" else call.to_number


def _created_lead(reason_code: str, task: FoundTask | None = None) -> str | None:
    """The Lead a create_lead job's Task found in Salesforce is on (None for any other job or Task)."""
    if reason_code != "no_match_create_lead" or task is None or not task.who_id:
        return None
    return task.who_id if key_prefix(task.who_id) == LEAD_PREFIX else None


def _task_record(fields: dict[str, Any], task_fields_present: frozenset[str]) -> dict[str, Any]:
    # Send only fields the org's Task has: a missing B_…__c field is a verification warning, not a failure.
    record = {k: v for k, v in fields.items() if k in task_fields_present or k in {"WhoId", "WhatId"}}
    return {"attributes": {"type": "Task"}, **record}


def _lead_source_refused(lead: ObjectInfo | None) -> RecordError | None:
    """Lead.LeadSource is a restricted picklist without the value the app writes: the create would fail."""
    value = LEAD_SOURCE
    values = lead.picklist("LeadSource") if lead is not None else None
    if lead is None or values is None or value in values:
        return None
    if "LeadSource" not in lead.restricted_picklists:
        # Salesforce stores a value missing from an unrestricted picklist as it is: the Lead is created.
        log.warning("Lead.LeadSource has no active value %r; Salesforce keeps it as an inactive value", value)
        return None
    return RecordError(LEAD_SOURCE_NOT_IN_PICKLIST,
                       f"Lead.LeadSource is a restricted picklist without the value '{value}' "
                       f"(values: {', '.join(values)})", ("LeadSource",))


def _single_plain(decision: Decision, options: WriteOptions) -> bool:
    """The decision writes one plain Task (no Case, no Lead): the one case a Task upsert covers."""
    return (decision.kind == "link" and len(decision.targets) == 1
            and not wants_case(decision.targets[0], options))


def _chunked(units: list[_Unit]) -> list[list[_Unit]]:
    return [units[i : i + MAX_COLLECTION] for i in range(0, len(units), MAX_COLLECTION)]


def _adopt_orphans(units: list[_Unit]) -> None:
    """Units whose Lead owner is not sent (another engine claimed its job first) create that Lead themselves.

    The owner's Lead fields are the same for every call from the number, so the first orphan takes them over
    and the other orphans of that owner share its Lead instead.
    """
    sent = {id(u) for u in units}
    adopted: dict[int, _Unit] = {}
    for unit in units:
        owner = unit.shares
        if owner is None or id(owner) in sent:
            continue
        heir = adopted.get(id(owner))
        if heir is None:
            adopted[id(owner)] = unit
            unit.parent, unit.shares = owner.parent, None
        else:
            unit.shares = heir


def _pair_chunks(units: list[_Unit]) -> list[list[_Unit]]:
    """Parent + Task units in requests of ≤ MAX_COLLECTION, keeping the Tasks that share a new Lead together."""
    chunks: list[list[_Unit]] = []
    current: list[_Unit] = []
    for group in _groups(units).values():
        # A group has at most one Task per job of the batch, and a batch is at most MAX_COLLECTION jobs.
        if current and len(current) + len(group) > MAX_COLLECTION:
            chunks.append(current)
            current = []
        current.extend(group)
    if current:
        chunks.append(current)
    return chunks


def _mark(chunk: list[_Unit], outcome: str, error: RecordError | None = None, error_class: str = "") -> None:
    for unit in chunk:
        unit.outcome = outcome
        unit.error = error
        unit.error_class = error_class


def _error_class(code: str) -> str:
    """The retry-cap class of a per-record error code."""
    if code in _ROLLBACK_CODES:
        return "halted"
    return "record" if code in TRANSIENT_RECORD_CODES else "request"


def _groups(units: list[_Unit]) -> dict[int, list[_Unit]]:
    """Units by the unit that creates their parent (a Lead shared by several Tasks of one number), in order."""
    groups: dict[int, list[_Unit]] = {}
    for unit in units:
        groups.setdefault(id(unit.shares or unit), []).append(unit)
    return groups


def _journaled_targets(reason_json: str) -> list[str]:
    targets = Reason.from_json(reason_json).params.get("targets")
    return [str(t) for t in targets] if isinstance(targets, list) else []


def _is_create_lead(reason_json: str) -> bool:
    return bool(reason_json) and Reason.from_json(reason_json).code == "no_match_create_lead"


def _own_tasks(tasks: list[FoundTask], targets: list[str], create_lead: bool,
               case_accounts: dict[str, str | None]) -> list[FoundTask]:
    """The Tasks found for a call that this job wrote, as far as Salesforce can tell.

    Tasks are found by CallObject (the call's unique ID), which every setting linking the call writes: two
    settings on one org receiving the same call each have a Task with that CallObject. A job keeps only the
    Tasks anchored (``anchor_of``) on one of its own targets — the journaled ones of earlier attempts plus the
    current decision's — so after a lost answer it neither adopts another setting's Task (and never writes its
    own) nor skips a target because another setting's Task sits on it.

    Still ambiguous, as Salesforce holds nothing that names the setting:
    - a create_lead job whose Lead is new: its Lead's Id was never known, so any Task of the call on a Lead is
      taken for its own (another setting's Task on a Lead, new or matched, is indistinguishable);
    - two settings linking the same call to the same record: their Tasks look alike, and one setting may take
      the other's Task for its own (the record then has one Task for the call instead of two).
    A job with no journaled target and no target today (nothing to compare with) keeps every Task, as before.
    """
    wanted = set(targets)
    if wanted:
        own = [t for t in tasks if anchor_of(t, case_accounts) in wanted]
    else:
        own = list(tasks) if not create_lead else []
    if create_lead:
        own += [t for t in tasks if t not in own and t.who_id and key_prefix(t.who_id) == LEAD_PREFIX]
    return own


def _first_task(tasks: list[FoundTask], targets: list[str], case_accounts: dict[str, str | None]) -> FoundTask:
    if targets:
        for task in tasks:
            if anchor_of(task, case_accounts) == targets[0]:
                return task
    return tasks[0]


def _linked_values(job_id: int, first: FoundTask, tasks: list[FoundTask], reason_json: str,
                   now: dt.datetime) -> dict[str, Any]:
    values: dict[str, Any] = {
        "id": job_id,
        "state": JobState.LINKED.value,
        "task_id": first.id,
        "case_id": first.what_id if first.what_id and key_prefix(first.what_id) == CASE_PREFIX else None,
        "processed_at": now,
        "updated_at": now,
        "error_code": "",
        "error_message": "",
        "next_retry_at": None,
    }
    if len(tasks) > 1:
        reason = Reason.from_json(reason_json)
        values["match_reason"] = Reason(reason.code, {**reason.params, "tasks": [t.id for t in tasks]}).to_json()
    return values


def _with_tasks(plan: _Plan, task_ids: list[str]) -> str:
    reason = plan.decision.reason
    params = dict(reason.params)
    params["targets"] = [t.record_id for t in plan.decision.targets]
    params["tasks"] = task_ids
    return Reason(reason.code, params).to_json()
