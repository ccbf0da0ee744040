"""``biztel-desk service install|uninstall|status|start|stop``: ``sync`` as a per-user service that starts with the OS.

The service runs ``biztel-desk sync`` on the same data dir and database as this command (``--data-dir``,
``--db-url``/BIZTEL_DESK_DB_URL). ``install --print`` shows the file and the commands without doing anything.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from typing import Any, TextIO

from biztel_desk.domain.messages import render
from biztel_desk.services import db_password, os_service
from biztel_desk.services.context import AppContext

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

TEXTS: dict[str, tuple[str, str]] = {
    "installed": ("バックグラウンド連携を登録して開始しました: {name}\nファイル: {path}",
                  "The background service is installed and started: {name}\nFile: {path}"),
    "password_moved": ("データベースのパスワードはOSのキーチェーンに保存しました(サービスのファイルには書きません)。",
                       "The database password is kept in the OS keyring (not in the service file)."),
    "uninstalled": ("バックグラウンド連携の登録を解除しました: {name}", "The background service is uninstalled: {name}"),
    "not_installed": ("バックグラウンド連携は登録されていません({path})。",
                      "No background service is installed ({path})."),
    "started": ("バックグラウンド連携を開始しました: {name}", "The background service is started: {name}"),
    "stopped": ("バックグラウンド連携を停止しました: {name}", "The background service is stopped: {name}"),
    "status_running": ("実行中: {name}", "running: {name}"),
    "status_stopped": ("登録済み・停止中: {name}", "installed, not running: {name}"),
    "print_file": ("# {path} に書くファイル:", "# the file written to {path}:"),
    "print_commands": ("# 登録するコマンド:", "# the commands that register it:"),
}


def _say(code: str, lang: str, **params: Any) -> str:
    return render(TEXTS, {}, code, lang, **params)


def register(commands: Any) -> None:
    parser = commands.add_parser("service", help="run sync as a background service that starts with the OS")
    actions = parser.add_subparsers(dest="service_command", required=True)
    install = actions.add_parser("install", help="register and start the service for this data dir and database")
    install.add_argument("--print", action="store_true", dest="print_only",
                         help="show the service file and the commands, change nothing")
    actions.add_parser("uninstall", help="stop the service and remove it (never touches the data)")
    status = actions.add_parser("status", help="whether the service is installed and running")
    status.add_argument("--json", action="store_true", help="one JSON object instead of text")
    actions.add_parser("start", help="start the installed service")
    actions.add_parser("stop", help="stop the installed service (it starts again at the next logon)")
    parser.set_defaults(handler=run)


def manager_for(args: argparse.Namespace, context: AppContext, db_url: str | None) -> os_service.ServiceManager:
    assert context.data_dir is not None
    return os_service.ServiceManager(os_service.definition(context.data_dir, db_url))


def run(args: argparse.Namespace, context: AppContext, _stdin: TextIO, stdout: TextIO) -> int:
    lang = context.lang
    typed_url = getattr(args, "db_url", None) or os.environ.get("BIZTEL_DESK_DB_URL") or None
    public_url, password = db_password.split(typed_url) if typed_url else (None, None)
    manager = manager_for(args, context, public_url)
    service = manager.service
    try:
        if args.service_command == "install":
            if args.print_only:
                print(_say("print_file", lang, path=service.path), file=stdout)
                print(service.text, file=stdout)
                print(_say("print_commands", lang), file=stdout)
                for argv in service.register:
                    print(shlex.join(argv), file=stdout)
                return EXIT_OK
            if password and typed_url:
                db_password.store(context.secrets, typed_url)
                print(_say("password_moved", lang), file=stdout)
            manager.install()
            print(_say("installed", lang, name=service.name, path=service.path), file=stdout)
            return EXIT_OK
        if args.service_command == "uninstall":
            if manager.uninstall():
                print(_say("uninstalled", lang, name=service.name), file=stdout)
            else:
                print(_say("not_installed", lang, path=service.path), file=stdout)
            return EXIT_OK
        if args.service_command == "start":
            manager.start()
            print(_say("started", lang, name=service.name), file=stdout)
            return EXIT_OK
        if args.service_command == "stop":
            manager.stop()
            print(_say("stopped", lang, name=service.name), file=stdout)
            return EXIT_OK
        state = manager.status()
        if args.json:
            print(json.dumps({"installed": state.installed, "running": state.running, "name": service.name,
                              "path": str(state.path), "platform": service.platform, "detail": state.detail},
                             ensure_ascii=False), file=stdout)
        elif not state.installed:
            print(_say("not_installed", lang, path=service.path), file=stdout)
        else:
            print(_say("status_running" if state.running else "status_stopped", lang, name=service.name),
                  file=stdout)
        return EXIT_OK if state.installed else EXIT_PROBLEMS
    except os_service.ServiceError as error:
        print(error.text(lang), file=sys.stderr)
        return EXIT_USAGE if error.code != "service_not_installed" else EXIT_PROBLEMS
