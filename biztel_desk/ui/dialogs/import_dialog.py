"""通話履歴を取り込む dialog (SPEC §8): file choice, preset, encoding, a mapping preview, background import, rejected rows."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QObject, QRect, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QTableView,
    QTabWidget,
    QWidget,
)

from biztel_desk.domain.call import REQUIRED_FIELDS
from biztel_desk.domain.errors import KnownError
from biztel_desk.services import import_preview, imports
from biztel_desk.services.context import AppContext
from biztel_desk.services.imports import (
    BIZTEL_MAPPING,
    ImportFailure,
    ImportReport,
    Mapping,
    Preview,
    RejectedRow,
    field_choices,
    load_mapping,
    preview,
    save_mapping,
)
from biztel_desk.services.relink import UnknownNumber
from biztel_desk.ui.boxes import STRETCH, fit_to_screen, hbox, named, scrolled, vbox
from biztel_desk.ui.i18n import language
from biztel_desk.ui.tasks import Jobs, posted
from biztel_desk.ui.widgets import (
    ERROR_COLOR,
    ErrorLabel,
    HintLabel,
    button,
    combo,
    field_block,
    line_edit,
    make_form,
    required_label,
    side_by_side,
)

log = logging.getLogger(__name__)

PREVIEW_ROWS = 20
MAPPING_COLUMNS = 3  # field | column pairs per line of the mapping editor
_UNMAPPED_COLOR = "#9aa0a6"
L = TypeVar("L", bound=QLabel)


# --- models: Qt's item model, one read-only item per cell, numbered rows ---------------------------------------


def _item(text: str, tip: str | None = None, align: Qt.AlignmentFlag | None = None) -> QStandardItem:
    """A cell with its tool tip and alignment."""
    item = QStandardItem(text)
    item.setEditable(False)
    if tip is not None:
        item.setToolTip(tip)
    if align is not None:
        item.setTextAlignment(align)
    return item


class PreviewModel(QStandardItemModel):
    """The first rows of a call file as cells; in 汎用 mode each header also names the field it maps to."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns: list[str] = []

    def set_preview(self, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        width = max([len(columns), *(len(row) for row in rows)])
        self._columns = [*columns, *(str(i + 1) for i in range(len(columns), width))]
        self.clear()
        self.setHorizontalHeaderLabels(self._columns)
        for row in rows:
            self.appendRow([_item(cell, tip=cell) for cell in [*row, *[""] * (width - len(row))]])

    def set_mapping(self, mapped: dict[int, str] | None) -> None:
        """Column → field label in 汎用 mode (unmapped columns are greyed); None shows the plain headers."""
        for section, column in enumerate(self._columns):
            target = None if mapped is None else mapped.get(section, "")
            header = QStandardItem(column if target is None else f"{column}\n→ {target}" if target else f"{column}\n—")
            if target == "":
                header.setToolTip(self.tr("この列は取り込みません"))
            self.setHorizontalHeaderItem(section, header)
            for row in range(self.rowCount()):
                grey = QColor(_UNMAPPED_COLOR) if target == "" else None
                self.item(row, section).setData(grey, Qt.ItemDataRole.ForegroundRole)

    def columns(self) -> list[str]:
        return list(self._columns)


class RejectedRowsModel(QStandardItemModel):
    """Rows an import refused: ファイル | 行 | 理由 (the reason in the user's language)."""

    FILE, LINE = range(2)

    def __init__(self, lang: str = "ja", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lang = lang
        self._rejected: list[RejectedRow] = []
        self.setHorizontalHeaderLabels(self.headers())

    def set_rows(self, rows: Sequence[RejectedRow]) -> None:
        self._rejected = list(rows)
        self.removeRows(0, self.rowCount())  # the columns stay, and the view's widths of them
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for row in rows:
            name, line, reason = import_preview.rejected_cells(row, self.lang)
            self.appendRow([_item(name, tip=row.file), _item(line, align=right), _item(reason, tip=reason)])

    def headers(self) -> tuple[str, str, str]:
        return self.tr("ファイル"), self.tr("行"), self.tr("理由")

    def as_text(self) -> str:
        """Tab-separated with a header line: pastes into a spreadsheet or a mail as it is."""
        return import_preview.rejected_text(self.headers(), self._rejected, self.lang)


# --- the dialog --------------------------------------------------------------------------------------------


class ImportDialog(QDialog):
    """Choose call files, check the preview (and the column mapping in 汎用 mode), import in the background.

    ``imported(count)`` is emitted when an import added calls (so the window refreshes its history);
    ``import_finished(report)`` after every import, whatever its outcome.
    """

    imported = Signal(int)
    import_finished = Signal(object)  # ImportReport

    def __init__(self, context: AppContext, parent: QWidget | None = None, paths: list[str] | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.lang = context.lang
        self.setWindowTitle(self.tr("通話履歴を取り込む"))
        self.setObjectName("importDialog")
        self.setAcceptDrops(True)
        self.paths: list[str] = []
        self.jobs = Jobs(self)  # the import ("import"): it cannot be cut in half, the dialog stays open meanwhile
        self._importing = False
        self._headers: list[str] = []  # the mapping editor's choices: the first file's header cells
        self._mapping_base: Mapping = BIZTEL_MAPPING  # name, source, time zone, direction words kept from a loaded file
        self._loaded_mapping: Mapping | None = None
        self._generic_mode = False
        self._preview_ok = False
        self._filling = False  # True while the editor is filled programmatically (no preview per combo)

        # Files, preset and encoding; under them what was detected, or why the file cannot be read.
        self.files_edit = line_edit(placeholder=self.tr("CSV / TSV ファイルを選ぶか、ここにドロップしてください"),
                                    read_only=True)
        self.choose_button = button(self.tr("ファイルを選択…"), self._on_choose_button_clicked)
        self.preset_combo, self.encoding_combo = format_combos(self.tr("自動判定"), self.tr("自動"),
                                                              self.tr("汎用(列の対応付け)"))
        for choice in (self.preset_combo, self.encoding_combo):
            choice.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            choice.currentIndexChanged.connect(self.refresh_preview)
        self.detected_label = named(_never_squeezed(HintLabel()), "detected")
        self.error_label = named(ErrorLabel(), "previewError")
        source = make_form()
        source.addRow(self.tr("ファイル"), side_by_side((self.files_edit, 1), self.choose_button))
        source.addRow(self.tr("プリセット"), field_block(
            side_by_side(self.preset_combo, 14, QLabel(self.tr("文字コード")), self.encoding_combo, STRETCH, spacing=10),
            self.detected_label, self.error_label))

        # Preview.
        self.preview_model = PreviewModel(self)
        self.preview_view = _table(self.preview_model, "previewTable", min_height=150)
        self.preview_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.preview_view.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.preview_hint = named(_never_squeezed(HintLabel()), "previewHint")
        self.preview_box = QGroupBox(self.tr("プレビュー(先頭{count}行)").format(count=PREVIEW_ROWS))
        vbox((self.preview_view, 1), self.preview_hint, parent=self.preview_box)

        # Mapping editor (汎用): a column for every field of a call, a date format, a mapping file to load or save.
        self.mapping_box = named(QWidget(), "mappingPage")
        self.mapping_combos = {name: self._mapping_combo(name) for name, _label in field_choices(self.lang)}
        self.date_format_edit = line_edit(
            placeholder=self.tr("空欄: YYYY-MM-DD HH:MM:SS / YYYY/MM/DD HH:MM:SS / ISO 8601"))
        self.date_format_edit.setToolTip(self.tr("日時の書式を strptime の形式で指定します(例: %Y年%m月%d日 %H:%M)。"))
        self.date_format_edit.editingFinished.connect(self._on_date_format_edit_editing_finished)
        self.load_mapping_button = button(self.tr("読込…"), self._on_load_mapping_button_clicked)
        self.save_mapping_button = button(self.tr("保存…"), self._on_save_mapping_button_clicked)
        self.mapping_error = named(ErrorLabel(), "mappingError")
        self.mapping_hint = named(_never_squeezed(HintLabel()), "mappingHint")
        self.mapping_hint.hide()
        mapping_intro = HintLabel(self.tr("各項目に、ファイルのどの列を使うかを選んでください。* の項目は必須です"
                                          "(発信電話番号と着信電話番号はどちらか一方でも取り込めます)。"))
        footer = hbox(QLabel(self.tr("日時の書式")), (self.date_format_edit, 1), 16, self.load_mapping_button,
                      self.save_mapping_button)
        vbox(_never_squeezed(mapping_intro), self._mapping_grid(), footer, self.mapping_hint, self.mapping_error,
             STRETCH, parent=self.mapping_box)

        # Progress and result: the counts, each file's summary, the files not read, the rows refused.
        self.progress_bar = named(QProgressBar(), "importProgress")
        self.progress_bar.setFormat(self.tr("%v行 処理済み"))
        self.progress_bar.hide()
        self.result_box = named(QWidget(), "resultPage")
        self.imported_label, self.known_label, self.rejected_label = (
            _count_label(name) for name in ("importedCount", "knownCount", "rejectedCount"))
        self.files_summary = named(_never_squeezed(HintLabel()), "filesSummary")
        self.files_summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_error = named(ErrorLabel(), "resultError")
        self.rejected_model = RejectedRowsModel(self.lang, self)
        self.rejected_view = _table(self.rejected_model, "rejectedTable", min_height=110)
        header = self.rejected_view.horizontalHeader()
        header.setSectionResizeMode(RejectedRowsModel.FILE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(RejectedRowsModel.LINE, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.rejected_view.setWordWrap(True)  # a reason quotes the value and the accepted formats: never cut it off
        self.rejected_view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # A wrapped reason needs fewer lines once its column is wider.
        header.sectionResized.connect(lambda *_: self.rejected_view.resizeRowsToContents())
        self.copy_button = button(self.tr("不正な行をコピー"),
                                  lambda: QGuiApplication.clipboard().setText(self.rejected_model.as_text()))
        counts = hbox(self.imported_label, self.known_label, self.rejected_label, STRETCH, spacing=28)
        vbox(counts, self.files_summary, self.result_error, (self.rejected_view, 1), hbox(STRETCH, self.copy_button),
             parent=self.result_box)
        self.tabs = QTabWidget()  # the mapping editor and the result share the lower half, each shown when needed
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.mapping_box, self.tr("列の対応付け"))
        self.tabs.addTab(self.result_box, self.tr("取り込み結果"))
        for page in (self.mapping_box, self.result_box):
            self._show_page(page, False)

        self.import_button = button(self.tr("取り込む"), self.start_import, name="importButton")
        self.import_button.setDefault(True)
        self.close_button = button(self.tr("閉じる"), self.reject)
        self.close_button.setAutoDefault(False)
        # Everything but the buttons scrolls: on a 1366x768 screen (or at 2x scale) the buttons stay in reach.
        self.scroll_area = scrolled(self, source, (self.preview_box, 3), (self.tabs, 2), name="importScroll", spacing=10)
        buttons = hbox((self.progress_bar, 1), STRETCH, self.import_button, self.close_button)
        vbox((self.scroll_area, 1), buttons, parent=self, spacing=10)
        self.fit_to_screen()
        self._update_buttons()
        if paths:
            self.set_paths(paths)

    def _mapping_combo(self, name: str) -> QComboBox:
        choice = combo(name=f"mapping_{name}")
        choice.setMinimumContentsLength(12)
        choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        choice.currentIndexChanged.connect(self._on_mapping_combo_current_index_changed)
        return choice

    def _mapping_grid(self) -> QGridLayout:
        """Field | column pairs, MAPPING_COLUMNS of them a line; a required field's label has its red *."""
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(6)
        for i, (name, text) in enumerate(field_choices(self.lang)):
            row, pair = divmod(i, MAPPING_COLUMNS)
            label = required_label(text, name in REQUIRED_FIELDS)
            label.setBuddy(self.mapping_combos[name])  # screen readers name the combo by its field
            grid.addWidget(label, row, pair * 2)
            grid.addWidget(self.mapping_combos[name], row, pair * 2 + 1)
            grid.setColumnStretch(pair * 2 + 1, 1)
        return grid

    # --- public ------------------------------------------------------------------------------------------------

    def set_paths(self, paths: Sequence[str]) -> None:
        """The files to import (the first one is previewed); a new choice clears the last result."""
        self.paths = [str(path) for path in paths]
        names = [Path(path).name for path in self.paths]
        self.files_edit.setText(", ".join(names))
        self.files_edit.setToolTip("\n".join(self.paths))
        self.files_edit.setCursorPosition(0)
        self._headers = []
        self._show_page(self.result_box, False)
        self.refresh_preview()

    def preset(self) -> str | None:
        """The chosen preset, None for 自動判定."""
        return self.preset_combo.currentData() or None

    def encoding(self) -> str:
        return str(self.encoding_combo.currentData())

    def is_running(self) -> bool:
        return self._importing

    def fit_to_screen(self, available: QRect | None = None) -> None:
        """1040x760 where the screen has room, else the screen's free area (the content scrolls, the buttons stay)."""
        fit_to_screen(self, 1040, 760, available)

    def editor_mapping(self) -> Mapping | None:
        """The mapping the editor shows, or None when a required field has no column (or a column is used twice)."""
        columns = self._editor_columns()
        if columns is None or import_preview.mapping_problem(columns, self.lang):
            return None
        return import_preview.build_mapping(columns, self.date_format_edit.text(), self._mapping_base)

    def refresh_preview(self) -> None:
        """Read the first file again with the chosen preset, encoding and mapping."""
        shown = self._read_preview() if self.paths else import_preview.PreviewShown()
        self._generic_mode, self._preview_ok = shown.generic, shown.ok
        self._show_page(self.mapping_box, shown.generic)
        self.preview_model.set_preview(shown.columns, shown.rows)
        self.error_label.show_message(shown.error)
        _show_text(self.detected_label, shown.detected)
        self.preview_hint.set_state("error" if shown.problem else "hint")
        _show_text(self.preview_hint, shown.hint)
        self._update_mapping_view()
        self._resize_preview_columns()
        self._update_buttons()

    def _read_preview(self) -> import_preview.PreviewShown:
        path = self.paths[0]
        try:
            result = self._preview(path, self._current_mapping())
            generic = import_preview.is_generic(self.preset(), result)
            if generic and self._set_headers(import_preview.generic_split(result)[0]):
                result = self._preview(path, self._current_mapping())  # a new file: the editor was just filled
        except ImportFailure as failure:
            return import_preview.PreviewShown(generic=self.preset() == "generic",
                                               error=import_preview.failure_text(failure, self.lang, language()))
        return import_preview.preview_shown(result, path, self.preset(), self.preset_combo.currentText(), generic,
                                            self.editor_mapping() is not None, self._mapping_base.name,
                                            len(self.paths), self.lang, language())

    # --- slots -------------------------------------------------------------------------------------------------

    def _on_choose_button_clicked(self) -> None:
        start = str(Path(self.paths[0]).parent) if self.paths else ""
        paths, _ = QFileDialog.getOpenFileNames(
            self, self.tr("取り込む通話履歴ファイル"), start,
            self.tr("通話履歴 (*.csv *.tsv *.txt);;すべてのファイル (*)"),
        )
        if paths:
            self.set_paths(paths)

    def _on_mapping_combo_current_index_changed(self, _index: int) -> None:
        if self._filling:
            return
        self.refresh_preview()

    def _on_date_format_edit_editing_finished(self) -> None:
        if self._generic_mode:
            self.refresh_preview()

    def _on_load_mapping_button_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("列の対応を読み込む"), "", self.tr("列の対応 (*.json *.toml);;すべてのファイル (*)")
        )
        if path:
            self.load_mapping_file(path)

    def _on_save_mapping_button_clicked(self) -> None:
        mapping = self.editor_mapping()
        if mapping is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("列の対応を保存"), "mapping.json", self.tr("JSON (*.json);;TOML (*.toml)")
        )
        if path:
            self.save_mapping_file(path)

    def _on_task_progress(self, rows: int) -> None:
        if rows > self.progress_bar.maximum():
            self.progress_bar.setMaximum(rows)
        self.progress_bar.setValue(rows)

    def _on_task_finished(self, report: ImportReport, unknown: dict[str, list[UnknownNumber]]) -> None:
        self.progress_bar.setValue(self.progress_bar.maximum())
        self._finish(import_preview.import_result(report, unknown, self.lang), report.rejected)
        self.import_finished.emit(report)
        if report.imported:
            self.imported.emit(report.imported)

    def _on_task_failed(self, reason: str) -> None:
        text = self.tr("データベースに書き込めませんでした: {reason}\n"
                       "ここまでに取り込んだ通話はそのまま残ります。もう一度取り込んでも重複しません。").format(reason=reason)
        self._finish(import_preview.ImportResult(0, 0, 0, "", text), [])

    # --- mapping files -----------------------------------------------------------------------------------------

    def load_mapping_file(self, path: str) -> bool:
        """Fill the editor from a saved mapping (JSON or TOML); a problem is shown under the editor."""
        self.mapping_error.clear_message()
        try:
            mapping = load_mapping(path)
        except ImportFailure as failure:
            self.mapping_error.show_message(failure.text(self.lang))
            return False
        self._loaded_mapping = mapping
        self._mapping_base = mapping
        self._filling = True
        try:
            self.date_format_edit.setText(mapping.date_format)
            self._prefill(mapping)
        finally:
            self._filling = False
        absent = import_preview.absent_columns(mapping, self._headers)
        _show_text(self.mapping_hint, self.tr("このファイルにない列: {columns}").format(columns=", ".join(absent))
                   if self._headers and absent else "")
        self.refresh_preview()
        return True

    def save_mapping_file(self, path: str) -> bool:
        mapping = self.editor_mapping()
        if mapping is None:
            return False
        try:
            save_mapping(mapping, path)
        except OSError as error:
            self.mapping_error.show_message(
                self.tr("列の対応を保存できません: {path}: {reason}").format(path=path, reason=error.strerror or error)
            )
            return False
        _show_text(self.mapping_hint, self.tr("列の対応を保存しました: {path}").format(path=path))
        return True

    # --- import ------------------------------------------------------------------------------------------------

    def start_import(self) -> bool:
        """Start importing every chosen file in a job; False when it cannot start (nothing is done)."""
        if not self.import_button.isEnabled() or self.is_running():
            return False
        mapping = self.editor_mapping() if self._generic_mode else self._loaded_mapping
        self._show_page(self.result_box, False)
        self.progress_bar.setRange(0, 0)  # busy until the job has counted the rows
        self.progress_bar.show()
        self._importing = True
        self.jobs.run("import", self._import(list(self.paths), self.preset(), mapping, self.encoding()),
                      on_error=self._on_import_error)
        self._update_buttons()
        return True

    async def _import(self, paths: list[str], preset: str | None, mapping: Mapping | None, encoding: str) -> None:
        self.progress_bar.setRange(0, max(await asyncio.to_thread(imports.count_rows, paths), 1))
        self.progress_bar.setValue(0)
        rows_by_file: dict[str, int] = {}
        moved = posted(self, ImportDialog._on_task_progress)

        def progress(path: str, rows: int) -> None:  # on the import's thread: the bar moves on the GUI thread
            rows_by_file[path] = rows
            moved(sum(rows_by_file.values()))

        try:
            report, unknown = await self.jobs.to_thread(imports.import_calls, self.context.database, paths, preset,
                                                        mapping, encoding, progress)
        except KnownError:
            raise
        except Exception:
            log.exception("import of %s failed", paths)
            self._on_task_failed(self.tr("予期しないエラーが発生しました"))
            raise  # a bug: the crash path reports it
        self._on_task_finished(report, unknown)

    def _on_import_error(self, error: BaseException) -> None:
        log.warning("import into the database failed: %s", error)
        self._on_task_failed(error.text(self.lang) if isinstance(error, KnownError) else str(error))

    def reject(self) -> None:
        """Not while importing (the import cannot be cut in half: the dialog closes when it is done). Closing the
        window asks here too: QDialog's closeEvent rejects, and keeps the dialog open when it is still visible."""
        if not self.is_running():
            super().reject()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt's name
        if not self.is_running() and self._dropped_paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt's name
        paths = self._dropped_paths(event)
        if not self.is_running() and paths:
            event.acceptProposedAction()
            self.set_paths(paths)

    # --- helpers -----------------------------------------------------------------------------------------------

    @staticmethod
    def _dropped_paths(event: QDragEnterEvent | QDropEvent) -> list[str]:
        mime = event.mimeData()
        if mime is None or not mime.hasUrls():
            return []
        return [url.toLocalFile() for url in mime.urls() if url.isLocalFile() and Path(url.toLocalFile()).is_file()]

    def _finish(self, result: import_preview.ImportResult, rejected: list[RejectedRow]) -> None:
        """The import ended: the result page shows what it did, the dialog can be used again."""
        self._importing = False
        self.progress_bar.hide()
        self.imported_label.setText(self.tr("取り込み {count}件").format(count=result.imported))
        self.known_label.setText(self.tr("登録済み {count}件").format(count=result.known))
        self.rejected_label.setText(self.tr("不正 {count}行").format(count=result.rejected))
        self.rejected_label.setStyleSheet(f"color: {ERROR_COLOR};" if result.rejected else "")
        _show_text(self.files_summary, result.summary)
        self.result_error.show_message(result.failures)
        self.rejected_model.set_rows(rejected)
        self.rejected_view.setVisible(bool(rejected))
        self.copy_button.setVisible(bool(rejected))
        self._show_page(self.result_box, True)
        self._update_buttons()

    def _preview(self, path: str, mapping: Mapping | None) -> Preview:
        return preview(path, self.preset(), mapping, self.encoding(), PREVIEW_ROWS, database=self.context.database)

    def _current_mapping(self) -> Mapping | None:
        """What the preview and import use: the editor's mapping once it has a file's headers, else a loaded one."""
        if self._headers:
            return self.editor_mapping()
        return self._loaded_mapping

    def _set_headers(self, headers: list[str]) -> bool:
        """Offer ``headers`` in every combo (prefilled); False when they are the ones already offered."""
        if headers == self._headers:
            return False
        self._headers = headers
        self._filling = True
        try:
            for combo in self.mapping_combos.values():
                combo.clear()
                combo.addItem(self.tr("(取り込まない)"), "")
                for header in headers:
                    if header:
                        combo.addItem(header, header)
            self._prefill(self._loaded_mapping)
        finally:
            self._filling = False
        return True

    def _prefill(self, mapping: Mapping | None) -> None:
        for name, header in import_preview.prefill(self._headers, mapping).items():
            combo = self.mapping_combos[name]
            combo.setCurrentIndex(max(combo.findData(header), 0) if header else 0)

    def _editor_columns(self) -> dict[str, str] | None:
        """Field → chosen header; None before a file's headers are known."""
        if not self._headers:
            return None
        return {name: str(combo.currentData() or "") for name, combo in self.mapping_combos.items()}

    def mapping_shown(self) -> bool:
        return self.tabs.isTabVisible(self.tabs.indexOf(self.mapping_box))

    def result_shown(self) -> bool:
        return self.tabs.isTabVisible(self.tabs.indexOf(self.result_box))

    def _show_page(self, page: QWidget, shown: bool) -> None:
        """Mapping editor and result share the lower half as tabs; a new result comes to the front."""
        index = self.tabs.indexOf(page)
        if self.tabs.isTabVisible(index) != shown:
            self.tabs.setTabVisible(index, shown)
        if shown and page is self.result_box:
            self.tabs.setCurrentIndex(index)
        self.tabs.setVisible(any(self.tabs.isTabVisible(i) for i in range(self.tabs.count())))

    def _update_mapping_view(self) -> None:
        """Header labels of the preview show each column's field; the editor shows what is still missing."""
        columns = self._editor_columns() if self._generic_mode else None
        if columns is None:
            self.preview_model.set_mapping(None)
            self.mapping_error.clear_message()
            return
        self.preview_model.set_mapping(import_preview.mapped_columns(columns, self.preview_model.columns(), self.lang))
        problem = import_preview.mapping_problem(columns, self.lang)
        self.mapping_error.show_message(problem)
        self.save_mapping_button.setEnabled(not problem)

    def _resize_preview_columns(self) -> None:
        view = self.preview_view
        view.resizeColumnsToContents()
        limit = max(view.fontMetrics().horizontalAdvance("x" * 36), 120)
        for column in range(self.preview_model.columnCount()):
            if view.columnWidth(column) > limit:
                view.setColumnWidth(column, limit)

    def _update_buttons(self) -> None:
        running = self.is_running()
        mapping_ok = self._generic_mode and self.editor_mapping() is not None
        self.import_button.setEnabled(
            import_preview.can_import(self.paths, running, self._generic_mode, mapping_ok, self._preview_ok))
        for widget in (self.choose_button, self.preset_combo, self.encoding_combo, self.mapping_box, self.close_button):
            widget.setEnabled(not running)
        self.setAcceptDrops(not running)


def format_combos(auto: str, auto_encoding: str, generic: str) -> tuple[QComboBox, QComboBox]:
    """The preset and encoding combos of call files, from the one list of each: this dialog's and the watched
    folder's (通話の取り込み元) offer the same choices."""
    presets = [(name, key) for key, name in import_preview.PRESET_NAMES.items()]
    encodings = [(name, key) for key, name in import_preview.ENCODING_NAMES.items()]
    return combo([(auto, ""), *presets, (generic, "generic")]), combo([(auto_encoding, "auto"), *encodings])


def _table(model: QStandardItemModel, name: str, min_height: int) -> QTableView:
    """A read-only table of whole rows, alternating colours, one line a row unless it wraps."""
    view = named(QTableView(), name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setMinimumHeight(min_height)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.verticalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return view


def _never_squeezed(label: L) -> L:
    """A wrapped label keeps the height of its text (a squeezed, centred label spills over its neighbours)."""
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    return label


def _show_text(label: QLabel, text: str) -> None:
    """``text`` in a label shown only while it says something."""
    label.setText(text)
    label.setVisible(bool(text))


def _count_label(name: str) -> QLabel:
    """One of the result's three counts: bold, a little larger."""
    label = named(QLabel(), name)
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.15)
    label.setFont(font)
    return label


__all__ = ["ImportDialog", "PreviewModel", "RejectedRowsModel", "format_combos"]
