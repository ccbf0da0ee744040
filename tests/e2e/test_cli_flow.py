"""The admin's scripted day, only through the command line: settings import → set-secret → import → sync → history.

Each step is a real ``python -m biztel_desk`` subprocess against a dev org; the secrets go through the test-only
file keyring (tests/e2e/file_keyring.py, selected with PYTHON_KEYRING_BACKEND) since a subprocess cannot see an
in-memory one. The Tasks are read back from the org with simple-salesforce.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from conftest import COMPANY, fallback_account, org_client
from helpers.cli import cli_env as _env
from helpers.cli import provision, run_cli, settings_toml, sync_once

from biztel_desk.devorg.server import DevOrg

_cli = run_cli  # the old name, imported by other test files


def test_import_sync_and_history_through_the_cli(tmp_path: Path) -> None:
    env = _env(tmp_path)
    data_dir = tmp_path / "data"
    with DevOrg(seed="demo", records=300) as org:
        sf = org_client(org)
        contact = sf.Contact.create({"LastName": "CLI確認", "Phone": "03-3555-0199"})
        settings = tmp_path / "settings.toml"
        settings.write_text(settings_toml(org, fallback_account(sf), COMPANY), encoding="utf-8")
        provision(env, data_dir, settings, org)

        # Asterisk Master.csv (no header): accountcode, src, dst, dcontext, clid, channel, dstchannel, lastapp,
        # lastdata, start, answer, end, duration, billsec, disposition, amaflags, uniqueid, userfield
        day = (dt.datetime.now() - dt.timedelta(days=1)).strftime("%Y-%m-%d")
        rows = [
            f',0335550199,{COMPANY.replace("-", "")},from-pstn,"" <0335550199>,SIP/trunk-1,SIP/201-2,Dial,SIP/201,'
            f'{day} 10:00:00,{day} 10:00:05,{day} 10:03:05,185,180,ANSWERED,3,cli-flow-1,',
            f',0335550199,{COMPANY.replace("-", "")},from-pstn,"" <0335550199>,SIP/trunk-3,SIP/202-4,Dial,SIP/202,'
            f'{day} 11:00:00,{day} 11:00:03,{day} 11:01:03,63,60,ANSWERED,3,cli-flow-2,',
        ]
        master = tmp_path / "Master.csv"
        master.write_text("\n".join(rows) + "\n", encoding="utf-8")
        result = _cli(env, data_dir, "import", str(master), "--preset", "asterisk")
        assert result.returncode == 0, result.stderr

        result = sync_once(env, data_dir)
        assert "linked\t2\n" in result.stdout and "failed\t0\n" in result.stdout

        for unique_id in ("cli-flow-1", "cli-flow-2"):
            tasks = sf.query(f"SELECT WhoId, CallType, B_UniqueId__c, B_PhoneFrom__c FROM Task WHERE CallObject = '{unique_id}'")
            assert tasks["totalSize"] == 1
            task = tasks["records"][0]
            assert task["WhoId"] == contact["id"] and task["CallType"] == "Inbound"
            assert task["B_UniqueId__c"] == unique_id and task["B_PhoneFrom__c"] == "0335550199"

        result = _cli(env, data_dir, "history", "--format", "json")
        assert result.returncode == 0, result.stderr
        rows_out = json.loads(result.stdout)
        assert sorted(row["unique_id"] for row in rows_out) == ["cli-flow-1", "cli-flow-2"]
        assert {row["state"] for row in rows_out} == {"linked"}
