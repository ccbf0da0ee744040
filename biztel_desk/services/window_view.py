"""What the admin window shows for the link worker, this PC's background service and the selected setting.

Qt-free decisions that ``ui/main_window.py`` applies: which of 開始 / 休止 / 停止 are enabled and whether 開始 reads
再開, which progress line the worker toolbar shows and how far the current backlog is, the counters in the domain's
words, the tray's state and reason, and the account that 要再ログイン offers to sign in. The window keeps only its
``tr()`` texts for the keys returned here.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Protocol

from biztel_desk.domain.jobs import TASK_STATES
from biztel_desk.domain.vocabulary import COUNTERS, JOB_STATES, word
from biztel_desk.services.attention import Attention, AttentionKind, Overall
from biztel_desk.services.link_owners import ServiceState
from biztel_desk.services.link_runtime import WorkerCounters, WorkerState, WorkerStatus

WAITING_STATES = ("pending", "held", "retrying", "sending")  # a setting's jobs counted as 待機
SERVICE_RUNNING_STATES = ("running", "waiting_for_limit", "error")  # the service can be paused


RUNNING_STATES = (WorkerState.RUNNING, WorkerState.WAITING_FOR_LIMIT, WorkerState.ERROR)  # it can be paused


@dataclass(frozen=True)
class WorkerCommands:
    """Which of 開始 / 休止 / 停止 the window's worker accepts now."""

    start: bool
    pause: bool
    stop: bool


def worker_commands(state: WorkerState, requested: WorkerState | None, *, alive: bool,
                    restart_pending: bool = False) -> WorkerCommands:
    """From the reported state and a request (``requested``) that the worker has not confirmed yet: 休止 and 停止
    take effect after the batch in flight, and nothing else is accepted meanwhile, except 停止 after 開始 or 休止.
    ``restart_pending``: the worker ended by itself and starts again soon; 停止 cancels that."""
    return WorkerCommands(
        start=requested is None and (not alive or state in (WorkerState.PAUSED, WorkerState.ERROR)),
        pause=requested is None and alive and state in RUNNING_STATES,
        stop=requested != WorkerState.STOPPED and (
            restart_pending or (alive and (state != WorkerState.STOPPED or requested is not None))),
    )


def reached(requested: WorkerState | None, state: WorkerState, *, alive: bool) -> bool:
    """The worker reported what was asked (a request is then no longer pending). A dead thread is as far as any
    request goes: 開始 is the way on."""
    if requested is None:
        return False
    if not alive:
        return True
    if requested == WorkerState.RUNNING:
        return state in RUNNING_STATES
    if requested == WorkerState.PAUSED:
        return state in (WorkerState.PAUSED, WorkerState.STOPPED)
    return state == WorkerState.STOPPED


@dataclass(frozen=True)
class Handover:
    """Who links: the window's own worker, or this PC's background service (the window is then its console)."""

    worker_started: bool = False  # the window's worker was started once, or left to the service: never again by itself
    console_shown: bool = False  # the worker bar shows the service's state
    service_gone: bool = False  # the service the console showed stopped: 開始 here links in the window again

    def seen(self, service: bool) -> tuple[Handover, str | None]:
        """After a read of the service's heartbeat (``service``: it beats): the next state, and what the window's
        worker does — ``"stop"`` (the service links: the worker finishes its batch and hands over), ``"start"`` (the
        first read found no service) or nothing."""
        if service:
            return Handover(worker_started=True, console_shown=True), "stop"
        if not self.worker_started:
            return replace(self, worker_started=True, console_shown=False), "start"
        return Handover(worker_started=True, service_gone=self.service_gone or self.console_shown), None


class Progress(enum.StrEnum):
    """The worker toolbar's progress line."""

    STOPPING = "stopping"  # 停止しています…
    PAUSING = "pausing"  # 休止しています…
    SENDING = "sending"  # 送信中… 連携済み {done} / 待機 {waiting}
    IDLE = "idle"  # 送信するものはありません
    STATE = "state"  # {the worker's state} — 待機 {waiting}
    SERVICE = "service"  # the service's own line (its headline and last heartbeat); its backlog is not counted here


class Controls(Protocol):
    """What the window's worker controller allows now (ui/worker_controller.WorkerController)."""

    @property
    def alive(self) -> bool: ...
    @property
    def commands(self) -> WorkerCommands: ...
    @property
    def requested(self) -> WorkerState | None: ...


@dataclass(frozen=True)
class WorkerBar:
    """The worker toolbar: the three buttons, the progress line and the backlog's progress bar."""

    start: bool
    pause: bool
    stop: bool
    resume: bool  # 開始 reads 再開
    progress: Progress
    backlog_base: int | None = None  # the linked count when the current backlog began: hand it to the next call
    done: int = 0  # linked since the backlog began
    waiting: int = 0

    @property
    def total(self) -> int:
        return self.done + self.waiting


def worker_bar(status: WorkerStatus, controls: Controls, *, closing: bool, backlog_base: int | None) -> WorkerBar:
    """The toolbar for the window's own worker. Nothing is enabled while the window closes."""
    counters = status.counters
    if counters.waiting == 0 or backlog_base is None:
        backlog_base = counters.linked  # a new backlog begins
    requested = controls.requested
    if closing or requested == WorkerState.STOPPED:
        progress = Progress.STOPPING
    elif requested == WorkerState.PAUSED:
        progress = Progress.PAUSING
    elif status.state in (WorkerState.RUNNING, WorkerState.ERROR) and counters.waiting:
        progress = Progress.SENDING
    elif status.state == WorkerState.RUNNING:
        progress = Progress.IDLE
    else:
        progress = Progress.STATE
    allowed = controls.commands
    return WorkerBar(start=allowed.start and not closing, pause=allowed.pause and not closing,
                     stop=allowed.stop and not closing,
                     resume=controls.alive and status.state == WorkerState.PAUSED, progress=progress,
                     backlog_base=backlog_base, done=counters.linked - backlog_base, waiting=counters.waiting)


def service_bar(service: ServiceState) -> WorkerBar:
    """The toolbar as the console of this PC's service: nothing is enabled while a command waits to be picked up."""
    waiting = service.command is not None
    return WorkerBar(start=not waiting and service.state in ("paused", "error", "stopped"),
                     pause=not waiting and service.state in SERVICE_RUNNING_STATES, stop=not waiting,
                     resume=service.state == "paused", progress=Progress.SERVICE)


def overall_counters(counters: WorkerCounters, lang: str) -> str:
    """The worker's 全体 counters: 連携済み and 待機 always, the exceptions only when there are some (the status bar
    must fit 1100 px)."""
    parts = [f"{word(JOB_STATES, 'linked', lang)} {counters.linked:,}",
             f"{word(COUNTERS, 'waiting', lang)} {counters.waiting:,}"]
    for state, count in (("retrying", counters.retrying), ("failed", counters.failed), ("held", counters.held)):
        if count:
            parts.append(f"{word(JOB_STATES, state, lang)} {count:,}")
    return "  ".join(parts)


def setting_jobs(counts: Mapping[str, int], lang: str) -> str:
    """The selected setting's jobs: 待機 / 連携済み (every call with a Task, domain.jobs.TASK_STATES) / 失敗."""
    waiting = sum(counts.get(state, 0) for state in WAITING_STATES)
    linked = sum(counts.get(state, 0) for state in TASK_STATES)
    return " / ".join((f"{word(COUNTERS, 'waiting', lang)} {waiting:,}", f"{word(JOB_STATES, 'linked', lang)} {linked:,}",
                       f"{word(JOB_STATES, 'failed', lang)} {counts.get('failed', 0):,}"))


def api_percent(usage: tuple[int, int]) -> int:
    """The day's API requests used, in percent of the org's limit (0 when the org reports no limit)."""
    used, maximum = usage
    return round(100 * used / maximum) if maximum else 0


@dataclass(frozen=True)
class TrayView:
    state: Overall
    reason: str  # the first settings that need the admin, one line each (only while 要対応)
    paused: bool  # the worker is paused: the menu offers 再開, also while 要対応 shows


def tray_view(state: Overall, attention: Mapping[str, tuple[Attention, ...]], status: WorkerStatus) -> TrayView:
    """The tray follows services.attention: 要対応 (with the first three reasons, else the worker's message) before
    the worker's own state."""
    reasons = [f"{name}: {found[0].reason}" for name, found in attention.items()][:3]
    if state == Overall.ATTENTION and not reasons:
        reasons = [status.message]
    return TrayView(state, "\n".join(reasons) if state == Overall.ATTENTION else "",
                    paused=status.state == WorkerState.PAUSED)


def relogin_account(found: tuple[Attention, ...], account: str | None) -> str | None:
    """The account that ブラウザでログイン… opens: the setting's, when it must sign in again (要再ログイン)."""
    if account is not None and any(attention.kind == AttentionKind.RELOGIN for attention in found):
        return account
    return None
