"""``biztel-desk import FILE…``: call files into the database, with counts on stdout and rejected rows on stderr."""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from biztel_desk.domain.messages import message
from biztel_desk.services import imports as files
from biztel_desk.services.context import AppContext

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def register(commands: Any) -> None:
    parser = commands.add_parser("import", help="import call records from CSV/TSV files")
    parser.add_argument("files", nargs="+", metavar="FILE", help="call files (CSV or TSV)")
    parser.add_argument(
        "--preset", choices=files.PRESETS, help="file format (default: detected from the first row)"
    )
    parser.add_argument("--mapping", metavar="FILE", help="column mapping for the generic preset (TOML or JSON)")
    parser.add_argument("--encoding", choices=files.ENCODINGS, default="auto", help="character encoding (default: auto)")
    parser.add_argument(
        "--columns", metavar="LIST",
        help="column names of a header-less CDR file, e.g. Asterisk cdr_custom's fields = … list "
             "(clid,src,dst,dcontext,channel,dstchannel,lastapp,lastdata,start,answer,end,duration,billsec,…)",
    )
    parser.add_argument(
        "--time-zone", metavar="ZONE",
        help="IANA zone the PBX wrote its times in, e.g. Asia/Tokyo or UTC (default: the mapping's, else the system "
             "setting time_zone); the zone times are shown in is separate",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, context: AppContext, stdin: TextIO, stdout: TextIO) -> int:
    lang = context.lang
    mapping = None
    if args.mapping:
        try:
            mapping = files.load_mapping(args.mapping)
        except files.ImportFailure as failure:
            print(failure.text(lang), file=sys.stderr)
            return EXIT_USAGE
    columns = None
    if args.columns:
        try:
            columns = files.parse_columns(args.columns)
        except files.ImportFailure as failure:
            print(failure.text(lang), file=sys.stderr)
            return EXIT_USAGE
    outcome = files.import_and_summarize(
        context.database, args.files, preset=args.preset, mapping=mapping, encoding=args.encoding,
        time_zone=args.time_zone, columns=columns, lang=lang,
    )
    report = outcome.report
    for file_report in report.files:
        for line in file_report.summary(lang):
            stdout.write(line + "\n")
        for line in file_report.problems(lang):
            print(line, file=sys.stderr)
    if len(report.files) > 1:
        total = message("import_total", lang, imported=report.imported, known=report.known,
                        rejected=len(report.rejected))
        stdout.write(total + "\n")
    # Calls on company numbers no target or alias names are never silent (they stay 対象外 in the history).
    for line in outcome.unknown_lines:
        stdout.write(line + "\n")
    stdout.flush()
    return report.exit_code
