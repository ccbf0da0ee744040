"""The conformance kit itself: ``pytest tests/devorg --real-org`` skips cleanly without credentials and runs the
client-only contract tests against whatever org the BIZTEL_REAL_ORG_* variables name (here a dev org process
standing in for a real one, reached through BIZTEL_REAL_ORG_LOOPBACK)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from devorg_helpers import DEMO_RECORDS

from biztel_desk.devorg.server import DevOrg

ROOT = Path(__file__).resolve().parents[2]


def run_kit(env: dict[str, str], *paths: str) -> tuple[int, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BIZTEL_REAL_ORG_")}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "--real-org", *paths], cwd=ROOT,
                          env={**clean, **env}, capture_output=True, text=True, timeout=600)
    return done.returncode, done.stdout + done.stderr


def counts(output: str) -> dict[str, int]:
    return {kind: int(n) for n, kind in re.findall(r"(\d+) (passed|failed|skipped|error)", output)}


def test_without_credentials_everything_skips_cleanly() -> None:
    code, output = run_kit({}, "tests/devorg/test_devorg_read.py", "tests/devorg/test_devorg_writes.py")
    found = counts(output)
    assert code == 0 and set(found) == {"skipped"}, output
    assert "--real-org: no credentials" in output and "--real-org: needs the dev org itself" in output


def test_client_only_contract_tests_run_against_the_named_org(make_org: Callable[..., DevOrg]) -> None:
    org = make_org(seed="demo", records=DEMO_RECORDS)
    c = org.credentials
    env = {"BIZTEL_REAL_ORG_USERNAME": c["username"], "BIZTEL_REAL_ORG_PASSWORD": c["password"],
           "BIZTEL_REAL_ORG_TOKEN": c["security_token"], "BIZTEL_REAL_ORG_LOOPBACK": org.url}
    before = org.counters()["total"]
    code, output = run_kit(env, "tests/devorg")
    found = counts(output)
    assert code == 0 and found.get("failed", 0) == 0 and found.get("passed", 0) >= 30, output
    assert org.counters()["total"] > before  # they really talked to this org
    # Dev-org-only tests (faults, seeds, the engines in-process) were skipped, with the reason.
    assert "--real-org: seed data" in output and "--real-org: needs the dev org itself" in output
