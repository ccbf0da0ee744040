"""A fresh PostgreSQL database per test module, on the server BIZTEL_TEST_POSTGRES_URL names (CI starts one).

Unset, the tests that need it are skipped with the reason. Locally: start a throw-away cluster (docs/postgresql.md)
and export BIZTEL_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:PORT/postgres.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

ENV = "BIZTEL_TEST_POSTGRES_URL"


def server_url() -> URL:
    value = os.environ.get(ENV)
    if not value:
        pytest.skip(f"{ENV} is not set: no PostgreSQL server to test against (see docs/postgresql.md)")
    return make_url(value)


@contextmanager
def fresh_database(tag: str) -> Iterator[str]:
    """CREATE DATABASE bt_<tag>_<random>; yields its URL (password kept); dropped afterwards."""
    base = server_url()
    name = f"bt_{tag}_{secrets.token_hex(4)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextmanager
def database_without_extension_rights(tag: str) -> Iterator[tuple[str, Engine]]:
    """A fresh database and a role that owns its own schema but has no CREATE on the database: tables yes,
    CREATE EXTENSION no (as on a managed server). Yields the role's URL (password kept) and an AUTOCOMMIT engine
    on the database as the server's administrator (to do what a DBA does, e.g. CREATE EXTENSION pg_trgm).
    Skips when the test role cannot create roles. Dropped afterwards."""
    base = server_url()
    role, password = f"bt_user_{secrets.token_hex(3)}", secrets.token_hex(8)
    name = f"bt_{tag}_{secrets.token_hex(3)}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as connection:
            try:
                connection.exec_driver_sql(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
            except Exception as error:  # noqa: BLE001 - a server role without CREATEROLE cannot run this test
                pytest.skip(f"the test role cannot create roles: {error}")
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        in_database = create_engine(base.set(database=name), isolation_level="AUTOCOMMIT", poolclass=NullPool)
        try:
            with in_database.connect() as connection:
                connection.exec_driver_sql(f"CREATE SCHEMA AUTHORIZATION {role}")
            yield base.set(database=name, username=role, password=password).render_as_string(hide_password=False), \
                in_database
        finally:
            in_database.dispose()
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.exec_driver_sql(f"DROP ROLE IF EXISTS {role}")
        admin.dispose()
