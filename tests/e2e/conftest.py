"""Link engine fixtures: one demo dev org per session, settings pointing at it, calls + jobs through the store."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from helpers.org_profile import org_client
from helpers.shared_org import reset_if_used
from simple_salesforce import Salesforce
from sqlalchemy import select

from biztel_desk.devorg.server import DevOrg
from biztel_desk.domain.call import CallRecord
from biztel_desk.domain.config import AccountConfig, LinkSettingConfig, LinkTargetConfig, SecretKind
from biztel_desk.engine.linker import EngineOptions, LinkEngine, StepResult
from biztel_desk.services.context import AppContext
from biztel_desk.store import calls as store_calls
from biztel_desk.store.models import Call, LinkJob

COMPANY = "03-1234-5678"
LINK_ORG_RECORDS = 300


@pytest.fixture(scope="session")
def link_org() -> Iterator[DevOrg]:
    with DevOrg(seed="demo", records=LINK_ORG_RECORDS) as org:
        yield org


@pytest.fixture(autouse=True)
def _clean_link_org(request: pytest.FixtureRequest) -> Iterator[None]:
    """Faults, latency and usage set by one test never leak into the next."""
    yield
    reset_if_used(request, "link_org")


@pytest.fixture(scope="session")
def link_sf(link_org: DevOrg) -> Salesforce:
    return org_client(link_org)


def fallback_account(sf: Salesforce) -> str:
    rows = sf.query("SELECT Id FROM Account WHERE Name = '登録情報なし'")["records"]
    return str(rows[0]["Id"]) if rows else str(sf.Account.create({"Name": "登録情報なし"})["id"])


def tasks_of(sf: Salesforce, unique_id: str) -> list[dict[str, Any]]:
    fields = ("Id, WhoId, WhatId, Subject, Status, TaskSubtype, CallType, CallDurationInSeconds, CallObject, "
              "ActivityDate, Description, B_ServerIP__c, B_UniqueId__c, B_PhoneTo__c, B_PhoneFrom__c, "
              "B_CallStartDateTime__c, B_CallEndDateTime__c, B_AgentIdTo__c, B_AgentIdFrom__c, B_NaisenTo__c, "
              "B_NaisenFrom__c")
    escaped = unique_id.replace("'", "\\'")
    return list(sf.query_all(f"SELECT {fields} FROM Task WHERE CallObject = '{escaped}'")["records"])


@dataclass
class LinkEnv:
    """An account + link setting on a dev org, and helpers to add calls and run the engine."""

    context: AppContext
    org: DevOrg
    sf: Salesforce
    setting: str
    fallback_id: str
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    options: EngineOptions = field(default_factory=lambda: EngineOptions(index_max_age_s=0, backoff_s=(60, 300)))
    _engine: LinkEngine | None = None

    def clock(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)

    @property
    def engine(self) -> LinkEngine:
        if self._engine is None:
            self._engine = LinkEngine(self.context.database, self.context.secrets, options=self.options,
                                      clock=self.clock)
        return self._engine

    def add_call(self, customer: str, *, direction: str = "inbound", unique_id: str | None = None,
                 started_at: dt.datetime | None = None, **extra: Any) -> str:
        unique_id = unique_id or f"test-{uuid.uuid4().hex[:16]}"
        start = started_at or dt.datetime(2024, 5, 1, 1, 0, tzinfo=dt.UTC)
        if direction == "inbound":
            record = CallRecord(unique_id=unique_id, from_number=customer, to_number=COMPANY, started_at=start,
                                direction="inbound", **extra)
        else:
            record = CallRecord(unique_id=unique_id, from_number="201", to_number=customer, started_at=start,
                                direction="outbound", presented_company_number=COMPANY, **extra)
        self.add_records([record])
        return unique_id

    def add_records(self, records: list[CallRecord]) -> None:
        with self.context.database.begin() as session:
            store_calls.add_calls(session, [r.finish() for r in records])

    def run(self, max_steps: int = 50) -> list[StepResult]:
        """Steps until nothing is due (or a step reports an error)."""
        results = []
        for _ in range(max_steps):
            result = self.engine.step(self.setting)
            results.append(result)
            if result.error is not None or result.paused or (not result.more and result.picked == 0):
                break
        return results

    def job(self, unique_id: str) -> LinkJob:
        with self.context.database.read() as session:
            job = session.scalar(
                select(LinkJob).join(Call, LinkJob.call_id == Call.id).where(Call.unique_id == unique_id)
            )
            assert job is not None, unique_id
            session.expunge(job)
            return job

    def tasks(self, unique_id: str) -> list[dict[str, Any]]:
        return tasks_of(self.sf, unique_id)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()


def account_for(org: DevOrg, name: str = "devorg") -> AccountConfig:
    return AccountConfig(name=name, username=org.credentials["username"], login_host=org.url)


def store_secrets(context: AppContext, org: DevOrg, name: str = "devorg") -> None:
    context.secrets.set_account_secret(name, SecretKind.PASSWORD, org.credentials["password"])
    context.secrets.set_account_secret(name, SecretKind.SECURITY_TOKEN, org.credentials["security_token"])


@pytest.fixture
def link_env(context: AppContext, link_org: DevOrg, link_sf: Salesforce) -> Iterator[Callable[..., LinkEnv]]:
    """Factory: ``make(**setting_changes)`` → a LinkEnv whose setting is enabled and points at the dev org."""
    made: list[LinkEnv] = []
    fallback = fallback_account(link_sf)

    def make(name: str = "本社", **changes: Any) -> LinkEnv:
        if context.config.get_account("devorg") is None:
            context.config.save_account(account_for(link_org))
            store_secrets(context, link_org)
        setting = LinkSettingConfig(name=name, account="devorg", fallback_record_id=fallback, api_consent=True,
                                    status="enabled", targets=(LinkTargetConfig(COMPANY),))
        context.config.save_basic(replace(setting, **changes))
        env = LinkEnv(context, link_org, link_sf, name, fallback)
        made.append(env)
        return env

    yield make
    for env in made:
        env.close()


# --- a fresh dev org per test (test_slow_salesforce, test_org_rules) ---------------------------------------------

# Writes give up after 0.4 s (the dev org's slow_commit holds them longer); unknown outcomes re-checked every 60 s.
FRESH_ORG_OPTIONS = EngineOptions(index_max_age_s=0, backoff_s=(60, 300), write_timeout_s=0.4, recheck_s=60)
EXTERNAL_ID_FIELD = {"type": "string", "length": 100, "label": "ユニーク ID", "externalId": True, "custom": True}


@pytest.fixture
def org_env(context: AppContext) -> Iterator[Callable[..., LinkEnv]]:
    """Factory: a fresh empty dev org (External ID on B_UniqueId__c or not) and an enabled setting on it."""
    made: list[tuple[DevOrg, LinkEnv]] = []

    def make(external_id: bool = False, **changes: Any) -> LinkEnv:
        org = DevOrg(seed="empty").start()
        if external_id:
            org.set_field("Task", EXTERNAL_ID_FIELD, "B_UniqueId__c")
        sf = org_client(org)
        context.config.save_account(account_for(org))
        store_secrets(context, org)
        fallback = fallback_account(sf)
        setting = LinkSettingConfig(name="遅延", account="devorg", fallback_record_id=fallback, api_consent=True,
                                    status="enabled", targets=(LinkTargetConfig(COMPANY),))
        context.config.save_basic(replace(setting, **changes))
        env = LinkEnv(context, org, sf, "遅延", fallback, options=FRESH_ORG_OPTIONS)
        made.append((org, env))
        return env

    yield make
    for org, env in made:
        env.close()
        org.stop()
