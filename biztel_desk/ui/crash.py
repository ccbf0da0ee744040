"""The one handler for bugs: log the traceback (secrets scrubbed) to logs/crash.log and tell the user once."""

from __future__ import annotations

import datetime as dt
import re
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from biztel_desk import __version__

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], None]

# key=value, key: value, "key": "value" where the key mentions a secret; the value is replaced.
_SECRET_PAIR = re.compile(
    r"""(?ix)
    (?P<key>["']?[\w.-]*(?:password|passwd|pwd|token|secret|private[_-]?key|api[_-]?key|key)[\w.-]*["']?\s*[:=]\s*)
    (?P<value>"[^"]*"|'[^']*'|[^\s,;&)\]}]+)
    """
)
# Authorization headers and PEM blocks, wherever they appear.
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=!-]{8,}")  # Salesforce session ids contain "!"
_PEM = re.compile(r"-----BEGIN [A-Z ]+-----.*?-----END [A-Z ]+-----", re.DOTALL)


def scrub(text: str) -> str:
    """Replace anything that looks like a secret value with ``***``."""
    text = _PEM.sub("-----PEM REDACTED-----", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} ***", text)
    return _SECRET_PAIR.sub(_redact_pair, text)


def _redact_pair(match: re.Match[str]) -> str:
    key = match.group("key")
    if key.lstrip("\"'").lower().startswith(("keyerror", "keyboardinterrupt")):  # exception names, not secrets
        return match.group(0)
    return f"{key}***"


def crash_log_path(data_dir: Path) -> Path:
    return data_dir / "logs" / "crash.log"


def install_crash_handler(data_dir: Path) -> ExceptHook:
    """Install ``sys.excepthook``: unexpected exceptions go to ``<data_dir>/logs/crash.log``; returns the hook.

    Known failures (bad input, login refused, network down) are handled where they happen and never get here.
    """
    log_path = crash_log_path(data_dir)
    showing = False

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        nonlocal showing
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        report = scrub("".join(traceback.format_exception(kind, error, tb)))
        stamp = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        try:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            with log_path.open("a", encoding="utf-8") as log:
                log.write(f"=== {stamp} BIZTEL Desk {__version__} ===\n{report}\n")
            where = str(log_path)
        except OSError as write_error:  # the disk may be full or read-only: still tell the user
            sys.stderr.write(report)
            where = f"(stderr: {write_error.strerror or write_error})"
        if QApplication.instance() is None or showing:
            return
        showing = True  # one box at a time, even if the box's own event loop raises again
        try:
            QMessageBox.critical(
                None,
                QCoreApplication.translate("CrashHandler", "予期しないエラー"),
                QCoreApplication.translate(
                    "CrashHandler",
                    "予期しないエラーが発生しました。詳細はログに記録されました:\n{0}\n\n"
                    "作業を続けられない場合はアプリを再起動し、このログを添えて開発元へお知らせください。",
                ).format(where),
            )
        finally:
            showing = False

    sys.excepthook = hook
    return hook
