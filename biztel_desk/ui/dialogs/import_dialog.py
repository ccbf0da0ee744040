"""通話履歴を取り込む dialog (SPEC §8): file choice, preset, encoding, a mapping preview, background import, rejected rows."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, QRect, Qt, Signal
from PySide6.QtGui import QCloseEvent, QColor, QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
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
from biztel_desk.ui.tasks import Jobs
from biztel_desk.ui.widgets import ERROR_COLOR, ErrorLabel, HintLabel, required_label

log = logging.getLogger(__name__)
Index = QModelIndex | QPersistentModelIndex

PREVIEW_ROWS = 20
CALL_FILE_SUFFIXES = (".csv", ".tsv", ".txt")
MAPPING_COLUMNS = 3  # field | column pairs per line of the mapping editor
_UNMAPPED_COLOR = "#9aa0a6"


# --- models ------------------------------------------------------------------------------------------------


class TextTableModel(QAbstractTableModel):
    """Read-only rows of text under text headers, numbered from 1: the preview and the refused rows fill one."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._headers: list[str] = []
        self._rows: list[list[str]] = []

    def set_table(self, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        self.beginResetModel()
        self._headers = list(headers)
        self._rows = [list(row) for row in rows]
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def cell(self, index: Index) -> str:
        row = self._rows[index.row()]
        return row[index.column()] if index.column() < len(row) else ""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)) or index.column() >= len(self._headers):
            return None
        return self.cell(index) if role == Qt.ItemDataRole.DisplayRole else self.cell_role(index, role)

    def cell_role(self, index: Index, role: int) -> Any:
        """A cell's other roles (tool tip, colour, alignment): none here."""
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1) if role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self._rows) else None
        if not (0 <= section < len(self._headers)):
            return None
        return self._headers[section] if role == Qt.ItemDataRole.DisplayRole else self.header_role(section, role)

    def header_role(self, section: int, role: int) -> Any:
        """A column header's other roles: none here."""
        return None


class PreviewModel(TextTableModel):
    """The first rows of a call file as cells; in 汎用 mode each header also names the field it maps to."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns: list[str] = []
        self._mapped: dict[int, str] | None = None  # column → label of the CallRecord field it feeds (汎用 mode)

    def set_preview(self, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        width = max([len(columns), *(len(row) for row in rows)]) if rows or columns else 0
        self._columns = [*columns, *(str(i + 1) for i in range(len(columns), width))]
        self._mapped = None
        self.set_table(self._columns, rows)

    def clear(self) -> None:
        self.set_preview([], [])

    def set_mapping(self, mapped: dict[int, str] | None) -> None:
        """Column → field label in 汎用 mode (unmapped columns are greyed); None shows the plain headers."""
        self._mapped = None if mapped is None else dict(mapped)
        self._headers = [self._header(section, column) for section, column in enumerate(self._columns)]
        if self._columns:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._columns) - 1)
            if self._rows:
                self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(self._columns) - 1))

    def _header(self, section: int, column: str) -> str:
        if self._mapped is None:
            return column
        target = self._mapped.get(section)
        return f"{column}\n→ {target}" if target else f"{column}\n—"

    def columns(self) -> list[str]:
        return list(self._columns)

    def cell_role(self, index: Index, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.cell(index)
        if role == Qt.ItemDataRole.ForegroundRole and self._mapped is not None and index.column() not in self._mapped:
            return QColor(_UNMAPPED_COLOR)
        return None

    def header_role(self, section: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and self._mapped is not None and section not in self._mapped:
            return self.tr("この列は取り込みません")
        return None


class RejectedRowsModel(TextTableModel):
    """Rows an import refused: ファイル | 行 | 理由 (the reason in the user's language)."""

    FILE, LINE, REASON = range(3)

    def __init__(self, lang: str = "ja", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lang = lang
        self._rejected: list[RejectedRow] = []
        self.set_rows([])

    def set_rows(self, rows: Sequence[RejectedRow]) -> None:
        self._rejected = list(rows)
        self.set_table(self.headers(), [import_preview.rejected_cells(row, self.lang) for row in rows])

    def headers(self) -> tuple[str, str, str]:
        return self.tr("ファイル"), self.tr("行"), self.tr("理由")

    def as_text(self) -> str:
        """Tab-separated with a header line: pastes into a spreadsheet or a mail as it is."""
        return import_preview.rejected_text(self.headers(), self._rejected, self.lang)

    def cell_role(self, index: Index, role: int) -> Any:
        column = index.column()
        if role == Qt.ItemDataRole.ToolTipRole:
            tips = (self._rejected[index.row()].file, None, self.cell(index))
            return tips[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.LINE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


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

        # Files, preset and encoding.
        self.files_edit = QLineEdit(self)
        self.files_edit.setReadOnly(True)
        self.files_edit.setPlaceholderText(self.tr("CSV / TSV ファイルを選ぶか、ここにドロップしてください"))
        self.choose_button = QPushButton(self.tr("ファイルを選択…"), self)
        self.choose_button.clicked.connect(self._on_choose_button_clicked)
        self.preset_combo, self.encoding_combo = format_combos(self, self.tr("自動判定"), self.tr("自動"),
                                                              self.tr("汎用(列の対応付け)"))
        for combo in (self.preset_combo, self.encoding_combo):
            combo.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            combo.currentIndexChanged.connect(self.refresh_preview)
        self.detected_label = named(self._never_squeezed(HintLabel("", self)), "detected")
        self.error_label = named(ErrorLabel(self), "previewError")
        source = QGridLayout()
        source.setHorizontalSpacing(10)
        source.setVerticalSpacing(8)
        source.setColumnStretch(1, 1)
        source.addWidget(self._form_label(self.tr("ファイル"), self.files_edit), 0, 0)
        source.addLayout(hbox((self.files_edit, 1), self.choose_button), 0, 1)
        source.addWidget(self._form_label(self.tr("プリセット"), self.preset_combo), 1, 0)
        source.addLayout(hbox(self.preset_combo, 14, self._form_label(self.tr("文字コード"), self.encoding_combo),
                              self.encoding_combo, STRETCH, spacing=10), 1, 1)
        source.addWidget(self.detected_label, 2, 1)
        source.addWidget(self.error_label, 3, 1)

        # Preview.
        self.preview_model = PreviewModel(self)
        self.preview_view = named(self._table(self.preview_model), "previewTable")
        self.preview_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.preview_view.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.preview_view.setMinimumHeight(150)
        self.preview_hint = named(self._never_squeezed(HintLabel("", self)), "previewHint")
        self.preview_box = QGroupBox(self.tr("プレビュー(先頭{count}行)").format(count=PREVIEW_ROWS), self)
        vbox((self.preview_view, 1), self.preview_hint, parent=self.preview_box)

        # Mapping editor (汎用).
        self.mapping_box = named(QWidget(self), "mappingPage")
        self.mapping_combos: dict[str, QComboBox] = {}
        mapping_grid = QGridLayout()
        mapping_grid.setHorizontalSpacing(8)
        mapping_grid.setVerticalSpacing(6)
        for i, (name, label_text) in enumerate(field_choices(self.lang)):
            combo = named(QComboBox(self.mapping_box), f"mapping_{name}")
            combo.setMinimumContentsLength(12)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.currentIndexChanged.connect(self._on_mapping_combo_current_index_changed)
            self.mapping_combos[name] = combo
            label = required_label(label_text, name in REQUIRED_FIELDS)
            label.setBuddy(combo)
            row, pair = divmod(i, MAPPING_COLUMNS)
            mapping_grid.addWidget(label, row, pair * 2)
            mapping_grid.addWidget(combo, row, pair * 2 + 1)
        for pair in range(MAPPING_COLUMNS):
            mapping_grid.setColumnStretch(pair * 2 + 1, 1)
        self.date_format_edit = QLineEdit(self.mapping_box)
        self.date_format_edit.setPlaceholderText(self.tr("空欄: YYYY-MM-DD HH:MM:SS / YYYY/MM/DD HH:MM:SS / ISO 8601"))
        self.date_format_edit.setToolTip(self.tr("日時の書式を strptime の形式で指定します(例: %Y年%m月%d日 %H:%M)。"))
        self.date_format_edit.editingFinished.connect(self._on_date_format_edit_editing_finished)
        self.load_mapping_button = QPushButton(self.tr("読込…"), self.mapping_box)
        self.load_mapping_button.clicked.connect(self._on_load_mapping_button_clicked)
        self.save_mapping_button = QPushButton(self.tr("保存…"), self.mapping_box)
        self.save_mapping_button.clicked.connect(self._on_save_mapping_button_clicked)
        self.mapping_error = named(ErrorLabel(self.mapping_box), "mappingError")
        self.mapping_hint = named(self._never_squeezed(HintLabel("", self.mapping_box)), "mappingHint")
        self.mapping_hint.hide()
        mapping_intro = HintLabel(
            self.tr("各項目に、ファイルのどの列を使うかを選んでください。* の項目は必須です"
                    "(発信電話番号と着信電話番号はどちらか一方でも取り込めます)。"), self.mapping_box)
        footer = hbox(QLabel(self.tr("日時の書式"), self.mapping_box), (self.date_format_edit, 1), 16,
                      self.load_mapping_button, self.save_mapping_button)
        vbox(self._never_squeezed(mapping_intro), mapping_grid, footer, self.mapping_hint, self.mapping_error, STRETCH,
             parent=self.mapping_box)

        # Progress and result.
        self.progress_bar = named(QProgressBar(self), "importProgress")
        self.progress_bar.setFormat(self.tr("%v行 処理済み"))
        self.progress_bar.hide()
        self.result_box = named(QWidget(self), "resultPage")
        self.imported_label = self._count_label("importedCount")
        self.known_label = self._count_label("knownCount")
        self.rejected_label = self._count_label("rejectedCount")
        self.files_summary = named(self._never_squeezed(HintLabel("", self.result_box)), "filesSummary")
        self.files_summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_error = named(ErrorLabel(self.result_box), "resultError")
        self.rejected_model = RejectedRowsModel(self.lang, self)
        self.rejected_view = named(self._table(self.rejected_model), "rejectedTable")
        header = self.rejected_view.horizontalHeader()
        header.setSectionResizeMode(RejectedRowsModel.FILE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(RejectedRowsModel.LINE, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.rejected_view.setMinimumHeight(110)
        self.rejected_view.setWordWrap(True)  # a reason quotes the value and the accepted formats: never cut it off
        self.rejected_view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.sectionResized.connect(self._on_rejected_header_section_resized)
        self.copy_button = QPushButton(self.tr("不正な行をコピー"), self.result_box)
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        counts = hbox(self.imported_label, self.known_label, self.rejected_label, STRETCH, spacing=28)
        vbox(counts, self.files_summary, self.result_error, (self.rejected_view, 1), hbox(STRETCH, self.copy_button),
             parent=self.result_box)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.mapping_box, self.tr("列の対応付け"))
        self.tabs.addTab(self.result_box, self.tr("取り込み結果"))
        self.tabs.setTabVisible(0, False)
        self.tabs.setTabVisible(1, False)
        self.tabs.hide()

        # Buttons.
        self.import_button = named(QPushButton(self.tr("取り込む"), self), "importButton")
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.start_import)
        self.close_button = QPushButton(self.tr("閉じる"), self)
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)

        # Everything but the buttons scrolls: on a 1366x768 screen (or at 2x scale) the buttons stay in reach.
        self.scroll_area = scrolled(self, source, (self.preview_box, 3), (self.tabs, 2), name="importScroll", spacing=10)
        buttons = hbox((self.progress_bar, 1), STRETCH, self.import_button, self.close_button)
        vbox((self.scroll_area, 1), buttons, parent=self, spacing=10)
        self.fit_to_screen()
        self._update_buttons()
        if paths:
            self.set_paths(paths)

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
        self.error_label.clear_message()
        self._preview_ok = False
        if not self.paths:
            self.preview_model.clear()
            self._set_detected("")
            self._show_mapping_editor(False)
            self._update_buttons()
            return
        path = self.paths[0]
        try:
            result = self._preview(path, self._current_mapping())
            generic = self._is_generic(result)
            if generic:
                headers, _ = import_preview.generic_split(result)
                if self._set_headers(headers):  # a new file: the editor was just filled, preview with it
                    result = self._preview(path, self._current_mapping())
        except ImportFailure as failure:
            self.preview_model.clear()
            self._set_detected("")
            self.preview_hint.setText("")
            self.preview_hint.hide()
            self._show_mapping_editor(self.preset() == "generic")
            self.error_label.show_message(import_preview.failure_text(failure, self.lang, language()))
            self._update_buttons()
            return
        self._show_mapping_editor(generic)
        if generic:
            self.preview_model.set_preview(*import_preview.generic_split(result))
        else:
            self.preview_model.set_preview(result.columns, result.rows)
        self._preview_ok = result.detected_preset is not None
        if not self._preview_ok and not generic:
            self.error_label.show_message(
                import_preview.unreadable_text(path, self.preset(), self.preset_combo.currentText(), language()))
        self._set_detected(import_preview.detected_text(result, self.preset(), generic, self._mapping_base.name,
                                                        len(self.paths), language()))
        self._update_mapping_view()
        self._update_preview_hint(result)
        self._resize_preview_columns()
        self._update_buttons()

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

    def _on_rejected_header_section_resized(self, _section: int, _old: int, _new: int) -> None:
        self.rejected_view.resizeRowsToContents()  # a wrapped reason needs fewer lines once its column is wider

    def _on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.rejected_model.as_text())

    def _on_task_progress(self, rows: int) -> None:
        if rows > self.progress_bar.maximum():
            self.progress_bar.setMaximum(rows)
        self.progress_bar.setValue(rows)

    def _on_task_finished(self, report: ImportReport, unknown: dict[str, list[UnknownNumber]]) -> None:
        self._importing = False
        self.progress_bar.setValue(self.progress_bar.maximum())
        self.progress_bar.hide()
        self._show_result(import_preview.import_result(report, unknown, self.lang), report.rejected)
        self._update_buttons()
        self.import_finished.emit(report)
        if report.imported:
            self.imported.emit(report.imported)

    def _on_task_failed(self, reason: str) -> None:
        self._importing = False
        self.progress_bar.hide()
        text = self.tr("データベースに書き込めませんでした: {reason}\n"
                       "ここまでに取り込んだ通話はそのまま残ります。もう一度取り込んでも重複しません。").format(reason=reason)
        self._show_result(import_preview.ImportResult(0, 0, 0, "", text), [])
        self._update_buttons()

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
        if self._headers and absent:
            self.mapping_hint.setText(self.tr("このファイルにない列: {columns}").format(columns=", ".join(absent)))
            self.mapping_hint.show()
        else:
            self.mapping_hint.hide()
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
        self.mapping_hint.setText(self.tr("列の対応を保存しました: {path}").format(path=path))
        self.mapping_hint.show()
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
        loop = asyncio.get_running_loop()
        rows_by_file: dict[str, int] = {}
        # The import's thread holds ``progress`` until after the job ended: through a strong reference it could drop
        # the dialog's last one, and Qt would delete the dialog on that thread (a crash). It holds a weak one.
        dialog = weakref.ref(self)

        def moved(rows: int) -> None:  # on the GUI thread
            if (alive := dialog()) is not None:
                alive._on_task_progress(rows)

        def progress(path: str, rows: int) -> None:  # on the import's thread: the bar moves on the GUI thread
            rows_by_file[path] = rows
            loop.call_soon_threadsafe(moved, sum(rows_by_file.values()))

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
        if self.is_running():  # the import cannot be cut in half: the dialog closes when it is done
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if self.is_running():
            event.ignore()
            return
        super().closeEvent(event)

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

    def _table(self, model: QAbstractTableModel) -> QTableView:
        view = QTableView(self)
        view.setModel(model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setAlternatingRowColors(True)
        view.setWordWrap(False)
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
        view.verticalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return view

    def _form_label(self, text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text, self)
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        label.setBuddy(buddy)
        return label

    @staticmethod
    def _never_squeezed(label: QLabel) -> QLabel:
        """A wrapped label keeps the height of its text (a squeezed, centred label spills over its neighbours)."""
        label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        return label

    def _count_label(self, name: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        font = label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        label.setFont(font)
        return label

    def _show_result(self, result: import_preview.ImportResult, rejected: list[RejectedRow]) -> None:
        self.imported_label.setText(self.tr("取り込み {count}件").format(count=result.imported))
        self.known_label.setText(self.tr("登録済み {count}件").format(count=result.known))
        self.rejected_label.setText(self.tr("不正 {count}行").format(count=result.rejected))
        self.rejected_label.setStyleSheet(f"color: {ERROR_COLOR};" if result.rejected else "")
        self.files_summary.setText(result.summary)
        self.files_summary.setVisible(bool(result.summary))
        self.result_error.show_message(result.failures)
        self.rejected_model.set_rows(rejected)
        self.rejected_view.setVisible(bool(rejected))
        self.copy_button.setVisible(bool(rejected))
        self._show_page(self.result_box, True)

    def _preview(self, path: str, mapping: Mapping | None) -> Preview:
        return preview(path, self.preset(), mapping, self.encoding(), PREVIEW_ROWS, database=self.context.database)

    def _is_generic(self, result: Preview) -> bool:
        return self.preset() == "generic" or (self.preset() is None and result.detected_preset == "generic")

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

    def _show_mapping_editor(self, shown: bool) -> None:
        self._generic_mode = shown
        self._show_page(self.mapping_box, shown)
        if not shown:
            self.preview_model.set_mapping(None)

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

    def _update_preview_hint(self, result: Preview) -> None:
        unmapped = self._generic_mode and self.editor_mapping() is None  # the rows say nothing before the mapping
        text, problem = ("", False) if unmapped else import_preview.preview_hint(result, self.lang)
        self.preview_hint.set_state("error" if problem else "hint")
        self.preview_hint.setText(text)
        self.preview_hint.setVisible(bool(text))

    def _set_detected(self, text: str) -> None:
        self.detected_label.setText(text)
        self.detected_label.setVisible(bool(text))

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
        for widget in (self.choose_button, self.preset_combo, self.encoding_combo, self.mapping_box):
            widget.setEnabled(not running)
        self.close_button.setEnabled(not running)
        self.setAcceptDrops(not running)


def choice_combo(parent: QWidget, *items: tuple[str, str]) -> QComboBox:
    """A combo of (text, value) items: ``currentData()`` is the chosen value."""
    combo = QComboBox(parent)
    for text, data in items:
        combo.addItem(text, data)
    return combo


def format_combos(parent: QWidget, auto: str, auto_encoding: str, generic: str) -> tuple[QComboBox, QComboBox]:
    """The preset and encoding combos of call files, from the one list of each: this dialog's and the watched
    folder's (通話の取り込み元) offer the same choices."""
    presets = [(name, key) for key, name in import_preview.PRESET_NAMES.items()]
    encodings = [(name, key) for key, name in import_preview.ENCODING_NAMES.items()]
    return (choice_combo(parent, (auto, ""), *presets, (generic, "generic")),
            choice_combo(parent, (auto_encoding, "auto"), *encodings))


__all__ = ["ImportDialog", "PreviewModel", "RejectedRowsModel", "choice_combo", "format_combos"]
