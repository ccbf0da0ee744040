"""Moved to helpers/postgres_server.py (tests/helpers); this name stays for imports written before."""

from helpers.postgres_server import ENV, fresh_database, server_url  # noqa: F401
