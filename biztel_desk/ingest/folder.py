"""The watched folder (SPEC §8.2): each file dropped there is imported once, then moved to done/ or failed/."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from biztel_desk.domain.call import zone
from biztel_desk.domain.config import system_time_zone
from biztel_desk.domain.vocabulary import pick
from biztel_desk.ingest.files import FileReport, ImportFailure, Mapping, import_file, load_mapping
from biztel_desk.ingest.loop import BackgroundLoop
from biztel_desk.store import repos
from biztel_desk.store.calls import imported_file, record_imported_file
from biztel_desk.store.db import Database

log = logging.getLogger(__name__)

DONE, FAILED = "done", "failed"
REPORT_SUFFIX = ".report.txt"
# Names editors, browsers and copy tools use while a file is still being written.
_PARTIAL_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".download", ".filepart", REPORT_SUFFIX)
PREFERENCE_KEY = "ingest.folder"


@dataclass(frozen=True)
class FolderConfig:
    """The admin's watched folder: off until a folder is chosen; preset/mapping as for ``biztel-desk import``."""

    enabled: bool = False
    path: str = ""
    preset: str = ""  # empty: detected per file
    mapping_file: str = ""  # a saved column mapping (generic preset)
    encoding: str = "auto"
    interval_s: float = 2.0
    time_zone: str = ""  # the zone the PBX writes its times in; empty: the system setting time_zone


def load_config(database: Database) -> FolderConfig:
    with database.read() as session:
        stored = repos.get_preference(session, PREFERENCE_KEY, {}) or {}
    return FolderConfig(**{k: v for k, v in stored.items() if k in FolderConfig.__dataclass_fields__})


def save_config(database: Database, config: FolderConfig) -> None:
    with database.begin() as session:
        repos.set_preference(session, PREFERENCE_KEY, asdict(config))


def watcher_from_config(
    database: Database,
    config: FolderConfig,
    lang: str = "ja",
    on_result: Callable[[FolderResult], None] | None = None,
) -> FolderWatcher:
    """A (not yet started) watcher for the saved configuration; raises ImportFailure for a bad mapping file."""
    mapping = load_mapping(config.mapping_file) if config.mapping_file else None
    folder = WatchedFolder(
        database, config.path, preset=config.preset or None, mapping=mapping, encoding=config.encoding,
        lang=lang, on_result=on_result, time_zone=config.time_zone or None,
    )
    return FolderWatcher(folder, config.interval_s)


@dataclass(frozen=True)
class FolderResult:
    """One file taken from the folder: where it went, and the report written next to it."""

    source: Path  # where the file was dropped
    moved_to: Path
    outcome: str  # done | failed | duplicate (same content as an earlier file: moved to done/, nothing imported)
    report_text: str
    report: FileReport | None = None


def _is_candidate(path: Path) -> bool:
    name = path.name
    return (
        path.is_file()
        and not name.startswith((".", "~$"))
        and not name.lower().endswith(_PARTIAL_SUFFIXES)
    )


def _free_name(directory: Path, name: str) -> Path:
    """``name`` in ``directory``, or ``stem-2.ext``, ``stem-3.ext``… when a file of that name is already there."""
    candidate = directory / name
    stem, suffix = Path(name).stem, Path(name).suffix
    counter = 2
    while candidate.exists() or candidate.with_name(candidate.name + REPORT_SUFFIX).exists():
        candidate = directory / f"{stem}-{counter}{suffix}"
        counter += 1
    return candidate


class WatchedFolder:
    """Imports the files of one folder; ``scan_once()`` does one pass (call it from any single thread)."""

    def __init__(
        self,
        database: Database,
        folder: str | Path,
        *,
        preset: str | None = None,
        mapping: Mapping | None = None,
        encoding: str = "auto",
        lang: str = "ja",
        time_zone: str | None = None,
        on_result: Callable[[FolderResult], None] | None = None,
    ) -> None:
        self.database = database
        self.folder = Path(folder)
        self.preset = preset
        self.mapping = mapping
        self.encoding = encoding
        self.lang = lang
        self.time_zone = time_zone
        self.on_result = on_result
        self._seen: dict[str, tuple[int, int]] = {}  # name → (size, mtime) at the previous poll
        # Files that could be neither imported nor moved to failed/ (name → signature then): skipped until they
        # change, so the files after them go on; while any is left, ``problem`` says so.
        self._stuck: dict[str, tuple[int, int]] = {}
        self._stuck_reasons: dict[str, str] = {}
        self._locked: dict[str, str] = {}  # name → why it cannot be read now (locked, no permission): retried
        self._problem: tuple[str, str] | None = None  # set at the end of each scan: safe to read from any thread

    @property
    def problem(self) -> tuple[str, str] | None:
        """(ja, en) when a file is stuck in the folder (it could not be moved to failed/ or cannot be read), else
        None; as of the last scan."""
        return self._problem

    def _describe_problem(self) -> tuple[str, str] | None:
        if not self._stuck_reasons:
            if not self._locked:
                return None
            name, reason = sorted(self._locked.items())[0]
            return (
                f"{name} を読み取れません({reason})。ファイルを開いているプログラムを閉じるか、読み取りの権限を"
                "確認してください。次の確認で再試行します。",
                f"Cannot read {name} ({reason}). Close the program that holds it open, or check the read permission; "
                "it is tried again at the next poll.",
            )
        name, reason = sorted(self._stuck_reasons.items())[0]
        more = len(self._stuck_reasons) - 1
        return (
            f"{name} を取り込めず、failed/ にも移せません({reason})。フォルダの権限を確認してください"
            + (f"(ほかに {more} 件)。" if more else "。"),
            f"{name} could not be imported nor moved to failed/ ({reason}). Check the folder's permissions"
            + (f" ({more} more)." if more else "."),
        )

    def scan_once(self, settle: bool = True) -> list[FolderResult]:
        """Import every file that is complete. With ``settle``, a file is taken only once its size and
        modification time were the same at the previous scan (so files still being copied wait a poll)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        results = []
        present = set()
        for path in sorted(self.folder.iterdir()):
            if not _is_candidate(path):
                continue
            present.add(path.name)
            try:
                stat = path.stat()
            except OSError:  # removed or renamed between listing and stat: the next scan decides
                continue
            signature = (stat.st_size, stat.st_mtime_ns)
            if self._stuck.get(path.name) == signature:
                continue
            self._stuck.pop(path.name, None)
            self._stuck_reasons.pop(path.name, None)
            if settle and self._seen.get(path.name) != signature:
                self._seen[path.name] = signature
                continue
            try:
                result = self._take(path)
            except Exception as error:  # noqa: BLE001 - one file must never stop the folder: it goes to failed/
                log.exception("watched folder: %s could not be imported", path.name)
                result = self._give_up(path, signature, error)
            if result is not None:
                self._seen.pop(path.name, None)
                results.append(result)
                if self.on_result is not None:
                    self.on_result(result)
        for name in set(self._seen) - present:
            del self._seen[name]
        for name in set(self._stuck) - present:
            del self._stuck[name]
            self._stuck_reasons.pop(name, None)
        for name in set(self._locked) - present:
            del self._locked[name]
        self._problem = self._describe_problem()
        return results

    def _give_up(self, path: Path, signature: tuple[int, int], error: Exception) -> FolderResult | None:
        """After an unexpected error: the file goes to failed/ with a report; if even that fails, it is skipped
        until it changes (and ``problem`` says why) so that the files after it are still taken."""
        reason = f"{type(error).__name__}: {str(error)[:200]}"
        text = ImportFailure("unexpected", path=path.name, reason=reason).text(self.lang, "folder") + "\n"
        try:
            return self._finish(path, FAILED, text, None)
        except OSError as move_error:
            log.error("watched folder: %s cannot be moved to failed/: %s", path.name, move_error)
            self._stuck[path.name] = signature
            self._stuck_reasons[path.name] = move_error.strerror or str(move_error)
            return None

    def _take(self, path: Path) -> FolderResult | None:
        try:
            data = path.read_bytes()
        except PermissionError as error:  # Windows: still locked by the program writing it; try again next poll
            self._locked[path.name] = error.strerror or str(error)  # …and say so while it lasts
            return None
        except OSError as error:
            self._locked.pop(path.name, None)
            failure = ImportFailure("unreadable", path=str(path), reason=error.strerror or str(error))
            return self._finish(path, FAILED, failure.text(self.lang, "folder") + "\n", None)
        self._locked.pop(path.name, None)
        digest = hashlib.sha256(data).hexdigest()
        with self.database.read() as session:
            earlier = imported_file(session, digest)
            earlier_info = (earlier.name, earlier.imported_at) if earlier is not None else None
        if earlier_info is not None:
            return self._finish(path, "duplicate", self._duplicate_text(path, *earlier_info), None)
        report = import_file(
            self.database, path, self.preset, self.mapping, self.encoding, time_zone=self.time_zone, live=True
        )
        ok = report.error is None and report.good_rows > 0
        if ok:
            with self.database.begin() as session:
                record_imported_file(session, digest, path.name, report.imported, len(report.rejected))
        text = report.text(self.lang, "folder")
        if report.error is None and report.good_rows == 0:
            text = ImportFailure("empty", path=path.name).text(self.lang, "folder") + "\n" + text
        return self._finish(path, DONE if ok else FAILED, text, report)

    def _display_zone(self) -> tuple[dt.tzinfo, str]:
        """The zone times are shown in: the system setting time_zone (empty: this computer's), and its name."""
        with self.database.read() as session:
            name = repos.load_system(session).time_zone
        for candidate in (name, system_time_zone()):
            if candidate:
                try:
                    return zone(candidate), candidate
                except (KeyError, ValueError):  # a stale or hand-edited setting must not stop the report
                    continue
        return dt.UTC, "UTC"

    def _duplicate_text(self, path: Path, name: str, when: dt.datetime) -> str:
        tz, zone_name = self._display_zone()
        stamp = f"{when.astimezone(tz):%Y-%m-%d %H:%M} ({zone_name})"
        return pick(self.lang,
                    f"{path.name}: 同じ内容のファイル({name})を {stamp} に取り込み済みです。何も取り込みませんでした。\n",
                    f"{path.name}: a file with the same content ({name}) was imported on {stamp}; nothing was imported.\n")

    def _finish(self, path: Path, outcome: str, text: str, report: FileReport | None) -> FolderResult:
        directory = self.folder / (FAILED if outcome == FAILED else DONE)
        directory.mkdir(exist_ok=True)
        target = _free_name(directory, path.name)
        path.replace(target)
        target.with_name(target.name + REPORT_SUFFIX).write_text(text, encoding="utf-8")
        log.info("watched folder: %s → %s (%s)", path.name, target, outcome)
        return FolderResult(path, target, outcome, text, report)


class FolderWatcher(BackgroundLoop):
    """Polls a WatchedFolder in a background thread until stop(); no Qt, so it also runs headless."""

    thread_name = "watched-folder"

    def __init__(self, folder: WatchedFolder, interval_s: float = 2.0) -> None:
        self.folder = folder
        self.interval_s = interval_s
        self._init_loop()
        self._scan_problem: tuple[str, str] | None = None

    @property
    def problem(self) -> tuple[str, str] | None:
        """(ja, en) while the folder cannot be scanned or a file is stuck in it, else None (read from any thread)."""
        return self._scan_problem or self.folder.problem

    def stop(self, timeout: float | None = 10.0) -> None:
        """Ask the thread to stop and wait for it: a file being imported is finished first, never half-moved."""
        self._stop_loop(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.folder.scan_once()
            except Exception as error:  # noqa: BLE001 - a bug must be logged, but must not end the watching silently
                log.exception("watched folder %s: scan failed", self.folder.folder)
                reason = f"{type(error).__name__}: {str(error)[:200]}"
                self._scan_problem = (
                    f"フォルダ {self.folder.folder} を読めません({reason})。{self.interval_s:g}秒ごとに再試行します。",
                    f"Cannot read the folder {self.folder.folder} ({reason}); retrying every {self.interval_s:g} s.",
                )
            else:
                self._scan_problem = None
            self._stop.wait(self.interval_s)
