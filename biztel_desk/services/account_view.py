"""The Salesforceアカウント dialog without Qt: which secrets of a saved account the keyring holds (its fields say
保存済み), the account's ログイン状態, and what its 接続テスト tries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from biztel_desk.domain.account_fields import TYPED_SECRETS
from biztel_desk.domain.config import AccountConfig, AuthMethod, SecretKind
from biztel_desk.secrets import SecretStore, SecretStoreError
from biztel_desk.services import salesforce_access
from biztel_desk.services.account_login import needs_login
from biztel_desk.services.config import ConfigService

if TYPE_CHECKING:
    from biztel_desk.services.salesforce_access import ConnectionReport

LoginState = Literal["none", "needed", "ok"]


def stored_secrets(secrets: SecretStore, account: str | None) -> set[SecretKind]:
    """The typed secrets of the saved ``account`` (None: a new one) in the keyring; one it cannot read counts as
    not stored (the keyring's failure is reported when the account is saved or tested)."""

    def stored(kind: SecretKind) -> bool:
        try:
            return account is not None and secrets.has_account_secret(account, kind)
        except SecretStoreError:
            return False

    return {kind for kind in TYPED_SECRETS if stored(kind)}


def login_state(config: ConfigService, secrets: SecretStore, account: str | None) -> LoginState:
    """The ログイン状態 of the saved ``account``: "none" (none saved, or not the browser login: nothing to sign in),
    "needed" (要再ログイン: no refresh token) or "ok"."""
    saved = config.get_account(account) if account else None
    if saved is None or saved.auth_method != AuthMethod.OAUTH_BROWSER.value:
        return "none"
    return "needed" if needs_login(saved, secrets) else "ok"


def check_shown(config: ConfigService, secrets: SecretStore, shown: AccountConfig, typed: dict[SecretKind, str],
                saved_as: str | None, edited: bool) -> ConnectionReport:
    """接続テスト of what the dialog shows, without saving it: only 保存 writes (a mistyped token never replaces a
    working one). Edited values (or a new account) are tried with the typed secrets in a throw-away store, the saved
    ones filling the fields left empty; a saved account shown unedited is tested as it is (its refreshed tokens and
    its org's address are kept)."""
    if edited:
        return salesforce_access.check_edited_connection(shown, typed, secrets, saved_as)
    return salesforce_access.check_connection(config, config.get_account(saved_as or "") or shown, secrets)
