"""Headless commands (CLI.md). Core commands live here; larger ones in modules listed in COMMAND_MODULES.

A command module defines ``register(commands)``, which adds its sub-parser and sets
``handler=fn`` with ``fn(args, context, stdin, stdout) -> int`` (exit codes below).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from pathlib import Path
from typing import TextIO

from biztel_desk import applog
from biztel_desk.domain.config import TYPED_SECRETS, LinkStatus, SecretKind
from biztel_desk.domain.messages import Problem, ProblemsError, message
from biztel_desk.domain.vocabulary import pick
from biztel_desk.services import context as app_context
from biztel_desk.services.context import (
    AppContext,
    DatabaseUnavailable,
    SchemaTooNew,
    SecretStore,
    SecretStoreError,
    data_dir,
)
from biztel_desk.services.faults import database_problem

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
log = logging.getLogger(__name__)

# Command modules, each owning one command (see the module docstring).
COMMAND_MODULES: tuple[str, ...] = ("biztel_desk.cli.import_cmd", "biztel_desk.cli.verify_cmd", "biztel_desk.cli.sync", "biztel_desk.cli.history_cmd", "biztel_desk.cli.ingest_cmd", "biztel_desk.cli.db_cmd", "biztel_desk.cli.relink_cmd", "biztel_desk.cli.service_cmd", "biztel_desk.cli.setup_org_cmd")


def add_global_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", metavar="DIR", help="where the database and settings live (or BIZTEL_DESK_HOME)")
    parser.add_argument("--db-url", metavar="URL", help="a SQLAlchemy URL instead of the SQLite file in the data dir "
                        "(default: BIZTEL_DESK_DB_URL when set)")
    parser.add_argument("--lang", choices=["ja", "en"], help="UI and message language (default: system locale)")


def add_commands(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    settings = commands.add_parser("settings", help="export or import settings as TOML (never secrets)")
    settings_commands = settings.add_subparsers(dest="settings_command", required=True)
    export = settings_commands.add_parser("export", help="write all settings as TOML")
    export.add_argument("file", help="FILE or - for stdout")
    imp = settings_commands.add_parser("import", help="validate, then replace the settings the file names")
    imp.add_argument("file", help="FILE or - for stdin")

    account = commands.add_parser("account", help="Salesforce account secrets")
    account_commands = account.add_subparsers(dest="account_command", required=True)
    secret = account_commands.add_parser("set-secret", help="read one secret from stdin into the OS keyring")
    secret.add_argument("account")
    secret.add_argument("kind", choices=[kind.value for kind in (*TYPED_SECRETS, SecretKind.REFRESH_TOKEN)])
    from biztel_desk.cli import account_cmd

    account_cmd.add_login_parser(account_commands)

    status = commands.add_parser("status", help="show or set the link status")
    status.add_argument("--setting", metavar="NAME")
    status.add_argument("new_status", nargs="?", choices=[s.value for s in LinkStatus])

    for module in COMMAND_MODULES:
        importlib.import_module(module).register(commands)

    devorg = commands.add_parser("devorg", help="run the local Salesforce dev org until SIGINT/SIGTERM")
    # The dev org is a separate tool that this CLI only mounts: its own parser and run, through devorg.cli alone
    # (the one import past services/ that the import-linter contract allows cli/, see pyproject.toml).
    try:
        from biztel_desk.devorg import cli as devorg_cli

        devorg_cli.add_arguments(devorg)
    except ImportError:  # the dev org ships with the app; only a broken install lacks it
        devorg.set_defaults(devorg_missing=True)


def detect_lang(args: argparse.Namespace) -> str:
    if getattr(args, "lang", None):
        return str(args.lang)
    import locale
    import os

    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    loc = locale.getlocale()[0] or ""
    return "ja" if loc.lower().startswith("ja") else "en"


def open_context(args: argparse.Namespace, lang: str, secrets: SecretStore | None = None) -> AppContext:
    # --db-url, else BIZTEL_DESK_DB_URL (a service or a shared desktop setup), else the data dir's SQLite file.
    return app_context.open_context(getattr(args, "data_dir", None), getattr(args, "db_url", None), lang, secrets)


def run(
    args: argparse.Namespace,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    secrets: SecretStore | None = None,
) -> int:
    """Run one command; ``secrets`` replaces the OS keyring (tests, the demo profile)."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    lang = detect_lang(args)
    if args.command == "devorg":
        if getattr(args, "devorg_missing", False):
            print("devorg is not available in this installation", file=sys.stderr)
            return EXIT_USAGE
        from biztel_desk.devorg import cli as devorg_cli

        return devorg_cli.run(args)
    directory = data_dir(getattr(args, "data_dir", None))
    without_context = getattr(args, "without_context", None)
    if without_context is None or directory.exists():  # `db check` of a missing data dir creates nothing
        applog.configure(directory)
    applog.install_thread_hook()
    if without_context is not None:  # `db …` opens the database itself, without migrating it first
        try:
            return int(without_context(args, lang, stdin, stdout))
        except (ProblemsError, DatabaseUnavailable) as error:
            return known_failure(error, lang)
    try:
        context = open_context(args, lang, secrets)
    except DatabaseUnavailable as error:
        log.warning("database unavailable: %s", error)
        return known_failure(error, lang)
    try:
        if args.command == "settings":
            return _settings(args, context, stdin, stdout)
        if args.command == "account":
            account_handler = getattr(args, "account_handler", None)
            if account_handler is not None:  # account login (cli/account_cmd.py)
                return int(account_handler(args, context, stdin, stdout))
            return _set_secret(args, context, stdin)
        if args.command == "status":
            return _status(args, context, stdout)
        handler = getattr(args, "handler", None)
        if handler is not None:
            return int(handler(args, context, stdin, stdout))
        return EXIT_USAGE
    except ProblemsError as error:
        return known_failure(error, lang)
    except SecretStoreError as error:
        print(_text(lang, f"OSのキーリングを使えません: {error.text(lang)}", f"The OS keyring cannot be used: {error}"),
              file=sys.stderr)
        return EXIT_USAGE
    except Exception as error:
        # A locked, damaged or full database is the environment, not a bug: say what to do, no traceback.
        problem = database_problem(error, lang, context.database.location)
        if problem is None:
            log.critical("biztel-desk %s stopped by an unexpected error", args.command, exc_info=True)
            raise
        log.warning("%s: database fault: %s", args.command, error)
        print(problem, file=sys.stderr)
        return EXIT_USAGE
    finally:
        context.close()


class UsageError(ProblemsError):
    """The command line itself is wrong (an unknown or ambiguous ``--setting``): ``run`` prints it, exit 2."""


def known_failure(error: ProblemsError | DatabaseUnavailable, lang: str) -> int:
    """The one place a command's known failure becomes text on stderr and an exit code.

    ``UsageError`` → 2; other refused input (``ProblemsError``) → 1; a database newer than this app → 1 (the
    user updates the app); a database that cannot be opened → 2.
    """
    if isinstance(error, SchemaTooNew):
        print(message("schema_too_new", lang, database_revision=error.database_revision,
                      app_revision=error.app_revision), file=sys.stderr)
        return EXIT_PROBLEMS
    print(error.text(lang), file=sys.stderr)
    if isinstance(error, UsageError | DatabaseUnavailable):
        return EXIT_USAGE
    return EXIT_PROBLEMS


def add_setting_options(parser: argparse.ArgumentParser) -> None:
    """``--setting NAME`` and ``--timeout SECONDS``: the options of a command that logs in to one setting's org."""
    parser.add_argument("--setting", metavar="NAME", help="the link setting (needed when there are several)")
    parser.add_argument("--timeout", type=float, default=30, metavar="SECONDS", help="per Salesforce request (default 30)")


def setting_argument(context: AppContext, name: str | None) -> str:
    """The link setting a command works on (``--setting NAME``, or the only one there is).

    An unknown or ambiguous setting is a usage error (exit 2 through ``run``), not a finding about the data.
    """
    try:
        return resolve_setting(context, name)
    except ProblemsError as error:
        raise UsageError(error.problems) from error


def _text(lang: str, ja: str, en: str) -> str:
    return pick(lang, ja, en)




def _settings(args: argparse.Namespace, context: AppContext, stdin: TextIO, stdout: TextIO) -> int:
    from biztel_desk.services import settings_file

    lang = context.lang
    if args.settings_command == "export":
        text = settings_file.export_toml(context.config)
        if args.file == "-":
            stdout.write(text)
        else:
            try:
                Path(args.file).write_text(text, encoding="utf-8")
            except OSError as error:
                print(_text(lang, f"書き込めません: {args.file}: {error.strerror}", f"Cannot write {args.file}: {error.strerror}"), file=sys.stderr)
                return EXIT_USAGE
        return EXIT_OK
    try:
        text = stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        print(_text(lang, f"読み込めません: {args.file}: {reason}", f"Cannot read {args.file}: {reason}"), file=sys.stderr)
        return EXIT_USAGE
    summary = settings_file.import_toml(context.config, text)
    print(
        _text(
            lang,
            f"取り込みました: アカウント {summary.accounts}件、連携設定 {summary.settings}件、システム設定 {summary.system}項目",
            f"Imported: {summary.accounts} account(s), {summary.settings} link setting(s), {summary.system} system value(s)",
        ),
        file=sys.stderr,
    )
    return EXIT_OK


def _set_secret(args: argparse.Namespace, context: AppContext, stdin: TextIO) -> int:
    lang = context.lang
    if context.config.get_account(args.account) is None:
        print(message("unknown_account", lang, field_name="account", value=args.account), file=sys.stderr)
        return EXIT_PROBLEMS
    value = stdin.read()
    # One secret per call: strip the line ending a shell pipe adds, but keep inner whitespace (private keys).
    value = value.strip("\r\n") if args.kind != SecretKind.PRIVATE_KEY else value.strip()
    if not value:
        print(_text(lang, "標準入力から秘密情報を読み取れませんでした(空です)。", "No secret was given on stdin (it was empty)."), file=sys.stderr)
        return EXIT_USAGE
    context.secrets.set_account_secret(args.account, SecretKind(args.kind), value)
    print(_text(lang, f"{args.account} の {args.kind} をキーリングに保存しました。", f"Stored {args.kind} of {args.account} in the keyring."), file=sys.stderr)
    return EXIT_OK


def resolve_setting(context: AppContext, name: str | None) -> str:
    names = [summary.name for summary in context.config.list_settings()]
    if name:
        if name not in names:
            raise ProblemsError([Problem("unknown_setting", "", {"value": name})])
        return name
    if len(names) == 1:
        return names[0]
    if not names:
        raise ProblemsError([Problem("unknown_setting", "", {"value": "-"})])
    raise ProblemsError([Problem("setting_ambiguous", "", {"choices": ", ".join(names)})])


def _status(args: argparse.Namespace, context: AppContext, stdout: TextIO) -> int:
    if args.new_status:
        name = resolve_setting(context, args.setting)
        context.config.set_status(name, LinkStatus(args.new_status))
        stdout.write(f"{name}\t{args.new_status}\n")
        return EXIT_OK
    summaries = context.config.list_settings()
    if args.setting:
        summaries = [s for s in summaries if s.name == resolve_setting(context, args.setting)]
    from biztel_desk.services.account_login import settings_needing_login

    relogin = settings_needing_login(context.config, context.secrets)
    for summary in summaries:
        # A third column when the setting's account must sign in again (要再ログイン): it cannot send until then.
        extra = "\tlogin_required" if summary.name in relogin else ""
        stdout.write(f"{summary.name}\t{summary.status}{extra}\n")
    shown = {s.name for s in summaries}
    for account in sorted({a for s, a in relogin.items() if s in shown}):
        print(_text(context.lang, f"要再ログイン: アカウント「{account}」。`biztel-desk account login {account}` を実行してください。",
                    f"Sign-in needed (要再ログイン): account '{account}'. Run `biztel-desk account login {account}`."),
              file=sys.stderr)
    return EXIT_PROBLEMS if any(s in shown for s in relogin) else EXIT_OK
