"""The benchmarks' dev org: ``biztel-desk devorg`` in its own process (its CPU does not compete with the app's parts),
and the link profile on it — the account ``devorg`` and the setting 本社 (the org's 登録情報なし Account as fallback).

Used by link_backlog, cdr_db_bench, setup_org_bench and task_updates_bench (run from ``bench/``: the script's folder
is on sys.path).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from simple_salesforce import Salesforce

from biztel_desk.devorg.transport import loopback_session
from biztel_desk.domain.config import AccountConfig, LinkSettingConfig, LinkTargetConfig, SecretKind
from biztel_desk.services.context import AppContext

ROOT = Path(__file__).resolve().parents[1]
COMPANY = "03-1234-5678"


@contextmanager
def devorg_process(*, latency_ms: float, records: int | None = None, seed: str | None = None) -> Iterator[dict[str, Any]]:
    """Run the dev org (``--records`` demo records, or ``--seed``) with ``latency_ms`` on every REST call; yields what
    it prints on start (url, username, password, security_token) and stops it on leaving."""
    command = [sys.executable, "-m", "biztel_desk", "devorg", "--latency-ms", str(latency_ms)]
    if records is not None:
        command += ["--records", str(records)]
    if seed is not None:
        command += ["--seed", seed]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert process.stdout is not None
        yield json.loads(process.stdout.readline())
    finally:
        process.terminate()
        process.wait(timeout=30)


def client(info: dict[str, Any]) -> Salesforce:
    return Salesforce(username=info["username"], password=info["password"], security_token=info["security_token"],
                      domain="login", session=loopback_session(info["url"], timeout=60), version="59.0")


def save_profile(context: AppContext, info: dict[str, Any], **setting: Any) -> None:
    """Save the account ``devorg`` (secrets in ``context``'s keyring) and the link setting 本社 on the dev org.

    ``setting`` overrides LinkSettingConfig's fields; without ``fallback_record_id`` the org's 登録情報なし Account is
    looked up (one query)."""
    context.config.save_account(
        AccountConfig(name="devorg", username=info["username"], login_host=info["url"]),
        secrets={SecretKind.PASSWORD: info["password"], SecretKind.SECURITY_TOKEN: info["security_token"]})
    if "fallback_record_id" not in setting:
        records = client(info).query("SELECT Id FROM Account WHERE Name = '登録情報なし'")["records"]
        setting["fallback_record_id"] = records[0]["Id"]
    fields: dict[str, Any] = {"name": "本社", "account": "devorg", "api_consent": True,
                              "targets": (LinkTargetConfig(COMPANY),), **setting}
    context.config.save_basic(LinkSettingConfig(**fields))
