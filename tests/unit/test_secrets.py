"""Secrets: only the keyring holds them; never the database, repr or logs. Real-keyring tests run in CI."""

from __future__ import annotations

import io
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from biztel_desk.app import build_parser
from biztel_desk.cli import run
from biztel_desk.domain.config import AccountConfig, SecretKind
from biztel_desk.secrets import KeyringBackend, MemoryBackend, SecretStore
from biztel_desk.services.context import AppContext


def test_secret_repr_hides_value() -> None:
    store = SecretStore(MemoryBackend())
    store.set_account_secret("a", SecretKind.PASSWORD, "s3cr3t-value")
    secret = store.get_account_secret("a", "password")
    assert secret == "s3cr3t-value"
    assert "s3cr3t" not in repr(secret) and "s3cr3t" not in repr([secret])


def test_account_secrets_never_reach_the_database(context: AppContext, data_dir: Path) -> None:
    context.config.save_account(
        AccountConfig(name="devorg", username="admin@example.com"),
        secrets={SecretKind.PASSWORD: "PW-9f8e7d6c", SecretKind.SECURITY_TOKEN: "TK-1a2b3c4d"},
    )
    context.database.engine.dispose()  # flush WAL into the file before reading raw bytes
    raw = b"".join(path.read_bytes() for path in data_dir.iterdir() if path.is_file())
    assert b"PW-9f8e7d6c" not in raw and b"TK-1a2b3c4d" not in raw
    assert context.secrets.get_account_secret("devorg", "security_token") == "TK-1a2b3c4d"


def test_rename_and_delete_move_secrets(context: AppContext) -> None:
    context.config.save_account(AccountConfig(name="a", username="u@example.com"), secrets={SecretKind.PASSWORD: "pw"})
    context.config.save_account(AccountConfig(name="b", username="u@example.com"), original_name="a")
    assert context.secrets.get_account_secret("b", "password") == "pw"
    assert context.secrets.get_account_secret("a", "password") is None
    context.config.delete_account("b")
    assert context.secrets.get_account_secret("b", "password") is None


def test_set_secret_command_reads_stdin(context: AppContext, data_dir: Path) -> None:
    context.config.save_account(AccountConfig(name="devorg", username="admin@example.com"))
    args = build_parser().parse_args(["--data-dir", str(data_dir), "--lang", "en", "account", "set-secret", "devorg", "password"])
    assert run(args, stdin=io.StringIO("pw-from-stdin\n"), secrets=context.secrets) == 0
    assert context.secrets.get_account_secret("devorg", "password") == "pw-from-stdin"
    args = build_parser().parse_args(["--data-dir", str(data_dir), "account", "set-secret", "nosuch", "password"])
    assert run(args, stdin=io.StringIO("x"), secrets=context.secrets) == 1
    args = build_parser().parse_args(["--data-dir", str(data_dir), "account", "set-secret", "devorg", "password"])
    assert run(args, stdin=io.StringIO(""), secrets=context.secrets) == 2


@pytest.mark.real_keyring
def test_real_os_keyring_round_trip() -> None:
    backend = KeyringBackend(service="biztel-desk-test")
    key = f"test:{uuid.uuid4()}"
    backend.set(key, "値-value-🔑")
    try:
        assert backend.get(key) == "値-value-🔑"
    finally:
        backend.delete(key)
    assert backend.get(key) is None


@pytest.mark.real_keyring
def test_cli_stores_secret_in_the_real_keyring(tmp_path: Path) -> None:
    name = f"acct-{uuid.uuid4().hex[:8]}"
    toml = f'[[accounts]]\nname = "{name}"\nusername = "a@example.com"\n'
    (tmp_path / "s.toml").write_text(toml, encoding="utf-8")
    base = [sys.executable, "-m", "biztel_desk", "--data-dir", str(tmp_path / "d")]
    subprocess.run([*base, "settings", "import", str(tmp_path / "s.toml")], check=True)
    result = subprocess.run([*base, "account", "set-secret", name, "password"], input="pw-REAL-123\n", text=True, capture_output=True)
    assert result.returncode == 0, result.stderr
    store = SecretStore()
    try:
        assert store.get_account_secret(name, "password") == "pw-REAL-123"
        exported = subprocess.run([*base, "settings", "export", "-"], capture_output=True, text=True, check=True).stdout
        assert "pw-REAL-123" not in exported
    finally:
        store.delete_account(name)


@pytest.fixture
def null_keyring():  # type: ignore[no-untyped-def]
    """The OS keyring replaced by keyring's own null backend (answers None, drops every value)."""
    import keyring
    from keyring.backends import null

    previous = keyring.get_keyring()
    keyring.set_keyring(null.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.mark.usefixtures("null_keyring")
def test_the_null_keyring_is_no_keyring() -> None:
    from biztel_desk.secrets import SecretStoreError

    backend = KeyringBackend(service="biztel-desk-test")
    for action in (lambda: backend.set("k", "pw"), lambda: backend.get("k"), lambda: backend.delete("k")):
        with pytest.raises(SecretStoreError) as caught:
            action()
        assert "keyring.backends.null.Keyring" in str(caught.value)
        assert caught.value.text("ja").startswith("使えるOSのキーリングがありません") and caught.value.text("ja").endswith("。")
        assert "No usable OS keyring" in caught.value.text("en")
        # What to do on this OS, in the admin's words (not about Python packages or keyringrc.cfg).
        fix = {"win32": "資格情報マネージャー", "darwin": "キーチェーン"}.get(sys.platform, "gnome-keyring")
        assert fix in caught.value.text("ja") and "PYTHON_KEYRING_BACKEND" not in caught.value.text("ja")


def test_a_keyring_that_drops_what_it_was_given_is_refused() -> None:
    import keyring
    from keyring.backend import KeyringBackend as Base

    from biztel_desk.secrets import SecretStoreError

    class Forgetful(Base):  # a third-party backend that accepts a value and keeps nothing
        priority = 1  # type: ignore[assignment]

        def get_password(self, service: str, username: str) -> str | None:
            return None

        def set_password(self, service: str, username: str, password: str) -> None:
            return None

        def delete_password(self, service: str, username: str) -> None:
            return None

    previous = keyring.get_keyring()
    keyring.set_keyring(Forgetful())
    try:
        with pytest.raises(SecretStoreError):
            KeyringBackend(service="biztel-desk-test").set("k", "pw")
    finally:
        keyring.set_keyring(previous)


@pytest.mark.parametrize("backend", ["keyring.backends.null.Keyring", "keyring.backends.fail.Keyring"])
def test_set_secret_with_no_keyring_says_so_and_exits_2(tmp_path: Path, backend: str) -> None:
    import os

    toml = '[[accounts]]\nname = "devorg"\nusername = "a@example.com"\n'
    (tmp_path / "s.toml").write_text(toml, encoding="utf-8")
    env = dict(os.environ, PYTHON_KEYRING_BACKEND=backend, PYTHONIOENCODING="utf-8")
    base = [sys.executable, "-m", "biztel_desk", "--data-dir", str(tmp_path / "d"), "--lang", "ja"]
    subprocess.run([*base, "settings", "import", str(tmp_path / "s.toml")], check=True, env=env, capture_output=True)
    result = subprocess.run([*base, "account", "set-secret", "devorg", "password"], input="pw-NULL-123\n", text=True,
                            capture_output=True, env=env, encoding="utf-8")
    assert result.returncode == 2, result.stderr
    assert "保存しました" not in result.stderr and "使えるOSのキーリングがありません" in result.stderr
    assert "pw-NULL-123" not in result.stderr + result.stdout
    assert not any(b"pw-NULL-123" in path.read_bytes() for path in (tmp_path / "d").rglob("*") if path.is_file())
