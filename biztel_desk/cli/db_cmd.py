"""``biztel-desk db check | upgrade | copy --to URL``: the database itself, opened without migrating it first."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from biztel_desk.domain.messages import message
from biztel_desk.domain.vocabulary import pick
from biztel_desk.services import db_admin

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def register(commands: Any) -> None:
    parser = commands.add_parser("db", help="check, upgrade or copy the database (SQLite or PostgreSQL)")
    db_commands = parser.add_subparsers(dest="db_command", required=True)
    check = db_commands.add_parser("check", help="server, schema revision, extensions, desktops connected, lease owners")
    check.add_argument("--json", action="store_true", help="one JSON object instead of text")
    upgrade = db_commands.add_parser("upgrade", help="run the migrations to this app's newest schema")
    upgrade.add_argument("--json", action="store_true", help="one JSON object instead of text")
    copy = db_commands.add_parser("copy", help="copy every row into another database (e.g. SQLite → PostgreSQL)")
    copy.add_argument("--to", required=True, metavar="URL", help="the target, e.g. postgresql+psycopg://user@host/db")
    copy.add_argument("--replace", action="store_true", help="delete every row of a non-empty target first")
    copy.add_argument("--batch", type=int, default=5000, metavar="N", help="rows per insert (default 5000)")
    # Runs before the app's usual open (which migrates): see cli.run.
    parser.set_defaults(without_context=run_db)


def _text(lang: str, ja: str, en: str) -> str:
    return pick(lang, ja, en)


def run_db(args: argparse.Namespace, lang: str, _stdin: TextIO, stdout: TextIO) -> int:
    """A newer schema, a database that cannot be opened and a refused copy are reported by ``cli.run``."""
    url = db_admin.database_url(getattr(args, "data_dir", None), getattr(args, "db_url", None))
    if args.db_command == "check":
        return _check(db_admin.check(url), lang, stdout, args.json)
    if args.db_command == "upgrade":
        return _upgrade(db_admin.upgrade(url), lang, stdout, args.json)
    return _copy(args, url, lang, stdout)


SCHEMA_TEXT = {
    "current": ("最新です", "up to date"),
    "older": ("古い版です(biztel-desk db upgrade で更新できます)", "older (biztel-desk db upgrade brings it up to date)"),
    "newer": ("このアプリより新しい版です。BIZTEL Desk を最新版に更新してください", "newer than this app: update BIZTEL Desk"),
    "empty": ("まだ作られていません(biztel-desk db upgrade で作成します)", "not created yet (biztel-desk db upgrade creates it)"),
}
SEARCH_TEXT = {
    "fts5": ("SQLite FTS5 トライグラム索引", "SQLite FTS5 trigram index"),
    "pg_trgm": ("pg_trgm トライグラム索引(GIN)", "pg_trgm trigram index (GIN)"),
    "like": (
        "索引なし(LIKE で全件を検索)。管理者が CREATE EXTENSION pg_trgm; を実行した後、biztel-desk db upgrade を実行してください",
        "no index (a LIKE scan over every call). Have an administrator run CREATE EXTENSION pg_trgm; "
        "then run biztel-desk db upgrade",
    ),
    "": ("-", "-"),
}


def _when(value: Any) -> str:
    return value.isoformat(timespec="seconds") if value is not None else "-"


def _check(report: db_admin.CheckReport, lang: str, stdout: TextIO, as_json: bool) -> int:
    exit_code = EXIT_PROBLEMS if report.schema == "newer" else EXIT_OK
    if as_json:
        stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2) + "\n")
        return exit_code
    lines = [
        f"{_text(lang, 'データベース', 'Database')}: {report.url}",
        f"{_text(lang, 'サーバ', 'Server')}: {report.kind} {report.version}",
        f"{_text(lang, 'スキーマ', 'Schema')}: {report.revision or '-'} "
        f"({_text(lang, 'アプリの最新', 'app head')}: {report.head}) — {pick(lang, *SCHEMA_TEXT[report.schema])}",
    ]
    if report.kind == "PostgreSQL":
        listed = ", ".join(f"{name} {version}" for name, version in sorted(report.extensions.items())) or "-"
        lines.append(f"{_text(lang, '拡張機能', 'Extensions')}: {listed}")
    lines.extend(_keyword_lines(report, lang))
    how = _text(lang, "接続中のデスクトップ", "Desktops connected") if report.kind == "PostgreSQL" else \
        _text(lang, "連携中のデスクトップ(リースから)", "Desktops linking (from the leases)")
    lines.append(f"{how}: {len(report.desktops)}")
    for desktop in report.desktops:
        if report.kind == "PostgreSQL":
            lines.append(f"  {desktop.host}  {desktop.address}  {_text(lang, '接続', 'connections')} {desktop.connections}"
                         f"  {_text(lang, '接続開始', 'since')} {_when(desktop.since)}"
                         f"  {_text(lang, '最終応答', 'last activity')} {_when(desktop.last_activity)}")
        else:
            lines.append(f"  {desktop.host}  {_text(lang, '連携設定', 'settings')} {desktop.connections}")
    lines.append(f"{_text(lang, '連携設定の担当', 'Lease owners')}: {len(report.leases)}")
    for lease in report.leases:
        state = _text(lang, "期限切れ", "expired") if lease.expired else _text(lang, "有効", "valid")
        lines.append(f"  {lease.setting}  {lease.owner}  {_text(lang, '期限', 'expires')} {_when(lease.expires_at)} ({state})")
    if report.schema == "newer":
        lines.append(message("schema_too_new", lang, database_revision=report.revision, app_revision=report.head))
    stdout.write("\n".join(lines) + "\n")
    return exit_code


INDEX_TEXT = {
    "ix_calls_search_day_trgm": ("GIN 索引 ix_calls_search_day_trgm(通話の日+検索文字列、pg_trgm + btree_gin)",
                                 "GIN index ix_calls_search_day_trgm (call day + searched text; pg_trgm + btree_gin)"),
    "ix_calls_search_trgm": ("GIN 索引 ix_calls_search_trgm(検索文字列のみ、pg_trgm)",
                             "GIN index ix_calls_search_trgm (searched text only; pg_trgm)"),
    "call_search": ("SQLite FTS5 トライグラム索引 call_search", "SQLite FTS5 trigram index call_search"),
}


def _keyword_lines(report: db_admin.CheckReport, lang: str) -> list[str]:
    """連携通話履歴's keyword search: the index present, what to do when it is missing, and the planner's use of it."""
    head = f"{_text(lang, 'キーワード検索', 'Keyword search')}: "
    plan = report.keyword_plan
    if plan is None:  # no schema yet
        return [head + pick(lang, *SEARCH_TEXT[""])]
    missing = " ".join(f"CREATE EXTENSION {name};" for name in plan.missing)
    if not plan.index:
        lines = [head + _text(lang, "索引なし(LIKE で全件を検索します)。", "no index (a LIKE scan over every call).")]
        if report.kind == "PostgreSQL":
            lines.append("  " + (_text(lang, f"管理者が {missing} を実行した後、biztel-desk db upgrade を実行してください。",
                                        f"Have an administrator run {missing} then run biztel-desk db upgrade.")
                                 if missing else
                                 _text(lang, "biztel-desk db upgrade を実行すると索引を作ります。",
                                       "Run biztel-desk db upgrade to create the index.")))
        return lines
    lines = [head + pick(lang, *INDEX_TEXT.get(plan.index, (plan.index, plan.index)))]
    if plan.index == "ix_calls_search_trgm":
        lines.append("  " + _text(
            lang,
            "期間を指定したキーワード検索は、期間外の一致も一件ずつ確かめます。"
            + (f"管理者が {missing} を実行した後、" if missing else "")
            + "biztel-desk db upgrade を実行すると、期間用の索引 ix_calls_search_day_trgm を作ります。",
            "A keyword within a date range rechecks its matches outside the range too. "
            + (f"Have an administrator run {missing} then run" if missing else "Run")
            + " biztel-desk db upgrade to create the range's index ix_calls_search_day_trgm.",
        ))
    if plan.planned:
        over = ("1日分の", " over one day") if report.kind == "PostgreSQL" else ("", "")
        lines.append("  " + _text(lang, f"実行計画: {over[0]}キーワード検索で {plan.planned} を使います。",
                                  f"Plan: a keyword{over[1]} uses {plan.planned}."))
    elif plan.usable:
        size = (f"(約 {plan.calls:,} 件)", f" (about {plan.calls:,} rows)") if plan.calls >= 0 else ("", "")
        lines.append("  " + _text(
            lang,
            f"実行計画: 通話が少ない{size[0]}ため、今は表を順に読みます。通話が増えると {plan.usable} を使います"
            "(表の読み取りを除いた計画で確認しました)。",
            f"Plan: the calls table is small{size[1]}, so it is read in full for now; as it grows the search uses"
            f" {plan.usable} (checked with table scans priced out).",
        ))
    else:
        lines.append("  " + _text(
            lang,
            f"実行計画: {plan.index} が使われていません。ANALYZE calls; を実行しても変わらなければ、"
            "この出力を添えて開発元に連絡してください。",
            f"Plan: {plan.index} is not used. If it stays so after ANALYZE calls; send this output to the developers.",
        ))
    if plan.index == "ix_calls_search_day_trgm":
        lines.append("  " + (_text(lang, "件数: 担当者・内線ごとの日別件数 (0022) から数えます。",
                                   "Count: from the per-day counts of agents and extensions (0022).")
                             if plan.party_counts else
                             _text(lang, "件数: 一致する通話を一件ずつ数えます。biztel-desk db upgrade を実行すると"
                                         "担当者・内線ごとの日別件数 (0022) を作り、よく使う語の件数が速くなります。",
                                   "Count: every matching call is counted one by one. Run biztel-desk db upgrade to"
                                   " create the per-day counts of agents and extensions (0022): a common word's"
                                   " count becomes fast.")))
    return lines


def _upgrade(report: db_admin.UpgradeReport, lang: str, stdout: TextIO, as_json: bool) -> int:
    if as_json:
        stdout.write(json.dumps(report.__dict__, ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    if report.from_revision == report.to_revision:
        lines = [_text(lang, f"スキーマは最新です: {report.to_revision}", f"The schema is up to date: {report.to_revision}")]
    else:
        lines = [_text(lang, f"スキーマを更新しました: {report.from_revision or '(空)'} → {report.to_revision}",
                       f"Upgraded the schema: {report.from_revision or '(empty)'} → {report.to_revision}")]
    lines.append(f"{_text(lang, 'キーワード検索', 'Keyword search')}: {pick(lang, *SEARCH_TEXT[report.keyword_search])}")
    if report.keyword_reason:
        lines.append(f"  ({report.keyword_reason})")
    if report.day_index_reason:
        lines.append(_text(
            lang,
            "  期間を指定したキーワード検索の索引を作れませんでした。管理者が CREATE EXTENSION btree_gin; を実行した後、"
            f"biztel-desk db upgrade を実行してください。({report.day_index_reason})",
            "  Could not create the index for a keyword within a date range. Have an administrator run CREATE EXTENSION"
            f" btree_gin; then run biztel-desk db upgrade. ({report.day_index_reason})",
        ))
    stdout.write("\n".join(lines) + "\n")
    return EXIT_OK


def _copy(args: argparse.Namespace, url: str, lang: str, stdout: TextIO) -> int:
    def progress(table: str, rows: int) -> None:
        print(f"\r  {table}: {rows:,}", end="", file=sys.stderr, flush=True)

    report = db_admin.copy_database(url, args.to, replace=args.replace, batch=max(args.batch, 1), progress=progress)
    print(file=sys.stderr)
    lines = [_text(lang, f"コピーしました: {report.source} → {report.target}", f"Copied: {report.source} → {report.target}")]
    for table in report.tables:
        lines.append(f"  {table.table}: {table.source_rows:,} → {table.target_rows:,}")
    lines.append(_text(
        lang,
        f"件数はすべて一致しました。コピーしなかったもの: {', '.join(report.not_copied)}(実行中の担当情報)、"
        "秘密情報(OSのキーリングにあり、データベースにはありません)。",
        f"Every row count matches. Not copied: {', '.join(report.not_copied)} (who is linking now), "
        "secrets (they live in the OS keyring, never in the database).",
    ))
    stdout.write("\n".join(lines) + "\n")
    return EXIT_OK
