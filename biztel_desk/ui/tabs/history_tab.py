"""連携通話履歴 tab (SPEC §13, seed 5): the setting's linked calls, filtered, sorted and paged."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from PySide6.QtCore import QDate, QModelIndex, QPoint, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from biztel_desk.domain.config import parse_login_host
from biztel_desk.domain.messages import Problem
from biztel_desk.services.context import AppContext
from biztel_desk.store.history import JOB_STATES, HistoryFilter, HistorySource, SqlHistorySource
from biztel_desk.ui.models.history_model import COLUMN_KEYS, DEFAULT_VISIBLE, TASK_COLUMN, HistoryModel

PREFERENCE_KEY = "history_columns"


class HistoryTab(QWidget):
    """Read-only view; ``changed`` exists for the common tab interface and is never emitted (nothing is saved)."""

    changed = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None, source: HistorySource | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setting_name: str | None = None
        system = context.config.system()
        # Queries are LIMIT-bounded on the local database, so they run on the GUI thread for now.
        self.model = HistoryModel(source or SqlHistorySource(context.database), system.page_size, system.time_zone, self)

        self.keyword_edit = QLineEdit(self)
        self.keyword_edit.setObjectName("keyword")
        self.keyword_edit.setPlaceholderText(self.tr("番号・ID・エージェント・内線"))
        self.keyword_edit.setMinimumWidth(220)
        self.keyword_edit.setClearButtonEnabled(True)
        today = QDate.currentDate()
        self.from_check = QCheckBox(self.tr("開始"), self)
        self.from_date = QDateEdit(today.addDays(-7), self)
        self.to_check = QCheckBox(self.tr("終了"), self)
        self.to_date = QDateEdit(today, self)
        for date_edit in (self.from_date, self.to_date):
            date_edit.setCalendarPopup(True)
            date_edit.setDisplayFormat("yyyy/MM/dd")
            date_edit.setEnabled(False)
        self.state_combo = QComboBox(self)
        self.state_combo.addItem(self.tr("すべて"), "")
        for state in JOB_STATES:
            self.state_combo.addItem(self.model.state_title(state), state)
        self.columns_button = QToolButton(self)
        self.columns_button.setText(self.tr("表示項目"))
        self.columns_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.columns_menu = QMenu(self)
        self.column_actions: dict[str, QAction] = {}
        for key in COLUMN_KEYS:
            action = QAction(self.model.column_title(key), self.columns_menu)
            action.setCheckable(True)
            action.setData(key)
            action.toggled.connect(self._on_column_action_toggled)
            self.columns_menu.addAction(action)
            self.column_actions[key] = action
        self.columns_menu.addSeparator()
        self.reset_columns_action = self.columns_menu.addAction(self.tr("初期表示に戻す"))
        self.reset_columns_action.triggered.connect(self._on_reset_columns_action_triggered)
        self.columns_button.setMenu(self.columns_menu)

        self.view = QTableView(self)
        self.view.setObjectName("historyView")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setDefaultSectionSize(26)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(COLUMN_KEYS.index("started_at"), Qt.SortOrder.DescendingOrder)
        header.setSectionsClickable(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.setSortingEnabled(True)

        self.previous_button = QPushButton(self.tr("前へ"), self)
        self.next_button = QPushButton(self.tr("次へ"), self)
        self.page_label = QLabel(self)
        self.page_label.setObjectName("pageLabel")
        self.empty_label = QLabel(self.tr("連携通話履歴はまだありません。"), self)
        self.empty_label.setStyleSheet("color: #6a737d;")

        filters = QHBoxLayout()
        filters.addWidget(QLabel(self.tr("絞り込み"), self))
        filters.addWidget(self.keyword_edit, 1)
        filters.addSpacing(12)
        filters.addWidget(QLabel(self.tr("状態"), self))
        filters.addWidget(self.state_combo)
        filters.addSpacing(12)
        filters.addWidget(self.columns_button)
        dates = QHBoxLayout()
        dates.addWidget(QLabel(self.tr("通話開始日時"), self))
        dates.addWidget(self.from_check)
        dates.addWidget(self.from_date)
        dates.addWidget(QLabel("〜", self))
        dates.addWidget(self.to_check)
        dates.addWidget(self.to_date)
        dates.addStretch(1)

        paging = QHBoxLayout()
        paging.addWidget(self.empty_label)
        paging.addStretch(1)
        paging.addWidget(self.page_label)
        paging.addWidget(self.previous_button)
        paging.addWidget(self.next_button)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(dates)
        layout.addWidget(self.view, 1)
        layout.addLayout(paging)

        self._keyword_timer = QTimer(self)
        self._keyword_timer.setSingleShot(True)
        self._keyword_timer.setInterval(250)  # wait for the admin to stop typing before querying
        self._keyword_timer.timeout.connect(self._on_keyword_timer_timeout)
        self.keyword_edit.textChanged.connect(self._on_keyword_edit_text_changed)
        self.keyword_edit.returnPressed.connect(self._on_keyword_timer_timeout)
        self.from_check.toggled.connect(self._on_from_check_toggled)
        self.to_check.toggled.connect(self._on_to_check_toggled)
        self.from_date.dateChanged.connect(self._on_date_edit_date_changed)
        self.to_date.dateChanged.connect(self._on_date_edit_date_changed)
        self.state_combo.currentIndexChanged.connect(self._on_state_combo_current_index_changed)
        self.previous_button.clicked.connect(self._on_previous_button_clicked)
        self.next_button.clicked.connect(self._on_next_button_clicked)
        self.view.clicked.connect(self._on_view_clicked)
        header.customContextMenuRequested.connect(self._on_header_custom_context_menu_requested)
        self.model.modelReset.connect(self._on_model_model_reset)

        self._apply_columns(self._saved_columns(), persist=False)
        self.load(None)

    # --- the agreed tab interface ----------------------------------------------------------------------------

    def load(self, setting_name: str | None) -> None:
        self.setting_name = setting_name
        self.setEnabled(setting_name is not None)
        self._apply_filter()

    def current_filter(self) -> HistoryFilter | None:
        if self.setting_name is None:
            return None
        zone = self.model.zone  # the days the admin picks are days in the displayed time zone
        started_from = started_before = None
        if self.from_check.isChecked():
            started_from = dt.datetime.combine(self.from_date.date().toPython(), dt.time(), zone)
        if self.to_check.isChecked():
            end_day = self.to_date.date().toPython() + dt.timedelta(days=1)
            started_before = dt.datetime.combine(end_day, dt.time(), zone)
        return HistoryFilter(
            setting_name=self.setting_name,
            keyword=self.keyword_edit.text(),
            started_from=started_from,
            started_before=started_before,
            state=str(self.state_combo.currentData() or ""),
        )

    def visible_columns(self) -> list[str]:
        return [key for key in COLUMN_KEYS if not self.view.isColumnHidden(COLUMN_KEYS.index(key))]

    def task_url(self, row: int) -> str | None:
        """Where 通話履歴 opens the Task: the My Domain, else the login host with a start URL."""
        history_row = self.model.row_at(row)
        if history_row is None or not history_row.task_id or self.setting_name is None:
            return None
        setting = self.context.config.get_setting(self.setting_name)
        account = self.context.config.get_account(setting.account) if setting else None
        host = parse_login_host(account.login_host) if account else None
        if host is None or isinstance(host, Problem):
            return None
        if host.kind == "my_domain":
            return f"https://{host.value}/{history_row.task_id}"
        if host.kind == "loopback":
            return f"{host.value}/{history_row.task_id}"
        return f"https://{host.value}.salesforce.com/?startURL={quote('/' + history_row.task_id, safe='')}"

    # --- slots -------------------------------------------------------------------------------------------------

    def _on_keyword_edit_text_changed(self, _text: str) -> None:
        self._keyword_timer.start()

    def _on_keyword_timer_timeout(self) -> None:
        self._keyword_timer.stop()
        self._apply_filter()

    def _on_from_check_toggled(self, checked: bool) -> None:
        self.from_date.setEnabled(checked)
        self._apply_filter()

    def _on_to_check_toggled(self, checked: bool) -> None:
        self.to_date.setEnabled(checked)
        self._apply_filter()

    def _on_date_edit_date_changed(self, _date: QDate) -> None:
        self._apply_filter()

    def _on_state_combo_current_index_changed(self, _index: int) -> None:
        self._apply_filter()

    def _on_previous_button_clicked(self) -> None:
        self.model.previous_page()

    def _on_next_button_clicked(self) -> None:
        self.model.next_page()

    def _on_view_clicked(self, index: QModelIndex) -> None:
        if index.column() == TASK_COLUMN:
            url = self.task_url(index.row())
            if url:
                QDesktopServices.openUrl(QUrl(url))

    def _on_header_custom_context_menu_requested(self, position: QPoint) -> None:
        self.columns_menu.popup(self.view.horizontalHeader().mapToGlobal(position))

    def _on_column_action_toggled(self, _checked: bool) -> None:
        visible = [key for key, action in self.column_actions.items() if action.isChecked()]
        self._apply_columns(visible, persist=True)

    def _on_reset_columns_action_triggered(self) -> None:
        self._apply_columns(list(DEFAULT_VISIBLE), persist=True)

    def _on_model_model_reset(self) -> None:
        total = self.model.total
        first = self.model.offset + 1 if total else 0
        last = self.model.offset + self.model.rowCount()
        self.page_label.setText(self.tr("{first}–{last} / {total}件").format(first=first, last=last, total=total))
        self.previous_button.setEnabled(self.model.has_previous())
        self.next_button.setEnabled(self.model.has_next())
        self.empty_label.setVisible(self.setting_name is not None and total == 0)
        if self.model.rowCount():
            self.view.resizeColumnsToContents()  # one page only: cheap

    # --- helpers -----------------------------------------------------------------------------------------------

    def _apply_filter(self) -> None:
        self.model.set_filter(self.current_filter())

    def _saved_columns(self) -> list[str]:
        saved: Any = self.context.config.preference(PREFERENCE_KEY, None)
        if not isinstance(saved, list):
            return list(DEFAULT_VISIBLE)
        return [key for key in saved if key in COLUMN_KEYS]

    def _apply_columns(self, visible: list[str], *, persist: bool) -> None:
        if not visible:  # never hide everything: an empty table looks broken
            visible = list(DEFAULT_VISIBLE)
        for column, key in enumerate(COLUMN_KEYS):
            self.view.setColumnHidden(column, key not in visible)
            action = self.column_actions[key]
            action.blockSignals(True)
            action.setChecked(key in visible)
            action.blockSignals(False)
        if persist:
            self.context.config.set_preference(PREFERENCE_KEY, [key for key in COLUMN_KEYS if key in visible])
