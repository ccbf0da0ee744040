"""The window as the console of this PC's background service: a REAL ``biztel-desk sync --service`` subprocess (as
``biztel-desk service install`` registers it) links the dev org; the window starts no worker of its own, shows the
service's state from its heartbeat row, and its 有効/一時停止 status buttons and 開始/一時停止/停止 act on the
subprocess through the database."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.cli import cli_env, run_cli
from helpers.window import Boxes, boxes_fixture, close_window  # noqa: F401 (fixtures)
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from biztel_desk.devorg import seed_data
from biztel_desk.devorg.server import DevOrg
from biztel_desk.domain import phone
from biztel_desk.domain.call import CallRecord
from biztel_desk.domain.config import AccountConfig, LinkSettingConfig, LinkTargetConfig, SecretKind
from biztel_desk.domain.jobs import JobState
from biztel_desk.engine.lease import SERVICE, SYNC, list_services
from biztel_desk.engine.worker import LinkWorker
from biztel_desk.services.context import AppContext
from biztel_desk.store import calls as store_calls
from biztel_desk.store.models import LinkJob
from biztel_desk.ui.main_window import MainWindow

COMPANY = "03-1234-5678"
RECORDS = 60
SERVICE_LINE = "バックグラウンド連携(このPCのサービス)が連携中"

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture(scope="module")
def org() -> Iterator[DevOrg]:
    with DevOrg(seed="demo", records=RECORDS) as dev_org:
        yield dev_org


def numbers() -> list[str]:
    canonical = seed_data.canonical_numbers(seed_data.generate_demo(RECORDS, 0))
    return [phone.national_format(number) for number in sorted(canonical)][:20]


class Service:
    """``python -m biztel_desk --data-dir DIR sync --service``: what the OS service runs."""

    def __init__(self, context: AppContext, env: dict[str, str]) -> None:
        assert context.data_dir is not None
        self.context = context
        self.log = open(context.data_dir / "service.err", "w+", encoding="utf-8")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "biztel_desk", "--data-dir", str(context.data_dir), "--lang", "ja", "sync",
             "--service", "--batch-size", "20"],
            env=env, stdout=subprocess.PIPE, stderr=self.log, text=True)
        deadline = time.monotonic() + 60
        while not self.heartbeat():
            assert self.process.poll() is None, self.stderr()
            assert time.monotonic() < deadline, "the service wrote no heartbeat"
            time.sleep(0.2)

    def heartbeat(self):  # type: ignore[no-untyped-def]
        rows = [s for s in list_services(self.context.database) if s.pid == self.process.pid and not s.expired]
        return rows[0] if rows else None

    def stderr(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(60)
        self.log.close()


@pytest.fixture
def service_env(context: AppContext, org: DevOrg, tmp_path: Path, db_url: str | None) -> dict[str, str]:
    """The dev org's account and the setting 本社 (enabled) in the database, its secrets in the file keyring."""
    assert context.data_dir is not None
    env = cli_env(tmp_path)
    if db_url:
        env["BIZTEL_DESK_DB_URL"] = db_url
    fallback = next(str(r["Id"]) for r in org.records("Account") if r.get("Name") == "登録情報なし")
    # In the test's keyring too: the window links itself once the service is gone.
    context.config.save_account(
        AccountConfig(name="devorg", username=org.credentials["username"], login_host=org.url),
        secrets={SecretKind.PASSWORD: org.credentials["password"],
                 SecretKind.SECURITY_TOKEN: org.credentials["security_token"]})
    context.config.save_basic(LinkSettingConfig(name="本社", account="devorg", fallback_record_id=fallback,
                                                api_consent=True, status="enabled",
                                                targets=(LinkTargetConfig(COMPANY),)))
    for kind in ("password", "security_token"):
        done = run_cli(env, context.data_dir, "account", "set-secret", "devorg", kind,
                       stdin=org.credentials[kind] + "\n")
        assert done.returncode == 0, done.stderr
    return env


@pytest.fixture
def service(context: AppContext, service_env: dict[str, str]) -> Iterator[Service]:
    running = Service(context, service_env)
    yield running
    running.stop()


def add_calls(context: AppContext, count: int) -> list[str]:
    prefix = uuid.uuid4().hex[:10]
    start = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    known = numbers()
    records = [CallRecord(unique_id=f"svc-{prefix}-{i:04d}", from_number=known[i % len(known)], to_number=COMPANY,
                          started_at=start + dt.timedelta(minutes=i), duration_s=30, direction="inbound").finish()
               for i in range(count)]
    with context.database.begin() as session:
        store_calls.add_calls(session, records)
    return [record.unique_id for record in records]


def linked(context: AppContext) -> int:
    with context.database.read() as session:
        return int(session.scalar(select(func.count()).select_from(LinkJob)
                                  .where(LinkJob.state == JobState.LINKED.value)) or 0)


def open_console(qtbot: QtBot, context: AppContext) -> tuple[MainWindow, LinkWorker]:
    worker = LinkWorker(context.database, context.secrets, lang="ja", poll_interval_s=0.2)
    window = MainWindow(context, worker=worker)
    window.show()
    qtbot.waitExposed(window)
    return window, worker


def screenshot(window: MainWindow, name: str) -> None:
    if os.environ.get("BIZTEL_SCREENSHOT_DIR"):
        window.grab().save(os.path.join(os.environ["BIZTEL_SCREENSHOT_DIR"], name))


def test_the_window_is_the_console_of_the_running_service(qtbot: QtBot, context: AppContext, service: Service,
                                                          boxes: Boxes, tmp_path: Path) -> None:
    window, worker = open_console(qtbot, context)
    try:
        qtbot.waitUntil(lambda: SERVICE_LINE in window.progress_label.text(), timeout=10_000)
        assert window.lease_watcher.service is not None and window.lease_watcher.service.pid == service.process.pid
        assert not worker.running  # no second worker: the service owns the settings
        assert "サービスが連携中" in window.worker_label.text()
        assert "最終応答" in window.progress_label.text()
        assert window.pause_action.isEnabled() and window.stop_action.isEnabled()
        assert not window.start_action.isEnabled()
        assert not window.progress_bar.isVisible()  # the service's backlog is not counted by the window
        window.grab().save(str(tmp_path / "console.png"))
        screenshot(window, "service_console.png")

        # The service links what arrives; the window only watches.
        add_calls(context, 3)
        qtbot.waitUntil(lambda: linked(context) == 3, timeout=30_000)
        qtbot.waitUntil(lambda: window.owner_label.text() == "この設定はバックグラウンド連携(このPCのサービス)が連携中",
                        timeout=10_000)

        # 録音連携ステータス 一時停止 in the window: the service sends nothing, 有効 again: it sends at once.
        window.basic_tab.status_buttons[next(s for s in window.basic_tab.status_buttons if s.value == "paused")].click()
        assert context.config.get_setting("本社").status == "paused"  # type: ignore[union-attr]
        add_calls(context, 2)
        time.sleep(4)  # the service re-reads the status every round (≤ 1 s): four rounds, nothing sent
        assert linked(context) == 3
        window.basic_tab.status_buttons[next(s for s in window.basic_tab.status_buttons if s.value == "enabled")].click()
        qtbot.waitUntil(lambda: linked(context) == 5, timeout=20_000)

        # 休止 / 再開 on the toolbar: a command through the heartbeat row, picked up within a second.
        window.pause_action.trigger()
        assert not window.pause_action.isEnabled()  # until the service has picked the command up
        qtbot.waitUntil(lambda: "休止中" in window.progress_label.text(), timeout=10_000)
        assert service.heartbeat().state == "paused"
        assert window.start_action.isEnabled() and window.start_action.text() == "再開"
        screenshot(window, "service_console_paused.png")
        add_calls(context, 2)
        time.sleep(3)
        assert linked(context) == 5
        # 今すぐ再試行 while the service is suspended: the window says why nothing is sent, and asks nothing.
        window.history_tab.status_label.setText("")
        window._on_history_tab_retried(1)
        assert "休止中のため、まだ送信しません" in window.history_tab.status_label.text()
        assert service.heartbeat().command is None
        window.start_action.trigger()
        qtbot.waitUntil(lambda: linked(context) == 7, timeout=20_000)
        qtbot.waitUntil(lambda: SERVICE_LINE in window.progress_label.text() and window.stop_action.isEnabled(),
                        timeout=10_000)  # the command was picked up: the buttons are back
        assert not worker.running
        # 今すぐ再試行 while it links: the service is asked (a command it picks up within a second), no excuse shown.
        window.history_tab.status_label.setText("")
        window._on_history_tab_retried(1)
        from biztel_desk.services import app_log

        assert context.data_dir is not None
        qtbot.waitUntil(lambda: any("command from the window: send_now" in entry.message
                                    for entry in app_log.read_entries(context.data_dir)), timeout=5_000)
        assert window.history_tab.status_label.text() == ""
        qtbot.waitUntil(window.stop_action.isEnabled, timeout=10_000)  # the next read shows the command picked up

        # 停止: the service ends (exit 0: a service manager leaves it stopped); the window offers to link itself.
        window.stop_action.trigger()
        qtbot.waitUntil(lambda: service.process.poll() is not None, timeout=60_000)
        assert service.process.returncode == 0, service.stderr()
        assert "画面の「停止」" in service.stderr()
        qtbot.waitUntil(lambda: window.lease_watcher.service is None, timeout=10_000)
        qtbot.waitUntil(lambda: "「開始」を押してください" in window.worker_message_label.text(), timeout=5_000)
        assert window.start_action.isEnabled() and not worker.running
        assert window.progress_bar.isVisible()
        window.start_action.trigger()
        qtbot.waitUntil(lambda: worker.running, timeout=5_000)
        add_calls(context, 1)
        assert window.worker_controller is not None
        window.worker_controller.wake()
        qtbot.waitUntil(lambda: linked(context) == 8, timeout=30_000)
    finally:
        if window.worker_controller is not None:
            window.worker_controller.shutdown(30)
        worker.stop(30)
        close_window(window)


def test_a_service_that_starts_later_takes_over_from_the_window(qtbot: QtBot, context: AppContext,
                                                                service_env: dict[str, str], boxes: Boxes) -> None:
    window, worker = open_console(qtbot, context)
    started: Service | None = None
    try:
        qtbot.waitUntil(lambda: worker.running, timeout=10_000)  # no service: the window links as always
        started = Service(context, service_env)
        qtbot.waitUntil(lambda: not worker.running, timeout=30_000)  # the window's worker hands over
        qtbot.waitUntil(lambda: SERVICE_LINE in window.progress_label.text(), timeout=10_000)
        add_calls(context, 2)
        qtbot.waitUntil(lambda: linked(context) == 2, timeout=30_000)
        assert not worker.running
        # The service is killed (no clean stop): its heartbeat expires, and the window offers 開始 again.
        started.process.kill()
        started.process.wait()
        qtbot.waitUntil(lambda: window.lease_watcher.service is None, timeout=30_000)
        assert window.start_action.isEnabled() and not worker.running
    finally:
        if started is not None:
            started.stop()
        if window.worker_controller is not None:
            window.worker_controller.shutdown(30)
        worker.stop(30)
        close_window(window)


def test_the_heartbeat_row_is_the_service_kind_and_goes_with_a_clean_stop(context: AppContext,
                                                                          service: Service) -> None:
    beat = service.heartbeat()
    assert beat.kind == SERVICE and beat.data_dir == str(context.data_dir)
    assert beat.heartbeat_age_s < 10
    service.process.terminate()
    assert service.process.wait(60) == 0, service.stderr()
    assert [s for s in list_services(context.database) if s.pid == service.process.pid] == []


BEACON = """
import os, sys, threading
from pathlib import Path
from biztel_desk.engine.lease import SERVICE, ServiceBeacon
from biztel_desk.store.db import Database, sqlite_url
database = Database(os.environ.get("BIZTEL_DESK_DB_URL") or sqlite_url(Path(sys.argv[1])))
done = threading.Event()
def on_command(command):
    print(command, flush=True)
    done.set()
beacon = ServiceBeacon(database, sys.argv[3], on_command)
beacon.update("error", sys.argv[2])
beacon.start()
print("ready", flush=True)
done.wait(120)
beacon.stop()
"""


def test_the_services_error_is_shown_and_start_asks_it_to_run_again(qtbot: QtBot, context: AppContext,
                                                                    boxes: Boxes) -> None:
    """A service whose worker is in error (its heartbeat row says so): the window shows its message; 開始 is the
    command ``run`` (the worker starts again at once)."""
    error = "「本社」: Salesforceにログインできません。アカウント管理でログインし直してください。"
    process = subprocess.Popen([sys.executable, "-c", BEACON, str(context.data_dir), error, SERVICE],
                               stdout=subprocess.PIPE, text=True)
    window: MainWindow | None = None
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
        window, worker = open_console(qtbot, context)
        qtbot.waitUntil(lambda: window.worker_message_label.text() == error, timeout=10_000)
        assert "バックグラウンド連携(このPCのサービス)でエラー" in window.progress_label.text()
        assert "サービスでエラー" in window.worker_label.text()
        assert window.start_action.isEnabled() and window.pause_action.isEnabled()
        assert not worker.running
        screenshot(window, "service_console_error.png")
        window.start_action.trigger()
        qtbot.waitUntil(lambda: process.poll() is not None, timeout=30_000)  # the event loop runs the command's job
        assert process.returncode == 0 and process.stdout.read().strip() == "run"
        qtbot.waitUntil(lambda: window.lease_watcher.service is None, timeout=10_000)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if window is not None:
            assert window.worker_controller is not None
            window.worker_controller.shutdown(30)
            close_window(window)


def test_a_sync_started_by_hand_is_not_the_service(qtbot: QtBot, context: AppContext, boxes: Boxes) -> None:
    """Only the OS service (sync --service) makes the window its console: with a hand-started sync the window
    links as before (the leases keep them from sending a setting twice)."""
    process = subprocess.Popen([sys.executable, "-c", BEACON, str(context.data_dir), "x", SYNC],
                               stdout=subprocess.PIPE, text=True)
    window: MainWindow | None = None
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
        assert [s.kind for s in list_services(context.database) if s.pid == process.pid] == [SYNC]
        window, worker = open_console(qtbot, context)
        qtbot.waitUntil(lambda: worker.running, timeout=10_000)
        assert window.lease_watcher.loaded and window.lease_watcher.service is None
        assert "バックグラウンド連携" not in window.progress_label.text()
    finally:
        process.kill()
        process.wait()
        if window is not None:
            assert window.worker_controller is not None
            window.worker_controller.shutdown(30)
            close_window(window)


def test_closing_while_the_service_links_asks_nothing(qtbot: QtBot, context: AppContext, boxes: Boxes,
                                                      monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The service of this PC links (its heartbeat is current), even with no service file found: the window's
    worker never ran, so closing stops nothing and asks nothing (linking goes on in the service)."""
    from biztel_desk.ui.dialogs.close_dialog import CloseDialog
    from biztel_desk.ui.tray import AppTray

    monkeypatch.setattr(AppTray, "available", staticmethod(lambda: True))  # offscreen has no tray
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no service file: only the heartbeat says it runs
    asked: list[bool] = []
    monkeypatch.setattr(CloseDialog, "exec", lambda self: asked.append(True) or 0)
    process = subprocess.Popen([sys.executable, "-c", BEACON, str(context.data_dir), "", SERVICE],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
        window, worker = open_console(qtbot, context)
        qtbot.waitUntil(lambda: window.lease_watcher.service is not None, timeout=10_000)
        window.close()
        assert asked == [] and not window.isVisible() and window.tray is None
        assert not worker.running
        window.deleteLater()
    finally:
        process.kill()
        process.wait()
