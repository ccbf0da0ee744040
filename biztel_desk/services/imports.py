"""Importing call files, for the window's 通話履歴を取り込む and ``biztel-desk import``: the names of
``ingest.files`` (previews, mappings, the import itself), the window's whole import in one call (``import_calls``)
and the command line's (``import_and_summarize``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from biztel_desk.ingest.files import (
    BIZTEL_MAPPING,
    ENCODINGS,
    PRESETS,
    ImportFailure,
    ImportReport,
    Mapping,
    Preview,
    RejectedRow,
    field_choices,
    import_files,
    load_mapping,
    parse_columns,
    preview,
    save_mapping,
)
from biztel_desk.services import relink
from biztel_desk.services.faults import DatabaseRefused, database_known
from biztel_desk.services.relink import UnknownNumber, import_mark, unknown_numbers
from biztel_desk.store.db import Database

__all__ = [
    "BIZTEL_MAPPING", "ENCODINGS", "PRESETS", "ImportFailure", "ImportOutcome", "ImportRefused", "ImportReport",
    "Mapping", "Preview", "RejectedRow", "count_rows", "field_choices", "import_and_summarize", "import_calls",
    "import_files", "load_mapping", "parse_columns", "preview", "save_mapping",
]


class ImportRefused(DatabaseRefused):
    """The database refused the import's writes (locked, full): the calls imported so far stay, none twice."""


def count_rows(paths: Sequence[str]) -> int:
    """A cheap estimate of the files' rows (for a progress bar's range); an unreadable file counts 0."""
    total = 0
    for path in paths:
        try:
            data = Path(path).read_bytes()
        except OSError:
            continue
        total += data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    return total


def import_calls(database: Database, paths: Sequence[str], preset: str | None, mapping: Mapping | None,
                 encoding: str = "auto", progress: Callable[[str, int], None] | None = None,
                 ) -> tuple[ImportReport, dict[str, list[UnknownNumber]]]:
    """Import ``paths`` and list this import's calls on numbers no link target knows (setting → numbers).

    Safe on a worker thread; ``progress(path, rows)`` is called from it. A database refusal is ``ImportRefused``.
    """
    with database_known(ImportRefused):
        mark = import_mark(database)
        report = import_files(database, paths, preset, mapping, encoding, progress=progress)
        return report, unknown_numbers(database, after_call_id=mark)


@dataclass(frozen=True)
class ImportOutcome:
    """What an import stored (``report``) and the company numbers of its new calls that no target or alias names
    (``unknown_lines``: they stay 対象外 in the history, so the user is told, never silently)."""

    report: ImportReport
    unknown_lines: list[str]


def import_and_summarize(
    database: Database,
    paths: Sequence[str | Path],
    *,
    preset: str | None = None,
    mapping: Mapping | None = None,
    encoding: str = "auto",
    time_zone: str | None = None,
    columns: Sequence[str] | None = None,
    lang: str = "ja",
) -> ImportOutcome:
    """``biztel-desk import``: import ``paths`` (each file on its own; a bad row is rejected, never the whole file)
    and say in ``lang`` what is 対象外."""
    mark = relink.import_mark(database)
    report = import_files(database, paths, preset=preset, mapping=mapping, encoding=encoding, time_zone=time_zone,
                          columns=columns)
    unknown = relink.unknown_summary(relink.unknown_numbers(database, after_call_id=mark), lang)
    return ImportOutcome(report, unknown)
