"""The link worker in the window: 開始 / 休止 / 停止 follow its state, counters and API usage, clean close, responsiveness."""

from __future__ import annotations

import datetime as dt
import gc
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from helpers.shared_org import reset_org
from helpers.window import (  # noqa: F401 (fixtures)
    Boxes,
    answer_close_question,
    boxes_fixture,
    close_window,
    deliver_calls,
    jobs_in_state,
)
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from pytestqt.qtbot import QtBot

from biztel_desk.devorg import seed_data
from biztel_desk.devorg.server import DevOrg
from biztel_desk.domain import phone
from biztel_desk.domain.call import CallRecord
from biztel_desk.domain.config import AccountConfig, LinkSettingConfig, LinkTargetConfig, SecretKind
from biztel_desk.domain.jobs import JobState
from biztel_desk.engine.worker import LinkWorker, WorkerState
from biztel_desk.services.context import AppContext
from biztel_desk.store.db import DB_FILENAME
from biztel_desk.ui.main_window import MainWindow

COMPANY = "03-1234-5678"
ORG_RECORDS = 300


@pytest.fixture(scope="module")
def org() -> Iterator[DevOrg]:
    with DevOrg(seed="demo", records=ORG_RECORDS) as dev_org:
        yield dev_org


@pytest.fixture
def frozen_heap() -> Iterator[None]:
    """What the app does once its window is up (``gc.freeze()`` in run_gui): start-up objects skip full collections."""
    gc.freeze()
    yield
    gc.unfreeze()


@pytest.fixture(autouse=True)
def _no_latency(org: DevOrg) -> Iterator[None]:
    yield
    reset_org(org)


@pytest.fixture(scope="module")
def customer_numbers() -> list[str]:
    """Numbers of the seeded records (found by the engine) and a tenth unknown (linked to the fallback)."""
    canonical = seed_data.canonical_numbers(seed_data.generate_demo(ORG_RECORDS, 0))
    known = [phone.national_format(number) for number in sorted(canonical)][:180]
    return known + seed_data.unknown_numbers(20, 7, set(canonical))


@dataclass
class Desk:
    """A window with a link worker on a setting that points at the dev org."""

    context: AppContext
    window: MainWindow
    worker: LinkWorker
    numbers: list[str]

    def add_calls(self, count: int) -> None:
        prefix = uuid.uuid4().hex[:10]
        start = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
        records = [
            CallRecord(unique_id=f"gui-{prefix}-{i:06d}", from_number=self.numbers[i % len(self.numbers)],
                       to_number=COMPANY, started_at=start + dt.timedelta(seconds=30 * i), duration_s=60,
                       direction="inbound").finish()
            for i in range(count)
        ]
        deliver_calls(self.window, self.context, records)

    def jobs(self, state: str) -> int:
        return jobs_in_state(self.context, state)

    def linked_shown(self) -> int:
        match = re.search(r"連携済み ([\d,]+)", self.window.counters_label.text())
        assert match, self.window.counters_label.text()
        return int(match.group(1).replace(",", ""))


def fallback_id(org: DevOrg) -> str:
    return next(str(r["Id"]) for r in org.records("Account") if r.get("Name") == "登録情報なし")


@pytest.fixture
def desk(qtbot: QtBot, context: AppContext, org: DevOrg, customer_numbers: list[str], boxes: Boxes) -> Iterator[Callable[..., Desk]]:
    """Factory: ``make(status="enabled")`` → an open window whose worker links the setting 本社 to the dev org."""
    made: list[Desk] = []

    def make(status: str = "enabled") -> Desk:
        credentials = org.credentials
        context.config.save_account(
            AccountConfig(name="devorg", username=credentials["username"], login_host=org.url),
            secrets={SecretKind.PASSWORD: credentials["password"], SecretKind.SECURITY_TOKEN: credentials["security_token"]},
        )
        context.config.save_basic(LinkSettingConfig(
            name="本社", account="devorg", fallback_record_id=fallback_id(org), api_consent=True, status=status,
            targets=(LinkTargetConfig(COMPANY),)))
        worker = LinkWorker(context.database, context.secrets, lang="ja", poll_interval_s=0.2)
        window = MainWindow(context, worker=worker)
        window.show()
        qtbot.waitExposed(window)
        made.append(Desk(context, window, worker, customer_numbers))
        return made[-1]

    yield make
    for made_desk in made:
        # The worker's thread ends before its window and database go: a thread still stepping while the
        # window's objects are deleted (or the database closed by the context fixture) can crash the process.
        if made_desk.window.worker_controller is not None:
            assert made_desk.window.worker_controller.shutdown(30), "the worker thread did not end"
        assert made_desk.worker.stop(30), "the worker thread did not end"
        if made_desk.window.isVisible():
            close_window(made_desk.window)


def button(window: MainWindow, action: QAction):  # type: ignore[no-untyped-def]
    widget = window.worker_toolbar.widgetForAction(action)
    assert widget is not None
    return widget


def enabled(window: MainWindow) -> tuple[bool, bool, bool]:
    return tuple(button(window, a).isEnabled() for a in (window.start_action, window.pause_action, window.stop_action))  # type: ignore[return-value]


def wait_state(qtbot: QtBot, window: MainWindow, state: WorkerState, timeout: int = 10_000) -> None:
    controller = window.worker_controller
    assert controller is not None
    qtbot.waitUntil(lambda: controller.status.state == state and controller.requested is None, timeout=timeout)


def test_window_without_a_worker_hides_the_controls(qtbot: QtBot, context: AppContext, boxes: Boxes) -> None:
    window = MainWindow(context)
    window.show()
    qtbot.waitExposed(window)
    try:
        assert window.worker_controller is None
        assert not window.worker_toolbar.isVisible()
        assert window.worker_label.text() == "ワーカー: 停止中"
    finally:
        close_window(window)


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_buttons_follow_the_worker_state(qtbot: QtBot, desk: Callable[..., Desk]) -> None:
    window = desk().window
    wait_state(qtbot, window, WorkerState.RUNNING)  # started when the window opened
    assert enabled(window) == (False, True, True)
    assert window.worker_label.text() == "ワーカー: 実行中"

    qtbot.mouseClick(button(window, window.pause_action), Qt.MouseButton.LeftButton)
    wait_state(qtbot, window, WorkerState.PAUSED)
    assert enabled(window) == (True, False, True)
    assert window.start_action.text() == "再開"
    assert window.worker_label.text() == "ワーカー: 休止中"

    qtbot.mouseClick(button(window, window.start_action), Qt.MouseButton.LeftButton)
    wait_state(qtbot, window, WorkerState.RUNNING)
    assert enabled(window) == (False, True, True)

    qtbot.mouseClick(button(window, window.stop_action), Qt.MouseButton.LeftButton)
    wait_state(qtbot, window, WorkerState.STOPPED)
    assert enabled(window) == (True, False, False)
    assert window.start_action.text() == "開始"
    assert window.worker_label.text() == "ワーカー: 停止中"
    assert not window.worker_controller.alive  # type: ignore[union-attr]

    qtbot.mouseClick(button(window, window.start_action), Qt.MouseButton.LeftButton)  # a new thread
    wait_state(qtbot, window, WorkerState.RUNNING)
    assert enabled(window) == (False, True, True)


def test_a_request_disables_the_buttons_until_the_worker_confirms_it(qtbot: QtBot, desk: Callable[..., Desk]) -> None:
    made = desk()
    window = made.window
    wait_state(qtbot, window, WorkerState.RUNNING)
    controller = window.worker_controller
    assert controller is not None
    assert controller.pause()
    assert controller.requested == WorkerState.PAUSED
    assert enabled(window) == (False, False, True)  # 休止 asked, not reported yet
    assert window.progress_label.text() == "休止しています…"
    assert not controller.pause()  # asked twice: nothing more to do
    wait_state(qtbot, window, WorkerState.PAUSED)


def test_calls_get_linked_while_the_window_is_open(qtbot: QtBot, desk: Callable[..., Desk]) -> None:
    made = desk()
    window = made.window
    wait_state(qtbot, window, WorkerState.RUNNING)
    made.add_calls(40)
    qtbot.waitUntil(lambda: made.linked_shown() == 40, timeout=15_000)
    assert made.jobs(JobState.LINKED) == 40
    assert re.search(r"待機 0\b", window.counters_label.text())
    assert re.fullmatch(r"API: [\d,]+ / 15,000 \(\d+%\)", window.api_label.text()), window.api_label.text()
    assert window.progress_label.text() == "送信するものはありません"
    assert window.worker_message_label.text()  # what the worker says, e.g. 待機中: 送信するものはありません
    # The selected setting's counts in the status bar follow (throttled to once every 2 s).
    qtbot.waitUntil(lambda: "連携済み 40" in window.jobs_label.text(), timeout=5_000)


def test_a_paused_setting_keeps_its_calls_held(qtbot: QtBot, desk: Callable[..., Desk]) -> None:
    made = desk(status="paused")
    window = made.window
    wait_state(qtbot, window, WorkerState.RUNNING)
    made.add_calls(5)
    qtbot.waitUntil(lambda: "保留中 5" in window.counters_label.text(), timeout=5_000)
    assert made.linked_shown() == 0 and made.jobs(JobState.HELD) == 5


def test_closing_the_window_stops_the_worker_cleanly(qtbot: QtBot, desk: Callable[..., Desk], org: DevOrg) -> None:
    made = desk()
    window = made.window
    org.set_latency(20)
    made.add_calls(1_500)
    qtbot.waitUntil(lambda: made.linked_shown() > 0, timeout=20_000)  # mid-drain
    started = time.monotonic()
    window.close()
    took = time.monotonic() - started
    print(f"window closed mid-drain in {took * 1000:.0f} ms")
    assert not made.worker.running
    assert made.worker.status.state == WorkerState.STOPPED
    assert made.jobs(JobState.SENDING) == 0  # the batch in flight finished: nothing left unknown
    assert made.jobs(JobState.LINKED) > 0
    assert made.jobs(JobState.PENDING) > 0  # it stopped, it did not drain everything first
    assert window.worker_label.text() == "ワーカー: 停止中"


def _drain_for_4_s(qtbot: QtBot, desk: Callable[..., Desk], org: DevOrg) -> tuple[Desk, int, float]:
    """10,000 calls draining at 20 ms per request for 4 s: the desk, the calls linked meanwhile, the GUI's longest gap (ms)."""
    made = desk()
    window = made.window
    wait_state(qtbot, window, WorkerState.RUNNING)
    org.set_latency(20)
    made.add_calls(10_000)
    qtbot.waitUntil(lambda: "待機 10,000" in window.counters_label.text() or made.linked_shown() > 0, timeout=20_000)
    first = made.linked_shown()

    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    qtbot.wait(4_000)
    timer.stop()

    gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
    max_gap_ms = max(gaps) * 1000
    linked = made.linked_shown() - first
    print(f"drain: {linked} calls linked in 4 s while the GUI ticked {len(ticks)} times, max gap {max_gap_ms:.0f} ms")
    return made, linked, max_gap_ms


@pytest.mark.usefixtures("frozen_heap")
def test_the_window_stays_responsive_while_a_backlog_drains(qtbot: QtBot, desk: Callable[..., Desk], org: DevOrg) -> None:
    made, linked, _max_gap_ms = _drain_for_4_s(qtbot, desk, org)  # the gap's bound: the perf test below
    window = made.window
    assert linked > 0
    assert "送信中… 連携済み" in window.progress_label.text()
    assert 0 < window.progress_bar.value() < window.progress_bar.maximum()
    # Both counts in the status bar group thousands (10,000 calls: 1234 would not match); the left one is named.
    assert re.fullmatch(r"この設定: 待機 \d{1,3}(,\d{3})* / 連携済み \d{1,3}(,\d{3})* / 失敗 0", window.jobs_label.text())
    assert "リトライ待ち" not in window.counters_label.text()  # zero exceptions are left out (the bar fits 1100 px)


@pytest.mark.perf
@pytest.mark.usefixtures("frozen_heap")
def test_the_gui_never_stalls_over_250_ms_while_a_backlog_drains(qtbot: QtBot, desk: Callable[..., Desk], org: DevOrg) -> None:
    _made, linked, max_gap_ms = _drain_for_4_s(qtbot, desk, org)
    assert linked > 0
    assert max_gap_ms < 250


def test_a_database_lock_is_retried_with_its_reason_shown_and_linking_goes_on(qtbot: QtBot, desk: Callable[..., Desk]) -> None:
    import sqlite3

    made = desk()
    window = made.window
    assert made.context.data_dir is not None
    made.worker.error_backoff_s = (1.0,)
    wait_state(qtbot, window, WorkerState.RUNNING)
    made.add_calls(3)
    qtbot.waitUntil(lambda: made.jobs(JobState.LINKED) == 3, timeout=15_000)
    # Another program holds the write lock longer than SQLite's 10 s busy timeout.
    lock = sqlite3.connect(made.context.data_dir / DB_FILENAME, timeout=30, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    try:
        qtbot.waitUntil(lambda: "ロックされています" in window.worker_message_label.text(), timeout=20_000)
        assert "秒後に自動で再試行します" in window.worker_message_label.text()
        assert made.worker.running and window.worker_label.text() == "ワーカー: 実行中"
        window.resize(1100, 700)
        qtbot.wait(50)
        window.grab().save("/tmp/h2_worker_lock_retry.png")
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    made.add_calls(2)
    qtbot.waitUntil(lambda: made.jobs(JobState.LINKED) == 5, timeout=30_000)
    assert made.worker.running


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_worker_ended_by_a_fault_is_started_again_by_the_window(qtbot: QtBot, desk: Callable[..., Desk]) -> None:
    import sqlite3

    made = desk()
    window = made.window
    controller = window.worker_controller
    assert controller is not None
    controller.restart_delays_s = (2.0,)
    assert made.context.data_dir is not None
    wait_state(qtbot, window, WorkerState.RUNNING)
    made.add_calls(2)
    qtbot.waitUntil(lambda: made.jobs(JobState.LINKED) == 2, timeout=15_000)
    damage = sqlite3.connect(made.context.data_dir / DB_FILENAME, timeout=30, isolation_level=None)
    schema = damage.execute("SELECT sql FROM sqlite_master WHERE name = 'link_leases'").fetchone()[0]
    damage.execute("DROP TABLE link_leases")  # a table gone under the running worker: not a transient fault
    qtbot.waitUntil(lambda: controller.restart_pending, timeout=20_000)
    text = window.worker_message_label.text()
    assert "内部エラーのため連携を停止しました" in text and "2秒後に自動で再開します。" in text
    assert window.worker_label.text() == "ワーカー: エラー"
    window.resize(1100, 700)
    qtbot.wait(50)
    window.grab().save("/tmp/h2_worker_restart.png")
    damage.execute(schema)  # repaired before the restart
    damage.close()
    qtbot.waitUntil(lambda: made.worker.running and not controller.restart_pending, timeout=10_000)
    made.add_calls(2)
    qtbot.waitUntil(lambda: made.jobs(JobState.LINKED) == 4, timeout=30_000)


def test_retry_now_sends_at_once_or_says_why_it_waits(qtbot: QtBot, desk: Callable[..., Desk], org: DevOrg) -> None:
    """今すぐ再試行 on a call waiting 60 s to retry: linked within 2 s; with the worker paused, the tab says so."""
    from PySide6.QtCore import QItemSelectionModel

    d = desk()
    wait_state(qtbot, d.window, WorkerState.RUNNING)
    org.inject_fault("lock_row", count=1, match="/composite/sobjects")
    d.add_calls(1)
    qtbot.waitUntil(lambda: d.jobs(JobState.RETRYING.value) == 1, timeout=15_000)  # next try in a minute
    tab = d.window.history_tab
    d.window.tabs.setCurrentWidget(tab)
    tab.model.refresh()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1 and tab.model.row_at(0).state == JobState.RETRYING.value,
                    timeout=10_000)
    tab.view.selectionModel().select(tab.model.index(0, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                                     | QItemSelectionModel.SelectionFlag.Rows)
    started = time.monotonic()
    qtbot.mouseClick(tab.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: d.jobs(JobState.LINKED.value) == 1, timeout=2_000)
    assert time.monotonic() - started < 2.0

    qtbot.mouseClick(button(d.window, d.window.pause_action), Qt.MouseButton.LeftButton)
    wait_state(qtbot, d.window, WorkerState.PAUSED)
    org.inject_fault("lock_row", count=1, match="/composite/sobjects")
    d.window.worker_controller.start()  # type: ignore[union-attr]
    wait_state(qtbot, d.window, WorkerState.RUNNING)
    d.add_calls(1)
    qtbot.waitUntil(lambda: d.jobs(JobState.RETRYING.value) == 1, timeout=15_000)
    qtbot.mouseClick(button(d.window, d.window.pause_action), Qt.MouseButton.LeftButton)
    wait_state(qtbot, d.window, WorkerState.PAUSED)
    tab.model.refresh()
    qtbot.waitUntil(lambda: any(tab.model.row_at(r).state == JobState.RETRYING.value
                                for r in range(tab.model.rowCount())), timeout=10_000)
    row = next(r for r in range(tab.model.rowCount()) if tab.model.row_at(r).state == JobState.RETRYING.value)
    tab.view.selectionModel().select(tab.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                                     | QItemSelectionModel.SelectionFlag.Rows)
    with qtbot.waitSignal(tab.retried, timeout=5_000):
        qtbot.mouseClick(tab.retry_button, Qt.MouseButton.LeftButton)
    assert "休止中のため" in tab.status_label.text() and "再開すると送信します" in tab.status_label.text()


@pytest.mark.qt_log_ignore("propagateSizeHints", "systemTrayWindowChanged", "does not support raise")  # offscreen
def test_closing_offers_the_tray_and_linking_goes_on(qtbot: QtBot, desk: Callable[..., Desk],
                                                     monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from biztel_desk.ui.tray import AppTray

    monkeypatch.setattr(AppTray, "available", staticmethod(lambda: True))  # offscreen has no tray
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no background service installed
    d = desk()
    wait_state(qtbot, d.window, WorkerState.RUNNING)
    answer_close_question("cancel")
    d.window.close()
    assert d.window.isVisible() and d.window.tray is None  # キャンセル: nothing changes
    answer_close_question("tray")
    d.window.close()
    assert not d.window.isVisible() and d.window.tray is not None
    assert d.worker.running  # linking goes on without the window
    d.add_calls(3)
    qtbot.waitUntil(lambda: d.jobs(JobState.LINKED.value) == 3, timeout=15_000)
    assert "連携中" in d.window.tray.tooltip()
    d.window.tray.open_action.trigger()
    assert d.window.isVisible()
    d.window.tray.quit_action.trigger()  # 終了: stops linking and closes, asks nothing
    qtbot.waitUntil(lambda: not d.worker.running, timeout=15_000)
    assert not d.window.isVisible()


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_closing_with_a_background_service_installed_asks_nothing(qtbot: QtBot, desk: Callable[..., Desk],
                                                                 monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from biztel_desk.services import os_service
    from biztel_desk.ui.dialogs.close_dialog import CloseDialog
    from biztel_desk.ui.tray import AppTray

    monkeypatch.setattr(AppTray, "available", staticmethod(lambda: True))
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    d = desk()
    wait_state(qtbot, d.window, WorkerState.RUNNING)
    assert d.context.data_dir is not None
    service = os_service.definition(d.context.data_dir, None, home=home)
    service.path.parent.mkdir(parents=True, exist_ok=True)
    service.path.write_bytes(service.content)
    asked: list[bool] = []
    monkeypatch.setattr(CloseDialog, "exec", lambda self: asked.append(True) or 0)
    d.window.close()
    assert asked == [] and not d.window.isVisible() and d.window.tray is None  # the service links: just close


def test_the_status_bar_at_1100_px_cuts_no_text_without_saying_so(qtbot: QtBot, desk: Callable[..., Desk],
                                                                   tmp_path) -> None:  # type: ignore[no-untyped-def]
    """At 1100 px with the counters, a 要対応 line, another desktop's lease and the worker's message, every piece of
    the status bar is whole, or says it is cut ("…") and holds the whole text in its tooltip; the counters, the
    worker's state are whole."""
    from biztel_desk.services.attention import Attention, AttentionKind
    from biztel_desk.services.link_owners import LinkOwner

    d = desk()
    window = d.window
    window.resize(1100, 720)
    d.add_calls(3)
    qtbot.waitUntil(lambda: d.linked_shown() == 3, timeout=30_000)
    window.attention_watch.shutdown()  # what the watchers would read, fixed for the test: no re-read replaces it
    window.lease_watcher.shutdown()
    window.attention_watch.attention = {"本社": (
        Attention(AttentionKind.CALLS, "直近の通話3件の連携に失敗しました。設定確認を実行してください。"),
        Attention(AttentionKind.RELOGIN, "Salesforce に再ログインが必要です。"))}
    window.lease_watcher.owners = {"本社": LinkOwner("本社", "DESK-A-営業部-3階-窓側-2号機", 4321, False, 3.0)}
    window.refresh()
    qtbot.wait(50)  # the status bar lays its pieces out
    window.grab().save(str(tmp_path / "status_bar_1100.png"))
    whole = []
    for label in (window.link_status_label, window.owner_label, window.worker_message_label):
        text = label.text()
        assert text and label.isVisible()
        fits = label.fontMetrics().horizontalAdvance(text) <= label.contentsRect().width()
        assert fits or text in label.toolTip(), (text, label.toolTip())
        assert fits or label.elided()  # paints "…" where it is cut  # type: ignore[attr-defined]
        whole.append(fits)
    assert not all(whole)  # the case at hand: the bar is too narrow for everything
    assert "要対応: 通話の連携失敗、要再ログイン" in window.link_status_label.text()
    assert "直近の通話3件" in window.link_status_label.toolTip()  # the reasons stay in the tooltip
    for piece in (window.counters_label, window.api_label, window.jobs_label, window.worker_label):
        assert piece.isVisible() and piece.width() >= piece.sizeHint().width(), piece.text()
