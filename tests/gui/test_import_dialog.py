"""通話履歴を取り込む dialog: preview, mapping editor, background import with the result, inline errors (real SQLite)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from biztel_desk.ingest.files import ImportReport, load_mapping
from biztel_desk.services.context import AppContext
from biztel_desk.store.models import Call, LinkJob
from biztel_desk.ui.dialogs.import_dialog import ImportDialog, RejectedRowsModel

DATA = Path(__file__).resolve().parent.parent / "data"
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform's note when a dialog is shown

# A BIZTEL-like export as a spreadsheet re-saved it: full-width parentheses, padded headers, an extra column.
BIZTEL_LIKE = (
    " ユニークID ,発着信区分,発信電話番号,着信電話番号,通話開始日時,通話終了日時,通話時間（秒）,メモ\n"
    "g-1,着信,090-1111-2222,03-1234-5678,2024/04/01 09:00:00,2024/04/01 09:03:00,180,\n"
    "g-2,発信,03-1234-5678,045-123-4567,2024/04/01 10:00:00,2024/04/01 10:05:00,300,折返し\n"
)
CUSTOM = (
    "CallID,When,Caller,Callee\n"
    "c-1,2024-04-01 09:00:00,090-1111-2222,03-1234-5678\n"
    "c-2,not a date,090-3333-4444,03-1234-5678\n"
    "c-3,2024-04-01 11:00:00,090-5555-6666,03-1234-5678\n"
)


def _dialog(qtbot: QtBot, context: AppContext, paths: list[Path] | None = None) -> ImportDialog:
    dialog = ImportDialog(context, paths=[str(p) for p in paths] if paths else None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _import(qtbot: QtBot, dialog: ImportDialog) -> ImportReport:
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.import_finished, timeout=20000) as blocker:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        # The click returned before the import finished: the work is on a job's thread, the result comes after.
        assert dialog.is_running()
        assert not dialog.import_button.isEnabled() and not dialog.close_button.isEnabled()
        assert dialog.progress_bar.isVisible()
    report = blocker.args[0]
    assert isinstance(report, ImportReport)
    return report


def _calls(context: AppContext) -> list[str]:
    with context.database.read() as session:
        return sorted(session.scalars(select(Call.unique_id)))


def _rejected(dialog: ImportDialog) -> list[tuple[str, str, str]]:
    model = dialog.rejected_model
    return [tuple(str(model.index(r, c).data()) for c in range(3)) for r in range(model.rowCount())]  # type: ignore[misc]


def _header(dialog: ImportDialog, column: int) -> str:
    return str(dialog.preview_model.headerData(column, Qt.Orientation.Horizontal))


# --- preview -------------------------------------------------------------------------------------------------


def test_preview_shows_the_detected_preset_encoding_and_rows(qtbot: QtBot, qtmodeltester, context: AppContext) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, context, [DATA / "freepbx_cdr.csv"])
    assert dialog.preset() is None and dialog.encoding() == "auto"
    detected = dialog.detected_label.text()
    assert "判定した形式: FreePBX" in detected and "文字コード: UTF-8" in detected and "区切り文字: カンマ" in detected
    assert "見出し行: あり" in detected
    model = dialog.preview_model
    assert model.columns()[:4] == ["calldate", "clid", "src", "dst"]
    assert model.rowCount() == 4  # the data rows, not the header
    assert model.index(0, 2).data() == "09011112222"
    assert not dialog.error_label.isVisible() and not dialog.mapping_shown()
    assert dialog.import_button.isEnabled()
    qtmodeltester.check(model)

    # Master.csv in Shift_JIS: no header, Asterisk's column names, the preview's rejected rows with their lines.
    dialog.set_paths([str(DATA / "asterisk_master_cp932.csv")])
    detected = dialog.detected_label.text()
    assert "Asterisk (Master.csv)" in detected and "Shift_JIS(CP932)" in detected and "見出し行: なし" in detected
    assert model.columns()[:3] == ["accountcode", "src", "dst"]
    assert model.index(0, 4).data() == '"山田 太郎" <09011112222>'
    assert "6行目: 通話開始日時「2024-13-45 25:00:00」を日時として読めません" in dialog.preview_hint.text()
    qtmodeltester.check(model)


def test_preview_follows_the_preset_and_encoding_combos(qtbot: QtBot, context: AppContext) -> None:
    dialog = _dialog(qtbot, context, [DATA / "asterisk_master_cp932.csv"])
    dialog.encoding_combo.setCurrentIndex(dialog.encoding_combo.findData("utf-8"))
    assert dialog.error_label.isVisible()
    assert "選んだ文字コードでは読めません(1行目付近)" in dialog.error_label.text()
    assert dialog.preview_model.rowCount() == 0 and not dialog.import_button.isEnabled()
    dialog.encoding_combo.setCurrentIndex(dialog.encoding_combo.findData("cp932"))
    assert not dialog.error_label.isVisible() and dialog.preview_model.rowCount() == 9
    dialog.preset_combo.setCurrentIndex(dialog.preset_combo.findData("freepbx"))
    assert "asterisk_master_cp932.csv は「FreePBX」の形式として読めません" in dialog.error_label.text()
    assert not dialog.import_button.isEnabled()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (bytes(range(128, 256)) * 8, "garbage.csv の文字コードを判別できません(UTF-8でもShift_JIS(CP932)でもありません)。"),
        (b"hello world\nthis is not a call list\n", "garbage.csv の形式を判別できません。プリセットを選ぶか"),
        (b"", "garbage.csv に通話の行がありません。"),
    ],
)
def test_a_garbage_file_shows_the_reason_inline(qtbot: QtBot, context: AppContext, tmp_path: Path,
                                                 content: bytes, expected: str) -> None:
    path = tmp_path / "garbage.csv"
    path.write_bytes(content)
    dialog = _dialog(qtbot, context, [path])
    assert dialog.error_label.isVisible()
    assert expected in dialog.error_label.text()
    assert not dialog.import_button.isEnabled()


def test_an_unreadable_file_shows_the_reason_inline(qtbot: QtBot, context: AppContext, tmp_path: Path) -> None:
    dialog = _dialog(qtbot, context, [tmp_path / "消えたファイル.csv"])
    assert "ファイルを読み込めません" in dialog.error_label.text() and "消えたファイル.csv" in dialog.error_label.text()
    assert not dialog.import_button.isEnabled()

    english = AppContext(database=context.database, secrets=context.secrets, lang="en", data_dir=context.data_dir)
    dialog = _dialog(qtbot, english, [tmp_path])  # a folder
    assert dialog.error_label.text().startswith("Cannot read ")


# --- mapping editor ------------------------------------------------------------------------------------------


def test_generic_mapping_editor_prefills_a_biztel_like_header(qtbot: QtBot, context: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "biztel_like.csv"
    path.write_text(BIZTEL_LIKE, encoding="utf-8-sig")
    dialog = _dialog(qtbot, context, [path])
    assert dialog.mapping_shown()  # detected as BIZTEL's export: the mapping is shown (and used) right away
    combos = dialog.mapping_combos
    assert combos["unique_id"].currentData() == "ユニークID"
    assert combos["duration_s"].currentData() == "通話時間（秒）"
    assert combos["started_at"].currentData() == "通話開始日時"
    assert combos["request_id"].currentData() == "" and combos["request_id"].currentText() == "(取り込まない)"
    assert "判定した形式: 汎用(列の対応付け): BIZTEL 発着信履歴" in dialog.detected_label.text()
    # The preview headers say where each column goes; the extra column is not imported.
    assert _header(dialog, 0) == "ユニークID\n→ ユニークID"
    assert _header(dialog, 6) == "通話時間（秒）\n→ 通話時間(秒)"
    assert _header(dialog, 7) == "メモ\n—"
    assert dialog.preview_hint.text() == "先頭2行はすべて取り込めます。"
    assert not dialog.mapping_error.isVisible() and dialog.import_button.isEnabled()

    report = _import(qtbot, dialog)
    assert (report.imported, len(report.rejected)) == (2, 0)
    assert _calls(context) == ["g-1", "g-2"]


def test_mapping_a_custom_header_by_hand_then_import(qtbot: QtBot, context: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "pbx.csv"
    path.write_text(CUSTOM, encoding="utf-8")
    dialog = _dialog(qtbot, context, [path])
    assert "pbx.csv の形式を判別できません" in dialog.error_label.text()
    dialog.preset_combo.setCurrentIndex(dialog.preset_combo.findData("generic"))
    assert not dialog.error_label.isVisible() and dialog.mapping_shown()
    assert dialog.mapping_error.text() == "必須の項目に列を選んでください: ユニークID、通話開始日時、発信電話番号または着信電話番号"
    assert not dialog.import_button.isEnabled() and not dialog.save_mapping_button.isEnabled()
    assert [dialog.mapping_combos["unique_id"].itemText(i) for i in range(5)] == [
        "(取り込まない)", "CallID", "When", "Caller", "Callee"]

    combos = dialog.mapping_combos
    combos["unique_id"].setCurrentIndex(combos["unique_id"].findData("CallID"))
    combos["started_at"].setCurrentIndex(combos["started_at"].findData("CallID"))
    assert dialog.mapping_error.text() == (
        "列「CallID」が複数の項目(ユニークID、通話開始日時)に選ばれています。1つの列は1つの項目にだけ対応付けられます。")
    assert not dialog.import_button.isEnabled()
    combos["started_at"].setCurrentIndex(combos["started_at"].findData("When"))
    combos["from_number"].setCurrentIndex(combos["from_number"].findData("Caller"))
    combos["to_number"].setCurrentIndex(combos["to_number"].findData("Callee"))
    assert not dialog.mapping_error.isVisible() and dialog.import_button.isEnabled()
    assert _header(dialog, 1) == "When\n→ 通話開始日時"
    assert "3行目: 通話開始日時「not a date」を日時として読めません" in dialog.preview_hint.text()

    report = _import(qtbot, dialog)
    assert (report.imported, report.known) == (2, 0)
    assert _rejected(dialog)[0][:2] == ("pbx.csv", "3")
    assert _calls(context) == ["c-1", "c-3"]


def test_mapping_is_saved_and_read_back(qtbot: QtBot, context: AppContext, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "pbx.csv"
    path.write_text(CUSTOM, encoding="utf-8")
    dialog = _dialog(qtbot, context, [path])
    dialog.preset_combo.setCurrentIndex(dialog.preset_combo.findData("generic"))
    chosen = {"unique_id": "CallID", "started_at": "When", "from_number": "Caller", "to_number": "Callee"}
    for name, header in chosen.items():
        dialog.mapping_combos[name].setCurrentIndex(dialog.mapping_combos[name].findData(header))
    dialog.date_format_edit.setText("%Y-%m-%d %H:%M:%S")
    saved = tmp_path / "pbx_mapping.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(saved), ""))
    qtbot.mouseClick(dialog.save_mapping_button, Qt.MouseButton.LeftButton)
    assert f"列の対応を保存しました: {saved}" == dialog.mapping_hint.text()
    mapping = load_mapping(saved)
    assert mapping.columns == {"CallID": "unique_id", "When": "started_at", "Caller": "from_number", "Callee": "to_number"}
    assert mapping.date_format == "%Y-%m-%d %H:%M:%S"

    again = _dialog(qtbot, context, [path])
    again.preset_combo.setCurrentIndex(again.preset_combo.findData("generic"))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(saved), ""))
    qtbot.mouseClick(again.load_mapping_button, Qt.MouseButton.LeftButton)
    assert {name: again.mapping_combos[name].currentData() for name in chosen} == chosen
    assert again.date_format_edit.text() == "%Y-%m-%d %H:%M:%S"
    assert again.import_button.isEnabled()

    broken = tmp_path / "broken.json"
    broken.write_text('{"columns": {"CallID": "unique_id"}}', encoding="utf-8")
    assert not again.load_mapping_file(str(broken))
    assert again.mapping_error.text().startswith(f"列の対応ファイル {broken} が不正です")
    assert again.mapping_combos["unique_id"].currentData() == "CallID"  # the editor kept what it had


# --- import --------------------------------------------------------------------------------------------------


def test_import_in_the_background_shows_counts_and_rejected_rows(qtbot: QtBot, qtmodeltester, context: AppContext,
                                                                  make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(status="enabled")  # linking 03-1234-5678: the imported calls on it become link jobs
    dialog = _dialog(qtbot, context, [DATA / "biztel_history.csv"])
    assert not dialog.result_shown()
    with qtbot.waitSignal(dialog.imported) as added:
        report = _import(qtbot, dialog)
    assert added.args == [4] and report.imported == 4
    assert not dialog.is_running() and not dialog.progress_bar.isVisible()
    assert dialog.import_button.isEnabled() and dialog.close_button.isEnabled()
    assert dialog.result_shown() and dialog.tabs.currentWidget() is dialog.result_box
    assert dialog.imported_label.text() == "取り込み 4件"
    assert dialog.known_label.text() == "登録済み 0件"
    assert dialog.rejected_label.text() == "不正 2行"
    assert "biztel_history.csv: 取り込み 4件、登録済み 0件、エラー 2件" in dialog.files_summary.text()
    assert "連携ジョブ 本社" in dialog.files_summary.text()
    assert dialog.rejected_model.headers() == ("ファイル", "行", "理由")
    assert _rejected(dialog) == [
        ("biztel_history.csv", "6", "通話終了日時(2024/04/01 12:59:00)が通話開始日時(2024/04/01 13:00:00)より前です。"),
        ("biztel_history.csv", "7", "通話開始日時「昨日」を日時として読めません"
                                    "(例: 2024-04-01 09:00:00、2024/04/01 09:00:00、2024-04-01T09:00:00+09:00)。"),
    ]
    qtmodeltester.check(dialog.rejected_model)

    # The database holds the calls (and their link jobs), exactly as the import read them.
    assert _calls(context) == ["b-0001", "b-0002", "b-0003", "b-0004"]
    with context.database.read() as session:
        call = session.scalars(select(Call).where(Call.unique_id == "b-0002")).one()
        assert (call.direction, call.from_number, call.to_number, call.duration_s) == ("outbound", "03-1234-5678", "045-123-4567", 300)
        assert session.scalars(select(LinkJob)).all()

    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().text().splitlines()
    assert copied[0] == "ファイル\t行\t理由"
    assert copied[1].startswith("biztel_history.csv\t6\t通話終了日時") and len(copied) == 3


def test_reimport_shows_known_calls_and_adds_nothing(qtbot: QtBot, context: AppContext) -> None:
    dialog = _dialog(qtbot, context, [DATA / "freepbx_cdr.csv"])
    assert _import(qtbot, dialog).imported == 4  # line 5 (linkedid, no uniqueid) is a leg since issue #9
    with qtbot.assertNotEmitted(dialog.imported):
        report = _import(qtbot, dialog)
    assert (report.imported, report.known) == (0, 4)
    assert dialog.imported_label.text() == "取り込み 0件" and dialog.known_label.text() == "登録済み 4件"
    assert _rejected(dialog) == []
    assert len(_calls(context)) == 4


def test_several_files_and_one_unreadable_in_english(qtbot: QtBot, context: AppContext, tmp_path: Path) -> None:
    english = AppContext(database=context.database, secrets=context.secrets, lang="en", data_dir=context.data_dir)
    gone = tmp_path / "gone.csv"
    dialog = _dialog(qtbot, english, [DATA / "asterisk_master_cp932.csv", gone])
    assert "2ファイル中の1つ目を表示" in dialog.detected_label.text()
    report = _import(qtbot, dialog)
    assert report.imported == 7 and len(report.failed_files) == 1
    assert dialog.result_error.isVisible() and dialog.result_error.text().startswith("Cannot read ")
    assert "gone.csv" in dialog.result_error.text()
    assert _rejected(dialog)[1] == ("asterisk_master_cp932.csv", "7",
                                    "The row has 4 columns (16 or more expected). Check the file format (preset).")


def test_the_dialog_cannot_be_closed_while_importing(qtbot: QtBot, context: AppContext) -> None:
    dialog = _dialog(qtbot, context, [DATA / "freepbx_cdr.csv"])
    with qtbot.waitSignal(dialog.import_finished, timeout=20000):
        assert dialog.start_import()
        assert not dialog.start_import()  # one import at a time
        dialog.reject()
        assert dialog.isVisible()
        assert not dialog.close() and dialog.isVisible()  # nor by its window's close button
    dialog.reject()
    assert not dialog.isVisible()


def test_files_dropped_on_the_dialog_are_previewed(qtbot: QtBot, context: AppContext) -> None:
    dialog = _dialog(qtbot, context)
    assert not dialog.import_button.isEnabled() and dialog.preview_model.rowCount() == 0
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(DATA / "freepbx_cdr.csv"))])
    # What a drag from the file manager delivers (sendEvent refuses drag events without a drag in progress).
    try:
        enter = QDragEnterEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier)
    except TypeError:  # PySide6 before 6.12 takes a QPoint only (6.12 deprecates that one)
        enter = QDragEnterEvent(QPoint(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier)
    dialog.dragEnterEvent(enter)
    assert enter.isAccepted()
    dialog.dropEvent(QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier))
    assert dialog.paths == [str(DATA / "freepbx_cdr.csv")]
    assert dialog.files_edit.text() == "freepbx_cdr.csv"
    assert dialog.preview_model.rowCount() == 4 and dialog.import_button.isEnabled()


def test_rejected_rows_model_passes_the_model_tester_empty_and_filled(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    from biztel_desk.ingest.files import RejectedRow

    model = RejectedRowsModel("en")
    qtmodeltester.check(model)
    model.set_rows([RejectedRow(3, "empty", field="unique_id", file="/tmp/a.csv")])
    qtmodeltester.check(model)
    assert model.index(0, 0).data() == "a.csv" and model.index(0, 1).data() == "3"


def test_the_progress_bar_follows_the_rows_read(qtbot: QtBot, context: AppContext, tmp_path: Path) -> None:
    rows = 12000  # more than two chunks of the ingest code: progress arrives while the import runs
    lines = ["ユニークID,発信電話番号,着信電話番号,通話開始日時"]
    lines += [f"p-{i},090{i:08d},03-1234-5678,2024/04/01 09:00:00" for i in range(rows)]
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    dialog = _dialog(qtbot, context, [path])
    seen: list[int] = []
    dialog.progress_bar.valueChanged.connect(seen.append)
    report = _import(qtbot, dialog)
    assert report.imported == rows
    assert dialog.progress_bar.maximum() == rows + 1  # the lines of the file, header included
    assert 5000 in seen and 10000 in seen and seen[-1] == dialog.progress_bar.maximum()
    assert dialog.progress_bar.format() == "%v行 処理済み"


@pytest.mark.sqlite_only("the lock is SQLite's write lock (BEGIN IMMEDIATE through sqlite3)")
def test_a_database_failure_is_shown_and_nothing_claims_success(qtbot: QtBot, context: AppContext,
                                                               data_dir: Path) -> None:
    import sqlite3

    from sqlalchemy import event

    from biztel_desk.store.db import DB_FILENAME

    engine = context.database.engine  # new connections give up on the lock at once instead of after 10 s
    event.listen(engine, "connect", lambda connection, _record: connection.execute("PRAGMA busy_timeout=0"))
    engine.dispose()
    dialog = _dialog(qtbot, context, [DATA / "freepbx_cdr.csv"])
    lock = sqlite3.connect(data_dir / DB_FILENAME, timeout=30, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        with qtbot.waitSignal(dialog.import_finished, timeout=10000) as finished, \
                qtbot.assertNotEmitted(dialog.imported):
            assert dialog.start_import()
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    report = finished.args[0]
    assert report.imported == 0 and report.failed_files
    assert dialog.result_shown() and "データベースに保存できませんでした: database is locked" in dialog.result_error.text()
    assert "このファイルからは何も保存していません" in dialog.result_error.text()
    assert dialog.imported_label.text() == "取り込み 0件" and dialog.import_button.isEnabled()


def test_the_result_names_unregistered_company_numbers(qtbot: QtBot, context: AppContext, tmp_path: Path,
                                                       make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(status="enabled")  # 03-1234-5678 only: 211553 is the PBX's own spelling, not registered yet
    header = (DATA / "freepbx_cdr.csv").read_text(encoding="utf-8").splitlines()[0]
    rows = [
        f'2024-04-01 09:0{i}:00,"""Tanaka"" <09011112222>",09011112222,201,from-did-direct,PJSIP/trunk-1,PJSIP/201-2,'
        f'Dial,"PJSIP/201,20",125,120,ANSWERED,3,,u-{i},,211553,,09011112222,Tanaka,,,,u-{i},,1'
        for i in range(3)
    ]
    path = tmp_path / "did.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    dialog = _dialog(qtbot, context, [path])
    assert _import(qtbot, dialog).imported == 3
    text = dialog.files_summary.text()
    assert "連携ジョブ 本社: 対象外 3" in text
    assert "未登録の会社番号 本社: 3件は連携されません(211553: 3件)。" in text
    assert "連携対象タブで番号を追加するか、既存の番号のエイリアスにしてください。" in text


def test_the_result_shows_calls_updated_by_later_legs_and_the_files_notes(qtbot: QtBot, context: AppContext,
                                                                          make_setting) -> None:  # type: ignore[no-untyped-def]
    # Issue #9: a call whose legs span two files is updated by the second import, and a Master.csv written
    # without uniqueid gets the note recommending loguniqueid=yes — in the window as on the command line.
    make_setting(status="enabled")
    pbx = DATA / "pbx"
    dialog = _dialog(qtbot, context, [pbx / "split_1.csv"])
    _import(qtbot, dialog)
    dialog = _dialog(qtbot, context, [pbx / "split_2.csv"])
    _import(qtbot, dialog)
    assert "更新 1件(後から届いた区間を反映)" in dialog.files_summary.text()
    dialog = _dialog(qtbot, context, [pbx / "master_no_uniqueid.csv"])
    _import(qtbot, dialog)
    assert "loguniqueid=yes" in dialog.files_summary.text()


# 1366x768 less a 40 px taskbar, and the same screen at 2x scale (683x384 logical pixels).
@pytest.mark.parametrize("width,height", [(1366, 728), (683, 344)])
def test_the_buttons_are_reachable_on_a_1366x768_screen(qtbot: QtBot, context: AppContext, tmp_path: Path,
                                                         width: int, height: int) -> None:
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QWidget

    screen = QWidget()  # the main window, maximised on that screen
    screen.resize(1366, 768)
    qtbot.addWidget(screen)
    calls = tmp_path / "calls.csv"  # 汎用 with its 17-field mapping editor: the dialog's tallest state
    calls.write_text("ID,日時,発信,着信\n" + "".join(f"A{i},2024-04-01 09:{i:02d}:00,0901111{i:04d},0312345678\n"
                                                 for i in range(30)), encoding="utf-8")
    dialog = ImportDialog(context, screen, paths=[str(calls)])
    qtbot.addWidget(dialog)
    dialog.preset_combo.setCurrentIndex(dialog.preset_combo.findData("generic"))
    assert dialog.mapping_shown()
    dialog.fit_to_screen(QRect(0, 0, width, height))
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.width() <= width and dialog.height() + 40 <= height  # the title bar fits too
    for button in (dialog.import_button, dialog.close_button):
        assert button.isVisible()
        assert dialog.rect().contains(QRect(button.mapTo(dialog, QPoint(0, 0)), button.size()))
    # The rest scrolls: the mapping editor is reachable below the preview.
    area = dialog.scroll_area
    area.ensureWidgetVisible(dialog.date_format_edit)
    top_left = dialog.date_format_edit.mapTo(area.viewport(), QPoint(0, 0))
    assert area.viewport().rect().contains(QRect(top_left, dialog.date_format_edit.size()))
