"""The watched folder: each file imported once by content, moved to done/ or failed/ with a report next to it."""

from __future__ import annotations

import datetime as dt
import shutil
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from biztel_desk.ingest import folder as folder_module
from biztel_desk.ingest.folder import FolderResult, FolderWatcher, WatchedFolder
from biztel_desk.services.context import AppContext
from biztel_desk.store.models import Call, ImportedFile

DATA = Path(__file__).resolve().parent.parent / "data"


def _count(context: AppContext, model: type) -> int:
    with context.database.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _watched(context: AppContext, folder: Path, **kwargs: object) -> WatchedFolder:
    return WatchedFolder(context.database, folder, time_zone="Asia/Tokyo", **kwargs)  # type: ignore[arg-type]


def test_a_file_is_imported_then_moved_to_done_with_its_report(context: AppContext, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(DATA / "asterisk_master_cp932.csv", inbox / "Master.csv")
    watched = _watched(context, inbox)
    assert watched.scan_once() == []  # first sight: the file might still be growing
    [result] = watched.scan_once()
    assert result.outcome == "done"
    assert result.moved_to == inbox / "done" / "Master.csv"
    assert not (inbox / "Master.csv").exists()
    report = (inbox / "done" / "Master.csv.report.txt").read_text(encoding="utf-8")
    assert "取り込み 7件、登録済み 0件、エラー 2件" in report
    assert "6行目" in report and "7行目" in report
    assert report == result.report_text
    assert _count(context, Call) == 7
    assert _count(context, ImportedFile) == 1


def test_the_same_content_again_imports_nothing(context: AppContext, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    watched = _watched(context, inbox, lang="en")
    shutil.copy(DATA / "freepbx_cdr.csv", inbox / "cdr.csv")
    watched.scan_once(settle=False)
    shutil.copy(DATA / "freepbx_cdr.csv", inbox / "cdr.csv")  # dropped a second time, same name
    [result] = watched.scan_once(settle=False)
    assert result.outcome == "duplicate"
    assert result.moved_to == inbox / "done" / "cdr-2.csv"  # the first one is not overwritten
    assert "same content" in (inbox / "done" / "cdr-2.csv.report.txt").read_text(encoding="utf-8")
    assert _count(context, Call) == 4  # line 5 (linkedid, no uniqueid) is a leg since issue #9
    assert _count(context, ImportedFile) == 1


def test_unreadable_files_and_files_without_good_rows_go_to_failed(context: AppContext, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "notes.csv").write_text("hello,world\nthis is not,a call list\n", encoding="utf-8")
    (inbox / "bad-rows.csv").write_text(
        "calldate,src,dst,uniqueid\nyesterday,09011112222,201,a\n2024-04-01 09:00:00,09011112222,201,\n", encoding="utf-8"
    )
    results = {r.source.name: r for r in _watched(context, inbox, lang="en").scan_once(settle=False)}
    assert results["notes.csv"].outcome == "failed"
    notes = (inbox / "failed" / "notes.csv.report.txt").read_text(encoding="utf-8")
    assert "Cannot tell the format" in notes
    # The folder has no --preset: the report names the folder's own setting, on the command line and in the window.
    assert "biztel-desk ingest config --folder-preset asterisk|freepbx|generic" in notes
    assert "設定 → 通話の取り込み元" in notes and "--preset " not in notes and "--mapping" not in notes
    assert results["bad-rows.csv"].outcome == "failed"
    text = (inbox / "failed" / "bad-rows.csv.report.txt").read_text(encoding="utf-8")
    assert "contains no call rows" in text and "line 2:" in text and "line 3:" in text
    assert _count(context, ImportedFile) == 0  # a fixed file with the same bytes may be dropped again
    assert sorted(p.name for p in inbox.iterdir()) == ["failed"]


def test_a_file_still_being_written_waits(context: AppContext, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    target = inbox / "Master.csv"
    content = (DATA / "asterisk_master_utf8bom.csv").read_bytes()
    target.write_bytes(content[:300])
    watched = _watched(context, inbox)
    assert watched.scan_once() == []
    with target.open("ab") as stream:  # the PBX appends more between two polls
        stream.write(content[300:])
    assert watched.scan_once() == []  # size changed: not yet
    [result] = watched.scan_once()
    assert result.outcome == "done"
    assert result.report is not None and result.report.imported == 7


def test_temporary_and_report_files_are_ignored(context: AppContext, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("Master.csv.part", ".hidden.csv", "~$Master.csv", "old.report.txt"):
        (inbox / name).write_text("x", encoding="utf-8")
    assert _watched(context, inbox).scan_once(settle=False) == []


def test_the_watcher_thread_imports_and_stops(context: AppContext, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    done = threading.Event()
    results: list[FolderResult] = []

    def on_result(result: FolderResult) -> None:
        results.append(result)
        done.set()

    watcher = FolderWatcher(_watched(context, inbox, on_result=on_result), interval_s=0.05)
    watcher.start()
    try:
        shutil.copy(DATA / "freepbx_cdr.csv", inbox / "cdr.csv")
        assert done.wait(10)
    finally:
        watcher.stop()
    assert not watcher.running
    assert [r.outcome for r in results] == ["done"]
    assert _count(context, Call) == 4  # line 5 (linkedid, no uniqueid) is a leg since issue #9


def test_saved_configuration(context: AppContext, tmp_path: Path) -> None:
    from biztel_desk.ingest import folder

    assert folder.load_config(context.database) == folder.FolderConfig()  # off by default
    config = folder.FolderConfig(
        enabled=True, path=str(tmp_path / "inbox"), preset="generic", mapping_file=str(DATA / "biztel_mapping.toml")
    )
    folder.save_config(context.database, config)
    assert folder.load_config(context.database) == config
    watcher = folder.watcher_from_config(context.database, config, lang="en")
    assert watcher.folder.mapping is not None and watcher.folder.preset == "generic"
    assert not watcher.running


def test_failure_reports_name_the_folder_settings_in_japanese(context: AppContext, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "notes.csv").write_text("hello,world\n", encoding="utf-8")
    (inbox / "sjis.csv").write_bytes("ユニークID,通話開始日時\n".encode("cp932"))
    _watched(context, inbox, encoding="utf-8").scan_once(settle=False)
    notes = (inbox / "failed" / "notes.csv.report.txt").read_text(encoding="utf-8")
    assert "形式を指定してください(biztel-desk ingest config --folder-preset asterisk|freepbx|generic" in notes
    assert "設定 → 通話の取り込み元… の監視フォルダ" in notes and "--preset " not in notes
    sjis = (inbox / "failed" / "sjis.csv.report.txt").read_text(encoding="utf-8")
    assert "--folder-encoding auto" in sjis and "--encoding " not in sjis


def test_the_duplicate_report_shows_the_earlier_import_in_the_configured_zone(
    context: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    context.config.save_system({"time_zone": "America/New_York"})
    watched = _watched(context, inbox)
    shutil.copy(DATA / "freepbx_cdr.csv", inbox / "cdr.csv")
    watched.scan_once(settle=False)
    with context.database.begin() as session:  # imported at 2024-04-01 00:30 UTC
        session.execute(update(ImportedFile).values(imported_at=dt.datetime(2024, 4, 1, 0, 30, tzinfo=dt.UTC)))
    shutil.copy(DATA / "freepbx_cdr.csv", inbox / "again.csv")
    [result] = watched.scan_once(settle=False)
    assert "同じ内容のファイル(cdr.csv)を 2024-03-31 20:30 (America/New_York) に取り込み済みです" in result.report_text
    # No zone configured: this computer's zone, named.
    context.config.save_system({"time_zone": ""})
    monkeypatch.setattr(folder_module, "system_time_zone", lambda: "Asia/Tokyo")
    shutil.copy(DATA / "freepbx_cdr.csv", inbox / "third.csv")
    [result] = _watched(context, inbox, lang="en").scan_once(settle=False)
    assert "(cdr.csv) was imported on 2024-04-01 09:30 (Asia/Tokyo);" in result.report_text
