"""The devorg command as a process, loopback-only binding, and --state persistence across restarts."""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from devorg_helpers import soap_client
from simple_salesforce import Salesforce

from biztel_desk.devorg.cli import add_arguments, run
from biztel_desk.devorg.server import DevOrg, NonLoopbackHost
from biztel_desk.devorg.transport import loopback_session


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "biztel_desk.devorg", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8")


def test_command_prints_credentials_and_stops_on_sigterm() -> None:
    process = _start("--port", "0", "--seed", "empty")
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        info = json.loads(line)
        assert set(info) >= {"url", "username", "password", "security_token", "consumer_key", "consumer_secret",
                             "org_id"}
        assert info["url"].startswith("http://127.0.0.1:") and info["org_id"].startswith("00D")
        sf = Salesforce(username=info["username"], password=info["password"], security_token=info["security_token"],
                        session=loopback_session(info["url"], timeout=10), version="59.0")
        assert sf.query("SELECT COUNT() FROM Contact")["totalSize"] == 0
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_command_refuses_a_non_loopback_host() -> None:
    result = subprocess.run([sys.executable, "-m", "biztel_desk.devorg", "--host", "0.0.0.0", "--seed", "bare"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "loopback" in result.stderr and result.stdout == ""


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com", "::", "::1"])
def test_devorg_refuses_non_loopback_addresses(host: str) -> None:
    with pytest.raises(NonLoopbackHost):
        DevOrg(seed="bare", host=host)


def test_run_refuses_non_loopback_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    assert run(parser.parse_args(["--host", "10.0.0.1"])) == 2
    assert "loopback" in capsys.readouterr().err


def test_localhost_binds_127_0_0_1(make_org: Callable[..., DevOrg]) -> None:
    org = make_org(host="localhost")
    assert org.url.startswith("http://127.0.0.1:")


def test_state_file_keeps_records_schema_and_ids_across_restarts(tmp_path: Path) -> None:
    state = tmp_path / "org.sqlite"
    with DevOrg(seed="demo", records=60, state_path=state) as first:
        sf = soap_client(first)
        org_id = first.org_id
        contacts = sf.query("SELECT COUNT() FROM Contact")["totalSize"]
        created = sf.Task.create({"Subject": "永続", "B_CallStartDateTime__c": "2024-01-02T03:04:05.678Z",
                                  "ActivityDate": "2024-01-02"})["id"]
        deleted = sf.Account.create({"Name": "消える"})["id"]
        sf.Account.delete(deleted)
        first.add_custom_object("Memo__c", "メモ", [{"name": "Body__c", "type": "textarea", "length": 1000}])
    with DevOrg(seed="demo", records=60, state_path=state) as second:
        sf = soap_client(second)
        assert second.org_id == org_id
        assert sf.query("SELECT COUNT() FROM Contact")["totalSize"] == contacts
        task = sf.Task.get(created)
        assert (task["Subject"], task["B_CallStartDateTime__c"], task["ActivityDate"]) == (
            "永続", "2024-01-02T03:04:05.678+0000", "2024-01-02")
        assert sf.query_all(f"SELECT IsDeleted FROM Account WHERE Id = '{deleted}'",
                            include_deleted=True)["records"][0]["IsDeleted"] is True
        assert "Body__c" in {f["name"] for f in sf.Memo__c.describe()["fields"]}
        newer = sf.Task.create({"Subject": "次"})["id"]
        assert newer != created and newer > created
