"""Nothing dropped: calls on an unticked number or an unknown DID stay visible as 対象外, and are linked once later.

Only through the command line against a dev org (as test_cli_flow): import a FreePBX CDR export whose calls
arrive on a number not ticked yet and on a DID the PBX writes in its local form (211553); the import names the
unknown number; the history shows both calls as excluded with their reasons; after the number is ticked and
211553 made its alias, `relink` turns them into waiting jobs and `sync` writes one Task per call — twice run,
still one Task per call.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from conftest import COMPANY, fallback_account, org_client
from helpers.cli import cli_env as _env
from helpers.cli import provision, settings_toml
from helpers.cli import run_cli as _cli

from biztel_desk.devorg.server import DevOrg

HEADER = ("calldate,clid,src,dst,dcontext,channel,dstchannel,lastapp,lastdata,duration,billsec,disposition,amaflags,"
          "accountcode,uniqueid,userfield,did,recordingfile,cnum,cnam,outbound_cnum,outbound_cnam,dst_cnam,linkedid,"
          "peeraccount,sequence")


def _row(day: str, time: str, uniqueid: str, did: str, caller: str = "0335550299") -> str:
    return (f'{day} {time},"""Caller"" <{caller}>",{caller},201,from-did-direct,PJSIP/trunk-1,PJSIP/201-2,Dial,'
            f'"PJSIP/201,20",125,120,ANSWERED,3,,{uniqueid},,{did},,{caller},Caller,,,,{uniqueid},,1')


def _settings(org: DevOrg, fallback: str, target: str) -> str:
    return settings_toml(org, fallback, COMPANY, target)


def test_excluded_calls_are_visible_and_linked_once_after_the_number_is_ticked(tmp_path: Path) -> None:
    env = _env(tmp_path)
    data_dir = tmp_path / "data"
    with DevOrg(seed="demo", records=300) as org:
        sf = org_client(org)
        contact = sf.Contact.create({"LastName": "再連携確認", "Phone": "03-3555-0299"})
        fallback = fallback_account(sf)
        settings = tmp_path / "settings.toml"
        settings.write_text(_settings(org, fallback, "enabled = false"), encoding="utf-8")
        provision(env, data_dir, settings, org)

        day = (dt.datetime.now() - dt.timedelta(days=1)).strftime("%Y-%m-%d")
        cdr = tmp_path / "cdr.csv"
        cdr.write_text("\n".join([
            HEADER,
            _row(day, "09:00:00", "1711929600.21", COMPANY.replace("-", "")),  # the number, not ticked yet
            _row(day, "10:00:00", "1711929600.22", "211553"),  # the same line as the PBX writes its DID
            _row(day, "11:00:00", "1711929600.23", "211553"),
        ]) + "\n", encoding="utf-8")
        result = _cli(env, data_dir, "import", str(cdr))
        assert result.returncode == 0, result.stderr
        # The unknown DID is named with its count, never silent.
        assert "unregistered company numbers 本社: 2 calls will not be linked (211553: 2)" in result.stdout
        assert "Excluded 3" in result.stdout

        result = _cli(env, data_dir, "history", "--state", "excluded", "--format", "json")
        assert result.returncode == 0, result.stderr
        rows = {row["unique_id"]: row for row in json.loads(result.stdout)}
        assert set(rows) == {"1711929600.21", "1711929600.22", "1711929600.23"}
        assert rows["1711929600.21"]["error_code"] == "number_unchecked"
        assert rows["1711929600.22"]["error_code"] == "unknown_number"
        result = _cli(env, data_dir, "history", "--state", "excluded", "--format", "csv")
        assert "Excluded (Number not ticked)" in result.stdout and "Excluded (Unregistered number)" in result.stdout

        result = _cli(env, data_dir, "sync", "--once")
        assert result.returncode == 0, result.stderr
        assert "linked\t0\n" in result.stdout  # excluded jobs are never sent
        assert sf.query("SELECT Id FROM Task WHERE CallObject LIKE '1711929600.2%'")["totalSize"] == 0

        # Tick the number and make 211553 its alias, then link the past calls.
        settings.write_text(_settings(org, fallback, 'enabled = true\naliases = ["211553"]'), encoding="utf-8")
        result = _cli(env, data_dir, "settings", "import", str(settings))
        assert result.returncode == 0, result.stderr
        result = _cli(env, data_dir, "settings", "export", "-")
        assert 'aliases = ["211553"]' in result.stdout
        result = _cli(env, data_dir, "relink", "--setting", "本社", "--dry-run")
        assert "3 past calls can be linked" in result.stdout, result.stdout + result.stderr
        result = _cli(env, data_dir, "relink", "--setting", "本社", "--number", COMPANY)
        assert result.returncode == 0, result.stderr
        assert "3 past calls will be linked (Waiting)" in result.stdout  # the 状態 column's word

        for _ in range(2):  # twice: the second run (and a second relink) must write nothing new
            result = _cli(env, data_dir, "sync", "--once")
            assert result.returncode == 0, result.stderr
            result = _cli(env, data_dir, "relink", "--setting", "本社")
            assert "no past call to link" in result.stdout
        for unique_id in ("1711929600.21", "1711929600.22", "1711929600.23"):
            tasks = sf.query(f"SELECT WhoId, CallType FROM Task WHERE CallObject = '{unique_id}'")
            assert tasks["totalSize"] == 1, unique_id
            assert tasks["records"][0]["WhoId"] == contact["id"]
            assert tasks["records"][0]["CallType"] == "Inbound"
        result = _cli(env, data_dir, "history", "--format", "json")
        assert {row["state"] for row in json.loads(result.stdout)} == {"linked"}
