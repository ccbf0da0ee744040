"""ヘルプ → ログを表示: the real application log (applog) read back, filtered by level and text, copied."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication

from biztel_desk import applog
from biztel_desk.services import app_log
from biztel_desk.ui.dialogs.log_viewer import LogViewerDialog


def _write_log(data_dir: Path) -> None:
    applog.configure(data_dir)
    log = logging.getLogger("biztel_desk.engine.worker")
    log.info("worker started for 本社")
    log.warning("Salesforce said UNABLE_TO_LOCK_ROW; retrying")
    try:
        raise ValueError("a bug in the test")
    except ValueError:
        log.error("unexpected error in a send", exc_info=True)
    for handler in logging.getLogger().handlers:
        handler.flush()


class _Opened(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def test_the_log_viewer_filters_copies_and_opens_the_folder(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _write_log(tmp_path)
    dialog = LogViewerDialog(tmp_path)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: len(dialog.entries) >= 3)
    assert [entry.level for entry in dialog.shown_entries()][-3:] == ["INFO", "WARNING", "ERROR"]
    assert "Traceback" in dialog.text.toPlainText() and "ValueError: a bug in the test" in dialog.text.toPlainText()

    dialog.level.setCurrentIndex(dialog.level.findData("WARNING"))
    assert {entry.level for entry in dialog.shown_entries()} == {"WARNING", "ERROR"}
    assert "worker started" not in dialog.text.toPlainText()
    dialog.search.setText("unable_to_lock")
    assert [entry.level for entry in dialog.shown_entries()] == ["WARNING"]
    assert "2 件" not in dialog.summary.text() and "1 件を表示" in dialog.summary.text()

    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == dialog.text.toPlainText()
    assert "UNABLE_TO_LOCK_ROW" in QGuiApplication.clipboard().text()

    opened = _Opened()
    QDesktopServices.setUrlHandler("file", opened, "open")
    try:
        dialog.folder_button.click()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [Path(url.toLocalFile()) for url in opened.urls] == [tmp_path / "logs"]


def test_no_log_yet_says_so(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = LogViewerDialog(tmp_path / "empty")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.reload_button.isEnabled())
    assert dialog.summary.text() == "ログはまだありません。"
    assert not dialog.copy_button.isEnabled()


def test_rotated_files_are_read_oldest_first_within_the_budget(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    line = "2026-12-04 10:00:0{n},000 INFO [MainThread] biztel_desk.x: entry {n}\n"
    (logs / "biztel-desk.log.2").write_text(line.format(n=1), encoding="utf-8")
    (logs / "biztel-desk.log.1").write_text(line.format(n=2) + "  continued\n", encoding="utf-8")
    (logs / "biztel-desk.log").write_text(line.format(n=3), encoding="utf-8")
    entries = app_log.read_entries(tmp_path)
    assert [entry.message for entry in entries] == ["entry 1", "entry 2\n  continued", "entry 3"]
    newest = app_log.read_entries(tmp_path, max_bytes=len(line.format(n=3)) + 5)
    assert [entry.message for entry in newest] == ["entry 3"]
