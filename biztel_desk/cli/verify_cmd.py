"""``biztel-desk verify [--setting NAME] [--json]``: 設定確認 from the command line (exit 0 right, 1 problems, 2 unusable)."""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from biztel_desk.services.context import AppContext
from biztel_desk.services.verification import UnknownSetting, verify_setting

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def register(commands: Any) -> None:
    from biztel_desk.cli import add_setting_options  # (cli imports this module)

    parser = commands.add_parser("verify", help="settings verification (設定確認); exit 0 when everything is right")
    add_setting_options(parser)
    parser.add_argument("--json", action="store_true", help="print a JSON document instead of lines")
    parser.set_defaults(handler=run_verify)


def run_verify(args: argparse.Namespace, context: AppContext, _stdin: TextIO, stdout: TextIO) -> int:
    from biztel_desk.cli import UsageError, setting_argument

    lang = context.lang
    # An unknown or ambiguous setting is a usage error here (exit 2), not a finding about the org.
    name = setting_argument(context, args.setting)
    try:
        report = verify_setting(context, name, timeout=args.timeout)
    except UnknownSetting as error:  # removed meanwhile (another desktop, the window)
        raise UsageError(error.problems) from error
    if args.json:
        document = {
            "setting": report.setting,
            "ok": report.ok,
            "problems": [{"code": p.code, "item": p.item.get(lang), "message": p.text(lang), "warning": p.warning}
                         for p in report.problems],
            "api_calls": report.api_calls,
        }
        stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    else:
        for line in report.lines(lang):
            stdout.write(line + "\n")
    if not report.usable:
        return EXIT_USAGE
    return EXIT_OK if report.ok else EXIT_PROBLEMS
