"""HTTP ingest under a slowloris: how long 31 half-sent requests hold the endpoint, with the default deadlines.

Run: ``.venv/bin/python bench/http_abuse_bench.py [--connections 31]``. Opens the connections, each sending part of
its headers and nothing more, checks that a real request is answered meanwhile, then measures when the server has
closed every one of them (issue #16: before the deadlines each held a thread for as long as the client liked).
"""

from __future__ import annotations

import argparse
import json
import socket
import tempfile
import time
from pathlib import Path

import requests

from biztel_desk.ingest.http import HEADER_TIMEOUT_S, HttpIngestServer, generate_token
from biztel_desk.secrets import MemoryBackend, SecretStore
from biztel_desk.store.db import Database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", type=int, default=31)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        database = Database.open(directory=Path(directory))
        store = SecretStore(MemoryBackend())
        token = str(generate_token(store))
        server = HttpIngestServer(database, store, port=0, time_zone="Asia/Tokyo")
        server.start()
        try:
            started = time.monotonic()
            attackers = []
            for _ in range(args.connections):
                connection = socket.create_connection(("127.0.0.1", server.port), timeout=120)
                connection.sendall(b"POST /v1/calls HTTP/1.1\r\nHost: x\r\nContent-Type: appl")
                attackers.append(connection)
            call = {"unique_id": "bench-1", "from_number": "090-1111-2222", "to_number": "03-1234-5678",
                    "started_at": "2024-04-01 09:00:00"}
            answer = requests.post(server.url, data=json.dumps(call), timeout=10, headers={
                "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
            served = time.monotonic() - started
            for connection in attackers:
                connection.recv(1024)  # returns b"" once the server closed it
                connection.close()
            closed = time.monotonic() - started
        finally:
            server.stop()
            database.close()
    print(f"{args.connections} half-sent requests; a real POST answered {answer.status_code} after {served:.2f} s")
    print(f"all {args.connections} closed by the server after {closed:.2f} s (header deadline {HEADER_TIMEOUT_S:g} s)")


if __name__ == "__main__":
    main()
