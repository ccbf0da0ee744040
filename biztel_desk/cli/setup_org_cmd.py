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
from biztel_desk.domain.vocabulary import pick
from biztel_desk.services.context import AppContext

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def register(commands: Any) -> None:
    from biztel_desk.cli import add_setting_options  # (cli imports this module)

    parser = commands.add_parser("setup-org", help="Salesforce側の自動設定: create the fields, label, resource and "
                                                   "permissions the link needs (plan; --yes applies)")
    add_setting_options(parser)
    parser.add_argument("--dry-run", action="store_true", help="only show the plan (the default without --yes)")
    parser.add_argument("--yes", action="store_true", help="apply the plan without asking")
    parser.set_defaults(handler=run_setup_org)


def run_setup_org(args: argparse.Namespace, context: AppContext, _stdin: TextIO, stdout: TextIO) -> int:
    from biztel_desk.cli import setting_argument
    from biztel_desk.services.setup_org import SetupSession
    from biztel_desk.services.verification import verify_setting

    lang = context.lang
    # An unknown or ambiguous setting is a usage error (exit 2), as in ``verify``.
    name = setting_argument(context, args.setting)
    try:
        session = SetupSession(context.config, context.secrets, name, timeout=args.timeout)
    except KnownError as error:  # no account, login refused, the setting removed meanwhile
        print(error.text(lang), file=sys.stderr)
        return EXIT_USAGE
    try:
        plan = session.plan()
        head = pick(lang, f"Salesforce側の自動設定「{name}」: 組織 {plan.org_name}({plan.org_id})、ユーザ {plan.username}",
                    f"Salesforce setup of “{name}”: org {plan.org_name} ({plan.org_id}), user {plan.username}")
        stdout.write(head + "\n")
        for line in plan.lines:
            stdout.write(line.text(lang) + "\n")
        if plan.missing_permissions:
            print(plan.permission_text(lang), file=sys.stderr)
            return EXIT_USAGE
        left = EXIT_PROBLEMS if plan.manual else EXIT_OK
        if plan.changes_nothing:
            stdout.write(pick(lang, "作成するものはありません。", "Nothing to create.") + "\n")
            return left
        if args.dry_run or not args.yes:
            hint = pick(lang, "作成するには --yes を付けて実行してください。", "Run again with --yes to create them.")
            stdout.write(f"{len(plan.creates)} " + pick(lang, "件を作成します。", "piece(s) to create. ") + hint + "\n")
            return EXIT_PROBLEMS

        def progress(done: int, total: int, line: Any) -> None:
            item = pick(lang, *line.item)
            stdout.write(f"({done}/{total}) " + pick(lang, f"作成しました: {item}", f"created: {item}") + "\n")
            stdout.flush()

        try:
            session.apply(plan, progress)
        except KnownError as error:
            print(error.text(lang), file=sys.stderr)
            return EXIT_USAGE
        calls = session.calls
    finally:
        session.close()
    stdout.write(pick(lang, f"API呼び出し: {calls}回", f"API calls: {calls}") + "\n")
    stdout.write(pick(lang, "設定確認:", "Settings verification:") + "\n")
    report = verify_setting(context, name, timeout=args.timeout)
    for text in report.lines(lang):
        stdout.write(text + "\n")
    if not report.ok:
        return EXIT_PROBLEMS
    return left
