"""What the window and the commands are given by the composition root: database, services, secrets, language."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from biztel_desk.secrets import SecretStore as SecretStore
from biztel_desk.secrets import SecretStoreError as SecretStoreError
from biztel_desk.services.config import ConfigService
from biztel_desk.store.db import Database
from biztel_desk.store.db import DatabaseUnavailable as DatabaseUnavailable
from biztel_desk.store.db import SchemaTooNew as SchemaTooNew
from biztel_desk.store.db import data_dir as data_dir

DB_URL_VARIABLE = "BIZTEL_DESK_DB_URL"


@dataclass
class AppContext:
    database: Database
    secrets: SecretStore
    lang: str = "ja"  # "ja" | "en": the language of every message
    data_dir: Path | None = None
    demo: bool = False
    config: ConfigService = field(init=False)

    def __post_init__(self) -> None:
        self.config = ConfigService(self.database, self.secrets)

    def close(self) -> None:
        self.database.close()


def open_context(data_directory: str | os.PathLike[str] | None, db_url: str | None, lang: str,
                 secrets: SecretStore | None = None) -> AppContext:
    """Open (and migrate) the profile's database: ``db_url``, else BIZTEL_DESK_DB_URL (a service or a shared desktop
    setup), else the data dir's SQLite file; ``secrets`` replaces the OS keyring (tests, the demo profile).

    Raises ``SchemaTooNew`` (a newer app upgraded the database) or ``DatabaseUnavailable``.
    """
    directory = data_dir(data_directory)
    url = db_url or os.environ.get(DB_URL_VARIABLE) or None
    secrets = secrets or SecretStore()
    if url is not None:  # a URL that names its user only: the password is in the keyring (service install)
        from biztel_desk.services import db_password

        url = db_password.resolve(url, secrets)
    database = Database.open(url=url, directory=directory)
    return AppContext(database=database, secrets=secrets, lang=lang, data_dir=directory)
