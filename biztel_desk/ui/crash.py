"""The one crash path of the window (docs/architecture.md): every unexpected error, from wherever it is raised,
ends in ``CrashHandler.report``, which logs it, writes crash.log and shows one dialog on the GUI thread.

Its four doors: ``sys.excepthook`` (a slot or a job raised; ``ui/tasks.py`` sends its bugs there, and so does the
asyncio loop's exception handler), ``threading.excepthook`` (a thread died: the link worker, a call source),
and Qt's message handler (warnings go to the app log; critical and fatal messages are reported as crashes).
A known failure (``domain.errors.KnownError``, a database fault) that reaches it is shown as a message instead.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QMessageLogContext,
    QObject,
    QThread,
    QtMsgType,
    Signal,
    Slot,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QApplication, QMessageBox

from biztel_desk.applog import crash_log_path, write_crash
from biztel_desk.domain.redact import scrub
from biztel_desk.services.faults import known_fault, known_message, save_or_say  # the last two: re-exported

__all__ = ["CrashHandler", "QtCriticalMessage", "crash_log_path", "install_crash_handler", "known_message", "save_or_say",
           "scrub"]

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], None]
log = logging.getLogger(__name__)
qt_log = logging.getLogger("biztel_desk.qt")


class QtCriticalMessage(RuntimeError):
    """A critical or fatal message of Qt itself, reported through the crash path like an exception."""


class CrashHandler(QObject):
    """Lives on the GUI thread. ``report`` may be called from any thread: the dialog is always shown here."""

    _show = Signal(object)  # (title, text, critical): queued to the GUI thread when emitted from another

    def __init__(self, data_dir: Path, lang: str = "ja", database_location: str = "",
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.log_path = crash_log_path(data_dir)
        self.lang = lang
        self.database_location = database_location
        self.showing = False
        self._show.connect(self._on_show)

    # --- the one function --------------------------------------------------------------------------------------

    def report(self, kind: type[BaseException], error: BaseException, tb: TracebackType | None,
               source: str = "", *, show: bool = True) -> None:
        """Log ``error``; a known failure becomes a message, anything else crash.log and the crash dialog."""
        known = _known(error, self.lang, self.database_location)
        if known is not None:
            log.warning("known failure%s: %s", f" in {source}" if source else "", error)
            if show:
                self._show.emit((*known, False))
            return
        log.critical("unexpected error%s", f" in {source}" if source else "", exc_info=(kind, error, tb))
        where = write_crash(self.log_path, kind, error, tb, source)  # crash.log, or stderr
        if show:
            self._show.emit((QCoreApplication.translate("CrashHandler", "予期しないエラー"), QCoreApplication.translate(
                "CrashHandler",
                "予期しないエラーが発生しました。詳細はログに記録されました:\n{0}\n\n"
                "作業を続けられない場合はアプリを再起動し、このログを添えて開発元へお知らせください。",
            ).format(where), True))

    # --- the doors -----------------------------------------------------------------------------------------------

    def excepthook(self, kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        on_gui = QThread.currentThread() is self.thread()
        self.report(kind, error, tb, "" if on_gui else threading.current_thread().name)

    def thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        error = args.exc_value if args.exc_value is not None else args.exc_type()
        name = args.thread.name if args.thread is not None else "?"
        self.report(args.exc_type, error, args.exc_traceback, f"thread {name}")

    def qt_message(self, mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
        """Qt's own messages: debug and info to the log at their level, warnings as warnings, the rest a crash."""
        if mode in (QtMsgType.QtDebugMsg, QtMsgType.QtInfoMsg):
            qt_log.debug("%s", message)
        elif mode == QtMsgType.QtWarningMsg:
            qt_log.warning("%s", message)
        else:
            error = QtCriticalMessage(f"Qt {'fatal' if mode == QtMsgType.QtFatalMsg else 'critical'}: {message}")
            # Qt aborts right after a fatal message: crash.log is written, there is no time for a dialog.
            self.report(QtCriticalMessage, error, None, "Qt", show=mode != QtMsgType.QtFatalMsg)

    # --- the dialog (GUI thread) ---------------------------------------------------------------------------------

    @Slot(object)
    def _on_show(self, texts: tuple[str, str, bool]) -> None:
        title, text, critical = texts
        if QApplication.instance() is None or self.showing:
            return
        self.showing = True  # one box at a time, even if the box's own event loop raises again
        try:
            (QMessageBox.critical if critical else QMessageBox.warning)(None, title, text)
        finally:
            self.showing = False


_handler: CrashHandler | None = None


def _known(error: BaseException, lang: str, database_location: str) -> tuple[str, str] | None:
    """(title, message) of a known failure; None for a bug."""
    fault = known_fault(error, lang, database_location)
    if fault is None:
        return None
    kind, message = fault
    if kind == "database":
        return QCoreApplication.translate("CrashHandler", "データベースを使用できません"), message
    return QCoreApplication.translate("CrashHandler", "操作を完了できませんでした"), message


def install_crash_handler(data_dir: Path, lang: str = "ja", database_location: str = "") -> ExceptHook:
    """Install the crash path: ``sys.excepthook``, ``threading.excepthook`` and Qt's message handler all go to
    one ``CrashHandler.report``; returns the new ``sys.excepthook``.

    A database fault (locked, damaged, disk full) or another ``KnownError`` is a known failure, not a bug: it is
    logged and shown as what to do. Anything else is a bug: its traceback goes to ``<data_dir>/logs/crash.log``
    and the application log, and a dialog names crash.log, always on the GUI thread.
    """
    global _handler
    handler = CrashHandler(data_dir, lang, database_location, QCoreApplication.instance())
    if _handler is not None:  # installed again (another profile's window, a test): the new one replaces it
        _handler.deleteLater()
    _handler = handler
    hook = handler.excepthook
    sys.excepthook = hook
    threading.excepthook = handler.thread_hook
    _install_message_handler(handler)
    return hook


def _install_message_handler(handler: CrashHandler) -> None:
    """Qt's message handler to ``handler``; the handler in place before ours still sees every message (pytest-qt
    captures Qt's warnings through its own)."""
    chained: list[Any] = [None]

    def on_message(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
        before = chained[0]
        if before is not None:
            before(mode, context, message)
        elif mode not in (QtMsgType.QtDebugMsg, QtMsgType.QtInfoMsg):
            sys.stderr.write(f"{message}\n")  # what Qt's own handler would have printed
        handler.qt_message(mode, context, message)

    on_message._biztel_previous = chained  # type: ignore[attr-defined]
    previous = qInstallMessageHandler(on_message)
    # Installed again (another window, a test): chain to what was there before the first of ours, not to ours.
    inner = getattr(previous, "_biztel_previous", None)
    chained[0] = inner[0] if inner is not None else previous
