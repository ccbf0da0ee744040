"""``biztel-desk setup-org --setting NAME [--dry-run] [--yes]``: Salesforce側の自動設定 from the command line.

Prints the plan (one line per piece: 作成 / 変更なし / 手動対応が必要 with the reason). ``--yes`` applies it, then runs
設定確認 and prints its lines. Exit codes like ``verify``: 0 everything is right (nothing left to create or fix),
1 something is left (a plan with creates not applied, a 手動対応が必要 line, a verification problem),
2 unusable (unknown setting, login refused, a missing permission — refused before any write — or a failed step).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from biztel_desk.domain.errors import KnownError
from biztel_desk.domain.messages import ProblemsError
from biztel_desk.services.context import AppContext

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def register(commands: Any) -> None:
    parser = commands.add_parser("setup-org", help="Salesforce側の自動設定: create the fields, label, resource and "
                                                   "permissions the link needs (plan; --yes applies)")
    parser.add_argument("--setting", metavar="NAME", help="the link setting (needed when there are several)")
    parser.add_argument("--dry-run", action="store_true", help="only show the plan (the default without --yes)")
    parser.add_argument("--yes", action="store_true", help="apply the plan without asking")
    parser.add_argument("--timeout", type=float, default=30, metavar="SECONDS", help="per Salesforce request (default 30)")
    parser.set_defaults(handler=run_setup_org)


def run_setup_org(args: argparse.Namespace, context: AppContext, _stdin: TextIO, stdout: TextIO) -> int:
    from biztel_desk.cli import resolve_setting
    from biztel_desk.services.setup_org import SetupSession
    from biztel_desk.verify.checks import verify_setting

    lang = context.lang
    en = lang == "en"
    try:
        name = resolve_setting(context, args.setting)
        session = SetupSession(context.config, context.secrets, name, timeout=args.timeout)
    except (ProblemsError, KnownError) as error:
        print(error.text(lang), file=sys.stderr)
        return EXIT_USAGE
    try:
        plan = session.plan()
        head = (f"Salesforce setup of “{name}”: org {plan.org_name} ({plan.org_id}), user {plan.username}" if en
                else f"Salesforce側の自動設定「{name}」: 組織 {plan.org_name}({plan.org_id})、ユーザ {plan.username}")
        stdout.write(head + "\n")
        for line in plan.lines:
            stdout.write(line.text(lang) + "\n")
        if plan.missing_permissions:
            print(plan.permission_text(lang), file=sys.stderr)
            return EXIT_USAGE
        left = EXIT_PROBLEMS if plan.manual else EXIT_OK
        if plan.changes_nothing:
            stdout.write(("Nothing to create." if en else "作成するものはありません。") + "\n")
            return left
        if args.dry_run or not args.yes:
            hint = "Run again with --yes to create them." if en else "作成するには --yes を付けて実行してください。"
            stdout.write(f"{len(plan.creates)} " + ("piece(s) to create. " if en else "件を作成します。") + hint + "\n")
            return EXIT_PROBLEMS

        def progress(done: int, total: int, line: Any) -> None:
            item = line.item[1 if en else 0]
            stdout.write(f"({done}/{total}) " + (f"created: {item}" if en else f"作成しました: {item}") + "\n")
            stdout.flush()

        try:
            session.apply(plan, progress)
        except KnownError as error:
            print(error.text(lang), file=sys.stderr)
            return EXIT_USAGE
        calls = session.calls
    finally:
        session.close()
    stdout.write((f"API calls: {calls}" if en else f"API呼び出し: {calls}回") + "\n")
    stdout.write(("Settings verification:" if en else "設定確認:") + "\n")
    report = verify_setting(context, name, timeout=args.timeout)
    for text in report.lines(lang):
        stdout.write(text + "\n")
    if not report.ok:
        return EXIT_PROBLEMS
    return left
