"""Faults at run time against a real ``biztel-desk sync`` process: a database lock held for longer than SQLite's
busy timeout is retried (the worker, the HTTP endpoint and linking go on), a fault that ends the worker ends the
process with a non-zero exit code so a service manager restarts it, and both are written to the log."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import sqlite3
import stat
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from conftest import COMPANY, org_client
from helpers.wait import wait_for
from test_crash import _env, _linked, _prepare, _sync
from test_ingest_sources import free_port

from biztel_desk.devorg.server import DevOrg
from biztel_desk.ingest import http as ingest_http
from biztel_desk.ingest.http import HttpIngestConfig
from biztel_desk.secrets import SecretStore
from biztel_desk.services.ingest_sources import save_settings
from biztel_desk.store.db import DB_FILENAME, Database


@contextmanager
def _file_keyring() -> Iterator[SecretStore]:
    """The test keyring the subprocess reads (BIZTEL_TEST_KEYRING), for this process too while the block runs."""
    import keyring
    from file_keyring import FileKeyring

    previous = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    try:
        yield SecretStore()
    finally:
        keyring.set_keyring(previous)


class Lines:
    """The stderr of a process, line by line, read by a thread (the pipe never fills)."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        assert process.stderr is not None
        self._thread = threading.Thread(target=self._read, args=(process.stderr,), daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:  # type: ignore[no-untyped-def]
        for line in stream:
            self.lines.append(line)

    @property
    def text(self) -> str:
        return "".join(self.lines)

    def join(self) -> None:
        self._thread.join(10)


@pytest.mark.sqlite_only("the lock is SQLite's write lock (BEGIN IMMEDIATE through sqlite3)")
def test_sync_survives_a_database_lock_held_over_10_s_and_links_afterwards(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir = tmp_path / "data"
    env = _env(tmp_path)
    monkeypatch.setenv("BIZTEL_TEST_KEYRING", env["BIZTEL_TEST_KEYRING"])
    port = free_port()
    with DevOrg(seed="demo", records=300) as org:
        unique_ids = _prepare(org, data_dir, random.Random(5), calls=3)
        database = Database.open(directory=data_dir)
        try:
            with _file_keyring() as secrets:
                save_settings(database, http=HttpIngestConfig(enabled=True, port=port))
                token = str(ingest_http.generate_token(secrets))
        finally:
            database.close()
        process = _sync(data_dir, env)
        stderr = Lines(process)
        try:
            wait_for(lambda: _linked(data_dir) == 3, 60, "the first calls to be linked")
            # Another program takes the write lock and keeps it for 13 s, longer than SQLite's 10 s busy timeout.
            lock = sqlite3.connect(data_dir / DB_FILENAME, timeout=30, isolation_level=None)
            lock.execute("BEGIN IMMEDIATE")
            held_since = time.monotonic()
            wait_for(lambda: "locked by another program" in stderr.text, 20, "the worker to report the lock")
            assert process.poll() is None, stderr.text
            # The HTTP endpoint is not taken down by the fault either.
            assert requests.get(f"http://127.0.0.1:{port}/v1/health", timeout=5).json() == {"status": "ok"}
            time.sleep(max(0.0, 13 - (time.monotonic() - held_since)))
            lock.execute("COMMIT")
            lock.close()

            started = (dt.datetime.now() - dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")
            call = {"unique_id": "after-lock-1", "from_number": "090-1111-2222", "to_number": COMPANY,
                    "started_at": started, "duration_s": 60}
            answer = requests.post(f"http://127.0.0.1:{port}/v1/calls", json=call, timeout=30,
                                   headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code in (200, 201), answer.text
            wait_for(lambda: _linked(data_dir) == 4, 90, "the call posted after the lock to be linked")
            assert process.poll() is None, stderr.text
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            out, _ = process.communicate(timeout=60)
            stderr.join()
        assert process.returncode == 0, stderr.text
        assert "linked\t4\n" in out
        tasks = org_client(org).query_all("SELECT CallObject FROM Task")["records"]
        per_call = [t["CallObject"] for t in tasks if t["CallObject"] in {*unique_ids, "after-lock-1"}]
        assert sorted(per_call) == sorted([*unique_ids, "after-lock-1"])  # each once: the retry sent nothing twice

    # What the user read, and the log it would point at.
    assert "Trying again automatically in" in stderr.text
    log = data_dir / "logs" / "biztel-desk.log"
    assert "link worker: locked (retry 1" in log.read_text(encoding="utf-8")
    if os.name == "posix":
        assert stat.S_IMODE(log.stat().st_mode) == 0o600


@pytest.mark.sqlite_only("the fault is a table dropped through sqlite3")
def test_sync_exits_non_zero_when_a_fault_ends_the_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir = tmp_path / "data"
    env = _env(tmp_path)
    monkeypatch.setenv("BIZTEL_TEST_KEYRING", env["BIZTEL_TEST_KEYRING"])
    with DevOrg(seed="demo", records=300) as org:
        _prepare(org, data_dir, random.Random(6), calls=2)
        process = _sync(data_dir, env)
        stderr = Lines(process)
        try:
            wait_for(lambda: _linked(data_dir) == 2, 60, "the calls to be linked")
            # A table vanishes under the running worker (a bad restore, a tool run against the file): not transient.
            damage = sqlite3.connect(data_dir / DB_FILENAME, timeout=30, isolation_level=None)
            damage.execute("DROP TABLE link_leases")
            damage.close()
            process.wait(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
            process.communicate(timeout=30)
            stderr.join()
    # Not 0: systemd's Restart=on-failure (or any service manager) starts it again.
    assert process.returncode == 3, stderr.text
    log = data_dir / "logs" / "biztel-desk.log"
    assert f"See the log: {log}" in stderr.text
    assert "no such table: link_leases" in log.read_text(encoding="utf-8")
    assert "Traceback" in log.read_text(encoding="utf-8")
