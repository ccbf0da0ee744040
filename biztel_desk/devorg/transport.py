"""A requests.Session that sends simple-salesforce's https://….salesforce.com URLs to a loopback dev org."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter


class LoopbackAdapter(HTTPAdapter):
    """Rewrites ``https://{anything}.salesforce.com/…`` to the dev org's ``http://127.0.0.1:PORT/…``.

    The original host goes along in the ``Host`` header, as a real server would see it, so the dev org can
    tell a login host (``login.salesforce.com``) from a My Domain (``devorg-PORT.my.salesforce.com``).
    """

    def __init__(self, devorg_url: str) -> None:
        super().__init__()
        parts = urlsplit(devorg_url)
        if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"not a loopback dev org URL: {devorg_url}")
        self._netloc = parts.netloc

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        parts = urlsplit(request.url or "")
        host = (parts.hostname or "").lower()
        if host == "salesforce.com" or host.endswith(".salesforce.com"):
            request.headers["Host"] = parts.netloc
            request.url = urlunsplit(("http", self._netloc, parts.path, parts.query, parts.fragment))
        return super().send(request, **kwargs)


class LoopbackSession(requests.Session):
    """A Session with a default timeout: simple-salesforce's search, CRUD and login calls take none."""

    def __init__(self, devorg_url: str, timeout: float = 30) -> None:
        super().__init__()
        self.default_timeout = timeout
        adapter = LoopbackAdapter(devorg_url)
        self.mount("https://", adapter)
        self.mount("http://", adapter)
        # Never route loopback traffic through a proxy taken from the environment.
        self.trust_env = False

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        return super().request(method, url, *args, **kwargs)  # type: ignore[arg-type]


def loopback_session(devorg_url: str, timeout: float = 30) -> requests.Session:
    """The Session to pass to ``simple_salesforce.Salesforce(session=…)`` for a dev org at ``devorg_url``."""
    return LoopbackSession(devorg_url, timeout)


def instance_host(port: int) -> str:
    """The My Domain host the dev org hands out as its instance: simple-salesforce builds https URLs on it."""
    return f"devorg-{port}.my.salesforce.com"

