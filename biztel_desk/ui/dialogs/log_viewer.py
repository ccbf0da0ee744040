"""ヘルプ → ログを表示: the application log, filtered by level and text, to copy or open in its folder."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QWidget

from biztel_desk.services import app_log
from biztel_desk.ui.boxes import hbox, vbox
from biztel_desk.ui.tasks import Jobs
from biztel_desk.ui.widgets import button, combo, line_edit, plain_text, text_label


class LogViewerDialog(QDialog):
    """Reads the log on a job thread (it can be megabytes); filtering is in memory and instant."""

    def __init__(self, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.entries: list[app_log.LogEntry] = []
        self.jobs = Jobs(self)
        self.setWindowTitle(self.tr("ログ"))
        self.resize(900, 560)

        levels = ((self.tr("すべて"), "DEBUG"), (self.tr("情報以上"), "INFO"), (self.tr("警告以上"), "WARNING"),
                  (self.tr("エラーのみ"), "ERROR"))  # the least level shown
        self.level = combo(levels)
        self.level.setCurrentIndex(1)
        self.search = line_edit(placeholder=self.tr("含む文字で絞り込み"))
        self.search.setClearButtonEnabled(True)
        self.reload_button = button(self.tr("再読み込み"), self.reload)
        self.text = plain_text(read_only=True, mono=True, wrap=False)
        self.summary = QLabel()
        self.path_label = text_label(self.tr("ログフォルダ: {0}").format(app_log.log_folder(data_dir)))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = buttons.addButton(self.tr("コピー"), QDialogButtonBox.ButtonRole.ActionRole)
        self.folder_button = buttons.addButton(self.tr("フォルダを開く"), QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        filters = hbox(QLabel(self.tr("レベル:")), self.level, (self.search, 1), self.reload_button)
        vbox(filters, (self.text, 1), self.summary, self.path_label, buttons, parent=self)

        self.level.currentIndexChanged.connect(self._show)
        self.search.textChanged.connect(self._show)
        self.copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.text.toPlainText()))
        self.folder_button.clicked.connect(self._on_folder_button_clicked)
        self.reload()

    def reload(self) -> None:
        self.summary.setText(self.tr("読み込み中…"))
        self.reload_button.setEnabled(False)
        self.jobs.run("read", self._read(), known=(OSError,), on_error=self._on_read_failed)

    async def _read(self) -> None:
        self.entries = await asyncio.to_thread(app_log.read_entries, self.data_dir)
        self.reload_button.setEnabled(True)
        self._show()

    def _on_read_failed(self, error: BaseException) -> None:
        self.reload_button.setEnabled(True)
        self.summary.setText(self.tr("ログを読み込めません: {0}").format(error))

    def shown_entries(self) -> list[app_log.LogEntry]:
        level = str(self.level.currentData())
        needle = self.search.text().strip().casefold()
        return [entry for entry in self.entries
                if entry.at_least(level) and (not needle or needle in entry.text.casefold())]

    def _show(self) -> None:
        shown = self.shown_entries()
        self.text.setPlainText("\n".join(entry.text for entry in shown))
        self.text.verticalScrollBar().setValue(self.text.verticalScrollBar().maximum())  # newest at the bottom
        if not self.entries:
            self.summary.setText(self.tr("ログはまだありません。"))
        else:
            self.summary.setText(self.tr("{0} 件を表示(全 {1} 件)").format(len(shown), len(self.entries)))
        self.copy_button.setEnabled(bool(shown))

    def _on_folder_button_clicked(self) -> None:
        folder = app_log.log_folder(self.data_dir)
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
