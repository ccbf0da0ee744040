"""The PBX's CDR database as a call source (ingest/cdr_db.py), for ``biztel-desk ingest``: the names the command needs."""

from __future__ import annotations

from biztel_desk.ingest.cdr_db import SCHEMAS, CdrDbError, Position, load_config, parse_start

__all__ = ["SCHEMAS", "CdrDbError", "Position", "load_config", "parse_start"]
