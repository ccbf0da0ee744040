"""Composition root: parse the command line, build the services, then run a command or the window."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from biztel_desk import __version__, resources_path

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from biztel_desk.services.context import AppContext, SecretStore
    from biztel_desk.services.demo import DemoProfile
    from biztel_desk.services.ingest_sources import IngestSources
    from biztel_desk.services.link_runtime import LinkRuntime, LinkWorker
    from biztel_desk.ui.demo_banner import DemoBanner
    from biztel_desk.ui.main_window import MainWindow
    from biztel_desk.ui.single_instance import SingleInstance

# Start-up measurement (bench/startup.py): with BIZTEL_DESK_STARTUP_PROBE=1 the window prints
# "startup-ms N" to stderr once it is shown, then quits. N counts from BIZTEL_DESK_LAUNCHED_AT (the
# time.time() at which the launcher started this process), else from this module's import.
STARTUP_PROBE = "BIZTEL_DESK_STARTUP_PROBE"
LAUNCHED_AT = "BIZTEL_DESK_LAUNCHED_AT"
_IMPORTED_AT = time.time()
# Test and diagnostic switch: with BIZTEL_DESK_QUIT_AFTER_S=N the window closes itself after N seconds, as if
# the user closed it (everything stops, the app exits 0); in demo mode it prints "demo calls=N linked=M" first.
QUIT_AFTER = "BIZTEL_DESK_QUIT_AFTER_S"
DEMO_HISTORY_COLUMNS = ("state", "from_number", "to_number", "started_at", "from_extension", "to_extension",
                        "processed_at", "task_id", "record_id", "error_message")
DEMO_POLL_S = 0.5  # the demo's link worker looks for new jobs this often (besides every simulated import's wake)
ICONS = resources_path("icons")
log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    from biztel_desk import cli

    parser = argparse.ArgumentParser(
        prog="biztel-desk",
        description="BIZTEL Desk: PBX call history and recordings linked to Salesforce.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    cli.add_global_options(parser)
    parser.add_argument("--demo", action="store_true", help="open the window on a throw-away demo profile")
    parser.add_argument("--setup-wizard", action="store_true", help="open the first-run setup wizard over the window")
    cli.add_commands(parser)
    return parser


def gui_args(argv: Sequence[str] | None) -> argparse.Namespace | None:
    """The options when ``argv`` opens the window, else None.

    The window path skips the full parser: building it imports every command module (Salesforce
    client, dev org, verification), which costs about a second of start-up.
    """
    from biztel_desk import cli

    parser = argparse.ArgumentParser(prog="biztel-desk", add_help=False, exit_on_error=False)
    cli.add_global_options(parser)
    parser.add_argument("--demo", action="store_true")
    parser.add_argument("--setup-wizard", action="store_true")
    parser.set_defaults(command=None)
    try:
        args, rest = parser.parse_known_args(argv)
    except argparse.ArgumentError:  # a bad option value: let the full parser say so
        return None
    return None if rest else args


def main(argv: Sequence[str] | None = None) -> int:
    args = gui_args(argv)
    if args is not None:
        return run_gui(args)
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "command", None):
        from biztel_desk import cli

        return cli.run(args)
    return run_gui(args)


def run_gui(args: argparse.Namespace) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from biztel_desk.services.context import DatabaseUnavailable, SchemaTooNew
    from biztel_desk.ui import i18n

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("BIZTEL Desk")
    app.setOrganizationName("BIZTEL Desk")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(window_icon())
    lang = args.lang or i18n.system_language()
    translators = i18n.install_translators(app, lang)
    from biztel_desk.ui.tasks import install_event_loop

    install_event_loop(app)  # the window's background jobs run on qasync (ui/tasks.py, docs/architecture.md)
    from biztel_desk.ui import gc_guard

    gc_guard.install(app)  # cyclic garbage (Qt objects among it) is collected on the GUI thread only
    gui = Gui(args, lang)
    cannot_start = app.translate("app", "BIZTEL Desk を起動できません。")
    try:
        session = gui.open()
    except AlreadyRunning as running:
        log.info("a window on %s is already open: brought it to the front", running)
        print(app.translate("app", "BIZTEL Desk はこのデータフォルダですでに起動しています。そのウィンドウを前面に表示しました。"),
              file=sys.stderr)
        return 0
    except SchemaTooNew as error:  # a newer app upgraded the database: never migrate or crash, say what to do
        from biztel_desk.domain.messages import message

        QMessageBox.critical(None, "BIZTEL Desk", message(
            "schema_too_new", lang, database_revision=error.database_revision, app_revision=error.app_revision))
        return 2
    except (DatabaseUnavailable, OSError) as error:
        log.warning("the window cannot start: %s", error)
        problem = error.text(lang) if isinstance(error, DatabaseUnavailable) and error.fault else None
        QMessageBox.critical(
            None,
            "BIZTEL Desk",
            f"{cannot_start}\n\n{problem}" if problem else
            app.translate("app", "データベースを開けません。\n{0}\n\nデータフォルダの場所と空き容量、または --db-url を確認してください。").format(error),
        )
        return 2
    except Exception as error:
        # A fault that only shows once the window reads its data (a damaged page, a lock held too long).
        from biztel_desk.services.faults import database_problem

        problem = database_problem(error, lang)
        if problem is None:
            raise
        log.warning("the window cannot start: %s", error)
        QMessageBox.critical(None, "BIZTEL Desk", f"{cannot_start}\n\n{problem}")
        return 2
    # What start-up built lives as long as the app: keep it out of the collector's full passes, which otherwise
    # stop every thread (the window too) for a few hundred ms now and then while the worker drains a backlog.
    import gc

    gc.freeze()
    if os.environ.get(STARTUP_PROBE) == "1":
        _report_startup(app)
    quit_after = _quit_after_s()
    if quit_after is not None:
        QTimer.singleShot(round(quit_after * 1000), session.window, gui.quit)
    try:
        return app.exec()
    finally:
        gui.close_all()
        del translators


def _quit_after_s() -> float | None:
    try:
        value = float(os.environ.get(QUIT_AFTER, ""))
    except ValueError:
        return None
    return value if value >= 0 else None


@dataclass(eq=False)
class GuiSession:
    """One window and what runs for it: the context, the link runtime (worker, call sources, housekeeping) and, in
    demo mode, the profile.

    ``close()`` runs when the window has closed (its ``closed`` signal): the worker has stopped by then
    (the window stops it), so the demo profile can stop the dev org and remove its temp dir.
    """

    context: AppContext
    window: MainWindow
    runtime: LinkRuntime
    profile: DemoProfile | None = None
    banner: DemoBanner | None = None
    closed: bool = False

    @property
    def worker(self) -> LinkWorker:
        return self.runtime.worker

    @property
    def ingest(self) -> IngestSources | None:
        """The real profile's watched folder and HTTP endpoint, once started (None in demo mode)."""
        return self.runtime.sources

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        # The sources first (no call may arrive once the database is closed), then the worker (the window's close
        # already stopped it, unless the app quit without closing it), then housekeeping.
        self.runtime.stop(10)
        self.window.history_tab.model.shutdown()  # no page query may outlive the database
        if self.profile is not None:
            self.profile.stop()  # the simulator, the dev org, the database (the context) and the temp dir
        else:
            self.context.close()


def build_window(context: AppContext, profile: DemoProfile | None = None) -> GuiSession:
    """The main window on ``context`` with its link runtime (not shown yet).

    The runtime's housekeeping and, for the real profile, its call sources start once the window is built: the
    sources (SPEC §8.2, §8.3) on the runtime's own thread, so importing the ingest modules (≈ 80 ms) never delays
    the window; each call they add wakes the worker; 通話の取り込み元… restarts them through the runtime. The
    worker itself is started by the window (its WorkerController) at the first turn of the event loop.
    """
    from biztel_desk.services.link_runtime import LinkRuntime
    from biztel_desk.ui.main_window import MainWindow

    # The link worker runs while the window is open; each setting's status decides.
    # Demo: poll twice a second, so a simulated call is linked within a second even between wake-ups; no sources.
    runtime = LinkRuntime(context, poll_interval_s=DEMO_POLL_S if profile is not None else 1.0,
                          run_sources=profile is None)
    window = MainWindow(context, runtime=runtime)
    runtime.start(worker=False)
    session = GuiSession(context, window, runtime, profile)
    window.closed.connect(session.close)
    return session


def build_demo(lang: str = "ja", base_dir: Path | None = None, real_profile: dict[str, str] | None = None,
               **profile_options: Any) -> GuiSession:
    """Demo mode: a throw-away profile (services/demo.py) and the window on it, with the banner (not shown yet).

    Provisioning is local (an in-process dev org, SQLite in a temp dir) and takes about a second, before the
    window exists; the simulator is already running and the first calls are waiting for the worker.
    """
    from biztel_desk.services.demo import DemoProfile
    from biztel_desk.ui.demo_banner import DemoBanner
    from biztel_desk.ui.tabs import history_tab

    profile = DemoProfile.start(base_dir, lang=lang, **profile_options)
    config = profile.context.config
    if config.preference(history_tab.PREFERENCE_KEY) is None:
        # The demo's story fits in the window: who called whom, when, and the Task (通話履歴, 紐付け先) — the
        # retry columns stay empty in a demo (no-match calls go to the fallback record at once).
        config.set_preference(history_tab.PREFERENCE_KEY, list(DEMO_HISTORY_COLUMNS))
    try:
        session = build_window(profile.context, profile)
    except BaseException:
        profile.stop()
        raise
    window = session.window
    profile.set_listener(session.runtime.wake)  # each simulated import wakes the worker, like a real import
    banner = session.banner = DemoBanner.attach(window)
    banner.connect_requested.connect(lambda: end_demo_for_real_setup(session, real_profile))
    window.real_setup_requested.connect(banner.request_connect)  # the wizard's menu item: the same way out
    window.select_setting(profile.setting_name)
    window.tabs.setCurrentWidget(window.history_tab)
    return session


def end_demo_for_real_setup(session: GuiSession, real_profile: dict[str, str] | None = None) -> bool:
    """「実際のSalesforceに接続」, confirmed: start the app on the real profile with the setup wizard, end the demo.

    A new process rather than a switch in this one: every demo thread and file is surely gone, and the real
    profile opens exactly as at a normal start (the OS keyring, the real data dir, the wizard over the window).
    ``real_profile`` names the real profile's data dir and database (``Gui.real_profile``): the new process opens
    the profile the admin started with, not the default one.
    """
    from biztel_desk.ui.demo_banner import show_launch_failed

    if not relaunch(["--lang", session.context.lang, "--setup-wizard"], real_profile):
        show_launch_failed(session.window, demo=False)
        return False
    session.window.close()
    return True


def relaunch(arguments: Sequence[str], profile: dict[str, str] | None = None) -> bool:
    """Start this application again as a new process (``python -m biztel_desk …`` or the frozen executable).

    ``profile`` adds environment variables (BIZTEL_DESK_HOME, BIZTEL_DESK_DB_URL): the real profile travels to the new
    process, and through a demo process to the real one it starts later, without a database URL (and its password)
    on a command line that other users of the machine can read.
    """
    from PySide6.QtCore import QProcess, QProcessEnvironment

    prefix = [] if getattr(sys, "frozen", False) else ["-m", "biztel_desk"]
    process = QProcess()
    process.setProgram(sys.executable)
    process.setArguments([*prefix, *arguments])
    environment = QProcessEnvironment.systemEnvironment()
    for name, value in (profile or {}).items():
        environment.insert(name, value)
    process.setProcessEnvironment(environment)
    started = process.startDetached()  # (ok, pid) in some PySide6 versions, a bool in others
    return bool(started[0] if isinstance(started, tuple) else started)


class AlreadyRunning(Exception):
    """A window on this data dir is open in another process; it was asked to come to the front."""


class Gui:
    """The windows of this process: the real profile's, or the demo's (``--demo``, or デモを試す on first run).

    デモを試す on the first run (the real profile has no account, so nothing real runs) switches this process to
    the demo: the demo window opens and the empty real window closes. From a profile that is set up, the demo
    runs as a separate process so the real link worker keeps going. 「実際のSalesforceに接続」 in the demo:
    see ``end_demo_for_real_setup``.
    """

    def __init__(self, args: argparse.Namespace, lang: str, secrets: SecretStore | None = None) -> None:
        self.args = args
        self.lang = lang
        self.secrets = secrets  # None: the OS keyring (tests pass a memory store)
        self.instance: SingleInstance | None = None  # one window per data dir (ui/single_instance.py)
        self.sessions: list[GuiSession] = []

    @property
    def current(self) -> GuiSession | None:
        """The open window's session (the newest one still open)."""
        return next((s for s in reversed(self.sessions) if not s.closed), None)

    def open(self) -> GuiSession:
        """Open and show the window ``args`` asks for; raises DatabaseUnavailable / OSError when it cannot."""
        if getattr(self.args, "demo", False):
            # --demo --data-dir DIR keeps the demo in DIR (the admin said so); otherwise a temp dir.
            explicit = getattr(self.args, "data_dir", None)
            return self.open_demo(Path(explicit).expanduser() if explicit else None)
        from PySide6.QtCore import QTimer

        from biztel_desk import applog, cli
        from biztel_desk.services.context import data_dir
        from biztel_desk.ui.crash import install_crash_handler

        directory = data_dir(getattr(self.args, "data_dir", None))
        applog.configure(directory)
        from biztel_desk.ui.single_instance import SingleInstance

        instance = SingleInstance(directory)
        if not instance.claim():  # this data dir's window is open: it came to the front, this start ends
            raise AlreadyRunning(directory)
        self.instance = instance
        context = cli.open_context(self.args, lang=self.lang, secrets=self.secrets)
        install_crash_handler(context.data_dir or Path(os.getcwd()), self.lang, context.database.location)
        try:
            session = build_window(context)
        except BaseException:
            context.close()
            raise
        self.sessions.append(session)
        window = session.window
        instance.activate_requested.connect(window.bring_to_front)
        window.quits_app = True
        window.demo_requested.connect(self._on_window_demo_requested)
        window.show()
        first_run = not context.config.list_accounts()
        if (first_run or getattr(self.args, "setup_wizard", False)) and os.environ.get(STARTUP_PROBE) != "1":
            # Over the window, at the first turn of the event loop: the window is up, the wizard on top.
            QTimer.singleShot(0, window, window.open_setup_wizard)
        return session

    def real_profile(self) -> dict[str, str]:
        """The real profile's --data-dir / --db-url as the environment variables a relaunched process reads.

        Empty in a demo process: its --data-dir is the demo's own; the real profile came in its environment and
        goes on to the processes it starts.
        """
        if getattr(self.args, "demo", False):
            return {}
        profile: dict[str, str] = {}
        if getattr(self.args, "data_dir", None):
            profile["BIZTEL_DESK_HOME"] = str(Path(self.args.data_dir).expanduser().resolve())
        if getattr(self.args, "db_url", None):
            profile["BIZTEL_DESK_DB_URL"] = str(self.args.db_url)
        return profile

    def open_demo(self, base_dir: Path | None = None) -> GuiSession:
        """Open and show the demo window; its profile lives in ``base_dir``, else in a temp dir removed at the end."""
        from biztel_desk.services.context import data_dir
        from biztel_desk.ui.crash import install_crash_handler

        session = build_demo(self.lang, base_dir, real_profile=self.real_profile())
        # No log file of its own: the demo never touches the real data dir, and an open log would keep Windows
        # from removing the demo's temp dir. Crash reports go to the real data dir's crash.log (only on a crash).
        install_crash_handler(data_dir(getattr(self.args, "data_dir", None)), self.lang)
        self.sessions.append(session)
        session.window.show()
        return session

    def quit(self) -> None:
        """BIZTEL_DESK_QUIT_AFTER_S: close the window as the user would (everything stops, then the app quits)."""
        session = self.current
        if session is None:
            return
        profile = session.profile
        if profile is not None:
            counters = session.worker.status.counters
            print(f"demo calls={len(profile.simulator.unique_ids)} linked={counters.linked}", file=sys.stderr,
                  flush=True)
        session.window.close()

    def close_all(self) -> None:
        from PySide6.QtCore import QCoreApplication, QEvent

        if self.instance is not None:
            self.instance.release()
            self.instance = None

        for session in self.sessions:
            if session.window.isVisible():
                session.window.close()
            session.close()
            session.window.deleteLater()
        # Delete now, not at interpreter exit: PySide can crash finalizing widgets that outlive the QApplication.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    def _on_window_demo_requested(self) -> None:
        """デモを試す in the wizard."""
        real = self.current
        if real is None:
            return
        if real.profile is None and not real.context.config.list_accounts():
            self.open_demo()  # first run: nothing real runs yet, switch this process to the demo
            real.window.close()
            return
        # A profile that is set up: the demo in its own process, the real window and its worker keep running.
        if not relaunch(["--demo", "--lang", self.lang], self.real_profile()):
            from biztel_desk.ui.demo_banner import show_launch_failed

            show_launch_failed(real.window, demo=True)


def window_icon() -> QIcon:
    """The application icon in every size under resources/icons (Qt picks the one that fits)."""
    from PySide6.QtGui import QIcon

    icon = QIcon()
    for png in sorted(ICONS.glob("biztel-desk-*.png")):
        icon.addFile(str(png))
    return icon


def _report_startup(app: QApplication) -> None:
    """Process the pending show/expose events, print "startup-ms N" to stderr, quit at the next turn."""
    from PySide6.QtCore import QTimer

    app.processEvents()
    try:
        launched = float(os.environ.get(LAUNCHED_AT, ""))
    except ValueError:
        launched = _IMPORTED_AT
    print(f"startup-ms {round((time.time() - launched) * 1000)}", file=sys.stderr, flush=True)
    QTimer.singleShot(0, app.quit)
