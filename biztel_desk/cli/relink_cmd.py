"""``biztel-desk relink --setting NAME [--number N] [--since DATE]``: link past calls kept as 対象外.

After a number was ticked, an alias added or a 既定の発信番号 set, the calls of that number stored earlier
(inside the retention period) get a waiting job — held while the setting is paused — once; `sync` then
links them. Calls already linked are never touched.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any, TextIO

from biztel_desk.domain.messages import message
from biztel_desk.services import relink
from biztel_desk.services.context import AppContext
from biztel_desk.services.history import zone_of

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "relink", help="link past calls kept as 対象外 now that their number is linked (inside the retention period)"
    )
    parser.add_argument("--setting", metavar="NAME", help="the link setting (needed when there are several)")
    parser.add_argument("--number", metavar="N", help="only calls on this company number (any format)")
    parser.add_argument("--since", metavar="DATE", help="only calls started on or after this day, YYYY-MM-DD")
    parser.add_argument("--dry-run", action="store_true", help="count the calls, change nothing")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, context: AppContext, _stdin: TextIO, stdout: TextIO) -> int:
    from biztel_desk.cli import setting_argument

    lang = context.lang
    name = setting_argument(context, args.setting)
    since = None
    if args.since:
        try:
            day = dt.date.fromisoformat(args.since.strip().replace("/", "-"))
        except ValueError:
            print(message("date_format", lang), file=sys.stderr)
            return EXIT_USAGE
        zone = zone_of(context.config.system().time_zone)
        since = dt.datetime.combine(day, dt.time(), zone).astimezone(dt.UTC)
    # A refused --number is a ProblemsError: cli.run prints it (exit 1).
    if args.dry_run:
        count = relink.relinkable(context.database, name, args.number, since)
        stdout.write(message("relink_dry_run", lang, name=name, count=count) + "\n")
        return EXIT_OK
    outcome = relink.relink(context.database, name, args.number, since)
    stdout.write(outcome.text(lang) + "\n")
    if outcome.jobs and outcome.state == "pending":
        stdout.write(message("relink_sync_hint", lang) + "\n")
    return EXIT_OK
