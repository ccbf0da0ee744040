"""The link worker: runs engine steps in a background thread, with start / pause / resume / stop and a status.

Plain ``threading`` (no Qt): the window wraps it and re-emits ``WorkerStatus`` through a queued signal.
Observers are called on the worker thread with immutable snapshots only — never ORM objects or sessions.

Live mode: the worker polls the jobs table every ``poll_interval_s`` (≤ 1 s) and ``wake()`` makes it look at
once (an import calls it), so a new call is written within a few seconds; a backlog is drained batch after
batch without waiting. ``stop()`` lets the step in flight finish (its batch is journaled before the HTTP call
and recorded after it), so the worker never leaves anything the journal cannot resolve.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import socket
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from biztel_desk import applog
from biztel_desk.domain.config import LinkStatus
from biztel_desk.domain.failures import failure_text
from biztel_desk.domain.jobs import JobState
from biztel_desk.domain.vocabulary import pick
from biztel_desk.salesforce.errors import (
    AuthError,
    ConcurrentLimitExceeded,
    GatewayError,
    LimitExceeded,
    PermanentError,
)
from biztel_desk.secrets import SecretStore
from biztel_desk.store.db import TRANSIENT_FAULTS, Database, DatabaseFault, database_fault, fault_text
from biztel_desk.store.models import LinkJob, LinkSetting

if TYPE_CHECKING:
    # The engine pulls in the Salesforce client (about a second): the window imports this module at start-up
    # and the engine only when the thread starts.
    from biztel_desk.engine.linker import EngineOptions, LinkEngine, StepResult

log = logging.getLogger(__name__)


class WorkerState(enum.StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"
    WAITING_FOR_LIMIT = "waiting_for_limit"
    ERROR = "error"


@dataclass(frozen=True)
class WorkerCounters:
    linked: int = 0
    waiting: int = 0  # pending + sending
    retrying: int = 0
    failed: int = 0
    held: int = 0
    skipped: int = 0


@dataclass(frozen=True)
class SettingTrouble:
    """A setting the worker cannot link until someone acts: its login was refused (``login``) or Salesforce
    refused its requests (``refused``). Kept until a step of that setting succeeds (services/attention.py)."""

    setting: str
    kind: str  # "login" | "refused"
    detail: str  # what went wrong, in the worker's language (without the setting's name)


@dataclass(frozen=True)
class WorkerStatus:
    """A snapshot for the status bar: state, job counters, API usage (used, max) and a message."""

    state: WorkerState
    counters: WorkerCounters = field(default_factory=WorkerCounters)
    api_usage: tuple[int, int] | None = None
    message: str = ""
    busy: bool = False  # a batch is being processed right now
    troubles: tuple[SettingTrouble, ...] = ()  # the settings that need the admin (see SettingTrouble)


@dataclass
class RunSummary:
    """What ``run_once`` did (``biztel-desk sync --once``)."""

    linked: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0
    updated: int = 0  # Tasks updated because a late leg changed their call
    errors: list[tuple[str, GatewayError]] = field(default_factory=list)
    # Settings left with work because sending is paused: (setting, "usage" | "lease", the message to show).
    paused: list[tuple[str, str, str]] = field(default_factory=list)
    api_usage: tuple[int, int] | None = None
    # Jobs still ``sending`` at the end: their write's outcome is unknown and Salesforce may still commit it, so
    # they are looked up again until its server-side limit (10 min) has passed — by the next run.
    sending: int = 0

    def add(self, result: StepResult) -> None:
        self.linked += result.linked
        self.retrying += result.retrying
        self.failed += result.failed
        self.skipped += result.skipped
        self.updated += result.updated
        if result.api_usage is not None:
            self.api_usage = result.api_usage


Observer = Callable[[WorkerStatus], None]

def _network_error(error: BaseException) -> bool:
    """A network failure that escaped the gateway's own mapping: transient, like a Salesforce 503.

    ``requests`` is looked up, not imported: the window imports this module at start-up, the client only later.
    """
    if isinstance(error, ConnectionError | TimeoutError | socket.gaierror):
        return True
    requests = sys.modules.get("requests")
    return requests is not None and isinstance(error, requests.RequestException)


@dataclass(frozen=True)
class WorkerFailure:
    """Why the thread ended on its own: a database that cannot be used (``fault``) or a bug (``fault`` None)."""

    message: str
    fault: DatabaseFault | None = None

_MESSAGES = {
    "running": ("連携中", "Linking"),
    "idle": ("待機中: 送信するものはありません", "Idle: nothing to send"),
    "paused": ("休止中", "Suspended"),
    "stopped": ("停止", "Stopped"),
    "usage": ("API使用量が{percent}%を超えたため、下がるまで送信を待っています({used}/{max})",
              "Sending waits: API usage above {percent}% ({used}/{max})"),
    "limit": ("SalesforceのAPI制限(1日の要求数)に達しました。使用量が回復するまで送信を停止します。",
              "The Salesforce daily API request limit is reached; sending resumes when usage recovers."),
    "auth": ("「{setting}」: ログインできません: {detail}", "'{setting}': cannot log in: {detail}"),
    "transient": ("「{setting}」: Salesforceに接続できません({detail})。{seconds}秒後に再試行します。",
                  "'{setting}': Salesforce cannot be reached ({detail}); trying again in {seconds} s."),
    "permanent": ("「{setting}」: Salesforceがエラーを返しました: {detail}", "'{setting}': Salesforce returned an error: {detail}"),
    "lease": ("「{setting}」: 別のプロセスがこの連携設定を送信中です({holder})。{seconds}秒後に再確認します。",
              "'{setting}': another process is sending this link setting ({holder}); checking again in {seconds} s."),
    "concurrent": ("「{setting}」: Salesforceの同時実行できる長時間リクエスト数の上限に達しました。{seconds}秒後に再試行します。",
                   "'{setting}': Salesforce's limit of concurrent long-running requests is reached; trying again in "
                   "{seconds} s."),
    "fault_retry": ("{detail} {seconds}秒後に自動で再試行します。", "{detail} Trying again automatically in {seconds} s."),
    "network_retry": ("ネットワークエラーのため送信できませんでした({detail})。{seconds}秒後に自動で再試行します。",
                      "A network error stopped sending ({detail}); trying again automatically in {seconds} s."),
    "fault_stopped": ("{detail} 連携を停止しました。", "{detail} Linking has stopped."),
    "internal": ("内部エラーのため連携を停止しました({detail})。詳細はログを参照してください: {log}",
                 "Linking stopped because of an internal error ({detail}). See the log: {log}"),
    "lease_once": ("「{setting}」: 別のプロセスがこの連携設定を送信中です({holder})。何も送信していません。",
                   "'{setting}': another process is sending this link setting ({holder}); nothing was sent."),
}


def _text(key: str, lang: str, **params: object) -> str:
    ja, en = _MESSAGES[key]
    return pick(lang, ja, en).format(**params)


class LinkWorker:
    """Background link worker over every enabled setting (or the ones named)."""

    def __init__(self, database: Database, secrets: SecretStore, *, settings: Sequence[str] | None = None,
                 options: EngineOptions | None = None, poll_interval_s: float = 1.0, lang: str = "ja",
                 observer: Observer | None = None, error_backoff_s: Sequence[float] = (5, 15, 60, 300),
                 limit_probe_s: float = 60.0, lease_retry_s: float = 10.0, concurrent_backoff_s: float = 30.0,
                 clock: Callable[[], dt.datetime] | None = None) -> None:
        self.database = database
        self.secrets = secrets
        self.settings = tuple(settings) if settings else None
        self.options = options
        self.poll_interval_s = min(poll_interval_s, 1.0)
        self.lang = lang
        self.error_backoff_s = tuple(error_backoff_s)
        self.limit_probe_s = limit_probe_s
        self.concurrent_backoff_s = concurrent_backoff_s
        self.lease_retry_s = lease_retry_s
        self._clock = clock
        self._observers: list[Observer] = [observer] if observer else []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._paused = threading.Event()
        self._thread: threading.Thread | None = None
        self._status = WorkerStatus(WorkerState.STOPPED, message=_text("stopped", lang))
        self._backoff: dict[str, tuple[float, int]] = {}  # setting → (monotonic time to try again, failures)
        self._troubles: dict[str, SettingTrouble] = {}  # setting → what stops it, until one of its steps succeeds
        self._last_publish = 0.0
        self._retry_now = threading.Event()  # 開始 / 停止 during a fault's back-off: stop waiting
        self.failure: WorkerFailure | None = None  # set when a fatal fault or a bug ended the thread

    # --- public API -----------------------------------------------------------------------------------------

    def add_observer(self, observer: Observer) -> None:
        with self._lock:
            self._observers.append(observer)

    def remove_observer(self, observer: Observer) -> None:
        with self._lock:
            if observer in self._observers:
                self._observers.remove(observer)

    @property
    def status(self) -> WorkerStatus:
        with self._lock:
            return self._status

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread (開始); resumes when paused."""
        if self.running:
            self.resume()
            return
        self._stop.clear()
        self._paused.clear()
        self.failure = None
        self._troubles.clear()  # the first round tries every setting again and says what still fails
        self._thread = threading.Thread(target=self._loop, name="link-worker", daemon=True)
        self._thread.start()

    def pause(self) -> None:
        """休止 (the window's pause): the step in flight finishes, then nothing is sent until ``resume()``."""
        self._paused.set()
        self._wake.set()
        self._retry_now.set()  # a fault's back-off: show 休止中 now, not when the wait ends

    def resume(self) -> None:
        self._paused.clear()
        self._backoff.clear()
        self._retry_now.set()
        self._wake.set()

    def wake(self) -> None:
        """New calls arrived (or a setting changed): look at the jobs now instead of at the next poll."""
        self._wake.set()

    def send_now(self) -> str | None:
        """今すぐ再試行: look at the jobs at once, even inside a fault's back-off (which would wait minutes).

        None when the worker goes now; else why it cannot: ``"stopped"`` (not running), ``"paused"`` (休止
        by the admin: 再開 sends), ``"limit"`` (the API usage guard: sending would spend what is reserved).
        """
        thread = self._thread
        if thread is None or not thread.is_alive() or self._stop.is_set():
            return "stopped"
        if self._paused.is_set():
            return "paused"
        if self._status.state == WorkerState.WAITING_FOR_LIMIT:
            return "limit"
        self._backoff.clear()
        self._retry_now.set()
        self._wake.set()
        return None

    def stop(self, timeout: float = 30.0) -> bool:
        """停止: finish the step in flight and end the thread. True when it ended within ``timeout``."""
        self._stop.set()
        self._wake.set()
        self._retry_now.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                return False
        self._thread = None
        return True

    def run_once(self, max_steps: int = 100_000) -> RunSummary:
        """Process everything due now, in the calling thread, and return what was done (``sync --once``)."""
        summary = RunSummary()
        engine = self._engine()
        try:
            for name in self._setting_names():
                for _ in range(max_steps):
                    result = engine.step(name)
                    summary.add(result)
                    if result.error is not None:
                        summary.errors.append((name, result.error))
                        break
                    if result.paused in {"usage", "lease"}:
                        summary.paused.append((name, result.paused, self.pause_message(name, result, once=True)))
                    if result.paused:
                        break
                    # Unknown outcomes are resolved at the start of the next step: keep going until quiet.
                    if not result.more and result.unknown == 0 and result.picked == 0:
                        break
            summary.sending = self._sending_count()
        finally:
            engine.close()
        return summary

    def _sending_count(self) -> int:
        with self.database.read() as session:
            # A Task update whose answer was lost is looked up the same way (update_sending).
            query = select(func.count()).select_from(LinkJob).where(
                LinkJob.state.in_([JobState.SENDING, JobState.UPDATE_SENDING]))
            if self.settings is not None:
                query = query.join(LinkSetting, LinkJob.setting_id == LinkSetting.id).where(
                    LinkSetting.name.in_(self.settings))
            return int(session.scalar(query) or 0)

    # --- the loop -------------------------------------------------------------------------------------------

    def _engine(self) -> LinkEngine:
        from biztel_desk.engine.linker import EngineOptions, LinkEngine

        if self.options is None:
            self.options = EngineOptions()
        return LinkEngine(self.database, self.secrets, options=self.options, clock=self._clock)

    def _setting_names(self) -> list[str]:
        if self.settings is not None:
            return list(self.settings)
        with self.database.read() as session:
            return list(session.scalars(
                select(LinkSetting.name).where(LinkSetting.status == LinkStatus.ENABLED).order_by(LinkSetting.id)
            ))

    def _loop(self) -> None:
        engine = self._engine()
        self._publish(WorkerState.RUNNING, _text("running", self.lang), force=True)
        faults = 0  # consecutive rounds ended by a transient fault: the back-off grows with them
        try:
            while not self._stop.is_set():
                if self._paused.is_set():
                    self._publish(WorkerState.PAUSED, _text("paused", self.lang), force=True)
                    self._wake.wait(self.poll_interval_s)
                    self._wake.clear()
                    continue
                try:
                    busy = self._round(engine)
                except Exception as error:  # noqa: BLE001 - sorted below: transient, fatal fault, or a bug
                    delay = self._transient(error, faults)
                    if delay is None:
                        raise
                    faults += 1
                    self._retry_now.clear()
                    self._retry_now.wait(delay)
                    continue
                faults = 0
                if not busy:
                    self._wake.wait(self.poll_interval_s)
                    self._wake.clear()
        except Exception as error:
            self._fatal(error)
            if self.failure is not None and self.failure.fault is None:
                raise  # a bug: threading.excepthook logs it (the window adds crash.log and a dialog)
        finally:
            engine.close()
            if self.status.state != WorkerState.ERROR:
                self._publish(WorkerState.STOPPED, _text("stopped", self.lang), force=True)

    def _transient(self, error: Exception, faults: int) -> float | None:
        """A database lock, a full disk, a network error: say so, and the seconds to wait. None when fatal.

        What was journaled stays ``sending`` and the next step resolves it from Salesforce, exactly as after a
        crash; so a retry never sends twice.
        """
        delay = float(self.error_backoff_s[min(faults, len(self.error_backoff_s) - 1)])
        fault = database_fault(error, self.database.location)
        if fault in TRANSIENT_FAULTS and fault is not None:
            detail = fault_text(fault, self.lang, self.database.location)
            message = _text("fault_retry", self.lang, detail=detail, seconds=round(delay))
        elif _network_error(error):
            message = _text("network_retry", self.lang, detail=type(error).__name__, seconds=round(delay))
        else:
            return None
        log.warning("link worker: %s (retry %d in %.0f s): %s", fault or "network", faults + 1, delay, error)
        self._publish(WorkerState.RUNNING, message, force=True)
        return delay

    def _fatal(self, error: Exception) -> None:
        """The thread ends: a database that cannot be used (damaged, read-only) or a bug. ``failure`` says which."""
        fault = database_fault(error, self.database.location)
        if fault is not None:
            log.error("link worker stopped: database %s: %s", fault, error)
            detail = fault_text(fault, self.lang, self.database.location)
            self.failure = WorkerFailure(_text("fault_stopped", self.lang, detail=detail), fault)
        else:
            self.failure = WorkerFailure(_text("internal", self.lang, detail=type(error).__name__,
                                               log=applog.where(self.lang)))
        self._publish(WorkerState.ERROR, self.failure.message, force=True)

    def _round(self, engine: LinkEngine) -> bool:
        """One step per setting that is not backing off; True when there is more to do right away."""
        busy = False
        state, message = WorkerState.RUNNING, _text("idle", self.lang)
        usage: tuple[int, int] | None = None
        names = self._setting_names()
        for gone in set(self._troubles) - set(names):  # no longer linked here (paused, disabled, deleted)
            self._troubles.pop(gone, None)
        for name in names:
            if self._stop.is_set() or self._paused.is_set():
                return False
            retry_at, failures = self._backoff.get(name, (0.0, 0))
            if time.monotonic() < retry_at:
                state, message = self._status.state, self._status.message
                continue
            self._publish(self.status.state, self.status.message, busy=True)
            result = engine.step(name)
            usage = result.api_usage or usage
            if result.error is None and result.paused not in {"usage", "lease"}:
                self._backoff.pop(name, None)
                self._troubles.pop(name, None)
                if result.picked or result.resolved:
                    message = _text("running", self.lang)
                busy = busy or result.more or result.unknown > 0
                continue
            state, message, delay = self._failure(name, result, failures)
            self._backoff[name] = (time.monotonic() + delay, failures + 1)
            error = result.error
            if isinstance(error, AuthError):
                self._troubles[name] = SettingTrouble(name, "login", error.text(self.lang))
            elif isinstance(error, PermanentError):
                self._troubles[name] = SettingTrouble(name, "refused", failure_text(error.code, error.message, self.lang))
        self._publish(state, message, usage=usage, force=True)
        return busy

    def pause_message(self, name: str, result: StepResult, *, once: bool = False) -> str:
        """What the user reads when a step sent nothing because of the API usage guard or another's lease."""
        if result.paused == "lease":
            return _text("lease_once" if once else "lease", self.lang, setting=name, holder=result.lease_holder or "?",
                         seconds=round(self.lease_retry_s))
        used, maximum = result.api_usage or (0, 0)
        return _text("usage", self.lang, percent=round(100 * used / max(maximum, 1)), used=used, max=maximum)

    def _failure(self, name: str, result: StepResult, failures: int) -> tuple[WorkerState, str, float]:
        error = result.error
        if result.paused == "lease":
            # Not an error: another engine does the work. Look again later (it may stop or die).
            return WorkerState.RUNNING, self.pause_message(name, result), self.lease_retry_s
        if result.paused == "usage" and result.api_usage:
            return WorkerState.WAITING_FOR_LIMIT, self.pause_message(name, result), self.limit_probe_s
        if isinstance(error, LimitExceeded):
            # The daily limit: wait until the usage falls (each probe is one call to /limits).
            return WorkerState.WAITING_FOR_LIMIT, _text("limit", self.lang), self.limit_probe_s
        if isinstance(error, ConcurrentLimitExceeded):
            # Too many long-running requests at once (other integrations too): a short wait, not a pause.
            return WorkerState.RUNNING, _text("concurrent", self.lang, setting=name,
                                              seconds=round(self.concurrent_backoff_s)), self.concurrent_backoff_s
        if isinstance(error, AuthError):
            # Login refused: trying again soon would only lock the user out. Wait long; 開始 retries at once.
            return WorkerState.ERROR, _text("auth", self.lang, setting=name, detail=error.text(self.lang)), 300.0
        if isinstance(error, PermanentError):
            # In the admin's words, with Salesforce's own code and message in parentheses (domain/failures.py).
            detail = failure_text(error.code, error.message, self.lang)
            return WorkerState.ERROR, _text("permanent", self.lang, setting=name, detail=detail), 300.0
        delay = self.error_backoff_s[min(failures, len(self.error_backoff_s) - 1)]
        detail = error.code if isinstance(error, GatewayError) else "?"
        return WorkerState.RUNNING, _text("transient", self.lang, setting=name, detail=detail, seconds=round(delay)), delay

    # --- status ---------------------------------------------------------------------------------------------

    def counters(self) -> WorkerCounters:
        with self.database.read() as session:
            query = select(LinkJob.state, func.count()).group_by(LinkJob.state)
            if self.settings is not None:
                query = query.join(LinkSetting, LinkJob.setting_id == LinkSetting.id).where(
                    LinkSetting.name.in_(self.settings)
                )
            counts = {state: count for state, count in session.execute(query)}
        return WorkerCounters(
            # A call whose Task was updated, or waits for an update, is linked.
            linked=counts.get(JobState.LINKED, 0) + counts.get(JobState.UPDATED, 0)
            + counts.get(JobState.UPDATE_PENDING, 0) + counts.get(JobState.UPDATE_SENDING, 0),
            waiting=counts.get(JobState.PENDING, 0) + counts.get(JobState.SENDING, 0),
            retrying=counts.get(JobState.RETRYING, 0),
            failed=counts.get(JobState.FAILED, 0),
            held=counts.get(JobState.HELD, 0),
            skipped=counts.get(JobState.SKIPPED, 0),
        )

    def _publish(self, state: WorkerState, message: str, *, usage: tuple[int, int] | None = None,
                 busy: bool = False, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_publish < 0.5:
            return
        self._last_publish = now
        try:
            counters = self.counters()
        except SQLAlchemyError:  # the database is the problem being reported: show the last counters
            counters = self._status.counters
        with self._lock:
            status = WorkerStatus(state, counters, usage or self._status.api_usage, message, busy,
                                  tuple(self._troubles.values()))
            self._status = status
            observers = list(self._observers)
        for observer in observers:
            observer(status)
