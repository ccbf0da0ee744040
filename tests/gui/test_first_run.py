"""First run: an empty profile opens the setup wizard over the window; デモを試す switches to the demo in-process."""

from __future__ import annotations

import argparse
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.window import Boxes, boxes_fixture  # noqa: F401 (fixtures)
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from biztel_desk import app
from biztel_desk.domain.config import AccountConfig, LinkSettingConfig, LinkTargetConfig
from biztel_desk.secrets import MemoryBackend, SecretStore
from biztel_desk.services.context import AppContext
from biztel_desk.services.demo import DEMO_SETTING
from biztel_desk.store import repos
from biztel_desk.store.db import Database
from biztel_desk.ui.wizard import FirstRunWizard

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform's note when a dialog is shown


def _args(data_dir: Path, **extra: object) -> argparse.Namespace:
    values: dict[str, object] = {"data_dir": str(data_dir), "db_url": None, "lang": "ja", "demo": False,
                                 "setup_wizard": False, "command": None}
    values.update(extra)
    return argparse.Namespace(**values)


@pytest.fixture
def gui(qtbot: QtBot, tmp_path: Path, boxes: Boxes) -> Iterator[app.Gui]:
    threads = set(threading.enumerate())
    gui = app.Gui(_args(tmp_path / "real"), lang="ja", secrets=SecretStore(MemoryBackend()))
    yield gui
    gui.close_all()
    # Every thread of the profile ends; the window's job pool (ui/tasks.py) is the application's and may stay idle.
    qtbot.waitUntil(lambda: not {t for t in set(threading.enumerate()) - threads if not t.name.startswith("ui-job")},
                    timeout=5000)


def _add_account(data_dir: Path) -> None:
    """A profile that was set up before: one account."""
    database = Database.open(directory=data_dir)
    try:
        AppContext(database, SecretStore(MemoryBackend())).config.save_account(
            AccountConfig(name="本番", username="admin@example.com")
        )
    finally:
        database.close()


def _wizard(qtbot: QtBot, session: app.GuiSession) -> FirstRunWizard:
    found: list[FirstRunWizard] = []

    def shown() -> bool:
        found[:] = [w for w in session.window.findChildren(FirstRunWizard) if w.isVisible()]
        return bool(found)

    qtbot.waitUntil(shown, timeout=5000)
    return found[0]


def test_empty_profile_opens_the_wizard_over_the_window(qtbot: QtBot, gui: app.Gui) -> None:
    session = gui.open()
    assert session.profile is None and session.window.isVisible()
    wizard = _wizard(qtbot, session)
    assert wizard.parent() is session.window
    assert wizard.welcome_page.demo_button.isVisible() and wizard.welcome_page.connect_button.isVisible()
    wizard.reject()


def test_choosing_demo_switches_this_process_to_the_demo_profile(qtbot: QtBot, gui: app.Gui, tmp_path: Path) -> None:
    real = gui.open()
    wizard = _wizard(qtbot, real)
    wizard.welcome_page.demo_button.click()
    assert wizard.choice == "demo"
    qtbot.waitUntil(lambda: gui.current is not None and gui.current.profile is not None, timeout=10000)
    demo = gui.current
    assert demo is not None and demo.profile is not None
    qtbot.waitExposed(demo.window)
    assert demo.banner is not None and demo.banner.isVisible()
    assert demo.window.selected_setting() == DEMO_SETTING
    # The empty real window made way for the demo; nothing of the demo went into the real profile.
    assert not real.window.isVisible()
    assert demo.profile.data_dir != tmp_path / "real"
    database = Database.open(directory=tmp_path / "real")
    try:
        with database.read() as session:
            assert repos.list_accounts(session) == []
    finally:
        database.close()
    qtbot.waitUntil(lambda: demo.worker.status.counters.linked > 0, timeout=10000)


def test_the_demos_real_connection_opens_the_profile_the_app_was_started_with(
        qtbot: QtBot, gui: app.Gui, tmp_path: Path, boxes: Boxes, monkeypatch: pytest.MonkeyPatch) -> None:
    """Started with --data-dir (and --db-url): デモを試す, then 実際のSalesforceに接続 opens that profile again."""
    gui.args.db_url = None
    launched: list[tuple[list[str], dict[str, str] | None]] = []
    monkeypatch.setattr(app, "relaunch", lambda arguments, real=None: launched.append((list(arguments), real)) or True)
    real = gui.open()
    _wizard(qtbot, real).welcome_page.demo_button.click()
    qtbot.waitUntil(lambda: gui.current is not None and gui.current.profile is not None, timeout=10000)
    demo = gui.current
    assert demo is not None and demo.banner is not None
    boxes.answer(QMessageBox.StandardButton.Ok)
    demo.banner.connect_button.click()
    assert launched == [(["--lang", "ja", "--setup-wizard"], {"BIZTEL_DESK_HOME": str((tmp_path / "real").resolve())})]
    gui.args.db_url = "postgresql+psycopg://biztel@db/biztel"
    assert gui.real_profile()["BIZTEL_DESK_DB_URL"] == "postgresql+psycopg://biztel@db/biztel"


def test_profile_with_an_account_opens_no_wizard_but_the_menu_does(qtbot: QtBot, gui: app.Gui, tmp_path: Path) -> None:
    _add_account(tmp_path / "real")
    session = gui.open()
    qtbot.wait(50)  # one turn of the event loop: the first-run check runs at the first turn
    assert not [w for w in session.window.findChildren(FirstRunWizard) if w.isVisible()]
    session.window.setup_wizard_action.trigger()
    wizard = _wizard(qtbot, session)
    wizard.reject()


def test_connect_path_selects_the_setting_the_wizard_made(qtbot: QtBot, gui: app.Gui) -> None:
    session = gui.open()
    wizard = _wizard(qtbot, session)
    # What the wizard's pages save on the way (test_wizard.py drives them against a dev org).
    config = session.context.config
    config.save_account(AccountConfig(name="本番", username="admin@example.com"))
    config.save_basic(LinkSettingConfig(name="本社", account="本番", fallback_record_id="0012v000032fR15AAE",
                                        api_consent=True, targets=(LinkTargetConfig("03-1234-5678"),)))
    config.save_basic(LinkSettingConfig(name="大阪", account="本番", fallback_record_id="0012v000032fR15AAE",
                                        api_consent=True, targets=(LinkTargetConfig("06-1234-5678"),)))
    session.window.refresh()
    wizard.setting_ready.emit("大阪")
    assert session.window.selected_setting() == "大阪"
    wizard.reject()


def test_setup_wizard_option_opens_it_even_with_accounts(qtbot: QtBot, tmp_path: Path, boxes: Boxes) -> None:
    gui = app.Gui(_args(tmp_path / "real", setup_wizard=True), lang="ja", secrets=SecretStore(MemoryBackend()))
    try:
        _add_account(tmp_path / "real")
        session = gui.open()
        _wizard(qtbot, session).reject()
    finally:
        gui.close_all()


@pytest.mark.qt_log_ignore("does not support raise")  # the offscreen platform cannot raise a window
def test_a_second_start_on_the_same_data_dir_brings_the_first_window_forward(
        qtbot: QtBot, gui: app.Gui, tmp_path: Path) -> None:
    _add_account(tmp_path / "real")
    session = gui.open()
    session.window.showMinimized()
    second = app.Gui(_args(tmp_path / "real"), lang="ja", secrets=SecretStore(MemoryBackend()))
    with pytest.raises(app.AlreadyRunning):
        second.open()
    assert second.sessions == []  # nothing of the profile opened twice: no database, no worker, no window
    qtbot.waitUntil(lambda: not session.window.isMinimized(), timeout=5000)
    other = app.Gui(_args(tmp_path / "other"), lang="ja", secrets=SecretStore(MemoryBackend()))
    try:
        assert other.open().window.isVisible()  # another data dir is another profile: it opens
    finally:
        other.close_all()
