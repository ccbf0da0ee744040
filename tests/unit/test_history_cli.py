"""``biztel-desk history``: the same filters and columns as the tab, as a table, CSV or JSON; exit codes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
import zoneinfo
from dataclasses import replace

import pytest
from sqlalchemy import select

from biztel_desk.app import build_parser
from biztel_desk.cli import run
from biztel_desk.cli.history_cmd import width
from biztel_desk.domain.instance import remember_instance
from biztel_desk.secrets import SecretStore
from biztel_desk.services.context import AppContext
from biztel_desk.store.models import Call, LinkJob, LinkSetting

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


@pytest.fixture
def history(context: AppContext, make_setting) -> AppContext:  # type: ignore[no-untyped-def]
    make_setting()
    context.config.save_system({"time_zone": "Asia/Tokyo"})
    with context.database.begin() as session:
        setting_id = session.scalar(select(LinkSetting.id).where(LinkSetting.name == "本社"))
        for number in range(6):
            began = dt.datetime(2025, 6, 1 + number, 10, tzinfo=TOKYO)
            call = Call(unique_id=f"u{number}", request_id=f"r{number}", direction="inbound",
                        from_number=f"090-2222-000{number}", to_number="03-1234-5678", to_agent_id=f"agent{number % 2}",
                        to_extension="201", started_at=began, ended_at=began + dt.timedelta(minutes=2))
            session.add(call)
            session.flush()
            failed = number == 5
            session.add(LinkJob(call_id=call.id, setting_id=setting_id, state="failed" if failed else "linked",
                                task_id=None if failed else f"00T00000000000{number}AAA",
                                error_code="INVALID_CROSS_REFERENCE_KEY" if failed else "",
                                error_message="invalid cross reference id" if failed else ""))
    return context


def _run(context: AppContext, secrets: SecretStore, *argv: str) -> tuple[int, str]:
    args = build_parser().parse_args(["--data-dir", str(context.data_dir), "--lang", "ja", "history", *argv])
    out = io.StringIO()
    return run(args, stdout=out, secrets=secrets), out.getvalue()


def test_table_is_aligned_for_japanese(history: AppContext, secrets: SecretStore) -> None:
    code, out = _run(history, secrets)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:6] == ["状態", "結果", "発着信", "発信電話番号", "着信電話番号", "通話開始日時"]  # the tab's order
    assert len(lines) == 7
    assert lines[1].split()[:4] == ["失敗", "応答", "着信", "090-2222-0005"]  # newest first; no disposition = answered
    assert "失敗" in lines[1] and "紐付け先のレコードが存在しないか参照できません" in lines[1]
    column = width(lines[0][: lines[0].index("通話開始日時")])
    assert all(width(line[: line.index("2025/06/")]) == column for line in lines[1:])


def test_filters_like_the_gui(history: AppContext, secrets: SecretStore) -> None:
    code, out = _run(history, secrets, "--format", "json", "--keyword", "+81 90 2222 0003")
    assert code == 0
    rows = json.loads(out)
    assert [row["from_number"] for row in rows] == ["090-2222-0003"]
    assert rows[0]["started_at"] == "2025-06-04T10:00:00+09:00"  # ISO 8601 in the configured zone
    # No login from this computer yet: the org's address is unknown, the login page forwards after sign-in.
    assert rows[0]["task_url"] == "https://login.salesforce.com/?startURL=%2Flightning%2Fr%2FTask%2F00T000000000003AAA%2Fview"
    _, out = _run(history, secrets, "--format", "json", "--from", "2025-06-02", "--to", "2025-06-03")
    assert [row["from_number"] for row in json.loads(out)] == ["090-2222-0002", "090-2222-0001"]
    _, out = _run(history, secrets, "--format", "json", "--state", "failed")
    assert [(row["state"], row["state_label"]) for row in json.loads(out)] == [("failed", "失敗")]
    _, out = _run(history, secrets, "--format", "json", "--keyword", "agent1", "--to", "2025-06-03")
    assert [row["from_number"] for row in json.loads(out)] == ["090-2222-0001"]


def test_task_url_uses_the_org_address_recorded_at_login(history: AppContext, secrets: SecretStore) -> None:
    account = history.config.get_account("devorg")
    assert account is not None and account.login_host == "login"
    remember_instance(history.config, account, "acme.my.salesforce.com")  # sf.sf_instance after a login
    code, out = _run(history, secrets, "--format", "json", "--keyword", "090-2222-0003")
    assert code == 0
    assert json.loads(out)[0]["task_url"] == "https://acme.my.salesforce.com/lightning/r/Task/00T000000000003AAA/view"
    # Another user (or org) configured since: the recorded address may be wrong, so it is not used.
    history.config.save_account(replace(account, username="other@example.com"), original_name="devorg")
    _, out = _run(history, secrets, "--format", "json", "--keyword", "090-2222-0003")
    assert json.loads(out)[0]["task_url"].startswith("https://login.salesforce.com/?startURL=")


def test_json_is_for_programs(history: AppContext, secrets: SecretStore) -> None:
    code, out = _run(history, secrets, "--format", "json", "--all-columns")
    assert code == 0
    rows = json.loads(out)
    failed, linked = rows[0], rows[1]
    assert failed["state"] == "failed" and failed["state_label"] == "失敗"
    assert failed["error_code"] == "INVALID_CROSS_REFERENCE_KEY"
    assert failed["error_message"].startswith("紐付け先のレコードが存在しないか参照できません")
    assert failed["task_id"] is None and failed["task_url"] is None
    assert linked["state"] == "linked" and linked["error_code"] is None and linked["error_message"] is None
    assert linked["task_id"] == "00T000000000004AAA"
    assert isinstance(linked["job_id"], int) and linked["retry_count"] == 0
    started = dt.datetime.fromisoformat(linked["started_at"])
    assert started.utcoffset() == dt.timedelta(hours=9) and started == dt.datetime(2025, 6, 5, 10, tzinfo=TOKYO)
    assert dt.datetime.fromisoformat(linked["ended_at"]) - started == dt.timedelta(minutes=2)
    assert linked["processed_at"] is None and linked["next_retry_at"] is None
    assert {"unique_id", "request_id", "to_agent_id", "record_object", "record_id", "linked_to"} <= set(linked)
    # The state label follows the user's language; the code does not.
    args = build_parser().parse_args(["--data-dir", str(history.data_dir), "--lang", "en", "history", "--format",
                                      "json", "--state", "failed"])
    out_en = io.StringIO()
    assert run(args, stdout=out_en, secrets=secrets) == 0
    assert [(row["state"], row["state_label"]) for row in json.loads(out_en.getvalue())] == [("failed", "Failed")]


@pytest.mark.parametrize(("word", "expected"), [("waiting", {"pending"}), ("pending", {"pending"}),
                                                 ("linked", {"linked"}), ("failed", {"failed"}),
                                                 ("held", set()), ("retrying", set()), ("skipped", set()),
                                                 ("sending", set())])
def test_state_takes_the_gui_words(history: AppContext, secrets: SecretStore, word: str, expected: set[str]) -> None:
    with history.database.begin() as session:
        job = session.scalars(select(LinkJob).join(Call).where(Call.unique_id == "u0")).one()
        job.state, job.task_id = "pending", None
    code, out = _run(history, secrets, "--format", "json", "--state", word)
    assert code == 0
    assert {row["state"] for row in json.loads(out)} == expected


def test_csv_on_stdout_has_no_bom(history: AppContext, secrets: SecretStore) -> None:
    code, out = _run(history, secrets, "--format", "csv", "--all-columns")
    assert code == 0 and not out.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][:5] == ["状態", "結果", "発着信", "ユニークID", "リクエストID"] and len(rows[0]) == 19
    assert len(rows) == 7


def test_exit_codes(history: AppContext, secrets: SecretStore, capsys) -> None:  # type: ignore[no-untyped-def]
    assert _run(history, secrets, "--setting", "存在しない")[0] == 2  # a usage error, as for `verify`
    assert "存在しない" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stopped:
        _run(history, secrets, "--state", "unknown")
    assert stopped.value.code == 2
    assert _run(history, secrets, "--from", "2025/13/01")[0] == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_subprocess(history: AppContext) -> None:
    environment = dict(os.environ, PYTHONIOENCODING="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "biztel_desk", "--data-dir", str(history.data_dir), "--lang", "en", "history",
         "--format", "csv", "--state", "linked"],
        capture_output=True, text=True, encoding="utf-8", env=environment, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][:6] == ["State", "Outcome", "Direction", "From number", "To number", "Call start"]
    assert len(rows) == 6 and {row[rows[0].index("State")] for row in rows[1:]} == {"Linked"}


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(history: AppContext, secrets: SecretStore) -> None:
    # A unique ID (and numbers) arriving from a CSV or HTTP import, exported and opened in Excel (OWASP CSV injection).
    hostile = {"u0": "=cmd|' /C calc'!A0", "u1": "@SUM(1+1)*cmd|' /C calc'!A0", "u2": "\tX", "u3": "\r=1"}
    with history.database.begin() as session:
        for old, new in hostile.items():
            call = session.scalar(select(Call).where(Call.unique_id == old))
            assert call is not None
            call.unique_id = new
        call = session.scalar(select(Call).where(Call.unique_id == "u4"))
        assert call is not None
        call.from_number, call.to_number = "+81312345678", "-1+2"
    code, out = _run(history, secrets, "--format", "csv", "--all-columns")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    header = rows[0]
    uid, from_col, to_col = (header.index(title) for title in ("ユニークID", "発信電話番号", "着信電話番号"))
    unique_ids = {row[uid] for row in rows[1:]}
    assert unique_ids == {"'=cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0", "'\tX", "'\r=1", "u4", "u5"}
    by_id = {row[uid]: row for row in rows[1:]}
    assert [by_id["u4"][from_col], by_id["u4"][to_col]] == ["'+81312345678", "'-1+2"]  # phone numbers too (OWASP)
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)
    # JSON is for programs: the values as stored.
    code, out = _run(history, secrets, "--format", "json")
    assert "=cmd|' /C calc'!A0" in {row["unique_id"] for row in json.loads(out)}


@pytest.fixture
def outcomes(context: AppContext, make_setting) -> AppContext:  # type: ignore[no-untyped-def]
    """An answered call whose Task was updated by a late leg, a missed call, a busy one (issue #9)."""
    make_setting()
    context.config.save_system({"time_zone": "Asia/Tokyo"})
    with context.database.begin() as session:
        setting_id = session.scalar(select(LinkSetting.id).where(LinkSetting.name == "本社"))
        for number, (disposition, state) in enumerate((("ANSWERED", "updated"), ("NO ANSWER", "linked"),
                                                       ("BUSY", "update_pending"))):
            began = dt.datetime(2025, 6, 1 + number, 10, tzinfo=TOKYO)
            call = Call(unique_id=f"o{number}", direction="inbound", from_number=f"090-3333-000{number}",
                        to_number="03-1234-5678", started_at=began, disposition=disposition)
            session.add(call)
            session.flush()
            session.add(LinkJob(call_id=call.id, setting_id=setting_id, state=state, task_id=f"00T00000000001{number}AAA"))
    return context


def test_the_outcome_has_its_own_column_in_every_format(outcomes: AppContext, secrets: SecretStore) -> None:
    code, out = _run(outcomes, secrets)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["状態", "結果", "発着信", "発信電話番号"]
    assert [line.split()[:2] for line in lines[1:]] == [["更新待ち", "話中"], ["連携済み", "不在"], ["更新済み", "応答"]]
    _, out = _run(outcomes, secrets, "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][:2] == ["状態", "結果"] and [r[:2] for r in rows[1:]] == [
        ["更新待ち", "話中"], ["連携済み", "不在"], ["更新済み", "応答"]]
    _, out = _run(outcomes, secrets, "--format", "json", "--state", "updated")
    [row] = json.loads(out)
    assert (row["state"], row["state_label"], row["outcome"], row["outcome_label"]) == (
        "updated", "更新済み", "ANSWERED", "応答")
    args = build_parser().parse_args(["--data-dir", str(outcomes.data_dir), "--lang", "en", "history", "--format", "csv"])
    out_en = io.StringIO()
    run(args, stdout=out_en, secrets=secrets)
    rows = list(csv.reader(io.StringIO(out_en.getvalue())))
    assert rows[0][:2] == ["State", "Outcome"] and rows[1][:2] == ["Update waiting", "Busy"]
    assert rows[3][:2] == ["Updated", "Answered"]
