"""What the import dialog shows about a call file, as plain data and text: no widgets here.

The 汎用 (generic) mapping editor's rules (which column a field is prefilled with, what keeps a mapping from being
used, the ``Mapping`` it builds) and the texts of the preview (what was detected, why a file cannot be read, which
rows would be refused). The dialog (``ui/dialogs/import_dialog.py``) only puts them into widgets.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from biztel_desk.domain.messages import message
from biztel_desk.services.imports import (
    BIZTEL_MAPPING,
    ImportFailure,
    ImportReport,
    Mapping,
    Preview,
    RejectedRow,
    field_choices,
)
from biztel_desk.services.relink import UnknownNumber, unknown_summary

PRESET_NAMES = {
    "asterisk": "Asterisk (Master.csv)",
    "cdr_custom": "Asterisk (cdr_custom)",
    "freepbx": "FreePBX",
    "3cx": "3CX (CDR)",
}
ENCODING_NAMES = {"utf-8": "UTF-8", "cp932": "Shift_JIS(CP932)"}


def header_key(text: str) -> str:
    """The ingest code compares headers after NFKC and case folding; the editor's prefill does the same."""
    return unicodedata.normalize("NFKC", text).strip().strip("\ufeff").casefold()


def generic_split(result: Preview) -> tuple[list[str], list[list[str]]]:
    """Header cells and data rows: a 汎用 file always starts with its header, read or not by the mapping."""
    rows = [list(row) for row in result.rows]
    header, rows = (list(result.columns), rows) if result.has_header else ((rows[0] if rows else []), rows[1:])
    return [cell.strip().strip("\ufeff").strip() for cell in header], rows


def prefill(headers: Sequence[str], mapping: Mapping | None) -> dict[str, str]:
    """Field → the header it starts with: the one a loaded mapping names; else BIZTEL's header or the field's name."""
    by_key = {header_key(h): h for h in headers if h}
    japanese, english = dict(field_choices("ja")), dict(field_choices("en"))
    chosen: dict[str, str] = {}
    for name, _label in field_choices("ja"):
        if mapping is not None:  # the admin's saved mapping decides alone: a field it leaves out stays out
            candidates = [h for h, f in mapping.columns.items() if f == name]
        else:
            candidates = [h for h, f in BIZTEL_MAPPING.columns.items() if f == name]
            candidates += [name, japanese.get(name, ""), english.get(name, "")]
        chosen[name] = next((by_key[header_key(c)] for c in candidates if c and header_key(c) in by_key), "")
    return chosen


def absent_columns(mapping: Mapping, headers: Sequence[str]) -> list[str]:
    """The loaded mapping's columns the file does not have."""
    keys = {header_key(h) for h in headers}
    return [header for header in mapping.columns if header_key(header) not in keys]


def mapping_problem(columns: dict[str, str], lang: str) -> str:
    """What keeps the editor's mapping (field → header) from being used, '' when nothing: a column chosen twice,
    a required field without a column (Mapping.check's rule: the unique ID, the start and one of the numbers)."""
    labels = dict(field_choices(lang))
    separator = message("import_list_separator", lang)
    used: dict[str, list[str]] = {}
    for name, header in columns.items():
        if header:
            used.setdefault(header, []).append(labels[name])
    twice = [(header, names) for header, names in used.items() if len(names) > 1]
    if twice:
        header, names = twice[0]
        return message("import_column_twice", lang, column=header, fields=separator.join(names))
    missing = [labels[f] for f in ("unique_id", "started_at") if not columns.get(f)]
    if not columns.get("from_number") and not columns.get("to_number"):
        missing.append(message("import_one_or_other", lang, one=labels["from_number"], other=labels["to_number"]))
    return message("import_required_columns", lang, fields=separator.join(missing)) if missing else ""


def build_mapping(columns: dict[str, str], date_format: str, base: Mapping) -> Mapping:
    """The editor's mapping; name, source, time zone and direction words are kept from ``base`` (a loaded file)."""
    return Mapping(
        columns={header: name for name, header in columns.items() if header},
        date_format=date_format.strip(),
        time_zone=base.time_zone,
        name=base.name,
        source=base.source,
        direction_values=dict(base.direction_values),
    )


def mapped_columns(columns: dict[str, str], shown: Sequence[str], lang: str) -> dict[int, str]:
    """Preview column → the label of the field it feeds (the preview's header shows it)."""
    labels = dict(field_choices(lang))
    position = {header: i for i, header in enumerate(shown)}
    return {position[header]: labels[name] for name, header in columns.items() if header in position}


def detected_text(result: Preview, chosen: str | None, generic: bool, mapping_name: str, files: int,
                  lang: str) -> str:
    """The line under the options: format (detected, or the chosen preset), encoding, delimiter, header row."""
    detected = result.detected_preset or ("generic" if generic else None)
    preset = message("import_generic", lang) if detected == "generic" else PRESET_NAMES.get(detected or "", "")
    preset = preset or message("import_unknown", lang)
    if detected == "generic" and chosen is None and mapping_name:
        preset = f"{preset}: {mapping_name}"
    encoding = ENCODING_NAMES.get(result.detected_encoding, result.detected_encoding)
    if result.detected_encoding == "utf-8-sig":
        encoding = message("import_utf8_bom", lang)
    delimiter = {",": message("import_comma", lang), "\t": message("import_tab", lang)}.get(
        result.delimiter, repr(result.delimiter))
    parts = [
        message("import_format_detected" if chosen is None else "import_format", lang, preset=preset),
        message("import_encoding_name", lang, encoding=encoding),
        message("import_delimiter", lang, delimiter=delimiter),
        message("import_header_yes" if (result.has_header or generic) else "import_header_no", lang),
    ]
    if files > 1:
        parts.append(message("import_first_of", lang, count=files))
    return "  ·  ".join(parts)


def failure_text(failure: ImportFailure, lang: str, window_lang: str | None = None) -> str:
    """A preview failure, worded for the dialog (the ingest texts name the command-line options); the dialog's own
    wordings follow the window's language (``window_lang``), the ingest texts the user's."""
    name = Path(str(failure.params.get("path", ""))).name
    if failure.code in ("encoding", "encoding_mismatch", "unknown_format"):
        return message(f"import_{failure.code}", window_lang or lang, name=name, line=failure.params.get("line", "?"))
    return failure.text(lang, "dialog")


def unreadable_text(path: str, chosen: str | None, preset_label: str, lang: str) -> str:
    """A preview no preset recognised: choose one, or map the columns."""
    code = "import_unknown_format" if chosen is None else "import_not_this_preset"
    return message(code, lang, name=Path(path).name, preset=preset_label)


def preview_hint(result: Preview, lang: str) -> tuple[str, bool]:
    """The line under the preview and whether it is a problem: every row importable, or the first refused ones."""
    if not result.rejected:
        return (message("import_all_rows_ok", lang, count=len(result.records)) if result.records else ""), False
    lines = [message("import_row_refused", lang, line=row.line, reason=row.text(lang)) for row in result.rejected[:2]]
    if len(result.rejected) > len(lines):
        lines.append(message("import_more_rows", lang, count=len(result.rejected) - len(lines)))
    return "\n".join([message("import_rows_refused", lang, count=len(result.rejected)), *lines]), True


def is_generic(chosen: str | None, result: Preview) -> bool:
    """The mapping editor is shown and used: 汎用 chosen, or detected under 自動判定 (a BIZTEL-like export)."""
    return chosen == "generic" or (chosen is None and result.detected_preset == "generic")


@dataclass(frozen=True)
class PreviewShown:
    """What the dialog shows of its first file: the table; under the options what was detected (``detected``) or
    why the file cannot be read (``error``); under the table ``hint`` (a ``problem`` in red). ``generic``: the
    mapping editor is shown and used; ``ok``: a preset read the file (outside 汎用, 取り込む needs it)."""

    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    generic: bool = False
    ok: bool = False
    detected: str = ""
    error: str = ""
    hint: str = ""
    problem: bool = False


def preview_shown(result: Preview, path: str, chosen: str | None, chosen_label: str, generic: bool, mapped: bool,
                  mapping_name: str, files: int, lang: str, window_lang: str) -> PreviewShown:
    """The preview of ``path`` read with the ``chosen`` preset (None: 自動判定, shown as ``chosen_label``); in 汎用
    mode the rows say nothing before the mapping is complete (``mapped``). The dialog's own wordings follow the
    window's language, the rows' problems the user's (as ``failure_text``)."""
    columns, rows = generic_split(result) if generic else (list(result.columns), [list(row) for row in result.rows])
    ok = result.detected_preset is not None
    hint, problem = preview_hint(result, lang) if mapped or not generic else ("", False)
    return PreviewShown(columns, rows, generic, ok, detected_text(result, chosen, generic, mapping_name, files, window_lang),
                        "" if ok or generic else unreadable_text(path, chosen, chosen_label, window_lang), hint, problem)


def can_import(paths: Sequence[str], running: bool, generic: bool, mapping_ok: bool, preview_ok: bool) -> bool:
    """取り込む is enabled: files chosen, nothing running, and a preview a preset read (or, in 汎用 mode, a complete
    mapping: its rows are checked by the import itself)."""
    return bool(paths) and not running and (mapping_ok if generic else preview_ok)


@dataclass(frozen=True)
class ImportResult:
    """What the 取り込み結果 page shows after an import: the three counts, the summary under them, the failures."""

    imported: int
    known: int
    rejected: int
    summary: str
    failures: str


def import_result(report: ImportReport, unknown: dict[str, list[UnknownNumber]], lang: str) -> ImportResult:
    """Each read file's summary line, then the calls on company numbers no target or alias names (never silent:
    連携対象 lists them to add), and the files that could not be read."""
    summary = [line for file in report.files if file.error is None for line in file.summary(lang)]
    summary += [line.strip() for line in unknown_summary(unknown, lang)]
    failures = [problem for file in report.failed_files for problem in file.problems(lang, "dialog")]
    return ImportResult(report.imported, report.known, len(report.rejected), "\n".join(summary), "\n".join(failures))


def rejected_cells(row: RejectedRow, lang: str) -> tuple[str, str, str]:
    """A refused row as the dialog's table shows it: ファイル (its name) | 行 | 理由."""
    return Path(row.file).name, str(row.line), row.text(lang)


def rejected_text(headers: Sequence[str], rows: Sequence[RejectedRow], lang: str) -> str:
    """Tab-separated with a header line: pastes into a spreadsheet or a mail as it is."""
    lines = ["\t".join(headers), *("\t".join(rejected_cells(row, lang)) for row in rows)]
    return "\n".join(lines) + "\n"


__all__ = [
    "ImportResult", "PreviewShown", "absent_columns", "build_mapping", "can_import", "detected_text", "failure_text",
    "generic_split", "header_key", "import_result", "is_generic", "mapped_columns", "mapping_problem", "prefill",
    "preview_hint", "preview_shown", "rejected_cells", "rejected_text", "unreadable_text",
]
