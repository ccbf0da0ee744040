"""The phone index stays true (issue #10 item 4): late commits, purged and hidden records, SOSL before a
no-match policy, Person Accounts — the link engine against the dev org over real HTTP."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from conftest import COMPANY, LinkEnv, account_for, fallback_account, org_client, store_secrets
from sqlalchemy import select

from biztel_desk.devorg.seed_data import unknown_numbers
from biztel_desk.devorg.server import DevOrg
from biztel_desk.domain.config import DEFAULT_OBJECTS, LinkObjectConfig, LinkSettingConfig, LinkTargetConfig
from biztel_desk.engine.linker import EngineOptions
from biztel_desk.services.context import AppContext
from biztel_desk.store.models import PhoneIndexEntry, PhoneIndexState

_rng = random.Random(20261204)


def new_number() -> str:
    return unknown_numbers(1, _rng.randrange(10**12), set())[0]


def spent_since(org: DevOrg, before: dict[str, int]) -> dict[str, int]:
    return {k: v - before.get(k, 0) for k, v in org.counters().items() if v != before.get(k, 0)}


def indexed_ids(env: LinkEnv) -> set[str]:
    with env.context.database.read() as session:
        return set(session.scalars(select(PhoneIndexEntry.record_id)))


def late_commit(org: DevOrg, object_name: str, values: dict[str, Any], stamped: dt.datetime) -> str:
    """A record committed now by a transaction that began at ``stamped``: its SystemModstamp is that old.

    Salesforce stamps rows inside the transaction and they become visible at commit (SALESFORCE.md
    "Replication"); the dev org's seeding path writes exactly such a row.
    """
    values = org.store.decode(org.store.objects[object_name], values)
    record_id = org.store.create(object_name, {**values, "CreatedDate": stamped, "LastModifiedDate": stamped},
                                 org.store.user_id, seeding=True)
    org.store.flush()
    return record_id


def leads_with(env: LinkEnv, number: str) -> list[dict[str, Any]]:
    return list(env.sf.query_all(f"SELECT Id FROM Lead WHERE Phone = '{number}'")["records"])


# --- a miss is confirmed by SOSL ---------------------------------------------------------------------------------


def test_record_created_after_the_index_was_built_is_matched_not_the_fallback(
        link_env: Callable[..., LinkEnv], link_org: DevOrg, context: AppContext) -> None:
    # An hour-old index counts as fresh and the re-check on a miss is off: only SOSL can find the new Contact.
    context.config.save_system({"phone_index_max_age_s": 3600, "phone_index_miss_refresh_s": 0})
    env = link_env()
    env.options = EngineOptions(index_max_age_s=None)
    env.add_call(new_number())
    env.run()  # builds the index
    number = new_number()
    contact = env.sf.Contact.create({"LastName": "索引後", "Phone": number})["id"]
    env.advance(minutes=5)
    before = link_org.counters()
    uid = env.add_call(number)
    env.run()
    spent = spent_since(link_org, before)
    job = env.job(uid)
    assert (job.state, job.record_id) == ("linked", contact), job.match_reason
    assert [t["WhoId"] for t in env.tasks(uid)] == [contact]  # one Task, on the Contact, none on the fallback
    # One search; the one query is the Task lookup before a first send (no External ID in this org).
    assert spent.get("search") == 1 and spent.get("query", 0) <= 1, spent
    # The hit went into the index: the next call from that number needs no search.
    before = link_org.counters()
    again = env.add_call(number)
    env.run()
    assert env.job(again).record_id == contact
    assert "search" not in spent_since(link_org, before)


def test_an_unknown_number_is_searched_once_per_confirm_ttl(link_env: Callable[..., LinkEnv],
                                                          link_org: DevOrg) -> None:
    env = link_env(on_no_match="skip")
    env.add_call(new_number())
    env.run()
    unknown = new_number()
    searches = []
    for minutes in (0, 1, 4, 2):  # calls at 0, 1, 5 and 7 min from one unknown number; CONFIRM_TTL = 5 min
        env.advance(minutes=minutes)
        before = link_org.counters()
        uid = env.add_call(unknown)
        env.run()
        assert env.job(uid).state == "skipped"
        searches.append(spent_since(link_org, before).get("search", 0))
    assert searches == [1, 0, 1, 0]  # at 5 min the answer has expired: searched again, then kept till 10


def test_one_search_confirms_the_unknown_numbers_of_the_whole_backlog(link_env: Callable[..., LinkEnv],
                                                                    link_org: DevOrg) -> None:
    env = link_env(on_no_match="skip")
    env.options = EngineOptions(index_max_age_s=0, batch_size=20)
    env.add_call(new_number())
    env.run()
    numbers = [new_number() for _ in range(59)]
    before = link_org.counters()
    uids = [env.add_call(n) for n in numbers]
    # The last call's Contact is older than the index's overlap: only a search can find it.
    late = link_org.store.now() - dt.timedelta(minutes=30)
    stale = late_commit(link_org, "Contact", {"LastName": "後続の古い", "Phone": (old := new_number())}, late)
    uids.append(env.add_call(old))
    env.run()  # three batches of 20
    spent = spent_since(link_org, before)
    assert spent.get("search") == 1, spent  # the first batch's search covered the next two batches' numbers
    assert [env.job(u).state for u in uids[:-1]] == ["skipped"] * 59
    assert env.job(uids[-1]).record_id == stale


def test_a_non_searchable_object_is_left_out_of_the_search(link_env: Callable[..., LinkEnv], link_org: DevOrg) -> None:
    name = "NoSearch__c"
    if name not in link_org.store.objects:
        link_org.add_custom_object(name, "検索不可", [{"name": "Phone__c", "type": "phone"}], allow_activities=True)
    link_org.set_searchable(name, False)
    prefix = link_org.store.objects[name].key_prefix
    env = link_env(objects=(*DEFAULT_OBJECTS, LinkObjectConfig(name, "検索不可", prefix, 4)))
    env.add_call(new_number())
    env.run()  # the index mirrors all four objects
    number = new_number()
    contact = late_commit(link_org, "Contact", {"LastName": "検索可", "Phone": number},
                          link_org.store.now() - dt.timedelta(minutes=30))
    uid = env.add_call(number)
    results = env.run()
    assert all(r.error is None for r in results), results  # the search did not fail on NoSearch__c
    assert env.job(uid).record_id == contact


def test_late_commit_beyond_the_overlap_never_creates_a_lead(link_env: Callable[..., LinkEnv],
                                                             link_org: DevOrg) -> None:
    env = link_env(on_no_match="create_lead")
    env.add_call(new_number())
    env.run()  # builds the index
    number = new_number()
    # Committed now, stamped 30 min ago (a long transaction): the incremental read (newest stamp − 10 min)
    # cannot see it, and the call arrives before the next reconcile.
    old = link_org.store.now() - dt.timedelta(minutes=30)
    contact = late_commit(link_org, "Contact", {"LastName": "長い取引", "Phone": number}, old)
    uid = env.add_call(number)
    env.run()
    assert (env.job(uid).state, env.job(uid).record_id) == ("linked", contact), env.job(uid).match_reason
    assert leads_with(env, number) == []


def test_long_transaction_within_the_overlap_is_read_incrementally(link_env: Callable[..., LinkEnv],
                                                                   link_org: DevOrg) -> None:
    env = link_env()  # index_max_age_s = 0: an incremental refresh before every batch
    env.add_call(new_number())
    env.run()
    env.sf.Contact.create({"LastName": "新しい", "Phone": new_number()})  # the newest stamp the index has read
    env.add_call(new_number())
    env.run()
    number = new_number()
    old = link_org.store.now() - dt.timedelta(minutes=5)
    contact = late_commit(link_org, "Contact", {"LastName": "五分前", "Phone": number}, old)
    before = link_org.counters()
    uid = env.add_call(number)
    env.run()
    assert env.job(uid).record_id == contact
    assert "search" not in spent_since(link_org, before)  # found by the refresh, not by the SOSL safety net


# --- the periodic full reconcile ----------------------------------------------------------------------------------


def test_reconcile_drops_purged_and_invisible_records_daily_and_at_start_up(
        link_env: Callable[..., LinkEnv], link_org: DevOrg, context: AppContext) -> None:
    env = link_env(on_no_match="skip")
    purged_number, hidden_number = new_number(), new_number()
    purged = env.sf.Contact.create({"LastName": "完全削除", "Phone": purged_number})["id"]
    hidden = env.sf.Contact.create({"LastName": "共有外", "Phone": hidden_number})["id"]
    env.add_call(new_number())
    env.run()  # first load: both are indexed
    assert {purged, hidden} <= indexed_ids(env)
    link_org.purge(purged)  # gone from the Recycle Bin: queryAll no longer shows it
    link_org.set_record_visible(hidden, False)  # sharing changed: the user no longer sees it
    try:
        env.advance(hours=23)
        env.add_call(new_number())
        env.run()  # incremental refreshes cannot know
        assert {purged, hidden} <= indexed_ids(env)
        # A new process (start-up) 25 h after the last full read: its first batch reconciles.
        env.close()
        env._engine = None
        env.advance(hours=2)
        before = link_org.counters()
        env.add_call(new_number())
        env.run()
        spent = spent_since(link_org, before)
        assert not ({purged, hidden} & indexed_ids(env))
        # One full read per object (3) plus the closed Task status a new engine reads once.
        assert spent.get("query", 0) <= 4, spent
        with context.database.read() as session:
            stamps = set(session.scalars(select(PhoneIndexState.reconciled_at)))
        assert stamps == {env.now}
        # The next day's batch reconciles again; in between, none does.
        env.advance(hours=12)
        before = link_org.counters()
        env.add_call(new_number())
        env.run()
        with context.database.read() as session:
            assert set(session.scalars(select(PhoneIndexState.reconciled_at))) == {env.now - dt.timedelta(hours=12)}
        # A call from the purged number: not matched through a stale entry (the policy here is skip).
        uid = env.add_call(purged_number)
        env.run()
        assert env.job(uid).state == "skipped" and env.tasks(uid) == []
    finally:
        link_org.set_record_visible(hidden, True)


def test_reconcile_interval_comes_from_the_system_settings(link_env: Callable[..., LinkEnv], link_org: DevOrg,
                                                           context: AppContext) -> None:
    context.config.save_system({"phone_index_reconcile_hours": 2})
    env = link_env()
    env.add_call(new_number())
    env.run()
    gone = env.sf.Contact.create({"LastName": "二時間", "Phone": new_number()})["id"]
    env.add_call(new_number())
    env.run()
    assert gone in indexed_ids(env)
    link_org.purge(gone)
    env.advance(hours=2, seconds=1)
    env.add_call(new_number())
    env.run()
    assert gone not in indexed_ids(env)


# --- Person Accounts ---------------------------------------------------------------------------------------------


def test_a_person_account_is_one_candidate(context: AppContext) -> None:
    with DevOrg(seed="empty") as org:
        org.enable_person_accounts()
        number = new_number()
        account, contact = org.create_person_account("山田", "花子", PersonMobilePhone=number)
        sf = org_client(org)
        context.config.save_account(account_for(org))
        store_secrets(context, org)
        fallback = fallback_account(sf)
        setting = LinkSettingConfig(name="個人", account="devorg", fallback_record_id=fallback, api_consent=True,
                                    status="enabled", targets=(LinkTargetConfig(COMPANY),), on_multiple_match="all")
        context.config.save_basic(setting)
        # Both the index and the SOSL path see the Account (PersonMobilePhone) and its Contact (MobilePhone).
        for options in (EngineOptions(index_max_age_s=0), EngineOptions(use_index=False)):
            env = LinkEnv(context, org, sf, "個人", fallback, options=options)
            try:
                uid = env.add_call(number)
                env.run()
                tasks = env.tasks(uid)
                # "all" links every match: one person gives one Task, on the preferred object (Account, 1st).
                assert [(t["WhatId"], t["WhoId"]) for t in tasks] == [(account, None)], (options, tasks)
                assert env.job(uid).record_id == account
            finally:
                env.close()
        # Contact first in the setting's priority: the same person is matched on the person Contact.
        objects = tuple(replace(o, priority={"Contact": 1, "Account": 2}.get(o.api_name, 3))
                        for o in setting.objects)
        context.config.save_objects("個人", list(objects))
        env = LinkEnv(context, org, sf, "個人", fallback)
        try:
            uid = env.add_call(number)
            env.run()
            assert [t["WhoId"] for t in env.tasks(uid)] == [contact]
        finally:
            env.close()
