"""The Housekeeper purges old history at start-up and again on its schedule, and stops promptly."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from sqlalchemy import func, select

from biztel_desk.services.context import AppContext
from biztel_desk.services.housekeeping import Housekeeper
from biztel_desk.store.models import Call


def _old_call(context: AppContext, unique_id: str) -> None:
    with context.database.begin() as session:
        session.add(Call(unique_id=unique_id, direction="inbound", started_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=200)))


def _calls(context: AppContext) -> int:
    with context.database.read() as session:
        return int(session.scalar(select(func.count()).select_from(Call)) or 0)


def _wait(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_purges_at_start_and_on_schedule(context: AppContext) -> None:
    _old_call(context, "old-1")
    keeper = Housekeeper(context.database, interval_s=0.3)
    keeper.start()
    try:
        assert _wait(lambda: _calls(context) == 0), "start-up purge did not run"
        _old_call(context, "old-2")
        assert _wait(lambda: _calls(context) == 0), "the scheduled purge did not run"
    finally:
        began = time.monotonic()
        keeper.stop()
        assert time.monotonic() - began < 2
    assert keeper.last_result is not None and keeper.last_result.calls >= 1
