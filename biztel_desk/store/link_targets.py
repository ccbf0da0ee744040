"""Which link target a stored call is on (by number or alias), and what its job is: linked or 対象外 and why.

Used when calls are stored (``store.calls.add_calls``), to list the company numbers no target knows
(未登録の番号), and to link past calls after a number was ticked, an alias added or a 既定の発信番号 set.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, and_, func, or_, select, true, update
from sqlalchemy.orm import Session

from biztel_desk.domain import phone
from biztel_desk.domain.call import Direction
from biztel_desk.domain.config import OnUnanswered, alias_key, is_unanswered
from biztel_desk.domain.jobs import ExcludeReason, JobState, initial_job_state
from biztel_desk.store.db import dialect_insert
from biztel_desk.store.models import Call, LinkJob, LinkSetting, LinkTarget, utcnow

JOBS: Table = LinkJob.__table__  # type: ignore[assignment]
# Relink reads calls in slices of this many rows (a year of a busy PBX stays a few MB per slice).
RELINK_CHUNK = 2000


@dataclass(frozen=True)
class SettingTargets:
    """What job creation needs of one link setting, read once per batch."""

    id: int
    name: str
    state: JobState | None  # the state of a new job that will be linked; None = disabled (no job at all)
    enabled_targets: frozenset[str]
    all_targets: frozenset[str]
    default_outbound: str | None  # E.164 of the 既定の発信番号 (ticked or not), if any
    aliases: Mapping[str, str]  # alias_key(alias) → the target's E.164
    on_unanswered: str = OnUnanswered.LINK.value


def load_settings(session: Session, setting_id: int | None = None) -> list[SettingTargets]:
    targets: dict[int, list[tuple[str, bool, bool, list[str] | None]]] = {}
    query = select(LinkTarget.setting_id, LinkTarget.e164, LinkTarget.enabled, LinkTarget.default_outbound,
                   LinkTarget.aliases)
    if setting_id is not None:
        query = query.where(LinkTarget.setting_id == setting_id)
    for row_setting, e164, enabled, default_outbound, aliases in session.execute(query):
        targets.setdefault(row_setting, []).append((e164, enabled, default_outbound, aliases))
    settings_query = select(LinkSetting.id, LinkSetting.name, LinkSetting.status, LinkSetting.on_unanswered)
    if setting_id is not None:
        settings_query = settings_query.where(LinkSetting.id == setting_id)
    settings = []
    for row_setting, name, status, on_unanswered in session.execute(settings_query.order_by(LinkSetting.id)):
        rows = targets.get(row_setting, [])
        settings.append(
            SettingTargets(
                id=row_setting,
                name=name,
                state=initial_job_state(status),
                enabled_targets=frozenset(e for e, enabled, _, _ in rows if enabled),
                all_targets=frozenset(e for e, _, _, _ in rows),
                default_outbound=next((e for e, _, default, _ in rows if default), None),
                aliases={alias_key(alias): e for e, _, _, aliases in rows for alias in (aliases or ())},
                on_unanswered=on_unanswered or OnUnanswered.LINK.value,
            )
        )
    return settings


@functools.lru_cache(maxsize=4096)
def _discoverable(e164: str) -> bool:
    return phone.is_valid(e164)


def target_of(setting: SettingTargets, direction: str, company_e164: str | None, company_number: str) -> tuple[str | None, ExcludeReason | None]:
    """(the target's E.164, None), or (None, why no target): the company side matched by number, then by alias.

    An outbound call whose company side is not a number (the source did not record the caller ID, or wrote an
    extension or a trunk name no alias names) is on the setting's 既定の発信番号.
    """
    if direction == Direction.INTERNAL:
        return None, ExcludeReason.INTERNAL
    if company_e164 is not None and company_e164 in setting.all_targets:
        return company_e164, None
    if company_number:
        aliased = setting.aliases.get(alias_key(company_number))
        if aliased is not None:
            return aliased, None
    if company_e164 is not None and _discoverable(company_e164):
        # A real number not listed yet: it becomes an unchecked target (discovered) with this very import.
        return company_e164, None
    if direction == Direction.OUTBOUND:
        if setting.default_outbound is None:
            return None, ExcludeReason.NO_DEFAULT_OUTBOUND
        return setting.default_outbound, None
    return None, ExcludeReason.UNKNOWN_NUMBER


def job_state_for(setting: SettingTargets, row: Mapping[str, Any]) -> tuple[JobState, ExcludeReason | None] | None:
    """The state of a new job of ``row`` (calls-table values) for ``setting`` and, when excluded, why.

    None when the setting is disabled: no job at all, as before (SPEC §5).
    """
    if setting.state is None:
        return None
    target, reason = target_of(setting, row["direction"], row["company_e164"], row.get("company_number") or "")
    if reason is not None:
        return JobState.EXCLUDED, reason
    if target not in setting.enabled_targets:
        return JobState.EXCLUDED, ExcludeReason.NUMBER_UNCHECKED
    if setting.on_unanswered == OnUnanswered.SKIP and is_unanswered(row.get("disposition") or ""):
        return JobState.EXCLUDED, ExcludeReason.UNANSWERED
    return setting.state, None


# --- 未登録の番号 ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnknownNumber:
    """A company side no target and no alias of a setting names, as the PBX wrote it, with its call count."""

    number: str
    calls: int
    last_started_at: dt.datetime | None = None


def last_call_id(session: Session) -> int:
    """The highest calls.id so far: the calls one import adds are those above it (a primary-key range)."""
    return int(session.scalar(select(func.max(Call.id))) or 0)


def unknown_numbers(session: Session, since: dt.datetime | None = None, after_call_id: int | None = None) -> dict[str, list[UnknownNumber]]:
    """Setting name → the company numbers of stored calls that match no target and no alias, most calls first.

    ``since`` limits by call start, ``after_call_id`` to the calls stored after it (what one import brought).
    """
    query = select(
        Call.direction, Call.company_number, Call.company_e164, func.count(), func.max(Call.started_at)
    ).where(Call.direction != Direction.INTERNAL.value)
    if since is not None:
        query = query.where(Call.started_at >= since)
    if after_call_id is not None:
        query = query.where(Call.id > after_call_id)
    groups = list(session.execute(query.group_by(Call.direction, Call.company_number, Call.company_e164)))
    result: dict[str, list[UnknownNumber]] = {}
    for setting in load_settings(session):
        counts: Counter[str] = Counter()
        last: dict[str, dt.datetime] = {}
        for direction, number, e164, count, latest in groups:
            _, reason = target_of(setting, direction, e164, number or "")
            if reason != ExcludeReason.UNKNOWN_NUMBER:
                continue
            shown = (number or "").strip()
            counts[shown] += count
            if latest is not None:
                latest = latest if latest.tzinfo else latest.replace(tzinfo=dt.UTC)
                last[shown] = max(last.get(shown, latest), latest)
        if counts:
            result[setting.name] = [
                UnknownNumber(number, count, last.get(number))
                for number, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
            ]
    return result


# --- relink ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RelinkResult:
    jobs: int  # excluded jobs now waiting (or held), plus jobs created for calls stored without one
    state: str  # pending | held


def relink(
    session: Session,
    setting_id: int,
    started_from: dt.datetime,
    numbers: Iterable[str] | None = None,
    dry_run: bool = False,
) -> RelinkResult:
    """Give the past calls that would be linked now (their number ticked, aliased or the 既定の発信番号) a job.

    Only calls started at ``started_from`` or later, with no job of this setting or an excluded one, are
    touched; ``numbers`` (E.164) keeps those on these targets. An excluded job becomes pending (held when the
    setting is paused) with a compare-and-set on its state, and a new job is inserted only where none exists,
    so running it twice, or while the engine runs, links each call once. Never commits.
    """
    settings = load_settings(session, setting_id)
    if not settings or settings[0].state is None:
        return RelinkResult(0, "")
    setting = settings[0]
    state = setting.state
    assert state is not None
    wanted = frozenset(numbers) if numbers is not None else None
    now = utcnow()
    changed = 0
    last_id = 0
    while True:
        rows = list(
            session.execute(
                select(Call.id, Call.direction, Call.company_e164, Call.company_number, Call.disposition,
                       LinkJob.id, LinkJob.state)
                .outerjoin(LinkJob, and_(LinkJob.call_id == Call.id, LinkJob.setting_id == setting.id))
                .where(Call.id > last_id, Call.started_at >= started_from,
                       Call.direction != Direction.INTERNAL.value,
                       or_(LinkJob.id.is_(None), LinkJob.state == JobState.EXCLUDED.value),
                       # On other real numbers a call cannot be on the wanted ones (aliases have no E.164 form).
                       true() if wanted is None else or_(Call.company_e164.is_(None), Call.company_e164.in_(wanted)))
                .order_by(Call.id)
                .limit(RELINK_CHUNK)
            )
        )
        if not rows:
            break
        last_id = rows[-1][0]
        to_update: list[int] = []
        to_insert: list[int] = []
        for call_id, direction, e164, number, disposition, job_id, _ in rows:
            row = {"direction": direction, "company_e164": e164, "company_number": number, "disposition": disposition}
            decided = job_state_for(setting, row)
            if decided is None or decided[0] == JobState.EXCLUDED:
                continue
            if wanted is not None:
                target, _ = target_of(setting, direction, e164, number or "")
                if target not in wanted:
                    continue
            (to_update if job_id is not None else to_insert).append(job_id if job_id is not None else call_id)
        if dry_run:
            changed += len(to_update) + len(to_insert)
            continue
        for start in range(0, len(to_update), 500):
            ids = to_update[start : start + 500]
            result = session.execute(
                update(LinkJob)
                .where(LinkJob.id.in_(ids), LinkJob.state == JobState.EXCLUDED.value)
                .values(state=state.value, error_code="", error_message="", updated_at=now)
            )
            changed += int(getattr(result, "rowcount", 0) or 0)
        if to_insert:
            statement = dialect_insert(session, JOBS).on_conflict_do_nothing(index_elements=["call_id", "setting_id"])
            inserted = session.execute(
                statement.returning(JOBS.c.id),
                [{"call_id": call_id, "setting_id": setting.id, "state": state.value, "retry_count": 0,
                  "match_reason": "", "error_code": "", "error_message": "", "created_at": now, "updated_at": now}
                 for call_id in to_insert],
            )
            changed += len(list(inserted))
    return RelinkResult(changed, state.value)
