"""Logging in to Salesforce with an account's settings and keyring secrets, and the 接続テスト report."""

from __future__ import annotations

import importlib
import json
import logging
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.auth import AuthBase
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceAuthenticationFailed, SalesforceError

from biztel_desk.domain.config import (
    REQUIRED_SECRETS,
    AccountConfig,
    AuthMethod,
    LoginHost,
    SecretKind,
    parse_login_host,
    soap_login_retired,
)
from biztel_desk.domain.errors import KnownError
from biztel_desk.domain.messages import Problem
from biztel_desk.domain.vocabulary import pick
from biztel_desk.salesforce.errors import error_of_body
from biztel_desk.secrets import SecretStore, SecretStoreError

log = logging.getLogger(__name__)

_SECRET_LABELS: dict[SecretKind, tuple[str, str]] = {
    SecretKind.PASSWORD: ("パスワード", "password"),
    SecretKind.SECURITY_TOKEN: ("セキュリティトークン", "security token"),
    SecretKind.CONSUMER_SECRET: ("コンシューマの秘密", "consumer secret"),
    SecretKind.PRIVATE_KEY: ("秘密鍵", "private key"),
    SecretKind.ACCESS_TOKEN: ("アクセストークン", "access token"),
    SecretKind.REFRESH_TOKEN: ("リフレッシュトークン", "refresh token"),
}
_RELOGIN_HINT = (
    "`biztel-desk account login {account}` を実行するか、Salesforceアカウント画面の「ブラウザでログイン」を押してください。",
    "Run `biztel-desk account login {account}`, or press 'Sign in with the browser' in the Salesforce accounts dialog.",
)
_SOAP_SETUP_HINT = (
    "Salesforceの「設定 → ユーザインターフェース」で「SOAP API login() を有効化」をオンにし、連携ユーザに"
    "「Use Any API Auth」権限(権限セット)を付与してください。ただしSOAP login()は廃止予定(API 65.0以降は利用不可、"
    "Summer '27で全バージョン廃止)のため、認証方式を「ブラウザでログイン(OAuth)」に切り替えることをお勧めします。",
    "In Salesforce, turn on Setup → User Interface → 'Enable SOAP API login()' and give the integration user the "
    "'Use Any API Auth' permission (permission set). SOAP login() is being retired (gone from API 65.0, retired "
    "for every version in Summer '27), so switching the authentication method to 'Sign in with the browser "
    "(OAuth)' is recommended.",
)
# 接続テスト with a password login: say that it stops working.
SOAP_RETIREMENT_WARNING = (
    "注意: パスワード認証(SOAP API login())は廃止予定です。API 65.0以降では使えず、Summer '27ですべてのバージョンで"
    "廃止されます。External Client Appを作成し、認証方式を「ブラウザでログイン(OAuth)」に切り替えてください。",
    "Note: password login (SOAP API login()) is being retired. It does not exist from API 65.0 and is retired for "
    "every version in Summer '27. Create an External Client App and switch the authentication method to 'Sign in "
    "with the browser (OAuth)'.",
)

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
    "soap_login_retired": (
        "APIバージョン{version}ではパスワード認証(SOAP API login())を使えません(65.0以降で廃止)。認証方式を"
        "「ブラウザでログイン(OAuth)」に切り替えてください。",
        "Password login (SOAP API login()) does not exist at API version {version} (removed from 65.0). Switch "
        "the authentication method to 'Sign in with the browser (OAuth)'.",
    ),
    "soap_login_disabled": (
        "この組織ではSOAP API login()が無効です({sf_code})。Winter '26以降に作成された組織では既定で無効です。"
        + _SOAP_SETUP_HINT[0] + "({detail})",
        "SOAP API login() is disabled in this org ({sf_code}); it is off by default in orgs created from "
        "Winter '26. " + _SOAP_SETUP_HINT[1] + " ({detail})",
    ),
    "soap_insufficient_access": (
        "SOAP API login()が拒否されました(INSUFFICIENT_ACCESS): 連携ユーザに「Use Any API Auth」権限がありません。"
        + _SOAP_SETUP_HINT[0] + "({detail})",
        "SOAP API login() was refused (INSUFFICIENT_ACCESS): the integration user lacks the 'Use Any API Auth' "
        "permission. " + _SOAP_SETUP_HINT[1] + " ({detail})",
    ),
    "oauth_relogin_required": (
        "アカウント「{account}」は要再ログインです: Salesforceのログイン(リフレッシュトークン)が無いか、失効または"
        "取り消されました。" + _RELOGIN_HINT[0],
        "The account '{account}' must sign in again: its Salesforce login (refresh token) is missing, expired or "
        "revoked. " + _RELOGIN_HINT[1],
    ),
    "oauth_timeout": (
        "{seconds}秒以内にブラウザでのログインが完了しませんでした。表示されたURLをブラウザで開き、ログインして"
        "「許可」を押してから、もう一度お試しください。",
        "The browser sign-in did not finish within {seconds} seconds. Open the printed URL in a browser, sign in "
        "and press 'Allow', then try again.",
    ),
    "oauth_cancelled": ("ブラウザでのログインを中止しました。", "The browser sign-in was cancelled."),
    "oauth_denied": (
        "ブラウザでアクセスが拒否されました({sf_code}): {detail}。もう一度ログインし、「許可」を押してください。",
        "Access was denied in the browser ({sf_code}): {detail}. Sign in again and press 'Allow'.",
    ),
    "oauth_state_mismatch": (
        "ブラウザからの応答を確認できませんでした(stateが一致しません)。ほかのログイン画面を閉じ、もう一度お試しください。",
        "The browser's answer could not be verified (the state does not match). Close other sign-in pages and "
        "try again.",
    ),
    "oauth_ports_busy": (
        "ログインの受け取りに使うポート({ports})がすべて使用中です。ポートを使っているアプリを終了してから、もう一度お試しください。",
        "Every port used to receive the sign-in ({ports}) is in use. Quit the application using it and try again.",
    ),
    "oauth_redirect_error": (
        "Salesforceがログインを拒否しました({sf_code}): {detail}。External Client Appのコールバック URL"
        "(http://localhost:{port}/callback)、コンシューマ鍵、OAuth範囲(api, refresh_token)、PKCEの設定を確認してください。",
        "Salesforce refused the sign-in ({sf_code}): {detail}. Check the External Client App's callback URL "
        "(http://localhost:{port}/callback), the consumer key, the OAuth scopes (api, refresh_token) and PKCE.",
    ),
    "salesforce_error": (
        "Salesforceがエラーを返しました({sf_code}): {detail}",
        "Salesforce returned an error ({sf_code}): {detail}",
    ),
}

_API_DISABLED = {"API_DISABLED_FOR_ORG", "API_CURRENTLY_DISABLED"}
# SOAP faults of an org where login() is switched off (exact texts unverified: match the code or the words).
_SOAP_DISABLED_CODES = {"INVALID_OPERATION", "LOGIN_DISABLED", "SOAP_API_LOGIN_DISABLED"}
_INVALID_CLIENT = {"invalid_client_id", "invalid_client", "invalid_client_credentials", "unauthorized_client"}


class SalesforceLoginError(KnownError):
    """A known reason why logging in failed; ``text(lang)`` says what to do. Never carries a secret."""

    def __init__(self, code: str, detail: str = "", **params: Any) -> None:
        self.code = code
        self.detail = detail
        self.params = params
        self.notice: Problem | None = None  # set when the login host was corrected (lightning.force.com)
        super().__init__(f"{code}: {detail}" if detail else code)

    def text(self, lang: str = "ja") -> str:
        ja, en = LOGIN_MESSAGES.get(self.code, LOGIN_MESSAGES["login_failed"])
        template = pick(lang, ja, en)
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
    warning: tuple[str, str] | None = None  # (Japanese, English): the password login is being retired

    def warning_text(self, lang: str = "ja") -> str:
        if self.warning is None:
            return ""
        return pick(lang, *self.warning)


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
    if method == AuthMethod.PASSWORD and soap_login_retired(account.api_version):
        raise SalesforceLoginError("soap_login_retired", version=account.api_version)
    if method == AuthMethod.OAUTH_BROWSER:
        return _connect_oauth(account, secrets, host, timeout)
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


# --- OAuth 2.0 browser login (authorization code + PKCE): tokens in the keyring, refresh on expiry -----------


def oauth_base_url(host: LoginHost) -> str:
    """Where the authorize and token endpoints are: login/test, the My Domain, or the dev org itself."""
    if host.kind == "loopback":
        return host.value.rstrip("/")
    return f"https://{_host_name(host)}"


@dataclass(frozen=True)
class OAuthTokens:
    """What the token endpoint answered; the tokens go to the keyring and nowhere else."""

    access_token: str
    instance_url: str
    identity_url: str = ""
    refresh_token: str = ""

    @property
    def user_id(self) -> str:
        # https://login.salesforce.com/id/{org Id}/{user Id}
        return self.identity_url.rstrip("/").rsplit("/", 1)[-1] if self.identity_url else ""

    def __repr__(self) -> str:
        return f"OAuthTokens(instance_url={self.instance_url!r}, access_token='***', refresh_token='***')"


def store_tokens(account: str, secrets: SecretStore, tokens: OAuthTokens) -> None:
    """The access token (with its instance) and, when given, the refresh token, into the keyring."""
    cached = json.dumps({"access_token": tokens.access_token, "instance_url": tokens.instance_url,
                         "id": tokens.identity_url})
    try:
        if tokens.refresh_token:
            secrets.set_account_secret(account, SecretKind.REFRESH_TOKEN, tokens.refresh_token)
        secrets.set_account_secret(account, SecretKind.ACCESS_TOKEN, cached)
    except SecretStoreError as error:
        raise SalesforceLoginError("keyring_unavailable", str(error)) from None


def forget_tokens(account: str, secrets: SecretStore) -> None:
    """Drop a refused login's tokens: the account is then 要再ログイン until the user signs in again."""
    try:
        secrets.set_account_secret(account, SecretKind.ACCESS_TOKEN, "")
        secrets.set_account_secret(account, SecretKind.REFRESH_TOKEN, "")
    except SecretStoreError as error:
        log.warning("cannot remove the revoked tokens of %s from the keyring: %s", account, error)


def _drop_access_token(account: str, secrets: SecretStore) -> None:
    try:
        secrets.set_account_secret(account, SecretKind.ACCESS_TOKEN, "")
    except SecretStoreError as error:
        log.warning("cannot remove the expired access token of %s from the keyring: %s", account, error)


def _cached_tokens(account: AccountConfig, secrets: SecretStore) -> OAuthTokens | None:
    raw = _secret(account, secrets, SecretKind.ACCESS_TOKEN, required=False)
    if not raw:
        return None
    try:
        data = json.loads(raw)
        return OAuthTokens(str(data["access_token"]), str(data["instance_url"]), str(data.get("id") or ""))
    except (ValueError, KeyError, TypeError):
        return None  # unreadable: refresh instead


def token_request(session: requests.Session, host: LoginHost, form: dict[str, str], timeout: float) -> OAuthTokens:
    """POST /services/oauth2/token; SalesforceLoginError with Salesforce's ``error`` as the code otherwise."""
    url = f"{oauth_base_url(host)}/services/oauth2/token"
    try:
        # auth: this request carries the client's own credentials, never the session's bearer token.
        response = session.post(url, data=form, timeout=timeout, auth=_no_auth,
                                headers={"Accept": "application/json"})
    except requests.exceptions.RequestException as error:
        mapped = map_error(error, host=_host_name(host), timeout=timeout)
        raise (mapped or SalesforceLoginError("unreachable", type(error).__name__, host=_host_name(host))) from None
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code >= 500:  # Salesforce is unavailable: a transient failure, the tokens stay
        raise SalesforceLoginError("unreachable", f"HTTP {response.status_code}", host=_host_name(host))
    if response.status_code != 200 or not isinstance(body, dict) or "access_token" not in body:
        code = str(body.get("error") or response.status_code) if isinstance(body, dict) else str(response.status_code)
        detail = _scrub(str(body.get("error_description") or "")) if isinstance(body, dict) else ""
        raise SalesforceLoginError(code, detail)
    return OAuthTokens(str(body["access_token"]), str(body.get("instance_url") or ""), str(body.get("id") or ""),
                       str(body.get("refresh_token") or ""))


def _no_auth(request: requests.PreparedRequest) -> requests.PreparedRequest:
    return request


def refresh_tokens(account: AccountConfig, secrets: SecretStore, session: requests.Session, host: LoginHost,
                   timeout: float) -> OAuthTokens:
    """The refresh_token grant. A refused refresh token is forgotten (要再ログイン) and raises oauth_relogin_required."""
    refresh = _secret(account, secrets, SecretKind.REFRESH_TOKEN, required=False)
    if not refresh:
        raise SalesforceLoginError("oauth_relogin_required", account=account.name)
    form = {"grant_type": "refresh_token", "refresh_token": str(refresh), "client_id": account.consumer_key}
    client_secret = _secret(account, secrets, SecretKind.CONSUMER_SECRET, required=False)
    if client_secret:
        form["client_secret"] = str(client_secret)
    try:
        tokens = token_request(session, host, form, timeout)
    except SalesforceLoginError as error:
        if error.code == "invalid_grant":  # expired or revoked: only a new browser login helps
            log.info("the refresh token of %s was refused (%s): sign-in needed", account.name, error.detail)
            forget_tokens(account.name, secrets)
            raise SalesforceLoginError("oauth_relogin_required", error.detail, account=account.name) from None
        raise _oauth_error(error) from None
    store_tokens(account.name, secrets, tokens)
    return tokens


def _oauth_error(error: SalesforceLoginError) -> SalesforceLoginError:
    if error.code in _INVALID_CLIENT:
        return SalesforceLoginError("oauth_invalid_client", error.detail, sf_code=error.code)
    if error.code in LOGIN_MESSAGES:
        return error
    return SalesforceLoginError("login_failed", error.detail, sf_code=error.code)


class RefreshingAuth(AuthBase):
    """Bearer auth that refreshes the access token once when Salesforce answers 401 (expired session).

    Installed as the session's ``auth``, so simple-salesforce's calls and the gateway's own requests are all
    covered; the request is sent again with the new token (a 401 was not processed, so that is safe).
    """

    def __init__(self, account: AccountConfig, secrets: SecretStore, host: LoginHost, tokens: OAuthTokens,
                 timeout: float) -> None:
        self.account = account
        self.secrets = secrets
        self.host = host
        self.tokens = tokens
        self.timeout = timeout
        self.refresh_failure: SalesforceLoginError | None = None
        self._lock = threading.Lock()
        self._session: requests.Session | None = None

    def bind(self, session: requests.Session) -> None:
        self._session = session
        session.auth = self

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.tokens.access_token}"
        request.register_hook("response", self._on_response)
        return request

    def _on_response(self, response: requests.Response, **kwargs: Any) -> requests.Response:
        sent = response.request
        if response.status_code != 401 or getattr(sent, "_biztel_refreshed", False) or self._session is None:
            return response
        used = str(sent.headers.get("Authorization", "")).removeprefix("Bearer ")
        with self._lock:
            if used == self.tokens.access_token:  # not refreshed meanwhile by another request
                try:
                    self.tokens = refresh_tokens(self.account, self.secrets, self._session, self.host, self.timeout)
                except SalesforceLoginError as error:
                    self.refresh_failure = error
                    if error.code != "oauth_relogin_required":
                        # Salesforce or the network failed, not the refresh token: drop only the expired access
                        # token, so the next login refreshes again (and reports a transient failure if it fails).
                        _drop_access_token(self.account.name, self.secrets)
                    return response  # the caller sees the 401; its next login says what to do
            token = self.tokens.access_token
        response.content  # noqa: B018 - read the body so the connection can be reused
        response.close()
        again = sent.copy()
        again.headers["Authorization"] = f"Bearer {token}"
        again._biztel_refreshed = True  # type: ignore[attr-defined]
        retried: requests.Response = response.connection.send(again, **kwargs)
        retried.history.append(response)
        retried.request = again
        return retried


def _connect_oauth(account: AccountConfig, secrets: SecretStore, host: LoginHost, timeout: float) -> Salesforce:
    if not _secret(account, secrets, SecretKind.REFRESH_TOKEN, required=False):
        raise SalesforceLoginError("oauth_relogin_required", account=account.name)
    session = _session_for(host, timeout)
    try:
        tokens = _cached_tokens(account, secrets) or refresh_tokens(account, secrets, session, host, timeout)
    except BaseException:
        session.close()
        raise
    RefreshingAuth(account, secrets, host, tokens, timeout).bind(session)
    return Salesforce(instance_url=tokens.instance_url, session_id=tokens.access_token, session=session,
                      version=account.api_version)


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
    if code == "INSUFFICIENT_ACCESS":
        return SalesforceLoginError("soap_insufficient_access", detail)
    if code == "UNSUPPORTED_API_VERSION" and "login" in detail.lower():
        return SalesforceLoginError("soap_login_retired", detail, version="65.0+")
    if code in _SOAP_DISABLED_CODES or ("login()" in detail and "disabled" in detail.lower()):
        return SalesforceLoginError("soap_login_disabled", detail, sf_code=code or "?")
    if code == "invalid_grant":
        return SalesforceLoginError("oauth_invalid_grant", detail)
    if code in _INVALID_CLIENT:
        return SalesforceLoginError("oauth_invalid_client", detail, sf_code=code)
    return SalesforceLoginError("login_failed", detail, sf_code=code or "?")


def _rest_error(error: SalesforceError) -> tuple[str, str]:
    """errorCode and message of a REST error body ``[{"errorCode": …, "message": …}]``."""
    return error_of_body(error.content, str(error.status))


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


def check_connection(account: AccountConfig, secrets: SecretStore, timeout: float = 30) -> ConnectionReport:
    """Log in, read the org and the user, and the API usage from ``Sforce-Limit-Info``."""
    sf = connect(account, secrets, timeout=timeout)
    host = login_host_of(account)
    try:
        org = sf.query("SELECT Id, Name FROM Organization")
        org_row = (org.get("records") or [{}])[0]
        user_row: dict[str, Any] = {}
        auth = sf.session.auth
        user_id = auth.tokens.user_id if isinstance(auth, RefreshingAuth) else ""
        if user_id.isalnum():  # the browser login's identity: whoever signed in
            users = sf.query(f"SELECT Id, Name, Username FROM User WHERE Id = '{user_id[:18]}'")
            user_row = (users.get("records") or [{}])[0]
        elif account.username:
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
            warning=SOAP_RETIREMENT_WARNING if account.auth_method == AuthMethod.PASSWORD.value else None,
        )
    except Exception as error:  # noqa: BLE001 - mapped when known, re-raised as a bug otherwise
        auth = sf.session.auth
        if isinstance(auth, RefreshingAuth) and auth.refresh_failure is not None:
            raise auth.refresh_failure from None  # the 401 came from a refused refresh token: sign in again
        mapped = map_error(error, host=_host_name(host), timeout=timeout)
        if mapped is None:
            raise
        raise mapped from None
    finally:
        sf.session.close()
