"""Shared fixtures: a temp data dir with a migrated SQLite database, an in-memory keyring, an app context."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from biztel_desk.domain.config import AccountConfig, LinkSettingConfig, LinkTargetConfig  # noqa: E402
from biztel_desk.secrets import MemoryBackend, SecretStore  # noqa: E402
from biztel_desk.services.context import AppContext  # noqa: E402
from biztel_desk.store.db import Database  # noqa: E402


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "data"
    directory.mkdir()
    return directory


@pytest.fixture
def database(data_dir: Path) -> Iterator[Database]:
    db = Database.open(directory=data_dir)
    yield db
    db.close()


@pytest.fixture
def secrets() -> SecretStore:
    return SecretStore(MemoryBackend())


@pytest.fixture
def context(database: Database, secrets: SecretStore, data_dir: Path) -> Iterator[AppContext]:
    ctx = AppContext(database=database, secrets=secrets, lang="ja", data_dir=data_dir)
    yield ctx


@pytest.fixture
def make_setting(context: AppContext):  # type: ignore[no-untyped-def]
    """Factory: an account plus a valid link setting (default objects, one target) in the database."""

    def make(name: str = "本社", account: str = "devorg", **changes: object) -> LinkSettingConfig:
        if context.config.get_account(account) is None:
            context.config.save_account(AccountConfig(name=account, username="admin@example.com"))
        setting = LinkSettingConfig(
            name=name,
            account=account,
            fallback_record_id="0012v000032fR15AAE",
            api_consent=True,
            targets=(LinkTargetConfig("03-1234-5678"),),
        )
        from dataclasses import replace

        setting = replace(setting, **changes)  # type: ignore[arg-type]
        return context.config.save_basic(setting)

    return make


@pytest.fixture(autouse=True)
def _restore_excepthooks() -> Iterator[None]:
    """A test that opens the window installs the crash handler (sys and threading hooks): later tests get theirs back."""
    import sys
    import threading

    saved = sys.excepthook, threading.excepthook
    yield
    sys.excepthook, threading.excepthook = saved
