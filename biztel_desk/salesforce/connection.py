"""Logging in to Salesforce with an account's settings and keyring secrets, and the 接続テスト report."""

from __future__ import annotations

import importlib
import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceAuthenticationFailed, SalesforceError

from biztel_desk.domain.config import (
    REQUIRED_SECRETS,
    AccountConfig,
    AuthMethod,
    LoginHost,
    SecretKind,
    parse_login_host,
)
from biztel_desk.domain.messages import Problem
from biztel_desk.secrets import SecretStore, SecretStoreError

log = logging.getLogger(__name__)

_SECRET_LABELS: dict[SecretKind, tuple[str, str]] = {
    SecretKind.PASSWORD: ("パスワード", "password"),
    SecretKind.SECURITY_TOKEN: ("セキュリティトークン", "security token"),
    SecretKind.CONSUMER_SECRET: ("コンシューマの秘密", "consumer secret"),
    SecretKind.PRIVATE_KEY: ("秘密鍵", "private key"),
}

# code → (Japanese, English); {detail} is Salesforce's own (secret-free) message, other names come from params.
LOGIN_MESSAGES: dict[str, tuple[str, str]] = {
    "invalid_login": (
        "ログインできません: ユーザ名・パスワード・セキュリティトークンのいずれかが正しくないか、ユーザがロックされています。"
        "許可されたIPアドレス以外から接続する場合はセキュリティトークンが必要です。トークンが分からないときは"
        "Salesforceの「設定 → 私のセキュリティトークンのリセット」で再発行し、メールで届いたトークンを登録してください。",
        "Login refused: the username, password or security token is wrong, or the user is locked out. "
        "Outside the trusted IP ranges the security token is required; if you do not have it, reset it in "
        "Salesforce (Settings → Reset My Security Token) and enter the token from the e-mail.",
    ),
    "token_required": (
        "ログインにはセキュリティトークンが必要です。Salesforceの「設定 → 私のセキュリティトークンのリセット」で"
        "トークンを再発行し、アカウントのセキュリティトークン欄に登録してください。",
        "This login needs the security token. Reset it in Salesforce (Settings → Reset My Security Token) and "
        "enter it in the account's security token field.",
    ),
    "unreachable": (
        "ログインホスト「{host}」に接続できません。ネットワーク接続、プロキシの設定、ログインホストの綴りを確認してください。({detail})",
        "Cannot reach the login host '{host}'. Check the network connection, the proxy settings and the "
        "spelling of the login host. ({detail})",
    ),
    "timeout": (
        "ログインホスト「{host}」が{seconds}秒以内に応答しませんでした。ネットワークまたはプロキシを確認し、もう一度お試しください。",
        "The login host '{host}' did not answer within {seconds} seconds. Check the network or proxy and try again.",
    ),
    "lightning_host": (
        "「{value}」はLightningの画面のアドレスのため、私のドメイン「{suggestion}」に変換して接続しました。",
        "'{value}' is the Lightning UI address, so the My Domain '{suggestion}' was used instead.",
    ),
    "oauth_invalid_grant": (
        "OAuth認証が拒否されました(invalid_grant): ユーザ名、秘密鍵(証明書)が接続アプリケーションと一致しないか、"
        "接続アプリケーションがこのユーザに承認されていません(「事前承認済み」のプロファイル/権限セットを確認してください)。({detail})",
        "OAuth login refused (invalid_grant): the username or the private key (certificate) does not match the "
        "connected app, or the connected app is not approved for this user (check its pre-authorized "
        "profiles / permission sets). ({detail})",
    ),
    "oauth_invalid_client": (
        "OAuth認証が拒否されました({sf_code}): コンシューマ鍵またはコンシューマの秘密が正しくないか、"
        "接続アプリケーションでこのフローが有効になっていません。({detail})",
        "OAuth login refused ({sf_code}): the consumer key or consumer secret is wrong, or the connected app does "
        "not allow this flow. ({detail})",
    ),
    "secret_missing": (
        "アカウント「{account}」の{kind}がキーリングに登録されていません。Salesforceアカウント画面で入力して保存するか、"
        "`biztel-desk account set-secret {account} {kind_code}` で登録してください。",
        "The {kind_en} of the account '{account}' is not in the keyring. Enter it in the Salesforce accounts "
        "dialog and save, or run `biztel-desk account set-secret {account} {kind_code}`.",
    ),
    "keyring_unavailable": (
        "キーリングを使用できません: {detail}",
        "The keyring cannot be used: {detail}",
    ),
    "private_key_invalid": (
        "秘密鍵を読み込めません: PEM形式(-----BEGIN PRIVATE KEY-----)のRSA秘密鍵を登録してください。",
        "The private key cannot be read: register an RSA private key in PEM form (-----BEGIN PRIVATE KEY-----).",
    ),
    "api_disabled": (
        "このユーザはAPIを使用できません({sf_code})。プロファイルまたは権限セットで「API の有効化」を許可し、"
        "組織のエディションがAPIに対応していることを確認してください。",
        "This user may not use the API ({sf_code}). Allow 'API Enabled' in the profile or a permission set, and "
        "check that the org's edition includes API access.",
    ),
    "host_invalid": ("ログインホストが不正です: {detail}", "The login host is not valid: {detail}"),
    "devorg_unavailable": (
        "開発用組織(http://127.0.0.1:PORT)への接続機能がまだ利用できません。",
        "Connecting to a local dev org (http://127.0.0.1:PORT) is not available yet.",
    ),
    "username_required": (
        "この認証方式ではユーザ名が必要です。",
        "This authentication method needs a username.",
    ),
    "login_failed": (
        "ログインできませんでした({sf_code}): {detail}",
        "Login failed ({sf_code}): {detail}",
    ),
    "salesforce_error": (
        "Salesforceがエラーを返しました({sf_code}): {detail}",
        "Salesforce returned an error ({sf_code}): {detail}",
    ),
}

_API_DISABLED = {"API_DISABLED_FOR_ORG", "API_CURRENTLY_DISABLED"}
_INVALID_CLIENT = {"invalid_client_id", "invalid_client", "invalid_client_credentials", "unauthorized_client"}


class SalesforceLoginError(Exception):
    """A known reason why logging in failed; ``text(lang)`` says what to do. Never carries a secret."""

    def __init__(self, code: str, detail: str = "", **params: Any) -> None:
        self.code = code
        self.detail = detail
        self.params = params
        self.notice: Problem | None = None  # set when the login host was corrected (lightning.force.com)
        super().__init__(f"{code}: {detail}" if detail else code)

    def text(self, lang: str = "ja") -> str:
        ja, en = LOGIN_MESSAGES.get(self.code, LOGIN_MESSAGES["login_failed"])
        template = ja if lang == "ja" else en
        values = {"sf_code": self.code, "detail": self.detail, **self.params}
        try:
            message = template.format(**values)
        except (KeyError, IndexError):
            message = f"{template} ({self.detail})"
        if self.notice is not None:
            message = self.notice.text(lang) + "\n" + message
        return message


@dataclass(frozen=True)
class ConnectionReport:
    """What 接続テスト shows: who logged in where, and the org's daily API usage."""

    org_id: str
    org_name: str
    user_name: str
    username: str
    instance_url: str
    api_usage: tuple[int, int] | None
    notice: Problem | None = None  # the login host was corrected (lightning.force.com → my.salesforce.com)


class TimeoutSession(requests.Session):
    """A Session whose requests time out by default: simple-salesforce passes no timeout of its own."""

    def __init__(self, timeout: float = 30) -> None:
        super().__init__()
        self.default_timeout = timeout

    def request(self, method: Any, url: Any, *args: Any, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        return super().request(method, url, *args, **kwargs)


def _secret(account: AccountConfig, secrets: SecretStore, kind: SecretKind, required: bool) -> str | None:
    try:
        value = secrets.get_account_secret(account.name, kind)
    except SecretStoreError as error:
        raise SalesforceLoginError("keyring_unavailable", str(error)) from None
    if value is None and required:
        ja, en = _SECRET_LABELS[kind]
        raise SalesforceLoginError(
            "secret_missing", account=account.name, kind=ja, kind_en=en, kind_code=kind.value
        ) from None
    return value  # a Secret: its repr never shows the value (tracebacks, debug logs)


def _devorg_transport() -> Any:
    # Imported on demand: the dev org is a development tool, absent from some builds.
    try:
        return importlib.import_module("biztel_desk.devorg.transport")
    except ImportError:
        raise SalesforceLoginError("devorg_unavailable") from None


def _session_for(host: LoginHost, timeout: float) -> requests.Session:
    if host.kind != "loopback":
        return TimeoutSession(timeout)
    session: requests.Session = _devorg_transport().loopback_session(host.value, timeout)
    return session


def _loopback_domain(host: LoginHost) -> str:
    """The dev org hands out a My Domain per port (needed by flows that refuse ``login``)."""
    port = urlsplit(host.value).port or 0
    return str(_devorg_transport().instance_host(port)).removesuffix(".salesforce.com")


def login_host_of(account: AccountConfig) -> LoginHost:
    host = parse_login_host(account.login_host)
    if isinstance(host, Problem):
        raise SalesforceLoginError("host_invalid", host.text("en"))
    return host


def _host_name(host: LoginHost) -> str:
    if host.kind == "loopback":
        return host.value
    return f"{host.domain}.salesforce.com"


def connect(account: AccountConfig, secrets: SecretStore, *, timeout: float = 30) -> Salesforce:
    """Log in with the account's method; raises SalesforceLoginError with a reason the admin can act on."""
    host = login_host_of(account)
    try:
        return _connect(account, secrets, host, timeout)
    except SalesforceLoginError as error:
        error.notice = host.notice
        raise


def _connect(account: AccountConfig, secrets: SecretStore, host: LoginHost, timeout: float) -> Salesforce:
    method = AuthMethod(account.auth_method)
    for kind in REQUIRED_SECRETS[method]:
        _secret(account, secrets, kind, required=True)  # check every required secret before any network call
    if method != AuthMethod.CLIENT_CREDENTIALS and not account.username:
        raise SalesforceLoginError("username_required")
    session = _session_for(host, timeout)
    kwargs: dict[str, Any] = {"version": account.api_version, "session": session, "domain": host.domain}
    if method == AuthMethod.PASSWORD:
        kwargs.update(
            username=account.username,
            password=_secret(account, secrets, SecretKind.PASSWORD, True),
            # An empty token is a valid choice: logins from trusted IP ranges need none.
            security_token=_secret(account, secrets, SecretKind.SECURITY_TOKEN, False) or "",
        )
    elif method == AuthMethod.JWT:
        kwargs.update(
            username=account.username,
            consumer_key=account.consumer_key,
            privatekey=_secret(account, secrets, SecretKind.PRIVATE_KEY, True),
        )
        if host.kind == "my_domain":
            # The JWT audience must be login/test; the token endpoint may be the My Domain.
            kwargs["domain"] = "test" if ".sandbox." in host.value else "login"
            kwargs["instance_url"] = host.domain
    else:
        kwargs.update(
            consumer_key=account.consumer_key,
            consumer_secret=_secret(account, secrets, SecretKind.CONSUMER_SECRET, True),
        )
        if host.kind == "loopback":
            kwargs["domain"] = _loopback_domain(host)
    try:
        return Salesforce(**kwargs)
    except Exception as error:  # noqa: BLE001 - every failure is mapped; unknown ones are re-raised as bugs
        mapped = map_error(error, host=_host_name(host), timeout=timeout)
        if mapped is None:
            session.close()
            raise
        session.close()
        raise mapped from None


def map_error(error: BaseException, *, host: str = "", timeout: float = 30) -> SalesforceLoginError | None:
    """Our error for a failure of a login or API call; None when it is not a known failure (a bug)."""
    if isinstance(error, SalesforceLoginError):
        return error
    if isinstance(error, requests.exceptions.Timeout):  # before ConnectionError: ConnectTimeout is both
        return SalesforceLoginError("timeout", host=host, seconds=f"{timeout:g}")
    if isinstance(error, requests.exceptions.ConnectionError):
        return SalesforceLoginError("unreachable", type(error).__name__, host=host)
    if isinstance(error, SalesforceAuthenticationFailed):
        return _map_auth_failed(error)
    if isinstance(error, SalesforceError):
        code, detail = _rest_error(error)
        if code in _API_DISABLED:
            return SalesforceLoginError("api_disabled", detail, sf_code=code)
        return SalesforceLoginError("salesforce_error", detail, sf_code=code)
    if _is_key_error(error):
        return SalesforceLoginError("private_key_invalid")
    return None


def _map_auth_failed(error: SalesforceAuthenticationFailed) -> SalesforceLoginError:
    code = str(error.code or "").removeprefix("sf:")
    detail = _scrub(error.auth_message)
    if code == "INVALID_LOGIN":
        return SalesforceLoginError("invalid_login", detail)
    if code == "LOGIN_MUST_USE_SECURITY_TOKEN":
        return SalesforceLoginError("token_required", detail)
    if code in _API_DISABLED:
        return SalesforceLoginError("api_disabled", detail, sf_code=code)
    if code == "invalid_grant":
        return SalesforceLoginError("oauth_invalid_grant", detail)
    if code in _INVALID_CLIENT:
        return SalesforceLoginError("oauth_invalid_client", detail, sf_code=code)
    return SalesforceLoginError("login_failed", detail, sf_code=code or "?")


def _rest_error(error: SalesforceError) -> tuple[str, str]:
    """errorCode and message of a REST error body ``[{"errorCode": …, "message": …}]``."""
    try:
        body = json.loads(error.content)
    except (ValueError, TypeError):
        return str(error.status), ""
    first = body[0] if isinstance(body, list) and body else body
    if isinstance(first, dict):
        return str(first.get("errorCode") or error.status), _scrub(str(first.get("message") or ""))
    return str(error.status), ""


def _scrub(text: str) -> str:
    # Salesforce's messages hold no secrets, but keep them short and on one line for the dialog.
    return " ".join(text.split())[:300]


def _is_key_error(error: BaseException) -> bool:
    try:
        import jwt
    except ImportError:  # pragma: no cover - PyJWT is a dependency of simple-salesforce
        return False
    if isinstance(error, jwt.exceptions.PyJWTError):
        return True
    # cryptography raises ValueError("Could not deserialize key data…") for a PEM it cannot parse.
    return isinstance(error, ValueError) and "key" in str(error).lower()


def test_connection(account: AccountConfig, secrets: SecretStore, timeout: float = 30) -> ConnectionReport:
    """Log in, read the org and the user, and the API usage from ``Sforce-Limit-Info``."""
    sf = connect(account, secrets, timeout=timeout)
    host = login_host_of(account)
    try:
        org = sf.query("SELECT Id, Name FROM Organization")
        org_row = (org.get("records") or [{}])[0]
        user_row: dict[str, Any] = {}
        if account.username:
            escaped = account.username.replace("\\", "\\\\").replace("'", "\\'")
            users = sf.query(f"SELECT Id, Name, Username FROM User WHERE Username = '{escaped}'")
            user_row = (users.get("records") or [{}])[0]
        usage = sf.api_usage.get("api-usage")
        return ConnectionReport(
            org_id=str(org_row.get("Id") or ""),
            org_name=str(org_row.get("Name") or ""),
            user_name=str(user_row.get("Name") or ""),
            username=str(user_row.get("Username") or account.username),
            instance_url=f"https://{sf.sf_instance}",
            api_usage=(int(usage.used), int(usage.total)) if usage is not None else None,
            notice=host.notice,
        )
    except Exception as error:  # noqa: BLE001 - mapped when known, re-raised as a bug otherwise
        mapped = map_error(error, host=_host_name(host), timeout=timeout)
        if mapped is None:
            raise
        raise mapped from None
    finally:
        sf.session.close()


# pytest would otherwise collect the public function ``test_connection`` from modules that import it.
test_connection.__test__ = False  # type: ignore[attr-defined]
