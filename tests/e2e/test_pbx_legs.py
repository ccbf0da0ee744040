"""Real PBX call records (issue #9): legs grouped into one call each, outcomes, numbers and formats.

Every fixture of tests/data/pbx (see its README) is imported into a real SQLite database and the stored calls are
checked field by field. tests/e2e/test_pbx_cli.py runs the same files through the CLI and the dev org.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from biztel_desk.ingest import files
from biztel_desk.services.context import AppContext
from biztel_desk.store.models import Call, CallLeg

PBX = Path(__file__).resolve().parent.parent / "data" / "pbx"
TOKYO = dt.timezone(dt.timedelta(hours=9))
COLUMNS = ("direction", "disposition", "duration_s", "started", "from_number", "to_number", "from_extension",
           "to_extension", "company_e164")

# fixture → {call id: (direction, outcome, talk time, start in Tokyo, from, to, from ext, to ext, company E.164)}
EXPECTED: dict[str, dict[str, tuple[Any, ...]]] = {
    "ring_group_local.csv": {
        "1711933200.1": ("inbound", "ANSWERED", 95, "10:00:00", "0335550101", "0312345678", "", "202", "+81312345678"),
    },
    "queue_agents.csv": {
        "1711936800.10": ("inbound", "ANSWERED", 200, "11:00:00", "0335550102", "0312345678", "", "203", "+81312345678"),
    },
    "busy_failed.csv": {
        "1711944000.30": ("inbound", "BUSY", 0, "13:00:00", "0335550104", "0312345678", "", "201", "+81312345678"),
        # Nobody answered and two phones rang: no single extension.
        "1711944060.31": ("inbound", "FAILED", 0, "13:01:00", "0335550104", "0312345678", "", "", "+81312345678"),
        "1711944120.32": ("inbound", "NO ANSWER", 0, "13:02:00", "0335550104", "0312345678", "", "", "+81312345678"),
    },
    "named_peers.csv": {
        "1711947600.40": ("outbound", "ANSWERED", 30, "14:00:00", "", "0335550105", "client1", "", None),
        "1711948200.41": ("internal", "ANSWERED", 10, "14:10:00", "", "", "client1", "client2", None),
        "1711948800.42": ("inbound", "ANSWERED", 45, "14:20:00", "0335550105", "0312345678", "", "", "+81312345678"),
    },
    "outbound_src_company.csv": {
        "1711951200.50": ("outbound", "ANSWERED", 42, "15:00:00", "0312345678", "0335550106", "201", "", "+81312345678"),
    },
    "dial_prefixes.csv": {
        "1711954800.60": ("outbound", "ANSWERED", 30, "16:00:00", "", "0335550107", "201", "", None),
        "1711955400.61": ("outbound", "ANSWERED", 20, "16:10:00", "", "0335550108", "201", "", None),
        "1711956000.62": ("outbound", "ANSWERED", 10, "16:20:00", "", "0335550109", "201", "", None),
        "1711956600.63": ("inbound", "ANSWERED", 10, "16:30:00", "非通知", "0312345678", "", "201", "+81312345678"),
        "1711957200.64": ("inbound", "ANSWERED", 10, "16:40:00", "非通知", "0312345678", "", "201", "+81312345678"),
        "1711957800.65": ("inbound", "ANSWERED", 10, "16:50:00", "表示圏外", "0312345678", "", "201", "+81312345678"),
    },
    "cut_clid.csv": {
        "1711958400.70": ("inbound", "ANSWERED", 60, "17:00:00", "0335550110", "0312345678", "", "201", "+81312345678"),
        "1711959000.71": ("inbound", "ANSWERED", 60, "17:10:00", "0335550111", "0312345678", "", "202", "+81312345678"),
    },
    "cdr_custom.csv": {
        "1711929600.80": ("inbound", "ANSWERED", 120, "09:00:00", "0335550120", "0312345678", "", "202", "+81312345678"),
    },
    "asterisk_table.csv": {
        "1711935000.90": ("inbound", "ANSWERED", 120, "10:30:00", "0335550123", "0312345678", "", "202", "+81312345678"),
    },
    "freepbx_table.csv": {
        "1711938600.100": ("inbound", "ANSWERED", 150, "11:30:00", "0335550124", "0312345678", "", "202", "+81312345678"),
        "1711939200.110": ("outbound", "ANSWERED", 45, "11:40:00", "0312345678", "0335550125", "201", "", "+81312345678"),
    },
    "local_did.csv": {  # the DID stays the company-side number as the PBX wrote it (an alias maps it: item 4)
        "1711942200.120": ("inbound", "ANSWERED", 35, "12:30:00", "0335550126", "211553", "", "201", None),
    },
}
EXPECTED.update({
    "3cx_cdr.log": {  # 3CX writes UTC: 04:00 UTC is 13:00 in Tokyo
        "00000C5A7B1D2E01_101": ("inbound", "ANSWERED", 95, "13:00:00", "0335550130", "0312345678", "", "201", "+81312345678"),
        "00000C5A7B1D2E02_102": ("inbound", "NO ANSWER", 0, "13:10:00", "0335550131", "0312345678", "", "202", "+81312345678"),
        "00000C5A7B1D2E03_103": ("outbound", "ANSWERED", 120, "13:20:00", "", "0335550132", "201", "", None),
    },
    "no_id_history.csv": {  # no per-call id: derived from start, numbers and duration (the repeated row is one call)
        "gen-bff1f9c95f60ef8feef7": ("inbound", "", 75, "14:30:00", "0335550140", "0312345678", "", "", "+81312345678"),
        "gen-1c0cdc32c581f9910a20": ("outbound", "", 30, "14:40:00", "0312345678", "0335550141", "", "", "+81312345678"),
    },
})
PRESETS = {"cdr_custom.csv": "cdr_custom", "freepbx_table.csv": "freepbx", "local_did.csv": "freepbx", "3cx_cdr.log": "3cx",
           "no_id_history.csv": "generic"}
# How each file is imported: the zone its times are written in (3CX: UTC, its own), a column mapping.
TIME_ZONES: dict[str, str | None] = {"3cx_cdr.log": None}
MAPPINGS = {"no_id_history.csv": PBX / "no_id_mapping.toml"}
COLUMN_LISTS = {
    "cdr_custom_fields.csv": "start(%F %T), src, dst, dstchannel, disposition, billsec, uniqueid(noquote), linkedid, sequence",
}
EXPECTED["cdr_custom_fields.csv"] = {
    "1711962000.150": ("inbound", "ANSWERED", 88, "18:00:00", "0335550150", "0312345678", "", "201", "+81312345678"),
    "1711962600.152": ("inbound", "BUSY", 0, "18:10:00", "0335550151", "0312345678", "", "202", "+81312345678"),
}
PRESETS["cdr_custom_fields.csv"] = "cdr_custom"


def _import(context: AppContext, name: str, **kwargs: Any) -> files.FileReport:
    mapping = files.load_mapping(MAPPINGS[name]) if name in MAPPINGS else None
    zone = TIME_ZONES.get(name, "Asia/Tokyo")
    columns = files.parse_columns(COLUMN_LISTS[name]) if name in COLUMN_LISTS else None
    return files.import_file(context.database, PBX / name, mapping=mapping, time_zone=zone, columns=columns, **kwargs)


def _calls(context: AppContext) -> dict[str, Call]:
    with context.database.read() as session:
        return {call.unique_id: call for call in session.scalars(select(Call))}


def _facts(call: Call) -> tuple[Any, ...]:
    started = call.started_at.astimezone(TOKYO).strftime("%H:%M:%S")
    return (call.direction, call.disposition, call.duration_s, started, call.from_number, call.to_number,
            call.from_extension, call.to_extension, call.company_e164)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_fixture_gives_one_call_per_real_call(context: AppContext, name: str) -> None:
    report = _import(context, name)
    assert report.error is None and report.rejected == []
    assert report.preset == PRESETS.get(name, "asterisk")
    calls = _calls(context)
    assert sorted(calls) == sorted(EXPECTED[name])
    for unique_id, expected in EXPECTED[name].items():
        assert dict(zip(COLUMNS, _facts(calls[unique_id]), strict=True)) == dict(zip(COLUMNS, expected, strict=True))
        assert calls[unique_id].revision == 1 and calls[unique_id].settle_until is None  # a manual import
    # Re-importing the same file creates and changes nothing.
    again = _import(context, name)
    assert (again.imported, again.updated, again.known) == (0, 0, report.rows)
    assert {k: _facts(v) for k, v in _calls(context).items()} == {k: _facts(v) for k, v in calls.items()}


def test_the_trailing_hangup_row_never_makes_a_missed_call_answered(context: AppContext, tmp_path: Path) -> None:
    rows = (PBX / "split_1.csv").read_text(encoding="utf-8") + (PBX / "split_2.csv").read_text(encoding="utf-8")
    hangup = rows.splitlines()[-1]  # ANSWERED, billsec 0, lastapp Hangup
    missed = tmp_path / "missed.csv"
    missed.write_text("\n".join([*rows.splitlines()[:2], hangup]) + "\n", encoding="utf-8")
    files.import_file(context.database, missed, time_zone="Asia/Tokyo")
    call = _calls(context)["1711940400.20"]
    assert (call.disposition, call.duration_s, call.recording_file) == ("NO ANSWER", 0, "")


def test_a_call_whose_legs_span_two_files_is_updated_once(context: AppContext) -> None:
    first = files.import_file(context.database, PBX / "split_1.csv", time_zone="Asia/Tokyo")
    assert (first.imported, first.updated) == (1, 0)
    call = _calls(context)["1711940400.20"]
    assert (call.disposition, call.duration_s, call.revision) == ("NO ANSWER", 0, 1)
    second = files.import_file(context.database, PBX / "split_2.csv", time_zone="Asia/Tokyo")
    assert (second.imported, second.updated, second.known) == (0, 1, 0)
    assert "updated 1" in second.text("en")
    call = _calls(context)["1711940400.20"]
    assert (call.disposition, call.duration_s, call.to_extension, call.revision) == ("ANSWERED", 61, "202", 2)
    assert call.started_at.astimezone(TOKYO).strftime("%H:%M:%S") == "12:00:00"
    with context.database.read() as session:
        assert session.scalar(select(func.count()).select_from(CallLeg)) == 5
    # Both files again: nothing new, nothing changed, the revision stays.
    for name in ("split_1.csv", "split_2.csv"):
        again = files.import_file(context.database, PBX / name, time_zone="Asia/Tokyo")
        assert (again.imported, again.updated) == (0, 0)
    assert _calls(context)["1711940400.20"].revision == 2


def test_legs_past_a_chunk_boundary_merge(context: AppContext) -> None:
    report = files.import_file(context.database, PBX / "queue_agents.csv", time_zone="Asia/Tokyo", chunk_rows=2)
    assert (report.imported, report.known) == (1, 0)
    call = _calls(context)["1711936800.10"]
    assert (call.disposition, call.duration_s, call.to_extension) == ("ANSWERED", 200, "203")


def test_live_sources_wait_the_settle_window(context: AppContext) -> None:
    context.config.save_system({"call_settle_s": 45})
    before = dt.datetime.now(dt.UTC)
    files.import_file(context.database, PBX / "split_1.csv", time_zone="Asia/Tokyo", live=True)
    settle = _calls(context)["1711940400.20"].settle_until
    assert settle is not None and before + dt.timedelta(seconds=44) <= settle <= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=45)


def test_master_csv_without_uniqueid_gets_stable_ids_and_a_note(context: AppContext) -> None:
    report = files.import_file(context.database, PBX / "master_no_uniqueid.csv", time_zone="Asia/Tokyo")
    assert (report.imported, report.rejected, report.notes) == (2, [], ["no_uniqueid"])
    assert "loguniqueid=yes" in report.text("en") and "loguniqueid=yes" in report.text("ja")
    calls = sorted(_calls(context).values(), key=lambda call: call.started_at)
    assert [(c.disposition, c.duration_s, c.to_extension) for c in calls] == [("ANSWERED", 90, "202"), ("ANSWERED", 30, "203")]
    assert all(c.unique_id.startswith("cdr-") for c in calls)
    again = files.import_file(context.database, PBX / "master_no_uniqueid.csv", time_zone="Asia/Tokyo")
    assert (again.imported, again.updated, again.known) == (0, 0, 3)


def test_a_cut_multibyte_caller_name_changes_nothing_else(context: AppContext) -> None:
    data = (PBX / "cut_clid.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text, encoding = files.decode(data)
    assert encoding == "utf-8" and "サンプル" in text and text.count("\ufffd") == 1
    for chosen in ("auto", "utf-8"):
        report = files.import_file(context.database, PBX / "cut_clid.csv", encoding=chosen, time_zone="Asia/Tokyo")
        assert report.error is None and report.rejected == [] and report.encoding == "utf-8"


def test_a_customer_number_is_never_discovered_as_a_company_number(context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(status="enabled")
    for name in ("outbound_src_company.csv", "named_peers.csv", "dial_prefixes.csv", "freepbx_table.csv"):
        files.import_file(context.database, PBX / name, time_zone="Asia/Tokyo")
    with context.database.read() as session:
        from biztel_desk.store.models import LinkTarget

        numbers = set(session.scalars(select(LinkTarget.e164)))
    assert numbers == {"+81312345678"}


def test_the_outside_line_prefix_is_a_system_setting(context: AppContext) -> None:
    context.config.save_system({"outside_line_prefix": "9"})
    path = PBX / "dial_prefixes.csv"
    changed = path.read_text(encoding="utf-8").replace("00335550107", "90335550107")
    target = context.data_dir / "nine.csv"
    target.write_text(changed, encoding="utf-8")
    files.import_file(context.database, target, time_zone="Asia/Tokyo")
    assert _calls(context)["1711954800.60"].to_number == "0335550107"


def test_the_watched_folder_uses_its_own_time_zone_and_the_settle_window(context: AppContext, tmp_path: Path) -> None:
    from biztel_desk.ingest.folder import FolderConfig, watcher_from_config

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "cdr.csv").write_bytes((PBX / "outbound_src_company.csv").read_bytes())
    config = FolderConfig(enabled=True, path=str(inbox), time_zone="UTC")
    watcher = watcher_from_config(context.database, config)
    [result] = watcher.folder.scan_once(settle=False)
    assert result.outcome == "done"
    call = _calls(context)["1711951200.50"]
    assert call.started_at == dt.datetime(2024, 4, 1, 15, 0, tzinfo=dt.UTC)  # the PBX wrote UTC
    assert call.settle_until is not None and call.settle_until > dt.datetime.now(dt.UTC)  # default 30 s


def test_a_header_less_layout_read_with_a_column_list(context: AppContext) -> None:
    columns = files.parse_columns("start(%F %T), src, dst, dstchannel, disposition, billsec, uniqueid(noquote), linkedid, sequence")
    report = files.import_file(context.database, PBX / "cdr_custom_fields.csv", time_zone="Asia/Tokyo", columns=columns)
    assert (report.preset, report.imported, report.rejected) == ("cdr_custom", 2, [])
    calls = _calls(context)
    assert _facts(calls["1711962000.150"]) == (
        "inbound", "ANSWERED", 88, "18:00:00", "0335550150", "0312345678", "", "201", "+81312345678")
    assert (calls["1711962600.152"].disposition, calls["1711962600.152"].duration_s) == ("BUSY", 0)
    with pytest.raises(files.ImportFailure):
        files.parse_columns("src,dst")


def test_preset_asterisk_honours_a_header_row(context: AppContext) -> None:
    for name, preset in (("asterisk_table.csv", "asterisk"), ("freepbx_table.csv", "freepbx")):
        report = files.import_file(context.database, PBX / name, preset="asterisk", time_zone="Asia/Tokyo")
        assert report.error is None and report.rejected == [] and report.preset == preset
    assert set(_calls(context)) == {*EXPECTED["asterisk_table.csv"], *EXPECTED["freepbx_table.csv"]}


def test_retention_purges_a_call_with_its_legs(context: AppContext) -> None:
    from biztel_desk.store.retention import purge

    files.import_file(context.database, PBX / "queue_agents.csv", time_zone="Asia/Tokyo")
    files.import_file(context.database, PBX / "outbound_src_company.csv", time_zone="Asia/Tokyo")
    result = purge(context.database, now=dt.datetime(2024, 4, 1, 4, 0, tzinfo=dt.UTC) + dt.timedelta(days=90),
                   pause_s=0)
    assert result.calls == 1  # the queue call (02:00 UTC) is past the 90 days, the outbound call (06:00 UTC) not
    with context.database.read() as session:
        assert set(session.scalars(select(CallLeg.call_unique_id))) == {"1711951200.50"}


def test_multi_server_uniqueid_prefixes_are_kept(context: AppContext, tmp_path: Path) -> None:
    # loguniqueid=yes only (17 columns): the 17th column is recognised as a uniqueid by its shape, prefix and all.
    path = tmp_path / "Master.csv"
    rows = [
        '"","0335550160","0312345678","from-pstn","","PJSIP/trunk-1","PJSIP/201-2","Dial","","2024-04-01 19:00:00",'
        '"","2024-04-01 19:00:10",10,0,"NO ANSWER","DOCUMENTATION","mainserverdss-1711965600.1"',
        '"","0335550160","0312345678","from-pstn","","PJSIP/trunk-1","PJSIP/202-3","Dial","","2024-04-01 19:00:00",'
        '"2024-04-01 19:00:10","2024-04-01 19:01:10",70,60,"ANSWERED","DOCUMENTATION","mainserverdss-1711965600.1"',
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    report = files.import_file(context.database, path, time_zone="Asia/Tokyo")
    assert (report.imported, report.rejected, report.notes) == (1, [], [])
    call = _calls(context)["mainserverdss-1711965600.1"]
    assert (call.disposition, call.duration_s, call.to_extension) == ("ANSWERED", 60, "202")
