"""The org's real rules, through the link engine against the dev org: collection chunks, all-or-none failures
narrowed down to the bad record, retry caps, assignment rules, the LeadSource picklist, the two request limits."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

from conftest import LinkEnv
from test_link_engine import drain, new_number
from test_slow_salesforce import OPTIONS, all_tasks, contact_calls

from biztel_desk.domain.failures import failure_text
from biztel_desk.engine.linker import LEAD_SOURCE_NOT_IN_PICKLIST, RETRY_LIMIT_REACHED
from biztel_desk.engine.worker import LinkWorker, WorkerState
from biztel_desk.salesforce.errors import ConcurrentLimitExceeded, LimitExceeded
from biztel_desk.services.context import AppContext


def test_parents_of_several_types_are_grouped_in_one_request(org_env: Callable[..., LinkEnv]) -> None:
    """Case mode + create_lead: Cases and Leads alternate in the batch; sent as they come they would make 12 type
    chunks, and the dev org (like Salesforce) refuses more than 10 in one collection."""
    env = org_env(activity_mode="case_and_task", on_no_match="create_lead")
    account = env.sf.Account.create({"Name": "交互"})["id"]
    uids = []
    for i in range(12):
        number = new_number()
        if i % 2 == 0:
            env.sf.Contact.create({"LastName": "既存", "Phone": number, "AccountId": account})
        uids.append(env.add_call(number))
    env.run()
    for uid in uids:
        assert env.job(uid).state == "linked", env.job(uid).error_message
        assert len(all_tasks(env.sf, uid)) == 1
    assert env.org.counters()["composite"] == 1  # one request for the 12 pairs


def test_processing_halted_is_narrowed_down_to_the_bad_record(org_env: Callable[..., LinkEnv]) -> None:
    env = org_env(activity_mode="case_and_task")
    account = env.sf.Account.create({"Name": "一件だけ壊れる"})["id"]
    contacts, uids = [], []
    for _ in range(8):
        number = new_number()
        contacts.append(env.sf.Contact.create({"LastName": "候補", "Phone": number, "AccountId": account})["id"])
        uids.append(number)
    env.add_call(new_number())
    env.run()  # the index is loaded with the 8 Contacts
    env.close()
    env._engine = None
    env.options = replace(OPTIONS, index_max_age_s=3600)  # and not refreshed again in this test
    env.sf.Contact.delete(contacts[5])  # deleted after matching: its Case cannot be created
    uids = [env.add_call(number) for number in uids]
    # Every all-or-none collection failure reads PROCESSING_HALTED (the unverified shape): 8 → 4 → 2 → 1.
    env.org.inject_fault("opaque_rollback", count=4)
    before = env.org.counters()["composite"]
    env.run()
    spent = env.org.counters()["composite"] - before
    bad = env.job(uids[5])
    assert bad.state == "failed" and bad.error_code not in {"PROCESSING_HALTED", "ALL_OR_NONE_OPERATION_ROLLED_BACK"}
    assert bad.error_code in {"ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY"}, bad.error_message
    for i, uid in enumerate(uids):
        if i != 5:
            assert env.job(uid).state == "linked" and len(all_tasks(env.sf, uid)) == 1
    assert len(all_tasks(env.sf, uids[5])) == 0
    assert spent <= 2 * math.log2(8) + 2, spent  # the first request, two per halving, the single-pair request


def test_a_retry_cap_ends_endless_retries_with_a_visible_reason(org_env: Callable[..., LinkEnv]) -> None:
    env = org_env()
    env.options = replace(OPTIONS, retry_caps=(("record", 3), ("halted", 3), ("request", 5)))
    [uid] = contact_calls(env, 1)
    env.org.inject_fault("lock_row", count=100, match="/composite")
    drain(env, rounds=6)
    job = env.job(uid)
    assert job.state == "failed" and job.error_code == RETRY_LIMIT_REACHED
    assert job.error_message.startswith("3 × UNABLE_TO_LOCK_ROW")
    text = failure_text(job.error_code, job.error_message, "ja")
    assert "再試行の上限" in text and text.endswith("。")
    assert all_tasks(env.sf, uid) == []


def test_assignment_rules_are_off_unless_the_admin_turns_them_on(org_env: Callable[..., LinkEnv],
                                                                 context: AppContext) -> None:
    env = org_env(activity_mode="case_and_task", on_no_match="create_lead")
    rule_owner = env.org.add_user("キュー")
    env.org.set_assignment_rule(rule_owner)
    [known] = contact_calls(env, 1)
    unknown = env.add_call(new_number())
    env.run()

    def owners(uid: str) -> set[str]:
        job = env.job(uid)
        record = job.case_id or job.record_id
        obj = "Case" if job.case_id else "Lead"
        return {str(env.sf.query(f"SELECT OwnerId FROM {obj} WHERE Id = '{record}'")["records"][0]["OwnerId"])}

    assert owners(known) == owners(unknown) == {env.org.user_id}  # Sforce-Auto-Assign: FALSE
    context.config.save_system({"run_assignment_rules": True})
    [known] = contact_calls(env, 1)
    unknown = env.add_call(new_number())
    env.run()
    assert owners(known) == owners(unknown) == {rule_owner}


def test_lead_source_missing_from_a_restricted_picklist_fails_with_advice(org_env: Callable[..., LinkEnv]) -> None:
    env = org_env(on_no_match="create_lead")
    env.org.set_field("Lead", {"type": "picklist", "length": 255, "label": "リードソース", "restrictedPicklist": True,
                               "picklistValues": ["Web", "Phone Inquiry", "Other"]}, "LeadSource")
    uid = env.add_call(new_number())
    env.run()
    job = env.job(uid)
    assert job.state == "failed" and job.error_code == LEAD_SOURCE_NOT_IN_PICKLIST
    assert "Phone Inquiry" in job.error_message
    assert "リードソース" in failure_text(job.error_code, job.error_message, "ja")
    assert "Lead Source" in failure_text(job.error_code, job.error_message, "en")
    assert env.sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 0
    # Unrestricted (the standard picklist): Salesforce keeps the value as it is, the Lead is created.
    env.org.set_field("Lead", {"type": "picklist", "length": 255, "label": "リードソース",
                               "picklistValues": ["Web", "Phone Inquiry", "Other"]}, "LeadSource")
    env.engine.close()
    env._engine = None  # a new gateway: describes are read again
    uid = env.add_call(new_number())
    env.run()
    assert env.job(uid).state == "linked"


def test_concurrent_limit_backs_off_briefly_the_daily_limit_pauses(org_env: Callable[..., LinkEnv],
                                                                   context: AppContext) -> None:
    env = org_env()
    [uid] = contact_calls(env, 1)
    env.org.inject_fault("concurrent_limit", count=1, match="/composite")
    [result] = env.run()
    assert isinstance(result.error, ConcurrentLimitExceeded)
    job = env.job(uid)
    # Refused before it ran: nothing to look up, sent again after the first short backoff.
    assert job.state == "retrying" and job.attempts == 1 and "ConcurrentPerOrgLongTxn" in job.error_message
    assert "同時" in failure_text(job.error_code, job.error_message, "ja")
    worker = LinkWorker(context.database, context.secrets, lang="en")
    state, message, delay = worker._failure("遅延", result, 0)
    assert (state, delay) == (WorkerState.RUNNING, worker.concurrent_backoff_s) and "concurrent" in message
    env.advance(minutes=2)
    env.run()
    assert env.job(uid).state == "linked" and len(all_tasks(env.sf, uid)) == 1
    env.org.inject_fault("limit_exceeded", count=1)
    env.add_call(new_number())
    [daily] = env.run()
    assert isinstance(daily.error, LimitExceeded) and daily.paused == "limit"
    state, message, delay = worker._failure("遅延", daily, 0)
    assert (state, delay) == (WorkerState.WAITING_FOR_LIMIT, worker.limit_probe_s)
