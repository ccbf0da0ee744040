"""Call import end to end: presets, encodings, bad rows, idempotency, link jobs by status, and the CLI."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from biztel_desk.domain.config import LinkTargetConfig
from biztel_desk.ingest import files
from biztel_desk.services.context import AppContext
from biztel_desk.store.models import Call, LinkJob, LinkSetting, LinkTarget

DATA = Path(__file__).resolve().parent.parent / "data"
ROOT = Path(__file__).resolve().parents[2]
TOKYO = "Asia/Tokyo"


def _calls(context: AppContext) -> dict[str, Call]:
    with context.database.read() as session:
        return {call.unique_id: call for call in session.scalars(select(Call))}


def _jobs(context: AppContext) -> dict[tuple[str, str], str]:
    """(unique ID, setting name) → job state."""
    with context.database.read() as session:
        rows = session.execute(
            select(Call.unique_id, LinkSetting.name, LinkJob.state)
            .join(LinkJob, LinkJob.call_id == Call.id)
            .join(LinkSetting, LinkSetting.id == LinkJob.setting_id)
        )
        return {(unique_id, name): state for unique_id, name, state in rows}


def _linkable(context: AppContext) -> dict[tuple[str, str], str]:
    """The jobs that will be sent: every other call is kept as 対象外 (excluded)."""
    return {key: state for key, state in _jobs(context).items() if state != "excluded"}


def _excluded(context: AppContext) -> dict[tuple[str, str], str]:
    """(unique ID, setting name) → why the call is 対象外."""
    with context.database.read() as session:
        rows = session.execute(
            select(Call.unique_id, LinkSetting.name, LinkJob.error_code)
            .join(LinkJob, LinkJob.call_id == Call.id)
            .join(LinkSetting, LinkSetting.id == LinkJob.setting_id)
            .where(LinkJob.state == "excluded")
        )
        return {(unique_id, name): code for unique_id, name, code in rows}


def _targets(context: AppContext, setting: str) -> dict[str, tuple[bool, bool]]:
    """E.164 → (enabled, discovered)."""
    with context.database.read() as session:
        rows = session.execute(
            select(LinkTarget.e164, LinkTarget.enabled, LinkTarget.discovered)
            .join(LinkSetting, LinkSetting.id == LinkTarget.setting_id)
            .where(LinkSetting.name == setting)
        )
        return {e164: (enabled, discovered) for e164, enabled, discovered in rows}


@pytest.mark.parametrize(("name", "encoding"), [("asterisk_master_cp932.csv", "cp932"), ("asterisk_master_utf8bom.csv", "utf-8-sig")])
def test_asterisk_master_csv(context: AppContext, name: str, encoding: str) -> None:
    report = files.import_file(context.database, DATA / name, time_zone=TOKYO)
    assert (report.preset, report.encoding) == ("asterisk", encoding)  # both detected, no option given
    assert (report.imported, report.known) == (7, 0)
    assert [(row.line, row.reason_code, row.field) for row in report.rejected] == [
        (6, "bad_date", "started_at"),
        (7, "column_count", ""),
    ]
    calls = _calls(context)
    inbound = calls["1711929600.1"]
    assert (inbound.direction, inbound.customer_e164, inbound.company_e164) == ("inbound", "+819011112222", "+81312345678")
    assert inbound.to_extension == "201"  # the agent who answered, from dstchannel
    assert (inbound.from_number, inbound.to_number) == ("09011112222", "0312345678")  # dst is the DID
    assert inbound.started_at == dt.datetime(2024, 4, 1, 0, 0, tzinfo=dt.UTC)  # 09:00 in Tokyo
    assert (inbound.duration_s, inbound.disposition, inbound.source) == (180, "ANSWERED", "asterisk")
    outbound = calls["1711933200.2"]
    assert (outbound.direction, outbound.from_extension, outbound.customer_e164, outbound.company_e164) == (
        "outbound", "201", "+81451234567", None,
    )
    # src is the extension, not a phone number: no caller ID recorded, so the default outbound number decides.
    assert (outbound.from_number, outbound.to_number) == ("", "0451234567")
    internal = calls["1711940400.4"]
    assert (internal.from_extension, internal.to_extension) == ("201", "202")
    unanswered = calls["1711936800.3"]
    assert (unanswered.disposition, unanswered.duration_s) == ("NO ANSWER", 0)  # unanswered calls are calls
    assert internal.direction == "internal"
    anonymous = calls["1711944000.5"]
    assert (anonymous.from_number, anonymous.customer_e164) == ("非通知", None)  # issue #9: one 非通知 with a reason
    midnight = calls["1711983570.8"]
    assert midnight.started_at == dt.datetime(2024, 4, 1, 14, 59, 30, tzinfo=dt.UTC)
    assert midnight.ended_at == dt.datetime(2024, 4, 1, 15, 4, 35, tzinfo=dt.UTC)


def test_rejected_rows_are_explained_in_both_languages(context: AppContext) -> None:
    report = files.import_file(context.database, DATA / "asterisk_master_cp932.csv", time_zone=TOKYO)
    ja = report.problems("ja")
    en = report.problems("en")
    assert ja[0] == (
        "asterisk_master_cp932.csv: 6行目: 通話開始日時「2024-13-45 25:00:00」を日時として読めません"
        "(例: 2024-04-01 09:00:00、2024/04/01 09:00:00、2024-04-01T09:00:00+09:00)。"
    )
    assert en[1].startswith("asterisk_master_cp932.csv: line 7: The row has 4 columns (16 or more expected)")


def test_reimport_creates_nothing_twice(context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(status="enabled")
    first = files.import_file(context.database, DATA / "asterisk_master_cp932.csv", time_zone=TOKYO)
    jobs = _jobs(context)
    # The same calls in another encoding are the same calls (unique ID), and so is the same file again.
    again = files.import_file(context.database, DATA / "asterisk_master_utf8bom.csv", time_zone=TOKYO)
    third = files.import_file(context.database, DATA / "asterisk_master_cp932.csv", time_zone=TOKYO)
    assert (first.imported, again.imported, third.imported) == (7, 0, 0)
    assert (again.known, third.known) == (7, 7)
    assert len(_calls(context)) == 7
    assert _jobs(context) == jobs


def test_jobs_follow_the_link_status(context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting("有効", status="enabled")
    make_setting("一時停止", status="paused")
    make_setting("無効", status="disabled")
    report = files.import_file(context.database, DATA / "asterisk_master_cp932.csv", time_zone=TOKYO)
    jobs = _linkable(context)
    on_target = {"1711929600.1", "1711936800.3", "1711944000.5", "1711983570.8"}  # inbound on 03-1234-5678
    assert {uid for uid, name in jobs if name == "有効"} == on_target
    assert {uid for uid, name in jobs if name == "一時停止"} == on_target
    assert not any(name == "無効" for _, name in _jobs(context))  # disabled: no job at all
    assert {state for (_, name), state in jobs.items() if name == "有効"} == {"pending"}
    assert {state for (_, name), state in jobs.items() if name == "一時停止"} == {"held"}
    # The other calls are kept visible as 対象外, with the reason.
    assert report.job_counts["有効"] == {"pending": 4, "excluded": 3}
    assert report.job_counts["一時停止"] == {"held": 4, "excluded": 3}
    assert {key: code for key, code in _excluded(context).items() if key[1] == "有効"} == {
        ("1711933200.2", "有効"): "no_default_outbound",  # outbound, src is the extension, no 既定の発信番号
        ("1711940400.4", "有効"): "internal",
        ("1712016000.9", "有効"): "number_unchecked",  # 03-1234-0000, discovered unchecked
    }
    # The anonymous caller gets a job too: it goes to the no-match policy, it is not dropped.
    assert ("1711944000.5", "有効") in jobs
    assert len(_calls(context)) == 7  # disabled settings still keep every call as history


def test_unchecked_targets_get_no_jobs_and_internal_calls_never(context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(status="enabled", targets=(LinkTargetConfig("03-1234-5678", enabled=False),))
    files.import_file(context.database, DATA / "asterisk_master_cp932.csv", time_zone=TOKYO)
    assert _linkable(context) == {}
    assert set(_excluded(context).values()) == {"number_unchecked", "no_default_outbound", "internal"}
    assert len(_excluded(context)) == 7  # every call visible, none sent


def test_default_outbound_number(context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(
        status="enabled",
        targets=(LinkTargetConfig("03-1234-5678", default_outbound=True),),
    )
    files.import_file(context.database, DATA / "asterisk_master_cp932.csv", time_zone=TOKYO)
    jobs = _linkable(context)
    assert ("1711933200.2", "本社") in jobs  # Master.csv outbound: src is the extension → default outbound
    assert ("1711940400.4", "本社") not in jobs  # internal: never
    assert _excluded(context)[("1711940400.4", "本社")] == "internal"


def test_default_outbound_number_must_be_checked(context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(status="enabled", targets=(LinkTargetConfig("03-1234-5678", enabled=False, default_outbound=True),))
    files.import_file(context.database, DATA / "asterisk_master_cp932.csv", time_zone=TOKYO)
    assert _linkable(context) == {}
    assert _excluded(context)[("1711933200.2", "本社")] == "number_unchecked"


def test_unanswered_calls_follow_on_unanswered(context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting("連携", status="enabled")
    make_setting("スキップ", status="enabled", on_unanswered="skip")
    files.import_file(context.database, DATA / "asterisk_master_cp932.csv", time_zone=TOKYO)
    jobs = _linkable(context)
    assert jobs[("1711936800.3", "連携")] == "pending"  # NO ANSWER, linked as a missed call
    assert ("1711936800.3", "スキップ") not in jobs
    assert _excluded(context)[("1711936800.3", "スキップ")] == "unanswered"
    assert jobs[("1711929600.1", "スキップ")] == "pending"  # answered calls are linked either way


def test_company_numbers_are_discovered_as_unchecked_targets(context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting("本社", status="enabled")
    make_setting("支社", status="disabled", targets=())
    report = files.import_file(context.database, DATA / "asterisk_master_cp932.csv", time_zone=TOKYO)
    assert _targets(context, "本社") == {"+81312345678": (True, False), "+81312340000": (False, True)}
    assert _targets(context, "支社") == {"+81312345678": (False, True), "+81312340000": (False, True)}
    assert report.discovered == {"本社": ["+81312340000"], "支社": ["+81312340000", "+81312345678"]}
    # The admin sees them in the 連携対象 tab, written the way people write numbers.
    setting = context.config.get_setting("本社")
    assert setting is not None
    assert [(t.number, t.enabled) for t in setting.targets] == [("03-1234-5678", True), ("03-1234-0000", False)]
    again = files.import_file(context.database, DATA / "asterisk_master_utf8bom.csv", time_zone=TOKYO)
    assert again.discovered == {}
    assert len(_targets(context, "支社")) == 2  # never duplicated


def test_freepbx_export(context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(status="enabled")
    report = files.import_file(context.database, DATA / "freepbx_cdr.csv", time_zone=TOKYO)
    # Line 5 has no uniqueid but a linkedid: a leg of call 1711940400.14 (issue #9), no longer refused.
    assert (report.preset, report.imported, report.known, report.rejected) == ("freepbx", 4, 0, [])
    calls = _calls(context)
    inbound = calls["1711929600.11"]
    assert (inbound.direction, inbound.company_e164, inbound.to_extension) == ("inbound", "+81312345678", "201")  # did
    # The to number is the DID the call came in on; dst (201) is the answering extension, not a phone number.
    assert (inbound.from_number, inbound.to_number, inbound.customer_e164) == ("09011112222", "0312345678", "+819011112222")
    assert inbound.recording_file == "in-0312345678-09011112222-20240401-090000-1711929600.11.wav"
    assert inbound.request_id == "1711929600.11"  # linkedid
    assert inbound.ended_at == dt.datetime(2024, 4, 1, 0, 2, 5, tzinfo=dt.UTC)  # calldate + duration
    outbound = calls["1711933200.12"]
    assert (outbound.direction, outbound.company_e164) == ("outbound", "+81312345678")  # outbound_cnum
    # The from number is the company caller ID presented (outbound_cnum); src (201) is the from extension.
    assert (outbound.from_number, outbound.from_extension, outbound.to_number) == ("0312345678", "201", "0451234567")
    assert outbound.customer_e164 == "+81451234567"
    no_cnum = calls["1711936800.13"]
    assert no_cnum.company_e164 is None  # no outbound_cnum: the default outbound number would decide
    assert (no_cnum.direction, no_cnum.from_number, no_cnum.from_extension) == ("outbound", "", "201")
    assert calls["1711940400.14"].disposition == "NO ANSWER"
    assert set(_linkable(context)) == {("1711929600.11", "本社"), ("1711933200.12", "本社"), ("1711940400.14", "本社")}
    assert _excluded(context) == {("1711936800.13", "本社"): "no_default_outbound"}


def test_generic_biztel_history_with_a_mapping(context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(status="paused")
    mapping = files.load_mapping(DATA / "biztel_mapping.toml")
    report = files.import_file(context.database, DATA / "biztel_history.csv", "generic", mapping)
    assert (report.preset, report.encoding, report.imported) == ("generic", "cp932", 4)
    assert [(r.line, r.reason_code) for r in report.rejected] == [(6, "ended_before_start"), (7, "bad_date")]
    calls = _calls(context)
    assert (calls["b-0001"].direction, calls["b-0001"].to_agent_id, calls["b-0001"].request_id) == ("inbound", "agent01", "req-0001")
    outbound = calls["b-0002"]
    assert (outbound.direction, outbound.company_e164, outbound.from_extension) == ("outbound", "+81312345678", "202")
    assert calls["b-0003"].customer_e164 is None  # 非通知
    assert calls["b-0004"].direction == "internal"
    assert calls["b-0001"].source == "biztel"
    assert set(_linkable(context).values()) == {"held"}
    assert len(_linkable(context)) == 3
    assert _excluded(context) == {("b-0004", "本社"): "internal"}


def test_generic_tsv_is_detected_with_the_builtin_biztel_mapping(context: AppContext) -> None:
    report = files.import_file(context.database, DATA / "biztel_history.tsv", time_zone=TOKYO)
    assert (report.preset, report.encoding, report.imported, len(report.rejected)) == ("generic", "utf-8", 4, 2)


def test_a_json_mapping_with_other_headers_and_a_date_format(context: AppContext, tmp_path: Path) -> None:
    mapping_file = tmp_path / "mapping.json"
    mapping_file.write_text(
        json.dumps(
            {
                "date_format": "%d.%m.%Y %H:%M",
                "time_zone": "Europe/Berlin",
                "columns": {"Call ID": "unique_id", "Caller": "from_number", "Callee": "to_number", "Begin": "started_at", "Type": "direction"},
                "direction_values": {"IN": "inbound", "OUT": "outbound"},
            }
        ),
        encoding="utf-8",
    )
    calls_file = tmp_path / "calls.csv"
    calls_file.write_text("Call ID,Caller,Callee,Begin,Type\nc1,+49301234567,0301111111,01.04.2024 09:00,IN\n", encoding="utf-8")
    mapping = files.load_mapping(mapping_file)
    report = files.import_file(context.database, calls_file, "generic", mapping)
    assert (report.imported, report.rejected) == (1, [])
    call = _calls(context)["c1"]
    assert call.started_at == dt.datetime(2024, 4, 1, 7, 0, tzinfo=dt.UTC)  # Berlin summer time
    assert call.direction == "inbound"


def test_a_mapping_that_does_not_fit_the_file_fails_the_file(context: AppContext, tmp_path: Path) -> None:
    mapping = files.mapping_from_data({"ID": "unique_id", "From": "from_number", "Start": "started_at"})
    report = files.import_file(context.database, DATA / "biztel_history.csv", "generic", mapping)
    assert report.error is not None and report.error.code == "missing_columns"
    assert "ID" in report.error.text("en")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"ユニークID": "unique_id"}, "no column for started_at"),
        ({"a": "unique_id", "b": "started_at", "c": "caller"}, "unknown field(s) caller"),
        ({"columns": {"a": "unique_id", "b": "started_at", "c": "from_number"}, "time_zone": "Mars/Olympus"}, "Mars/Olympus"),
    ],
)
def test_bad_mappings_are_refused(data: dict[str, object], reason: str) -> None:
    with pytest.raises(files.ImportFailure) as failure:
        files.mapping_from_data(data)
    assert reason in failure.value.text("en")


def test_mapping_round_trip(tmp_path: Path) -> None:
    for name in ("m.toml", "m.json"):
        files.save_mapping(files.BIZTEL_MAPPING, tmp_path / name)
        assert files.load_mapping(tmp_path / name) == files.BIZTEL_MAPPING


def test_encoding_option_and_undetectable_files(context: AppContext, tmp_path: Path) -> None:
    report = files.import_file(context.database, DATA / "asterisk_master_cp932.csv", encoding="utf-8")
    assert report.error is not None and report.error.code == "encoding_mismatch"
    forced = files.import_file(context.database, DATA / "asterisk_master_cp932.csv", encoding="cp932", time_zone=TOKYO)
    assert (forced.encoding, forced.imported) == ("cp932", 7)
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(b"\x81\x00\xff\xfe\x80" * 10)
    assert files.import_file(context.database, garbage).error is not None
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    failed = files.import_file(context.database, unknown)
    assert failed.error is not None and failed.error.code == "unknown_format"
    # The hint names what the admin changes where the import came from (the CLI's by default).
    assert failed.problems("en") == [f"Cannot tell the format of {unknown}. Name it with --preset asterisk|freepbx|generic"
                                     " (generic also needs --mapping)."]
    assert "--folder-preset" in failed.problems("en", "folder")[0]
    assert "「プリセット」で形式を選ぶか" in failed.error.text("ja", "dialog")
    assert "--" not in failed.error.text("en", "dialog")
    mismatch = report.error.text("ja", "dialog")
    assert mismatch.endswith("「文字コード」を「自動」にしてください。") and "--encoding" not in mismatch


def test_preview_for_the_mapping_dialog(context: AppContext) -> None:
    preview = files.preview(DATA / "biztel_history.csv", limit=3, database=context.database)
    assert (preview.detected_preset, preview.detected_encoding, preview.delimiter, preview.has_header) == ("generic", "cp932", ",", True)
    assert preview.columns[:3] == ["ユニークID", "リクエストID", "発着信区分"]
    assert len(preview.rows) == 3 and preview.rows[0][0] == "b-0001"
    assert [r.unique_id for r in preview.records] == ["b-0001", "b-0002", "b-0003"]
    master = files.preview(DATA / "asterisk_master_cp932.csv", limit=10, database=context.database)
    assert master.columns[:3] == ["accountcode", "src", "dst"] and not master.has_header
    assert [r.line for r in master.rejected] == [6, 7]
    unknown = files.preview(DATA / "biztel_mapping.toml")
    assert unknown.detected_preset is None and unknown.rows  # raw rows still shown, for mapping by hand
    assert _calls(context) == {}  # a preview never stores anything


def test_progress_and_chunks(context: AppContext, tmp_path: Path) -> None:
    lines = [
        f'"","09011{i:06d}","0312345678","from-trunk","","","","Dial","","2024-04-01 09:00:00","","2024-04-01 09:01:00",60,60,"ANSWERED","DOCUMENTATION","id-{i}",""'
        for i in range(250)
    ]
    path = tmp_path / "Master.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    seen: list[int] = []
    report = files.import_file(context.database, path, progress=seen.append, chunk_rows=100, time_zone=TOKYO)
    assert report.imported == 250
    assert seen == [100, 200, 250]


def run_cli(data_dir: Path, *args: str, lang: str = "ja") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "biztel_desk", "--data-dir", str(data_dir), "--lang", lang, "import", *args],
        capture_output=True, text=True, encoding="utf-8", env=env, cwd=ROOT, timeout=120,
    )


def test_cli_exit_codes_and_output(tmp_path: Path) -> None:
    home = tmp_path / "home"
    # Some rows rejected: exit 1, counts on stdout, each rejected row with its line number on stderr.
    result = run_cli(home, str(DATA / "asterisk_master_cp932.csv"))
    assert result.returncode == 1, result.stderr
    assert "取り込み 7件、登録済み 0件、エラー 2件" in result.stdout
    assert "asterisk_master_cp932.csv: 6行目: 通話開始日時「2024-13-45 25:00:00」" in result.stderr
    assert "7行目" in result.stderr
    # The same file again: nothing new, still the same rejected rows.
    again = run_cli(home, str(DATA / "asterisk_master_utf8bom.csv"), lang="en")
    assert again.returncode == 1
    assert "imported 0, already known 7, rejected 2" in again.stdout
    assert "line 6:" in again.stderr
    # Every row fine: exit 0.
    clean = tmp_path / "clean.csv"
    clean.write_text(
        "calldate,src,dst,uniqueid,did\n2024-04-01 09:00:00,09011112222,201,x-1,0312345678\n", encoding="utf-8"
    )
    ok = run_cli(home, str(clean), lang="en")
    assert (ok.returncode, ok.stderr) == (0, "")
    assert "imported 1, already known 0, rejected 0 (format freepbx" in ok.stdout


def test_cli_generic_with_mapping_and_usage_errors(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = run_cli(home, "--preset", "generic", "--mapping", str(DATA / "biztel_mapping.toml"), str(DATA / "biztel_history.csv"))
    assert result.returncode == 1
    assert "取り込み 4件" in result.stdout
    missing = run_cli(home, str(tmp_path / "nope.csv"), lang="en")
    assert missing.returncode == 2
    assert "Cannot read" in missing.stderr and "nope.csv" in missing.stderr
    bad_mapping = run_cli(home, "--mapping", str(tmp_path / "nope.toml"), str(DATA / "biztel_history.csv"), lang="en")
    assert bad_mapping.returncode == 2
    assert "Cannot read the column mapping" in bad_mapping.stderr
    bad_option = run_cli(home, "--encoding", "latin-1", str(DATA / "biztel_history.csv"))
    assert bad_option.returncode == 2


def test_of_several_legs_with_one_unique_id_the_answered_one_is_kept(context: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "Master.csv"
    legs = [
        ("PJSIP/201-01", "NO ANSWER", 0),
        ("PJSIP/202-02", "ANSWERED", 95),
        ("PJSIP/203-03", "NO ANSWER", 0),
    ]
    path.write_text(
        "".join(
            f'"","09011112222","0312345678","from-trunk","","PJSIP/trunk-1","{channel}","Dial","",'
            f'"2024-04-01 09:00:00","","2024-04-01 09:02:00",120,{talk},"{disposition}","DOCUMENTATION","ring.1",""\n'
            for channel, disposition, talk in legs
        ),
        encoding="utf-8",
    )
    report = files.import_file(context.database, path, time_zone=TOKYO)
    assert (report.imported, report.known) == (1, 0)  # three legs of one call (issue #9): one call, no leg known
    call = _calls(context)["ring.1"]
    assert (call.to_extension, call.disposition, call.duration_s) == ("202", "ANSWERED", 95)
