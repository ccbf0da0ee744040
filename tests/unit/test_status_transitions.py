"""SPEC §5 transitions, through the service and the database: which calls get jobs and when they are released."""

from __future__ import annotations

import datetime as dt

import pytest

from biztel_desk.domain.config import LinkStatus
from biztel_desk.domain.jobs import JobState, initial_job_state
from biztel_desk.domain.messages import ProblemsError
from biztel_desk.services.context import AppContext
from biztel_desk.store.models import Call, LinkJob, LinkSetting


@pytest.mark.parametrize(
    ("status", "state"),
    [("enabled", JobState.PENDING), ("paused", JobState.HELD), ("disabled", None)],
)
def test_initial_job_state(status: str, state: JobState | None) -> None:
    assert initial_job_state(status) == state


def _job(context: AppContext, setting: str, state: JobState, unique_id: str) -> None:
    with context.database.begin() as session:
        row = session.query(LinkSetting).filter_by(name=setting).one()
        call = Call(unique_id=unique_id, direction="inbound", started_at=dt.datetime.now(dt.UTC))
        session.add(call)
        session.flush()
        session.add(LinkJob(call_id=call.id, setting_id=row.id, state=state.value))


def _states(context: AppContext) -> dict[str, str]:
    with context.database.read() as session:
        return {job.call.unique_id: job.state for job in session.query(LinkJob)}


def test_paused_then_enabled_releases_held_jobs(context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(status="paused")
    _job(context, "本社", JobState.HELD, "held-1")
    context.config.set_status("本社", LinkStatus.DISABLED)
    assert _states(context) == {"held-1": "held"}  # paused→disabled keeps what was held
    context.config.set_status("本社", LinkStatus.ENABLED)
    assert _states(context) == {"held-1": "pending"}  # …and disabled→enabled still sends it


def test_status_change_survives_restart(context: AppContext, make_setting, database) -> None:  # type: ignore[no-untyped-def]
    make_setting()
    context.config.set_status("本社", "paused")
    from biztel_desk.services.context import AppContext as Fresh

    again = Fresh(database=type(database).open(url=database.url), secrets=context.secrets)
    try:
        assert again.config.get_setting("本社").status == "paused"  # type: ignore[union-attr]
    finally:
        again.close()


def test_enabled_refused_without_consent(context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(api_consent=False, status="disabled")
    with pytest.raises(ProblemsError) as caught:
        context.config.set_status("本社", "enabled")
    assert caught.value.problems[0].code == "consent_required"
    assert context.config.get_setting("本社").status == "disabled"  # type: ignore[union-attr]
