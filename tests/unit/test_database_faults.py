"""Database faults as the user meets them: clear messages (never a traceback) for a locked, damaged, full or empty
database in the CLI; an empty file is refused, never turned into a new profile; the files are private (0600)."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from biztel_desk.domain.config import AccountConfig
from biztel_desk.secrets import MemoryBackend, SecretStore
from biztel_desk.services.context import AppContext
from biztel_desk.store import db
from biztel_desk.store.db import DB_FILENAME, Database, DatabaseUnavailable

POSIX = os.name == "posix"


def _cli(data_dir: Path, *args: str, lang: str = "ja") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "biztel_desk", "--data-dir", str(data_dir), "--lang", lang, *args],
                          capture_output=True, text=True, encoding="utf-8", timeout=120,
                          env=dict(os.environ, PYTHONIOENCODING="utf-8"))


def _profile(data_dir: Path) -> None:
    """A data dir with an account in it, closed (its WAL checkpointed into the file)."""
    database = Database.open(directory=data_dir)
    try:
        context = AppContext(database=database, secrets=SecretStore(MemoryBackend()), data_dir=data_dir)
        context.config.save_account(AccountConfig(name="devorg", username="admin@example.com"))
    finally:
        database.close()


@pytest.mark.skipif(not POSIX, reason="POSIX file modes")
def test_the_database_and_its_wal_files_are_readable_by_this_user_only(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    database = Database.open(directory=data_dir)
    try:
        with database.begin() as session:  # a write: the -wal and -shm files exist now
            session.execute(__import__("sqlalchemy").text("CREATE TABLE probe (x)"))
        files = [data_dir / name for name in (DB_FILENAME, DB_FILENAME + "-wal", DB_FILENAME + "-shm")]
        assert all(path.exists() for path in files)
        assert [stat.S_IMODE(path.stat().st_mode) for path in files] == [0o600] * 3
    finally:
        database.close()
    # A database made by an older version (0644) is tightened at the next start.
    (data_dir / DB_FILENAME).chmod(0o644)
    Database.open(directory=data_dir).close()
    assert stat.S_IMODE((data_dir / DB_FILENAME).stat().st_mode) == 0o600


def test_a_zero_length_database_is_refused_never_reset(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    _profile(data_dir)
    (data_dir / DB_FILENAME).write_bytes(b"")  # truncated by a crash, a sync tool, a full disk
    with pytest.raises(DatabaseUnavailable) as caught:
        Database.open(directory=data_dir)
    assert getattr(caught.value, "fault", None) == db.DatabaseFault.EMPTY
    result = _cli(data_dir, "status")
    assert result.returncode == 2
    assert "データベースファイルが空(0バイト)です" in result.stderr and str(data_dir / DB_FILENAME) in result.stderr
    assert "バックアップから復元" in result.stderr and "Traceback" not in result.stderr
    assert (data_dir / DB_FILENAME).stat().st_size == 0  # still empty: not silently made a new, empty profile
    english = _cli(data_dir, "status", lang="en")
    assert english.returncode == 2 and "The database file is empty (0 bytes)" in english.stderr


def test_a_damaged_database_is_a_clear_message(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    _profile(data_dir)
    path = data_dir / DB_FILENAME
    raw = bytearray(path.read_bytes())
    raw[4096:] = b"\x5a" * (len(raw) - 4096)  # every page after the schema page overwritten
    path.write_bytes(bytes(raw))
    result = _cli(data_dir, "status")
    assert result.returncode == 2, result.stderr
    assert "データベースファイルが壊れています" in result.stderr and "Traceback" not in result.stderr
    not_sqlite = tmp_path / "other"
    not_sqlite.mkdir()
    (not_sqlite / DB_FILENAME).write_bytes(b"this is not a database" * 400)
    result = _cli(not_sqlite, "status", lang="en")
    assert result.returncode == 2 and "The database file is damaged" in result.stderr
    assert "restore it from a backup" in result.stderr and "Traceback" not in result.stderr


def test_a_database_locked_for_longer_than_the_busy_timeout_is_a_clear_message(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    _profile(data_dir)
    toml = tmp_path / "s.toml"
    toml.write_text('[[accounts]]\nname = "other"\nusername = "b@example.com"\n', encoding="utf-8")
    lock = sqlite3.connect(data_dir / DB_FILENAME, timeout=30, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    try:
        result = _cli(data_dir, "settings", "import", str(toml))
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert result.returncode == 2, result.stderr
    assert "データベースが別のプログラムにロックされています" in result.stderr and "Traceback" not in result.stderr
    assert _cli(data_dir, "settings", "import", str(toml)).returncode == 0  # and works once the lock is gone


@pytest.fixture
def full_disk(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A 1 MB tmpfs holding a data dir, then filled up (needs root: mount)."""
    mount = tmp_path / "small"
    mount.mkdir()
    if not POSIX or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr!r}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_a_clear_message(full_disk: Path, tmp_path: Path) -> None:
    data_dir = full_disk / "data"
    _profile(data_dir)
    filler = os.open(full_disk / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(filler, b"\0" * 4096):
            pass
    except OSError:  # ENOSPC: the disk is full now
        pass
    finally:
        os.close(filler)
    toml = tmp_path / "s.toml"
    toml.write_text('[[accounts]]\nname = "other"\nusername = "b@example.com"\n', encoding="utf-8")
    result = _cli(data_dir, "settings", "import", str(toml))
    assert result.returncode == 2
    assert "ディスクの空き容量が不足しているため" in result.stderr and "Traceback" not in result.stderr
    english = _cli(data_dir, "settings", "import", str(toml), lang="en")
    assert english.returncode == 2 and "the disk is full" in english.stderr
