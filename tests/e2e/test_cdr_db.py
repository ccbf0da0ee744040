"""The PBX's CDR database as a live call source (issue #15), against real servers.

FreePBX's ``asteriskcdrdb.cdr`` on MariaDB (``BIZTEL_TEST_MARIADB_URL``, tools/mariadb_server.sh) and Asterisk's
``cdr`` table on PostgreSQL (``BIZTEL_TEST_POSTGRES_URL``, tools/pg_server.sh): each test creates the table with the
published column set in a database of its own, and a writer inserts legs as a running PBX does (tests/e2e/cdr_pbx.py:
ring groups, queues, transfers, missed and outbound calls, some written late). Without a server (or its driver) the
test is skipped with the reason.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import cdr_pbx
import pytest
import sqlalchemy as sa
from conftest import COMPANY, fallback_account, org_client
from dbswitch import open_database
from sqlalchemy import func, select
from test_cli_flow import _cli
from test_crash import _env

from biztel_desk.devorg.server import DevOrg
from biztel_desk.ingest import cdr_db
from biztel_desk.ingest.cdr_db import CdrDbConfig, CdrDbError
from biztel_desk.services import ingest_sources
from biztel_desk.services.context import AppContext
from biztel_desk.services.ingest_sources import IngestSources, SourceState
from biztel_desk.store.db import Database
from biztel_desk.store.models import Call, CallLeg, LinkJob

ROOT = Path(__file__).resolve().parents[2]
TOKYO = dt.timezone(dt.timedelta(hours=9))
KINDS = {True: "freepbx-mariadb", False: "asterisk-postgresql"}


def _skip_reason(freepbx: bool) -> str | None:
    variable = "BIZTEL_TEST_MARIADB_URL" if freepbx else "BIZTEL_TEST_POSTGRES_URL"
    if not os.environ.get(variable):
        script = "tools/mariadb_server.sh" if freepbx else "tools/pg_server.sh"
        return f"{variable} is not set (start a server: eval \"$({script} start)\")"
    module, extra = ("pymysql", "mysql") if freepbx else ("psycopg", "postgres")
    if importlib.util.find_spec(module) is None:
        return f"the {module} driver is not installed (pip install -e '.[{extra}]')"
    if freepbx and not Path(cdr_pbx.mariadb_socket()).exists():
        return "BIZTEL_MARIADB_DIR (tools/mariadb_server.sh) is needed to create the read-only user as root"
    return None


@dataclass
class PbxDatabase:
    """A CDR table on a real server, the PBX's writer engine, and a read-only user for the source."""

    freepbx: bool
    admin_url: str
    writer: sa.Engine
    url: str  # what the admin enters (no password)
    password: str
    pbx: cdr_pbx.Pbx

    def config(self, **changes: Any) -> CdrDbConfig:
        return replace(CdrDbConfig(enabled=True, url=self.url, time_zone="Asia/Tokyo", start="now", interval_s=0.3),
                       **changes)

    def write(self, rows: list[dict[str, Any]]) -> None:
        cdr_pbx.insert(self.writer, "cdr", rows)


def _pbx_database(freepbx: bool) -> Iterator[PbxDatabase]:
    reason = _skip_reason(freepbx)
    if reason:
        pytest.skip(reason)
    server = cdr_pbx.server_url(freepbx)
    assert server is not None
    admin_url, writer = cdr_pbx.scratch_database(server, "cdrtest")
    try:
        cdr_pbx.create_table(writer, freepbx)
        user, password = cdr_pbx.reader_user(writer, writer.url.database or "", freepbx)
        yield PbxDatabase(freepbx, admin_url, writer, cdr_pbx.source_url(admin_url, user, freepbx), password,
                          cdr_pbx.Pbx(freepbx, seed=1, epoch=int(time.time()) + random.randrange(10**6) * 100))
    finally:
        writer.dispose()
        cdr_pbx.drop_database(server, writer.url.database or "")


@pytest.fixture(params=[True, False], ids=[KINDS[True], KINDS[False]])
def pbx_db(request: pytest.FixtureRequest) -> Iterator[PbxDatabase]:
    yield from _pbx_database(bool(request.param))


@pytest.fixture
def freepbx_db() -> Iterator[PbxDatabase]:
    yield from _pbx_database(True)


def _now() -> dt.datetime:
    return dt.datetime.now(TOKYO).replace(tzinfo=None, microsecond=0)


def _wait(condition: Callable[[], bool], timeout: float = 20.0, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def _count(database: Database, model: Any) -> int:
    with database.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _calls(database: Database) -> dict[str, Any]:
    with database.read() as session:
        return {call.unique_id: call for call in session.scalars(select(Call))}


def test_every_call_becomes_one_call_with_its_outcome_and_late_rows_are_read(
    context: AppContext, pbx_db: PbxDatabase
) -> None:
    """Ring group, queue (Local channels), transfer, missed, outbound: one call each, with its outcome; legs
    written late (before the watermark, within the overlap) are still read; nothing is read twice."""
    context.secrets.set(cdr_db.SECRET_KEY, pbx_db.password)
    woken: list[int] = []
    ingest_sources.save_settings(context.database, cdr_db=pbx_db.config())
    sources = IngestSources(context.database, context.secrets, on_imported=woken.append)
    status = sources.start()
    try:
        assert status.cdr_db.state is SourceState.RUNNING, status.cdr_db_text("en")
        # 今から: the first poll takes the table as it is as history; the PBX's calls come after it
        assert _wait(lambda: cdr_db.load_position(context.database, pbx_db.config()) is not None)
        start = _now()
        expected: list[cdr_pbx.Expected] = []
        held: list[dict[str, Any]] = []
        legs = 0
        for i in range(15):
            kind = cdr_pbx.Pbx.KINDS[i % len(cdr_pbx.Pbx.KINDS)]
            call, rows = pbx_db.pbx.call(kind, start + dt.timedelta(seconds=20 * i), f"0335550{i:03d}")
            expected.append(call)
            legs += len(rows)
            if i % 4 == 1:
                held += rows  # written after later calls' rows: out of order within the overlap
                continue
            pbx_db.write(rows)
            if i % 4 == 2:
                pbx_db.write(held)
                held = []
        pbx_db.write(held)
        poller = sources.cdr_db_poller
        assert poller is not None
        assert _wait(lambda: _count(context.database, CallLeg) >= legs), (_count(context.database, CallLeg), legs, poller.totals)
        time.sleep(1.0)  # a few more polls: the overlap re-reads rows, which must change nothing
        assert _count(context.database, CallLeg) == legs
        calls = _calls(context.database)
        assert sorted(calls) == sorted(call.call_id for call in expected)
        for call in expected:
            stored = calls[call.call_id]
            assert (stored.direction, stored.disposition, stored.duration_s) == (
                call.direction, call.disposition, call.billsec), call
            assert stored.settle_until is not None  # a live source: linked after the settle window
            if call.direction == "inbound":
                assert stored.company_e164 == "+81312345678"
        assert woken  # the source woke the worker
        assert sources.status().cdr_db.state is SourceState.RUNNING
    finally:
        sources.stop()


def test_connection_test_shows_columns_rows_and_newest_call(context: AppContext, pbx_db: PbxDatabase) -> None:
    start = _now().replace(second=0)
    for i, kind in enumerate(("ring_group", "missed")):
        pbx_db.write(pbx_db.pbx.call(kind, start + dt.timedelta(minutes=i), "0335550999")[1])
    context.secrets.set(cdr_db.SECRET_KEY, pbx_db.password)
    info = ingest_sources.check_cdr_db_connection(pbx_db.config(), context.secrets)
    assert info.rows == 4 and info.newest == start + dt.timedelta(minutes=1)
    assert info.schema == ("freepbx" if pbx_db.freepbx else "asterisk") and info.key == "time"
    assert "uniqueid" in info.columns and "linkedid" in info.columns
    assert ("calldate" in info.columns) == pbx_db.freepbx
    assert "行数: 4" in info.text("ja") and "Rows: 4" in info.text("en")


def test_the_pbx_database_never_sees_a_write(context: AppContext, pbx_db: PbxDatabase) -> None:
    """The session is read-only whatever the user may do: even the table's owner cannot write through it."""
    admin = sa.make_url(pbx_db.admin_url)
    owner_url = cdr_db.parse_url(admin.set(drivername=admin.drivername.split("+")[0], query={}).render_as_string(False))
    engine = cdr_db.create_engine(owner_url, admin.password)
    try:
        with pytest.raises(sa.exc.DBAPIError) as raised, engine.connect() as connection:
            connection.exec_driver_sql("INSERT INTO cdr (src, dst, uniqueid) VALUES ('1', '2', '3')")
        assert "read" in str(raised.value.orig).lower()  # "READ ONLY transaction" / "read-only transaction"
    finally:
        engine.dispose()
    with pbx_db.writer.connect() as connection:
        assert connection.scalar(sa.text("SELECT COUNT(*) FROM cdr")) == 0


def test_faults_are_shown_in_the_state_and_retried(context: AppContext, pbx_db: PbxDatabase) -> None:
    """A wrong password, a renamed table and a database that is down: each its own message (ja/en), retried until
    fixed; then reading resumes."""
    # tools/pg_server.sh's server trusts local connections (any password logs in): checked on MariaDB only
    checks_passwords = pbx_db.freepbx
    context.secrets.set(cdr_db.SECRET_KEY, "wrong-password" if checks_passwords else pbx_db.password)
    ingest_sources.save_settings(context.database, cdr_db=pbx_db.config())
    sources = IngestSources(context.database, context.secrets)
    sources.start()
    try:
        poller = sources.cdr_db_poller
        assert poller is not None
        if checks_passwords:
            assert _wait(lambda: poller.problem_code == "auth"), poller.problem
            state = sources.status()
            assert state.cdr_db.state is SourceState.ERROR
            assert "set-secret cdr-db" in state.cdr_db.error("ja") and state.cdr_db.error("ja").endswith("。")
            assert "Cannot log in" in state.cdr_db.error("en") and "wrong-password" not in state.cdr_db.error("en")
        context.secrets.set(cdr_db.SECRET_KEY, pbx_db.password)  # fixed: the next retry logs in
        assert _wait(lambda: cdr_db.load_position(context.database, pbx_db.config()) is not None, timeout=30)
        pbx_db.write(pbx_db.pbx.call("missed", _now(), "0335550301")[1])
        assert _wait(lambda: _count(context.database, CallLeg) == 1, timeout=30), poller.problem
        assert sources.status().cdr_db.state is SourceState.RUNNING

        renamed = "cdr_old"
        with pbx_db.writer.connect() as connection:
            connection.exec_driver_sql(f"ALTER TABLE cdr RENAME TO {renamed}")
        assert _wait(lambda: poller.problem_code == "no_table", timeout=30), poller.problem
        assert "テーブル cdr" in sources.status().cdr_db.error("ja")
        cdr_pbx.insert(pbx_db.writer, renamed, pbx_db.pbx.call("missed", _now(), "0335550302")[1])
        with pbx_db.writer.connect() as connection:
            connection.exec_driver_sql(f"ALTER TABLE {renamed} RENAME TO cdr")
        assert _wait(lambda: _count(context.database, CallLeg) == 2, timeout=40), poller.problem
    finally:
        sources.stop()

    down = pbx_db.config(url=pbx_db.url.replace(f":{sa.make_url(pbx_db.admin_url).port}/", f":{_free_port()}/"))
    with pytest.raises(CdrDbError) as raised:
        cdr_db.check_connection(down, context.secrets)
    assert raised.value.code == "unreachable"
    assert "接続できません" in raised.value.text("ja") and "Cannot connect" in raised.value.text("en")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_first_run_asks_where_to_start(context: AppContext, freepbx_db: PbxDatabase) -> None:
    """今から skips the calls already in the table; 過去N日 reads the last N days; not choosing is refused."""
    old = _now() - dt.timedelta(days=3)
    freepbx_db.write(freepbx_db.pbx.call("missed", old, "0335550401")[1])
    recent, rows = freepbx_db.pbx.call("missed", _now() - dt.timedelta(hours=2), "0335550402")
    freepbx_db.write(rows)
    with pytest.raises(ingest_sources.IngestSettingsError) as raised:
        ingest_sources.save_settings(context.database, cdr_db=freepbx_db.config(start=""))
    assert raised.value.problems[0].field == "cdr_start"
    assert "今から" in raised.value.text("ja") and "--cdr-start" in raised.value.text("en")

    context.secrets.set(cdr_db.SECRET_KEY, freepbx_db.password)
    reader = cdr_db.CdrDbReader(context.database, freepbx_db.config(start="days:1"), freepbx_db.password)
    try:
        reader.poll()
    finally:
        reader.close()
    assert sorted(_calls(context.database)) == [recent.call_id]  # the 3-day-old call is before the start

    other = _pbx_database(True)
    fresh_db = next(other)
    try:
        fresh_db.write(fresh_db.pbx.call("missed", _now() - dt.timedelta(minutes=5), "0335550403")[1])
        reader = cdr_db.CdrDbReader(context.database, fresh_db.config(start="now"), fresh_db.password)
        try:
            assert reader.poll().legs == 0  # 今から: what is in the table already is history
            new_call, rows = fresh_db.pbx.call("ring_group", _now(), "0335550404")
            fresh_db.write(rows)
            assert reader.poll().calls == 1
        finally:
            reader.close()
        assert new_call.call_id in _calls(context.database)
    finally:
        other.close()


# --- the MariaDB server restarts mid-stream ------------------------------------------------------------------


class MariaDb:
    """A throw-away MariaDB of our own (tools/mariadb_server.sh), which this test stops and starts again."""

    def __init__(self) -> None:
        out = subprocess.run([str(ROOT / "tools" / "mariadb_server.sh"), "start"], capture_output=True, text=True,
                             check=True, timeout=120).stdout
        values = dict(line.removeprefix("export ").split("=", 1) for line in out.splitlines() if "=" in line)
        self.dir = Path(values["BIZTEL_MARIADB_DIR"])
        self.url = values["BIZTEL_TEST_MARIADB_URL"]
        self.port = sa.make_url(self.url).port

    def stop(self) -> None:
        pid = int((self.dir / "mariadbd.pid").read_text().strip())
        # A restart (SIGTERM: InnoDB writes what was committed; the server started with
        # --innodb-flush-log-at-trx-commit=0 would lose the last second of the PBX's rows to a SIGKILL).
        os.kill(pid, signal.SIGTERM)
        assert _wait(lambda: not _alive(pid), timeout=60)

    def start(self) -> None:
        subprocess.Popen(
            ["mariadbd", "--no-defaults", f"--datadir={self.dir / 'data'}", f"--user={os.environ.get('USER') or 'root'}",
             f"--port={self.port}", "--bind-address=127.0.0.1", f"--socket={self.dir / 'mysql.sock'}",
             f"--pid-file={self.dir / 'mariadbd.pid'}", "--innodb-flush-log-at-trx-commit=0", "--skip-log-bin"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        engine = sa.create_engine(self.url)
        try:
            assert _wait(lambda: _answers(engine), timeout=60)
        finally:
            engine.dispose()

    def destroy(self) -> None:
        subprocess.run([str(ROOT / "tools" / "mariadb_server.sh"), "stop", str(self.dir)], timeout=60, check=False)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _answers(engine: sa.Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        return True
    except sa.exc.DBAPIError:
        return False


@pytest.fixture
def own_mariadb(monkeypatch: pytest.MonkeyPatch) -> Iterator[MariaDb]:
    """A MariaDB server of the test's own, to stop and start (its root socket creates the read-only user)."""
    reason = _skip_reason(True)
    if reason:
        pytest.skip(reason)
    if subprocess.run(["which", "mariadbd"], capture_output=True).returncode != 0:
        pytest.skip("mariadbd is not installed (apt-get install mariadb-server)")
    server = MariaDb()
    try:
        monkeypatch.setenv("BIZTEL_MARIADB_DIR", str(server.dir))
        yield server
    finally:
        server.destroy()


def test_a_mariadb_restart_mid_stream_loses_nothing(context: AppContext, own_mariadb: MariaDb) -> None:
    server = own_mariadb
    admin_url, writer = cdr_pbx.scratch_database(server.url, "cdrrestart")
    cdr_pbx.create_table(writer, True)
    user, password = cdr_pbx.reader_user(writer, writer.url.database or "", True)
    context.secrets.set(cdr_db.SECRET_KEY, password)
    config = CdrDbConfig(enabled=True, url=cdr_pbx.source_url(admin_url, user, True), time_zone="Asia/Tokyo",
                         start="now", interval_s=0.3)
    ingest_sources.save_settings(context.database, cdr_db=config)
    sources = IngestSources(context.database, context.secrets)
    sources.start()
    assert _wait(lambda: cdr_db.load_position(context.database, config) is not None)
    pbx = cdr_pbx.Pbx(True, seed=7)
    legs = 0
    calls: list[str] = []
    problems: set[str] = set()
    try:
        base = _now()
        for i in range(30):
            call, rows = pbx.call(cdr_pbx.Pbx.KINDS[i % 5], base + dt.timedelta(seconds=10 * i), f"0335551{i:03d}")
            if i == 12:
                server.stop()
                poller = sources.cdr_db_poller
                assert poller is not None
                assert _wait(lambda p=poller: p.problem_code in ("unreachable", "lost"), timeout=30)
                problems.add(poller.problem_code)
                assert sources.status().cdr_db.state is SourceState.ERROR
                server.start()  # the PBX wrote nothing meanwhile: its database was down
                writer.dispose()
            _retry_write(writer, rows)
            legs += len(rows)
            calls.append(call.call_id)
            time.sleep(0.05)
        with writer.connect() as connection:
            assert connection.scalar(sa.text("SELECT COUNT(*) FROM cdr")) == legs  # the PBX lost nothing either
        assert _wait(lambda: _count(context.database, CallLeg) >= legs, timeout=90), (
            _count(context.database, CallLeg), legs, sources.status().cdr_db_text("en"))
        time.sleep(1.0)
        assert _count(context.database, CallLeg) == legs  # none lost, none twice
        assert sorted(_calls(context.database)) == sorted(calls)
        assert sources.status().cdr_db.state is SourceState.RUNNING
        assert problems
    finally:
        sources.stop()
        writer.dispose()


def test_a_running_sync_says_when_the_cdr_database_goes_down_and_comes_back(
    tmp_path: Path, own_mariadb: MariaDb
) -> None:
    """``biztel-desk sync`` (the admin's language: Japanese) prints each change of the CDR source's state while it
    runs, once: down with the reason when the MariaDB server stops, up again when it is back."""
    server = own_mariadb
    process: subprocess.Popen[str] | None = None
    try:
        admin_url, writer = cdr_pbx.scratch_database(server.url, "cdrstate")
        cdr_pbx.create_table(writer, True)
        user, password = cdr_pbx.reader_user(writer, writer.url.database or "", True)
        writer.dispose()
        env, data_dir = _env(tmp_path), tmp_path / "data"
        settings = tmp_path / "settings.toml"  # the source as a settings file carries it (polled every 0.3 s)
        settings.write_text(f'[ingest.cdr_db]\nenabled = true\nurl = "{cdr_pbx.source_url(admin_url, user, True)}"\n'
                            'time_zone = "Asia/Tokyo"\nstart = "now"\ninterval_s = 0.3\n', encoding="utf-8")
        result = _cli(env, data_dir, "settings", "import", str(settings))
        assert result.returncode == 0, result.stderr
        assert _cli(env, data_dir, "ingest", "set-secret", "cdr-db", stdin=password + "\n").returncode == 0
        process = subprocess.Popen([sys.executable, "-m", "biztel_desk", "--data-dir", str(data_dir), "--lang", "ja",
                                    "sync"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        lines: list[str] = []

        def drain() -> None:
            assert process is not None and process.stderr is not None
            lines.extend(line.rstrip("\n") for line in process.stderr)

        threading.Thread(target=drain, daemon=True).start()
        source = "[ingest] PBXのCDRデータベース: "

        def cdr_lines() -> list[str]:
            return [line for line in list(lines) if line.startswith(source)]

        assert _wait(lambda: any("取り込み中" in line for line in cdr_lines()), timeout=60), lines
        server.stop()
        assert _wait(lambda: any(line.startswith(source + "エラー: ") for line in cdr_lines()), timeout=60), lines
        down = cdr_lines()[-1]
        assert down.endswith("。") and "CDR" in down, down  # the reason, in Japanese
        time.sleep(2.0)  # still down: retried meanwhile, and nothing printed again for the same state
        assert cdr_lines()[-1] == down
        server.start()
        assert _wait(lambda: cdr_lines()[-1].endswith("(復旧しました)"), timeout=90), lines
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
        printed = cdr_lines()
        assert printed[0].startswith(source + "取り込み中: ") and printed[-1].startswith(source + "取り込み中: ")
        assert all(a != b for a, b in zip(printed, printed[1:], strict=False)), printed  # once per change
        assert sum("(復旧しました)" in line for line in printed) == 1, printed
        assert all(line.startswith(source + "エラー: ") for line in printed[1:-1]), printed
    finally:
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=30)


def _retry_write(writer: sa.Engine, rows: list[dict[str, Any]]) -> None:
    for _ in range(50):
        try:
            cdr_pbx.insert(writer, "cdr", rows)
            return
        except sa.exc.DBAPIError:
            time.sleep(0.2)
    raise AssertionError("the PBX could not write")


# --- biztel-desk sync killed while the PBX writes, through the dev org -------------------------------------


class Writer(threading.Thread):
    """The PBX: a call every ``every_s`` seconds until stopped; some calls' legs written after later calls'."""

    def __init__(self, pbx_db: PbxDatabase, every_s: float = 0.3, calls: int = 50) -> None:
        super().__init__(daemon=True)
        self.pbx_db = pbx_db
        self.every_s = every_s
        self.limit = calls
        self.expected: list[cdr_pbx.Expected] = []
        self.legs = 0
        self.done = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            held: list[dict[str, Any]] = []
            base = _now()
            for i in range(self.limit):
                kind = cdr_pbx.Pbx.KINDS[i % len(cdr_pbx.Pbx.KINDS)]
                call, rows = self.pbx_db.pbx.call(kind, base + dt.timedelta(seconds=5 * i), f"0335552{i:03d}")
                self.expected.append(call)
                self.legs += len(rows)
                if i % 7 == 3:
                    held = rows
                else:
                    self.pbx_db.write(rows + held)
                    held = []
                time.sleep(self.every_s)
            self.pbx_db.write(held)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            self.error = error
        finally:
            self.done.set()


def _settings_file(tmp_path: Path, org: DevOrg, fallback: str) -> Path:
    settings = tmp_path / "settings.toml"
    settings.write_text(
        f'[[accounts]]\nname = "devorg"\nusername = "{org.credentials["username"]}"\nlogin_host = "{org.url}"\n\n'
        f'[[settings]]\nname = "本社"\naccount = "devorg"\nfallback_record_id = "{fallback}"\n'
        'api_consent = true\nstatus = "enabled"\n\n'
        f'[[settings.targets]]\nnumber = "{COMPANY}"\nenabled = true\ndefault_outbound = true\n\n'
        '[system]\ncall_settle_s = 1\n',
        encoding="utf-8",
    )
    return settings


def _sync(env: dict[str, str], data_dir: Path) -> subprocess.Popen[str]:
    # --write-limit: a send whose answer a SIGKILL cut is looked up after 2 s (the dev org commits at once), not 10 min
    return subprocess.Popen([sys.executable, "-m", "biztel_desk", "--data-dir", str(data_dir), "--lang", "en", "sync",
                             "--write-limit", "2"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _reading(process: subprocess.Popen[str], timeout: float = 30.0, marker: str = "PBX CDR database: Reading") -> bool:
    """Wait until the sync prints ``marker`` on stderr (by default: the CDR database source runs); the rest of
    stderr is drained."""
    started = threading.Event()

    def drain() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            if marker in line:
                started.set()
        started.set()

    threading.Thread(target=drain, daemon=True).start()
    return started.wait(timeout) and process.poll() is None


def _state(data_dir: Path) -> tuple[int, int, int]:
    database = open_database(data_dir)
    try:
        with database.read() as session:
            legs = int(session.scalar(select(func.count()).select_from(CallLeg)) or 0)
            calls = int(session.scalar(select(func.count()).select_from(Call)) or 0)
            linked = int(session.scalar(select(func.count()).select_from(LinkJob)
                                        .where(LinkJob.state.in_(["linked", "updated"]))) or 0)
        return legs, calls, linked
    finally:
        database.close()


def test_sync_killed_ten_times_while_the_pbx_writes_loses_and_repeats_nothing(
    tmp_path: Path, pbx_db: PbxDatabase
) -> None:
    """SIGKILL ``biztel-desk sync`` 10 times while legs are inserted: every leg once, one Task per call with its
    outcome (CallDisposition) through the dev org."""
    env = _env(tmp_path)
    data_dir = tmp_path / "data"
    rng = random.Random(15)
    with DevOrg(seed="demo", records=50) as org:
        sf = org_client(org)
        assert _cli(env, data_dir, "settings", "import", str(_settings_file(tmp_path, org, fallback_account(sf)))).returncode == 0
        for kind in ("password", "security_token"):
            assert _cli(env, data_dir, "account", "set-secret", "devorg", kind, stdin=org.credentials[kind] + "\n").returncode == 0
        result = _cli(env, data_dir, "ingest", "config", "--cdr-db", pbx_db.url, "--cdr-time-zone", "Asia/Tokyo")
        assert result.returncode == 2 and "--cdr-start" in result.stderr  # the first run asks where to start
        # 過去1日: every row the writer makes is read, whenever the first sync gets to its first poll
        result = _cli(env, data_dir, "ingest", "config", "--cdr-db", pbx_db.url, "--cdr-time-zone", "Asia/Tokyo",
                      "--cdr-start", "1")
        assert result.returncode == 0, result.stderr
        assert "cdr_db\ton\n" in result.stdout and "cdr_password\tmissing\n" in result.stdout
        result = _cli(env, data_dir, "ingest", "set-secret", "cdr-db", stdin=pbx_db.password + "\n")
        assert result.returncode == 0, result.stderr
        result = _cli(env, data_dir, "ingest", "test-cdr-db")
        assert result.returncode == 0 and "Rows: 0" in result.stdout, result.stderr

        writer = Writer(pbx_db)
        writer.start()
        kills = 0
        while kills < int(os.environ.get("BIZTEL_TEST_CDR_KILLS", "10")):
            process = _sync(env, data_dir)
            assert _reading(process), "the sync did not start reading the CDR database"
            time.sleep(rng.uniform(0.1, 1.5))  # killed while it reads: between polls, or inside one
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            kills += 1
        assert writer.done.wait(60) and writer.error is None, writer.error
        assert _state(data_dir)[0] > 0  # the killed syncs did read (and were killed while reading)
        process = _sync(env, data_dir)
        try:
            assert _reading(process, marker="[running]")  # its SIGTERM handler is installed
            total = len(writer.expected)
            settled = _wait(lambda: _state(data_dir) == (writer.legs, total, total), timeout=90, step=0.5)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
        assert settled, (_state(data_dir), writer.legs, total)
        assert process.returncode == 0  # SIGTERM: a clean stop

        by_call: dict[str, list[dict[str, Any]]] = {}
        for task in sf.query_all("SELECT CallObject, CallDisposition, CallDurationInSeconds, CallType FROM Task "
                                 "WHERE CallObject != null")["records"]:
            by_call.setdefault(task["CallObject"], []).append(task)
        for call in writer.expected:
            tasks = by_call.get(call.call_id, [])
            assert len(tasks) == 1, (call, tasks)  # one Task per call: none lost, none twice
            assert tasks[0]["CallDisposition"] == call.disposition, (call, tasks[0])
            assert tasks[0]["CallDurationInSeconds"] == call.billsec, (call, tasks[0])
            assert tasks[0]["CallType"] == ("Outbound" if call.direction == "outbound" else "Inbound")
        assert len(by_call) == len(writer.expected)


def test_a_table_with_an_id_column_is_read_by_id(context: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    """An auto-increment ``id`` some admins add: the position is the last id; rows are read once, in id order, even
    when a leg's end is older than the others' (no overlap window needed)."""
    reason = _skip_reason(False)
    if reason:
        pytest.skip(reason)
    generator = _pbx_database(False)
    pbx_db = next(generator)
    try:
        with pbx_db.writer.connect() as connection:
            connection.exec_driver_sql("ALTER TABLE cdr ADD COLUMN id SERIAL PRIMARY KEY")
        old = _now() - dt.timedelta(days=2)
        pbx_db.write(pbx_db.pbx.call("missed", old, "0335550601")[1])  # history for 今から
        reader = cdr_db.CdrDbReader(context.database, pbx_db.config(start="now"), pbx_db.password)
        try:
            assert reader.poll().legs == 0
            assert reader.table.key == "id"
            calls = []
            for i, when in enumerate((_now(), old)):  # the second is written later but ended long before
                call, rows = pbx_db.pbx.call("ring_group", when, f"0335550{610 + i}")
                pbx_db.write(rows)
                calls.append(call.call_id)
            assert reader.poll().legs == 6
            assert reader.poll().legs == 0
        finally:
            reader.close()
        position = cdr_db.load_position(context.database, pbx_db.config())
        assert position is not None and position.last_id == 7
        assert sorted(_calls(context.database)) == sorted(calls)
    finally:
        generator.close()


def test_more_rows_in_the_overlap_than_a_page_still_reach_the_new_ones(
    context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A busy PBX: more legs within the overlap window than one page holds. Each poll pages on past the rows it
    read already (by end, then id), so new rows are never stuck behind them."""
    reason = _skip_reason(False)
    if reason:
        pytest.skip(reason)
    monkeypatch.setattr(cdr_db, "PAGE_ROWS", 3)
    generator = _pbx_database(False)
    pbx_db = next(generator)
    try:
        reader = cdr_db.CdrDbReader(context.database, pbx_db.config(start="now"), pbx_db.password)
        try:
            reader.poll()
            base = _now()
            for i in range(4):  # 12 legs, all within the overlap of the next ones
                pbx_db.write(pbx_db.pbx.call("ring_group", base + dt.timedelta(seconds=i), f"0335550{700 + i}")[1])
            first = reader.poll()
            assert first.legs == 12 and first.pages >= 4
            latest, rows = pbx_db.pbx.call("missed", base + dt.timedelta(seconds=10), "0335550799")
            pbx_db.write(rows)
            second = reader.poll()
            assert second.legs == 1 and second.calls == 1
        finally:
            reader.close()
        assert latest.call_id in _calls(context.database) and _count(context.database, CallLeg) == 13
    finally:
        generator.close()


class CuttableLink:
    """A TCP relay between the source and the PBX's database, whose cable the test pulls (every connection reset,
    new ones refused) and plugs back in."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.connected = threading.Event()
        self.connected.set()
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.connected.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        self.connected.clear()
        with self.lock:
            for sock in self.sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self.sockets.clear()

    def restore(self) -> None:
        self.connected.set()

    def close(self) -> None:
        self.cut()
        self.listener.close()


def test_a_network_cut_is_shown_and_reading_resumes(context: AppContext, pbx_db: PbxDatabase) -> None:
    url = sa.make_url(pbx_db.url)
    link = CuttableLink(url.host or "127.0.0.1", int(url.port or 0))
    try:
        config = pbx_db.config(url=pbx_db.url.replace(f":{url.port}/", f":{link.port}/"))
        context.secrets.set(cdr_db.SECRET_KEY, pbx_db.password)
        ingest_sources.save_settings(context.database, cdr_db=config)
        sources = IngestSources(context.database, context.secrets)
        sources.start()
        try:
            poller = sources.cdr_db_poller
            assert poller is not None
            assert _wait(lambda: cdr_db.load_position(context.database, config) is not None)
            pbx_db.write(pbx_db.pbx.call("queue", _now(), "0335550801")[1])
            assert _wait(lambda: _count(context.database, CallLeg) == 4)
            link.cut()
            pbx_db.write(pbx_db.pbx.call("transfer", _now(), "0335550802")[1])  # the PBX goes on meanwhile
            assert _wait(lambda: poller.problem_code in ("lost", "unreachable"), timeout=30), poller.problem
            state = sources.status().cdr_db
            assert state.state is SourceState.ERROR
            assert "Retrying" in state.error("en") or "Reconnecting" in state.error("en")
            assert state.error("ja").endswith("。")
            assert _count(context.database, CallLeg) == 4
            link.restore()
            assert _wait(lambda: _count(context.database, CallLeg) == 6, timeout=90), poller.problem
            assert _wait(lambda: sources.status().cdr_db.state is SourceState.RUNNING)
        finally:
            sources.stop()
    finally:
        link.close()
