"""``biztel-desk history``: the 連携通話履歴 filtered like the GUI, as an aligned table, CSV or JSON."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import unicodedata
from typing import Any, TextIO

from biztel_desk.domain.failures import failure_text
from biztel_desk.domain.jobs import state_label
from biztel_desk.domain.messages import message
from biztel_desk.domain.payload import outcome_label, outcome_of
from biztel_desk.domain.vocabulary import pick
from biztel_desk.services.context import AppContext
from biztel_desk.services.history import (
    COLUMN_KEYS,
    DEFAULT_VISIBLE,
    JOB_STATES,
    HistoryFilter,
    HistoryRow,
    SqlHistorySource,
    cell_text,
    column_titles,
    day_bounds,
    linked_to_text,
    task_url_builder,
    write_csv,
    zone_of,
)

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
# --state takes the job state codes and the GUI's English words for them (待機中 is "Waiting" there).
STATE_ALIASES = {"waiting": "pending"}
STATE_CHOICES = tuple(dict.fromkeys(("waiting", *JOB_STATES)))


def register(commands: Any) -> None:
    parser = commands.add_parser("history", help="the linked call history (連携通話履歴), filtered like the GUI")
    parser.add_argument("--setting", metavar="NAME", help="the link setting (needed when there are several)")
    parser.add_argument("--from", dest="date_from", metavar="DATE", help="first call-start day, YYYY-MM-DD (configured time zone)")
    parser.add_argument("--to", dest="date_to", metavar="DATE", help="last call-start day, YYYY-MM-DD, included")
    parser.add_argument("--keyword", default="", metavar="TEXT", help="a number in any format, an ID, agent or extension")
    parser.add_argument("--state", choices=STATE_CHOICES, metavar="STATE",
                        help="only jobs in this state: " + ", ".join(STATE_CHOICES) + " (waiting = pending)")
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table")
    parser.add_argument("--all-columns", action="store_true", help="every column, not only those shown by default")
    parser.set_defaults(handler=run_history)


def _text(lang: str, ja: str, en: str) -> str:
    return pick(lang, ja, en)


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    return dt.date.fromisoformat(value.strip().replace("/", "-"))


def run_history(args: argparse.Namespace, context: AppContext, _stdin: TextIO, stdout: TextIO) -> int:
    from biztel_desk.cli import setting_argument

    lang = context.lang
    name = setting_argument(context, args.setting)
    try:
        first, last = _date(args.date_from), _date(args.date_to)
    except ValueError:
        print(message("date_format", lang), file=sys.stderr)
        return EXIT_USAGE
    if first and last and last < first:
        print(message("date_order", lang), file=sys.stderr)
        return EXIT_USAGE
    system = context.config.system()
    zone = zone_of(system.time_zone)
    started_from, started_before = day_bounds(first, last, zone)
    state = STATE_ALIASES.get(args.state, args.state) if args.state else ""
    history_filter = HistoryFilter(name, args.keyword, started_from, started_before, state)
    source = SqlHistorySource(context.database, system.default_region)
    url = task_url_builder(context.config, name)
    keys = list(COLUMN_KEYS if args.all_columns else DEFAULT_VISIBLE)
    headers = column_titles(keys, lang)
    chunks = source.iter_rows(history_filter)
    try:
        _write(args.format, stdout, headers, keys, chunks, zone, lang, url)
        stdout.flush()
    except BrokenPipeError:
        # `biztel-desk history | head`: the reader has what it wanted. Point stdout at the null device so the
        # interpreter's final flush has nowhere to fail, and end as a success, without a traceback.
        _silence(stdout)
    return EXIT_OK


def _silence(stdout: TextIO) -> None:
    """Send whatever is still buffered for a closed pipe to the null device."""
    try:
        descriptor = stdout.fileno()
    except (OSError, ValueError):  # not a file (a test's StringIO)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, descriptor)
    finally:
        os.close(devnull)


def _write(output: str, stdout: TextIO, headers: list[str], keys: list[str], chunks: Any, zone: dt.tzinfo,
           lang: str, url: Any) -> None:
    if output == "csv":
        # stdout gets no BOM: a pipe or `> file` consumer (another script, grep) would see it as data. To open
        # the file in Excel, export from the GUI (which writes the BOM) or add one: `printf '\xef\xbb\xbf'`.
        write_csv(stdout, headers, keys, chunks, zone, lang, url)
        return
    if output == "json":
        stdout.write("[")
        first_object = True
        for chunk in chunks:
            for row in chunk:
                document = json_document(row, keys, zone, lang, url)
                stdout.write(("\n  " if first_object else ",\n  ") + json.dumps(document, ensure_ascii=False))
                first_object = False
        stdout.write("\n]\n" if not first_object else "]\n")
        return
    _write_table(stdout, headers, keys, chunks, zone, lang, url)


def json_document(row: HistoryRow, keys: list[str], zone: dt.tzinfo, lang: str, url: Any) -> dict[str, Any]:
    """One row for programs: ISO 8601 times with the configured zone's offset, numbers as numbers, the state as
    its code (plus its label in the user's language), raw ids; the shown columns plus what identifies the row."""
    document: dict[str, Any] = {"job_id": row.job_id}
    for key in keys:
        if key == "task_id":
            document["task_id"] = row.task_id
            document["task_url"] = url(row.task_id) if row.task_id else None
        elif key == "state":
            document["state"] = row.state
            document["state_label"] = state_label(row.state, lang)
        elif key == "outcome":
            document["outcome"] = outcome_of(row.outcome)
            document["outcome_label"] = outcome_label(row.outcome, lang)
        elif key == "record_id":
            document["record_object"] = row.record_object
            document["record_id"] = row.record_id
            document["linked_to"] = linked_to_text(row, lang)
        elif key == "error_message":
            document["error_code"] = row.error_code or None
            document["error_message"] = failure_text(row.error_code, row.error_message, lang) or None
        else:
            value = getattr(row, key)
            document[key] = value.astimezone(zone).isoformat() if isinstance(value, dt.datetime) else value
    # Always present, whichever columns are shown: which call, what happened and where it went.
    document.setdefault("unique_id", row.unique_id)
    document.setdefault("state", row.state)
    document.setdefault("state_label", state_label(row.state, lang))
    document.setdefault("outcome", outcome_of(row.outcome))
    document.setdefault("task_id", row.task_id)
    document.setdefault("task_url", url(row.task_id) if row.task_id else None)
    document.setdefault("error_code", row.error_code or None)
    return document


def width(text: str) -> int:
    """Columns a terminal gives the text: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, columns: int) -> str:
    return text + " " * (columns - width(text))


def _write_table(stdout: TextIO, headers: list[str], keys: list[str], chunks: Any, zone: dt.tzinfo, lang: str,
                 url: Any) -> None:
    """Aligned columns; widths come from the whole result, so the rows are kept (a table is read by a person)."""
    rows = [[cell_text(row, key, zone, lang, url) for key in keys] for chunk in chunks for row in chunk]
    widths = [max([width(header)] + [width(row[i]) for row in rows]) for i, header in enumerate(headers)]
    for line in [headers, *rows]:
        stdout.write("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(line)).rstrip() + "\n")
    print(_text(lang, f"{len(rows):,}件", f"{len(rows):,} row(s)"), file=sys.stderr)
