"""Exactly once without the local database's memory, through the command line against a dev org.

Asterisk's Master.csv is cumulative: importing it again after retention purged its calls used to write every Task
a second time, and so did two PCs with their own data directories importing the same file. Both, with and without
B_UniqueId__c as an External ID. The calls are 400 days old, so Salesforce has archived their Tasks (only
queryAll sees them) — and they are older than the retention period, so a headless sync purges them at start-up.
"""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import COMPANY, fallback_account, org_client
from helpers.cli import cli_env as _env
from helpers.cli import provision, settings_toml, sync_once
from helpers.cli import run_cli as _cli
from helpers.dbswitch import open_database
from sqlalchemy import func, select

from biztel_desk.devorg.server import DevOrg
from biztel_desk.store.models import Call

CALLS = 12
EXTERNAL_ID = {"type": "string", "length": 100, "label": "ユニーク ID", "externalId": True, "custom": True}


def _calls(data_dir: Path) -> int:
    database = open_database(data_dir)  # the database the CLI uses (pytest --db)
    try:
        with database.read() as session:
            return int(session.scalar(select(func.count()).select_from(Call)) or 0)
    finally:
        database.close()


_setup = provision  # settings import + set-secret


def _import_and_sync(env: dict[str, str], data_dir: Path, master: Path) -> None:
    result = _cli(env, data_dir, "import", str(master), "--preset", "asterisk")
    assert result.returncode == 0, result.stderr
    result = sync_once(env, data_dir)
    assert f"linked\t{CALLS}\n" in result.stdout, result.stdout


def _purge_with_a_headless_sync(env: dict[str, str], data_dir: Path) -> None:
    process = subprocess.Popen([sys.executable, "-m", "biztel_desk", "--data-dir", str(data_dir), "--lang", "en", "sync"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while _calls(data_dir) and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
        assert _calls(data_dir) == 0  # retention (90 days) purged the 400-day-old calls at start-up
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err


@pytest.mark.sqlite_only("a second data dir is a second SQLite database; with --db postgresql every CLI run uses the one test database")
@pytest.mark.parametrize("external_id", [False, True], ids=["plain", "external_id"])
def test_reimport_after_purge_and_a_second_data_dir_write_no_duplicate(tmp_path: Path, external_id: bool) -> None:
    env = _env(tmp_path)
    with DevOrg(seed="empty") as org:
        org.set_activity_archiving(365)
        if external_id:
            org.set_field("Task", EXTERNAL_ID, "B_UniqueId__c")
        sf = org_client(org)
        known = [f"0335550{i:03d}" for i in range(CALLS // 2)]
        for number in known:
            sf.Contact.create({"LastName": "既存", "Phone": number})
        settings = tmp_path / "settings.toml"
        settings.write_text(settings_toml(org, fallback_account(sf), COMPANY), encoding="utf-8")
        day = (dt.datetime.now() - dt.timedelta(days=400)).strftime("%Y-%m-%d")
        numbers = known + [f"0335551{i:03d}" for i in range(CALLS - len(known))]  # half unknown: fallback
        rows = [
            f',{number},{COMPANY.replace("-", "")},from-pstn,"" <{number}>,SIP/trunk-{i},SIP/201-{i},Dial,SIP/201,'
            f'{day} 10:{i:02d}:00,{day} 10:{i:02d}:05,{day} 10:{i:02d}:45,45,40,ANSWERED,3,cumulative-{i},'
            for i, number in enumerate(numbers)
        ]
        master = tmp_path / "Master.csv"
        master.write_text("\n".join(rows) + "\n", encoding="utf-8")

        first = tmp_path / "pc1"
        _setup(env, first, settings, org)
        _import_and_sync(env, first, master)
        _purge_with_a_headless_sync(env, first)
        _import_and_sync(env, first, master)  # the cumulative file again: the calls are new to this database

        second = tmp_path / "pc2"  # another PC, its own data directory, the same file
        _setup(env, second, settings, org)
        _import_and_sync(env, second, master)

        tasks = sf.query_all("SELECT Id, CallObject FROM Task WHERE CallObject LIKE 'cumulative-%' "
                             "AND IsDeleted = false", include_deleted=True)["records"]
        archived_hidden = sf.query("SELECT Id FROM Task WHERE CallObject LIKE 'cumulative-%'")["totalSize"]
    per_call = Counter(task["CallObject"] for task in tasks)
    assert per_call == Counter({f"cumulative-{i}": 1 for i in range(CALLS)}), per_call
    assert archived_hidden == 0  # the Tasks are archived: only queryAll (which the lookup uses) sees them


def test_sync_once_reports_calls_whose_send_is_being_confirmed(tmp_path: Path) -> None:
    env = _env(tmp_path)
    data_dir = tmp_path / "data"
    with DevOrg(seed="empty") as org:
        sf = org_client(org)
        settings = tmp_path / "settings.toml"
        settings.write_text(settings_toml(org, fallback_account(sf), COMPANY), encoding="utf-8")
        _setup(env, data_dir, settings, org)
        day = (dt.datetime.now() - dt.timedelta(days=1)).strftime("%Y-%m-%d")
        master = tmp_path / "Master.csv"
        master.write_text(f',0335552000,{COMPANY.replace("-", "")},from-pstn,"" <0335552000>,SIP/t-1,SIP/201-1,Dial,'
                          f'SIP/201,{day} 09:00:00,{day} 09:00:05,{day} 09:01:05,65,60,ANSWERED,3,confirm-1,\n',
                          encoding="utf-8")
        assert _cli(env, data_dir, "import", str(master), "--preset", "asterisk").returncode == 0
        org.inject_fault("http_503", count=1, match="/composite")  # a 5xx on the write: written or not, unknown
        result = _cli(env, data_dir, "sync", "--once")
        assert result.returncode == 1 and "sending\t1\n" in result.stdout, (result.stdout, result.stderr)
        assert "the next run checks them" in result.stderr
        writes = org.counters()["collection"]
        result = _cli(env, data_dir, "sync", "--once")  # within Salesforce's 10 minutes: still not sent again
        assert result.returncode == 1 and "sending\t1\n" in result.stdout
        assert org.counters()["collection"] == writes
        # The dev org commits before it answers (or fails): a zero limit concludes at once that nothing was written.
        result = _cli(env, data_dir, "sync", "--once", "--write-limit", "0")
        assert result.returncode == 0 and "linked\t1\n" in result.stdout, (result.stdout, result.stderr)
        tasks = sf.query_all("SELECT Id FROM Task WHERE CallObject = 'confirm-1'", include_deleted=True)["records"]
    assert len(tasks) == 1
