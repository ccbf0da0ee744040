"""Reading the application log back for the window's log viewer (ヘルプ → ログを表示).

The log is ``<data dir>/logs/biztel-desk.log`` (applog.py: rotating, secrets already scrubbed when written); its
rotated files ``.1`` … are older. An entry is a line ``<time> <LEVEL> [<thread>] <logger>: <message>`` plus the
lines that follow it (a traceback). ``read_entries`` reads the newest ``max_bytes`` across the files, oldest first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from biztel_desk import applog

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_HEAD = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (DEBUG|INFO|WARNING|ERROR|CRITICAL) \[([^\]]*)\] ([^:]+): ?(.*)$")
MAX_BYTES = 4_000_000


@dataclass(frozen=True)
class LogEntry:
    time: str
    level: str
    thread: str
    logger: str
    message: str  # with the lines that followed it (a traceback), joined by newlines

    def at_least(self, level: str) -> bool:
        return LEVELS.index(self.level) >= LEVELS.index(level)

    @property
    def text(self) -> str:
        return f"{self.time} {self.level} [{self.thread}] {self.logger}: {self.message}"


def log_files(data_dir: Path) -> list[Path]:
    """The log and its rotated files that exist, oldest first."""
    current = applog.log_path(data_dir)
    rotated = [current.with_name(f"{current.name}.{n}") for n in range(applog.BACKUPS, 0, -1)]
    return [path for path in (*rotated, current) if path.is_file()]


def log_folder(data_dir: Path) -> Path:
    return applog.log_path(data_dir).parent


def read_entries(data_dir: Path, max_bytes: int = MAX_BYTES) -> list[LogEntry]:
    """The newest entries within ``max_bytes`` of log text, oldest first. A file that cannot be read is skipped."""
    chunks: list[str] = []
    budget = max_bytes
    for path in reversed(log_files(data_dir)):  # newest file first, until the budget is spent
        if budget <= 0:
            break
        try:
            with path.open("rb") as stream:
                size = stream.seek(0, 2)
                start = max(0, size - budget)
                stream.seek(start)
                data = stream.read()
        except OSError:
            continue
        budget -= len(data)
        text = data.decode("utf-8", errors="replace")
        if start > 0:  # cut mid-file: drop the partial first line
            text = text.partition("\n")[2]
        chunks.append(text)
    return parse("".join(reversed(chunks)))


def parse(text: str) -> list[LogEntry]:
    entries: list[LogEntry] = []
    head: tuple[str, str, str, str] | None = None
    lines: list[str] = []

    def flush() -> None:
        if head is not None:
            entries.append(LogEntry(*head, "\n".join(lines)))

    for line in text.splitlines():
        match = _HEAD.match(line)
        if match:
            flush()
            head = (match[1], match[2], match[3], match[4])
            lines = [match[5]]
        elif head is not None:
            lines.append(line)
        # text before the first entry (a file cut in the middle of a traceback) is dropped
    flush()
    return entries
