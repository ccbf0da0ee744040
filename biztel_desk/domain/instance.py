"""The org address (instance URL) an account last logged in to, kept as a preference for the Task links.

An account with the login host ``login`` or ``test`` does not name its org: only a successful login tells where
it lives (``https://acme.my.salesforce.com``). 接続テスト and 設定確認 record it; the 連携通話履歴 tab and
``biztel-desk history`` build ``https://<instance>/lightning/r/Task/<id>/view`` from it.
"""

from __future__ import annotations

import re
from typing import Any, Protocol
from urllib.parse import urlsplit

from biztel_desk.domain.config import AccountConfig

_HOST = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")


class PreferenceWriter(Protocol):
    def set_preference(self, key: str, value: Any) -> None: ...


def instance_url_key(account_name: str) -> str:
    """The preference key of an account's instance URL."""
    return f"account.{account_name}.instance_url"


def instance_origin(url: str) -> str | None:
    """``https://host`` of an instance URL (``sf.sf_instance`` alone is accepted too); None when not one."""
    text = url.strip()
    parts = urlsplit(text if "://" in text else "https://" + text)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or not _HOST.match(host):
        return None
    return f"https://{host}" + (f":{parts.port}" if parts.port else "")


def instance_record(account: AccountConfig, url: str) -> dict[str, str] | None:
    """What is stored: the origin plus the login host and user it was seen with (a changed account ignores it)."""
    origin = instance_origin(url)
    if origin is None:
        return None
    return {"url": origin, "login_host": account.login_host, "username": account.username}


def recorded_instance(account: AccountConfig, stored: Any) -> str | None:
    """The recorded origin if it still belongs to the account as configured now, else None."""
    if not isinstance(stored, dict):
        return None
    if stored.get("login_host") != account.login_host or stored.get("username") != account.username:
        return None  # the account now points at another org or user: the old address may be wrong
    url = stored.get("url")
    return instance_origin(url) if isinstance(url, str) else None


def remember_instance(config: PreferenceWriter, account: AccountConfig, url: str) -> None:
    """Record where the account logged in (called after every successful login that has the context)."""
    record = instance_record(account, url)
    if record is not None:
        config.set_preference(instance_url_key(account.name), record)
