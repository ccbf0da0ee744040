"""The browser sign-in: OAuth 2.0 authorization code with PKCE (S256) and a one-shot loopback redirect listener.

RFC 8252 (native apps): the system browser opens the authorize URL; Salesforce redirects to
``http://localhost:PORT/callback`` where a listener on 127.0.0.1 takes the code once (``state`` checked), and the
code is exchanged with the ``code_verifier``. The tokens go to the keyring only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets as token_source
import threading
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from biztel_desk.domain.config import OAUTH_CALLBACK_PORTS, AccountConfig, SecretKind
from biztel_desk.salesforce.connection import (
    OAuthTokens,
    SalesforceLoginError,
    _oauth_error,
    _secret,
    _session_for,
    login_host_of,
    oauth_base_url,
    store_tokens,
    token_request,
)
from biztel_desk.secrets import SecretStore

CALLBACK_PORTS = OAUTH_CALLBACK_PORTS
CALLBACK_PATH = "/callback"
SCOPES = "api refresh_token"
DEFAULT_TIMEOUT_S = 300.0


def callback_url(port: int) -> str:
    return f"http://localhost:{port}{CALLBACK_PATH}"


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, S256 code_challenge) per RFC 7636: 43–128 unreserved characters."""
    verifier = token_source.token_urlsafe(64)[:96]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).decode().rstrip("=")
    return verifier, challenge


@dataclass
class _Callback:
    code: str = ""
    error: str = ""
    description: str = ""


_PAGE = ("<!DOCTYPE html><html lang='ja'><head><meta charset='utf-8'><title>BIZTEL Desk</title></head><body>"
         "<h1>{title}</h1><p>{text}</p></body></html>")


class _CallbackHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the query holds the code: never log it
        return

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        listener: LoopbackListener = self.server.listener  # type: ignore[attr-defined]
        split = urlsplit(self.path)
        if split.path != CALLBACK_PATH:
            self._answer(404, "Not found", "")
            return
        query = {k: v[0] for k, v in parse_qs(split.query).items()}
        ok = listener.accept(query)
        if ok:
            self._answer(200, "ログインしました / Signed in",
                         "BIZTEL Desk に戻ってください。このタブは閉じてかまいません。"
                         " Return to BIZTEL Desk; you may close this tab.")
        else:
            self._answer(400, "ログインできませんでした / Sign-in failed",
                         "BIZTEL Desk に表示された説明を確認してください。 See the message in BIZTEL Desk.")

    def _answer(self, status: int, title: str, text: str) -> None:
        body = _PAGE.format(title=escape(title), text=escape(text)).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html;charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)


class LoopbackListener:
    """A one-shot HTTP listener on 127.0.0.1 for the authorization redirect."""

    def __init__(self, ports: tuple[int, ...] = CALLBACK_PORTS) -> None:
        self.state = token_source.token_urlsafe(32)
        self._done = threading.Event()
        self._result = _Callback()
        self._server = self._bind(ports)
        self._server.listener = self  # type: ignore[attr-defined]
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="oauth-callback", daemon=True)
        self._thread.start()

    @staticmethod
    def _bind(ports: tuple[int, ...]) -> HTTPServer:
        for port in ports:
            try:
                return HTTPServer(("127.0.0.1", port), _CallbackHandler)
            except OSError:
                continue
        raise SalesforceLoginError("oauth_ports_busy", ports=", ".join(str(p) for p in ports))

    @property
    def redirect_uri(self) -> str:
        return callback_url(self.port)

    def accept(self, query: dict[str, str]) -> bool:
        """Takes the first redirect that carries our state; True when it brought a code."""
        if self._done.is_set():
            return False
        if not hmac.compare_digest(query.get("state", ""), self.state):
            # Not our request (another tab, a forged link): refuse it and end the wait with a clear reason.
            self._result = _Callback(error="state_mismatch")
        elif query.get("code"):
            self._result = _Callback(code=query["code"])
        else:
            self._result = _Callback(error=query.get("error", "invalid_request"),
                                     description=query.get("error_description", ""))
        self._done.set()
        return bool(self._result.code)

    def wait(self, timeout: float, cancel: threading.Event | None = None) -> str:
        """The authorization code; SalesforceLoginError on timeout, cancel, a denied or forged redirect."""
        step = 0.2
        waited = 0.0
        while not self._done.wait(step):
            waited += step
            if cancel is not None and cancel.is_set():
                raise SalesforceLoginError("oauth_cancelled")
            if waited >= timeout:
                raise SalesforceLoginError("oauth_timeout", seconds=f"{timeout:g}")
        result = self._result
        if result.code:
            return result.code
        if result.error == "state_mismatch":
            raise SalesforceLoginError("oauth_state_mismatch")
        if result.error == "access_denied":
            raise SalesforceLoginError("oauth_denied", result.description, sf_code=result.error)
        raise SalesforceLoginError("oauth_redirect_error", result.description, sf_code=result.error, port=self.port)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def authorize_url(account: AccountConfig, redirect_uri: str, state: str, challenge: str) -> str:
    host = login_host_of(account)
    query = urlencode({
        "response_type": "code", "client_id": account.consumer_key, "redirect_uri": redirect_uri,
        "scope": SCOPES, "state": state, "code_challenge": challenge, "code_challenge_method": "S256",
    })
    return f"{oauth_base_url(host)}/services/oauth2/authorize?{query}"


def browser_login(
    account: AccountConfig,
    secrets: SecretStore,
    *,
    on_url: Callable[[str], None],
    open_browser: Callable[[str], object] | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
    cancel: threading.Event | None = None,
    ports: tuple[int, ...] = CALLBACK_PORTS,
    http_timeout: float = 30,
) -> OAuthTokens:
    """Sign in in the browser and store the tokens; ``on_url`` gets the authorization URL before the browser opens.

    Blocks until the redirect arrives (or ``timeout``/``cancel``): run it off the GUI thread.
    """
    if not account.consumer_key:
        raise SalesforceLoginError("login_failed", "consumer key missing", sf_code="consumer_key")
    host = login_host_of(account)
    verifier, challenge = pkce_pair()
    listener = LoopbackListener(ports)
    try:
        url = authorize_url(account, listener.redirect_uri, listener.state, challenge)
        on_url(url)
        if open_browser is not None:
            open_browser(url)
        code = listener.wait(timeout, cancel)
        redirect_uri = listener.redirect_uri
    finally:
        listener.close()
    form = {"grant_type": "authorization_code", "code": code, "client_id": account.consumer_key,
            "redirect_uri": redirect_uri, "code_verifier": verifier}
    client_secret = _secret(account, secrets, SecretKind.CONSUMER_SECRET, required=False)
    if client_secret:
        form["client_secret"] = str(client_secret)
    session = _session_for(host, http_timeout)
    try:
        try:
            tokens = token_request(session, host, form, http_timeout)
        except SalesforceLoginError as error:
            raise _oauth_error(error) from None
    finally:
        session.close()
    if not tokens.refresh_token:
        # Without the refresh_token scope the app would ask for the browser again every session.
        raise SalesforceLoginError("oauth_redirect_error", "no refresh token: add the refresh_token scope",
                                   sf_code="scope", port=listener.port)
    store_tokens(account.name, secrets, tokens)
    return tokens
