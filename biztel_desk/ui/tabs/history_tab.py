"""連携通話履歴 tab (SPEC §13): the setting's linked calls, filtered, sorted and paged; retry, open, export CSV."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, QPoint, QRect, QSignalBlocker, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QAction, QCursor, QDesktopServices, QGuiApplication, QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDateEdit,
    QFileDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QSpinBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionButton,
    QStyleOptionViewItem,
    QTableView,
    QToolButton,
    QWidget,
)

from biztel_desk.domain.errors import error_text
from biztel_desk.domain.jobs import state_label
from biztel_desk.services import history
from biztel_desk.services.context import AppContext
from biztel_desk.services.history import (
    COLUMN_KEYS,
    DEFAULT_VISIBLE,
    JOB_STATES,
    QUICK_RANGES,
    RETRIABLE_STATES,
    HistoryFilter,
    HistoryRow,
    HistorySource,
    SqlHistorySource,
    customer_number,
    task_url_builder,
)
from biztel_desk.services.history_view import (
    CUSTOM_RANGE,
    MAX_CHARS,
    FilterBar,
    anchor_row,
    choose_columns,
    chosen_columns,
    shown_columns,
)
from biztel_desk.services.history_view import PREFERENCE_KEY as PREFERENCE_KEY  # the demo (app.py) presets it
from biztel_desk.ui.boxes import STRETCH, hbox, named, vbox
from biztel_desk.ui.models.history_model import TASK_COLUMN, HistoryModel
from biztel_desk.ui.tasks import Jobs
from biztel_desk.ui.widgets import button, check_box, combo, line_edit

GREY = "color: #6a737d;"  # the status line and the empty table's note


class TaskButtonDelegate(QStyledItemDelegate):
    """通話履歴: a push button in each row that has a Task; painted, not a widget per row (pages change often). A
    click on it is the view's ``clicked`` (HistoryTab opens the Task)."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | Any) -> None:
        text = index.data(Qt.ItemDataRole.DisplayRole)
        if not text:
            super().paint(painter, option, index)
            return
        button = QStyleOptionButton()
        button.rect = QRect(option.rect.adjusted(4, 2, -4, -2))  # type: ignore[attr-defined]
        button.text = str(text)
        button.state = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Raised
        style = option.widget.style() if option.widget else QApplication.style()  # type: ignore[attr-defined]
        style.drawControl(QStyle.ControlElement.CE_PushButton, button, painter, option.widget)  # type: ignore[attr-defined]


def add_action(menu: QMenu, text: str, act: Callable[[], object], *, name: str = "", enabled: bool = True,
               checkable: bool = False) -> QAction:
    """An entry of ``menu`` that calls ``act`` when the admin chooses it (not when the code ticks it)."""
    action = menu.addAction(text)
    action.setObjectName(name)
    action.setEnabled(enabled)
    action.setCheckable(checkable)
    action.triggered.connect(lambda _checked=False: act())
    return action


class HistoryTab(QWidget):
    """Read-only view plus two actions; ``changed`` exists for the common tab interface and is never emitted."""

    changed = Signal()
    exported = Signal(str, int)  # path, rows
    retried = Signal(int)  # jobs made pending

    def __init__(self, context: AppContext, parent: QWidget | None = None, source: HistorySource | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setting_name: str | None = None
        system = context.config.system()
        self.source = source or SqlHistorySource(context.database, system.default_region)
        self.model = HistoryModel(self.source, system.page_size, system.time_zone, self, lang=context.lang)
        self.jobs = Jobs(self)  # the CSV export and 今すぐ再試行 (the model runs the page and count queries)
        self._columns_sized = False
        self._restore: tuple[list[int], int] | None = None  # what refresh() puts back when the page arrives

        # The filter bar: the controls of FilterBar's fields (history_view decides how they follow each other).
        self.keyword_edit = line_edit(placeholder=self.tr("電話番号(どの書式でも)・ID・エージェント・内線"),
                                      name="keyword", parent=self)
        self.keyword_edit.setMinimumWidth(260)
        self.keyword_edit.setClearButtonEnabled(True)
        # Each state's word from the one vocabulary, as the CSV and the CLI say it.
        states = ((state_label(state, context.lang), state) for state in JOB_STATES)
        self.state_combo = combo(((self.tr("すべて"), ""), *states), parent=self)
        # 失敗/要対応: one click to the calls that wait for the admin (failed, waiting to retry).
        self.attention_button = button(self.tr("失敗/要対応"), name="attentionFilter", parent=self,
                                       tooltip=self.tr("失敗した通話とリトライ待ちの通話だけを表示します"))
        self.attention_button.setCheckable(True)
        # A push button with a menu makes room for its arrow (a QToolButton's InstantPopup arrow covers the text).
        self.columns_button = button(self.tr("表示項目"), name="columnsButton", parent=self)
        self.columns_menu = QMenu(self)
        self.column_actions = {key: add_action(self.columns_menu, self.model.column_title(key),
                                               self._on_column_action_triggered, checkable=True)
                               for key in COLUMN_KEYS}
        self.columns_menu.addSeparator()
        self.reset_columns_action = add_action(self.columns_menu, self.tr("初期表示に戻す"),
                                               lambda: self._apply_columns(DEFAULT_VISIBLE, persist=True))
        self.columns_button.setMenu(self.columns_menu)
        ranges = {"": self.tr("すべての期間"), "today": self.tr("今日"), "yesterday": self.tr("昨日"),
                  "last_7_days": self.tr("過去7日間"), "this_month": self.tr("今月"), "last_month": self.tr("先月"),
                  CUSTOM_RANGE: self.tr("期間を指定")}
        self.range_combo = combo(((ranges[name], name) for name in ("", *QUICK_RANGES, CUSTOM_RANGE)),
                                 name="quickRange", parent=self)
        # "Today" of the configured time zone, not of this computer: calls are dated in that zone.
        day = dt.datetime.now(self.model.zone).date()
        today = QDate(day.year, day.month, day.day)
        self.from_check = check_box(self.tr("開始"), parent=self)
        self.from_date = QDateEdit(today.addDays(-6), self)
        self.to_check = check_box(self.tr("終了"), parent=self)
        self.to_date = QDateEdit(today, self)
        for date_edit in (self.from_date, self.to_date):
            date_edit.setCalendarPopup(True)
            date_edit.setDisplayFormat("yyyy/MM/dd")
            date_edit.setEnabled(False)

        self.retry_button = button(self.tr("今すぐ再試行"), self.retry_selected, parent=self,
                                   tooltip=self.tr("選択した失敗・リトライ待ちの通話をすぐに送り直します"))
        self.export_button = button(self.tr("CSVエクスポート"), self._on_export_button_clicked, parent=self,
                                    tooltip=self.tr("絞り込んだすべての行を、表示中の項目でCSVに書き出します"))
        self.status_label = named(QLabel(self), "statusLabel")
        self.status_label.setStyleSheet(GREY)

        self.view = named(QTableView(self), "historyView")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setDefaultSectionSize(28)
        self.task_delegate = TaskButtonDelegate(self.view)
        self.view.setItemDelegateForColumn(TASK_COLUMN, self.task_delegate)
        header = self.view.horizontalHeader()  # resized by hand (Interactive) and clickable: QTableView's defaults
        header.setStretchLastSection(True)
        header.setSortIndicator(COLUMN_KEYS.index("started_at"), Qt.SortOrder.DescendingOrder)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.setSortingEnabled(True)  # shows the sort indicator
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.setMouseTracking(True)  # the row under the mouse is the anchor of a refresh (see refresh)
        self.row_menu: QMenu | None = None  # the last context menu of a row (kept for tests)
        self.open_failed_box: QMessageBox | None = None  # 開く found no browser: the URL to copy

        # The paging bar: « 前へ [page] / pages 次へ ».
        self.first_button = QToolButton(self)
        self.previous_button = button(self.tr("前へ"), self.model.previous_page, parent=self)
        self.page_spin = named(QSpinBox(self), "pageNumber")
        self.page_spin.setKeyboardTracking(False)  # jump when the admin presses Enter, not per digit
        self.page_count_label = QLabel("/ 1", self)
        self.next_button = button(self.tr("次へ"), self.model.next_page, parent=self)
        self.last_button = QToolButton(self)
        for tool, text, tooltip, go in ((self.first_button, "«", self.tr("最初のページ"), self.model.first_page),
                                        (self.last_button, "»", self.tr("最後のページ"), self.model.last_page)):
            tool.setText(text)
            tool.setToolTip(tooltip)
            tool.clicked.connect(go)
        self.page_label = named(QLabel(self), "pageLabel")
        self.empty_label = QLabel(self.tr("連携通話履歴はまだありません。"), self)
        self.empty_label.setStyleSheet(GREY)

        filters = hbox(QLabel(self.tr("絞り込み"), self), (self.keyword_edit, 1), 12, QLabel(self.tr("状態"), self),
                       self.state_combo, self.attention_button, 12, self.columns_button)
        dates = hbox(QLabel(self.tr("通話開始日時"), self), self.range_combo, 8, self.from_check, self.from_date,
                     QLabel("〜", self), self.to_check, self.to_date, STRETCH, self.retry_button, self.export_button)
        paging = hbox(self.empty_label, self.status_label, STRETCH, self.page_label, 12, self.first_button,
                      self.previous_button, self.page_spin, self.page_count_label, self.next_button, self.last_button)
        vbox(filters, dates, (self.view, 1), paging, parent=self)

        self._keyword_timer = QTimer(self)
        self._keyword_timer.setSingleShot(True)
        self._keyword_timer.setInterval(300)  # wait for the admin to stop typing before querying
        self._keyword_timer.timeout.connect(self.apply_keyword_now)
        self.keyword_edit.textChanged.connect(lambda _text: self._keyword_timer.start())
        self.keyword_edit.returnPressed.connect(self.apply_keyword_now)
        edits = {"state": self.state_combo.currentIndexChanged, "attention": self.attention_button.toggled,
                 "range": self.range_combo.currentIndexChanged, "from_on": self.from_check.toggled,
                 "from_day": self.from_date.dateChanged, "to_on": self.to_check.toggled, "to_day": self.to_date.dateChanged}
        for key, signal in edits.items():  # the FilterBar field each control shows
            signal.connect(lambda *_args, key=key: self._on_filter_edited(key))
        self.view.customContextMenuRequested.connect(self._on_view_custom_context_menu_requested)
        for sequence, slot in ((QKeySequence.StandardKey.Find, self._on_find_shortcut_activated),
                               (QKeySequence.StandardKey.Refresh, self.refresh)):
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self.page_spin.valueChanged.connect(self._on_page_spin_value_changed)
        self.view.clicked.connect(self._on_view_clicked)
        header.customContextMenuRequested.connect(lambda at: self.columns_menu.popup(header.mapToGlobal(at)))
        self.model.page_loaded.connect(self._on_model_page_loaded)
        self.model.estimate_loaded.connect(self._update_paging)
        self.model.busy_changed.connect(self._update_paging)
        self.model.query_failed.connect(self._on_model_query_failed)
        self.view.selectionModel().selectionChanged.connect(self._on_view_selection_changed)

        self._apply_columns(chosen_columns(context.config), persist=False)
        self.load(None)

    # --- the agreed tab interface ----------------------------------------------------------------------------

    def load(self, setting_name: str | None) -> None:
        self.setting_name = setting_name
        self._columns_sized = False
        self.setEnabled(setting_name is not None)
        system = self.context.config.system()
        url = task_url_builder(self.context.config, setting_name) if setting_name else None
        self.model.configure(system.page_size, system.time_zone, url)
        self._apply_filter()

    def current_filter(self) -> HistoryFilter | None:
        return None if self.setting_name is None else self.filter_bar().history_filter(self.setting_name,
                                                                                        self.model.zone)

    def filter_bar(self) -> FilterBar:
        """What the filter controls show."""
        return FilterBar(self.keyword_edit.text(), str(self.state_combo.currentData() or ""),
                         self.attention_button.isChecked(), str(self.range_combo.currentData() or ""),
                         self.from_check.isChecked(), self.from_date.date().toPython(),
                         self.to_check.isChecked(), self.to_date.date().toPython())

    def visible_columns(self) -> list[str]:
        return [key for key in COLUMN_KEYS if not self.view.isColumnHidden(COLUMN_KEYS.index(key))]

    def task_url(self, row: int) -> str | None:
        history_row = self.model.row_at(row)
        if history_row is None or not history_row.task_id or self.model.url is None:
            return None
        return self.model.url(history_row.task_id)

    def quick_range(self, name: str) -> None:
        """Pick 今日 / 昨日 / 過去7日間 / 今月 / 先月 ("" = every day) as the combo does."""
        self.range_combo.setCurrentIndex(self.range_combo.findData(name))

    def apply_keyword_now(self) -> None:
        """The keyword now, without waiting for the admin to stop typing (Enter, この番号の通話)."""
        self._keyword_timer.stop()
        self._apply_filter()

    def refresh(self) -> None:
        """Re-read the page and the count (new calls, the worker's outcomes; the window's timer and F5) without
        moving what the admin looks at: the selected row, else the row under the mouse, else the top row of a
        scrolled page, stays where it is on screen — rows that arrived above it go to the pages before — and the
        selection is kept."""
        if self.model.history_filter is None:
            return
        view, viewport = self.view, self.view.viewport()
        hovered = view.indexAt(viewport.mapFromGlobal(QCursor.pos())).row() if viewport.underMouse() else -1
        top = view.rowAt(0) if view.verticalScrollBar().value() > 0 else -1
        selected = sorted(index.row() for index in view.selectionModel().selectedRows())
        anchor = anchor_row(selected, view.currentIndex().row(), hovered, top)
        anchored = self.model.row_at(anchor)
        self._restore = ([row.job_id for row in self._selected_rows()], view.verticalScrollBar().value())
        self.model.refresh(anchor=(anchor, anchored.job_id) if anchored is not None else None)

    def open_task(self, row: int) -> bool:
        """開く: the row's Task in the browser. Without a browser (Qt cannot open the URL), a message says so and
        offers the URL to copy. True when the browser took it."""
        url = self.task_url(row)
        if not url:
            return False
        if QDesktopServices.openUrl(QUrl(url)):
            return True
        text = self.tr("このコンピュータで既定のブラウザを開けませんでした。URLをコピーして、ブラウザのアドレス欄に貼り付けてください。")
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("ブラウザを開けませんでした"), text, parent=self)
        box.setInformativeText(url)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        copy = box.addButton(self.tr("コピー"), QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Close)
        # An action button closes the box by default: copying is what the admin came for, so that is fine.
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(url))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.open_failed_box = box
        box.open()
        return False

    def row_text(self, row: int) -> str:
        """コピー (行): the row's visible cells, tab-separated as a spreadsheet pastes them."""
        columns = [COLUMN_KEYS.index(key) for key in self.visible_columns()]
        order = sorted(columns, key=self.view.horizontalHeader().visualIndex)
        return "\t".join(str(self.model.data(self.model.index(row, column)) or "") for column in order)

    def show_calls_of_number(self, number: str) -> None:
        """この番号の通話: the tab filtered to every call with that number (any state, any date)."""
        self._show_filter_bar(self.filter_bar().calls_of(number))
        self.apply_keyword_now()

    def row_context_menu(self, row: int) -> QMenu | None:
        """The menu of a row: 開く, コピー (the row / the number), 再試行, この番号の通話."""
        history_row = self.model.row_at(row)
        if history_row is None:
            return None
        number = customer_number(history_row)
        clipboard = QGuiApplication.clipboard()
        menu = QMenu(self)
        add_action(menu, self.tr("開く"), lambda: self.open_task(row), name="open",
                   enabled=self.task_url(row) is not None)
        menu.addSeparator()
        add_action(menu, self.tr("行をコピー"), lambda: clipboard.setText(self.row_text(row)), name="copyRow")
        add_action(menu, self.tr("番号をコピー"), lambda: clipboard.setText(number), name="copyNumber",
                   enabled=bool(number))
        menu.addSeparator()
        add_action(menu, self.tr("今すぐ再試行"), lambda: self._retry_jobs([history_row.job_id]), name="retry",
                   enabled=history_row.state in RETRIABLE_STATES)
        add_action(menu, self.tr("この番号の通話"), lambda: self.show_calls_of_number(number), name="callsOfNumber",
                   enabled=bool(number))
        return menu

    def export_csv(self, path: str) -> None:
        """Write the filtered rows (every page) with the visible columns to ``path`` on a job thread."""
        history_filter = self.model.history_filter
        if history_filter is None or self.jobs.running("export"):
            return
        self.export_button.setEnabled(False)
        self.status_label.setText(self.tr("CSVに書き出しています…"))
        self.jobs.run("export", self._export(path, history_filter, self.visible_columns()),
                      on_error=self._on_export_failed)

    async def _export(self, path: str, history_filter: HistoryFilter, keys: list[str]) -> None:
        model = self.model
        rows = await model.jobs.to_thread(history.export_csv, path, self.source, history_filter, model.sort_order,
                                          keys, model.zone, self.context.lang, model.url)
        self.export_button.setEnabled(True)
        self.status_label.setText(self.tr("{rows:,}件をCSVに書き出しました: {path}").format(rows=rows, path=path))
        self.exported.emit(path, rows)

    def _on_export_failed(self, error: BaseException) -> None:
        self.export_button.setEnabled(True)
        text = error_text(error, self.context.lang)
        self.status_label.setText(self.tr("CSVを書き出せませんでした: {error}").format(error=text))

    def retry_selected(self) -> None:
        """今すぐ再試行 of the selected failed / retrying rows, in one transaction on a job thread."""
        self._retry_jobs([row.job_id for row in self._selected_rows() if row.state in RETRIABLE_STATES])

    def _retry_jobs(self, job_ids: list[int]) -> None:
        if not job_ids:
            return
        self.retry_button.setEnabled(False)
        self.jobs.run("retry", self._retry(job_ids), on_error=self._on_retry_failed)

    async def _retry(self, job_ids: list[int]) -> None:
        changed = await self.model.jobs.to_thread(history.retry_now, self.context.database, job_ids)
        self.status_label.setText(self.tr("{count}件を再試行の待機中にしました").format(count=changed))
        self.retried.emit(changed)
        self.model.refresh()

    def _on_retry_failed(self, error: BaseException) -> None:
        text = error_text(error, self.context.lang)
        self.status_label.setText(self.tr("再試行できませんでした: {error}").format(error=text))
        self.model.refresh()

    # --- slots -------------------------------------------------------------------------------------------------

    def _on_filter_edited(self, key: str) -> None:
        """A filter control changed by the admin: the others follow it (FilterBar.edited), then the rows; an edit
        that leaves the filter as it was (期間を指定 picked) queries nothing."""
        self._show_filter_bar(self.filter_bar().edited(key, self.model.zone))
        if self.current_filter() != self.model.history_filter:
            self._apply_filter()

    @Slot(QPoint)
    def _on_view_custom_context_menu_requested(self, position: QPoint) -> None:
        index = self.view.indexAt(position)
        if not index.isValid():
            return
        if not self.view.selectionModel().isRowSelected(index.row(), QModelIndex()):
            self.view.selectRow(index.row())
        self.row_menu = self.row_context_menu(index.row())
        if self.row_menu is not None:
            self.row_menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.row_menu.popup(self.view.viewport().mapToGlobal(position))

    @Slot(QModelIndex)
    def _on_view_clicked(self, index: QModelIndex) -> None:
        if index.column() == TASK_COLUMN:  # the 開く button (an empty cell has no Task to open)
            self.open_task(index.row())

    @Slot()
    def _on_find_shortcut_activated(self) -> None:
        self.keyword_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.keyword_edit.selectAll()

    @Slot(int)
    def _on_page_spin_value_changed(self, value: int) -> None:
        if value - 1 != self.model.paging().current_page:
            self.model.go_to_page(value - 1)

    def _on_export_button_clicked(self) -> None:
        default = f"{self.tr('連携通話履歴')}_{self.setting_name or ''}.csv"
        path, _ = QFileDialog.getSaveFileName(self, self.tr("CSVエクスポート"), default, self.tr("CSVファイル (*.csv)"))
        if path:
            self.export_csv(path)

    def _on_column_action_triggered(self) -> None:
        visible = [key for key, action in self.column_actions.items() if action.isChecked()]
        self._apply_columns(visible, persist=True)

    @Slot()
    def _on_model_page_loaded(self) -> None:
        self._update_paging()
        if self.model.rowCount() and not self._columns_sized:
            # Once per setting: measuring every cell on each page costs tens of ms, and stable widths read better.
            self._columns_sized = True
            self.view.resizeColumnsToContents()
            self._narrow_columns()
        restore, self._restore = self._restore, None
        if restore is not None:  # after refresh(): the same rows selected, the view where it was
            selected, scroll = restore
            selection = self.view.selectionModel()
            for row, history_row in enumerate(self.model.rows):
                if history_row.job_id in selected:
                    selection.select(self.model.index(row, 0), selection.SelectionFlag.Select
                                     | selection.SelectionFlag.Rows)
            self.view.verticalScrollBar().setValue(scroll)
        self._on_view_selection_changed()

    @Slot(str)
    def _on_model_query_failed(self, text: str) -> None:
        self.status_label.setText(self.tr("履歴を読み込めませんでした: {error}").format(error=text))

    @Slot()
    def _on_view_selection_changed(self, *_args: object) -> None:
        self.retry_button.setEnabled(any(row.state in RETRIABLE_STATES for row in self._selected_rows()))

    @Slot()
    def _update_paging(self) -> None:
        paging = self.model.paging()  # the total: 約… while the exact count runs (millions of rows)
        total = paging.total_text(self.tr("約{count:,}"))
        self.page_label.setText(
            self.tr("{first:,}–{last:,} / {total}件").format(first=paging.first, last=paging.last, total=total)
        )
        self.first_button.setEnabled(paging.has_previous)
        self.previous_button.setEnabled(paging.has_previous)
        self.next_button.setEnabled(paging.has_next)
        self.last_button.setEnabled(paging.has_last)
        with QSignalBlocker(self.page_spin):
            self.page_spin.setRange(1, paging.page_count)
            self.page_spin.setValue(paging.current_page + 1)
        self.page_count_label.setText(f"/ {paging.page_count:,}")
        self.empty_label.setVisible(self.setting_name is not None and paging.total == 0 and not self.model.loading)

    # --- helpers -----------------------------------------------------------------------------------------------

    def _show_filter_bar(self, bar: FilterBar) -> None:
        """Put ``bar`` in the filter controls without their signals (the keyword only when it changes: its cursor
        stays where it is); a day's date can be edited while it is ticked."""
        blockers = [QSignalBlocker(widget) for widget in (self.keyword_edit, self.state_combo, self.attention_button,
                                                          self.range_combo, self.from_check, self.from_date,
                                                          self.to_check, self.to_date)]
        if bar.keyword != self.keyword_edit.text():
            self.keyword_edit.setText(bar.keyword)
        self.state_combo.setCurrentIndex(self.state_combo.findData(bar.state))
        self.attention_button.setChecked(bar.attention)
        self.range_combo.setCurrentIndex(self.range_combo.findData(bar.range))
        for check, date_edit, ticked, day in ((self.from_check, self.from_date, bar.from_on, bar.from_day),
                                              (self.to_check, self.to_date, bar.to_on, bar.to_day)):
            check.setChecked(ticked)
            date_edit.setEnabled(ticked)
            if day is not None:
                date_edit.setDate(day)
        for blocker in blockers:
            blocker.unblock()

    def _narrow_columns(self) -> None:
        """通話履歴 as wide as its title (the 開く button fits), 紐付け先 and エラー capped (MAX_CHARS): the columns
        after them stay in view. 状態 fits its longest word: the widths are measured once, maybe on a page of
        待機中 only, and 連携済み must not turn into 連携… when the calls are linked."""
        metrics = self.view.fontMetrics()
        header = self.view.horizontalHeader()
        state, words = COLUMN_KEYS.index("state"), (state_label(key, self.context.lang) for key in JOB_STATES)
        self.view.setColumnWidth(state, max(header.sectionSize(state), max(map(metrics.horizontalAdvance, words)) + 24))
        task = max(metrics.horizontalAdvance(self.model.column_title("task_id")),
                   metrics.horizontalAdvance(self.tr("開く")) + 16) + 16
        self.view.setColumnWidth(TASK_COLUMN, task)
        for key, chars in MAX_CHARS.items():
            width, column = metrics.horizontalAdvance("あ") * chars, COLUMN_KEYS.index(key)
            if header.sectionSize(column) > width:
                self.view.setColumnWidth(column, width)

    def _apply_filter(self) -> None:
        self._restore = None
        self.model.set_filter(self.current_filter())

    def _selected_rows(self) -> list[HistoryRow]:
        rows = {index.row() for index in self.view.selectionModel().selectedRows()}
        return [self.model.rows[row] for row in sorted(rows) if row < len(self.model.rows)]

    def _apply_columns(self, visible: Sequence[str], *, persist: bool) -> None:
        """Show ``visible`` (never none); ``persist``: the admin's choice, saved (history_view.choose_columns)."""
        visible = choose_columns(self.context.config, visible) if persist else shown_columns(visible)
        for column, key in enumerate(COLUMN_KEYS):
            self.view.setColumnHidden(column, key not in visible)
            self.column_actions[key].setChecked(key in visible)
