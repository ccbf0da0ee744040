"""The application log: ``<data dir>/logs/biztel-desk.log``, rotating, secrets scrubbed, for the window and the CLI.

Configured once per process by the composition root (``app.run_gui``, ``cli.run``); everything below only uses
``logging.getLogger(__name__)``. ``current()`` is the file messages point at when they say "see the log".
A thread that dies of an exception reaches it through ``threading.excepthook`` (the window adds crash.log and a
dialog on top, see ``ui/crash.py``).
"""

from __future__ import annotations

import io
import logging
import os
import sys
import threading
import traceback
from datetime import datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from biztel_desk import __version__
from biztel_desk.domain.redact import scrub
from biztel_desk.domain.vocabulary import pick

LOG_FILENAME = "biztel-desk.log"
MAX_BYTES = 2_000_000
BACKUPS = 5
_FORMAT = "%(asctime)s %(levelname)s [%(threadName)s] %(name)s: %(message)s"

log = logging.getLogger("biztel_desk")
_handler: RotatingFileHandler | None = None
_lock = threading.Lock()
_write_failed = False


def log_path(data_dir: Path) -> Path:
    return data_dir / "logs" / LOG_FILENAME


def crash_log_path(data_dir: Path) -> Path:
    return data_dir / "logs" / "crash.log"


def write_crash(path: Path, kind: type[BaseException], error: BaseException, tb: TracebackType | None,
                source: str = "") -> str:
    """Append ``error``'s traceback, scrubbed, to crash.log at ``path`` under a heading (the time, the version,
    ``source``: where it was raised); return where it went: ``path``, or stderr when the disk refused it."""
    report = scrub("".join(traceback.format_exception(kind, error, tb)))
    stamp = datetime.now().astimezone().isoformat(timespec="seconds")
    heading = f"=== {stamp} BIZTEL Desk {__version__}{f' ({source})' if source else ''} ===\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as stream:
            stream.write(f"{heading}{report}\n")
        return str(path)
    except OSError as write_error:  # the disk may be full or read-only: still tell the user
        sys.stderr.write(report)
        return f"(stderr: {write_error.strerror or write_error})"


class _ScrubbingFormatter(logging.Formatter):
    """Whatever a record carries (message, arguments, traceback) passes through ``scrub`` before the file."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


class _PrivateRotatingFileHandler(RotatingFileHandler):
    """Created 0600 on POSIX: the log names phone numbers and accounts, not for other local users."""

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        # The disk is full or the file went away: the log must never put a traceback in front of the user (the
        # message about the fault itself still reaches them). Note it once on stderr.
        global _write_failed
        if not _write_failed:
            _write_failed = True
            sys.stderr.write(f"(ログに書き込めません / the log cannot be written: {self.baseFilename})\n")

    def _open(self) -> io.TextIOWrapper:
        descriptor = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return open(descriptor, "a", encoding=self.encoding, errors=self.errors)  # noqa: SIM115 - the handler owns it


def configure(data_dir: Path) -> Path | None:
    """Log INFO and up of the app (WARNING and up of libraries) to ``<data_dir>/logs``; returns the file.

    Calling it again moves the log (tests, another data dir). None when the folder cannot be written: the app
    still runs, and the messages then point at stderr.
    """
    global _handler
    path = log_path(data_dir)
    with _lock:
        if _handler is not None and Path(_handler.baseFilename) == path.resolve():
            return path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handler = _PrivateRotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
        except OSError:
            return None
        handler.setFormatter(_ScrubbingFormatter(_FORMAT))
        handler.setLevel(logging.INFO)
        root = logging.getLogger()
        if _handler is not None:
            root.removeHandler(_handler)
            _handler.close()
        root.addHandler(handler)
        _handler = handler
        if log.level == logging.NOTSET or log.level > logging.INFO:
            log.setLevel(logging.INFO)
    return path


def current() -> Path | None:
    """The log file in use, if any."""
    handler = _handler
    return Path(handler.baseFilename) if handler is not None else None


def where(lang: str = "ja") -> str:
    """"the log" for a message: its path, or stderr when no file could be opened."""
    path = current()
    if path is not None:
        return str(path)
    return pick(lang, "標準エラー出力", "standard error")


def install_thread_hook() -> None:
    """A thread that dies of an exception is logged with its traceback (then reported as Python would)."""
    previous = threading.excepthook

    def hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is not SystemExit:
            name = args.thread.name if args.thread is not None else "?"
            log.critical("thread %s stopped by an unexpected error", name,
                         exc_info=(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback))
        previous(args)

    if getattr(threading.excepthook, "_biztel_desk", False):
        return
    hook._biztel_desk = True  # type: ignore[attr-defined]
    threading.excepthook = hook
