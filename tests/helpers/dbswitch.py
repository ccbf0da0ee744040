"""The tests' database switch: SQLite files (default) or a real PostgreSQL server (``pytest --db postgresql``).

On PostgreSQL every test gets a database of its own, created from a template migrated once per session
(``CREATE DATABASE … TEMPLATE``, a file copy: much faster than running the migrations per test) and dropped
afterwards. The server is the one ``BIZTEL_TEST_POSTGRES_URL`` names (``tools/pg_server.sh start`` prints it);
its user must be allowed to create databases.

The test's database URL is exported as ``BIZTEL_DESK_DB_URL`` for the duration of the test, so the CLI and the
window (``cli.open_context``), subprocesses started by the test and ``open_database`` below all use it; on SQLite
that variable is removed, and everything uses the SQLite file of the data dir as before.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from biztel_desk.store.db import Database

DB_URL_ENV = "BIZTEL_DESK_DB_URL"
SERVER_ENV = "BIZTEL_TEST_POSTGRES_URL"


def open_database(data_dir: Path) -> Database:
    """The test's database (what ``biztel-desk --data-dir DATA_DIR`` opens during this test), migrated."""
    return Database.open(url=os.environ.get(DB_URL_ENV), directory=data_dir)


class PostgresServer:
    """Creates and drops the per-test databases on one server (the maintenance connection is AUTOCOMMIT)."""

    def __init__(self, url: str) -> None:
        self.base: URL = make_url(url)
        self.admin = create_engine(self.base.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=None)
        self.template = f"biztel_tmpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self._create(self.template, "template0")
        database = Database.open(url=self.url(self.template))  # the migrations, once
        database.close()

    def url(self, name: str) -> str:
        return self.base.set(database=name).render_as_string(hide_password=False)

    def fresh(self, *, migrated: bool = True) -> str:
        """A new database: migrated to head (a copy of the template), or empty."""
        name = f"biztel_t_{uuid.uuid4().hex[:12]}"
        self._create(name, self.template if migrated else "template0")
        return self.url(name)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        with self.admin.connect() as connection:
            # FORCE: an engine a test leaked (or a killed sync) may still hold a connection.
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def close(self) -> None:
        self.drop(self.url(self.template))
        self.admin.dispose()

    def _create(self, name: str, template: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
