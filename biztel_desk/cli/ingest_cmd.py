"""``biztel-desk ingest config|token|status|set-secret|test-cdr-db``: the watched folder, the HTTP ingest endpoint
and the PBX's CDR database, from a script."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from typing import Any, TextIO

from biztel_desk.domain.vocabulary import pick
from biztel_desk.services import cdr_db as ingest_cdr_db
from biztel_desk.services import ingest_sources
from biztel_desk.services.context import AppContext

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
AUTO = "auto"  # --folder-preset auto: the format is detected per file


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "ingest",
        help="configure the watched folder, the HTTP ingest endpoint and the PBX's CDR database",
        description="The call sources that run while the window or `biztel-desk sync` (without --once) runs. "
        "A change applies at the next start of the app or of sync (the window's dialog applies it at once).",
    )
    sub = parser.add_subparsers(dest="ingest_command", required=True, metavar="SUBCOMMAND")

    config = sub.add_parser("config", help="show or change the configuration (no option: show it)")
    where = config.add_mutually_exclusive_group()
    where.add_argument("--folder", metavar="PATH", help="watch this folder (it must exist and be writable)")
    where.add_argument("--no-folder", action="store_true", help="stop watching the folder")
    config.add_argument("--folder-preset", choices=[AUTO, *ingest_sources.PRESETS],
                        help="the file format in the folder (default: auto, detected per file)")
    config.add_argument("--folder-encoding", choices=ingest_sources.ENCODINGS, help="character encoding (default: auto)")
    config.add_argument("--folder-mapping", metavar="FILE", help="column mapping for the generic preset ('' for none)")
    config.add_argument("--folder-time-zone", metavar="ZONE",
                        help="zone the PBX writes the folder's times in, e.g. UTC ('' for the system setting)")
    config.add_argument("--http-time-zone", metavar="ZONE",
                        help="zone of times sent without an offset, e.g. UTC ('' for the system setting)")
    config.add_argument("--http", choices=["on", "off"], help="turn the HTTP endpoint on or off")
    config.add_argument("--http-host", metavar="HOST",
                        help="address to listen on (default 127.0.0.1; any other lets other computers connect and "
                             "needs --i-understand-this-listens-on-the-network)")
    config.add_argument("--i-understand-this-listens-on-the-network", dest="allow_network", action="store_true",
                        help="confirm listening on an address other than 127.0.0.1: other computers can connect, and "
                             "TLS is not provided (the token and the calls travel unencrypted), so put a reverse "
                             "proxy with TLS in front of it")
    config.add_argument("--http-port", type=int, metavar="N", help="port (1-65535, default 8765; 0 is refused)")
    cdr = config.add_mutually_exclusive_group()
    cdr.add_argument("--cdr-db", metavar="URL",
                     help="read calls live from the PBX's CDR database: mysql://USER@HOST:3306/asteriskcdrdb (FreePBX, "
                          "Issabel) or postgresql://USER@HOST:5432/DB (Asterisk cdr_pgsql / cdr_adaptive_odbc); no "
                          "password in the URL (ingest set-secret cdr-db)")
    cdr.add_argument("--no-cdr-db", action="store_true", help="stop reading the CDR database")
    config.add_argument("--cdr-table", metavar="NAME", help="the CDR table (default cdr; schema.table allowed)")
    config.add_argument("--cdr-schema", choices=ingest_cdr_db.SCHEMAS,
                        help="the table's column set: freepbx (calldate…), asterisk (start/answer/end), auto (default)")
    config.add_argument("--cdr-time-zone", metavar="ZONE",
                        help="zone the PBX writes the table's times in, e.g. Asia/Tokyo ('' for the system setting)")
    config.add_argument("--cdr-start", metavar="now|DAYS",
                        help="where the first run starts: now, or DAYS back from the newest call (asked once: "
                             "needed the first time the source is turned on)")
    config.set_defaults(handler=run_config)

    secret = sub.add_parser("set-secret", help="read the CDR database password from stdin into the OS keyring")
    secret.add_argument("which", choices=["cdr-db"], help="cdr-db: the password of the CDR database user")
    secret.set_defaults(handler=run_set_secret)

    check = sub.add_parser("test-cdr-db", help="connect to the CDR database (read-only) and describe its table")
    check.set_defaults(handler=run_test_cdr_db)

    token = sub.add_parser("token", help="generate the endpoint's bearer token (--new); it is printed only then")
    token.add_argument("--new", action="store_true",
                       help="generate a new token into the OS keyring and print it once (the old one stops working)")
    token.set_defaults(handler=run_token)

    status = sub.add_parser("status", help="the configuration, whether a token exists, whether the endpoint answers")
    status.set_defaults(handler=run_status)


def _text(lang: str, ja: str, en: str) -> str:
    return pick(lang, ja, en)


def _write_config(context: AppContext, stdout: TextIO) -> None:
    folder = ingest_sources.load_folder_config(context.database)
    http = ingest_sources.load_http_config(context.database)
    rows = [
        ("folder", "on" if folder.enabled else "off"),
        ("folder_path", folder.path or "-"),
        ("folder_preset", folder.preset or AUTO),
        ("folder_encoding", folder.encoding),
        ("folder_mapping", folder.mapping_file or "-"),
        ("folder_time_zone", folder.time_zone or "-"),
        ("http", "on" if http.enabled else "off"),
        ("http_host", http.host),
        ("http_port", str(http.port)),
        ("http_url", ingest_sources.endpoint_url(http)),
        ("http_time_zone", http.time_zone or "-"),
        ("token", "set" if ingest_sources.has_token(context.secrets) else "missing"),
        *_cdr_rows(context),
    ]
    for key, value in rows:
        stdout.write(f"{key}\t{value}\n")


def _cdr_rows(context: AppContext) -> list[tuple[str, str]]:
    cdr = ingest_cdr_db.load_config(context.database)
    if not cdr.url:
        return []  # not configured: the rows appear once a CDR database is given (an optional source and driver)
    position = ingest_sources.cdr_db_position(context.database, cdr)
    return [
        ("cdr_db", "on" if cdr.enabled else "off"),
        ("cdr_db_url", cdr.url or "-"),
        ("cdr_table", cdr.table),
        ("cdr_schema", cdr.schema),
        ("cdr_time_zone", cdr.time_zone or "-"),
        ("cdr_start", cdr.start or "-"),
        ("cdr_position", _position_text(position)),
        ("cdr_password", "set" if ingest_sources.has_cdr_db_password(context.secrets) else "missing"),
    ]


def _position_text(position: ingest_cdr_db.Position | None) -> str:
    if position is None:
        return "-"
    if position.last_id:
        return f"id {position.last_id}"
    mark = position.watermark or position.floor
    return f"end {mark:%Y-%m-%d %H:%M:%S}" if mark is not None else "start"


def run_config(args: argparse.Namespace, context: AppContext, _stdin: TextIO, stdout: TextIO) -> int:
    lang = context.lang
    folder = ingest_sources.load_folder_config(context.database)
    http = ingest_sources.load_http_config(context.database)
    if args.folder is not None:
        folder = replace(folder, enabled=True, path=args.folder)
    if args.no_folder:
        folder = replace(folder, enabled=False)
    if args.folder_preset is not None:
        folder = replace(folder, preset="" if args.folder_preset == AUTO else args.folder_preset)
    if args.folder_encoding is not None:
        folder = replace(folder, encoding=args.folder_encoding)
    if args.folder_mapping is not None:
        folder = replace(folder, mapping_file=args.folder_mapping)
    if args.folder_time_zone is not None:
        folder = replace(folder, time_zone=args.folder_time_zone.strip())
    if args.http_time_zone is not None:
        http = replace(http, time_zone=args.http_time_zone.strip())
    if args.http is not None:
        http = replace(http, enabled=args.http == "on")
    if args.http_host is not None:
        http = replace(http, host=args.http_host.strip())
    if args.http_port is not None:
        http = replace(http, port=args.http_port)
    cdr = ingest_cdr_db.load_config(context.database)
    if args.cdr_db is not None:
        cdr = replace(cdr, enabled=True, url=args.cdr_db.strip())
    if args.no_cdr_db:
        cdr = replace(cdr, enabled=False)
    if args.cdr_table is not None:
        cdr = replace(cdr, table=args.cdr_table.strip())
    if args.cdr_schema is not None:
        cdr = replace(cdr, schema=args.cdr_schema)
    if args.cdr_time_zone is not None:
        cdr = replace(cdr, time_zone=args.cdr_time_zone.strip())
    if args.cdr_start is not None:
        start = ingest_cdr_db.parse_start(args.cdr_start)
        if start is None:
            print(_text(lang, f"--cdr-start は now または日数(1〜3650)で指定してください(指定: {args.cdr_start})。",
                        f"--cdr-start takes now or a number of days (1-3650) (given: {args.cdr_start})."), file=sys.stderr)
            return EXIT_USAGE
        cdr = replace(cdr, start=start)
    # ``is not None``: a port 0 is a value given (and refused), not "no option" (0 == False).
    changed = args.no_folder or any(value is not None for value in (
        args.folder, args.folder_preset, args.folder_encoding, args.folder_mapping, args.folder_time_zone,
        args.http, args.http_host, args.http_port, args.http_time_zone))
    cdr_changed = args.no_cdr_db or any(value is not None for value in (
        args.cdr_db, args.cdr_table, args.cdr_schema, args.cdr_time_zone, args.cdr_start))
    if changed or cdr_changed:
        try:
            ingest_sources.save_settings(context.database, folder, http, allow_network=args.allow_network,
                                         cdr_db=cdr if cdr_changed else None)
        except ingest_sources.IngestSettingsError as error:
            print(error.text(lang), file=sys.stderr)
            print(_text(lang, "何も変更していません。", "Nothing was changed."), file=sys.stderr)
            return EXIT_USAGE
        if http.enabled and not ingest_sources.is_loopback(http.host):
            print(_text(lang, "注意: ", "Note: ") + ingest_sources.network_notice(http.host, lang), file=sys.stderr)
        if http.enabled and not ingest_sources.has_token(context.secrets):
            print(_text(lang, "HTTP取り込みにはトークンが必要です: biztel-desk ingest token --new",
                        "HTTP ingest needs a token: biztel-desk ingest token --new"), file=sys.stderr)
        if cdr_changed and cdr.enabled and not ingest_sources.has_cdr_db_password(context.secrets):
            print(_text(lang, "CDRデータベースのパスワードが必要なら: biztel-desk ingest set-secret cdr-db(標準入力から)",
                        "If the CDR database user has a password: biztel-desk ingest set-secret cdr-db (from stdin)"),
                  file=sys.stderr)
        print(_text(lang, "保存しました。次にアプリまたは biztel-desk sync を起動したときに反映されます。",
                    "Saved. It applies at the next start of the app or of biztel-desk sync."), file=sys.stderr)
    _write_config(context, stdout)
    return EXIT_OK


def run_token(args: argparse.Namespace, context: AppContext, _stdin: TextIO, stdout: TextIO) -> int:
    lang = context.lang
    if not args.new:
        exists = ingest_sources.has_token(context.secrets)
        print(_text(lang,
                    ("トークンは設定済みです。" if exists else "トークンはまだありません。")
                    + "トークンは生成したときに一度だけ表示されます。新しいトークン: biztel-desk ingest token --new",
                    ("A token is set. " if exists else "There is no token yet. ")
                    + "A token is shown only once, when generated. A new one: biztel-desk ingest token --new"),
              file=sys.stderr)
        return EXIT_OK if exists else EXIT_PROBLEMS
    token = ingest_sources.generate_token(context.secrets)
    stdout.write(f"{token}\n")  # the only place a token is ever printed
    stdout.flush()
    print(_text(lang, "新しいトークンをOSのキーリングに保存しました。表示はこの一度だけです。以前のトークンは使えなくなります"
                      "(実行中のアプリは数秒以内に新しいトークンを受け付けます)。",
                "The new token is stored in the OS keyring and shown this once only. The previous token no longer works "
                "(a running app accepts the new one within seconds)."), file=sys.stderr)
    return EXIT_OK


def run_status(_args: argparse.Namespace, context: AppContext, _stdin: TextIO, stdout: TextIO) -> int:
    _write_config(context, stdout)
    http = ingest_sources.load_http_config(context.database)
    listening = ingest_sources.is_listening(http) if http.enabled else False
    stdout.write(f"http_listening\t{'yes' if listening else 'no'}\n")
    folder = ingest_sources.load_folder_config(context.database)
    problems = ingest_sources.check_folder(folder)
    for problem in problems:
        print(problem.text(context.lang), file=sys.stderr)
    return EXIT_PROBLEMS if problems else EXIT_OK


def run_set_secret(_args: argparse.Namespace, context: AppContext, stdin: TextIO, _stdout: TextIO) -> int:
    lang = context.lang
    value = stdin.read().strip("\r\n")
    if not value:
        print(_text(lang, "標準入力からパスワードを読み取れませんでした(空です)。", "No password was given on stdin (it was empty)."),
              file=sys.stderr)
        return EXIT_USAGE
    ingest_sources.set_cdr_db_password(context.secrets, value)
    print(_text(lang, "CDRデータベースのパスワードをOSのキーリングに保存しました。実行中のアプリは次の再接続から使います。",
                "Stored the CDR database password in the OS keyring. A running app uses it from its next reconnection."),
          file=sys.stderr)
    return EXIT_OK


def run_test_cdr_db(_args: argparse.Namespace, context: AppContext, _stdin: TextIO, stdout: TextIO) -> int:
    lang = context.lang
    config = ingest_cdr_db.load_config(context.database)
    if not config.url:
        print(_text(lang, "CDRデータベースが設定されていません: biztel-desk ingest config --cdr-db URL",
                    "No CDR database is configured: biztel-desk ingest config --cdr-db URL"), file=sys.stderr)
        return EXIT_USAGE
    try:
        info = ingest_sources.check_cdr_db_connection(config, context.secrets)
    except ingest_cdr_db.CdrDbError as error:
        print(error.text(lang), file=sys.stderr)
        return EXIT_PROBLEMS
    stdout.write(info.text(lang) + "\n")
    return EXIT_OK
