"""The window's door to Salesforce for accounts: the connection check, the browser sign-in, describeGlobal.

Blocking calls: the window runs them in a job (``await asyncio.to_thread(...)``, ui/tasks.py). Known failures raise
a ``KnownError`` (``SalesforceLoginError``, ``MetadataError``, ``LoginFailed``) whose ``text(lang)`` the window
shows as a message; anything else is a bug. The Salesforce client (requests, simple_salesforce) loads on the first
call, not at start-up.

The ``*_typed`` variants try secrets the admin typed but did not save yet (the first-run wizard saves on 次へ):
they go to a throw-away in-memory store, never to the keyring.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from biztel_desk.domain.config import AccountConfig, SecretKind
from biztel_desk.domain.errors import KnownError
from biztel_desk.domain.instance import PreferenceWriter, remember_instance
from biztel_desk.domain.messages import message
from biztel_desk.secrets import MemoryBackend, SecretStore
from biztel_desk.secrets import SecretStoreError as SecretStoreError
from biztel_desk.services import account_login
from biztel_desk.services.config import ConfigService

if TYPE_CHECKING:
    from biztel_desk.salesforce.connection import ConnectionReport as ConnectionReport
    from biztel_desk.salesforce.metadata import GlobalObject as GlobalObject

OAUTH_TOKENS = (SecretKind.ACCESS_TOKEN, SecretKind.REFRESH_TOKEN)
TIMEOUT_S = 30.0


def trial_store(account_name: str, secrets: dict[SecretKind, str]) -> SecretStore:
    """A throw-away store holding ``secrets`` (the empty ones left out) for ``account_name``."""
    store = SecretStore(MemoryBackend())
    for kind, value in secrets.items():
        if value:
            store.set_account_secret(account_name, kind, value)
    return store


def check_connection(config: PreferenceWriter, account: AccountConfig, secrets: SecretStore,
                     timeout: float = TIMEOUT_S) -> ConnectionReport:
    """接続テスト: log in, read the org and the user; remember where the org lives (the history's Task links)."""
    report = _log_in(account, secrets, timeout)
    remember_instance(config, account, report.instance_url)
    return report


def check_edited_connection(account: AccountConfig, typed: dict[SecretKind, str], secrets: SecretStore,
                            saved_as: str | None, timeout: float = TIMEOUT_S) -> ConnectionReport:
    """接続テスト of the accounts dialog's edits before 保存: nothing is written, neither the keyring nor the database.

    The typed secrets are tried; a field left empty means "unchanged", so the saved account's secret (``saved_as``,
    read from ``secrets``) is tried in its place. A mistyped token thus never replaces a working one.
    """
    merged = {kind: str(secrets.get_account_secret(saved_as, kind) or "") for kind in SecretKind} if saved_as else {}
    merged.update({kind: value for kind, value in typed.items() if value})
    return _log_in(account, trial_store(account.name, merged), timeout)


def _log_in(account: AccountConfig, secrets: SecretStore, timeout: float) -> ConnectionReport:
    from biztel_desk.salesforce import connection

    try:
        return connection.check_connection(account, secrets, timeout=timeout)
    except connection.SalesforceLoginError:
        raise
    except Exception as error:  # noqa: BLE001 - a known failure becomes a SalesforceLoginError; the rest is a bug
        mapped = connection.map_error(error)
        if mapped is None:
            raise
        raise mapped from None


def check_typed_connection(config: PreferenceWriter, account: AccountConfig, typed: dict[SecretKind, str],
                           timeout: float = TIMEOUT_S) -> ConnectionReport:
    """接続テスト with the typed secrets, before anything is saved."""
    return check_connection(config, account, trial_store(account.name, typed), timeout)


def sign_in(config: ConfigService, account: AccountConfig, secrets: SecretStore, *, on_url: Callable[[str], None],
            open_browser: Callable[[str], object] | None, cancel: threading.Event,
            ports: tuple[int, ...] | None = None) -> ConnectionReport:
    """ブラウザでログイン for a saved account: the tokens go to ``secrets`` (the keyring). Raises LoginFailed."""
    return account_login.sign_in(config, secrets, account, on_url=on_url, open_browser=open_browser,
                                 timeout=account_login.DEFAULT_TIMEOUT_S, cancel=cancel,
                                 ports=ports or account_login.CALLBACK_PORTS)


def sign_in_typed(config: ConfigService, account: AccountConfig, typed: dict[SecretKind, str], *,
                  on_url: Callable[[str], None], open_browser: Callable[[str], object] | None,
                  cancel: threading.Event, ports: tuple[int, ...] | None = None,
                  ) -> tuple[ConnectionReport, dict[SecretKind, str]]:
    """ブラウザでログイン before the account is saved: the report and the OAuth tokens (to save with the account)."""
    store = trial_store(account.name, {k: v for k, v in typed.items() if k not in OAUTH_TOKENS})
    report = sign_in(config, account, store, on_url=on_url, open_browser=open_browser, cancel=cancel, ports=ports)
    tokens = {kind: str(store.get_account_secret(account.name, kind) or "") for kind in OAUTH_TOKENS}
    return report, {kind: value for kind, value in tokens.items() if value}


def describe_global(account: AccountConfig, secrets: SecretStore, timeout: float = TIMEOUT_S) -> dict[str, GlobalObject]:
    """Log in and read describeGlobal: every object's label, key prefix and whether the user can query it."""
    from biztel_desk.salesforce.connection import SalesforceLoginError, connect, map_error
    from biztel_desk.salesforce.metadata import MetadataError, OrgMetadata

    try:
        sf = connect(account, secrets, timeout=timeout)
        try:
            return OrgMetadata(sf, timeout).describe_global()
        finally:
            sf.session.close()
    except (SalesforceLoginError, MetadataError):
        raise
    except Exception as error:  # noqa: BLE001 - a known failure becomes a SalesforceLoginError; the rest is a bug
        mapped = map_error(error)
        if mapped is None:
            raise
        raise mapped from None


class PrivateKeyError(KnownError):
    """The chosen private key file cannot be used: ``text(lang)`` says why and what to choose."""

    def __init__(self, code: str, **params: str) -> None:
        super().__init__(message(code, "en", **params))
        self.code, self.params = code, params

    def text(self, lang: str = "ja") -> str:
        return message(self.code, lang, **self.params)


def read_private_key(path: str) -> str:
    """The PEM text of a JWT private key file (kept in memory until 保存 puts it into the keyring)."""
    try:
        pem = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as problem:
        raise PrivateKeyError("private_key_unreadable", detail=str(problem)) from None
    if "PRIVATE KEY" not in pem:
        raise PrivateKeyError("private_key_not_pem")
    return pem


def callback_urls_text() -> str:
    """The callback URLs to register in the External Client App, one a line."""
    return "\n".join(account_login.callback_urls())


def eca_steps_text(lang: str) -> str:
    """Step by step: the External Client App the browser login needs (Salesforce's own screen names)."""
    return message("eca_steps", lang, urls="     " + callback_urls_text().replace("\n", "\n     "))


def report_lines(report: ConnectionReport, lang: str) -> list[str]:
    """What a successful 接続テスト shows: org, user, instance and the API usage of the last 24 hours."""
    lines = [message("connection_ok", lang)]
    if report.notice is not None:
        lines.append(report.notice.text(lang))
    if report.warning is not None:
        lines.append(report.warning_text(lang))
    lines += [message("connection_org", lang, name=report.org_name, id=report.org_id),
              message("connection_user", lang, name=report.user_name, username=report.username),
              message("connection_instance", lang, url=report.instance_url)]
    if report.api_usage is not None:
        used, total = report.api_usage
        percent = used * 100 / total if total else 0
        lines.append(message("connection_api_usage", lang, used=used, total=total, percent=percent))
    return lines

