"""Browser sign-in of a Salesforce account (OAuth 2.0 + PKCE) and the 要再ログイン state, for the window and the CLI."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from biztel_desk.domain.config import AccountConfig, AuthMethod
from biztel_desk.domain.instance import remember_instance
from biztel_desk.salesforce import connection, oauth
from biztel_desk.salesforce.connection import ConnectionReport, SalesforceLoginError
from biztel_desk.secrets import SecretStore
from biztel_desk.services.config import ConfigService

CALLBACK_PORTS = oauth.CALLBACK_PORTS
DEFAULT_TIMEOUT_S = oauth.DEFAULT_TIMEOUT_S
LoginError = SalesforceLoginError  # known failures: ``text(lang)`` says what to do


def callback_urls() -> list[str]:
    """The callback URLs to register in the External Client App."""
    return [oauth.callback_url(port) for port in CALLBACK_PORTS]


@dataclass(frozen=True)
class LoginRequired:
    """A link setting whose account must sign in again (要再ログイン)."""

    setting: str
    account: str


def needs_login(account: AccountConfig, secrets: SecretStore) -> bool:
    return connection.needs_login(account, secrets)


def accounts_needing_login(config: ConfigService, secrets: SecretStore) -> list[str]:
    return [a.name for a in config.list_accounts() if connection.needs_login(a, secrets)]


def settings_needing_login(config: ConfigService, secrets: SecretStore) -> dict[str, str]:
    """setting name → account name, for every setting whose account is 要再ログイン."""
    waiting = set(accounts_needing_login(config, secrets))
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

    Raises SalesforceLoginError (a known failure, with its message) — never anything with a token in it.
    """
    if account.auth_method != AuthMethod.OAUTH_BROWSER.value:
        raise SalesforceLoginError("login_failed", "not a browser-login account", sf_code=account.auth_method)
    oauth.browser_login(account, secrets, on_url=on_url, open_browser=open_browser, timeout=timeout, cancel=cancel,
                        ports=ports)
    report = connection.test_connection(account, secrets)
    remember_instance(config, account, report.instance_url)
    return report
