"""The link engine against the dev org over real HTTP: Tasks read back, every policy, Case mode, status, faults."""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from conftest import COMPANY, LinkEnv, account_for, fallback_account, org_client, store_secrets, tasks_of
from helpers.wait import wait_for
from sqlalchemy import select

from biztel_desk.devorg.seed_data import unknown_numbers
from biztel_desk.devorg.server import DevOrg
from biztel_desk.domain import phone
from biztel_desk.domain.config import LinkObjectConfig
from biztel_desk.domain.matching import Reason
from biztel_desk.engine.linker import EngineOptions
from biztel_desk.engine.worker import LinkWorker, WorkerState, WorkerStatus
from biztel_desk.salesforce.gateway import SalesforceGateway
from biztel_desk.services.context import AppContext
from biztel_desk.store.models import Call, LinkJob, LinkSetting

_rng = random.Random(20240501)


def new_number() -> str:
    """A number no seed record (and no earlier test) holds."""
    return unknown_numbers(1, _rng.randrange(10**12), set())[0]


def drain(env: LinkEnv, rounds: int = 10) -> None:
    """Run the engine until nothing is due, moving the clock past every backoff in between."""
    for _ in range(rounds):
        env.run()
        env.advance(hours=2)
    env.run()


def only_task(env: LinkEnv, unique_id: str) -> dict[str, Any]:
    tasks = env.tasks(unique_id)
    assert len(tasks) == 1, tasks
    return tasks[0]


# --- Tasks as Salesforce holds them --------------------------------------------------------------------------


def test_task_fields_read_back(link_env: Callable[..., LinkEnv], context: AppContext) -> None:
    context.config.save_system({"time_zone": "Asia/Tokyo", "recording_server_url": "https://s0000.u.biztel.jp:8000"})
    env = link_env()
    number = new_number()
    contact = env.sf.Contact.create({"LastName": "山田", "Phone": number})["id"]
    account_number = new_number()
    account = env.sf.Account.create({"Name": "株式会社テスト", "Phone": account_number})["id"]
    # 15:30 UTC on 1 May is 00:30 on 2 May in Tokyo: ActivityDate must be the Tokyo date.
    start = dt.datetime(2024, 5, 1, 15, 30, tzinfo=dt.UTC)
    inbound = env.add_call(number, started_at=start, ended_at=start + dt.timedelta(seconds=125), duration_s=125,
                           request_id="req-1", to_agent_id="agent-0001", to_extension="201",
                           recording_server_url="https://s0001.u.biztel.jp:8000")
    outbound = env.add_call(account_number, direction="outbound", started_at=start - dt.timedelta(hours=8),
                            from_agent_id="agent-0002", from_extension="202", duration_s=30)
    env.run()

    task = only_task(env, inbound)
    assert task["WhoId"] == contact and task["WhatId"] is None
    assert task["Subject"] == f"着信 {phone.national_format(phone.normalize(number) or '')}"
    assert (task["Status"], task["TaskSubtype"], task["CallType"]) == ("Completed", "Call", "Inbound")
    assert task["CallDurationInSeconds"] == 125 and task["CallObject"] == inbound
    assert task["ActivityDate"] == "2024-05-02"
    assert task["B_ServerIP__c"] == "https://s0001.u.biztel.jp:8000"
    assert task["B_UniqueId__c"] == inbound  # URL playback: the unique ID
    assert task["B_PhoneFrom__c"] == number and task["B_PhoneTo__c"] == COMPANY
    assert task["B_CallStartDateTime__c"].startswith("2024-05-01T15:30:00")
    assert task["B_CallEndDateTime__c"].startswith("2024-05-01T15:32:05")
    assert (task["B_AgentIdTo__c"], task["B_NaisenTo__c"]) == ("agent-0001", "201")
    assert "https://s0001.u.biztel.jp:8000/monitor_link/" + inbound in task["Description"]

    task = only_task(env, outbound)
    assert task["WhatId"] == account and task["WhoId"] is None
    assert task["CallType"] == "Outbound" and task["Subject"].startswith("発信 ")
    assert task["ActivityDate"] == "2024-05-01"
    assert (task["B_AgentIdFrom__c"], task["B_NaisenFrom__c"]) == ("agent-0002", "202")
    assert task["B_ServerIP__c"] == "https://s0000.u.biztel.jp:8000"  # the system setting's server

    job = env.job(inbound)
    assert (job.state, job.record_id, job.record_object, job.task_id) == ("linked", contact, "Contact", task_id(env, inbound))
    assert Reason.from_json(job.match_reason).text("en") == f"Contact {contact} by Phone"


def task_id(env: LinkEnv, unique_id: str) -> str:
    return str(only_task(env, unique_id)["Id"])


def test_admin_playback_writes_the_request_id(link_env: Callable[..., LinkEnv], context: AppContext) -> None:
    context.config.save_system({"playback_auth": "admin"})
    env = link_env()
    uid = env.add_call(new_number(), request_id="REQ-42")
    env.run()
    assert only_task(env, uid)["B_UniqueId__c"] == "REQ-42"


# --- policies -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("policy", ["fallback", "all", "most_recent", "priority"])
def test_multiple_match_policies(link_env: Callable[..., LinkEnv], policy: str) -> None:
    env = link_env(on_multiple_match=policy)
    number = new_number()
    first = env.sf.Contact.create({"LastName": "一郎", "Phone": number})["id"]
    time.sleep(0.01)
    newest = env.sf.Contact.create({"LastName": "二郎", "MobilePhone": number})["id"]
    lead = env.sf.Lead.create({"LastName": "三郎", "Company": "x", "Phone": number})["id"]
    uid = env.add_call(number)
    env.run()
    tasks = env.tasks(uid)
    job = env.job(uid)
    assert job.state == "linked"
    if policy == "all":
        assert sorted(t["WhoId"] for t in tasks) == sorted([first, newest, lead])
        assert Reason.from_json(job.match_reason).code == "all"
        return
    assert len(tasks) == 1
    expected = {"fallback": ("WhatId", env.fallback_id), "most_recent": ("WhoId", newest),
                "priority": ("WhoId", first)}[policy]
    assert tasks[0][expected[0]] == expected[1]


def test_object_priority_decides_before_the_policy(link_env: Callable[..., LinkEnv]) -> None:
    env = link_env(on_multiple_match="most_recent")
    number = new_number()
    account = env.sf.Account.create({"Name": "先", "Phone": number})["id"]
    env.sf.Contact.create({"LastName": "後", "Phone": number})
    uid = env.add_call(number)
    env.run()
    assert only_task(env, uid)["WhatId"] == account  # Account has priority 1 in a new setting


@pytest.mark.parametrize("policy", ["fallback", "skip", "create_lead"])
def test_no_match_policies(link_env: Callable[..., LinkEnv], policy: str) -> None:
    env = link_env(on_no_match=policy)
    number = new_number()
    uid = env.add_call(number)
    env.run()
    job = env.job(uid)
    tasks = env.tasks(uid)
    if policy == "skip":
        assert job.state == "skipped" and tasks == []
        return
    assert job.state == "linked" and len(tasks) == 1
    if policy == "fallback":
        assert tasks[0]["WhatId"] == env.fallback_id
        return
    lead = env.sf.Lead.get(tasks[0]["WhoId"])
    assert phone.normalize(lead["Phone"]) == phone.normalize(number) and lead["LeadSource"] == "Phone"
    assert (job.record_object, job.record_id) == ("Lead", lead["Id"])


def test_retry_then_fallback_counts_and_schedules(link_env: Callable[..., LinkEnv], context: AppContext) -> None:
    context.config.save_system({"retry_interval_minutes": 10, "retry_max": 2})
    env = link_env(on_no_match="retry_then_fallback")
    never, later = new_number(), new_number()
    uid_never, uid_later = env.add_call(never), env.add_call(later)
    env.run()
    for uid in (uid_never, uid_later):
        job = env.job(uid)
        assert (job.state, job.retry_count) == ("retrying", 1)
        assert job.next_retry_at == env.now + dt.timedelta(minutes=10)
    env.advance(minutes=5)
    env.run()
    assert env.job(uid_never).retry_count == 1  # not due yet
    contact = env.sf.Contact.create({"LastName": "後から", "Phone": later})["id"]
    env.advance(minutes=5)
    env.run()
    assert (env.job(uid_never).state, env.job(uid_never).retry_count) == ("retrying", 2)
    assert env.job(uid_later).state == "linked" and only_task(env, uid_later)["WhoId"] == contact
    env.advance(minutes=10)
    env.run()
    job = env.job(uid_never)
    assert job.state == "linked" and only_task(env, uid_never)["WhatId"] == env.fallback_id
    assert Reason.from_json(job.match_reason).code == "no_match_retries_exhausted"


@pytest.mark.parametrize(("policy", "state"), [("fallback", "linked"), ("skip", "skipped")])
def test_anonymous_callers(link_env: Callable[..., LinkEnv], policy: str, state: str) -> None:
    env = link_env(on_no_match=policy)
    uid = env.add_call("非通知")
    env.run()
    assert env.job(uid).state == state
    assert len(env.tasks(uid)) == (1 if state == "linked" else 0)


# --- Case mode ------------------------------------------------------------------------------------------------


def test_case_mode(link_env: Callable[..., LinkEnv]) -> None:
    env = link_env(activity_mode="case_and_task")
    account = env.sf.Account.create({"Name": "ケース株式会社"})["id"]
    contact_number, lead_number = new_number(), new_number()
    contact = env.sf.Contact.create({"LastName": "佐藤", "Phone": contact_number, "AccountId": account})["id"]
    lead = env.sf.Lead.create({"LastName": "鈴木", "Company": "x", "Phone": lead_number})["id"]
    uid_contact, uid_lead = env.add_call(contact_number), env.add_call(lead_number)
    env.run()
    task = only_task(env, uid_contact)
    case = env.sf.Case.get(task["WhatId"])
    assert (case["AccountId"], case["ContactId"], case["Origin"]) == (account, contact, "Phone")
    assert task["WhoId"] == contact
    assert env.job(uid_contact).case_id == case["Id"]
    task = only_task(env, uid_lead)
    assert task["WhoId"] == lead and task["WhatId"] is None  # a Lead cannot own a Case: the Task only
    assert env.job(uid_lead).case_id is None


# --- link status ----------------------------------------------------------------------------------------------


def test_paused_jobs_are_held_and_sent_after_enabling(link_env: Callable[..., LinkEnv], context: AppContext) -> None:
    env = link_env(status="paused")
    uid = env.add_call(new_number())
    env.run()
    assert env.job(uid).state == "held" and env.tasks(uid) == []
    context.config.set_status(env.setting, "disabled")
    late = env.add_call(new_number())  # arrives while disabled: never a job
    context.config.set_status(env.setting, "enabled")
    env.run()
    assert env.job(uid).state == "linked" and len(env.tasks(uid)) == 1
    with pytest.raises(AssertionError):
        env.job(late)


def test_pending_jobs_wait_while_disabled(link_env: Callable[..., LinkEnv], context: AppContext) -> None:
    env = link_env()
    uid = env.add_call(new_number())
    context.config.set_status(env.setting, "disabled")
    env.run()
    assert env.job(uid).state == "pending" and env.tasks(uid) == []
    context.config.set_status(env.setting, "enabled")
    env.run()
    assert env.job(uid).state == "linked"


# --- matching sources ---------------------------------------------------------------------------------------


def test_sosl_path_and_index_path_agree(link_env: Callable[..., LinkEnv]) -> None:
    env = link_env(on_multiple_match="priority")
    number = new_number()
    contact = env.sf.Contact.create({"LastName": "検索", "HomePhone": number})["id"]
    env.options = EngineOptions(use_index=False)
    uid = env.add_call("+81 " + number.lstrip("0"))
    env.run()
    assert only_task(env, uid)["WhoId"] == contact


def test_sosl_batch_at_the_row_cap_is_split_and_searched_again(link_env: Callable[..., LinkEnv], link_org: DevOrg,
                                                                context: AppContext) -> None:
    link_env()  # the account and its secrets
    numbers = [new_number() for _ in range(4)]
    contacts = {phone.normalize(n): link_org_contact(link_org, n) for n in numbers}
    gateway = SalesforceGateway(account_for(link_org), context.secrets)
    try:
        contact = gateway.describe("Contact")
        assert contact is not None
        e164 = [phone.normalize(n) or "" for n in numbers]
        truth = gateway.search_phones(e164, [contact])  # 4 rows, far below the real cap: one search
        before = link_org.counters().get("search", 0)
        # A cap of 3: the one batch of 4 numbers returns 3 rows (cut short), is split into 2 + 2, searched again.
        capped = gateway.search_phones(e164, [contact], limit=3)
        searches = link_org.counters().get("search", 0) - before
    finally:
        gateway.close()
    assert searches == 3
    assert {n: [c.record_id for c in found] for n, found in capped.items()} == \
        {n: [c.record_id for c in found] for n, found in truth.items()} == {n: [contacts[n]] for n in e164}


def link_org_contact(org: DevOrg, number: str) -> str:
    return str(org_client(org).Contact.create({"LastName": "上限", "Phone": number})["id"])


@pytest.mark.parametrize("use_index", [True, False])
def test_converted_leads_are_never_matched(link_env: Callable[..., LinkEnv], use_index: bool) -> None:
    env = link_env(objects=(LinkObjectConfig("Lead", "リード", "00Q", 1),))
    if not use_index:
        env.options = EngineOptions(use_index=False)
    rows = env.sf.query_all("SELECT Id, Phone, MobilePhone, IsConverted FROM Lead")["records"]
    live = {phone.normalize(r[f]) for r in rows if not r["IsConverted"] for f in ("Phone", "MobilePhone") if r[f]}
    # Numbers only converted Leads hold (a converted Lead's twin Contact is not among this setting's objects).
    converted = sorted({r[f] for r in rows if r["IsConverted"] for f in ("Phone", "MobilePhone")
                        if r[f] and phone.normalize(r[f]) not in live})
    assert len(converted) >= 2, "the demo seed has converted Leads"
    uids = [env.add_call(number) for number in converted]
    env.run()
    for uid in uids:
        task = only_task(env, uid)
        assert (task["WhatId"], task["WhoId"]) == (env.fallback_id, None)
        assert env.job(uid).match_reason and Reason.from_json(env.job(uid).match_reason or "").code != "single"


def test_index_follows_deletions(link_env: Callable[..., LinkEnv]) -> None:
    env = link_env()
    number = new_number()
    contact = env.sf.Contact.create({"LastName": "消える", "Phone": number})["id"]
    first = env.add_call(number)
    env.run()
    assert only_task(env, first)["WhoId"] == contact
    env.sf.Contact.delete(contact)
    second = env.add_call(number)
    env.run()
    assert only_task(env, second)["WhatId"] == env.fallback_id


# --- faults: never a duplicate, eventually linked ----------------------------------------------------------------


WRITE_PATH = "/composite"


@pytest.mark.parametrize(
    "kind", ["http_503", "drop_before_write", "drop_after_commit", "lock_row", "session_expired", "limit_exceeded"]
)
@pytest.mark.parametrize("mode", ["task", "case_and_task"])
def test_faults_never_duplicate(link_env: Callable[..., LinkEnv], link_org: DevOrg, kind: str, mode: str) -> None:
    env = link_env(activity_mode=mode)
    account = env.sf.Account.create({"Name": f"障害 {kind}"})["id"]
    numbers = [new_number() for _ in range(3)]
    for number in numbers:
        env.sf.Contact.create({"LastName": "障害", "Phone": number, "AccountId": account})
    uids = [env.add_call(number) for number in numbers]
    link_org.inject_fault(kind, count=1, match=WRITE_PATH)
    first = env.run()
    if kind == "limit_exceeded":
        assert first[-1].paused == "limit"
    drain(env)
    for uid in uids:
        assert env.job(uid).state == "linked", (kind, env.job(uid).error_message)
        assert len(env.tasks(uid)) == 1
    if mode == "case_and_task":
        cases = env.sf.query_all(f"SELECT Id FROM Case WHERE AccountId = '{account}'")["records"]
        assert len(cases) == 3


def test_permanent_errors_fail_with_salesforces_message(link_env: Callable[..., LinkEnv], link_org: DevOrg) -> None:
    env = link_env()
    uid = env.add_call(new_number(), to_agent_id="a" * 10)
    link_org.set_field("Task", {"type": "int", "label": "壊れた"}, "B_AgentIdTo__c")
    try:
        env.run()
    finally:
        link_org.set_field("Task", {"type": "string", "length": 10, "label": "着信エージェント ID", "custom": True},
                           "B_AgentIdTo__c")
    job = env.job(uid)
    assert job.state == "failed" and job.error_code and job.error_message
    assert env.tasks(uid) == []


def test_upsert_when_the_unique_id_is_an_external_id(context: AppContext) -> None:
    with DevOrg(seed="empty") as org:
        org.set_field("Task", {"type": "string", "length": 100, "label": "ユニーク ID", "externalId": True,
                               "custom": True}, "B_UniqueId__c")
        sf = org_client(org)
        context.config.save_account(account_for(org))
        store_secrets(context, org)
        from biztel_desk.domain.config import LinkSettingConfig, LinkTargetConfig

        context.config.save_basic(LinkSettingConfig(name="u", account="devorg", fallback_record_id=fallback_account(sf),
                                                    api_consent=True, status="enabled",
                                                    targets=(LinkTargetConfig(COMPANY),)))
        env = LinkEnv(context, org, sf, "u", fallback_account(sf))
        uids = [env.add_call(new_number()) for _ in range(3)]
        org.inject_fault("drop_after_commit", count=1, match=WRITE_PATH)
        drain(env)
        counters = org.counters()
        # The dropped upsert was applied; the lookup found its Tasks, so nothing was ever sent twice.
        assert counters["collection"] == 1
        for uid in uids:
            assert env.job(uid).state == "linked" and len(tasks_of(sf, uid)) == 1
        env.close()


# --- the worker -----------------------------------------------------------------------------------------------


@pytest.fixture
def statuses() -> Iterator[list[WorkerStatus]]:
    yield []


def test_worker_live_mode_pause_resume_stop(link_env: Callable[..., LinkEnv], statuses: list[WorkerStatus]) -> None:
    env = link_env()
    lock = threading.Lock()

    def observe(status: WorkerStatus) -> None:
        with lock:
            statuses.append(status)

    worker = LinkWorker(env.context.database, env.context.secrets, observer=observe, poll_interval_s=0.5)
    worker.start()
    try:
        uid = env.add_call(new_number())
        worker.wake()
        started = time.monotonic()
        wait_for(lambda: env.job(uid).state == "linked", 3.0)  # live mode: written within 3 s
        assert time.monotonic() - started < 3.0
        worker.pause()
        wait_for(lambda: worker.status.state == WorkerState.PAUSED)
        held = env.add_call(new_number())
        time.sleep(1.2)
        assert env.job(held).state == "pending"
        worker.resume()
        wait_for(lambda: env.job(held).state == "linked", 3.0)
        wait_for(lambda: worker.status.counters.linked >= 2)
        assert worker.status.api_usage is not None
    finally:
        assert worker.stop(10)
    assert worker.status.state == WorkerState.STOPPED
    assert {s.state for s in statuses} >= {WorkerState.RUNNING, WorkerState.PAUSED, WorkerState.STOPPED}


def test_worker_waits_above_the_usage_pause_threshold(link_env: Callable[..., LinkEnv], link_org: DevOrg) -> None:
    env = link_env()
    env.run()  # logs in and learns the usage figure
    link_org.set_api_usage(14_500)  # 96.7 % of 15,000
    env.run()  # a step reads the new figure
    uid = env.add_call(new_number())
    result = env.engine.step(env.setting)
    assert result.paused == "usage" and env.job(uid).state == "pending"
    env.close()  # gives the setting's lease back: the worker's engine steps it from now on
    worker = LinkWorker(env.context.database, env.context.secrets, settings=[env.setting], limit_probe_s=0.2)
    worker.start()
    try:
        wait_for(lambda: worker.status.state == WorkerState.WAITING_FOR_LIMIT)
        assert "95" in worker.status.message or "96" in worker.status.message or "97" in worker.status.message
        link_org.set_api_usage(0)
        wait_for(lambda: env.job(uid).state == "linked")
    finally:
        assert worker.stop(10)


def test_settings_on_one_org_keep_their_own_tasks(link_env: Callable[..., LinkEnv], link_org: DevOrg) -> None:
    """Two settings on the same account and company number, whose objects lead to different records: one Task
    per (call, setting), even when a lookup after a lost answer finds the other setting's Task for the call."""
    env_a = link_env("設定A", objects=(LinkObjectConfig("Account", "取引先", "001", 1),))
    env_b = link_env("設定B", objects=(LinkObjectConfig("Contact", "取引先責任者", "003", 1),))
    number = new_number()
    account = env_a.sf.Account.create({"Name": "設定A の取引先", "Phone": number})["id"]
    contact = env_a.sf.Contact.create({"LastName": "設定B の責任者", "Phone": number})["id"]
    uid = env_a.add_call(number)  # one call, a job for each setting
    # A's Task is written and its answer lost: A's lookup finds it.
    link_org.inject_fault("drop_after_commit", count=1, match=WRITE_PATH)
    env_a.run()
    # B's request is lost before anything is written: B's lookup finds only A's Task, which is not B's.
    link_org.inject_fault("drop_before_write", count=1, match=WRITE_PATH)
    env_b.run()
    drain(env_b)
    drain(env_a)
    tasks = env_a.tasks(uid)
    anchors = sorted(t["WhoId"] or t["WhatId"] for t in tasks)
    assert anchors == sorted([account, contact]), tasks
    by_anchor = {t["WhoId"] or t["WhatId"]: t["Id"] for t in tasks}
    job_a, job_b = setting_job(env_a, uid), setting_job(env_b, uid)
    assert (job_a.state, job_a.record_id, job_a.task_id) == ("linked", account, by_anchor[account])
    assert (job_b.state, job_b.record_id, job_b.task_id) == ("linked", contact, by_anchor[contact])


def setting_job(env: LinkEnv, unique_id: str) -> LinkJob:
    """The job of ``env``'s setting for the call (a call has one job per setting)."""
    with env.context.database.read() as session:
        job = session.scalar(
            select(LinkJob).join(Call, LinkJob.call_id == Call.id).join(LinkSetting, LinkJob.setting_id == LinkSetting.id)
            .where(Call.unique_id == unique_id, LinkSetting.name == env.setting)
        )
        assert job is not None, (unique_id, env.setting)
        session.expunge(job)
        return job


# --- create_lead: one Lead per unknown number ---------------------------------------------------------------------


def leads_with_phone(env: LinkEnv, number: str) -> list[dict[str, Any]]:
    e164 = phone.normalize(number)
    rows = env.sf.query_all("SELECT Id, Phone FROM Lead WHERE LeadSource = 'Phone'")["records"]
    return [r for r in rows if phone.normalize(r["Phone"]) == e164]


@pytest.mark.parametrize("fault", [None, "drop_after_commit"])
def test_create_lead_makes_one_lead_per_unknown_number(link_env: Callable[..., LinkEnv], link_org: DevOrg,
                                                       context: AppContext, fault: str | None) -> None:
    # The index is refreshed at most hourly (system setting): later calls can only match the new Lead because
    # the engine put it into the index itself, not because a refresh happened to read it.
    context.config.save_system({"phone_index_max_age_s": 3600})
    env = link_env(on_no_match="create_lead")
    env.options = EngineOptions(index_max_age_s=None, backoff_s=(60, 300))
    number = new_number()
    first = [env.add_call(number) for _ in range(5)]  # one batch
    if fault:
        # The composite creating the Lead and its 5 Tasks is applied, its answer lost: the lookup must find
        # the Tasks (and so the Lead) and never send the pair again.
        link_org.inject_fault(fault, count=1, match=WRITE_PATH)
    env.run()
    env.run()  # after the fault: the lookup (no clock change, so the index stays as fresh as it was)
    leads = leads_with_phone(env, number)
    assert len(leads) == 1, leads
    lead = leads[0]["Id"]
    before = link_org.counters()
    later = [env.add_call(number, started_at=dt.datetime(2024, 5, 2, h, 0, tzinfo=dt.UTC)) for h in (1, 2)]
    env.run()
    spent = {k: v - before.get(k, 0) for k, v in link_org.counters().items() if v != before.get(k, 0)}
    assert len(leads_with_phone(env, number)) == 1
    for uid in first + later:
        job = env.job(uid)
        assert (job.state, job.record_object, job.record_id) == ("linked", "Lead", lead), uid
        assert only_task(env, uid)["WhoId"] == lead
    tasks = env.sf.query_all(f"SELECT Id FROM Task WHERE WhoId = '{lead}'")["records"]
    assert len(tasks) == 7
    # The later batch: no index refresh, no search, one collections call for its two Tasks — and one query,
    # the Task lookup before a first send (B_UniqueId__c is no External ID here, so no idempotent upsert).
    assert spent.get("collection") == 1 and "search" not in spent and spent.get("query") == 1, spent


def test_create_lead_groups_numbers_and_keeps_them_apart(link_env: Callable[..., LinkEnv]) -> None:
    env = link_env(on_no_match="create_lead", activity_mode="case_and_task")
    a, b = new_number(), new_number()
    uids = {a: [env.add_call(a), env.add_call(a)], b: [env.add_call(b)]}
    env.add_call(a, direction="outbound")  # outbound to the same unknown number: the same Lead
    env.run()
    for number, calls in uids.items():
        (lead,) = leads_with_phone(env, number)
        for uid in calls:
            task = only_task(env, uid)
            assert (task["WhoId"], task["WhatId"]) == (lead["Id"], None)  # Case mode: a Lead owns no Case
    assert len(env.sf.query_all(f"SELECT Id FROM Task WHERE WhoId = '{leads_with_phone(env, a)[0]['Id']}'")
               ["records"]) == 3


# --- retries: no-match searches and transient failures are counted apart --------------------------------------


def test_transient_failures_do_not_use_up_no_match_retries(link_env: Callable[..., LinkEnv], link_org: DevOrg,
                                                            context: AppContext) -> None:
    context.config.save_system({"retry_interval_minutes": 10, "retry_max": 2, "retry_backoff_max_minutes": 3})
    env = link_env(on_no_match="retry_then_fallback")
    number = new_number()
    uid = env.add_call(number)
    env.run()
    env.advance(minutes=10)
    env.run()
    assert (env.job(uid).state, env.job(uid).retry_count, env.job(uid).attempts) == ("retrying", 2, 0)
    contact = env.sf.Contact.create({"LastName": "遅れて登録", "Phone": number})["id"]
    env.advance(minutes=10)
    link_org.inject_fault("lock_row", count=1, match="/composite/sobjects")
    env.run()
    job = env.job(uid)
    # Matched now; the write failed transiently: the first backoff step (60 s here), リトライ回数 unchanged.
    assert (job.state, job.retry_count, job.attempts, job.error_code) == ("retrying", 2, 1, "UNABLE_TO_LOCK_ROW")
    assert job.next_retry_at == env.now + dt.timedelta(seconds=60)
    env.advance(seconds=60)
    link_org.inject_fault("lock_row", count=1, match="/composite/sobjects")
    env.run()
    job = env.job(uid)
    # The second step would be 300 s; retry_backoff_max_minutes = 3 caps it.
    assert (job.retry_count, job.attempts) == (2, 2)
    assert job.next_retry_at == env.now + dt.timedelta(minutes=3)
    env.advance(minutes=3)
    env.run()
    job = env.job(uid)
    assert (job.state, job.retry_count, job.attempts, job.record_id) == ("linked", 2, 0, contact)
    assert only_task(env, uid)["WhoId"] == contact


def test_backoff_steps_and_cap() -> None:
    from biztel_desk.engine.linker import LinkEngine

    engine = LinkEngine.__new__(LinkEngine)
    engine.options = EngineOptions()
    minutes = [engine.backoff_delay(n, 60) / 60 for n in range(6)]
    assert minutes == [1, 5, 15, 60, 60, 60]
    minutes = [engine.backoff_delay(n, 240) / 60 for n in range(7)]
    assert minutes == [1, 5, 15, 60, 120, 240, 240]
    assert engine.backoff_delay(10_000, 1440) == 1440 * 60


# --- system settings the engine reads at every step -------------------------------------------------------------


def test_phone_index_age_comes_from_the_system_settings(link_env: Callable[..., LinkEnv], link_org: DevOrg,
                                                        context: AppContext) -> None:
    # The re-check on a miss (next test) is switched off here: only the regular refresh interval is measured.
    context.config.save_system({"phone_index_max_age_s": 3600, "phone_index_miss_refresh_s": 0})
    env = link_env()
    env.options = EngineOptions(index_max_age_s=None)
    env.run()  # nothing due yet: the index is not even loaded
    env.add_call(new_number())
    env.run()  # loads the index
    number = new_number()
    contact = env.sf.Contact.create({"LastName": "索引", "Phone": number})["id"]
    # SOSL's index lags (it confirms every miss): here it has not caught up, so only a refresh could find it.
    link_org.set_index_delay(3600)
    env.advance(seconds=30)
    stale = env.add_call(number)
    env.run()
    assert only_task(env, stale)["WhatId"] == env.fallback_id  # an hour-old index is still fresh enough
    context.config.save_system({"phone_index_max_age_s": 10})
    fresh = env.add_call(number)
    env.run()
    assert only_task(env, fresh)["WhoId"] == contact


def test_a_record_created_seconds_before_the_call_is_matched(link_env: Callable[..., LinkEnv], link_org: DevOrg,
                                                              context: AppContext) -> None:
    """SPEC §9: the index sees records created seconds ago, though its regular refresh is every 60 s."""
    context.config.save_system({"phone_index_max_age_s": 60, "phone_index_miss_refresh_s": 5})
    env = link_env()
    env.options = EngineOptions(index_max_age_s=None)
    env.add_call(new_number())
    env.run()  # loads the index (refreshed now)
    env.advance(seconds=20)
    number = new_number()
    contact = env.sf.Contact.create({"LastName": "作成直後", "Phone": number})["id"]
    env.advance(seconds=10)  # the call, 10 s after the Contact; the index is 30 s old (< 60 s: no regular refresh)
    before = link_org.counters()
    uid = env.add_call(number)
    env.run()
    spent = {k: v - before.get(k, 0) for k, v in link_org.counters().items() if v != before.get(k, 0)}
    job = env.job(uid)
    assert (job.state, job.record_id) == ("linked", contact), job.match_reason
    assert only_task(env, uid)["WhoId"] == contact
    # Changes only (one query per object and one queryAll for deletions), no full load, no SOSL.
    assert "search" not in spent and spent.get("query", 0) + spent.get("query_more", 0) <= 8, spent
    # A second unknown number within 5 s of that refresh: the index is fresh enough, no further refresh; the
    # miss is confirmed by one SOSL before the fallback policy acts.
    env.advance(seconds=2)
    before = link_org.counters()
    unknown = env.add_call(new_number())
    env.run()
    spent = {k: v - before.get(k, 0) for k, v in link_org.counters().items() if v != before.get(k, 0)}
    # No index refresh: the one query is the Task lookup before a first send (no External ID in this org).
    assert spent.get("query") == 1 and "query_more" not in spent, spent
    assert spent.get("search") == 1, spent
    assert only_task(env, unknown)["WhatId"] == env.fallback_id


# --- exactly once and API calls: the review's findings -----------------------------------------------------------


def test_idle_steps_spend_no_api_call(link_env: Callable[..., LinkEnv], link_org: DevOrg) -> None:
    env = link_env()
    env.options = EngineOptions(index_max_age_s=60)
    env.add_call(new_number())
    env.run()
    before = link_org.counters()["total"]
    for _ in range(5):
        env.advance(minutes=10)  # far past the index age: an idle refresh would happen every step
        assert env.engine.step(env.setting).picked == 0
    assert link_org.counters()["total"] == before


def test_sending_job_whose_lookup_fails_stays_sending(link_env: Callable[..., LinkEnv], link_org: DevOrg) -> None:
    env = link_env()
    uid = env.add_call(new_number())
    link_org.inject_fault("drop_after_commit", count=1, match=WRITE_PATH)
    first = env.engine.step(env.setting)
    assert first.unknown == 1 and env.job(uid).state == "sending"
    link_org.inject_fault("http_503", count=1, match="/query")
    second = env.engine.step(env.setting)
    assert second.error is not None and second.linked == 0
    assert env.job(uid).state == "sending"  # no answer: neither resent nor given up
    writes = link_org.counters().get("composite", 0) + link_org.counters().get("collection", 0)
    env.run()
    assert env.job(uid).state == "linked" and len(env.tasks(uid)) == 1
    assert link_org.counters().get("composite", 0) + link_org.counters().get("collection", 0) == writes


def test_all_policy_case_mode_resends_only_what_is_missing(link_env: Callable[..., LinkEnv],
                                                          link_org: DevOrg) -> None:
    """Account (Case + Task in a composite) and Lead (plain Task) targets; only the plain Task fails.

    The retry finds the Account's Task alone, on a Case: it must recognise it as the Account's (through the
    Case's AccountId) and write only the Lead's Task — not a second Case and Task for the Account.
    """
    env = link_env(on_multiple_match="all", activity_mode="case_and_task")
    number = new_number()
    account = env.sf.Account.create({"Name": "全件 株式会社", "Phone": number})["id"]
    lead = env.sf.Lead.create({"LastName": "全件", "Company": "x", "Phone": number})["id"]
    uid = env.add_call(number)
    link_org.inject_fault("lock_row", count=1, match="/composite/sobjects")
    env.run()
    assert env.job(uid).state == "retrying"
    drain(env)
    tasks = env.tasks(uid)
    assert sorted((t["WhoId"] or "", t["WhatId"] or "") for t in tasks if t["WhoId"]) == [(lead, "")]
    cases = env.sf.query_all(f"SELECT Id FROM Case WHERE AccountId = '{account}'")["records"]
    assert len(cases) == 1 and len(tasks) == 2
    assert {t["WhatId"] for t in tasks if not t["WhoId"]} == {cases[0]["Id"]}
    job = env.job(uid)
    assert job.state == "linked" and len(Reason.from_json(job.match_reason).params["tasks"]) == 2


def test_case_mode_contact_without_account(link_env: Callable[..., LinkEnv]) -> None:
    env = link_env(activity_mode="case_and_task")
    number = new_number()
    contact = env.sf.Contact.create({"LastName": "無所属", "Phone": number})["id"]
    uid = env.add_call(number)
    env.run()
    task = only_task(env, uid)
    case = env.sf.Case.get(task["WhatId"])
    assert (case["ContactId"], case["AccountId"], task["WhoId"]) == (contact, None, contact)
    assert env.job(uid).case_id == case["Id"]


# --- the linked record's name (issue #13) ----------------------------------------------------------------------


@pytest.mark.parametrize("use_index", [True, False])
def test_the_job_keeps_the_matched_records_name(link_env: Callable[..., LinkEnv], link_org: DevOrg,
                                                use_index: bool) -> None:
    """紐付け先 by name: the name is read with the numbers (the phone index's SOQL, or the SOSL RETURNING), kept
    with the outcome, and costs no request of its own."""
    env = link_env()
    env.options = EngineOptions(index_max_age_s=0, backoff_s=(60, 300), use_index=use_index)
    number = new_number()
    contact = env.sf.Contact.create({"LastName": "山田", "FirstName": "花子", "MobilePhone": number})["id"]
    name = env.sf.query(f"SELECT Name FROM Contact WHERE Id = '{contact}'")["records"][0]["Name"]
    account_number = new_number()
    account = env.sf.Account.create({"Name": "株式会社名前テスト", "Phone": account_number})["id"]
    linked = env.add_call(number)
    other = env.add_call(account_number)
    unknown = env.add_call(new_number())  # the fallback record: no name from a match
    env.run()
    first = env.job(linked)
    assert (first.state, first.record_id, first.record_name) == ("linked", contact, name)
    assert "花子" in name and "山田" in name
    second = env.job(other)
    assert (second.record_id, second.record_name) == (account, "株式会社名前テスト")
    fallback = env.job(unknown)
    assert fallback.state == "linked" and fallback.record_name is None
    # The next call from the number (index path: a lookup, no request) gets the name too.
    again = env.add_call(number, started_at=dt.datetime(2024, 5, 2, 1, 0, tzinfo=dt.UTC))
    env.run()
    assert env.job(again).record_name == name
