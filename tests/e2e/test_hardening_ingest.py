"""Issue #16 (ingest part): bad rows, half-saved files, hostile HTTP payloads and clients, recording URLs, ports.

Each test here failed on the code before the fix (an uncaught exception, a dropped connection, a thread held for
ever, a value accepted); the comments say how.
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, select, text

from biztel_desk.app import build_parser
from biztel_desk.cli import run
from biztel_desk.ingest import files
from biztel_desk.ingest import folder as ingest_folder
from biztel_desk.ingest import http as ingest_http
from biztel_desk.ingest.folder import FolderConfig, WatchedFolder
from biztel_desk.ingest.http import HttpIngestConfig
from biztel_desk.services.context import AppContext
from biztel_desk.services.ingest_sources import IngestSources, SourceState, save_settings
from biztel_desk.store.models import Call

ROOT = Path(__file__).resolve().parents[2]
TOKYO = "Asia/Tokyo"

# One Asterisk Master.csv row; {start}, {end} and {billsec} are the values under test.
ROW = ('"","09011{i:06d}","0312345678","from-trunk","","","","Dial","","{start}","","{end}",60,{billsec},'
       '"ANSWERED","DOCUMENTATION","id-{i}",""')
GOOD = {"start": "2024-04-01 09:00:00", "end": "2024-04-01 09:01:00", "billsec": "60"}


def master_csv(path: Path, count: int, bad: dict[int, dict[str, str]] | None = None) -> Path:
    """``count`` good rows (line i+1 is call id-i), with the values of ``bad`` (line → values) replaced."""
    lines = [ROW.format(i=i, **{**GOOD, **(bad or {}).get(i + 1, {})}) for i in range(count)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _count_calls(context: AppContext) -> int:
    with context.database.read() as session:
        return int(session.scalar(select(func.count()).select_from(Call)) or 0)


# Rows the old code turned into an uncaught OverflowError/ValueError (in Tokyo: year 1 becomes year 0 in UTC).
BAD_ROWS = {
    2: {"start": "0001-01-01 00:00:00"},
    3: {"start": "9999-12-31T23:59:59-05:00", "end": ""},
    4: {"billsec": "1.0e999"},
    5: {"billsec": "99999999999999999999999"},
    6: {"end": "9999-12-31 23:59:59"},
}
EXPECTED_REJECTIONS = [
    (2, "date_range", "started_at"),
    (3, "date_range", "started_at"),
    (4, "bad_integer", "duration_s"),
    (5, "too_large", "duration_s"),
    (6, "date_range", "ended_at"),
]


# --- defect 1: a bad row is a rejected row with its line number ----------------------------------------------


def test_rows_with_year_1_or_9999_or_huge_durations_are_rejected_with_their_line(context: AppContext, tmp_path: Path) -> None:
    # Before: import_file raised OverflowError ("date value out of range", "cannot convert float infinity").
    report = files.import_file(context.database, master_csv(tmp_path / "Master.csv", 8, BAD_ROWS), time_zone=TOKYO)
    assert report.error is None
    assert [(r.line, r.reason_code, r.field) for r in report.rejected] == EXPECTED_REJECTIONS
    assert (report.imported, report.known) == (3, 0)
    assert report.rejected[0].line_text("ja") == (
        "Master.csv: 2行目: 通話開始日時「0001-01-01 00:00:00」は範囲外です(1970年〜2999年の日時を指定してください)。"
    )
    assert report.rejected[2].line_text("en") == "Master.csv: line 4: Duration (s) '1.0e999' is not a whole number ≥ 0."
    assert report.rejected[3].text("en") == "Duration (s) '99999999999999999999999' is too large (at most 2147483647)."


def run_import_cli(data_dir: Path, *args: str, lang: str = "ja") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "TZ": TOKYO}  # the computer's zone: naive times are Tokyo's
    return subprocess.run(
        [sys.executable, "-m", "biztel_desk", "--data-dir", str(data_dir), "--lang", lang, "import", *args],
        capture_output=True, text=True, encoding="utf-8", env=env, cwd=ROOT, timeout=120,
    )


def test_cli_import_reports_the_bad_rows_and_imports_the_rest(tmp_path: Path) -> None:
    # Before: a traceback on stderr, and the rows after the bad one were never read.
    result = run_import_cli(tmp_path / "home", str(master_csv(tmp_path / "Master.csv", 8, BAD_ROWS)))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "Master.csv: 取り込み 3件、登録済み 0件、エラー 5件" in result.stdout
    for line, _, _ in EXPECTED_REJECTIONS:
        assert f"Master.csv: {line}行目: " in result.stderr
    assert "Master.csv: 4行目: 通話時間(秒)「1.0e999」は0以上の整数ではありません。" in result.stderr


def test_the_watched_folder_rejects_the_bad_rows_and_takes_the_next_files(context: AppContext, tmp_path: Path) -> None:
    # Before: scan_once raised OverflowError on a.csv every poll; b.csv (sorted after it) was never taken.
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    master_csv(inbox / "a.csv", 8, BAD_ROWS)
    (inbox / "b.csv").write_text(ROW.format(i=100, **GOOD) + "\n", encoding="utf-8")
    watched = WatchedFolder(context.database, inbox, time_zone=TOKYO, lang="ja")
    results = watched.scan_once(settle=False)
    assert [(r.source.name, r.outcome) for r in results] == [("a.csv", "done"), ("b.csv", "done")]
    report = (inbox / "done" / "a.csv.report.txt").read_text(encoding="utf-8")
    assert report.startswith("a.csv: 取り込み 3件、登録済み 0件、エラー 5件")
    assert "a.csv: 2行目: 通話開始日時「0001-01-01 00:00:00」は範囲外です" in report
    assert "a.csv: 5行目: 通話時間(秒)「99999999999999999999999」が大きすぎます(最大 2147483647)。" in report
    assert _count_calls(context) == 4
    assert watched.problem is None


def _refuse_inserts_of(context: AppContext, unique_id: str) -> None:
    """A real database fault on one row's INSERT (as a full disk or a corrupt page would give), via a trigger."""
    with context.database.begin() as session:
        session.execute(text(
            "CREATE TRIGGER refuse_call BEFORE INSERT ON calls "
            f"WHEN NEW.unique_id = '{unique_id}' BEGIN SELECT RAISE(ABORT, 'simulated disk fault'); END"
        ))


@pytest.mark.sqlite_only("the database refusal is a SQLite trigger made through sqlite3")
def test_a_file_the_database_refuses_goes_to_failed_with_its_report_and_the_next_goes_on(
    context: AppContext, tmp_path: Path
) -> None:
    # Before: the database error escaped scan_once; the file stayed in the folder and blocked the ones after it.
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    master_csv(inbox / "a.csv", 3)  # id-0 … id-2
    (inbox / "b.csv").write_text(ROW.format(i=100, **GOOD) + "\n", encoding="utf-8")
    _refuse_inserts_of(context, "id-1")
    results = WatchedFolder(context.database, inbox, time_zone=TOKYO, lang="en").scan_once(settle=False)
    assert [(r.source.name, r.outcome) for r in results] == [("a.csv", "failed"), ("b.csv", "done")]
    report = (inbox / "failed" / "a.csv.report.txt").read_text(encoding="utf-8")
    assert "a.csv could not be stored in the database: simulated disk fault. Nothing of this file was stored." in report
    assert _count_calls(context) == 1  # b.csv's call only


def test_a_file_that_cannot_even_be_moved_to_failed_is_skipped_and_the_source_says_so(
    context: AppContext, secrets: Any, tmp_path: Path
) -> None:
    # Before: the exception repeated every poll, the next files waited for ever and the source said 監視中.
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "failed").write_text("a file where the failed/ folder should be", encoding="utf-8")
    (inbox / "a.csv").write_text("neither,a,known\nformat,nor,data\n", encoding="utf-8")
    (inbox / "b.csv").write_text(ROW.format(i=100, **GOOD) + "\n", encoding="utf-8")
    save_settings(context.database, FolderConfig(enabled=True, path=str(inbox), interval_s=0.05))
    sources = IngestSources(context.database, secrets, lang="ja")
    try:
        assert sources.start().folder.state is SourceState.RUNNING
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not (inbox / "done" / "b.csv").exists():
            time.sleep(0.05)
        assert (inbox / "done" / "b.csv").exists()  # the file after the stuck one was taken
        status = sources.status()
        assert status.folder.state is SourceState.ERROR
        assert status.folder_text("ja").startswith("エラー: a.csv を取り込めず、failed/ にも移せません(")
        assert "Check the folder's permissions" in status.folder_text("en")
        assert (inbox / "a.csv").exists()
    finally:
        sources.stop()


# --- defect 4: all rows or exactly the rows that went in ------------------------------------------------------


def test_6001_rows_with_a_bad_last_row_store_6000_and_reject_line_6001(context: AppContext, tmp_path: Path) -> None:
    # Before: the first 5,000-row chunk was committed, then the 6,001st row raised: 5,000 of 6,001, a traceback.
    path = master_csv(tmp_path / "Master.csv", 6001, {6001: {"billsec": "99999999999999999999999"}})
    report = files.import_file(context.database, path, time_zone=TOKYO)
    assert report.error is None
    assert (report.imported, [(r.line, r.reason_code) for r in report.rejected]) == (6000, [(6001, "too_large")])
    assert _count_calls(context) == 6000


@pytest.mark.sqlite_only("the store failure is a SQLite trigger made through sqlite3")
def test_a_store_failure_part_way_says_exactly_which_rows_went_in(context: AppContext, tmp_path: Path) -> None:
    # Before: the database error escaped import_file after 5,000 committed rows, with no word of what was stored.
    path = master_csv(tmp_path / "Master.csv", 6001, {3: {"billsec": "x"}})
    _refuse_inserts_of(context, "id-5500")  # line 5501, in the second chunk
    report = files.import_file(context.database, path, time_zone=TOKYO)
    assert report.error is not None and report.error.code == "store_failed_partial"
    # The first chunk is 5,000 good rows: lines 1–5001 without the rejected line 3.
    assert (report.imported, _count_calls(context)) == (5000, 5000)
    assert [r.line for r in report.rejected] == [3]
    assert report.error.text("en") == (
        f"Storing {path} failed part-way: simulated disk fault. The rows up to line 5001 are stored (5000 new, 0 already "
        "known); nothing from line 5002 on was stored. Remove the cause, then import the same file again to store the "
        "rest (calls already stored are not duplicated)."
    )
    assert files.ImportReport([report]).exit_code == 2
    with context.database.begin() as session:
        session.execute(text("DROP TRIGGER refuse_call"))
    again = files.import_file(context.database, path, time_zone=TOKYO)
    assert (again.error, again.imported, again.known, _count_calls(context)) == (None, 1000, 5000, 6000)


# --- defect 4: the HTTP endpoint answers every payload --------------------------------------------------------


@pytest.fixture
def plain_server(context: AppContext) -> Iterator[ingest_http.HttpIngestServer]:
    """The endpoint as the app starts it (default timeouts and cap)."""
    ingest_http.generate_token(context.secrets)
    instance = ingest_http.HttpIngestServer(context.database, context.secrets, port=0, time_zone=TOKYO)
    instance.start()
    yield instance
    instance.stop()


@pytest.fixture
def server(context: AppContext) -> Iterator[ingest_http.HttpIngestServer]:
    """Short deadlines, so that the tests of half-sent requests take a second."""
    ingest_http.generate_token(context.secrets)
    instance = ingest_http.HttpIngestServer(
        context.database, context.secrets, port=0, time_zone=TOKYO,
        header_timeout_s=1.0, body_timeout_s=1.0, max_connections=40,
    )
    instance.start()
    yield instance
    instance.stop()


def _token(context: AppContext) -> str:
    return str(ingest_http.get_token(context.secrets))


def _raw_post(server: ingest_http.HttpIngestServer, token: str, body: bytes, content_length: bytes | None = None) -> tuple[int, Any]:
    """POST over a plain socket (requests would refuse the odd headers); (status, JSON body), or (0, None) when the
    connection was dropped without an answer."""
    length = str(len(body)).encode() if content_length is None else content_length
    request = (b"POST /v1/calls HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer " + token.encode()
               + b"\r\nContent-Type: application/json\r\nContent-Length: " + length + b"\r\n\r\n" + body)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        try:
            connection.sendall(request)
            reader = connection.makefile("rb")
            status_line = reader.readline()
        except OSError:  # reset by the server
            return 0, None
        if not status_line:
            return 0, None
        headers = {}
        for line in iter(reader.readline, b"\r\n"):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        data = reader.read(int(headers.get("content-length", "0")))
        return int(status_line.split()[1]), json.loads(data)


def _call(**changes: Any) -> bytes:
    return json.dumps({"unique_id": "h-1", "from_number": "090-1111-2222", "to_number": "03-1234-5678",
                       "started_at": "2024-04-01 09:00:00", **changes}).encode()


HOSTILE_PAYLOADS: dict[str, tuple[bytes, bytes | None, int]] = {
    # name: (body, Content-Length header or None for the true length, the documented status)
    "deep array nesting": (b"[" * 100_000 + b"]" * 100_000, None, 400),
    "deep object nesting": (b'{"a":' * 50_000 + b"1" + b"}" * 50_000, None, 400),
    "5,000-digit number": (_call()[:-1] + b', "duration_s": ' + b"9" * 5000 + b"}", None, 400),
    "year 1": (_call(started_at="0001-01-01 00:00:00"), None, 422),
    "year 9999 with a negative offset": (_call(started_at="9999-12-31T23:59:59-05:00"), None, 422),
    "lone surrogate": (b'{"unique_id": "\\ud800", "from_number": "1", "to_number": "2", '
                       b'"started_at": "2024-04-01 09:00:00"}', None, 422),
    "NUL in a field": (_call(unique_id="a\u0000b"), None, 422),
    "non-ASCII Content-Length": (_call(), "²".encode("latin-1"), 400),
    "Content-Length of 5,000 digits": (_call(), b"9" * 5000, 400),
    "negative Content-Length": (_call(), b"-1", 400),
}


@pytest.mark.parametrize("name", list(HOSTILE_PAYLOADS))
def test_hostile_payloads_get_the_documented_answer(
    plain_server: ingest_http.HttpIngestServer, context: AppContext, name: str
) -> None:
    # Before: nesting, 5,000 digits (in the body or in Content-Length), year 1/9999, a lone surrogate and a non-ASCII
    # Content-Length dropped the connection (an exception in the handler thread); NUL was stored.
    body, length, expected = HOSTILE_PAYLOADS[name]
    status, answer = _raw_post(plain_server, _token(context), body, length)
    assert status == expected, answer
    assert answer["errors"] and all(error["message"] for error in answer["errors"])
    assert _count_calls(context) == 0


def test_item_errors_name_the_field_and_the_code(plain_server: ingest_http.HttpIngestServer, context: AppContext) -> None:
    body = json.dumps([
        json.loads(_call(unique_id="a", started_at="0001-01-01 00:00:00")),
        json.loads(_call(unique_id="b", duration_s=10**30)),
        json.loads(_call(unique_id="c", recording_server_url="javascript:alert(1)")),
        json.loads(_call(unique_id="d\u001b[31m")),
    ]).encode()
    status, answer = _raw_post(plain_server, _token(context), body)
    assert status == 422
    assert [(e["index"], e["field"], e["code"]) for e in answer["errors"]] == [
        (0, "started_at", "date_range"), (1, "duration_s", "too_large"), (2, "recording_server_url", "bad_url"),
        (3, "unique_id", "bad_characters"),
    ]
    assert answer["errors"][2]["message"] == (
        "Recording server URL 'javascript:alert(1)' is not allowed: give a URL that starts with http:// or https:// "
        "(e.g. https://s0000.u.biztel.jp:8000)."
    )


def test_an_unexpected_error_is_a_500_with_json_not_a_dropped_connection(context: AppContext) -> None:
    # A zone the server cannot load (here given to it directly) stands for any bug in the request path: before, the
    # handler thread died and the client saw the connection drop.
    ingest_http.generate_token(context.secrets)
    broken = ingest_http.HttpIngestServer(context.database, context.secrets, port=0, time_zone="Not/AZone")
    broken.start()
    try:
        status, answer = _raw_post(broken, _token(context), _call())
    finally:
        broken.stop()
    assert status == 500
    assert answer["errors"][0]["message"] == (
        "unexpected error in BIZTEL Desk; nothing was stored. Retry later; if it keeps failing, tell its administrator"
    )
    assert _count_calls(context) == 0


def test_1055_posts_with_replays_store_each_call_exactly_once(
    plain_server: ingest_http.HttpIngestServer, context: AppContext
) -> None:
    """What held under attack must keep holding: concurrent posts, each sent twice, store each call once."""
    token = _token(context)

    def send(index: int) -> tuple[int, int]:
        body = _call(unique_id=f"r-{index}", from_number=f"090{index:08d}")
        answers = [requests.post(plain_server.url, data=body, timeout=10, headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {token}"}) for _ in range(2)]
        assert [a.status_code for a in answers] == [200, 200]
        return answers[0].json()["imported"], answers[1].json()["known"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(send, range(1055)))
    assert results == [(1, 1)] * 1055
    assert _count_calls(context) == 1055


# --- defect 5: read timeouts and a connection cap -------------------------------------------------------------


def test_31_half_sent_requests_are_cut_off_and_others_are_served_meanwhile(
    server: ingest_http.HttpIngestServer, context: AppContext
) -> None:
    # Before: each half-sent request held a thread for as long as the client liked (over 105 s in the attack).
    started = time.monotonic()
    attackers = []
    for _ in range(31):
        connection = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        connection.sendall(b"POST /v1/calls HTTP/1.1\r\nHost: x\r\nContent-Type: appl")  # no token, never finished
        attackers.append(connection)
    try:
        answer = requests.post(server.url, data=_call(), timeout=10, headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {_token(context)}"})
        assert answer.status_code == 200  # served while the 31 hang
        for connection in attackers:
            assert connection.recv(1024) == b""  # the server closed it: the header deadline (1 s here)
        assert time.monotonic() - started < 5
    finally:
        for connection in attackers:
            connection.close()


def test_a_body_that_stops_coming_gets_408(server: ingest_http.HttpIngestServer, context: AppContext) -> None:
    started = time.monotonic()
    status, answer = _raw_post(server, _token(context), _call()[:10], str(len(_call())).encode())
    assert (status, time.monotonic() - started < 5) == (408, True)
    assert answer["errors"][0]["message"] == "the body was not received within 1 s"


def test_a_body_cut_short_by_the_client_gets_400(plain_server: ingest_http.HttpIngestServer, context: AppContext) -> None:
    body = _call()
    request = (b"POST /v1/calls HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + _token(context).encode()
               + b"\r\nContent-Type: application/json\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n")
    with socket.create_connection(("127.0.0.1", plain_server.port), timeout=10) as connection:
        connection.sendall(request + body[:10])
        connection.shutdown(socket.SHUT_WR)  # the client is done sending: 10 bytes of the announced body
        answer = connection.makefile("rb").read()
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["errors"][0]["message"] == (
        f"the body ended after 10 of {len(body)} bytes (Content-Length)"
    )
    assert _count_calls(context) == 0


def test_connections_beyond_the_cap_get_503_at_once(context: AppContext) -> None:
    ingest_http.generate_token(context.secrets)
    server = ingest_http.HttpIngestServer(context.database, context.secrets, port=0, max_connections=3)
    server.start()
    held = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(3)]
    try:
        time.sleep(0.2)  # let the server accept the three
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as extra:
            extra.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = extra.makefile("rb").read()
        assert answer.startswith(b"HTTP/1.1 503 Service Unavailable\r\n")
        assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["errors"][0]["message"].startswith("too many connections")
    finally:
        for connection in held:
            connection.close()
        server.stop()


def ingest_cli(context: AppContext, *argv: str, lang: str = "ja") -> int:
    args = build_parser().parse_args(["--data-dir", str(context.data_dir), "--lang", lang, "ingest", *argv])
    return run(args, stdin=io.StringIO(""), stdout=io.StringIO(), secrets=context.secrets)


def test_a_network_host_needs_the_explicit_flag(context: AppContext, capsys: pytest.CaptureFixture[str]) -> None:
    # Before: --http-host 0.0.0.0 was saved and allowed with a note only.
    assert ingest_cli(context, "config", "--http", "on", "--http-host", "0.0.0.0", lang="en") == 2
    err = capsys.readouterr().err
    assert "does not provide TLS" in err and "reverse proxy" in err
    assert "--i-understand-this-listens-on-the-network" in err and "Nothing was changed." in err
    assert ingest_http.load_config(context.database) == HttpIngestConfig()
    assert ingest_cli(context, "config", "--http", "on", "--http-host", "0.0.0.0",
                      "--i-understand-this-listens-on-the-network") == 0
    config = ingest_http.load_config(context.database)
    assert (config.enabled, config.host, config.allow_remote) == (True, "0.0.0.0", True)
    assert "TLS(HTTPS)を提供しない" in capsys.readouterr().err
    # Confirmed once for this host: changing something else does not ask again; another host does.
    assert ingest_cli(context, "config", "--http-port", "9000") == 0
    assert ingest_cli(context, "config", "--http-host", "192.0.2.1") == 2


def test_the_cli_help_says_tls_is_not_provided(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["ingest", "config", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--i-understand-this-listens-on-the-network" in out
    assert "TLS is not provided" in out and "reverse proxy" in out


# --- defect 10: port 0 -----------------------------------------------------------------------------------------


def test_http_port_0_is_refused_with_a_message(context: AppContext, capsys: pytest.CaptureFixture[str]) -> None:
    # Before: 0 == False made the option look absent: exit 0, nothing saved, nothing said.
    assert ingest_cli(context, "config", "--http", "on", "--http-port", "0", lang="en") == 2
    err = capsys.readouterr().err
    assert "Port 0 (any free port) is not supported" in err and "Nothing was changed." in err
    assert ingest_http.load_config(context.database) == HttpIngestConfig()
    assert ingest_folder.load_config(context.database) == FolderConfig()


# --- defect 6: recording URLs in files ------------------------------------------------------------------------


def test_recording_urls_in_a_file_must_be_http_and_fit_b_serverip(context: AppContext, tmp_path: Path) -> None:
    # Before: javascript: and 255-character URLs were stored, then written into B_ServerIP__c (Text(50)).
    header = "ユニークID,発信電話番号,着信電話番号,通話開始日時,録音サーバURL"
    rows = [
        "u-1,09011112222,0312345678,2024-04-01 09:00:00,https://s0000.u.biztel.jp:8000",
        "u-2,09011112222,0312345678,2024-04-01 09:00:00,javascript:alert(document.cookie)",
        "u-3,09011112222,0312345678,2024-04-01 09:00:00,https://" + "a" * 40 + ".example.jp",
        "u-4,09011112222,0312345678,2024-04-01 09:00:00,ftp://files.example.jp",
        "u-5,09011112222,0312345678,2024-04-01 09:00:00,",
    ]
    path = tmp_path / "biztel.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    report = files.import_file(context.database, path, time_zone=TOKYO)
    assert [(r.line, r.reason_code) for r in report.rejected] == [(3, "bad_url"), (4, "too_long"), (5, "bad_url")]
    assert report.rejected[0].text("ja") == (
        "録音サーバURL「javascript:alert(document.cookie)」は使えません。http:// または https:// で始まるURLを"
        "指定してください(例: https://s0000.u.biztel.jp:8000)。"
    )
    assert report.rejected[1].text("en") == "Recording server URL is too long (59 characters, at most 50)."
    assert report.imported == 2
