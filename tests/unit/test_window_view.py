"""services/window_view: what the window's worker toolbar, status bar and tray show, decided without Qt."""

from __future__ import annotations

from dataclasses import dataclass

from biztel_desk.services.attention import Attention, AttentionKind, Overall
from biztel_desk.services.link_owners import ServiceState
from biztel_desk.services.link_runtime import WorkerCounters, WorkerState, WorkerStatus
from biztel_desk.services.window_view import (
    Handover,
    Progress,
    WorkerCommands,
    api_percent,
    overall_counters,
    reached,
    relogin_account,
    service_bar,
    setting_jobs,
    tray_view,
    worker_bar,
    worker_commands,
)


@dataclass
class Controls:
    alive: bool = True
    can_start: bool = False
    can_pause: bool = True
    can_stop: bool = True
    requested: WorkerState | None = None

    @property
    def commands(self) -> WorkerCommands:
        return WorkerCommands(self.can_start, self.can_pause, self.can_stop)


def status(state: WorkerState, linked: int = 0, waiting: int = 0, message: str = "") -> WorkerStatus:
    return WorkerStatus(state, WorkerCounters(linked=linked, waiting=waiting), message=message)


def service(state: str, command: str | None = None) -> ServiceState:
    return ServiceState(owner="svc", pid=1, state=state, message="", heartbeat_age_s=1.0, command=command)


def test_the_backlog_counts_from_where_it_began() -> None:
    first = worker_bar(status(WorkerState.RUNNING, linked=100, waiting=50), Controls(), closing=False,
                       backlog_base=None)
    assert (first.backlog_base, first.done, first.total, first.progress) == (100, 0, 50, Progress.SENDING)
    later = worker_bar(status(WorkerState.RUNNING, linked=130, waiting=20), Controls(), closing=False,
                       backlog_base=first.backlog_base)
    assert (later.done, later.total) == (30, 50)
    drained = worker_bar(status(WorkerState.RUNNING, linked=150), Controls(), closing=False,
                         backlog_base=later.backlog_base)
    assert (drained.backlog_base, drained.done, drained.total, drained.progress) == (150, 0, 0, Progress.IDLE)


def test_the_progress_line_follows_requests_before_the_reported_state() -> None:
    running = status(WorkerState.RUNNING, waiting=5)
    assert worker_bar(running, Controls(requested=WorkerState.STOPPED), closing=False,
                      backlog_base=None).progress == Progress.STOPPING
    assert worker_bar(running, Controls(requested=WorkerState.PAUSED), closing=False,
                      backlog_base=None).progress == Progress.PAUSING
    assert worker_bar(running, Controls(), closing=True, backlog_base=None).progress == Progress.STOPPING
    assert worker_bar(status(WorkerState.ERROR, waiting=5), Controls(), closing=False,
                      backlog_base=None).progress == Progress.SENDING
    assert worker_bar(status(WorkerState.ERROR), Controls(), closing=False, backlog_base=None).progress == Progress.STATE
    assert worker_bar(status(WorkerState.PAUSED, waiting=5), Controls(), closing=False,
                      backlog_base=None).progress == Progress.STATE


def test_buttons_follow_the_controller_and_nothing_is_enabled_while_closing() -> None:
    paused = status(WorkerState.PAUSED)
    bar = worker_bar(paused, Controls(can_start=True, can_pause=False), closing=False, backlog_base=None)
    assert (bar.start, bar.pause, bar.stop, bar.resume) == (True, False, True, True)
    closing = worker_bar(paused, Controls(can_start=True), closing=True, backlog_base=None)
    assert (closing.start, closing.pause, closing.stop) == (False, False, False)
    dead = worker_bar(paused, Controls(alive=False, can_start=True), closing=False, backlog_base=None)
    assert not dead.resume  # a paused status of a thread that ended: 開始 starts a new one


def test_the_service_console_buttons() -> None:
    running, paused = service_bar(service("running")), service_bar(service("paused"))
    assert (running.start, running.pause, running.stop, running.resume) == (False, True, True, False)
    assert (paused.start, paused.pause, paused.stop, paused.resume) == (True, False, True, True)
    error = service_bar(service("error"))
    assert (error.start, error.pause, error.stop) == (True, True, True)
    waiting = service_bar(service("running", command="pause"))
    assert (waiting.start, waiting.pause, waiting.stop, waiting.progress) == (False, False, False, Progress.SERVICE)


def test_counters_in_the_domains_words() -> None:
    counters = WorkerCounters(linked=1234, waiting=5, retrying=0, failed=2, held=0)
    assert overall_counters(counters, "ja") == "連携済み 1,234  待機 5  失敗 2"
    assert overall_counters(counters, "en") == "Linked 1,234  Waiting 5  Failed 2"
    counts = {"pending": 1, "held": 2, "retrying": 3, "sending": 4, "linked": 10, "updated": 1, "failed": 7}
    assert setting_jobs(counts, "ja") == "待機 10 / 連携済み 11 / 失敗 7"
    assert setting_jobs({}, "ja") == "待機 0 / 連携済み 0 / 失敗 0"
    assert api_percent((1500, 15000)) == 10
    assert api_percent((5, 0)) == 0


def test_the_tray_says_what_needs_the_admin_first() -> None:
    found = {f"設定{n}": (Attention(AttentionKind.RELOGIN, f"理由{n}"),) for n in range(5)}
    view = tray_view(Overall.ATTENTION, found, status(WorkerState.PAUSED))
    assert view.reason == "設定0: 理由0\n設定1: 理由1\n設定2: 理由2" and view.paused
    failed = tray_view(Overall.ATTENTION, {}, status(WorkerState.ERROR, message="ログインできません"))
    assert failed.reason == "ログインできません" and not failed.paused
    linking = tray_view(Overall.LINKING, {}, status(WorkerState.RUNNING, message="送信中"))
    assert (linking.state, linking.reason) == (Overall.LINKING, "")


def test_relogin_only_for_an_account_that_must_sign_in_again() -> None:
    relogin = (Attention(AttentionKind.RELOGIN, "再ログインが必要です"),)
    assert relogin_account(relogin, "本番組織") == "本番組織"
    assert relogin_account(relogin, None) is None
    assert relogin_account((Attention(AttentionKind.CALLS, "失敗"),), "本番組織") is None


def test_worker_commands_follow_the_state_and_a_request_not_confirmed_yet() -> None:
    def allowed(state: WorkerState, requested: WorkerState | None = None, *, alive: bool = True,
                restart_pending: bool = False) -> tuple[bool, bool, bool]:
        found = worker_commands(state, requested, alive=alive, restart_pending=restart_pending)
        return found.start, found.pause, found.stop

    assert allowed(WorkerState.STOPPED, alive=False) == (True, False, False)
    assert allowed(WorkerState.RUNNING) == (False, True, True)
    assert allowed(WorkerState.WAITING_FOR_LIMIT) == (False, True, True)
    assert allowed(WorkerState.ERROR) == (True, True, True)  # 開始 retries at once
    assert allowed(WorkerState.PAUSED) == (True, False, True)
    # 休止 asked, the batch in flight not done: only 停止; 停止 asked: nothing.
    assert allowed(WorkerState.RUNNING, WorkerState.PAUSED) == (False, False, True)
    assert allowed(WorkerState.RUNNING, WorkerState.STOPPED) == (False, False, False)
    # 開始 asked before the thread reported anything: 停止 may follow at once.
    assert allowed(WorkerState.STOPPED, WorkerState.RUNNING) == (False, False, True)
    # It ended by itself and restarts soon: 停止 cancels that.
    assert allowed(WorkerState.ERROR, alive=False, restart_pending=True) == (True, False, True)
    assert allowed(WorkerState.ERROR, alive=False) == (True, False, False)


def test_a_request_is_reached_when_the_worker_reports_it() -> None:
    assert not reached(None, WorkerState.RUNNING, alive=True)
    assert reached(WorkerState.RUNNING, WorkerState.WAITING_FOR_LIMIT, alive=True)
    assert not reached(WorkerState.RUNNING, WorkerState.STOPPED, alive=True)
    assert reached(WorkerState.PAUSED, WorkerState.PAUSED, alive=True)
    assert reached(WorkerState.PAUSED, WorkerState.STOPPED, alive=True)
    assert not reached(WorkerState.PAUSED, WorkerState.RUNNING, alive=True)
    assert not reached(WorkerState.STOPPED, WorkerState.PAUSED, alive=True)
    assert reached(WorkerState.STOPPED, WorkerState.RUNNING, alive=False)  # a dead thread goes no further


def test_the_handover_between_the_windows_worker_and_the_service() -> None:
    # No service at the first read: the window's worker starts, once.
    state, step = Handover().seen(service=False)
    assert step == "start" and state.worker_started and not state.service_gone
    assert state.seen(service=False) == (state, None)
    # The service starts later: the window's worker hands over and the worker bar becomes its console.
    console, step = state.seen(service=True)
    assert step == "stop" and console.console_shown
    # The service stops: the window says so and does not start its worker by itself (開始 does).
    gone, step = console.seen(service=False)
    assert step is None and gone.service_gone and not gone.console_shown
    assert gone.seen(service=False)[0].service_gone  # said until 開始 (or the service comes back)
    assert not gone.seen(service=True)[0].service_gone
    # A service already linking at the first read: the window's worker never starts by itself.
    first, step = Handover().seen(service=True)
    assert step == "stop" and first.worker_started
    assert first.seen(service=False)[1] is None
