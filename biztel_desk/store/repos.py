"""Repositories: read and write configuration rows as plain domain data. They never commit."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, selectinload

from biztel_desk.domain import phone
from biztel_desk.domain.config import (
    OPTIONS_BY_KEY,
    AccountConfig,
    LinkObjectConfig,
    LinkSettingConfig,
    LinkStatus,
    LinkTargetConfig,
    SystemSettings,
)
from biztel_desk.store.models import (
    Account,
    LinkJob,
    LinkObject,
    LinkSetting,
    LinkTarget,
    SystemValue,
    utcnow,
)

# --- accounts --------------------------------------------------------------------------------------------


def account_config(row: Account) -> AccountConfig:
    return AccountConfig(
        name=row.name,
        auth_method=row.auth_method,
        username=row.username,
        login_host=row.login_host,
        api_version=row.api_version,
        consumer_key=row.consumer_key,
    )


def list_accounts(session: Session) -> list[AccountConfig]:
    return [account_config(row) for row in session.scalars(select(Account).order_by(Account.name))]


def account_names(session: Session) -> set[str]:
    return set(session.scalars(select(Account.name)))


def find_account(session: Session, name: str) -> Account | None:
    return session.scalar(select(Account).where(Account.name == name))


def upsert_account(session: Session, config: AccountConfig, original_name: str | None = None) -> Account:
    row = find_account(session, original_name or config.name)
    if row is None:
        row = Account(name=config.name)
        session.add(row)
    row.name = config.name
    row.auth_method = config.auth_method
    row.username = config.username
    row.login_host = config.login_host
    row.api_version = config.api_version
    row.consumer_key = config.consumer_key
    session.flush()
    return row


def settings_using_account(session: Session, name: str) -> list[str]:
    return list(
        session.scalars(
            select(LinkSetting.name).join(Account, LinkSetting.account_id == Account.id).where(Account.name == name)
        )
    )


def delete_account(session: Session, name: str) -> None:
    session.execute(delete(Account).where(Account.name == name))


# --- link settings ---------------------------------------------------------------------------------------


def setting_config(row: LinkSetting) -> LinkSettingConfig:
    return LinkSettingConfig(
        name=row.name,
        account=row.account.name,
        fallback_record_id=row.fallback_record_id,
        api_consent=row.api_consent,
        memo=row.memo,
        on_multiple_match=row.on_multiple_match,
        on_no_match=row.on_no_match,
        activity_mode=row.activity_mode,
        status=row.status,
        on_unanswered=row.on_unanswered,
        objects=tuple(
            LinkObjectConfig(o.api_name, o.tab_name, o.tab_code, o.priority)
            for o in sorted(row.objects, key=lambda o: o.priority)
        ),
        targets=tuple(
            LinkTargetConfig(t.number, t.enabled, t.default_outbound, tuple(t.aliases or ())) for t in row.targets
        ),
    )


def _settings_query() -> Any:
    return select(LinkSetting).options(
        selectinload(LinkSetting.objects), selectinload(LinkSetting.targets), selectinload(LinkSetting.account)
    )


def list_settings(session: Session) -> list[LinkSettingConfig]:
    return [setting_config(row) for row in session.scalars(_settings_query().order_by(LinkSetting.id))]


def setting_names(session: Session) -> list[str]:
    return list(session.scalars(select(LinkSetting.name).order_by(LinkSetting.id)))


def find_setting(session: Session, name: str) -> LinkSetting | None:
    return session.scalar(_settings_query().where(LinkSetting.name == name))


def upsert_setting_basic(
    session: Session, config: LinkSettingConfig, original_name: str | None = None, region: str = "JP"
) -> LinkSetting:
    """Write the 基本情報 fields (not the objects or targets); a new setting gets the given objects/targets."""
    account = find_account(session, config.account)
    if account is None:
        raise LookupError(config.account)
    row = find_setting(session, original_name or config.name)
    is_new = row is None
    if row is None:
        row = LinkSetting(name=config.name, account=account, fallback_record_id=config.fallback_record_id)
        session.add(row)
    row.name = config.name
    row.account = account
    row.fallback_record_id = config.fallback_record_id
    row.api_consent = config.api_consent
    row.memo = config.memo
    row.on_multiple_match = config.on_multiple_match
    row.on_no_match = config.on_no_match
    row.activity_mode = config.activity_mode
    row.on_unanswered = config.on_unanswered
    if row.status != config.status:
        row.status = config.status
        row.status_changed_at = utcnow()
    session.flush()
    if is_new:
        replace_objects(session, row, config.objects)
        replace_targets(session, row, config.targets, region=region)
    return row


def replace_objects(session: Session, row: LinkSetting, objects: tuple[LinkObjectConfig, ...] | list[LinkObjectConfig]) -> None:
    row.objects.clear()
    session.flush()  # the unique (setting, priority) constraint must not see old and new rows together
    for obj in objects:
        row.objects.append(LinkObject(api_name=obj.api_name, tab_name=obj.tab_name, tab_code=obj.tab_code, priority=obj.priority))
    session.flush()


def replace_targets(session: Session, row: LinkSetting, targets: tuple[LinkTargetConfig, ...] | list[LinkTargetConfig], region: str) -> None:
    discovered = {t.e164: t.discovered for t in row.targets}
    row.targets.clear()
    session.flush()
    for target in targets:
        e164 = phone.normalize(target.number, region)
        if e164 is None:
            raise ValueError("target numbers must be validated before they are stored")
        row.targets.append(
            LinkTarget(
                number=target.number,
                e164=e164,
                enabled=target.enabled,
                default_outbound=target.default_outbound,
                discovered=discovered.get(e164, False),
                aliases=list(target.aliases),
            )
        )
    session.flush()


def delete_setting(session: Session, name: str) -> None:
    row = find_setting(session, name)
    if row is not None:
        session.delete(row)
        session.flush()


def set_status(session: Session, row: LinkSetting, status: LinkStatus) -> None:
    """Change the status; paused → enabled releases held jobs (SPEC §5), in the same transaction."""
    if row.status == status:
        return
    if status == LinkStatus.ENABLED:
        session.execute(
            update(LinkJob)
            .where(LinkJob.setting_id == row.id, LinkJob.state == "held")
            .values(state="pending", updated_at=utcnow())
        )
    row.status = status.value
    row.status_changed_at = utcnow()
    session.flush()


def job_counts(session: Session, setting_id: int) -> dict[str, int]:
    rows = session.execute(
        select(LinkJob.state, func.count()).where(LinkJob.setting_id == setting_id).group_by(LinkJob.state)
    )
    return {state: count for state, count in rows}


# --- system settings and preferences ---------------------------------------------------------------------


def load_system(session: Session) -> SystemSettings:
    values = {
        row.key: row.value
        for row in session.scalars(select(SystemValue).where(SystemValue.key.in_(list(OPTIONS_BY_KEY))))
    }
    return replace(SystemSettings(), **values)


def save_system(session: Session, settings: SystemSettings) -> None:
    for key, value in settings.as_dict().items():
        session.merge(SystemValue(key=key, value=value))
    session.flush()


def get_preference(session: Session, key: str, default: Any = None) -> Any:
    row = session.get(SystemValue, f"pref.{key}")
    return default if row is None else row.value


def set_preference(session: Session, key: str, value: Any) -> None:
    session.merge(SystemValue(key=f"pref.{key}", value=value))
    session.flush()


def now() -> dt.datetime:
    return utcnow()
