"""``account login NAME``: the browser sign-in (OAuth 2.0 + PKCE) of a Salesforce account, headless-friendly.

The authorization URL goes to stdout before the browser opens, so an admin on a remote or locked-down desktop
can open it elsewhere (``--no-browser`` only prints it) and the redirect still reaches this machine's listener.
"""

from __future__ import annotations

import argparse
import sys
import webbrowser
from collections.abc import Callable
from typing import TextIO

from biztel_desk.domain.config import AuthMethod
from biztel_desk.domain.messages import message
from biztel_desk.domain.vocabulary import pick
from biztel_desk.services import account_login
from biztel_desk.services.context import AppContext

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
# Failures that are this machine's or the network's, not the sign-in's (docs/cli.md: exit 2).
_ENVIRONMENT = {"keyring_unavailable", "unreachable", "timeout", "oauth_ports_busy", "host_invalid",
                "devorg_unavailable"}

# Replaced by tests: the function that opens the system browser.
open_browser: Callable[[str], object] = webbrowser.open


def add_login_parser(account_commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    login = account_commands.add_parser(
        "login", help="sign in in the browser (OAuth 2.0 + PKCE); prints the URL first")
    login.add_argument("account")
    login.add_argument("--no-browser", action="store_true",
                       help="only print the URL (open it in any browser) and wait for the redirect")
    login.add_argument("--timeout", type=float, default=account_login.DEFAULT_TIMEOUT_S, metavar="SECONDS",
                       help="how long to wait for the sign-in (default 300)")
    ports = ", ".join(str(p) for p in account_login.CALLBACK_PORTS)
    login.add_argument("--port", type=int, default=None, metavar="PORT",
                       help=f"the callback port registered in the External Client App (default: the first free of "
                            f"{ports}; 0 = any free port, for a dev org)")
    login.set_defaults(account_handler=run_login)


def _text(lang: str, ja: str, en: str) -> str:
    return pick(lang, ja, en)


def run_login(args: argparse.Namespace, context: AppContext, stdin: TextIO, stdout: TextIO) -> int:
    lang = context.lang
    account = context.config.get_account(args.account)
    if account is None:
        print(message("unknown_account", lang, field_name="account", value=args.account), file=sys.stderr)
        return EXIT_USAGE
    if account.auth_method != AuthMethod.OAUTH_BROWSER.value:
        print(_text(lang,
                    f"アカウント「{account.name}」の認証方式はブラウザでのログインではありません({account.auth_method})。"
                    "Salesforceアカウント画面で認証方式を「ブラウザでログイン(OAuth)」にしてから実行してください。",
                    f"The account '{account.name}' does not use the browser sign-in ({account.auth_method}). Set its "
                    "authentication method to 'Sign in with the browser (OAuth)' first."), file=sys.stderr)
        return EXIT_USAGE
    if args.port is not None and not 0 <= args.port <= 65535:
        print(_text(lang, "--port は0〜65535で指定してください。", "--port must be between 0 and 65535."), file=sys.stderr)
        return EXIT_USAGE
    if args.timeout <= 0:
        print(_text(lang, "--timeout は正の秒数で指定してください。", "--timeout must be a positive number of seconds."),
              file=sys.stderr)
        return EXIT_USAGE

    def on_url(url: str) -> None:
        print(_text(lang, "次のURLをブラウザで開き、ログインして「許可」を押してください:",
                    "Open this URL in a browser, sign in and press 'Allow':"), file=sys.stderr)
        stdout.write(url + "\n")
        stdout.flush()
        print(_text(lang, f"ブラウザからの応答を待っています(最大{args.timeout:g}秒)…",
                    f"Waiting for the browser (up to {args.timeout:g} seconds)…"), file=sys.stderr, flush=True)

    browser = None if args.no_browser else open_browser
    try:
        report = account_login.sign_in(context.config, context.secrets, account, on_url=on_url,
                                       open_browser=browser, timeout=args.timeout,
                                       ports=(args.port,) if args.port is not None else account_login.CALLBACK_PORTS)
    except account_login.LoginFailed as error:
        print(error.text(lang), file=sys.stderr)
        return EXIT_USAGE if error.code in _ENVIRONMENT else EXIT_PROBLEMS
    print(_text(lang, f"ログインしました: {report.org_name} ({report.org_id}) / {report.user_name} ({report.username})",
                f"Signed in: {report.org_name} ({report.org_id}) / {report.user_name} ({report.username})"),
          file=sys.stderr)
    return EXIT_OK
