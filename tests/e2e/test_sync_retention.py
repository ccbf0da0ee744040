"""A long-running headless ``biztel-desk sync`` purges history older than 履歴保持期間 at start-up."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from helpers.dbswitch import open_database
from sqlalchemy import func, select

from biztel_desk.store.models import Call


def _count(data_dir: Path) -> int:
    database = open_database(data_dir)
    try:
        with database.read() as session:
            return int(session.scalar(select(func.count()).select_from(Call)) or 0)
    finally:
        database.close()


def test_headless_sync_purges_old_calls_at_start_up(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    database = open_database(data_dir)
    with database.begin() as session:
        now = dt.datetime.now(dt.UTC)
        session.add(Call(unique_id="old", direction="inbound", started_at=now - dt.timedelta(days=120)))
        session.add(Call(unique_id="recent", direction="inbound", started_at=now - dt.timedelta(days=3)))
    database.close()

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    process = subprocess.Popen([sys.executable, "-m", "biztel_desk", "--data-dir", str(data_dir), "--lang", "en", "sync"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while _count(data_dir) != 1 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
        assert _count(data_dir) == 1  # the 120-day-old call is gone (default retention 90 days), the recent one stays
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
