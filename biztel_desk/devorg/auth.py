"""Logins of the dev org: SOAP login, the OAuth token endpoint (password, JWT bearer, client credentials) and sessions."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html import escape
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

# Salesforce's INVALID_LOGIN text for SOAP logins.
INVALID_LOGIN_MESSAGE = "Invalid username, password, security token; or user locked out."
JWT_AUDIENCES = ("https://login.salesforce.com", "https://test.salesforce.com")


@dataclass(frozen=True)
class Credentials:
    """The org's single API user and connected app (fixed values: the dev org is local-only)."""

    username: str = "admin@devorg.biztel.example"
    password: str = "devorg-Passw0rd"
    security_token: str = "DEVORGtoken0123456789AB"
    consumer_key: str = "3MVG9devorgBIZTELdeskLocalConnectedAppConsumerKey0000000000000000000000000000000"
    consumer_secret: str = "DEVORG0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789"

    def password_ok(self, given: str) -> bool:
        # The loopback address is treated as a trusted IP range, so the password alone is accepted too
        # (a real org accepts password-only logins from its trusted ranges).
        return hmac.compare_digest(given, self.password + self.security_token) or hmac.compare_digest(
            given, self.password)


class Sessions:
    """Access tokens with an inactivity timeout (Salesforce's session timeout is measured from last use)."""

    def __init__(self, ttl_s: float) -> None:
        self.ttl_s = ttl_s
        self._lock = threading.Lock()
        self._sessions: dict[str, tuple[str, float]] = {}  # token → (user Id, last use, monotonic)

    def issue(self, org_id: str, user_id: str) -> str:
        token = f"{org_id[:15]}!AR{secrets.token_urlsafe(72)}"
        with self._lock:
            self._sessions[token] = (user_id, time.monotonic())
        return token

    def check(self, token: str) -> str | None:
        """The session's user Id, refreshing its timer; None when unknown or expired."""
        now = time.monotonic()
        with self._lock:
            found = self._sessions.get(token)
            if found is None:
                return None
            user_id, last = found
            if now - last > self.ttl_s:
                del self._sessions[token]
                return None
            self._sessions[token] = (user_id, now)
            return user_id

    def is_valid(self, token: str) -> bool:
        with self._lock:
            found = self._sessions.get(token)
            return found is not None and time.monotonic() - found[1] <= self.ttl_s

    def invalidate(self, token: str) -> None:
        with self._lock:
            self._sessions.pop(token, None)

    def expire_all(self) -> None:
        with self._lock:
            self._sessions.clear()


@dataclass
class JwtKeys:
    """A test key pair and self-signed certificate registered with the dev org's connected app."""

    private_key_pem: str
    certificate_pem: str

    @classmethod
    def generate(cls) -> JwtKeys:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "biztel-desk devorg JWT")])
        now = dt.datetime.now(dt.UTC)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
                .not_valid_after(now + dt.timedelta(days=3650)).sign(key, hashes.SHA256()))
        private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()).decode()
        return cls(private_pem, cert.public_bytes(serialization.Encoding.PEM).decode())

    def public_key(self) -> Any:
        return x509.load_pem_x509_certificate(self.certificate_pem.encode()).public_key()


class OAuthError(Exception):
    """400 ``{"error", "error_description"}`` of the token endpoint."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def soap_credentials(body: bytes) -> tuple[str, str] | None:
    """(username, password) of a partner-API ``login`` envelope, or None when it is not one."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return None
    username = password = None
    for element in root.iter():
        local = element.tag.rsplit("}", 1)[-1]
        if local == "username":
            username = element.text or ""
        elif local == "password":
            password = element.text or ""
    if username is None or password is None:
        return None
    return username, password


def soap_login_response(instance_host: str, version: str, org_id: str, user_id: str, token: str,
                        username: str) -> str:
    base = f"https://{instance_host}/services/Soap"
    return (
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/'
        'envelope/" xmlns="urn:partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<soapenv:Body><loginResponse><result>"
        f"<metadataServerUrl>{base}/m/{version}/{org_id[:15]}</metadataServerUrl>"
        "<passwordExpired>false</passwordExpired><sandbox>false</sandbox>"
        f"<serverUrl>{base}/u/{version}/{org_id[:15]}</serverUrl>"
        f"<sessionId>{escape(token)}</sessionId><userId>{user_id}</userId>"
        f"<userInfo><organizationId>{org_id}</organizationId><organizationName>BIZTEL Desk Dev Org"
        f"</organizationName><userEmail>{escape(username)}</userEmail><userFullName>管理者 デブ</userFullName>"
        f"<userId>{user_id}</userId><userLanguage>ja</userLanguage><userLocale>ja_JP</userLocale>"
        f"<userName>{escape(username)}</userName><userTimeZone>Asia/Tokyo</userTimeZone></userInfo>"
        "</result></loginResponse></soapenv:Body></soapenv:Envelope>"
    )


def soap_fault(code: str, message: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/'
        'envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault>'
        f"<faultcode>sf:{code}</faultcode><faultstring>{code}: {escape(message)}</faultstring><detail>"
        f'<sf:LoginFault xsi:type="sf:LoginFault"><sf:exceptionCode>{code}</sf:exceptionCode>'
        f"<sf:exceptionMessage>{escape(message)}</sf:exceptionMessage></sf:LoginFault></detail>"
        "</soapenv:Fault></soapenv:Body></soapenv:Envelope>"
    )


def check_token_request(form: dict[str, str], authorization: str | None, host: str, creds: Credentials,
                        jwt_keys: list[Any]) -> None:
    """Raises OAuthError unless the token request is valid for the org's user and connected app."""
    grant = form.get("grant_type", "")
    if grant == "password":
        if form.get("client_id") != creds.consumer_key:
            raise OAuthError("invalid_client_id", "client identifier invalid")
        if not hmac.compare_digest(form.get("client_secret", ""), creds.consumer_secret):
            raise OAuthError("invalid_client", "invalid client credentials")
        if form.get("username") != creds.username or not creds.password_ok(form.get("password", "")):
            raise OAuthError("invalid_grant", "authentication failure")
    elif grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
        _check_jwt(form.get("assertion", ""), creds, jwt_keys)
    elif grant == "client_credentials":
        if host.split(":")[0].lower() in ("login.salesforce.com", "test.salesforce.com"):
            # The client credentials flow needs the org's My Domain.
            raise OAuthError("unsupported_grant_type", "request not supported on this domain")
        client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
        if authorization and authorization.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(authorization[6:].strip()).decode()
            except (ValueError, UnicodeDecodeError):
                raise OAuthError("invalid_client", "invalid client credentials") from None
            client_id, _, client_secret = decoded.partition(":")
        if client_id != creds.consumer_key:
            raise OAuthError("invalid_client_id", "client identifier invalid")
        if not hmac.compare_digest(client_secret, creds.consumer_secret):
            raise OAuthError("invalid_client", "invalid client credentials")
    else:
        raise OAuthError("unsupported_grant_type", "grant type not supported")


def _check_jwt(assertion: str, creds: Credentials, keys: list[Any]) -> None:
    # (unverified) error texts other than "invalid_grant"/"invalid assertion"; the codes are what clients use.
    try:
        header_claims = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise OAuthError("invalid_grant", "invalid assertion") from None
    if header_claims.get("iss") != creds.consumer_key:
        raise OAuthError("invalid_client_id", "client identifier invalid")
    claims = None
    for key in keys:
        try:
            claims = jwt.decode(assertion, key, algorithms=["RS256"], audience=list(JWT_AUDIENCES),
                                options={"require": ["exp", "iss", "sub", "aud"]})
            break
        except jwt.InvalidAudienceError:
            raise OAuthError("invalid_grant", "audience is invalid") from None
        except jwt.ExpiredSignatureError:
            raise OAuthError("invalid_grant", "expired authorization code") from None
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError:
            raise OAuthError("invalid_grant", "invalid assertion") from None
    if claims is None:
        raise OAuthError("invalid_grant", "invalid assertion")
    if claims.get("sub") != creds.username:
        raise OAuthError("invalid_grant", "user hasn't approved this consumer")


def token_response(token: str, instance_host: str, org_id: str, user_id: str, secret: str) -> dict[str, str]:
    identity = f"https://login.salesforce.com/id/{org_id}/{user_id}"
    issued_at = str(int(time.time() * 1000))
    signature = base64.b64encode(hmac.new(secret.encode(), (identity + issued_at).encode(),
                                          hashlib.sha256).digest()).decode()
    return {"access_token": token, "instance_url": f"https://{instance_host}", "id": identity,
            "token_type": "Bearer", "issued_at": issued_at, "signature": signature,
            "scope": "api"}


# --- OAuth 2.0 web server flow (authorization code + PKCE), refresh and revoke -------------------------------

AUTH_CODE_TTL_S = 15 * 60  # Salesforce: "The authorization code is valid for 15 minutes" (help: web server flow)
OAUTH_SCOPES = "api refresh_token"
# SOAP login() in a Winter '26+ org (unverified exact texts; the codes are what clients see).
SOAP_LOGIN_DISABLED_MESSAGE = ("SOAP API login() is disabled by default in this org. An administrator must enable it "
                               "in Setup (User Interface: Enable SOAP API login()).")
SOAP_LOGIN_NO_PERMISSION_MESSAGE = "The user needs the Use Any API Auth permission to use SOAP API login()."
SOAP_LOGIN_REMOVED_MESSAGE = "SOAP API login() is not available in API version 65.0 and later."


def pkce_challenge(verifier: str) -> str:
    """RFC 7636 S256: BASE64URL(SHA256(ascii(code_verifier))) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


@dataclass(frozen=True)
class AuthorizeRequest:
    """The query of ``GET /services/oauth2/authorize`` (carried through the sign-in and approve forms)."""

    client_id: str
    redirect_uri: str
    state: str
    code_challenge: str
    code_challenge_method: str
    scope: str

    FIELDS = ("client_id", "redirect_uri", "state", "code_challenge", "code_challenge_method", "scope")

    @classmethod
    def from_form(cls, form: dict[str, str]) -> AuthorizeRequest:
        return cls(*(form.get(name, "") for name in cls.FIELDS))

    def hidden_inputs(self) -> str:
        return "".join(f"<input type='hidden' name='{name}' value='{escape(getattr(self, name), quote=True)}'>"
                       for name in self.FIELDS)


@dataclass
class _Code:
    request: AuthorizeRequest
    user_id: str
    expires: float
    used: bool = False


def redirect_uri_allowed(uri: str) -> bool:
    """The dev org's External Client App lists ``http://localhost:*/callback`` (and 127.0.0.1) as callbacks."""
    from urllib.parse import urlsplit

    parts = urlsplit(uri)
    return parts.scheme == "http" and parts.hostname in ("localhost", "127.0.0.1") and parts.path == "/callback" \
        and parts.port is not None and not parts.query and not parts.fragment


class WebServerFlow:
    """Authorization codes, sign-in tickets and refresh tokens of the dev org's External Client App."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._codes: dict[str, _Code] = {}
        self._tickets: dict[str, tuple[str, float]] = {}  # signed-in browser form → (user Id, expiry)
        self._refresh: dict[str, str] = {}  # refresh token → user Id
        self._issued: dict[str, set[str]] = {}  # refresh token → access tokens issued from it
        self.revoked_refresh_tokens = 0

    def sign_in(self, user_id: str) -> str:
        ticket = secrets.token_urlsafe(24)
        with self._lock:
            self._tickets[ticket] = (user_id, time.monotonic() + AUTH_CODE_TTL_S)
        return ticket

    def ticket_user(self, ticket: str) -> str | None:
        with self._lock:
            found = self._tickets.get(ticket)
            return found[0] if found and found[1] > time.monotonic() else None

    def issue_code(self, ticket: str, request: AuthorizeRequest) -> str:
        code = "aPr" + secrets.token_urlsafe(40)
        with self._lock:
            user_id = self._tickets.pop(ticket)[0]
            self._codes[code] = _Code(request, user_id, time.monotonic() + AUTH_CODE_TTL_S)
        return code

    def redeem_code(self, form: dict[str, str], creds: Credentials) -> tuple[str, str]:
        """(user Id, scope) of a valid ``authorization_code`` grant; OAuthError as Salesforce answers otherwise."""
        _check_client(form, creds)
        with self._lock:
            found = self._codes.get(form.get("code", ""))
            if found is None or found.used or found.expires < time.monotonic():
                raise OAuthError("invalid_grant", "invalid authorization code")
            found.used = True  # one use only, even when the rest of the request is wrong
        if form.get("redirect_uri", "") != found.request.redirect_uri:
            raise OAuthError("redirect_uri_mismatch", "redirect_uri must match configuration")
        if found.request.code_challenge:
            verifier = form.get("code_verifier", "")
            if not verifier or not hmac.compare_digest(pkce_challenge(verifier), found.request.code_challenge):
                raise OAuthError("invalid_grant", "invalid code verifier")
        return found.user_id, found.request.scope

    def issue_refresh(self, user_id: str) -> str:
        token = "5Aep" + secrets.token_urlsafe(64)
        with self._lock:
            self._refresh[token] = user_id
            self._issued[token] = set()
        return token

    def refresh_user(self, form: dict[str, str], creds: Credentials) -> str:
        _check_client(form, creds)
        with self._lock:
            user_id = self._refresh.get(form.get("refresh_token", ""))
        if user_id is None:
            raise OAuthError("invalid_grant", "expired access/refresh token")
        return user_id

    def note_access_token(self, refresh_token: str, access_token: str) -> None:
        with self._lock:
            self._issued.setdefault(refresh_token, set()).add(access_token)

    def revoke(self, token: str, sessions: Sessions) -> bool:
        """Revokes a refresh token (and its access tokens) or one access token; False when the token is unknown."""
        with self._lock:
            user_id = self._refresh.pop(token, None)
            issued = self._issued.pop(token, set()) if user_id is not None else set()
            if user_id is not None:
                self.revoked_refresh_tokens += 1
        if user_id is not None:
            for access in issued:
                sessions.invalidate(access)
            return True
        if sessions.is_valid(token):
            sessions.invalidate(token)
            return True
        return False

    def revoke_all(self, sessions: Sessions) -> None:
        with self._lock:
            tokens = list(self._refresh)
        for token in tokens:
            self.revoke(token, sessions)


def _check_client(form: dict[str, str], creds: Credentials) -> None:
    if form.get("client_id") != creds.consumer_key:
        raise OAuthError("invalid_client_id", "client identifier invalid")
    # PKCE public client: the app may be configured without "Require secret for Web Server Flow"; a secret that
    # is sent must be right.
    secret = form.get("client_secret")
    if secret is not None and not hmac.compare_digest(secret, creds.consumer_secret):
        raise OAuthError("invalid_client", "invalid client credentials")


def authorize_page(request: AuthorizeRequest, error: str = "", username: str = "") -> str:
    """The sign-in page (step 1): username and password, the authorize request in hidden fields."""
    message = f"<p class='error' role='alert'>{escape(error)}</p>" if error else ""
    return (
        "<!DOCTYPE html><html lang='ja'><head><meta charset='utf-8'><title>ログイン | Salesforce (dev org)</title>"
        "</head><body><h1>ログイン</h1>" + message +
        "<form method='post' action='/services/oauth2/authorize'><input type='hidden' name='step' value='login'>"
        + request.hidden_inputs() +
        f"<label>ユーザ名 <input name='username' value='{escape(username, quote=True)}'></label>"
        "<label>パスワード <input type='password' name='password'></label>"
        "<button type='submit'>ログイン</button></form></body></html>"
    )


def approve_page(request: AuthorizeRequest, ticket: str, app_name: str) -> str:
    """The approve page (step 2): allow or deny the app's access (scopes)."""
    scopes = "".join(f"<li>{escape(s)}</li>" for s in request.scope.split())
    return (
        "<!DOCTYPE html><html lang='ja'><head><meta charset='utf-8'><title>アクセスを許可 | Salesforce (dev org)"
        f"</title></head><body><h1>アクセスを許可しますか?</h1><p>{escape(app_name)} が次の操作を要求しています:</p>"
        f"<ul>{scopes}</ul><form method='post' action='/services/oauth2/authorize'>"
        "<input type='hidden' name='step' value='approve'>"
        f"<input type='hidden' name='ticket' value='{escape(ticket, quote=True)}'>" + request.hidden_inputs() +
        "<button type='submit' name='decision' value='allow'>許可</button>"
        "<button type='submit' name='decision' value='deny'>拒否</button></form></body></html>"
    )


def error_page(error: str, description: str) -> str:
    return ("<!DOCTYPE html><html lang='ja'><head><meta charset='utf-8'><title>OAuth Error</title></head><body>"
            f"<h1>OAuth Error</h1><p>error={escape(error)}</p><p>error_description={escape(description)}</p>"
            "</body></html>")
