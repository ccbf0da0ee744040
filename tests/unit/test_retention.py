"""Retention purge: old calls and jobs go, recent ones and in-flight jobs stay, in chunks."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from biztel_desk.services.context import AppContext
from biztel_desk.store.models import Call, LinkJob, LinkSetting
from biztel_desk.store.retention import purge

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)


def _add(context: AppContext, days_ago: float, state: str = "linked", count: int = 1) -> None:
    with context.database.begin() as session:
        setting = session.scalars(select(LinkSetting)).first()
        assert setting is not None
        for index in range(count):
            call = Call(
                unique_id=f"{days_ago}-{state}-{index}",
                direction="inbound",
                started_at=NOW - dt.timedelta(days=days_ago),
            )
            session.add(call)
            session.flush()
            session.add(LinkJob(call_id=call.id, setting_id=setting.id, state=state))


def _count(context: AppContext, model: type) -> int:
    with context.database.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_purge_respects_retention_and_in_flight_jobs(context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    context.config.save_system({"retention_days": 30})
    _add(context, 31, count=25)
    _add(context, 29, count=3)
    for state in ("sending", "pending", "held", "retrying"):
        _add(context, 40, state=state)  # not finished: kept however old
    _add(context, 40, state="failed")
    _add(context, 40, state="skipped")
    result = purge(context.database, now=NOW, chunk=7)
    assert (result.calls, result.jobs) == (27, 27)
    assert _count(context, Call) == 7 and _count(context, LinkJob) == 7


def test_purge_with_default_90_days(context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    _add(context, 91)
    _add(context, 89)
    assert purge(context.database, now=NOW).calls == 1
    assert _count(context, Call) == 1


def test_purge_can_be_stopped(context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    _add(context, 200, count=10)
    assert purge(context.database, now=NOW, chunk=3, should_stop=lambda: True).calls == 0
    assert _count(context, Call) == 10


def test_a_task_update_in_flight_or_waiting_is_kept(context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    context.config.save_system({"retention_days": 30})
    for state in ("update_pending", "update_sending"):
        _add(context, 40, state=state)  # a late leg changed the call: its Task still has to be updated
    _add(context, 40, state="updated")
    result = purge(context.database, now=NOW)
    assert (result.calls, result.jobs) == (1, 1)
    assert _count(context, LinkJob) == 2
