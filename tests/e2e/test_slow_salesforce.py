"""Exactly once when Salesforce is slow, against the dev org over real HTTP (issue: real-org behaviours).

Salesforce keeps running a REST write for up to 10 minutes after the client gave up, and may commit it then. The
dev org's ``slow_commit`` fault holds a write for N seconds and commits it afterwards, whoever still listens; the
engine's write timeout is set below N, so the client gives up first — the case that used to write duplicates.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from conftest import FRESH_ORG_OPTIONS, LinkEnv, account_for
from simple_salesforce import Salesforce
from sqlalchemy import delete, select
from test_link_engine import new_number

from biztel_desk.devorg.server import DevOrg
from biztel_desk.salesforce.errors import ConcurrentLimitExceeded, LimitExceeded
from biztel_desk.salesforce.gateway import SalesforceGateway
from biztel_desk.services.context import AppContext
from biztel_desk.store.models import Call, CallLeg

WRITE_PATH = "/composite"  # collections, upserts and composite requests
SLOW_S = 1.5  # the held write commits this long after it arrived
OPTIONS = FRESH_ORG_OPTIONS


def all_tasks(sf: Salesforce, unique_id: str) -> list[dict[str, Any]]:
    """Every live Task of a call, archived ones included (queryAll)."""
    soql = f"SELECT Id, WhoId, WhatId, OwnerId FROM Task WHERE CallObject = '{unique_id}' AND IsDeleted = false"
    return list(sf.query_all(soql, include_deleted=True)["records"])


def contact_calls(env: LinkEnv, count: int = 3) -> list[str]:
    account = env.sf.Account.create({"Name": "遅い会社"})["id"]
    numbers = [new_number() for _ in range(count)]
    for number in numbers:
        env.sf.Contact.create({"LastName": "遅延", "Phone": number, "AccountId": account})
    return [env.add_call(number) for number in numbers]


def writes(org: DevOrg) -> int:
    counters = org.counters()
    return counters["collection"] + counters["composite"] + counters["upsert"] + counters["create"]


PATHS = {
    # name: (setting changes, External ID on B_UniqueId__c, calls from known Contacts)
    "task": ({}, False, True),
    "task_upsert": ({}, True, True),
    "case_and_task": ({"activity_mode": "case_and_task"}, False, True),
    "lead_and_task": ({"on_no_match": "create_lead"}, False, False),
}


@pytest.mark.parametrize("path", sorted(PATHS))
def test_slow_commit_never_duplicates(org_env: Callable[..., LinkEnv], path: str) -> None:
    changes, external, known = PATHS[path]
    env = org_env(external_id=external, **changes)
    uids = contact_calls(env) if known else [env.add_call(new_number()) for _ in range(3)]
    env.run()  # index load etc. happen before the write; nothing sent yet only if the index fails
    env.org.inject_fault("slow_commit", count=1, match=WRITE_PATH, seconds=SLOW_S)
    uids += contact_calls(env) if known else [env.add_call(new_number()) for _ in range(3)]
    before = writes(env.org)
    first = env.run()
    assert first[-1].unknown == 3, first
    assert first[-1].error is not None and first[-1].error.code == "NO_RESPONSE"
    assert {env.job(u).state for u in uids[3:]} == {"sending"}
    # Looked up at once: Salesforce has not committed yet. The job stays `sending`, nothing is sent again.
    second = env.run()
    assert second[0].checking == 3 and second[0].resolved == 3
    assert {env.job(u).state for u in uids[3:]} == {"sending"}
    assert writes(env.org) == before + 1
    time.sleep(SLOW_S + 0.5)  # the held write commits meanwhile
    env.advance(seconds=61)  # the next scheduled look
    env.run()
    for uid in uids:
        assert env.job(uid).state == "linked", (uid, env.job(uid).error_message)
        assert len(all_tasks(env.sf, uid)) == 1, uid
    assert writes(env.org) == before + 1  # the slow write was never sent twice
    if path == "case_and_task":
        cases = env.sf.query_all("SELECT Id FROM Case")["records"]
        assert len(cases) == 6
    if path == "lead_and_task":
        leads = env.sf.query_all("SELECT Id FROM Lead")["records"]
        assert len(leads) == 6


def test_giving_up_before_the_server_limit_would_duplicate(org_env: Callable[..., LinkEnv]) -> None:
    """The control: an engine that concludes "absent" at once (limit 0) writes the slow call twice. So the test
    above can fail, and the rule it checks is what prevents the duplicate."""
    env = org_env()
    env.options = replace(OPTIONS, server_write_limit_s=0)
    uids = contact_calls(env, 1)
    env.org.inject_fault("slow_commit", count=1, match=WRITE_PATH, seconds=SLOW_S)
    env.run()
    env.run()  # looks up before the commit, finds nothing, sends again
    time.sleep(SLOW_S + 0.5)
    assert len(all_tasks(env.sf, uids[0])) == 2


def test_unknown_outcome_is_concluded_absent_only_after_the_server_limit(org_env: Callable[..., LinkEnv]) -> None:
    env = org_env()
    uids = contact_calls(env, 2)
    env.org.inject_fault("http_503", count=1, match=WRITE_PATH)  # a 5xx on a write: applied or not, unknown
    env.run()
    assert {env.job(u).state for u in uids} == {"sending"}
    before = writes(env.org)
    for minutes in (1, 2, 2, 2, 2):  # 9 minutes after the send: still within Salesforce's 10
        env.advance(minutes=minutes)
        env.run()
        assert {env.job(u).state for u in uids} == {"sending"}
    assert writes(env.org) == before
    job = env.job(uids[0])
    assert job.error_code == "SERVER_UNAVAILABLE" and job.send_started_at is not None
    env.advance(minutes=1, seconds=1)
    env.run()
    for uid in uids:
        assert env.job(uid).state == "linked" and len(all_tasks(env.sf, uid)) == 1
    assert writes(env.org) == before + 1


def test_rechecks_are_spaced_out(org_env: Callable[..., LinkEnv]) -> None:
    """A job waiting for a lost write is looked up every recheck_s, not at every step of a polling worker."""
    env = org_env()
    contact_calls(env, 1)
    env.org.inject_fault("http_503", count=1, match=WRITE_PATH)
    env.run()
    env.run()  # the first look
    before = env.org.counters()["query"]
    for _ in range(5):
        env.advance(seconds=5)
        env.run()
    assert env.org.counters()["query"] == before
    env.advance(seconds=40)
    env.run()
    assert env.org.counters()["query"] == before + 1


# --- archived Tasks and calls this database does not remember ------------------------------------------------


def test_archived_tasks_are_found_by_the_lookup(org_env: Callable[..., LinkEnv], context: AppContext) -> None:
    env = org_env()
    env.org.set_activity_archiving(365)
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
    number = new_number()
    env.sf.Contact.create({"LastName": "昔", "Phone": number})
    uid = env.add_call(number, started_at=old)
    env.run()
    assert env.job(uid).state == "linked"
    # Archived: `query` no longer returns the closed Task with an ActivityDate over 365 days ago; queryAll does.
    assert env.sf.query(f"SELECT Id FROM Task WHERE CallObject = '{uid}'")["totalSize"] == 0
    assert len(all_tasks(env.sf, uid)) == 1
    forget(context, uid)
    env.add_call(number, unique_id=uid, started_at=old)  # imported again (a cumulative CDR file)
    env.run()
    assert env.job(uid).state == "linked" and len(all_tasks(env.sf, uid)) == 1


def forget(context: AppContext, unique_id: str) -> None:
    """The local database loses the call (retention purged it, or another data directory never had it)."""
    with context.database.begin() as session:  # as retention does: the call and its legs
        session.execute(delete(CallLeg).where(CallLeg.call_unique_id == unique_id))
        session.execute(delete(Call).where(Call.unique_id == unique_id))


@pytest.mark.parametrize("external", [False, True])
@pytest.mark.parametrize("path", ["task", "case_and_task", "lead_and_task"])
def test_a_call_new_to_this_database_is_not_written_twice(org_env: Callable[..., LinkEnv], context: AppContext,
                                                           external: bool, path: str) -> None:
    changes, _, known = PATHS[path]
    env = org_env(external_id=external, **changes)
    uids = contact_calls(env) if known else [env.add_call(new_number()) for _ in range(3)]
    env.run()
    assert {env.job(u).state for u in uids} == {"linked"}
    calls = {}
    with context.database.read() as session:
        for call in session.scalars(select(Call).where(Call.unique_id.in_(uids))):
            calls[call.unique_id] = call.from_number
    for uid in uids:
        forget(context, uid)
    for uid in uids:
        env.add_call(calls[uid], unique_id=uid)
    before = writes(env.org)
    env.run()
    for uid in uids:
        assert env.job(uid).state == "linked" and len(all_tasks(env.sf, uid)) == 1, (uid, env.job(uid).error_message)
    if path == "case_and_task":
        assert len(env.sf.query_all("SELECT Id FROM Case")["records"]) == 3
    if path == "lead_and_task":
        assert len(env.sf.query_all("SELECT Id FROM Lead")["records"]) == 3
        # The Lead is known now, so the call links to it: found by the lookup (nothing written), or upserted.
        assert writes(env.org) == before + (1 if external else 0)
    if path == "task" and external:
        assert writes(env.org) == before + 1  # the idempotent upsert, no lookup needed


# --- limits -----------------------------------------------------------------------------------------------------


def test_the_two_request_limits_are_told_apart(org_env: Callable[..., LinkEnv], context: AppContext) -> None:
    env = org_env()
    gateway = SalesforceGateway(account_for(env.org), context.secrets)
    try:
        env.org.inject_fault("concurrent_limit")
        with pytest.raises(ConcurrentLimitExceeded) as concurrent:
            gateway.query_all("SELECT Id FROM Account")
        assert "ConcurrentPerOrgLongTxn" in concurrent.value.message
        env.org.inject_fault("limit_exceeded")
        with pytest.raises(LimitExceeded) as daily:
            gateway.query_all("SELECT Id FROM Account")
        assert "TotalRequests" in daily.value.message
    finally:
        gateway.close()


def _backlog_queries(env: LinkEnv, lookahead_ttl_s: float, tag: str) -> tuple[int, list[str]]:
    """30 first sends in batches of 10 (a new engine); the 26th call already has a Task (another PC wrote it)."""
    env.close()
    env._engine = None
    env.options = replace(OPTIONS, batch_size=10, index_max_age_s=3600, lookahead_ttl_s=lookahead_ttl_s)
    uids = [f"ahead-{tag}-{i:03d}" for i in range(30)]
    env.sf.Task.create({"Subject": "別のPC", "Status": "Completed", "CallObject": uids[25],
                        "WhatId": env.fallback_id})
    for uid in uids:
        env.add_call(new_number(), unique_id=uid)
    before = env.org.counters()["query"]
    env.run()
    return env.org.counters()["query"] - before, uids


def test_one_lookup_covers_the_batches_due_next(org_env: Callable[..., LinkEnv]) -> None:
    env = org_env()
    env.add_call(new_number())
    env.run()  # the phone index is loaded (and not refreshed again: same clock, max age an hour)
    with_ahead, uids = _backlog_queries(env, 300, "a")
    without, others = _backlog_queries(env, 0, "b")
    # Without lookahead one Task lookup per batch (3). With it the first lookup covers all 30 calls; only the
    # third batch is looked up again, for the one call that lookup found a Task for (found is never cached).
    assert with_ahead == without - 1, (with_ahead, without)
    for uid in uids + others:  # the call another PC had written is not written again
        assert env.job(uid).state == "linked" and len(all_tasks(env.sf, uid)) == 1
