"""Salesforceアカウント dialog (SPEC §3): connections, their secrets in the OS keyring, and 接続テスト."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QDialog, QLabel, QListWidget, QMessageBox, QWidget

from biztel_desk.domain.config import AuthMethod, LoginHost, parse_login_host, validate_account
from biztel_desk.domain.messages import ProblemsError
from biztel_desk.services import account_view, salesforce_access
from biztel_desk.services.account_login import accounts_needing_login
from biztel_desk.services.context import AppContext
from biztel_desk.services.salesforce_access import SecretStoreError
from biztel_desk.ui.account_form import AccountFlow, AccountForm, report_lines, system_browser
from biztel_desk.ui.boxes import STRETCH, hbox, named, vbox
from biztel_desk.ui.widgets import ask, button

if TYPE_CHECKING:  # the Salesforce client (requests, simple_salesforce) loads at the first 接続テスト
    from biztel_desk.services.salesforce_access import ConnectionReport


class AccountDialog(QDialog):
    """Accounts on the left, the selected one's form (``AccountForm``) on the right; secrets only go to the keyring."""

    changed = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle(self.tr("Salesforceアカウント"))
        self._names: list[str] = []  # the accounts, in the list's order
        self._original_name: str | None = None
        self._dirty = False
        # How the browser is opened: tests put a scripted HTTP client here (it runs on the login's job thread).
        self.open_browser: Callable[[str], object] = system_browser
        self.callback_ports: tuple[int, ...] | None = None  # None: the documented ports; tests use (0,)

        self.account_list = named(QListWidget(self), "accountList")
        self.account_list.setMinimumWidth(180)
        self.new_button = button(self.tr("新規"), self._on_new_button_clicked, parent=self)
        self.delete_button = button(self.tr("削除"), self._on_delete_button_clicked, parent=self)
        self.form = AccountForm(context.lang, self)
        self.flow = AccountFlow(context, self.form)
        self.save_button = button(self.tr("保存"), self._save, parent=self)
        self.save_button.setDefault(True)
        self.form.button_row.addWidget(self.save_button)
        left = vbox(QLabel(self.tr("アカウント"), self), (self.account_list, 1), hbox(self.new_button, self.delete_button))
        close = button(self.tr("閉じる"), self.reject, parent=self)
        vbox((hbox(left, 8, (self.form, 1)), 1), hbox(STRETCH, close), parent=self)
        self.resize(900, 720)

        self.account_list.currentRowChanged.connect(self._on_account_list_current_row_changed)
        self.form.test_button.clicked.connect(self._on_test_button_clicked)
        self.form.browser_login_button.clicked.connect(self._on_browser_login_button_clicked)
        self.form.edited.connect(self._on_form_edited)
        self._reload_list(None)

    # --- public ------------------------------------------------------------------------------------------------

    def select_account(self, name: str | None) -> None:
        if name in self._names:
            self.account_list.setCurrentRow(self._names.index(name))
        else:
            self._show_account(None)

    def is_testing(self) -> bool:
        return self.flow.running == "test"

    def is_signing_in(self) -> bool:
        return self.flow.running == "sign_in"

    def done(self, result: int) -> None:
        self.flow.stop()  # closing the dialog stops the wait for the browser
        super().done(result)

    def start_browser_login(self) -> None:
        """ブラウザでログイン for the selected account (the status bar's 要再ログイン button)."""
        if self.form.method() == AuthMethod.OAUTH_BROWSER.value and self._original_name:
            self._on_browser_login_button_clicked()

    # --- slots -------------------------------------------------------------------------------------------------

    def _on_account_list_current_row_changed(self, row: int) -> None:
        self._show_account(self._names[row] if row >= 0 else None)

    def _on_new_button_clicked(self) -> None:
        with QSignalBlocker(self.account_list):  # a new account is shown even when one is already
            self.account_list.setCurrentRow(-1)
            self.account_list.clearSelection()
        self._show_account(None)
        self.form.name_edit.setFocus()

    def _on_delete_button_clicked(self) -> None:
        name = self._original_name
        if name is None:
            return
        answer = ask(self, self.tr("アカウントの削除"),
                     self.tr("アカウント「{name}」を削除しますか?キーリングに保存したパスワードなども削除されます。").format(name=name),
                     QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.context.config.delete_account(name)
        except ProblemsError as error:
            self.form.show_message(error.text(self.context.lang), ok=False)
            return
        except SecretStoreError as error:
            self.flow.keyring_failed(error)
            return
        self._reload_list(None)
        self.form.show_message(self.tr("アカウント「{name}」を削除しました。").format(name=name))
        self.changed.emit()

    def _on_test_button_clicked(self) -> None:
        """Tests what the form shows without saving it (``account_view.check_shown``)."""
        account = self.flow.checked(validate_account(self.form.form_config()))
        if account is not None:
            edited = self._dirty or self._original_name is None
            call = partial(account_view.check_shown, self.context.config, self.context.secrets, account,
                           self.form.typed_secrets(), self._original_name, edited)
            self.flow.test(call, partial(self._on_tested, edited=edited), self._refresh_login_state)

    def _on_tested(self, report: ConnectionReport, edited: bool) -> None:
        lines = report_lines(report, self.context.lang)
        if edited:
            lines.append(self.tr("テストした内容はまだ保存していません。「保存」を押すと保存します。"))
        self.form.show_message("\n".join(lines), ok=True)

    def _on_browser_login_button_clicked(self) -> None:
        if (self._dirty or self._original_name is None) and not self._save():
            return
        account = self.context.config.get_account(self._original_name or "")
        if account is not None:  # a refused sign-in (or refresh token) makes the account 要再ログイン
            call = partial(salesforce_access.sign_in, self.context.config, account, self.context.secrets)
            self.flow.sign_in(call, self._on_login_succeeded, self._refresh_login_state,
                              open_browser=self.open_browser, ports=self.callback_ports)

    def _on_login_succeeded(self, report: ConnectionReport) -> None:
        self._refresh_login_state()
        self.form.show_message("\n".join([self.tr("ログインしました。トークンはOSのキーリングに保存しました。"),
                                           *report_lines(report, self.context.lang)]), ok=True)
        self.changed.emit()

    def _on_form_edited(self) -> None:  # never while the form loads an account (``AccountForm.load``)
        self._dirty = True

    # --- helpers -----------------------------------------------------------------------------------------------

    def _reload_list(self, select: str | None) -> None:
        self._names = [account.name for account in self.context.config.list_accounts()]
        with QSignalBlocker(self.account_list):
            self.account_list.clear()
            self.account_list.addItems(self._names)  # marked by _show_account (_refresh_login_state)
        self.select_account(self._names[0] if select is None and self._names else select)

    def _show_account(self, name: str | None) -> None:
        account = self.context.config.get_account(name) if name else None
        self._original_name = account.name if account else None
        self.form.load(account, account_view.stored_secrets(self.context.secrets, self._original_name))
        self.delete_button.setEnabled(account is not None)
        self._refresh_login_state()
        self._dirty = False

    def _refresh_login_state(self) -> None:
        """The form's ログイン状態 and the list's 要再ログイン marks, from the keyring."""
        config, secrets = self.context.config, self.context.secrets
        self.form.set_login_state(account_view.login_state(config, secrets, self._original_name))
        relogin = set(accounts_needing_login(config, secrets))
        for row, name in enumerate(self._names):  # the badge: 要再ログイン after the name
            item = self.account_list.item(row)
            item.setText(self.tr("{name}(要再ログイン)").format(name=name) if name in relogin else name)
            item.setForeground(Qt.GlobalColor.darkRed if name in relogin else self.palette().text().color())
            item.setToolTip(self.tr("ログインが必要です。「ブラウザでログイン」を押してください。") if name in relogin else "")

    def _save(self) -> bool:
        secrets = {kind: value for kind, value in self.form.typed_secrets().items() if value}
        saved = self.flow.save(self._original_name, secrets)
        if saved is None:
            return False
        host = parse_login_host(self.form.form_config().login_host)
        notice = host.notice if isinstance(host, LoginHost) and host.notice else self.form.host_notice_problem
        self._reload_list(saved.name)
        if notice is not None:  # the pasted lightning.force.com host was replaced: say so next to the field
            self.form.set_host_notice(notice)
        self.form.show_message(self.tr("保存しました。"), ok=True)
        self.changed.emit()
        return True
