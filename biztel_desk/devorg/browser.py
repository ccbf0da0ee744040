"""A scripted browser for the dev org's sign-in and approve pages: plain HTTP, the forms as a person fills them.

Tests and demos use it in place of the system browser: it opens the authorization URL, submits the sign-in form
with a username and password, presses 許可 (or 拒否) and follows the redirect to the app's loopback listener.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import requests


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)  # inputs with a name (hidden ones carry the request)
    buttons: dict[str, list[str]] = field(default_factory=dict)  # submit buttons: name → values


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.errors: list[str] = []
        self._in_error = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(values.get("action", ""), values.get("method", "get").lower()))
        elif tag == "input" and self.forms and values.get("name"):
            self.forms[-1].fields[values["name"]] = values.get("value", "")
        elif tag == "button" and self.forms and values.get("name"):
            self.forms[-1].buttons.setdefault(values["name"], []).append(values.get("value", ""))
        elif values.get("role") == "alert":
            self._in_error = True

    def handle_endtag(self, tag: str) -> None:
        self._in_error = False

    def handle_data(self, data: str) -> None:
        if self._in_error and data.strip():
            self.errors.append(data.strip())


class SignInRefused(Exception):
    """The page did not go where a person would expect (wrong password, an error page)."""


def parse_page(html: str) -> tuple[list[Form], list[str]]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms, parser.errors


def sign_in_and_approve(url: str, username: str, password: str, *, approve: bool = True,
                        timeout: float = 10) -> requests.Response:
    """Drive the authorize pages at ``url``; returns the loopback listener's answer to the final redirect."""
    with requests.Session() as session:
        session.trust_env = False  # loopback only: never through a proxy from the environment
        page = session.get(url, timeout=timeout, allow_redirects=False)
        forms, errors = parse_page(page.text)
        if page.status_code != 200 or not forms:
            raise SignInRefused(f"authorize page: HTTP {page.status_code}: {page.text[:200]}")
        sign_in = forms[0]
        data = {**sign_in.fields, "username": username, "password": password}
        page = session.post(urljoin(url, sign_in.action), data=data, timeout=timeout, allow_redirects=False)
        forms, errors = parse_page(page.text)
        if errors or not forms or "decision" not in forms[0].buttons:
            raise SignInRefused("; ".join(errors) or f"sign-in: HTTP {page.status_code}")
        consent = forms[0]
        data = {**consent.fields, "decision": "allow" if approve else "deny"}
        page = session.post(urljoin(url, consent.action), data=data, timeout=timeout, allow_redirects=False)
        location = page.headers.get("Location")
        if page.status_code != 302 or not location:
            raise SignInRefused(f"approve: HTTP {page.status_code}")
        return session.get(location, timeout=timeout, allow_redirects=False)
