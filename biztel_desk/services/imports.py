"""通話履歴を取り込む, shared by the window and ``biztel-desk import``: call files (CSV/TSV) into the database.

The file formats, the column mapping and the import itself live in ``ingest.files``; the window and the CLI reach
them here (services are their only door), under their original names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from biztel_desk.ingest.files import ENCODINGS as ENCODINGS
from biztel_desk.ingest.files import PRESETS as PRESETS
from biztel_desk.ingest.files import ImportFailure as ImportFailure
from biztel_desk.ingest.files import ImportReport, Mapping, import_files
from biztel_desk.ingest.files import load_mapping as load_mapping
from biztel_desk.ingest.files import parse_columns as parse_columns
from biztel_desk.services import relink
from biztel_desk.store.db import Database


@dataclass(frozen=True)
class ImportOutcome:
    """What an import stored (``report``) and the company numbers of its new calls that no target or alias names
    (``unknown_lines``: they stay 対象外 in the history, so the user is told, never silently)."""

    report: ImportReport
    unknown_lines: list[str]


def import_calls(
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
    """Import ``paths`` (each file on its own; a bad row is rejected, never the whole file) and say what is 対象外."""
    mark = relink.import_mark(database)
    report = import_files(database, paths, preset=preset, mapping=mapping, encoding=encoding, time_zone=time_zone,
                          columns=columns)
    unknown = relink.unknown_summary(relink.unknown_numbers(database, after_call_id=mark), lang)
    return ImportOutcome(report, unknown)
