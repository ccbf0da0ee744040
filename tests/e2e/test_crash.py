"""Crash safety: SIGKILL ``biztel-desk sync`` at random moments while a backlog drains; every call ends linked once."""

from __future__ import annotations

import datetime as dt
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import COMPANY, account_for, fallback_account, org_client
from helpers.cli import cli_env as _env  # _env: the old name, imported by other test files
from helpers.dbswitch import open_database

from biztel_desk.devorg import seed_data
from biztel_desk.devorg.server import DevOrg
from biztel_desk.domain import phone
from biztel_desk.domain.call import CallRecord
from biztel_desk.domain.config import LinkSettingConfig, LinkTargetConfig, SecretKind
from biztel_desk.secrets import SecretStore
from biztel_desk.services.context import AppContext
from biztel_desk.store import calls as store_calls
from biztel_desk.store.models import LinkJob

CALLS = 600
KILLS = 20


def _prepare(org: DevOrg, data_dir: Path, rng: random.Random, calls: int = CALLS) -> list[str]:
    import keyring
    from file_keyring import FileKeyring

    previous = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    database = open_database(data_dir)
    try:
        context = AppContext(database=database, secrets=SecretStore())
        c = org.credentials
        context.config.save_account(account_for(org), secrets={SecretKind.PASSWORD: c["password"],
                                                              SecretKind.SECURITY_TOKEN: c["security_token"]})
        context.config.save_basic(LinkSettingConfig(
            name="本社", account="devorg", fallback_record_id=fallback_account(org_client(org)), api_consent=True,
            status="enabled", on_multiple_match="most_recent", on_no_match="create_lead",
            targets=(LinkTargetConfig(COMPANY),)))
        known = list(seed_data.canonical_numbers(seed_data.generate_demo(300, 0)))
        unknown = seed_data.unknown_numbers(40, 7, set(known))
        # Recent calls: a long-running sync purges history older than the retention period at start-up.
        start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=1)
        records = []
        for i in range(calls):
            number = rng.choice(unknown) if rng.random() < 0.15 else rng.choice(known)
            records.append(CallRecord(unique_id=f"crash-{i:05d}", from_number=number, to_number=COMPANY,
                                      started_at=start + dt.timedelta(minutes=i), direction="inbound"))
        with database.begin() as session:
            store_calls.add_calls(session, records)
        return [r.unique_id for r in records]
    finally:
        database.close()
        keyring.set_keyring(previous)


def _linked(data_dir: Path) -> int:
    database = open_database(data_dir)
    try:
        with database.read() as session:
            return session.query(LinkJob).filter(LinkJob.state == "linked").count()
    finally:
        database.close()


def _sync(data_dir: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        # --write-limit 0: the dev org commits a write before it answers (no slow_commit here), so a job a kill
        # left in ``sending`` whose Task is not found was not written; the final --once run can conclude it.
        [sys.executable, "-m", "biztel_desk", "--data-dir", str(data_dir), "--lang", "en", "sync", "--batch-size", "10",
         "--write-limit", "0", *args],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def test_sigkill_at_random_moments_links_every_call_exactly_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(4)
    data_dir = tmp_path / "data"
    env = _env(tmp_path)
    monkeypatch.setenv("BIZTEL_TEST_KEYRING", env["BIZTEL_TEST_KEYRING"])
    with DevOrg(seed="demo", records=300, latency_ms=15) as org:
        unique_ids = _prepare(org, data_dir, rng)
        kills = 0
        progress = []
        for _ in range(KILLS):
            process = _sync(data_dir, env)
            # Kill while it drains, whatever the machine's speed: wait until this run has linked something
            # (start-up, login and the journal check are done), then strike at a random moment shortly after.
            before = progress[-1] if progress else 0
            deadline = time.monotonic() + 20
            while process.poll() is None and _linked(data_dir) <= before and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(rng.random() * 0.15)
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                kills += 1
            process.communicate(timeout=30)
            progress.append(_linked(data_dir))
        final = _sync(data_dir, env, "--once")
        out, err = final.communicate(timeout=120)
        assert final.returncode == 0, err
        sf = org_client(org)
        tasks = sf.query_all("SELECT Id, CallObject, WhoId, WhatId FROM Task WHERE CallObject LIKE 'crash-%'")
        per_call = Counter(t["CallObject"] for t in tasks["records"])
        leads = sf.query_all("SELECT Id, Phone FROM Lead WHERE LeadSource = 'Phone'")["records"]
        lead_tasks = {t["WhoId"] for t in tasks["records"]}

    assert kills == KILLS
    # The kills hit a draining backlog, not an idle worker: most runs ended with work still left.
    print("linked after each kill:", progress)
    assert sum(1 for linked in progress if linked < CALLS) >= KILLS // 2, progress
    missing = [u for u in unique_ids if per_call[u] == 0]
    doubled = {u: n for u, n in per_call.items() if n > 1}
    assert not missing and not doubled, (missing[:5], doubled)
    # create_lead writes Lead + Task all or none: no Lead was left without its Task by a kill.
    assert all(lead["Id"] in lead_tasks for lead in leads)
    # One Lead per unknown number, whatever moment the kills hit (between the Lead's creation and the journal).
    per_number = Counter(phone.normalize(lead["Phone"]) for lead in leads)
    assert per_number and max(per_number.values()) == 1, per_number.most_common(3)
    database = open_database(data_dir)
    try:
        with database.read() as session:
            states = Counter(job.state for job in session.query(LinkJob))
    finally:
        database.close()
    assert states == Counter({"linked": CALLS})


def test_sync_once_prints_a_summary_and_exit_codes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir = tmp_path / "data"
    env = _env(tmp_path)
    monkeypatch.setenv("BIZTEL_TEST_KEYRING", env["BIZTEL_TEST_KEYRING"])
    with DevOrg(seed="demo", records=300) as org:
        _prepare(org, data_dir, random.Random(1), calls=30)
        process = _sync(data_dir, env, "--once")
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        assert "linked\t30\n" in out and "failed\t0\n" in out
        # A wrong password: the login is refused, the command says so and exits 2.
        keyring_file = Path(env["BIZTEL_TEST_KEYRING"])
        keyring_file.write_text(keyring_file.read_text(encoding="utf-8").replace(org.credentials["password"], "wrong"),
                                encoding="utf-8")
        _prepare_more(data_dir)
        process = _sync(data_dir, env, "--once")
        out, err = process.communicate(timeout=120)
        assert process.returncode == 2, (out, err)
        assert "cannot log in" in err


def _prepare_more(data_dir: Path) -> None:
    database = open_database(data_dir)
    try:
        with database.begin() as session:
            store_calls.add_calls(session, [CallRecord(unique_id="late-1", from_number="03-5555-0001", to_number=COMPANY,
                                                       started_at=dt.datetime(2024, 5, 2, tzinfo=dt.UTC),
                                                       direction="inbound")])
    finally:
        database.close()
