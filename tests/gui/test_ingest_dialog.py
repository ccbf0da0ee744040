"""通話の取り込み元 dialog: the folder and the endpoint configured by hand, the token shown once, OK restarts them."""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from helpers.window import Boxes, boxes_fixture  # noqa: F401 (fixtures)
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot

from biztel_desk import app
from biztel_desk.ingest import folder as ingest_folder
from biztel_desk.ingest import http as ingest_http
from biztel_desk.ingest.folder import FolderConfig
from biztel_desk.ingest.http import HttpIngestConfig
from biztel_desk.secrets import MemoryBackend, SecretStore
from biztel_desk.services.context import AppContext
from biztel_desk.services.ingest_sources import IngestSources, SourceState
from biztel_desk.ui.dialogs.ingest_dialog import IngestDialog

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform's note when a dialog is shown

DATA = Path(__file__).resolve().parent.parent / "data"
CALL = {"unique_id": "gui-1", "from_number": "090-1111-2222", "to_number": "03-1234-5678",
        "started_at": "2024-04-01 09:00:00"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def sources(context: AppContext) -> Iterator[IngestSources]:
    instance = IngestSources(context.database, context.secrets, lang="ja")
    instance.start()
    yield instance
    instance.stop()


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


def _dialog(qtbot: QtBot, context: AppContext, sources: IngestSources | None) -> IngestDialog:
    dialog = IngestDialog(context, sources)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _retype(qtbot: QtBot, line: QLineEdit, text: str) -> None:
    line.selectAll()
    qtbot.keyClick(line, Qt.Key.Key_Delete)
    qtbot.keyClicks(line, text)


def _ok(qtbot: QtBot, dialog: IngestDialog) -> None:
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)


def test_configure_both_sources_generate_a_token_and_ok_restarts_them(
    qtbot: QtBot, context: AppContext, sources: IngestSources, inbox: Path, data_dir: Path
) -> None:
    dialog = _dialog(qtbot, context, sources)
    assert dialog.folder_status_label.text() == "オフ" and dialog.http_status_label.text() == "オフ"
    assert not dialog.folder_edit.isEnabled() and not dialog.host_edit.isEnabled()
    assert dialog.token_state_label.text().startswith("未生成")
    assert not dialog.token_panel.isVisible()

    qtbot.mouseClick(dialog.folder_check, Qt.MouseButton.LeftButton)
    assert dialog.folder_edit.isEnabled()
    qtbot.keyClicks(dialog.folder_edit, str(inbox))
    dialog.preset_combo.setCurrentIndex(dialog.preset_combo.findData("asterisk"))
    dialog.encoding_combo.setCurrentIndex(dialog.encoding_combo.findData("cp932"))
    qtbot.mouseClick(dialog.http_check, Qt.MouseButton.LeftButton)
    assert dialog.host_edit.text() == "127.0.0.1" and not dialog.remote_warning.isVisible()
    port = free_port()
    _retype(qtbot, dialog.port_edit, str(port))
    assert dialog.url_label.text() == f"http://127.0.0.1:{port}/v1/calls"
    assert f"curl -sS http://127.0.0.1:{port}/v1/calls" in dialog.curl_edit.toPlainText()
    assert "$TOKEN" in dialog.curl_edit.toPlainText()

    qtbot.mouseClick(dialog.generate_button, Qt.MouseButton.LeftButton)  # no token yet: no question
    token = dialog.token_edit.text()
    assert len(token) >= 40 and token == context.secrets.get(ingest_http.TOKEN_KEY)
    assert dialog.token_panel.isVisible() and dialog.token_edit.isReadOnly()
    assert "二度と表示できません" in dialog.token_warning.text()
    assert token not in dialog.curl_edit.toPlainText()  # shown in one place only
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == token
    assert dialog.copy_button.text() == "コピーしました"
    assert dialog.token_state_label.text().startswith("生成済み")

    with qtbot.waitSignal(dialog.accepted):
        _ok(qtbot, dialog)
    assert ingest_folder.load_config(context.database) == FolderConfig(
        enabled=True, path=str(inbox), preset="asterisk", encoding="cp932")
    assert ingest_http.load_config(context.database) == HttpIngestConfig(enabled=True, port=port)
    status = sources.status()
    assert status.folder.state is SourceState.RUNNING and status.folder.location == str(inbox)
    assert status.http.state is SourceState.RUNNING and status.http.location == f"http://127.0.0.1:{port}/v1/calls"
    answer = requests.post(status.http.location, data=json.dumps(CALL), timeout=10,
                           headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and answer.json()["imported"] == 1

    # The token lives in the keyring only: not in the database file (nor its journal).
    stored = b"".join(p.read_bytes() for p in data_dir.rglob("*") if p.is_file())
    assert str(inbox).encode() in stored and token.encode() not in stored  # the settings are there, the token is not

    # Opened again: the token is not shown any more, only that one exists.
    again = _dialog(qtbot, context, sources)
    assert not again.token_panel.isVisible() and again.token_edit.text() == ""
    assert again.token_state_label.text().startswith("生成済み") and again.generate_button.text() == "再生成…"
    assert again.folder_status_label.text() == f"監視中: {inbox}"
    assert again.http_status_label.text() == f"受信中: http://127.0.0.1:{port}/v1/calls"


def test_a_file_dropped_after_ok_is_imported(qtbot: QtBot, context: AppContext, inbox: Path) -> None:
    woken = threading.Event()
    sources = IngestSources(context.database, context.secrets, on_imported=lambda _n: woken.set())
    try:
        dialog = _dialog(qtbot, context, sources)
        dialog.folder_check.setChecked(True)
        dialog.folder_edit.setText(str(inbox))
        with qtbot.waitSignal(dialog.accepted):
            _ok(qtbot, dialog)
        shutil.copy(DATA / "freepbx_cdr.csv", inbox / "cdr.csv")
        qtbot.waitUntil(woken.is_set, timeout=10000)
        qtbot.waitUntil(lambda: (inbox / "done" / "cdr.csv").exists(), timeout=5000)
    finally:
        sources.stop()


def test_regenerating_asks_first_and_replaces_the_token(
    qtbot: QtBot, context: AppContext, sources: IngestSources, boxes: Boxes
) -> None:
    old = str(ingest_http.generate_token(context.secrets))
    dialog = _dialog(qtbot, context, sources)
    boxes.answer(QMessageBox.StandardButton.No)
    qtbot.mouseClick(dialog.generate_button, Qt.MouseButton.LeftButton)
    assert "今のトークンは使えなくなります" in boxes.questions[0]
    assert context.secrets.get(ingest_http.TOKEN_KEY) == old and not dialog.token_panel.isVisible()
    boxes.answer(QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(dialog.generate_button, Qt.MouseButton.LeftButton)
    new = dialog.token_edit.text()
    assert new and new != old and context.secrets.get(ingest_http.TOKEN_KEY) == new


def test_invalid_folder_and_port_are_explained_and_nothing_is_saved(
    qtbot: QtBot, context: AppContext, sources: IngestSources, tmp_path: Path
) -> None:
    dialog = _dialog(qtbot, context, sources)
    dialog.folder_check.setChecked(True)
    missing = tmp_path / "missing"
    dialog.folder_edit.setText(str(missing))
    dialog.http_check.setChecked(True)
    _retype(qtbot, dialog.port_edit, "70000")
    assert dialog.url_label.text() == "—"
    _ok(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.error_labels["folder"].isVisible()
    assert dialog.error_labels["folder"].text() == f"フォルダがありません: {missing}"
    assert dialog.error_labels["port"].text() == "ポート番号は 1〜65535 の数字で指定してください(入力: 「70000」)。"
    assert dialog.message_label.text() == "保存できませんでした。赤いメッセージを確認してください。"
    assert ingest_folder.load_config(context.database) == FolderConfig()
    assert ingest_http.load_config(context.database) == HttpIngestConfig()

    a_file = tmp_path / "file.txt"
    a_file.write_text("x", encoding="utf-8")
    dialog.folder_edit.setText(str(a_file))
    _retype(qtbot, dialog.port_edit, "abc")
    _ok(qtbot, dialog)
    assert dialog.error_labels["folder"].text() == f"フォルダではありません: {a_file}"
    assert "入力: 「abc」" in dialog.error_labels["port"].text()
    dialog.folder_edit.clear()
    _retype(qtbot, dialog.port_edit, "8765")
    _ok(qtbot, dialog)
    assert dialog.error_labels["folder"].text() == "監視するフォルダを指定してください。"
    assert not dialog.error_labels["port"].isVisible()


def test_a_port_in_use_keeps_the_dialog_open_with_the_status(
    qtbot: QtBot, context: AppContext, sources: IngestSources
) -> None:
    ingest_http.generate_token(context.secrets)
    dialog = _dialog(qtbot, context, sources)
    dialog.http_check.setChecked(True)
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = int(other.getsockname()[1])
        _retype(qtbot, dialog.port_edit, str(port))
        _ok(qtbot, dialog)
    assert dialog.isVisible()
    assert "開始できなかった取り込み元があります" in dialog.message_label.text()
    assert dialog.http_status_label.text() == (
        f"エラー: ポート {port} は別のプログラムが使用中のため、HTTP取り込みを開始できません。別のポート番号を指定してください。"
    )
    assert ingest_http.load_config(context.database).port == port  # saved all the same


def test_a_host_other_than_loopback_warns(qtbot: QtBot, context: AppContext, sources: IngestSources) -> None:
    dialog = _dialog(qtbot, context, sources)
    dialog.http_check.setChecked(True)
    _retype(qtbot, dialog.host_edit, "0.0.0.0")
    assert dialog.remote_warning.isVisible()
    assert dialog.remote_warning.text().startswith("このPC以外からも接続できるようになります")
    _retype(qtbot, dialog.host_edit, "localhost")
    assert not dialog.remote_warning.isVisible()


# --- the window ---------------------------------------------------------------------------------------------


def _args(data_dir: Path) -> argparse.Namespace:
    return argparse.Namespace(data_dir=str(data_dir), db_url=None, lang="ja", demo=False, setup_wizard=False, command=None)


def test_the_window_runs_the_configured_sources_and_stops_them_on_close(
    qtbot: QtBot, tmp_path: Path, inbox: Path, boxes: Boxes
) -> None:
    from biztel_desk.store.db import Database

    data = tmp_path / "real"
    secrets = SecretStore(MemoryBackend())
    port = free_port()
    database = Database.open(directory=data)
    try:
        ingest_folder.save_config(database, FolderConfig(enabled=True, path=str(inbox), interval_s=0.05))
        ingest_http.save_config(database, HttpIngestConfig(enabled=True, port=port))
    finally:
        database.close()
    token = str(ingest_http.generate_token(secrets))
    threads = set(threading.enumerate())
    gui = app.Gui(_args(data), lang="ja", secrets=secrets)
    try:
        session = gui.open()
        qtbot.waitUntil(lambda: session.window.ingest_sources is not None, timeout=5000)  # started in a thread
        sources = session.window.ingest_sources
        assert sources is not None and sources is session.ingest
        assert sources.status().http.state is SourceState.RUNNING
        woken = threading.Event()
        wake = session.worker.wake
        session.worker.wake = lambda: (woken.set(), wake())[1]  # type: ignore[method-assign]
        answer = requests.post(f"http://127.0.0.1:{port}/v1/calls", data=json.dumps(CALL), timeout=10,
                               headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        assert answer.status_code == 200
        qtbot.waitUntil(woken.is_set, timeout=5000)
        assert session.window.ingest_action.text() == "通話の取り込み元(&R)…"
    finally:
        gui.close_all()
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))  # the endpoint has let go of the port
    qtbot.waitUntil(lambda: not {t.name for t in set(threading.enumerate()) - threads}
                    & {"watched-folder", "http-ingest"}, timeout=5000)


def test_listening_on_the_network_needs_a_confirmation_that_says_tls_is_not_provided(
    qtbot: QtBot, context: AppContext, boxes: Boxes
) -> None:
    # Issue #16, defect 5: before, OK saved a non-loopback host (and allowed it) without asking.
    dialog = _dialog(qtbot, context, None)
    dialog.http_check.setChecked(True)
    _retype(qtbot, dialog.host_edit, "0.0.0.0")
    _retype(qtbot, dialog.port_edit, "9876")
    boxes.answer(QMessageBox.StandardButton.No)
    _ok(qtbot, dialog)
    assert len(boxes.questions) == 1
    assert "HTTP取り込みを 0.0.0.0 で待ち受けると、このPC以外からも接続できるようになります。" in boxes.questions[0]
    assert "BIZTEL Desk は TLS(HTTPS)を提供しないため" in boxes.questions[0]
    assert "リバースプロキシ" in boxes.questions[0]
    assert dialog.isVisible()  # declined: nothing saved, the dialog stays open
    assert ingest_http.load_config(context.database) == HttpIngestConfig()
    boxes.answer(QMessageBox.StandardButton.Yes)
    _ok(qtbot, dialog)
    config = ingest_http.load_config(context.database)
    assert (config.enabled, config.host, config.port, config.allow_remote) == (True, "0.0.0.0", 9876, True)
    assert not dialog.isVisible()
    # Confirmed for this host: opening the dialog again and pressing OK does not ask again.
    again = _dialog(qtbot, context, None)
    _ok(qtbot, again)
    assert len(boxes.questions) == 2


def test_the_confirmation_is_a_real_question_with_no_as_default(qtbot: QtBot, context: AppContext) -> None:
    dialog = _dialog(qtbot, context, None)
    seen: list[tuple[str, str, bool]] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append((box.windowTitle(), box.text(), box.defaultButton() is box.button(QMessageBox.StandardButton.No)))
        box.button(QMessageBox.StandardButton.No).click()

    QTimer.singleShot(100, answer)
    assert dialog.confirm_network("192.0.2.10") is False
    assert seen and seen[0][0] == "ネットワークでの待ち受けの確認" and seen[0][2]
    assert seen[0][1].endswith("192.0.2.10 で待ち受けますか?")


def test_each_source_has_its_own_time_zone_checked_and_saved(
    qtbot: QtBot, context: AppContext, inbox: Path
) -> None:
    # Issue #9 item 7: the zone the PBX writes its times in, per call source, separate from the display zone.
    dialog = _dialog(qtbot, context, None)
    dialog.folder_check.setChecked(True)
    dialog.folder_edit.setText(str(inbox))
    dialog.http_check.setChecked(True)
    _retype(qtbot, dialog.port_edit, str(free_port()))
    _retype(qtbot, dialog.folder_zone_edit, "Asia/Tokio")
    _retype(qtbot, dialog.http_zone_edit, "Mars/Olympus")
    _ok(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.error_labels["time_zone"].text() == "タイムゾーン「Asia/Tokio」は不明です(例: Asia/Tokyo、UTC)。"
    assert dialog.error_labels["http_time_zone"].text() == "タイムゾーン「Mars/Olympus」は不明です(例: Asia/Tokyo、UTC)。"
    assert ingest_folder.load_config(context.database) == FolderConfig()
    _retype(qtbot, dialog.folder_zone_edit, "UTC")
    _retype(qtbot, dialog.http_zone_edit, "")
    _ok(qtbot, dialog)
    assert not dialog.isVisible()
    assert ingest_folder.load_config(context.database).time_zone == "UTC"
    assert ingest_http.load_config(context.database).time_zone == ""  # empty: the system setting's zone
    again = _dialog(qtbot, context, None)
    assert again.folder_zone_edit.text() == "UTC"
    again.grab().save("/tmp/ingest_dialog_zones.png")


@pytest.mark.parametrize(("width", "height"), [(1366, 728), (683, 344)])  # 1366x768 less the task bar; at 2x scale
def test_ok_and_cancel_are_reachable_on_a_1366x768_screen(
        qtbot: QtBot, context: AppContext, width: int, height: int) -> None:
    from PySide6.QtCore import QPoint, QRect

    from biztel_desk.ui.boxes import fit_to_screen

    dialog = _dialog(qtbot, context, None)
    assert dialog.scroll_area.widget().sizeHint().height() > 600  # three sources: taller than the screen's room
    fit_to_screen(dialog, 800, 2000, QRect(0, 0, width, height))
    qtbot.waitUntil(lambda: dialog.height() + 40 <= height)
    assert dialog.width() <= width
    for button in dialog.buttons.buttons():
        assert dialog.rect().contains(QRect(button.mapTo(dialog, QPoint(0, 0)), button.size()))
    # The rest scrolls: the CDR database's fields are reachable below the other two sources.
    area = dialog.scroll_area
    area.ensureWidgetVisible(dialog.cdr_box)
    qtbot.waitUntil(lambda: area.verticalScrollBar().value() > 0)
