"""通話の取り込み元 dialog: the PBX's CDR database (issue #15) — 接続テスト against a real server, the first run's
今から / 過去N日, the password kept in the keyring, OK starts the source."""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path

import cdr_pbx
import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from biztel_desk.ingest import cdr_db
from biztel_desk.services.context import AppContext
from biztel_desk.services.ingest_sources import IngestSources, SourceState
from biztel_desk.ui.dialogs.ingest_dialog import IngestDialog

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def asterisk_table() -> Iterator[tuple[str, str]]:
    """Asterisk's cdr table on the test PostgreSQL with two calls: (the URL an admin enters, the password)."""
    if not os.environ.get("BIZTEL_TEST_POSTGRES_URL"):
        pytest.skip("BIZTEL_TEST_POSTGRES_URL is not set (eval \"$(tools/pg_server.sh start)\")")
    if importlib.util.find_spec("psycopg") is None:
        pytest.skip("the psycopg driver is not installed (pip install -e '.[postgres]')")
    server = cdr_pbx.server_url(False)
    assert server is not None
    admin_url, writer = cdr_pbx.scratch_database(server, "cdrgui")
    try:
        cdr_pbx.create_table(writer, False)
        pbx = cdr_pbx.Pbx(False, seed=3)
        start = dt.datetime(2026, 12, 1, 10, 0, 0)
        cdr_pbx.insert(writer, "cdr", pbx.call("missed", start, "0335550501")[1])
        cdr_pbx.insert(writer, "cdr", pbx.call("outbound", start + dt.timedelta(minutes=5), "0335550502")[1])
        user, password = cdr_pbx.reader_user(writer, writer.url.database or "", False)
        yield cdr_pbx.source_url(admin_url, user, False), password
    finally:
        writer.dispose()
        cdr_pbx.drop_database(server, writer.url.database or "")


def _dialog(qtbot: QtBot, context: AppContext, sources: IngestSources | None = None) -> IngestDialog:
    dialog = IngestDialog(context, sources)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _ok(qtbot: QtBot, dialog: IngestDialog) -> None:
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)


def test_connection_test_shows_the_table_then_ok_starts_the_source(
    qtbot: QtBot, context: AppContext, asterisk_table: tuple[str, str], data_dir: Path
) -> None:
    url, password = asterisk_table
    sources = IngestSources(context.database, context.secrets, lang="ja")
    sources.start()
    try:
        dialog = _dialog(qtbot, context, sources)
        assert dialog.cdr_status_label.text() == "オフ" and not dialog.cdr_url_edit.isEnabled()
        qtbot.mouseClick(dialog.cdr_check, Qt.MouseButton.LeftButton)
        assert dialog.cdr_url_edit.isEnabled() and not dialog.cdr_days_spin.isEnabled()
        qtbot.keyClicks(dialog.cdr_url_edit, url)
        qtbot.keyClicks(dialog.cdr_zone_edit, "Asia/Tokyo")
        qtbot.keyClicks(dialog.cdr_password_edit, password)  # typed, not saved yet: the test uses it

        qtbot.mouseClick(dialog.cdr_test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "行数" in dialog.cdr_test_label.text(), timeout=20000)
        text = dialog.cdr_test_label.text()
        assert "形式: asterisk" in text and "行数: 2" in text and "最新の通話: 2026-12-01 10:05:00" in text
        assert "列: accountcode, src, dst" in text and "linkedid" in text
        assert dialog.cdr_test_button.isEnabled()
        assert context.secrets.get(cdr_db.SECRET_KEY) is None  # 接続テスト stores nothing

        # The first run must say where to start: not chosen → refused, nothing saved.
        _ok(qtbot, dialog)
        assert dialog.error_labels["cdr_start"].isVisible()
        assert "今から" in dialog.error_labels["cdr_start"].text()
        assert not cdr_db.load_config(context.database).enabled

        dialog.cdr_start_combo.setCurrentIndex(dialog.cdr_start_combo.findData("days"))
        assert dialog.cdr_days_spin.isEnabled()
        dialog.cdr_days_spin.setValue(30)
        with qtbot.waitSignal(dialog.accepted):
            _ok(qtbot, dialog)
        saved = cdr_db.load_config(context.database)
        assert (saved.enabled, saved.url, saved.table, saved.schema, saved.start, saved.time_zone) == (
            True, url, "cdr", "auto", "days:30", "Asia/Tokyo")
        assert context.secrets.get(cdr_db.SECRET_KEY) == password  # in the keyring…
        stored = b"".join(p.read_bytes() for p in data_dir.rglob("*") if p.is_file())
        assert password.encode() not in stored  # …never in our database
        assert sources.status().cdr_db.state is SourceState.RUNNING
        qtbot.waitUntil(lambda: cdr_db.load_position(context.database, saved) is not None, timeout=20000)

        again = _dialog(qtbot, context, sources)
        assert again.cdr_password_edit.text() == "" and "保存済み" in again.cdr_password_edit.placeholderText()
        assert "読み取り済みの位置から続けます" in again.cdr_position_label.text()
        assert again.cdr_status_label.text().startswith("取り込み中: ")
    finally:
        sources.stop()


def test_connection_test_failure_is_shown_in_japanese(
    qtbot: QtBot, context: AppContext, asterisk_table: tuple[str, str]
) -> None:
    url, password = asterisk_table
    dialog = _dialog(qtbot, context)
    qtbot.mouseClick(dialog.cdr_check, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.cdr_url_edit, url)
    qtbot.keyClicks(dialog.cdr_password_edit, password)
    dialog.cdr_table_edit.setText("cdr_renamed")
    qtbot.mouseClick(dialog.cdr_test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "テーブル cdr_renamed" in dialog.cdr_test_label.text(), timeout=20000)
    assert dialog.cdr_test_label.text().endswith("。") and dialog.cdr_test_button.isEnabled()

    port = sa.make_url(url).port
    dialog.cdr_url_edit.setText(url.replace(f":{port}/", ":1/"))
    qtbot.mouseClick(dialog.cdr_test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "接続できません" in dialog.cdr_test_label.text(), timeout=20000)

    dialog.cdr_url_edit.setText("mysql://user:secret@192.0.2.1/asteriskcdrdb")
    qtbot.mouseClick(dialog.cdr_test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "URLにパスワードを含めないでください" in dialog.cdr_test_label.text(), timeout=20000)
