"""services.account_view: what the Salesforceアカウント dialog shows of a saved account and what its 接続テスト tries."""

from __future__ import annotations

import pytest

from biztel_desk.devorg.server import DevOrg
from biztel_desk.domain.config import AccountConfig, AuthMethod, SecretKind
from biztel_desk.salesforce.connection import SalesforceLoginError
from biztel_desk.secrets import SecretStore, SecretStoreError
from biztel_desk.services.account_view import check_shown, login_state, stored_secrets
from biztel_desk.services.context import AppContext


class _LockedKeyring:
    """A keyring that refuses every read (a locked or missing OS keyring)."""

    def get(self, key: str) -> str | None:
        raise SecretStoreError("locked")

    def set(self, key: str, value: str) -> None:
        raise SecretStoreError("locked")

    def delete(self, key: str) -> None:
        raise SecretStoreError("locked")


def test_stored_secrets_are_the_typed_ones_the_keyring_holds(context: AppContext) -> None:
    context.config.save_account(AccountConfig(name="本番", username="admin@example.com"),
                                secrets={SecretKind.PASSWORD: "pw", SecretKind.REFRESH_TOKEN: "token"})
    assert stored_secrets(context.secrets, "本番") == {SecretKind.PASSWORD}  # the tokens have no field
    assert stored_secrets(context.secrets, None) == set()
    assert stored_secrets(SecretStore(_LockedKeyring()), "本番") == set()


def test_login_state_of_each_kind_of_account(context: AppContext) -> None:
    config, secrets = context.config, context.secrets
    config.save_account(AccountConfig(name="pw", username="admin@example.com"), secrets={SecretKind.PASSWORD: "pw"})
    config.save_account(AccountConfig(name="web", auth_method=AuthMethod.OAUTH_BROWSER.value, consumer_key="3MVG9"))
    assert [login_state(config, secrets, name) for name in (None, "gone", "pw", "web")] == [
        "none", "none", "none", "needed"]
    secrets.set_account_secret("web", SecretKind.REFRESH_TOKEN, "token")
    assert login_state(config, secrets, "web") == "ok"


def test_the_connection_test_tries_typed_secrets_only_when_the_form_was_edited(context: AppContext) -> None:
    with DevOrg(seed="empty") as org:
        c = org.credentials
        account = AccountConfig(name="dev", username=c["username"], login_host=org.url)
        context.config.save_account(account, secrets={SecretKind.PASSWORD: c["password"],
                                                      SecretKind.SECURITY_TOKEN: c["security_token"]})
        typed = {SecretKind.PASSWORD: "not-the-password", SecretKind.SECURITY_TOKEN: ""}
        report = check_shown(context.config, context.secrets, account, typed, "dev", edited=False)  # the saved one
        assert report.username == c["username"]
        with pytest.raises(SalesforceLoginError):  # the typed password, the saved token in the empty field's place
            check_shown(context.config, context.secrets, account, typed, "dev", edited=True)
        typed[SecretKind.PASSWORD] = c["password"]
        report = check_shown(context.config, context.secrets, account, typed, "dev", edited=True)
        assert report.username == c["username"]
    assert context.secrets.get_account_secret("dev", SecretKind.PASSWORD) == c["password"]  # nothing was saved
