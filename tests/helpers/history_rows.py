"""Jobs for a history test's calls: the same spread of settings, states, retries and processing times everywhere."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from biztel_desk.domain.config import AccountConfig, LinkSettingConfig, LinkTargetConfig
from biztel_desk.services.config import ConfigService
from biztel_desk.store.models import Call, LinkJob, LinkSetting

STATES = ["linked", "linked", "failed", "retrying", "pending"]


def save_settings(config: ConfigService, *names: str) -> None:
    """The account "devorg" (no secrets) and a consented link setting per name (本社 when none) on 03-1234-5678: what
    a history test's jobs belong to."""
    config.save_account(AccountConfig(name="devorg", username="admin@example.com"))
    for name in names or ("本社",):
        config.save_basic(LinkSettingConfig(name=name, account="devorg", fallback_record_id="0012v000032fR15AAE",
                                            api_consent=True, targets=(LinkTargetConfig("03-1234-5678"),)))


def add_jobs(session: Session, calls: Sequence[Call]) -> None:
    """One job per (flushed) call: every tenth for the setting 支店, the others for 本社; states cycle through
    STATES, retry counts through 0..3; two calls in three processed a minute after they started."""
    ids = dict(session.execute(select(LinkSetting.name, LinkSetting.id)).all())
    session.add_all(
        LinkJob(call_id=call.id, setting_id=ids["本社" if i % 10 else "支店"], state=STATES[i % 5],
                retry_count=i % 4, processed_at=call.started_at + dt.timedelta(minutes=1) if i % 3 else None)
        for i, call in enumerate(calls)
    )
