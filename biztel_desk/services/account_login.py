"""Browser sign-in of a Salesforce account (OAuth 2.0 + PKCE) and the 要再ログイン state, for the window and the CLI.

The Salesforce client loads on the first sign-in, not at start-up: the window asks ``needs_login`` while drawing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from biztel_desk.domain.config import OAUTH_CALLBACK_PORTS, AccountConfig, AuthMethod, SecretKind
from biztel_desk.domain.errors import KnownError
from biztel_desk.domain.instance import remember_instance
from biztel_desk.domain.vocabulary import pick
from biztel_desk.secrets import SecretStore, SecretStoreError
from biztel_desk.services.config import ConfigService

if TYPE_CHECKING:
    from biztel_desk.salesforce.connection import ConnectionReport

CALLBACK_PORTS = OAUTH_CALLBACK_PORTS
DEFAULT_TIMEOUT_S = 300.0


class LoginFailed(KnownError):
    """A known reason why the sign-in failed; ``text(lang)`` says what to do. Never carries a token."""

    def __init__(self, code: str, texts: tuple[str, str]) -> None:
        super().__init__(code)
        self.code = code
        self.texts = texts

    def text(self, lang: str = "ja") -> str:
        return pick(lang, *self.texts)


def callback_url(port: int) -> str:
    return f"http://localhost:{port}/callback"


def callback_urls() -> list[str]:
    """The callback URLs to register in the External Client App."""
    return [callback_url(port) for port in CALLBACK_PORTS]


def needs_login(account: AccountConfig, secrets: SecretStore) -> bool:
    """True when a browser-login account has no refresh token (never signed in, or it was refused): 要再ログイン."""
    if account.auth_method != AuthMethod.OAUTH_BROWSER.value:
        return False
    try:
        return not secrets.has_account_secret(account.name, SecretKind.REFRESH_TOKEN)
    except SecretStoreError:
        return False  # the keyring's own failure is reported when the login is tried


def accounts_needing_login(config: ConfigService, secrets: SecretStore) -> list[str]:
    return [a.name for a in config.list_accounts() if needs_login(a, secrets)]


def settings_needing_login(config: ConfigService, secrets: SecretStore) -> dict[str, str]:
    """setting name → account name, for every setting whose account is 要再ログイン."""
    waiting = set(accounts_needing_login(config, secrets))
    if not waiting:
        return {}
    return {s.name: s.account for s in config.list_settings() if s.account in waiting}


def sign_in(
    config: ConfigService,
    secrets: SecretStore,
    account: AccountConfig,
    *,
    on_url: Callable[[str], None],
    open_browser: Callable[[str], object] | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
    cancel: threading.Event | None = None,
    ports: tuple[int, ...] = CALLBACK_PORTS,
) -> ConnectionReport:
    """The whole browser login, then 接続テスト with the new tokens. Blocking: call it off the GUI thread.

    ``on_url`` gets the authorization URL before the browser opens. Raises LoginFailed for known failures.
    """
    from biztel_desk.salesforce import connection, oauth

    try:
        if account.auth_method != AuthMethod.OAUTH_BROWSER.value:
            raise connection.SalesforceLoginError("login_failed", "not a browser-login account",
                                                  sf_code=account.auth_method)
        oauth.browser_login(account, secrets, on_url=on_url, open_browser=open_browser, timeout=timeout,
                            cancel=cancel, ports=ports)
        report = connection.check_connection(account, secrets)
    except connection.SalesforceLoginError as error:
        raise LoginFailed(error.code, (error.text("ja"), error.text("en"))) from None
    except Exception as error:  # noqa: BLE001 - a known network failure becomes a message; the rest is a bug
        mapped = connection.map_error(error)
        if mapped is None:
            raise
        raise LoginFailed(mapped.code, (mapped.text("ja"), mapped.text("en"))) from None
    remember_instance(config, account, report.instance_url)
    return report
