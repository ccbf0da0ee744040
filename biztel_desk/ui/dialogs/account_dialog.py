"""Salesforceアカウント dialog (SPEC §3): connections, their secrets in the OS keyring, and 接続テスト."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QThreadPool, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from biztel_desk.domain.config import (
    DEFAULT_NEW_AUTH_METHOD,
    AccountConfig,
    AuthMethod,
    LoginHost,
    SecretKind,
    parse_login_host,
)
from biztel_desk.domain.messages import Problem, ProblemsError
from biztel_desk.secrets import SecretStoreError
from biztel_desk.services.account_login import needs_login
from biztel_desk.services.context import AppContext
from biztel_desk.ui.connection_test import (
    HOST_KINDS,
    SECRET_FIELDS,
    BrowserLoginTask,
    ConnectionTestTask,
    PrivateKeyError,
    add_auth_methods,
    choose_private_key,
    eca_steps_text,
    login_host_text,
    record_login,
    report_lines,
    shown_rows,
    system_browser,
)

if TYPE_CHECKING:  # the Salesforce client (requests, simple_salesforce) loads at the first 接続テスト
    from biztel_desk.salesforce.connection import ConnectionReport

_FORM_FIELDS = ("name", "auth_method", "username", "login_host", "api_version", "consumer_key")


class AccountDialog(QDialog):
    """Accounts on the left, the selected one's form on the right; secrets only ever go to the keyring."""

    changed = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle(self.tr("Salesforceアカウント"))
        self._original_name: str | None = None
        self._pending: dict[SecretKind, str] = {}  # secrets typed or picked, not saved yet
        self._dirty = False
        self._loading = False
        self._task: ConnectionTestTask | None = None
        self._login_task: BrowserLoginTask | None = None
        # How the browser is opened: tests put a scripted HTTP client here (it runs on the login's pool thread).
        self.open_browser: Callable[[str], object] = system_browser
        self.callback_ports: tuple[int, ...] | None = None  # None: the documented ports; tests use (0,)
        self._host_notice: Problem | None = None  # the lightning.force.com host the admin pasted was replaced

        self.account_list = QListWidget(self)
        self.account_list.setObjectName("accountList")
        self.account_list.setMinimumWidth(180)
        self.new_button = QPushButton(self.tr("新規"), self)
        self.delete_button = QPushButton(self.tr("削除"), self)

        self.name_edit = QLineEdit(self)
        self.auth_combo = QComboBox(self)
        add_auth_methods(self.auth_combo)
        self.username_edit = QLineEdit(self)
        self.username_edit.setPlaceholderText("integration@example.com")
        self.host_combo = QComboBox(self)
        self.host_combo.addItem(self.tr("本番環境 (login)"), "production")
        self.host_combo.addItem(self.tr("Sandbox (test)"), "sandbox")
        self.host_combo.addItem(self.tr("私のドメイン…"), "my_domain")
        self.host_combo.addItem(self.tr("開発用組織 (http://127.0.0.1:PORT)"), "loopback")
        self.host_edit = QLineEdit(self)
        self.host_edit.setObjectName("hostEdit")
        self.host_notice = QLabel(self)
        self.host_notice.setObjectName("hostNotice")
        self.host_notice.setWordWrap(True)
        self.host_notice.setStyleSheet("color: #0b62c4;")
        self.host_notice.hide()
        self.api_version_edit = QLineEdit(self)
        self.api_version_edit.setMaximumWidth(90)
        self.consumer_key_edit = QLineEdit(self)

        self.login_state_label = QLabel(self)
        self.login_state_label.setObjectName("loginState")
        self.login_state_label.setWordWrap(True)
        self.eca_help = QLabel(eca_steps_text(), self)
        self.eca_help.setObjectName("ecaHelp")
        self.eca_help.setWordWrap(True)
        self.eca_help.setTextFormat(Qt.TextFormat.PlainText)
        self.eca_help.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.eca_help.setStyleSheet("color: #37474f; background: #f5f7f9; border-radius: 4px; padding: 6px 8px;")

        self.secret_edits: dict[SecretKind, QLineEdit] = {}
        for kind in (SecretKind.PASSWORD, SecretKind.SECURITY_TOKEN, SecretKind.CONSUMER_SECRET, SecretKind.PRIVATE_KEY):
            edit = QLineEdit(self)
            edit.setObjectName(f"secret_{kind.value}")
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            self.secret_edits[kind] = edit
        self.private_key_edit = self.secret_edits[SecretKind.PRIVATE_KEY]
        self.private_key_edit.setReadOnly(True)
        self.private_key_edit.setEchoMode(QLineEdit.EchoMode.Normal)
        self.private_key_button = QPushButton(self.tr("ファイルを選択…"), self)

        self.error_labels: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.form = form
        host_row = QHBoxLayout()
        host_row.addWidget(self.host_combo)
        host_row.addWidget(self.host_edit, 1)
        key_row = QHBoxLayout()
        key_row.addWidget(self.private_key_edit, 1)
        key_row.addWidget(self.private_key_button)
        self._rows: dict[str, tuple[QLabel, QWidget]] = {}
        self._add_row("name", self.tr("名前"), self.name_edit)
        self._add_row("auth_method", self.tr("認証方式"), self.auth_combo)
        self._add_row("username", self.tr("ユーザ名"), self.username_edit)
        self._add_row("login_host", self.tr("ログインホスト"), _wrap(host_row, self))
        form.addRow("", self.host_notice)
        self._add_row("api_version", self.tr("APIバージョン"), self.api_version_edit)
        self._add_row("consumer_key", self.tr("コンシューマ鍵"), self.consumer_key_edit)
        self._add_row(SecretKind.PASSWORD.value, self.tr("パスワード"), self.secret_edits[SecretKind.PASSWORD])
        self._add_row(
            SecretKind.SECURITY_TOKEN.value, self.tr("セキュリティトークン"), self.secret_edits[SecretKind.SECURITY_TOKEN]
        )
        self._add_row(
            SecretKind.CONSUMER_SECRET.value, self.tr("コンシューマの秘密"), self.secret_edits[SecretKind.CONSUMER_SECRET]
        )
        self._add_row(SecretKind.PRIVATE_KEY.value, self.tr("秘密鍵 (PEM)"), _wrap(key_row, self))
        self._add_row("login_state", self.tr("ログイン状態"), self.login_state_label)
        self._add_row("eca_help", self.tr("External Client App"), self.eca_help)

        secrets_note = QLabel(
            self.tr("パスワード・トークン・秘密鍵はOSのキーリングにだけ保存され、画面には表示されません。空欄のままなら変更されません。"),
            self,
        )
        secrets_note.setWordWrap(True)
        secrets_note.setStyleSheet("color: #6a737d;")
        self.message_label = QLabel(self)
        self.message_label.setObjectName("message")
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.save_button = QPushButton(self.tr("保存"), self)
        self.test_button = QPushButton(self.tr("接続テスト"), self)
        self.browser_login_button = QPushButton(self.tr("ブラウザでログイン"), self)
        self.browser_login_button.setObjectName("browserLoginButton")
        self.save_button.setDefault(True)

        left = QVBoxLayout()
        left.addWidget(QLabel(self.tr("アカウント"), self))
        left.addWidget(self.account_list, 1)
        left_buttons = QHBoxLayout()
        left_buttons.addWidget(self.new_button)
        left_buttons.addWidget(self.delete_button)
        left.addLayout(left_buttons)

        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.browser_login_button)
        actions.addWidget(self.test_button)
        actions.addWidget(self.save_button)

        right = QVBoxLayout()
        right.addLayout(form)
        right.addWidget(secrets_note)
        right.addLayout(actions)
        separator = QFrame(self)
        separator.setFrameShape(QFrame.Shape.HLine)
        separator.setFrameShadow(QFrame.Shadow.Sunken)
        right.addWidget(separator)
        right.addWidget(self.message_label)
        right.addStretch(1)

        body = QHBoxLayout()
        body.addLayout(left)
        body.addSpacing(8)
        body.addLayout(right, 1)

        close_box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close_box.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("閉じる"))
        close_box.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(close_box)
        self.resize(900, 720)

        self.account_list.currentItemChanged.connect(self._on_account_list_current_item_changed)
        self.new_button.clicked.connect(self._on_new_button_clicked)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.test_button.clicked.connect(self._on_test_button_clicked)
        self.browser_login_button.clicked.connect(self._on_browser_login_button_clicked)
        self.private_key_button.clicked.connect(self._on_private_key_button_clicked)
        self.auth_combo.currentIndexChanged.connect(self._on_auth_combo_current_index_changed)
        self.host_combo.currentIndexChanged.connect(self._on_host_combo_current_index_changed)
        self.host_edit.editingFinished.connect(self._on_host_edit_editing_finished)
        for edit in (self.name_edit, self.username_edit, self.host_edit, self.api_version_edit, self.consumer_key_edit):
            edit.textEdited.connect(self._on_form_edited)
        for kind, edit in self.secret_edits.items():
            if kind != SecretKind.PRIVATE_KEY:
                edit.textEdited.connect(self._on_form_edited)

        self._reload_list(None)

    # --- public ------------------------------------------------------------------------------------------------

    def select_account(self, name: str | None) -> None:
        for row in range(self.account_list.count()):
            item = self.account_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == name:
                self.account_list.setCurrentItem(item)
                return
        self._show_account(None)

    def form_config(self) -> AccountConfig:
        return AccountConfig(
            name=self.name_edit.text(),
            auth_method=str(self.auth_combo.currentData()),
            username=self.username_edit.text(),
            login_host=self._host_text(),
            api_version=self.api_version_edit.text(),
            consumer_key=self.consumer_key_edit.text(),
        )

    def set_private_key(self, pem: str, source: str = "") -> None:
        """The private key's PEM text, kept until 保存 stores it in the keyring (never shown)."""
        self._pending[SecretKind.PRIVATE_KEY] = pem
        self.private_key_edit.setText(self.tr("{name}(未保存)").format(name=source or self.tr("秘密鍵")))
        self._on_form_edited()

    def is_testing(self) -> bool:
        return self._task is not None

    def is_signing_in(self) -> bool:
        return self._login_task is not None

    def done(self, result: int) -> None:
        if self._login_task is not None:  # closing the dialog stops the wait for the browser
            self._login_task.cancel.set()
        super().done(result)

    # --- slots -------------------------------------------------------------------------------------------------

    def _on_account_list_current_item_changed(self, current: QListWidgetItem | None, _previous: object) -> None:
        if self._loading:
            return
        self._show_account(str(current.data(Qt.ItemDataRole.UserRole)) if current is not None else None)

    def _on_new_button_clicked(self) -> None:
        self.account_list.blockSignals(True)
        self.account_list.setCurrentRow(-1)
        self.account_list.clearSelection()
        self.account_list.blockSignals(False)
        self._show_account(None)
        self.name_edit.setFocus()

    def _on_delete_button_clicked(self) -> None:
        name = self._original_name
        if name is None:
            return
        answer = QMessageBox.question(
            self,
            self.tr("アカウントの削除"),
            self.tr("アカウント「{name}」を削除しますか?キーリングに保存したパスワードなども削除されます。").format(name=name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.context.config.delete_account(name)
        except ProblemsError as error:
            self._show_message(error.text(self.context.lang), error=True)
            return
        except SecretStoreError as error:
            self._show_message(self.tr("キーリングを使用できません: {detail}").format(detail=error.text(self.context.lang)), error=True)
            return
        self._reload_list(None)
        self._show_message(self.tr("アカウント「{name}」を削除しました。").format(name=name))
        self.changed.emit()

    def _on_save_button_clicked(self) -> None:
        self._save()

    def _on_test_button_clicked(self) -> None:
        if (self._dirty or self._original_name is None) and not self._save():
            return
        account = self.context.config.get_account(self._original_name or "")
        if account is None:
            return
        self._task = ConnectionTestTask(account, self.context.secrets, self.context.lang)
        self._task.signals.succeeded.connect(self._on_task_succeeded)
        self._task.signals.failed.connect(self._on_task_failed)
        self.test_button.setEnabled(False)
        self._show_message(self.tr("接続しています…"))
        QThreadPool.globalInstance().start(self._task)

    def _on_task_succeeded(self, report: ConnectionReport) -> None:
        if self._task is not None:
            record_login(self.context.config, self._task.account, report)
        self._task = None
        self.test_button.setEnabled(True)
        lines = report_lines(report, self.context.lang)
        self._show_message("\n".join(lines))

    def _on_task_failed(self, reason: str) -> None:
        self._task = None
        self.test_button.setEnabled(True)
        self._refresh_login_state()  # a refused refresh token makes the account 要再ログイン
        self._refresh_list_marks()
        self._show_message(self.tr("接続できませんでした。") + "\n" + reason, error=True)

    def start_browser_login(self) -> None:
        """ブラウザでログイン for the selected account (the status bar's 要再ログイン button)."""
        if str(self.auth_combo.currentData()) == AuthMethod.OAUTH_BROWSER.value and self._original_name:
            self._on_browser_login_button_clicked()

    def _on_browser_login_button_clicked(self) -> None:
        if (self._dirty or self._original_name is None) and not self._save():
            return
        account = self.context.config.get_account(self._original_name or "")
        if account is None:
            return
        task = BrowserLoginTask(self.context.config, account, self.context.secrets, self.context.lang,
                                self.open_browser, ports=self.callback_ports)
        task.signals.url_ready.connect(self._on_login_url_ready)
        task.signals.succeeded.connect(self._on_login_succeeded)
        task.signals.failed.connect(self._on_login_failed)
        self._login_task = task
        self.browser_login_button.setEnabled(False)
        self.test_button.setEnabled(False)
        self._show_message(self.tr("ブラウザを開いています…"))
        QThreadPool.globalInstance().start(task)

    def _on_login_url_ready(self, url: str) -> None:
        self._show_message(self.tr("ブラウザでSalesforceにログインし、「許可」を押してください。ブラウザが開かないときは、次のURLをブラウザで開いてください:") + "\n" + url)

    def _on_login_succeeded(self, report: ConnectionReport) -> None:
        self._login_task = None
        self.browser_login_button.setEnabled(True)
        self.test_button.setEnabled(True)
        self._refresh_login_state()
        self._refresh_list_marks()
        self._show_message("\n".join([self.tr("ログインしました。トークンはOSのキーリングに保存しました。"),
                                      *report_lines(report, self.context.lang)]))
        self.changed.emit()

    def _on_login_failed(self, reason: str) -> None:
        self._login_task = None
        self.browser_login_button.setEnabled(True)
        self.test_button.setEnabled(True)
        self._refresh_login_state()
        self._refresh_list_marks()
        self._show_message(self.tr("ログインできませんでした。") + "\n" + reason, error=True)

    def _on_private_key_button_clicked(self) -> None:
        try:
            chosen = choose_private_key(self)
        except PrivateKeyError as error:
            self._show_message(str(error), error=True)
            return
        if chosen is not None:
            self.set_private_key(*chosen)

    def _on_auth_combo_current_index_changed(self, _index: int) -> None:
        self._update_visibility()
        self._on_form_edited()

    def _on_host_combo_current_index_changed(self, _index: int) -> None:
        kind = str(self.host_combo.currentData())
        self.host_edit.setVisible(kind in ("my_domain", "loopback"))
        if not self._loading:
            self.host_edit.clear()
        self.host_edit.setPlaceholderText("acme.my.salesforce.com" if kind == "my_domain" else "http://127.0.0.1:8765")
        self.host_notice.hide()
        self._host_notice = None
        self._on_form_edited()

    def _on_host_edit_editing_finished(self) -> None:
        host = parse_login_host(self.host_edit.text()) if self.host_edit.text().strip() else None
        if isinstance(host, LoginHost) and host.notice is not None:
            # acme.lightning.force.com pasted from the browser: use the My Domain and say so.
            self.host_edit.setText(host.value)
            self._host_notice = host.notice
            self.host_notice.setText(host.notice.text(self.context.lang))
            self.host_notice.show()
        elif isinstance(host, LoginHost) and host.kind in ("production", "sandbox", "loopback"):
            self._set_host(host.value)

    def _on_form_edited(self, *_args: object) -> None:
        if not self._loading:
            self._dirty = True

    # --- helpers -----------------------------------------------------------------------------------------------

    def _add_row(self, key: str, text: str, field: QWidget) -> None:
        label = QLabel(text, self)
        self.form.addRow(label, field)
        error = QLabel(self)
        error.setObjectName(f"error_{key}")
        error.setWordWrap(True)
        error.setStyleSheet("color: #b00020;")
        error.hide()
        self.form.addRow("", error)
        self.error_labels[key] = error
        self._rows[key] = (label, field)

    def _reload_list(self, select: str | None) -> None:
        self._loading = True
        self.account_list.clear()
        for account in self.context.config.list_accounts():
            item = QListWidgetItem(account.name, self.account_list)
            item.setData(Qt.ItemDataRole.UserRole, account.name)
            self._mark_item(item, account)
        self._loading = False
        if select is None and self.account_list.count():
            select = str(self.account_list.item(0).data(Qt.ItemDataRole.UserRole))
        self.select_account(select)

    def _mark_item(self, item: QListWidgetItem, account: AccountConfig) -> None:
        """The list's badge: 要再ログイン after the account's name when its browser login is needed."""
        relogin = needs_login(account, self.context.secrets)
        item.setText(self.tr("{name}(要再ログイン)").format(name=account.name) if relogin else account.name)
        item.setForeground(Qt.GlobalColor.darkRed if relogin else self.palette().text().color())
        item.setToolTip(self.tr("ログインが必要です。「ブラウザでログイン」を押してください。") if relogin else "")

    def _refresh_list_marks(self) -> None:
        accounts = {a.name: a for a in self.context.config.list_accounts()}
        for row in range(self.account_list.count()):
            item = self.account_list.item(row)
            account = accounts.get(str(item.data(Qt.ItemDataRole.UserRole)))
            if account is not None:
                self._mark_item(item, account)

    def _show_account(self, name: str | None) -> None:
        account = self.context.config.get_account(name) if name else None
        self._loading = True
        self._original_name = account.name if account else None
        self._pending = {}
        # A new account starts with the browser login: SOAP login() is going away.
        config = account or AccountConfig(name="", auth_method=DEFAULT_NEW_AUTH_METHOD.value)
        self.name_edit.setText(config.name)
        self.auth_combo.setCurrentIndex(max(self.auth_combo.findData(config.auth_method), 0))
        self.username_edit.setText(config.username)
        self._set_host(config.login_host)
        self.api_version_edit.setText(config.api_version)
        self.consumer_key_edit.setText(config.consumer_key)
        for kind, edit in self.secret_edits.items():
            edit.clear()
            stored = self._has_secret(config.name, kind) if account else False
            edit.setPlaceholderText(self.tr("保存済み") if stored else self.tr("未設定"))
        self.host_notice.hide()
        self._host_notice = None
        self._clear_errors()
        self.message_label.clear()
        self.delete_button.setEnabled(account is not None)
        self._update_visibility()
        self._refresh_login_state()
        self._dirty = False
        self._loading = False

    def _has_secret(self, account: str, kind: SecretKind) -> bool:
        try:
            return self.context.secrets.has_account_secret(account, kind)
        except SecretStoreError:
            return False

    def _set_host(self, value: str) -> None:
        host = parse_login_host(value)
        kind = host.kind if isinstance(host, LoginHost) else "my_domain"
        loading = self._loading
        self._loading = True
        self.host_combo.setCurrentIndex(HOST_KINDS.index(kind))
        self._loading = loading
        self.host_edit.setVisible(kind in ("my_domain", "loopback"))
        self.host_edit.setText(value if kind in ("my_domain", "loopback") else "")

    def _host_text(self) -> str:
        return login_host_text(str(self.host_combo.currentData()), self.host_edit.text())

    def _update_visibility(self) -> None:
        method = str(self.auth_combo.currentData())
        for key, visible in shown_rows(method).items():
            self._set_row_visible(key, visible)
        browser = method == AuthMethod.OAUTH_BROWSER.value
        self._set_row_visible("login_state", browser)
        self._set_row_visible("eca_help", browser)
        self.browser_login_button.setVisible(browser)

    def _refresh_login_state(self) -> None:
        account = self.context.config.get_account(self._original_name) if self._original_name else None
        if account is None or account.auth_method != AuthMethod.OAUTH_BROWSER.value:
            self.login_state_label.setText(self.tr("未ログイン: 保存して「ブラウザでログイン」を押してください。"))
            self.login_state_label.setStyleSheet("color: #6a737d;")
        elif needs_login(account, self.context.secrets):
            self.login_state_label.setText(self.tr("要再ログイン: 「ブラウザでログイン」を押してください。"))
            self.login_state_label.setStyleSheet("color: #b00020; font-weight: bold;")
        else:
            self.login_state_label.setText(self.tr("ログイン済み(トークンはOSのキーリングに保存されています)"))
            self.login_state_label.setStyleSheet("color: #1e6b34;")

    def _set_row_visible(self, key: str, visible: bool) -> None:
        if key not in self._rows:
            return  # the OAuth tokens have no row: only the browser login writes them
        label, field = self._rows[key]
        label.setVisible(visible)
        field.setVisible(visible)
        if not visible:
            self.error_labels[key].hide()

    def _save(self) -> bool:
        self._clear_errors()
        config = self.form_config()
        method = config.auth_method
        secrets: dict[SecretKind, str] = {}
        for kind in SECRET_FIELDS.get(method, ()):
            if kind == SecretKind.PRIVATE_KEY:
                if kind in self._pending:
                    secrets[kind] = self._pending[kind]
            elif self.secret_edits[kind].text():
                secrets[kind] = self.secret_edits[kind].text()
        try:
            saved = self.context.config.save_account(config, self._original_name, secrets=secrets)
        except ProblemsError as error:
            self._show_problems(error.problems)
            return False
        except SecretStoreError as error:
            self._show_message(self.tr("キーリングを使用できません: {detail}").format(detail=error.text(self.context.lang)), error=True)
            return False
        host = parse_login_host(config.login_host)
        notice = host.notice if isinstance(host, LoginHost) and host.notice else self._host_notice
        self._reload_list(saved.name)
        if notice is not None:  # the pasted lightning.force.com host was replaced: say so next to the field
            self.host_notice.setText(notice.text(self.context.lang))
            self.host_notice.show()
        self._show_message(self.tr("保存しました。"))
        self.changed.emit()
        return True

    def _show_problems(self, problems: list[Problem]) -> None:
        general = []
        for problem in problems:
            label = self.error_labels.get(problem.field_name)
            if label is not None and self._rows[problem.field_name][1].isVisible():
                text = problem.text(self.context.lang)
                label.setText(f"{label.text()}\n{text}" if label.text() else text)
                label.show()
            else:
                general.append(problem.text(self.context.lang))
        self._show_message("\n".join([self.tr("保存できませんでした。赤い項目を確認してください。"), *general]), error=True)

    def _clear_errors(self) -> None:
        for label in self.error_labels.values():
            label.clear()
            label.hide()

    def _show_message(self, text: str, *, error: bool = False) -> None:
        self.message_label.setStyleSheet("color: #b00020;" if error else "")
        self.message_label.setText(text)


def _wrap(layout: QHBoxLayout, parent: QWidget) -> QWidget:
    widget = QWidget(parent)
    layout.setContentsMargins(0, 0, 0, 0)
    widget.setLayout(layout)
    return widget
