"""Moved to helpers/dbswitch.py (tests/helpers); this name stays for imports written before."""

from helpers.dbswitch import DB_URL_ENV, SERVER_ENV, PostgresServer, open_database  # noqa: F401
