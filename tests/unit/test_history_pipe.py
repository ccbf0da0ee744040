"""``biztel-desk history | head``: a reader that stops early ends the command quietly, with exit code 0."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from biztel_desk.cli.history_cmd import _silence
from biztel_desk.services.context import AppContext
from biztel_desk.store.models import Call, LinkJob, LinkSetting

ROWS = 3000  # far more than a pipe buffers (64 KiB), so the writer meets the closed pipe


@pytest.fixture
def many(context: AppContext, make_setting) -> AppContext:  # type: ignore[no-untyped-def]
    make_setting()
    context.config.save_system({"time_zone": "Asia/Tokyo"})
    began = dt.datetime(2025, 6, 1, 1, tzinfo=dt.UTC)
    with context.database.begin() as session:
        setting_id = session.scalar(select(LinkSetting.id).where(LinkSetting.name == "本社"))
        calls = [
            Call(unique_id=f"u{i}", direction="inbound", from_number=f"090-2222-{i:04d}", to_number="03-1234-5678",
                 to_extension="201", started_at=began + dt.timedelta(minutes=i))
            for i in range(ROWS)
        ]
        session.add_all(calls)
        session.flush()
        session.add_all(LinkJob(call_id=call.id, setting_id=setting_id, state="pending") for call in calls)
    return context


@pytest.mark.parametrize("output", ["table", "csv", "json"])
def test_a_reader_that_stops_early_ends_the_command_quietly(many: AppContext, output: str) -> None:
    environment = dict(os.environ, PYTHONIOENCODING="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "biztel_desk", "--data-dir", str(many.data_dir), "--lang", "en", "history",
         "--format", output],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment,
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline()  # what `head -1` reads …
    process.stdout.close()  # … before it exits
    errors = process.stderr.read().decode("utf-8")
    assert process.wait(timeout=60) == 0, errors
    assert "Traceback" not in errors and "BrokenPipeError" not in errors and "Exception ignored" not in errors


def test_silencing_a_stream_that_is_not_a_file_does_nothing() -> None:
    stream = io.StringIO("kept")
    _silence(stream)
    assert stream.getvalue() == "kept"
