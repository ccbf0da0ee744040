"""Real PBX call records through the command line and the dev org (issue #9): ``biztel-desk import`` then
``sync --once``, and the Tasks read back with simple-salesforce — one Task per real call, with the call's start,
talk time, agent and numbers. The stored outcome is read from the local database the CLI wrote.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import COMPANY, fallback_account, org_client
from helpers.cli import cli_env as _env
from helpers.cli import provision, run_cli, settings_toml
from helpers.dbswitch import open_database
from simple_salesforce import Salesforce
from sqlalchemy import select
from test_pbx_legs import COLUMN_LISTS, EXPECTED, MAPPINGS, PBX, TIME_ZONES

from biztel_desk.devorg.server import DevOrg
from biztel_desk.store.models import Call

FIXTURE_DAYS = (b"2024-04-01", b"2024/04/01")


@pytest.fixture(scope="module")
def org() -> Iterator[DevOrg]:
    with DevOrg(seed="demo", records=50) as running:
        yield running


_cli = run_cli


def _set_up(tmp_path: Path, org: DevOrg, sf: Salesforce) -> tuple[dict[str, str], Path]:
    env, data_dir = _env(tmp_path), tmp_path / "data"
    settings = tmp_path / "settings.toml"
    settings.write_text(settings_toml(org, fallback_account(sf), COMPANY, "enabled = true\ndefault_outbound = true"),
                        encoding="utf-8")
    provision(env, data_dir, settings, org)
    return env, data_dir


def _recent(name: str, tmp_path: Path) -> tuple[Path, dt.date]:
    """The fixture with its day moved to yesterday (retention keeps only recent calls)."""
    day = dt.date.today() - dt.timedelta(days=1)
    copy = tmp_path / name
    data = (PBX / name).read_bytes()
    for written in FIXTURE_DAYS:
        data = data.replace(written, day.strftime(written.decode().replace("2024", "%Y").replace("04", "%m", 1).replace("01", "%d", 1)).encode())
    copy.write_bytes(data)
    return copy, day


def _tasks(sf: Salesforce, unique_id: str) -> list[dict[str, Any]]:
    fields = ("CallObject, CallType, CallDurationInSeconds, CallDisposition, Subject, B_CallStartDateTime__c, "
              "B_NaisenTo__c, B_NaisenFrom__c, B_PhoneFrom__c, B_PhoneTo__c")
    return list(sf.query_all(f"SELECT {fields} FROM Task WHERE CallObject = '{unique_id}'")["records"])


def _stored(data_dir: Path) -> dict[str, Call]:
    database = open_database(data_dir)  # the database the CLI uses (pytest --db)
    try:
        with database.read() as session:
            return {call.unique_id: call for call in session.scalars(select(Call))}
    finally:
        database.close()


def _linked(expected: tuple[Any, ...]) -> bool:
    """Calls the setting links: not internal, on the company number or (outbound) its default outbound number."""
    direction, company = expected[0], expected[8]
    return direction != "internal" and (company == "+81312345678" or (direction == "outbound" and company is None))


def _check(sf: Salesforce, data_dir: Path, calls: dict[str, tuple[Any, ...]], day: dt.date) -> None:
    stored = _stored(data_dir)
    if any(unique_id.startswith("gen-") for unique_id in calls):  # ids derived from the (moved) start: by order
        by_start = sorted(stored.values(), key=lambda call: call.started_at)
        ordered = sorted(calls.items(), key=lambda item: item[1][3])
        assert len(by_start) == len(ordered)
        calls = {call.unique_id: expected for (_, expected), call in zip(ordered, by_start, strict=True)}
        stored = {call.unique_id: call for call in by_start}
    assert sorted(stored) == sorted(calls)
    for unique_id, expected in calls.items():
        direction, outcome, talk, start, from_number, to_number, from_ext, to_ext, _ = expected
        assert (stored[unique_id].disposition, stored[unique_id].duration_s) == (outcome, talk)
        tasks = _tasks(sf, unique_id)
        if not _linked(expected):
            assert tasks == []
            continue
        assert len(tasks) == 1, unique_id  # one Task per real call, however many legs
        task = tasks[0]
        local = dt.datetime.combine(day, dt.time.fromisoformat(start), dt.timezone(dt.timedelta(hours=9)))
        # The REST API returns dateTime values as 2024-04-01T00:00:00.000+0000.
        assert dt.datetime.strptime(task["B_CallStartDateTime__c"], "%Y-%m-%dT%H:%M:%S.%f%z") == local
        assert task["CallDurationInSeconds"] == talk
        assert task["CallType"] == ("Inbound" if direction == "inbound" else "Outbound")
        assert (task["B_NaisenTo__c"] or "", task["B_NaisenFrom__c"] or "") == (to_ext, from_ext)
        if direction == "inbound":
            assert task["B_PhoneFrom__c"] == from_number and task["B_PhoneTo__c"] == to_number
        else:
            assert task["B_PhoneTo__c"] == to_number
            assert task["B_PhoneFrom__c"] == (from_number or COMPANY)  # else the 既定の発信番号 as the admin wrote it


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_through_the_cli_and_the_dev_org(tmp_path: Path, org: DevOrg, name: str) -> None:
    sf = org_client(org)
    env, data_dir = _set_up(tmp_path, org, sf)
    path, day = _recent(name, tmp_path)
    zone = TIME_ZONES.get(name, "Asia/Tokyo")
    options = (["--time-zone", zone] if zone else []) + (["--mapping", str(MAPPINGS[name])] if name in MAPPINGS else [])
    options += ["--columns", COLUMN_LISTS[name]] if name in COLUMN_LISTS else []
    result = _cli(env, data_dir, "import", str(path), *options)
    assert result.returncode == 0, result.stderr
    result = _cli(env, data_dir, "sync", "--once")
    assert result.returncode == 0, result.stderr
    assert "failed\t0\n" in result.stdout
    _check(sf, data_dir, EXPECTED[name], day)


def test_a_call_split_over_two_files_is_one_task(tmp_path: Path, org: DevOrg) -> None:
    sf = org_client(org)
    env, data_dir = _set_up(tmp_path, org, sf)
    first, day = _recent("split_1.csv", tmp_path)
    second, _ = _recent("split_2.csv", tmp_path)
    result = _cli(env, data_dir, "import", str(first), "--time-zone", "Asia/Tokyo")
    assert result.returncode == 0, result.stderr
    result = _cli(env, data_dir, "import", str(second), "--time-zone", "Asia/Tokyo")
    assert result.returncode == 0, result.stderr
    assert "imported 0, already known 0" in result.stdout and "updated 1" in result.stdout
    result = _cli(env, data_dir, "sync", "--once")
    assert result.returncode == 0, result.stderr
    expected = ("inbound", "ANSWERED", 61, "12:00:00", "0335550103", "0312345678", "", "202", "+81312345678")
    _check(sf, data_dir, {"1711940400.20": expected}, day)
    assert _stored(data_dir)["1711940400.20"].revision == 2


def test_a_leg_arriving_after_the_call_was_linked_updates_the_stored_call(tmp_path: Path) -> None:
    with DevOrg(seed="demo", records=50) as org:  # its own org: the module's already holds a Task of this call
        _leg_after_linking(tmp_path, org)


def _leg_after_linking(tmp_path: Path, org: DevOrg) -> None:
    sf = org_client(org)
    env, data_dir = _set_up(tmp_path, org, sf)
    first, _ = _recent("split_1.csv", tmp_path)
    second, _ = _recent("split_2.csv", tmp_path)
    assert _cli(env, data_dir, "import", str(first), "--time-zone", "Asia/Tokyo").returncode == 0
    result = _cli(env, data_dir, "sync", "--once")
    assert result.returncode == 0 and "linked\t1\n" in result.stdout, result.stdout + result.stderr
    [task] = _tasks(sf, "1711940400.20")
    assert task["CallDurationInSeconds"] == 0  # linked while only the missed legs were known
    result = _cli(env, data_dir, "import", str(second), "--time-zone", "Asia/Tokyo")
    assert result.returncode == 0 and "updated 1" in result.stdout, result.stdout + result.stderr
    call = _stored(data_dir)["1711940400.20"]
    assert (call.disposition, call.duration_s, call.to_extension, call.revision) == ("ANSWERED", 61, "202", 2)
    result = _cli(env, data_dir, "sync", "--once")
    assert result.returncode == 0 and "updated\t1\n" in result.stdout, result.stdout + result.stderr
    [task] = _tasks(sf, "1711940400.20")  # never a second Task for the same call
    # The Task written while the call looked missed now carries the answered leg (one PATCH, issue #9 item 1).
    assert task["CallDurationInSeconds"] == 61 and task["B_NaisenTo__c"] == "202", task
    assert task["CallDisposition"] == "ANSWERED" and "不在" not in task["Subject"], task
    result = _cli(env, data_dir, "history", "--format", "json")
    assert result.returncode == 0, result.stderr
    [row] = [r for r in json.loads(result.stdout) if r["unique_id"] == "1711940400.20"]
    assert (row["state"], row["outcome"]) == ("updated", "ANSWERED"), row
    # Nothing left to send: a further run updates nothing again.
    result = _cli(env, data_dir, "sync", "--once")
    assert result.returncode == 0 and "updated\t" not in result.stdout, result.stdout + result.stderr
