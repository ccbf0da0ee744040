"""A database password lives in the OS keyring, never in a service file or a command line that others can read.

``biztel-desk service install`` moves the password out of ``--db-url`` into the keyring (key
``database:<URL without password>``); every start that is given the URL without a password (the service, or an
admin who typed it so) finds it there. A URL that carries its password is used as it is.
"""

from __future__ import annotations

import logging

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from biztel_desk.secrets import SecretStore

log = logging.getLogger(__name__)


def _parts(url: str) -> tuple[str, str | None] | None:
    """(the URL without its password, the password) or None for a URL without a user (SQLite, a bad URL)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if not parsed.username:
        return None
    public = URL.create(parsed.drivername, parsed.username, None, parsed.host, parsed.port, parsed.database,
                        parsed.query).render_as_string(hide_password=False)
    return public, parsed.password


def key(url: str) -> str | None:
    parts = _parts(url)
    return f"database:{parts[0]}" if parts else None


def split(url: str) -> tuple[str, str | None]:
    """The URL without its password, and the password (None when it had none)."""
    parts = _parts(url)
    return (parts[0], parts[1]) if parts else (url, None)


def store(secrets: SecretStore, url: str) -> str:
    """Keep the URL's password in the keyring; return the URL without it (as it is when it had none)."""
    public, password = split(url)
    if password:
        secrets.set(f"database:{public}", password)
    return public


def resolve(url: str, secrets: SecretStore) -> str:
    """The URL to connect with: with the keyring's password added when the URL names a user but no password."""
    parts = _parts(url)
    if parts is None or parts[1] is not None:
        return url
    try:
        password = secrets.get(f"database:{parts[0]}")
    except Exception as error:  # noqa: BLE001 - best effort: no usable keyring (or a broken backend) is no password
        # The server may not want one (peer/trust authentication); if it does, its refusal says what is wrong.
        log.info("no database password from the keyring (%s): connecting without one", type(error).__name__)
        return url
    if password is None:
        return url
    return make_url(url).set(password=str(password)).render_as_string(hide_password=False)
