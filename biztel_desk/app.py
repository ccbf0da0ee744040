"""Composition root: parse the command line, build the services, then run a command or the window."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from biztel_desk import __version__

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

# Start-up measurement (bench/startup.py): with BIZTEL_DESK_STARTUP_PROBE=1 the window prints
# "startup-ms N" to stderr once it is shown, then quits. N counts from BIZTEL_DESK_LAUNCHED_AT (the
# time.time() at which the launcher started this process), else from this module's import.
STARTUP_PROBE = "BIZTEL_DESK_STARTUP_PROBE"
LAUNCHED_AT = "BIZTEL_DESK_LAUNCHED_AT"
_IMPORTED_AT = time.time()
ICONS = Path(__file__).resolve().parent / "resources" / "icons"


def build_parser() -> argparse.ArgumentParser:
    from biztel_desk import cli

    parser = argparse.ArgumentParser(
        prog="biztel-desk",
        description="BIZTEL Desk: PBX call history and recordings linked to Salesforce.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    cli.add_global_options(parser)
    parser.add_argument("--demo", action="store_true", help="open the window on a throw-away demo profile")
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
    from PySide6.QtWidgets import QApplication, QMessageBox

    from biztel_desk import cli
    from biztel_desk.store.db import DatabaseUnavailable
    from biztel_desk.ui import i18n

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("BIZTEL Desk")
    app.setOrganizationName("BIZTEL Desk")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(window_icon())
    lang = args.lang or i18n.system_language()
    translators = i18n.install_translators(app, lang)
    try:
        context = cli.open_context(args, lang=lang)
    except DatabaseUnavailable as error:
        QMessageBox.critical(
            None,
            "BIZTEL Desk",
            app.translate("app", "データベースを開けません。\n{0}\n\nデータフォルダの場所と空き容量、または --db-url を確認してください。").format(error),
        )
        return 2
    from biztel_desk.engine.worker import LinkWorker
    from biztel_desk.services.housekeeping import Housekeeper
    from biztel_desk.ui.crash import install_crash_handler
    from biztel_desk.ui.main_window import MainWindow

    install_crash_handler(context.data_dir or Path(os.getcwd()))
    # The link worker runs while the window is open (the window starts it); each setting's status decides.
    worker = LinkWorker(context.database, context.secrets, lang=context.lang)
    housekeeper = Housekeeper(context.database)
    housekeeper.start()
    window = MainWindow(context, worker=worker)
    window.show()
    # What start-up built lives as long as the app: keep it out of the collector's full passes, which otherwise
    # stop every thread (the window too) for a few hundred ms now and then while the worker drains a backlog.
    import gc

    gc.freeze()
    if os.environ.get(STARTUP_PROBE) == "1":
        _report_startup(app)
    try:
        return app.exec()
    finally:
        worker.stop(10)  # the window's close already stopped it, unless the app quit without closing it
        housekeeper.stop()
        context.close()
        del translators


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
