"""A late leg updates a linked call's Task exactly once; live calls settle before they are linked (issue #9).

Against the dev org over real HTTP through simple-salesforce. A late leg is simulated with
``store.calls.apply_call_change`` — what the ingest calls when a leg arrives for a call already stored.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from conftest import LinkEnv
from simple_salesforce import Salesforce
from test_link_engine import new_number

from biztel_desk.devorg.server import DevOrg
from biztel_desk.services.context import AppContext
from biztel_desk.store import calls as store_calls

START = dt.datetime(2024, 5, 1, 1, 0, tzinfo=dt.UTC)
SLOW_S = 1.5
FIELDS = ("Id, Subject, CallDisposition, CallDurationInSeconds, Description, B_ServerIP__c, B_CallEndDateTime__c, "
          "B_AgentIdTo__c, WhoId")


def call_tasks(sf: Salesforce, unique_id: str) -> list[dict[str, Any]]:
    soql = f"SELECT {FIELDS} FROM Task WHERE CallObject = '{unique_id}' AND IsDeleted = false"
    return list(sf.query_all(soql, include_deleted=True)["records"])


def writes(org: DevOrg) -> int:
    counters = org.counters()
    return sum(counters.get(k, 0) for k in ("collection", "composite", "upsert", "create", "update"))


def missed_call(env: LinkEnv) -> str:
    """An inbound call from a known Contact that nobody answered (so far: the answered leg comes later)."""
    number = new_number()
    env.sf.Contact.create({"LastName": "後着", "Phone": number})
    return env.add_call(number, started_at=START, ended_at=START + dt.timedelta(seconds=20), duration_s=0,
                        disposition="NO ANSWER")


def late_answer(context: AppContext, unique_id: str) -> bool:
    with context.database.begin() as session:
        return store_calls.apply_call_change(
            session, unique_id, disposition="ANSWERED", duration_s=95, to_agent_id="agent7", to_extension="207",
            ended_at=START + dt.timedelta(seconds=140))


def assert_answered(task: dict[str, Any]) -> None:
    assert task["Subject"].startswith("着信 "), task["Subject"]
    assert task["CallDisposition"] == "ANSWERED"
    assert task["CallDurationInSeconds"] == 95
    assert task["B_AgentIdTo__c"] == "agent7"
    assert task["B_CallEndDateTime__c"].startswith("2024-05-01T01:02:20")
    assert "通話時間: 1分35秒" in task["Description"]


def test_unanswered_task_then_late_answered_leg_updates_it_once(link_env: Callable[..., LinkEnv],
                                                                context: AppContext) -> None:
    context.config.save_system({"recording_server_url": "https://rec.example.jp"})
    env = link_env()
    uid = missed_call(env)
    env.run()
    assert env.job(uid).state == "linked"
    [task] = call_tasks(env.sf, uid)
    assert task["Subject"].startswith("不在着信 "), task["Subject"]
    assert task["CallDisposition"] == "NO ANSWER"
    assert task["CallDurationInSeconds"] == 0
    assert task["B_ServerIP__c"] is None and "録音再生" not in task["Description"]
    assert env.job(uid).linked_revision == 1

    assert late_answer(context, uid) is True
    assert env.job(uid).state == "update_pending"
    before = writes(env.org)
    results = env.run()
    assert sum(r.updated for r in results) == 1
    job = env.job(uid)
    assert job.state == "updated" and job.linked_revision == 2 and job.task_id == task["Id"]
    [updated] = call_tasks(env.sf, uid)
    assert updated["Id"] == task["Id"] and updated["WhoId"] == task["WhoId"]
    assert_answered(updated)
    assert updated["B_ServerIP__c"] == "https://rec.example.jp"
    assert f"録音再生: https://rec.example.jp/monitor_link/{uid}" in updated["Description"]
    assert writes(env.org) == before + 1  # one PATCH
    env.run()
    assert writes(env.org) == before + 1  # nothing more to do
    # The same leg again changes nothing: no new revision, no second update.
    assert late_answer(context, uid) is False
    assert env.job(uid).state == "updated"


def test_update_under_slow_commit_is_looked_up_not_resent(org_env: Callable[..., LinkEnv],
                                                          context: AppContext) -> None:
    env = org_env()
    uid = missed_call(env)
    env.run()
    assert env.job(uid).state == "linked"
    late_answer(context, uid)
    env.org.inject_fault("slow_commit", count=1, match="/composite/sobjects", seconds=SLOW_S)
    before = writes(env.org)
    first = env.run()
    assert first[0].unknown == 1 and first[0].error is not None
    assert env.job(uid).state == "update_sending"
    assert env.job(uid).sent_revision == 2
    second = env.run()  # read back at once: not committed yet, so it is looked at again later, never resent
    assert second[0].checking == 1
    assert env.job(uid).state == "update_sending"
    time.sleep(SLOW_S + 0.5)
    env.advance(seconds=61)
    third = env.run()
    assert sum(r.updated for r in third) == 1
    assert env.job(uid).state == "updated"
    [task] = call_tasks(env.sf, uid)
    assert_answered(task)
    assert writes(env.org) == before + 1  # the PATCH was sent once


def test_a_leg_arriving_while_the_create_is_in_flight_is_not_lost(org_env: Callable[..., LinkEnv],
                                                                  context: AppContext) -> None:
    env = org_env()
    env.run()
    env.org.inject_fault("slow_commit", count=1, match="/composite", seconds=SLOW_S)
    uid = missed_call(env)
    env.run()
    assert env.job(uid).state == "sending"
    late_answer(context, uid)  # the Task being written carries revision 1
    assert env.job(uid).state == "sending"
    time.sleep(SLOW_S + 0.5)
    env.advance(seconds=61)
    env.run()
    job = env.job(uid)
    assert job.state == "updated", (job.state, job.error_message)
    [task] = call_tasks(env.sf, uid)
    assert_answered(task)


def test_a_live_call_is_not_linked_before_its_settle_window_passes(link_env: Callable[..., LinkEnv],
                                                                   context: AppContext) -> None:
    env = link_env()
    number = new_number()
    uid = env.add_call(number, started_at=START, duration_s=30, disposition="ANSWERED")
    with context.database.begin() as session:
        store_calls.apply_call_change(session, uid, settle_until=env.now + dt.timedelta(seconds=30))
    results = env.run()
    assert results[0].picked == 0
    assert env.job(uid).state == "pending"
    assert call_tasks(env.sf, uid) == []
    env.advance(seconds=29)
    env.run()
    assert env.job(uid).state == "pending"
    env.advance(seconds=2)  # the window has passed: the next step links it
    env.run()
    assert env.job(uid).state == "linked"
    assert len(call_tasks(env.sf, uid)) == 1


def test_an_update_waits_for_the_settle_window_too(link_env: Callable[..., LinkEnv], context: AppContext) -> None:
    env = link_env()
    uid = missed_call(env)
    env.run()
    with context.database.begin() as session:
        store_calls.apply_call_change(session, uid, disposition="ANSWERED", duration_s=95, to_agent_id="agent7",
                                      to_extension="207", ended_at=START + dt.timedelta(seconds=140),
                                      settle_until=env.now + dt.timedelta(seconds=30))
    env.run()
    assert env.job(uid).state == "update_pending"
    env.advance(seconds=31)
    env.run()
    assert env.job(uid).state == "updated"
    assert_answered(call_tasks(env.sf, uid)[0])


def test_recording_links_per_pbx_read_back(org_env: Callable[..., LinkEnv], context: AppContext) -> None:
    """A FreePBX-style template: the whole link in B_ServerIP__c (widened, as the README says), none for a call
    without a recording file or an unanswered one."""
    template = "https://pbx.example.jp/monitor/{start:%Y/%m/%d}/{recording_file}"
    context.config.save_system({"recording_url_template": template})
    env = org_env()
    env.org.set_field("Task", {"type": "string", "length": 255, "label": "サーバ IP"}, "B_ServerIP__c")
    number = new_number()
    env.sf.Contact.create({"LastName": "録音", "Phone": number})
    recorded = env.add_call(number, started_at=START, duration_s=40, disposition="ANSWERED",
                            recording_file="in-0312345678-201-20240501-100000-1714525200.12.wav")
    silent = env.add_call(number, started_at=START, duration_s=40, disposition="ANSWERED")
    busy = env.add_call(number, started_at=START, duration_s=0, disposition="BUSY",
                        recording_file="in-0312345678-201-20240501-100000-1714525200.13.wav")
    env.run()
    url = "https://pbx.example.jp/monitor/2024/05/01/in-0312345678-201-20240501-100000-1714525200.12.wav"
    [task] = call_tasks(env.sf, recorded)
    assert task["B_ServerIP__c"] == url and f"録音再生: {url}" in task["Description"]
    for uid in (silent, busy):
        [task] = call_tasks(env.sf, uid)
        assert task["B_ServerIP__c"] is None and "録音再生" not in task["Description"], uid
    [busy_task] = call_tasks(env.sf, busy)
    assert busy_task["Subject"].startswith("話中 ") and busy_task["CallDisposition"] == "BUSY"
    assert busy_task["CallDurationInSeconds"] == 0


def test_sync_once_updates_the_task_and_says_so(link_env: Callable[..., LinkEnv], context: AppContext) -> None:
    import io

    from biztel_desk.app import build_parser
    from biztel_desk.cli import run

    env = link_env()
    uid = missed_call(env)

    def sync_once() -> tuple[int, str]:
        args = build_parser().parse_args(["--data-dir", str(context.data_dir), "--lang", "ja", "sync", "--once"])
        out = io.StringIO()
        return run(args, stdin=io.StringIO(""), stdout=out, secrets=context.secrets), out.getvalue()

    code, out = sync_once()
    assert code == 0 and "linked\t1\n" in out and "updated" not in out
    late_answer(context, uid)
    code, out = sync_once()
    assert code == 0 and "updated\t1\n" in out and "linked\t0\n" in out
    assert env.job(uid).state == "updated"
    [task] = call_tasks(env.sf, uid)
    assert_answered(task)
    code, out = sync_once()
    assert "updated" not in out  # once


def test_a_locked_task_is_updated_after_its_backoff(link_env: Callable[..., LinkEnv], context: AppContext) -> None:
    env = link_env()
    uid = missed_call(env)
    env.run()
    late_answer(context, uid)
    env.org.inject_fault("lock_row", count=1, match="/composite/sobjects")
    env.run()
    job = env.job(uid)
    assert (job.state, job.error_code, job.attempts) == ("update_pending", "UNABLE_TO_LOCK_ROW", 1)
    assert job.next_retry_at is not None
    assert call_tasks(env.sf, uid)[0]["CallDisposition"] == "NO ANSWER"  # not yet
    env.run()
    assert env.job(uid).state == "update_pending"  # waits for its backoff
    env.advance(seconds=61)
    env.run()
    job = env.job(uid)
    assert (job.state, job.error_code, job.attempts) == ("updated", "", 0)
    assert_answered(call_tasks(env.sf, uid)[0])
