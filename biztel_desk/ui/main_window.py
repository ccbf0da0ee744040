"""The admin window: link settings on the left, the four tabs on the right, menus and the status bar."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSize, Qt, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from biztel_desk import __version__
from biztel_desk.domain.messages import ProblemsError
from biztel_desk.services.context import AppContext
from biztel_desk.ui.dialogs.account_dialog import AccountDialog
from biztel_desk.ui.dialogs.checklist_dialog import ChecklistDialog
from biztel_desk.ui.dialogs.system_dialog import SystemDialog
from biztel_desk.ui.dialogs.verify_dialog import VerifyRunner
from biztel_desk.ui.style import STYLESHEET
from biztel_desk.ui.tabs.basic_tab import BasicTab
from biztel_desk.ui.tabs.history_tab import HistoryTab
from biztel_desk.ui.tabs.objects_tab import ObjectsTab
from biztel_desk.ui.tabs.targets_tab import TargetsTab
from biztel_desk.ui.widgets import STATUS_ROLE, StatusBadgeDelegate, ask, status_text

PREF_GEOMETRY = "main_window.geometry"
PREF_SPLITTER = "main_window.splitter"
PREF_SELECTED = "main_window.selected_setting"
PREF_TAB = "main_window.tab"
WAITING_STATES = ("pending", "held", "retrying", "sending")


class MainWindow(QMainWindow):
    """Talks only to the AppContext; every tab gets ``load(name)`` when the selected link setting changes."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._selected: str | None = None
        self._populating = False
        self._leaving = False  # a switch is in progress: saving must not move the selection itself
        self.setWindowTitle(self.tr("BIZTEL Desk — Salesforce履歴録音連携"))
        self.setMinimumSize(QSize(900, 600))
        self.setStyleSheet(STYLESHEET)
        self._build_tabs()
        self._build_side_panel()
        self._build_central()
        self._build_menus()
        self._build_status_bar()
        self._restore_preferences()

    # --- building ------------------------------------------------------------------------------------------

    def _build_tabs(self) -> None:
        self.basic_tab = BasicTab(self.context)
        self.objects_tab = ObjectsTab(self.context)
        self.targets_tab = TargetsTab(self.context)
        self.history_tab = HistoryTab(self.context)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.basic_tab, self.tr("基本情報"))
        self.tabs.addTab(self.objects_tab, self.tr("オブジェクト"))
        self.tabs.addTab(self.targets_tab, self.tr("連携対象"))
        self.tabs.addTab(self.history_tab, self.tr("連携通話履歴"))
        self.basic_tab.saved.connect(self._on_basic_tab_saved)
        self.basic_tab.changed.connect(self._on_tab_changed)
        self.verify_runner = VerifyRunner(self.context, self)
        self.basic_tab.verify_requested.connect(self._on_basic_tab_verify_requested)
        self.verify_runner.started.connect(self._on_verify_runner_started)
        self.verify_runner.finished.connect(self._on_verify_runner_done)
        self.verify_runner.failed.connect(self._on_verify_runner_done)
        self.basic_tab.account_dialog_requested.connect(self._on_account_action_triggered)
        for tab in (self.objects_tab, self.targets_tab, self.history_tab):
            tab.changed.connect(self._on_tab_changed)

    def _build_side_panel(self) -> None:
        title = QLabel(self.tr("連携設定"))
        title.setObjectName("panelTitle")
        self.setting_list = QListWidget()
        self.setting_list.setObjectName("settingList")
        self.setting_list.setItemDelegate(StatusBadgeDelegate(self.setting_list))
        self.setting_list.setMinimumWidth(200)
        self.setting_list.setUniformItemSizes(True)
        self.new_button = QPushButton(self.tr("新規"))
        self.new_button.setToolTip(self.tr("新しい連携設定を作成します"))
        self.delete_button = QPushButton(self.tr("削除"))
        self.delete_button.setToolTip(self.tr("選択した連携設定を削除します"))
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.delete_button)
        self.side_panel = QWidget()
        self.side_panel.setObjectName("sidePanel")
        layout = QVBoxLayout(self.side_panel)
        layout.setContentsMargins(12, 12, 8, 12)
        layout.setSpacing(8)
        layout.addWidget(title)
        layout.addWidget(self.setting_list, 1)
        layout.addLayout(buttons)
        self.setting_list.currentRowChanged.connect(self._on_setting_list_current_row_changed)
        self.new_button.clicked.connect(self._on_new_button_clicked)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)

    def _build_central(self) -> None:
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.side_panel)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([250, 850])
        self.setCentralWidget(self.splitter)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("ファイル(&F)"))
        self.quit_action = QAction(self.tr("終了(&X)"), self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)
        file_menu.addAction(self.quit_action)

        settings_menu = bar.addMenu(self.tr("設定(&S)"))
        self.account_action = QAction(self.tr("Salesforceアカウント(&A)…"), self)
        self.account_action.triggered.connect(self._on_account_action_triggered)
        self.system_action = QAction(self.tr("システム設定(&Y)…"), self)
        self.system_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.system_action.triggered.connect(self._on_system_action_triggered)
        self.checklist_action = QAction(self.tr("Salesforce側チェックリスト(&C)…"), self)
        self.checklist_action.triggered.connect(self._on_checklist_action_triggered)
        settings_menu.addAction(self.account_action)
        settings_menu.addAction(self.system_action)
        settings_menu.addSeparator()
        settings_menu.addAction(self.checklist_action)

        help_menu = bar.addMenu(self.tr("ヘルプ(&H)"))
        self.about_action = QAction(self.tr("バージョン情報(&A)"), self)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self._on_about_action_triggered)
        help_menu.addAction(self.about_action)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.link_status_label = QLabel()
        self.worker_label = QLabel()
        self.jobs_label = QLabel()
        for label in (self.link_status_label, self.worker_label, self.jobs_label):
            label.setContentsMargins(8, 0, 8, 0)
        bar.addWidget(self.link_status_label)
        bar.addPermanentWidget(self.jobs_label)
        bar.addPermanentWidget(self.worker_label)
        self.set_worker_state(self.tr("停止中"))

    # --- public API ----------------------------------------------------------------------------------------

    def selected_setting(self) -> str | None:
        return self._selected

    def set_worker_state(self, text: str) -> None:
        """Show the link worker's state (「停止中」「送信中」…); the link engine calls this."""
        self.worker_label.setText(self.tr("ワーカー: {0}").format(text))

    def select_setting(self, name: str | None) -> bool:
        """Select a setting as the user would (asks about unsaved edits); False if the user cancelled."""
        if not self._confirm_leave():
            return False
        self._select(name)
        return True

    def refresh(self) -> None:
        """Re-read the list, the badges and the status bar (after something changed outside the window)."""
        self._populate_list(self._selected)
        self._update_status_bar()

    # --- selection -----------------------------------------------------------------------------------------

    def _populate_list(self, select: str | None) -> None:
        self._populating = True
        try:
            self.setting_list.clear()
            row_to_select = -1
            for row, summary in enumerate(self.context.config.list_settings()):
                item = QListWidgetItem(summary.name)
                item.setData(Qt.ItemDataRole.UserRole, summary.name)
                item.setData(STATUS_ROLE, summary.status)
                item.setToolTip(self.tr("{0} — 録音連携ステータス: {1}").format(summary.name, status_text(summary.status)))
                self.setting_list.addItem(item)
                if summary.name == select:
                    row_to_select = row
            self.setting_list.setCurrentRow(row_to_select)
        finally:
            self._populating = False
        self.delete_button.setEnabled(row_to_select >= 0)

    def _name_at(self, row: int) -> str | None:
        item = self.setting_list.item(row) if row >= 0 else None
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def _select(self, name: str | None) -> None:
        names = [summary.name for summary in self.context.config.list_settings()]
        if name not in names:
            name = None
        self._selected = name
        self._populate_list(name)
        for tab in (self.basic_tab, self.objects_tab, self.targets_tab, self.history_tab):
            tab.load(name)
        self._update_status_bar()

    def _confirm_leave(self) -> bool:
        """True when the 基本情報 form may be left: it is clean, or the user saved or discarded the edits."""
        if not self.basic_tab.is_dirty():
            return True
        name = self.basic_tab.setting_name() or self.basic_tab.name_edit.text() or self.tr("新しい連携設定")
        answer = ask(
            self,
            self.tr("未保存の変更"),
            self.tr("「{0}」の基本情報に保存されていない変更があります。保存しますか?").format(name),
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            self._leaving = True
            try:
                if not self.basic_tab.save():
                    self.tabs.setCurrentWidget(self.basic_tab)
                    return False
            finally:
                self._leaving = False
            return True
        if answer == QMessageBox.StandardButton.Discard:
            self.basic_tab.revert()
            return True
        return False

    def _update_status_bar(self) -> None:
        name = self._selected
        if self.basic_tab.is_new():
            self.link_status_label.setText(self.tr("新しい連携設定(未保存)"))
            self.jobs_label.setText("")
            return
        setting = self.context.config.get_setting(name) if name else None
        if setting is None:
            self.link_status_label.setText(self.tr("連携設定が選択されていません"))
            self.jobs_label.setText("")
            return
        self.link_status_label.setText(self.tr("録音連携ステータス: {0}").format(status_text(setting.status)))
        counts = self.context.config.job_counts(setting.name)
        waiting = sum(counts.get(state, 0) for state in WAITING_STATES)
        self.jobs_label.setText(
            self.tr("待機 {0} / 連携済 {1} / 失敗 {2}").format(waiting, counts.get("linked", 0), counts.get("failed", 0))
        )

    # --- preferences ---------------------------------------------------------------------------------------

    def _restore_preferences(self) -> None:
        geometry = self.context.config.preference(PREF_GEOMETRY)
        if isinstance(geometry, str) and geometry:
            self.restoreGeometry(QByteArray.fromBase64(geometry.encode("ascii")))
        else:
            self.resize(1100, 720)
        splitter = self.context.config.preference(PREF_SPLITTER)
        if isinstance(splitter, str) and splitter:
            self.splitter.restoreState(QByteArray.fromBase64(splitter.encode("ascii")))
        selected = self.context.config.preference(PREF_SELECTED)
        names = [summary.name for summary in self.context.config.list_settings()]
        if selected not in names:
            selected = names[0] if names else None
        self._select(selected)
        tab = self.context.config.preference(PREF_TAB, 0)
        if isinstance(tab, int) and 0 <= tab < self.tabs.count():
            self.tabs.setCurrentIndex(tab)

    def _save_preferences(self) -> None:
        config = self.context.config
        config.set_preference(PREF_GEOMETRY, self.saveGeometry().toBase64().data().decode("ascii"))
        config.set_preference(PREF_SPLITTER, self.splitter.saveState().toBase64().data().decode("ascii"))
        config.set_preference(PREF_SELECTED, self._selected)
        config.set_preference(PREF_TAB, self.tabs.currentIndex())

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        if not self._confirm_leave():
            event.ignore()
            return
        self._save_preferences()
        # A verification still talking to Salesforce would write its report into a closed database.
        self.verify_runner.wait(10000)
        event.accept()

    # --- slots ---------------------------------------------------------------------------------------------

    @Slot(int)
    def _on_setting_list_current_row_changed(self, row: int) -> None:
        if self._populating:
            return
        name = self._name_at(row)
        if name == self._selected and not self.basic_tab.is_new():
            return
        if not self._confirm_leave():
            self._populate_list(self._selected)  # put the highlight back where the form is
            return
        self._select(name)

    @Slot()
    def _on_new_button_clicked(self) -> None:
        if not self._confirm_leave():
            return
        self._selected = None
        self._populate_list(None)
        for tab in (self.objects_tab, self.targets_tab, self.history_tab):
            tab.load(None)
        self.tabs.setCurrentWidget(self.basic_tab)
        self.basic_tab.start_new()
        self._update_status_bar()

    @Slot()
    def _on_delete_button_clicked(self) -> None:
        name = self._selected
        if name is None:
            return
        answer = ask(
            self,
            self.tr("連携設定の削除"),
            self.tr(
                "連携設定「{0}」を削除しますか?\n\nオブジェクト、連携対象、連携通話履歴もすべて削除されます。"
                "この操作は元に戻せません(Salesforceに作成済みの活動履歴は削除されません)。"
            ).format(name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.context.config.delete_setting(name)
        except ProblemsError as error:
            QMessageBox.warning(self, self.tr("連携設定の削除"), error.text(self.context.lang))
            return
        remaining = [summary.name for summary in self.context.config.list_settings()]
        self._select(remaining[0] if remaining else None)

    @Slot(str)
    def _on_basic_tab_saved(self, name: str) -> None:
        if self._leaving:
            return  # the switch that asked for the save selects its own target next
        if name != self._selected:
            self._select(name)  # a new or renamed setting: every tab needs the new name

    @Slot()
    def _on_tab_changed(self) -> None:
        self.refresh()

    @Slot(str)
    def _on_basic_tab_verify_requested(self, name: str) -> None:
        # 設定確認 runs in the runner's thread pool; it shows a busy dialog, then one popup (SPEC §11).
        self.verify_runner.run(name)

    @Slot(str)
    def _on_verify_runner_started(self, _name: str) -> None:
        self.basic_tab.verify_button.setEnabled(False)

    @Slot(object)
    def _on_verify_runner_done(self, _result: object) -> None:
        self.basic_tab.verify_button.setEnabled(self._selected is not None)

    @Slot()
    def _on_checklist_action_triggered(self) -> None:
        dialog = ChecklistDialog(self.context, self, setting_name=self._selected)
        try:
            dialog.exec()
        finally:
            dialog.deleteLater()

    @Slot()
    def _on_account_action_triggered(self) -> None:
        dialog = AccountDialog(self.context, self)
        try:
            dialog.exec()
        finally:
            dialog.deleteLater()
        self.basic_tab.refresh_accounts()

    @Slot()
    def _on_system_action_triggered(self) -> None:
        dialog = SystemDialog(self.context, self)
        try:
            dialog.exec()
        finally:
            dialog.deleteLater()
        self.history_tab.load(self._selected)  # page size and time zone may have changed

    @Slot()
    def _on_about_action_triggered(self) -> None:
        QMessageBox.about(
            self,
            self.tr("バージョン情報"),
            self.tr(
                "<h3>BIZTEL Desk {0}</h3>"
                "<p>BIZTELなどのPBXの通話履歴と通話録音を、Salesforceの活動履歴に連携する管理ツールです。</p>"
                "<p>データフォルダ: {1}</p>"
            ).format(__version__, str(self.context.data_dir or "")),
        )
