"""The admin window: link settings on the left, the four tabs on the right, menus and the status bar."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QStyle,
    QTabWidget,
    QToolBar,
    QWidget,
)

from biztel_desk import __version__
from biztel_desk.domain.messages import ProblemsError
from biztel_desk.services import os_service
from biztel_desk.services.account_login import settings_needing_login
from biztel_desk.services.context import AppContext
from biztel_desk.services.link_owners import ServiceState, send_now_refusal
from biztel_desk.services.link_runtime import LinkRuntime, LinkWorker, WorkerCounters, WorkerState, WorkerStatus
from biztel_desk.services.window_view import (
    Handover,
    Progress,
    WorkerBar,
    api_percent,
    overall_counters,
    relogin_account,
    service_bar,
    setting_jobs,
    tray_view,
    worker_bar,
)
from biztel_desk.ui.account_form import system_browser
from biztel_desk.ui.attention import ALERT_STYLE, AttentionWatch, notify
from biztel_desk.ui.boxes import hbox, named, vbox
from biztel_desk.ui.chrome import ElidedLabel, action, add_actions, pinned
from biztel_desk.ui.crash import known_message
from biztel_desk.ui.dialogs.account_dialog import AccountDialog
from biztel_desk.ui.dialogs.checklist_dialog import ChecklistDialog
from biztel_desk.ui.dialogs.close_dialog import CloseAction, ask_close_action
from biztel_desk.ui.dialogs.system_dialog import SystemDialog
from biztel_desk.ui.dialogs.verify_dialog import VerifyRunner
from biztel_desk.ui.edit_guard import EditGuard
from biztel_desk.ui.lease_watch import LeaseWatcher
from biztel_desk.ui.notifier import Notifier
from biztel_desk.ui.style import STYLESHEET
from biztel_desk.ui.tabs.basic_tab import BasicTab
from biztel_desk.ui.tabs.history_tab import HistoryTab
from biztel_desk.ui.tabs.objects_tab import ObjectsTab
from biztel_desk.ui.tabs.targets_tab import TargetsTab
from biztel_desk.ui.tray import AppTray
from biztel_desk.ui.widgets import ATTENTION, STATUS_ROLE, StatusBadgeDelegate, ask, button, status_text
from biztel_desk.ui.worker_controller import WorkerController

if TYPE_CHECKING:
    from biztel_desk.services.ingest_sources import IngestSources  # the ingest modules load when the sources start

PREF_GEOMETRY = "main_window.geometry"
PREF_SPLITTER = "main_window.splitter"
PREF_SELECTED = "main_window.selected_setting"
PREF_TAB = "main_window.tab"
LINK_STATUS_ROLE = Qt.ItemDataRole.UserRole + 2  # a list item's 録音連携ステータス, under a 要対応 badge
HISTORY_REFRESH_S = 2.0  # the 連携通話履歴 page is re-read at most this often while the worker links calls
WORKER_STOP_TIMEOUT_S = 10.0  # closing waits this long for the batch in flight, then the journal takes over


class MainWindow(QMainWindow):
    """Talks only to the AppContext; every tab gets ``load(name)`` when the selected link setting changes."""

    closed = Signal()  # the window closed (its worker stopped): the composition root releases what it ran
    demo_requested = Signal()  # the setup wizard's デモを試す
    real_setup_requested = Signal()  # the setup wizard asked for in demo mode: the way to the real profile

    def __init__(self, context: AppContext, parent: QWidget | None = None, *, worker: LinkWorker | None = None,
                 runtime: LinkRuntime | None = None) -> None:
        super().__init__(parent)
        self.context = context
        # What runs for this profile (the composition root builds and starts it; None in tests of the window alone):
        # its worker, driven by the WorkerController, and its call sources, which 通話の取り込み元… restarts.
        self.runtime = runtime
        if worker is None and runtime is not None:
            worker = runtime.worker
        self._selected: str | None = None
        self._populating = False
        self._closing = False
        self._quitting = False  # 終了 (the tray menu, or 連携を止めて終了): close for real, ask nothing more
        self.quits_app = False  # set by the composition root: closing from the tray ends the application
        self.tray: AppTray | None = None
        # The link worker (None in tests of the window alone); each setting's 録音連携ステータス decides what it sends.
        self.worker_controller = WorkerController(worker, self) if worker is not None else None
        # This PC's background service, while it runs, links instead of the window: the window is its console.
        self._handover = Handover()  # the window's worker or the service (services/window_view.py)
        # OS notifications for what needs the admin (once per kind and setting, not at every refresh), and what
        # needs it: re-read in a job when the worker's status changes (services/attention.py decides).
        self.notifier = Notifier(self)
        self.attention_watch = AttentionWatch(context, self)
        self.attention_watch.changed.connect(self._on_attention_watch_changed)
        self.setWindowTitle(self.tr("BIZTEL Desk — Salesforce履歴録音連携"))
        self.setMinimumSize(QSize(900, 600))
        self.setStyleSheet(STYLESHEET)
        self._build_tabs()
        self._build_side_panel()
        self._build_menus()
        self._build_status_bar()
        self._build_worker_bar()
        self._restore_preferences()
        # The worker starts once the first read of the leases says that no background service of this PC links
        # (then the window is the service's console); that read runs at the first turns of the event loop, so the
        # worker's first step (importing the Salesforce client, logging in) does not compete with showing the window.
        self.lease_watcher.service_changed.connect(self._on_lease_watcher_service_changed)
        self.lease_watcher.start()
        self.attention_watch.start()
        if self.worker_controller is not None and self.context.demo:
            # No service links a throw-away demo profile: its worker starts at the first turn of the event loop.
            self._handover = Handover(worker_started=True)
            QTimer.singleShot(0, self.worker_controller, self.worker_controller.start)
        self.setAcceptDrops(True)  # call files dropped on the window open the import dialog

    # --- building ------------------------------------------------------------------------------------------

    def _build_tabs(self) -> None:
        self.basic_tab = BasicTab(self.context)
        self.objects_tab = ObjectsTab(self.context)
        self.targets_tab = TargetsTab(self.context)
        self.history_tab = HistoryTab(self.context)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        for tab, title in ((self.basic_tab, self.tr("基本情報")), (self.objects_tab, self.tr("オブジェクト")),
                           (self.targets_tab, self.tr("連携対象")), (self.history_tab, self.tr("連携通話履歴"))):
            self.tabs.addTab(tab, title)
            tab.changed.connect(self.refresh)
        self.edit_guard = EditGuard(self)  # asks before unsaved edits are left; 設定確認 goes through it too
        self.basic_tab.saved.connect(self._on_basic_tab_saved)
        self.basic_tab.account_dialog_requested.connect(self.open_account_dialog)
        self.history_tab.retried.connect(self._on_history_tab_retried)
        self.verify_runner = VerifyRunner(self.context, self)
        self.verify_runner.started.connect(self._on_verify_runner_started)
        self.verify_runner.finished.connect(self._on_verify_runner_done)
        self.verify_runner.failed.connect(self._on_verify_runner_done)

    def _build_side_panel(self) -> None:
        """連携設定: the list of settings with their badges, 新規 and 削除; the tabs beside it in a splitter."""
        self.setting_list = named(QListWidget(), "settingList")
        self.setting_list.setItemDelegate(StatusBadgeDelegate(self.setting_list))
        self.setting_list.setMinimumWidth(200)
        self.setting_list.setUniformItemSizes(True)
        self.setting_list.currentRowChanged.connect(self._on_setting_list_current_row_changed)
        self.new_button = button(self.tr("新規"), self._on_new_button_clicked,
                                 tooltip=self.tr("新しい連携設定を作成します"))
        self.delete_button = button(self.tr("削除"), self._on_delete_button_clicked,
                                    tooltip=self.tr("選択した連携設定を削除します"))
        buttons = hbox(self.new_button, self.delete_button)
        buttons.setSpacing(8)
        self.side_panel = named(QWidget(), "sidePanel")
        title = named(QLabel(self.tr("連携設定")), "panelTitle")
        layout = vbox(title, (self.setting_list, 1), buttons, parent=self.side_panel)
        layout.setContentsMargins(12, 12, 8, 12)
        layout.setSpacing(8)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.side_panel)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([250, 850])
        self.setCentralWidget(self.splitter)

    def _build_menus(self) -> None:
        """The menu bar: each action with what it does, then each menu's title and its actions (None: a separator)."""
        role = QAction.MenuRole
        self.import_action = action(self.tr("通話履歴を取り込む(&I)…"), self.open_import_dialog, self,
                                    shortcut=QKeySequence("Ctrl+I"))
        self.quit_action = action(self.tr("終了(&X)"), self.close, self, shortcut=QKeySequence.StandardKey.Quit,
                                  role=role.QuitRole)
        self.account_action = action(self.tr("Salesforceアカウント(&A)…"), self.open_account_dialog, self)
        self.system_action = action(self.tr("システム設定(&Y)…"), self._open_system_dialog, self,
                                    role=role.PreferencesRole)
        self.ingest_action = action(self.tr("通話の取り込み元(&R)…"), self._open_ingest_dialog, self)
        self.checklist_action = action(self.tr("Salesforce側チェックリスト(&C)…"), lambda: self._exec_dialog(
            ChecklistDialog(self.context, self, setting_name=self._selected)), self)
        self.setup_org_action = action(self.tr("Salesforce側の自動設定(&O)…"), self._open_setup_org_dialog, self)
        self.setup_wizard_action = action(self.tr("はじめに(セットアップウィザード)(&W)…"), self._start_setup, self)
        self.log_action = action(self.tr("ログを表示(&L)…"), self.open_log_viewer, self)
        self.about_action = action(self.tr("バージョン情報(&A)"), self._show_about, self, role=role.AboutRole)
        for title, actions in (
            (self.tr("ファイル(&F)"), (self.import_action, None, self.quit_action)),
            (self.tr("設定(&S)"), (self.account_action, self.system_action, self.ingest_action, None,
                                  self.checklist_action, self.setup_org_action)),
            (self.tr("ヘルプ(&H)"), (self.setup_wizard_action, self.log_action, None, self.about_action)),
        ):
            add_actions(self.menuBar().addMenu(title), actions)

    def _build_status_bar(self) -> None:
        """The status bar's pieces in one ordered list, left to right (a new piece is one more line here; nothing
        is inserted at a counted index). The setting's line, the owner and the worker's message give way when the
        bar is full: they end in "…" and their tooltips hold the whole text; the counters never do."""
        # 要再ログイン: one click opens the account and starts the browser sign-in.
        self.relogin_button = button(self.tr("ブラウザでログイン…"), self._on_relogin_button_clicked,
                                     name="reloginButton")
        self.relogin_button.setFlat(True)
        self.relogin_button.setStyleSheet(ALERT_STYLE)
        self.relogin_button.hide()
        # この設定は DESK-A が連携中: another desktop (or a sync on this PC) holds the setting's lease.
        self.owner_label = ElidedLabel(name="ownerLabel", min_width=80)
        self.owner_label.setStyleSheet("color: #9a6700; font-weight: bold;")  # before its margins: a style sheet resets them
        self.link_status_label = ElidedLabel(min_width=120)
        self.worker_message_label = ElidedLabel()
        self.jobs_label, self.counters_label, self.api_label, self.worker_label = (QLabel() for _ in range(4))
        # (widget, margin, stretch, permanent: kept at the right, never covered by a temporary message)
        for widget, margin, stretch, permanent in (
            (self.link_status_label, 8, 0, False),
            (self.relogin_button, 0, 0, False),
            (self.owner_label, 8, 0, False),
            (self.worker_message_label, 4, 1, False),
            (self.jobs_label, 8, 0, True),
            (self.counters_label, 4, 0, True),
            (self.api_label, 4, 0, True),
            (self.worker_label, 8, 0, True),
        ):
            if margin:
                widget.setContentsMargins(margin, 0, margin, 0)
            add = self.statusBar().addPermanentWidget if permanent else self.statusBar().addWidget
            add(widget, stretch)
        self.counters_label.setToolTip(self.tr("すべての連携設定の連携ジョブ数(左は選択中の連携設定の件数)"))
        self.api_label.setToolTip(self.tr("Salesforceの1日のAPI要求数(使用数 / 上限)"))
        self._relogin_account: str | None = None
        # Handed to the account dialog for the sign-in (tests: a scripted HTTP client and any free port).
        self.open_browser: Callable[[str], object] = system_browser
        self.callback_ports: tuple[int, ...] | None = None
        self.lease_watcher = LeaseWatcher(self.context.database, self)
        self.lease_watcher.changed.connect(self._update_owner_label)
        self.set_worker_state(self.tr("停止中"))

    def _build_worker_bar(self) -> None:
        """開始 / 休止 / 停止 and the backlog progress on a toolbar; counters, API usage, message in the status bar."""
        icon, pixmap = self.style().standardIcon, QStyle.StandardPixmap
        # 開始 / 休止 / 停止: for the window's worker or this PC's service (``run`` / ``pause`` / ``stop``)
        self.start_action = action(self.tr("開始"), lambda: self._command_worker("run"), self,
                                   icon=icon(pixmap.SP_MediaPlay), tooltip=self.tr("連携を開始します(休止中なら再開します)"))
        self.pause_action = action(self.tr("休止"), lambda: self._command_worker("pause"), self,
                                   icon=icon(pixmap.SP_MediaPause),
                                   tooltip=self.tr("送信中のバッチを終えてから送信を休止します"))
        self.stop_action = action(self.tr("停止"), lambda: self._command_worker("stop"), self,
                                  icon=icon(pixmap.SP_MediaStop),
                                  tooltip=self.tr("送信中のバッチを終えてからワーカーを終了します"))
        self.worker_actions = [self.start_action, self.pause_action, self.stop_action]
        for worker_action in self.worker_actions:
            worker_action.setEnabled(self.worker_controller is not None)
        title = named(QLabel(self.tr("連携ワーカー")), "panelTitle")
        title.setContentsMargins(8, 0, 8, 0)
        self.progress_bar = QProgressBar()
        self.progress_bar.setFixedWidth(220)
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.progress_label = QLabel()
        self.progress_label.setContentsMargins(8, 0, 8, 0)
        self.worker_toolbar = pinned(QToolBar(self.tr("連携ワーカー"), self), "workerToolbar")
        self.worker_toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.worker_toolbar.setIconSize(QSize(16, 16))
        add_actions(self.worker_toolbar, (title, *self.worker_actions, None, self.progress_bar, self.progress_label))
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.worker_toolbar)

        self._backlog_base: int | None = None  # linked count when the current backlog began
        self._history_stale = False
        self._history_refreshed_at = 0.0
        self._shown_counters: WorkerCounters | None = None
        self._history_timer = QTimer(self)
        self._history_timer.setSingleShot(True)
        self._history_timer.timeout.connect(self._refresh_history)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        controller = self.worker_controller
        for widget in (self.worker_toolbar, self.counters_label, self.api_label):
            widget.setVisible(controller is not None)
        if controller is None:
            return
        controller.status_changed.connect(self._on_worker_controller_status_changed)
        self._show_worker_status(controller.status)

    # --- public API ----------------------------------------------------------------------------------------

    def selected_setting(self) -> str | None:
        return self._selected

    def set_worker_state(self, text: str) -> None:
        """Show the link worker's state (「停止中」「送信中」…) at the right of the status bar."""
        self.worker_label.setText(self.tr("ワーカー: {0}").format(text))

    def state_words(self, state: str) -> tuple[str, str, str]:
        """A link worker's state (engine.worker.WorkerState; this PC's service reports the same ones) in words: the
        window's worker's, the service's, and the service's headline on the toolbar. An unknown state reads as
        running."""
        words = {
            "stopped": (self.tr("停止中"), self.tr("サービスが停止中"), self.tr("バックグラウンド連携(このPCのサービス)は停止中")),
            "running": (self.tr("実行中"), self.tr("サービスが連携中"), self.tr("バックグラウンド連携(このPCのサービス)が連携中")),
            "paused": (self.tr("休止中"), self.tr("サービスが休止中"), self.tr("バックグラウンド連携(このPCのサービス)は休止中")),
            "waiting_for_limit": (self.tr("API上限待ち"), self.tr("サービスがAPI上限待ち"),
                                  self.tr("バックグラウンド連携(このPCのサービス)はAPI上限待ち")),
            "error": (self.tr("エラー"), self.tr("サービスでエラー"), self.tr("バックグラウンド連携(このPCのサービス)でエラー")),
        }
        return words.get(state, words["running"])

    def worker_state_text(self, state: WorkerState) -> str:
        return self.state_words(state)[0]

    def select_setting(self, name: str | None) -> bool:
        """Select a setting as the user would (asks about unsaved edits); False if the user cancelled."""
        if not self.edit_guard.confirm_leave(lambda: self._select(name)):
            return False
        self._select(name)
        return True

    def open_import_dialog(self, paths: list[str] | None = None) -> QDialog:
        """通話履歴を取り込む: the import runs in the dialog's thread pool; new calls wake the worker."""
        from biztel_desk.ui.dialogs.import_dialog import ImportDialog

        dialog = ImportDialog(self.context, self, paths=paths)
        dialog.imported.connect(self._on_import_dialog_imported)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt override)
        if event.mimeData().hasUrls() and all(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt override)
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.open_import_dialog(paths)

    @Slot(int)
    def _on_import_dialog_imported(self, _count: int) -> None:
        if self.worker_controller is not None:
            self.worker_controller.wake()
        self.refresh()
        self.targets_tab.load(self._selected)  # numbers discovered in the calls appear unchecked
        self.history_tab.load(self._selected)

    def open_setup_wizard(self) -> QDialog:
        """The first-run wizard over the window (not blocking); 完了 selects the setting it made."""
        from biztel_desk.ui.wizard import FirstRunWizard  # the Salesforce client: only when asked for

        wizard = FirstRunWizard(self.context, self)
        wizard.setting_ready.connect(self._on_wizard_setting_ready)
        wizard.demo_requested.connect(self.demo_requested)
        wizard.finished.connect(wizard.deleteLater)
        wizard.open()
        return wizard

    def refresh(self) -> None:
        """Re-read the list, the badges and the status bar (after something changed outside the window)."""
        self._populate_list(self._selected)
        self._update_status_bar()
        self.attention_watch.refresh()

    # --- selection -----------------------------------------------------------------------------------------

    def _names(self) -> list[str]:
        return [summary.name for summary in self.context.config.list_settings()]

    def _populate_list(self, select: str | None) -> None:
        self._populating = True
        try:
            self.setting_list.clear()
            row_to_select = -1
            for index, summary in enumerate(self.context.config.list_settings()):
                item = QListWidgetItem(summary.name)
                item.setData(Qt.ItemDataRole.UserRole, summary.name)
                self._show_item_attention(item, summary.status)
                self.setting_list.addItem(item)
                if summary.name == select:
                    row_to_select = index
            self.setting_list.setCurrentRow(row_to_select)
        finally:
            self._populating = False
        self.delete_button.setEnabled(row_to_select >= 0)

    def _show_item_attention(self, item: QListWidgetItem, status: str) -> None:
        """The list's badge: 要対応 in red with the reasons in the tooltip, else the 録音連携ステータス."""
        name = str(item.data(Qt.ItemDataRole.UserRole))
        found = self.attention_watch.attention.get(name, ())
        item.setData(STATUS_ROLE, ATTENTION if found else status)
        item.setData(LINK_STATUS_ROLE, status)  # the status under the badge, for the next update
        tooltip = self.tr("{0} — 録音連携ステータス: {1}").format(name, status_text(status))
        item.setToolTip("\n".join([tooltip, *(attention.reason for attention in found)]))

    @Slot()
    def _on_attention_watch_changed(self) -> None:
        """What needs the admin changed: the list's badges, the 基本情報 badge, the status bar, the tray, and one
        notification per kind and setting that began."""
        for index in range(self.setting_list.count()):
            item = self.setting_list.item(index)
            self._show_item_attention(item, str(item.data(LINK_STATUS_ROLE) or ""))
        self._show_attention_in_tab()
        self._update_status_bar()
        if self.worker_controller is not None:
            self._show_tray_state(self.worker_controller.status)
        notify(self.notifier, self.attention_watch.attention, self.context.lang)

    def _show_attention_in_tab(self) -> None:
        name = self.basic_tab.setting_name() if not self.basic_tab.is_new() else None
        self.basic_tab.show_attention(self.attention_watch.attention.get(name or "", ()))

    def _name_at(self, row: int) -> str | None:
        item = self.setting_list.item(row) if row >= 0 else None
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def _select(self, name: str | None) -> None:
        if name not in self._names():
            name = None
        self._selected = name
        self._populate_list(name)
        for tab in (self.basic_tab, self.objects_tab, self.targets_tab, self.history_tab):
            tab.load(name)
        self._show_attention_in_tab()
        self._update_status_bar()

    def _show_relogin(self, setting: str) -> None:
        """要対応 of the selected setting, said in the status bar (the reasons in the tooltip); for an account that
        must sign in again in the browser, with the button to do it."""
        found = self.attention_watch.attention.get(setting, ())
        account = settings_needing_login(self.context.config, self.context.secrets).get(setting)
        self._relogin_account = relogin_account(found, account)
        self.relogin_button.setVisible(self._relogin_account is not None)
        label = self.link_status_label
        if found:
            titles = "、".join(attention.title(self.context.lang) for attention in found)
            label.setText(label.text() + self.tr(" — 要対応: {0}").format(titles))
        label.set_detail("\n".join(attention.reason for attention in found))
        label.setStyleSheet(ALERT_STYLE if found else "")

    @Slot()
    def _on_relogin_button_clicked(self) -> None:
        dialog = AccountDialog(self.context, self)
        dialog.open_browser = self.open_browser
        dialog.callback_ports = self.callback_ports
        try:
            dialog.select_account(self._relogin_account)
            dialog.start_browser_login()
            dialog.exec()
        finally:
            dialog.deleteLater()
        self.refresh()

    def _update_owner_label(self) -> None:
        owner = self.lease_watcher.owners.get(self._selected or "") if not self.basic_tab.is_new() else None
        if owner is None:
            self.owner_label.setText("")
            self.owner_label.set_detail("")
            return
        if owner.service:
            self.owner_label.setText(self.tr("この設定はバックグラウンド連携(このPCのサービス)が連携中"))
        elif owner.this_host:
            self.owner_label.setText(self.tr("この設定はこのPCの別のプロセス(PID {0})が連携中").format(owner.pid or "?"))
        else:
            self.owner_label.setText(self.tr("この設定は {0} が連携中").format(owner.host))
        age = "?" if owner.heartbeat_age_s is None else f"{max(owner.heartbeat_age_s, 0):.0f}"
        self.owner_label.set_detail(self.tr(
            "最後の応答は{0}秒前です。その間、この画面のワーカーはこの設定を送信しません。"
            "相手が止まるか接続が切れると、数秒で引き継ぎます。").format(age))

    def _update_status_bar(self) -> None:
        self.relogin_button.hide()
        self._update_owner_label()
        self.link_status_label.set_detail("")
        new = self.basic_tab.is_new()
        setting = self.context.config.get_setting(self._selected) if self._selected and not new else None
        if setting is None:
            self.link_status_label.setText(self.tr("新しい連携設定(未保存)") if new
                                           else self.tr("連携設定が選択されていません"))
            self.jobs_label.setText("")
            return
        self.link_status_label.setText(self.tr("録音連携ステータス: {0}").format(status_text(setting.status)))
        self._show_relogin(setting.name)
        # Named as the selected setting's: the worker's 全体 counters next to it cover every setting.
        counts = self.context.config.job_counts(setting.name)
        self.jobs_label.setText(self.tr("この設定: {0}").format(setting_jobs(counts, self.context.lang)))

    # --- preferences ---------------------------------------------------------------------------------------

    def _restore_preferences(self) -> None:
        preference = self.context.config.preference
        geometry, splitter = preference(PREF_GEOMETRY), preference(PREF_SPLITTER)
        if isinstance(geometry, str) and geometry:
            self.restoreGeometry(QByteArray.fromBase64(geometry.encode("ascii")))
        else:
            self.resize(1100, 720)
        if isinstance(splitter, str) and splitter:
            self.splitter.restoreState(QByteArray.fromBase64(splitter.encode("ascii")))
        names = self._names()
        selected = preference(PREF_SELECTED)
        self._select(selected if selected in names else names[0] if names else None)
        tab = preference(PREF_TAB, 0)
        if isinstance(tab, int) and 0 <= tab < self.tabs.count():
            self.tabs.setCurrentIndex(tab)

    def _save_preferences(self) -> None:
        for key, value in ((PREF_GEOMETRY, self.saveGeometry().toBase64().data().decode("ascii")),
                           (PREF_SPLITTER, self.splitter.saveState().toBase64().data().decode("ascii")),
                           (PREF_SELECTED, self._selected), (PREF_TAB, self.tabs.currentIndex())):
            self.context.config.set_preference(key, value)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        # A second close may come from the events processed while the worker stops.
        if not self.edit_guard.confirm_leave(self.close) or self._closing:
            event.ignore()
            return
        if not self._quitting and self._offers_tray():
            choice = ask_close_action(self, self.context.config)
            if choice != CloseAction.QUIT:  # キャンセル, or トレイ: linking goes on, the tray icon brings it back
                if choice == CloseAction.TRAY:
                    self._to_tray()
                event.ignore()
                return
        if self.tray is not None:  # it was in the tray: the app does not quit with a hidden window by itself
            self.tray.icon.hide()
            QApplication.setQuitOnLastWindowClosed(True)
            if self.quits_app:
                QTimer.singleShot(0, QApplication.quit)
        self._save_preferences()
        if self.worker_controller is not None:
            self._closing = True
            self._history_timer.stop()
            self.set_worker_state(self.tr("停止しています…"))
            self.progress_label.setText(self.tr("停止しています…"))
            # The batch in flight finishes and is recorded; a batch cut short by the timeout is resolved from
            # the journal at the next start.
            self.worker_controller.shutdown(WORKER_STOP_TIMEOUT_S)
        # A verification still talking to Salesforce would write its report into a closed database.
        self.verify_runner.wait(10000)
        self.lease_watcher.shutdown()
        self.attention_watch.shutdown()
        event.accept()
        self.closed.emit()

    # --- closing to the tray ----------------------------------------------------------------------------------

    def _offers_tray(self) -> bool:
        """Closing asks 連携を止めて終了 / トレイに常駐して連携を続ける only when it would stop linking: a worker
        runs here, the platform has a tray, and no background service links this data dir anyway."""
        controller = self.worker_controller
        if controller is None or not controller.alive or self.context.demo or not AppTray.available():
            return False
        data_dir = self.context.data_dir
        return data_dir is None or not os_service.installed_for(data_dir)

    def _to_tray(self) -> None:
        if self.tray is None:
            self.tray = AppTray(self.windowIcon(), self)
            self.tray.open_requested.connect(self.bring_to_front)
            self.tray.pause_toggled.connect(self._on_tray_pause_toggled)
            self.tray.quit_requested.connect(self.quit_for_real)
            self.notifier.use_tray(self.tray.icon)
            if self.worker_controller is not None:
                self._show_tray_state(self.worker_controller.status)
        self.tray.icon.show()
        # The window hides, the app goes on (Qt would quit with its last window); a real close quits it.
        QApplication.setQuitOnLastWindowClosed(False)
        self.hide()

    def bring_to_front(self) -> None:
        """The tray's 開く, or a second start of the app on this data dir."""
        self.show()
        self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized)
        self.raise_()
        self.activateWindow()

    def quit_for_real(self) -> None:
        """終了: stop linking and close, asking nothing more."""
        self._quitting = True
        self.close()

    def _on_tray_pause_toggled(self) -> None:
        controller = self.worker_controller
        if controller is not None and not controller.pause():  # 休止 when linking, else 再開
            controller.start()

    def _show_tray_state(self, status: WorkerStatus) -> None:
        """The tray follows services.attention: 要対応 (with the first reasons) before the worker's own state."""
        if self.tray is None:
            return
        view = tray_view(self.attention_watch.overall, self.attention_watch.attention, status)
        self.tray.set_state(view.state, view.reason, paused=view.paused)

    # --- the background service's console -----------------------------------------------------------------------

    @Slot()
    def _on_lease_watcher_service_changed(self) -> None:
        controller = self.worker_controller
        if controller is None or self._closing:
            return
        self._handover, step = self._handover.seen(self.lease_watcher.service is not None)
        if step == "stop" and controller.commands.stop:
            controller.stop()
        elif step == "start":
            controller.start()
        self._show_worker_status(controller.status)

    def _command_service(self, command: str) -> None:
        for worker_action in self.worker_actions:
            worker_action.setEnabled(False)  # until the service has picked the command up (its row shows it gone)
        self.lease_watcher.command(command, on_error=self._on_service_command_failed)

    def _on_service_command_failed(self, error: BaseException) -> None:
        message = known_message(error, self.context.lang, self.context.database.location)
        if message is None:
            raise error
        self.worker_message_label.setText(self.tr("バックグラウンド連携へ指示を送れませんでした。{0}").format(message))

    def _show_service(self, service: ServiceState) -> str:
        """The worker toolbar as the console of this PC's service: its state, its headline with the last heartbeat;
        the status bar's message returned (a command on its way, else the service's own last message)."""
        _word, state, headline = self.state_words(service.state)
        self.set_worker_state(state)
        age = round(max(service.heartbeat_age_s, 0.0))
        self.progress_label.setText(self.tr("{0}(最終応答 {1}秒前)").format(headline, age))
        if service.command is not None:
            return self.tr("サービスへの指示を送りました。数秒で反映されます。")
        return service.message

    # --- the link worker -----------------------------------------------------------------------------------

    def _show_worker_status(self, status: WorkerStatus) -> None:
        """The worker toolbar and the status bar's worker pieces: the window's own worker, or while this PC's
        service links, the service's state (services/window_view.py decides)."""
        controller = self.worker_controller
        if controller is None:
            return
        service = None if self._closing else self.lease_watcher.service
        if service is not None:
            bar = service_bar(service)
            message = self._show_service(service)
        else:
            bar = worker_bar(status, controller, closing=self._closing, backlog_base=self._backlog_base)
            self._backlog_base = bar.backlog_base
            self.set_worker_state(self.worker_state_text(status.state))
            message = status.message
            if self._handover.service_gone and not controller.alive:
                message = self.tr("バックグラウンド連携(このPCのサービス)が停止しました。この画面で連携するには「開始」を押してください。")
            self.attention_watch.set_worker_status(status)
            self._show_tray_state(status)
            self.counters_label.setText(self.tr("全体: {0}").format(overall_counters(status.counters, self.context.lang)))
            if status.api_usage is None:
                self.api_label.setText(self.tr("API: —"))
            else:
                used, maximum = status.api_usage
                self.api_label.setText(self.tr("API: {0} / {1} ({2}%)").format(
                    f"{used:,}", f"{maximum:,}", api_percent(status.api_usage)))
            self.progress_bar.setRange(0, max(bar.total, 1))
            self.progress_bar.setValue(bar.done if bar.total else 1)
            self.progress_label.setText(self._progress_text(bar, status.state))
        for worker_action, enabled in zip(self.worker_actions, (bar.start, bar.pause, bar.stop), strict=True):
            worker_action.setEnabled(enabled)
        self.start_action.setText(self.tr("再開") if bar.resume else self.tr("開始"))
        # The service's counters and backlog are its own: the status bar shows the setting's jobs instead.
        for widget in (self.counters_label, self.api_label):
            widget.setVisible(service is None)
        for toolbar_action in self.worker_toolbar.actions():  # a toolbar shows its widgets through their actions
            if self.worker_toolbar.widgetForAction(toolbar_action) is self.progress_bar:
                toolbar_action.setVisible(service is None)
        self.worker_message_label.setText(message)

    def _progress_text(self, bar: WorkerBar, state: WorkerState) -> str:
        waiting = f"{bar.waiting:,}"
        texts = {Progress.STOPPING: self.tr("停止しています…"), Progress.PAUSING: self.tr("休止しています…"),
                 Progress.IDLE: self.tr("送信するものはありません"),
                 Progress.SENDING: self.tr("送信中… 連携済み {0} / 待機 {1}").format(f"{bar.done:,}", waiting),
                 Progress.STATE: self.tr("{0} — 待機 {1}").format(self.worker_state_text(state), waiting)}
        return texts[bar.progress]

    def _refresh_history(self) -> None:
        """Re-read the 連携通話履歴 page (only when it is on screen; otherwise when it is shown next)."""
        self._history_refreshed_at = time.monotonic()
        self._update_status_bar()
        if self.tabs.currentWidget() is not self.history_tab or self._selected is None:
            self._history_stale = True
            return
        self._history_stale = False
        self.history_tab.refresh()  # keeps the page

    @Slot(object)
    def _on_worker_controller_status_changed(self, status: WorkerStatus) -> None:
        previous = self._shown_counters
        self._shown_counters = status.counters
        self._show_worker_status(status)
        if status.state == WorkerState.ERROR and not self._closing:
            self.refresh()  # a refused login may have made an account 要再ログイン: badge and status bar
        if self._closing or previous is None or previous == status.counters or self._history_timer.isActive():
            return
        delay = HISTORY_REFRESH_S - (time.monotonic() - self._history_refreshed_at)
        self._history_timer.start(max(0, round(delay * 1000)))

    @Slot(int)
    def _on_tabs_current_changed(self, _index: int) -> None:
        if self._history_stale and self.tabs.currentWidget() is self.history_tab:
            self._refresh_history()

    def _command_worker(self, command: str) -> None:
        """開始 / 休止 / 停止 (``run`` / ``pause`` / ``stop``): for this PC's service while it links, else the window's
        worker."""
        controller = self.worker_controller
        if self.lease_watcher.service is not None:
            self._command_service(command)
        elif controller is not None:
            if command == "run":
                self._handover = replace(self._handover, service_gone=False)
            {"run": controller.start, "pause": controller.pause, "stop": controller.stop}[command]()

    # --- slots ---------------------------------------------------------------------------------------------

    @Slot(int)
    def _on_setting_list_current_row_changed(self, row: int) -> None:
        if self._populating:
            return
        name = self._name_at(row)
        if name == self._selected and not self.basic_tab.is_new():
            return
        if not self.edit_guard.confirm_leave(lambda: self._select(name)):
            self._populate_list(self._selected)  # put the highlight back where the form is
            return
        self._select(name)

    @Slot()
    def _on_new_button_clicked(self) -> None:
        if not self.edit_guard.confirm_leave(self._on_new_button_clicked):
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
        remaining = self._names()
        self._select(remaining[0] if remaining else None)

    @Slot(str)
    def _on_basic_tab_saved(self, name: str) -> None:
        if self.edit_guard.leaving:
            return  # the switch that asked for the save selects its own target next
        if name != self._selected:
            self._select(name)  # a new or renamed setting: every tab needs the new name

    @Slot(str)
    def _on_verify_runner_started(self, _name: str) -> None:
        self.basic_tab.verify_button.setEnabled(False)

    @Slot(object)
    def _on_verify_runner_done(self, _result: object) -> None:
        self.basic_tab.verify_button.setEnabled(self._selected is not None)

    @staticmethod
    def _exec_dialog(dialog: QDialog) -> None:
        """Show a modal dialog of the menus, and delete it afterwards."""
        try:
            dialog.exec()
        finally:
            dialog.deleteLater()

    def _open_setup_org_dialog(self) -> None:
        from biztel_desk.ui.dialogs.setup_org_dialog import open_setup_org_dialog

        open_setup_org_dialog(self.context, self._selected, self)

    @Slot()
    def open_account_dialog(self) -> None:
        """Salesforceアカウント…, also the 基本情報 tab's アカウント管理…; a browser sign-in clears 要再ログイン."""
        self._exec_dialog(AccountDialog(self.context, self))
        self.basic_tab.refresh_accounts()
        self.refresh()

    def _open_system_dialog(self) -> None:
        self._exec_dialog(SystemDialog(self.context, self))
        self.history_tab.load(self._selected)  # page size and time zone may have changed

    @property
    def ingest_sources(self) -> IngestSources | None:
        """The runtime's watched folder and HTTP endpoint (None without a runtime, and in demo mode)."""
        return self.runtime.sources if self.runtime is not None else None

    def _open_ingest_dialog(self) -> None:
        from biztel_desk.ui.dialogs.ingest_dialog import IngestDialog

        self._exec_dialog(IngestDialog(self.context, self.ingest_sources, self))

    def _start_setup(self) -> None:
        if self.context.demo:
            self.real_setup_requested.emit()  # a wizard on the throw-away profile would connect nothing real
            return
        self.open_setup_wizard()

    @Slot(str)
    def _on_wizard_setting_ready(self, name: str) -> None:
        self.refresh()
        self.basic_tab.refresh_accounts()
        self.select_setting(name)

    def open_log_viewer(self) -> QDialog:
        from biztel_desk.ui.dialogs.log_viewer import LogViewerDialog

        dialog = LogViewerDialog(self.context.data_dir or Path.cwd(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    @Slot(int)
    def _on_history_tab_retried(self, changed: int) -> None:
        """今すぐ再試行: send at once (a fault's back-off is cut short), or say why the calls wait."""
        if not changed:
            return
        service = self.lease_watcher.service
        if service is not None:  # the console of this PC's service: it sends
            reason = send_now_refusal(service)
            if reason is None:
                self.lease_watcher.command("send_now", on_error=self._on_service_command_failed)
        else:
            reason = self.worker_controller.send_now() if self.worker_controller is not None else "stopped"
        if reason is None:
            return
        texts = {
            "stopped": self.tr("連携が停止中のため、まだ送信しません。連携を開始すると送信します。"),
            "paused": self.tr("連携ワーカーが休止中のため、まだ送信しません。再開すると送信します。"),
            "limit": self.tr("APIの使用量が上限に近いため、使用量が回復するまで送信を待ちます。"),
        }
        label = self.history_tab.status_label
        label.setText(f"{label.text()} {texts.get(reason, '')}".strip())

    def _show_about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("バージョン情報"),
            self.tr(
                "<h3>BIZTEL Desk {0}</h3>"
                "<p>BIZTELなどのPBXの通話履歴と通話録音を、Salesforceの活動履歴に連携する管理ツールです。</p>"
                "<p>データフォルダ: {1}</p>"
            ).format(__version__, str(self.context.data_dir or "")),
        )
