"""Composition root: parse the command line, build the services, then run a command or the window."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from biztel_desk import __version__


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


def main(argv: Sequence[str] | None = None) -> int:
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
    from biztel_desk.ui.crash import install_crash_handler
    from biztel_desk.ui.main_window import MainWindow

    install_crash_handler(context.data_dir or Path(os.getcwd()))
    window = MainWindow(context)
    window.show()
    try:
        return app.exec()
    finally:
        context.close()
        del translators
