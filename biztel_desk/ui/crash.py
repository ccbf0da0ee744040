"""The one handler for bugs (and database faults raised by an action): log, crash.log, one dialog at a time."""

from __future__ import annotations

import datetime as dt
import logging
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from biztel_desk import __version__
from biztel_desk.domain.redact import scrub

__all__ = ["crash_log_path", "install_crash_handler", "scrub"]

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], None]
log = logging.getLogger(__name__)


def crash_log_path(data_dir: Path) -> Path:
    return data_dir / "logs" / "crash.log"


def install_crash_handler(data_dir: Path, lang: str = "ja", database_location: str = "") -> ExceptHook:
    """Install ``sys.excepthook`` and ``threading.excepthook``; returns the former.

    A database fault (locked, damaged, disk full) raised by any action is a known failure, not a bug: it is
    logged and shown as what to do. Anything else is a bug: its traceback goes to ``<data_dir>/logs/crash.log``
    and the application log, and a dialog names crash.log. A thread's exception is written at once and its
    dialog shown on the GUI thread.
    """
    from biztel_desk.services.faults import database_problem

    log_path = crash_log_path(data_dir)
    showing = False
    relay = _Relay(QCoreApplication.instance())

    def record(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> str:
        """Write the report; return where it went (for the dialog)."""
        log.critical("unexpected error", exc_info=(kind, error, tb))
        report = scrub("".join(traceback.format_exception(kind, error, tb)))
        stamp = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        try:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            with log_path.open("a", encoding="utf-8") as stream:
                stream.write(f"=== {stamp} BIZTEL Desk {__version__} ===\n{report}\n")
            return str(log_path)
        except OSError as write_error:  # the disk may be full or read-only: still tell the user
            sys.stderr.write(report)
            return f"(stderr: {write_error.strerror or write_error})"

    def show(title: str, text: str, critical: bool) -> None:
        nonlocal showing
        if QApplication.instance() is None or showing:
            return
        showing = True  # one box at a time, even if the box's own event loop raises again
        try:
            (QMessageBox.critical if critical else QMessageBox.warning)(None, title, text)
        finally:
            showing = False

    def crash_text(where: str) -> tuple[str, str, bool]:
        return (
            QCoreApplication.translate("CrashHandler", "予期しないエラー"),
            QCoreApplication.translate(
                "CrashHandler",
                "予期しないエラーが発生しました。詳細はログに記録されました:\n{0}\n\n"
                "作業を続けられない場合はアプリを再起動し、このログを添えて開発元へお知らせください。",
            ).format(where),
            True,
        )

    def known_text(problem: str) -> tuple[str, str, bool]:
        return (QCoreApplication.translate("CrashHandler", "データベースを使用できません"), problem, False)

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        problem = database_problem(error, lang, database_location)
        if problem is not None:
            log.warning("database fault during an action: %s", error)
            show(*known_text(problem))
            return
        show(*crash_text(record(kind, error, tb)))

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        error = args.exc_value if args.exc_value is not None else args.exc_type()
        problem = database_problem(error, lang, database_location)
        if problem is not None:
            log.warning("database fault in thread %s: %s", args.thread.name if args.thread else "?", error)
            relay.show.emit(known_text(problem))
        else:
            relay.show.emit(crash_text(record(args.exc_type, error, args.exc_traceback)))

    relay.show.connect(lambda texts: show(*texts))
    sys.excepthook = hook
    threading.excepthook = thread_hook
    return hook


class _Relay(QObject):
    """Lives on the GUI thread: a worker thread's report becomes a dialog there (a queued signal)."""

    show = Signal(object)  # (title, text, critical)
