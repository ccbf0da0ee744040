"""End-to-end tests through the real command line: ``python -m biztel_desk`` in a subprocess, secrets in a file keyring.

The repeated set-up of those tests in one place: the environment, a settings TOML for a dev org, provisioning a data
dir (``settings import`` + ``account set-secret``), ``import`` and ``sync --once``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from biztel_desk.devorg.server import DevOrg

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
E2E = TESTS / "e2e"  # file_keyring.py: a subprocess cannot see the test's in-memory keyring


def cli_env(tmp_path: Path) -> dict[str, str]:
    """The subprocess's environment: secrets in ``tmp_path/keyring.json`` (tests/e2e/file_keyring.py)."""
    env = dict(os.environ)
    env["BIZTEL_TEST_KEYRING"] = str(tmp_path / "keyring.json")
    env["PYTHON_KEYRING_BACKEND"] = "file_keyring.FileKeyring"
    env["PYTHONPATH"] = os.pathsep.join([str(E2E), str(ROOT), env.get("PYTHONPATH", "")])
    return env


def run_cli(env: dict[str, str], data_dir: Path, *args: str, stdin: str | None = None,
            lang: str = "en") -> subprocess.CompletedProcess[str]:
    """``biztel-desk --data-dir DATA_DIR --lang LANG ARGS…`` to its end (at most 180 s), output captured."""
    return subprocess.run(
        [sys.executable, "-m", "biztel_desk", "--data-dir", str(data_dir), "--lang", lang, *args],
        env=env, input=stdin, capture_output=True, text=True, timeout=180,
    )


def settings_toml(org: DevOrg, fallback: str, company: str, target: str = "enabled = true") -> str:
    """One password account ``devorg`` on ``org``, one enabled setting ``本社`` with ``company`` (``target``: its keys)."""
    return (
        f'[[accounts]]\nname = "devorg"\nusername = "{org.credentials["username"]}"\nlogin_host = "{org.url}"\n\n'
        f'[[settings]]\nname = "本社"\naccount = "devorg"\nfallback_record_id = "{fallback}"\n'
        f'api_consent = true\nstatus = "enabled"\n\n[[settings.targets]]\nnumber = "{company}"\n{target}\n'
    )


def provision(env: dict[str, str], data_dir: Path, settings: Path, org: DevOrg) -> None:
    """``settings import SETTINGS``, then the dev org's password and security token into the keyring."""
    result = run_cli(env, data_dir, "settings", "import", str(settings))
    assert result.returncode == 0, result.stderr
    for kind in ("password", "security_token"):
        result = run_cli(env, data_dir, "account", "set-secret", "devorg", kind, stdin=org.credentials[kind] + "\n")
        assert result.returncode == 0, result.stderr


def sync_once(env: dict[str, str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    """``sync --once``, which must exit 0 (the caller checks its report)."""
    result = run_cli(env, data_dir, "sync", "--once")
    assert result.returncode == 0, result.stderr
    return result
