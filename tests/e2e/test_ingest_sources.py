"""The call sources the app runs: real SQLite, real files in a temp folder, real HTTP on 127.0.0.1, the CLI."""

from __future__ import annotations

import io
import json
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from biztel_desk.app import build_parser
from biztel_desk.cli import run
from biztel_desk.cli.sync import start_runtime
from biztel_desk.ingest import folder as ingest_folder
from biztel_desk.ingest import http as ingest_http
from biztel_desk.ingest.folder import FolderConfig
from biztel_desk.ingest.http import HttpIngestConfig
from biztel_desk.services.context import AppContext
from biztel_desk.services.ingest_sources import IngestSources, SourceState, save_settings
from biztel_desk.services.link_runtime import LinkRuntime
from biztel_desk.store.models import Call

DATA = Path(__file__).resolve().parent.parent / "data"
CALL = {"unique_id": "src-1", "from_number": "090-1111-2222", "to_number": "03-1234-5678",
        "started_at": "2024-04-01 09:00:00", "duration_s": 60}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is not "in use"; a listener is
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def calls(context: AppContext) -> int:
    with context.database.read() as session:
        return int(session.scalar(select(func.count()).select_from(Call)) or 0)


class Imported:
    """An ``on_imported`` listener that remembers what it was told and on which thread."""

    def __init__(self) -> None:
        self.counts: list[int] = []
        self.threads: list[str] = []
        self.event = threading.Event()

    def __call__(self, count: int) -> None:
        self.counts.append(count)
        self.threads.append(threading.current_thread().name)
        self.event.set()

    def wait(self, timeout: float = 10.0) -> bool:
        fired = self.event.wait(timeout)
        self.event.clear()
        return fired


@pytest.fixture
def imported() -> Imported:
    return Imported()


@pytest.fixture
def sources(context: AppContext, imported: Imported) -> Iterator[IngestSources]:
    instance = IngestSources(context.database, context.secrets, on_imported=imported, lang="ja")
    yield instance
    instance.stop()


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


def configure(context: AppContext, inbox: Path | None = None, port: int | None = None, token: bool = True) -> None:
    folder = FolderConfig(enabled=inbox is not None, path=str(inbox or ""), interval_s=0.05)
    http = HttpIngestConfig(enabled=port is not None, port=port or ingest_http.DEFAULT_PORT)
    save_settings(context.database, folder, http)
    if token:
        ingest_http.generate_token(context.secrets)


def post(url: str, context: AppContext, body: object) -> requests.Response:
    token = ingest_http.get_token(context.secrets)
    return requests.post(url, data=json.dumps(body), timeout=10,
                         headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})


def test_nothing_configured_starts_nothing(sources: IngestSources) -> None:
    status = sources.start()
    assert (status.folder.state, status.http.state) == (SourceState.OFF, SourceState.OFF)
    assert status.lines("ja") == ["監視フォルダ: オフ", "HTTP受信: オフ"]
    assert status.lines("en") == ["Watched folder: Off", "HTTP ingest: Off"]
    assert sources.http_server is None


def test_configured_sources_start_import_and_call_on_imported(
    context: AppContext, sources: IngestSources, imported: Imported, inbox: Path
) -> None:
    port = free_port()
    configure(context, inbox, port)
    status = sources.start()
    assert status.folder.state is SourceState.RUNNING and status.folder.location == str(inbox)
    assert status.http.state is SourceState.RUNNING
    assert status.http.location == f"http://127.0.0.1:{port}/v1/calls"
    assert status.folder_text("ja") == f"監視中: {inbox}"
    assert status.http_text("en") == f"Listening on http://127.0.0.1:{port}/v1/calls"

    shutil.copy(DATA / "asterisk_master_cp932.csv", inbox / "Master.csv")
    assert imported.wait(), "the dropped file was not imported"
    assert imported.counts == [7] and imported.threads == ["watched-folder"]
    assert calls(context) == 7
    assert (inbox / "done" / "Master.csv").exists() and (inbox / "done" / "Master.csv.report.txt").exists()

    answer = post(status.http.location, context, CALL)
    assert answer.status_code == 200 and answer.json() == {"imported": 1, "known": 0}
    assert imported.wait()
    assert imported.counts == [7, 1]
    assert calls(context) == 8
    assert post(status.http.location, context, CALL).json() == {"imported": 0, "known": 1}
    assert imported.counts == [7, 1]  # nothing new: nobody is woken


def test_restart_after_switching_the_endpoint_off_frees_the_port(context: AppContext, sources: IngestSources) -> None:
    port = free_port()
    configure(context, port=port)
    assert sources.start().http.state is SourceState.RUNNING
    assert requests.get(f"http://127.0.0.1:{port}/v1/health", timeout=5).json() == {"status": "ok"}
    assert not port_is_free(port)
    save_settings(context.database, http=HttpIngestConfig(enabled=False, port=port))
    status = sources.restart()
    assert status.http.state is SourceState.OFF
    assert sources.http_server is None
    assert port_is_free(port)


def test_restart_picks_up_a_new_port(context: AppContext, sources: IngestSources) -> None:
    first, second = free_port(), free_port()
    configure(context, port=first)
    sources.start()
    save_settings(context.database, http=HttpIngestConfig(enabled=True, port=second))
    status = sources.restart()
    assert status.http.location == f"http://127.0.0.1:{second}/v1/calls"
    assert requests.get(f"http://127.0.0.1:{second}/v1/health", timeout=5).ok
    assert port_is_free(first)


def test_a_port_in_use_is_a_clear_status(context: AppContext, sources: IngestSources) -> None:
    with socket.socket() as other_program:
        other_program.bind(("127.0.0.1", 0))
        other_program.listen()
        port = int(other_program.getsockname()[1])
        configure(context, port=port)
        status = sources.start()
    assert status.http.state is SourceState.ERROR and status.has_error
    assert status.http.error("ja") == (
        f"ポート {port} は別のプログラムが使用中のため、HTTP取り込みを開始できません。別のポート番号を指定してください。"
    )
    assert status.http_text("en") == (
        f"Error: Port {port} is in use by another program, so HTTP ingest cannot start. Choose another port."
    )
    assert sources.restart().http.state is SourceState.RUNNING  # the other program has gone


def test_without_a_token_the_endpoint_says_to_generate_one(
    context: AppContext, sources: IngestSources, imported: Imported
) -> None:
    port = free_port()
    configure(context, port=port, token=False)
    status = sources.start()
    assert status.http.state is SourceState.ERROR
    assert "トークンが生成されていないため開始していません" in status.http.error("ja")
    assert "biztel-desk ingest token --new" in status.http.error("en")
    assert port_is_free(port)
    ingest_http.generate_token(context.secrets)
    status = sources.token_changed()  # what the dialog does after 生成
    assert status.http.state is SourceState.RUNNING
    assert post(status.http.location, context, CALL).status_code == 200
    assert imported.wait()


def test_a_new_token_replaces_the_old_one_in_the_running_endpoint(context: AppContext, sources: IngestSources) -> None:
    configure(context, port=free_port())
    url = sources.start().http.location
    old = str(ingest_http.get_token(context.secrets))
    ingest_http.generate_token(context.secrets)
    sources.token_changed()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {old}"}
    assert requests.post(url, data=json.dumps(CALL), headers=headers, timeout=5).status_code == 401
    assert post(url, context, CALL).status_code == 200


def test_a_missing_folder_is_an_error_status_and_not_created(context: AppContext, sources: IngestSources, tmp_path: Path) -> None:
    missing = tmp_path / "not-mounted"
    ingest_folder.save_config(context.database, FolderConfig(enabled=True, path=str(missing)))
    status = sources.start()
    assert status.folder.state is SourceState.ERROR
    assert status.folder_text("ja") == f"エラー: フォルダがありません: {missing}"
    assert not missing.exists()


def test_stop_ends_both_threads(context: AppContext, sources: IngestSources, inbox: Path) -> None:
    port = free_port()
    configure(context, inbox, port)
    sources.start()
    sources.stop()
    assert not any(t.name in ("watched-folder", "http-ingest") for t in threading.enumerate())
    assert port_is_free(port)
    assert sources.status().folder.state is SourceState.OFF


def test_sync_starts_the_sources_and_they_wake_its_worker(
    context: AppContext, inbox: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What ``biztel-desk sync`` (without --once) builds; the subprocess would need the OS keyring for the token."""
    configure(context, inbox, free_port())
    runtime = LinkRuntime(context)
    woken = threading.Event()
    runtime.worker.wake = woken.set  # type: ignore[method-assign]
    start_runtime(runtime)
    try:
        sources = runtime.sources
        assert sources is not None
        status = sources.status()
        assert status.folder.state is SourceState.RUNNING and status.http.state is SourceState.RUNNING
        err = capsys.readouterr().err
        assert f"[ingest] 監視フォルダ: 監視中: {inbox}" in err
        assert f"[ingest] HTTP受信: 受信中: {status.http.location}" in err
        assert post(status.http.location, context, CALL).status_code == 200
        assert woken.wait(10)
    finally:
        assert runtime.stop()
    assert not any(t.name in ("watched-folder", "http-ingest") for t in threading.enumerate())


def test_sync_help_says_once_does_not_start_the_sources(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["sync", "--help"])
    assert "the watched folder and the HTTP endpoint are not started" in " ".join(capsys.readouterr().out.split())


# --- biztel-desk ingest ---------------------------------------------------------------------------------------


def cli(context: AppContext, *argv: str, lang: str = "ja") -> tuple[int, str]:
    args = build_parser().parse_args(["--data-dir", str(context.data_dir), "--lang", lang, "ingest", *argv])
    out = io.StringIO()
    return run(args, stdin=io.StringIO(""), stdout=out, secrets=context.secrets), out.getvalue()


def rows(out: str) -> dict[str, str]:
    return dict(line.split("\t", 1) for line in out.splitlines())


def test_cli_config_shows_and_changes_the_configuration(context: AppContext, inbox: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = cli(context, "config")
    assert code == 0
    assert rows(out) == {"folder": "off", "folder_path": "-", "folder_preset": "auto", "folder_encoding": "auto",
                         "folder_mapping": "-", "folder_time_zone": "-", "http": "off", "http_host": "127.0.0.1",
                         "http_port": "8765", "http_url": "http://127.0.0.1:8765/v1/calls", "http_time_zone": "-",
                         "token": "missing"}
    code, out = cli(context, "config", "--folder", str(inbox), "--folder-preset", "asterisk", "--http", "on",
                    "--http-port", "9123")
    assert code == 0
    assert rows(out)["folder"] == "on" and rows(out)["folder_path"] == str(inbox)
    assert rows(out)["http_url"] == "http://127.0.0.1:9123/v1/calls"
    err = capsys.readouterr().err
    assert "biztel-desk ingest token --new" in err  # on, but no token yet
    assert ingest_folder.load_config(context.database) == FolderConfig(enabled=True, path=str(inbox), preset="asterisk")
    assert ingest_http.load_config(context.database) == HttpIngestConfig(enabled=True, port=9123)
    # Each call source has its own time zone (the PBX's), separate from the zone times are shown in.
    code, out = cli(context, "config", "--folder-time-zone", "UTC", "--http-time-zone", "America/New_York")
    assert code == 0 and rows(out)["folder_time_zone"] == "UTC" and rows(out)["http_time_zone"] == "America/New_York"
    assert ingest_folder.load_config(context.database).time_zone == "UTC"
    code, _ = cli(context, "config", "--folder-time-zone", "Mars/Olympus")
    assert code != 0 and "Mars/Olympus" in capsys.readouterr().err
    assert ingest_folder.load_config(context.database).time_zone == "UTC"

    code, _ = cli(context, "config", "--no-folder", "--http", "off")
    assert code == 0
    assert not ingest_folder.load_config(context.database).enabled
    assert ingest_folder.load_config(context.database).path == str(inbox)  # remembered for the next time


def test_cli_config_refuses_bad_values_and_changes_nothing(
    context: AppContext, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = cli(context, "config", "--folder", str(tmp_path / "nope"), "--http-port", "70000")
    assert code == 2
    err = capsys.readouterr().err
    assert f"フォルダがありません: {tmp_path / 'nope'}" in err
    assert "ポート番号は 1〜65535 で指定してください(指定: 70000)" in err
    assert "何も変更していません" in err
    assert ingest_folder.load_config(context.database) == FolderConfig()
    assert ingest_http.load_config(context.database) == HttpIngestConfig()


def test_cli_remote_host_warns_and_allows_remote(context: AppContext, capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = cli(context, "config", "--http", "on", "--http-host", "0.0.0.0",
                  "--i-understand-this-listens-on-the-network", lang="en")
    assert code == 0
    err = capsys.readouterr().err
    assert "other computers connect" in err and "does not provide TLS" in err and "reverse proxy" in err
    assert ingest_http.load_config(context.database).allow_remote
    cli(context, "config", "--http-host", "127.0.0.1")
    assert not ingest_http.load_config(context.database).allow_remote


def test_cli_token_is_printed_once_and_only_by_new(context: AppContext, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = cli(context, "token")
    assert code == 1 and out == ""
    code, out = cli(context, "token", "--new")
    assert code == 0
    token = out.strip()
    assert len(token) >= 40 and token == ingest_http.get_token(context.secrets)
    assert token not in capsys.readouterr().err
    code, out = cli(context, "token")
    assert code == 0 and token not in out
    _, config_out = cli(context, "config")
    _, status_out = cli(context, "status")
    assert rows(config_out)["token"] == "set"
    assert token not in config_out + status_out + capsys.readouterr().err
    assert token.encode() not in b"".join(p.read_bytes() for p in context.data_dir.iterdir() if p.is_file())  # type: ignore[union-attr]


def test_cli_status_says_whether_the_endpoint_answers(context: AppContext, sources: IngestSources, inbox: Path) -> None:
    port = free_port()
    configure(context, inbox, port)
    code, out = cli(context, "status")
    assert code == 0 and rows(out)["http_listening"] == "no" and rows(out)["token"] == "set"
    sources.start()
    code, out = cli(context, "status")
    assert code == 0 and rows(out)["http_listening"] == "yes"
    sources.stop()  # a running watcher would create its folder again
    shutil.rmtree(inbox)
    code, _ = cli(context, "status")
    assert code == 1  # the folder has gone


def test_a_token_generated_by_another_process_is_picked_up(
    context: AppContext, sources: IngestSources, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``biztel-desk ingest token --new`` while the app runs: no token_changed(), the endpoint re-reads the keyring."""
    monkeypatch.setattr(ingest_http, "TOKEN_RECHECK_S", 0.0)
    configure(context, port=free_port())
    url = sources.start().http.location
    old = str(ingest_http.get_token(context.secrets))
    ingest_http.generate_token(context.secrets)  # as the other process would, straight into the keyring
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {old}"}
    assert requests.post(url, data=json.dumps(CALL), headers=headers, timeout=5).status_code == 401
    assert post(url, context, CALL).status_code == 200
