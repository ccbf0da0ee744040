"""Which fields of the account form each auth method uses, and the ログインホスト choices (rules, no widgets)."""

from __future__ import annotations

from biztel_desk.domain.config import REQUIRED_SECRETS, AuthMethod, SecretKind

# Which secret fields each auth method shows (the security token is optional: trusted IP ranges need none).
SECRET_FIELDS: dict[str, tuple[SecretKind, ...]] = {
    AuthMethod.PASSWORD.value: (SecretKind.PASSWORD, SecretKind.SECURITY_TOKEN),
    AuthMethod.JWT.value: (SecretKind.PRIVATE_KEY,),
    AuthMethod.CLIENT_CREDENTIALS.value: (SecretKind.CONSUMER_SECRET,),
    # The browser login types nothing; a consumer secret is optional ("Require secret for Web Server Flow").
    AuthMethod.OAUTH_BROWSER.value: (SecretKind.CONSUMER_SECRET,),
}
# The secrets an admin can type (the OAuth tokens only come from the browser login).
TYPED_SECRETS = (SecretKind.PASSWORD, SecretKind.SECURITY_TOKEN, SecretKind.CONSUMER_SECRET, SecretKind.PRIVATE_KEY)
# The ログインホスト choices, in the order of the host combo box; the last two take a typed address (its example).
HOST_KINDS = ("production", "sandbox", "my_domain", "loopback")
TYPED_HOSTS = {"my_domain": "acme.my.salesforce.com", "loopback": "http://127.0.0.1:8765"}


def shown_rows(method: str, login_state: bool = True) -> dict[str, bool]:
    """Which form rows (secret kinds, consumer_key, username, login_state, eca_help) the auth method shows.

    The browser login shows its ログイン状態 (unless ``login_state`` is False: an account not saved yet has none) and
    the steps to create the External Client App."""
    shown = set(SECRET_FIELDS.get(method, ()))
    browser = method == AuthMethod.OAUTH_BROWSER.value
    rows = {kind.value: kind in shown for kind in SecretKind}
    rows["consumer_key"] = method != AuthMethod.PASSWORD.value
    rows["username"] = method in (AuthMethod.PASSWORD.value, AuthMethod.JWT.value)
    rows["login_state"] = browser and login_state
    rows["eca_help"] = browser
    return rows


def missing_secrets(method: str, typed: dict[SecretKind, str]) -> list[SecretKind]:
    """The secrets ``method`` needs that were not typed (the browser login brings its own tokens)."""
    if method == AuthMethod.OAUTH_BROWSER.value or method not in set(AuthMethod):
        return []
    return [kind for kind in REQUIRED_SECRETS[AuthMethod(method)] if not typed.get(kind)]


def login_host_text(kind: str, typed: str) -> str:
    """The login_host to save for a ログインホスト choice: login, test, or the typed My Domain / loopback URL."""
    return {"production": "login", "sandbox": "test"}.get(kind, typed.strip())
