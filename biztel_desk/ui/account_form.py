"""The one Salesforce account form: the accounts dialog and the first-run wizard's アカウント page embed it.

The form owns the fields, which of them each auth method shows, the host choice, the private key file, the
problems shown under the fields and the message box under the buttons. ``AccountFlow`` is what both owners do
with it: check, save, 接続テスト and ブラウザでログイン. The owner decides when, and with which secrets (the dialog
saves then tests; the wizard tests typed secrets, saves on 次へ).
"""

from __future__ import annotations

import asyncio
import functools
import threading
import weakref
import webbrowser
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, Literal, TypeVar

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from biztel_desk.domain.account_fields import (
    HOST_KINDS,
    SECRET_FIELDS,
    TYPED_HOSTS,
    TYPED_SECRETS,
    login_host_text,
    shown_rows,
)
from biztel_desk.domain.config import (
    DEFAULT_NEW_AUTH_METHOD,
    NAME_MAX,
    REQUIRED_SECRETS,
    AccountConfig,
    AuthMethod,
    LoginHost,
    SecretKind,
    parse_login_host,
)
from biztel_desk.domain.errors import error_text
from biztel_desk.domain.messages import Problem, ProblemsError, message
from biztel_desk.domain.vocabulary import AUTH_METHODS
from biztel_desk.services.context import AppContext
from biztel_desk.services.salesforce_access import PrivateKeyError, SecretStoreError, eca_steps_text, read_private_key
from biztel_desk.services.salesforce_access import report_lines as report_lines  # the dialog's and the wizard's
from biztel_desk.ui.boxes import STRETCH, hbox, named, vbox
from biztel_desk.ui.i18n import language
from biztel_desk.ui.tasks import Jobs, OnError
from biztel_desk.ui.widgets import ERROR_COLOR, OK_COLOR, ErrorLabel, HintLabel, field_block, make_form, required_label

T = TypeVar("T")

# The message box: (text, background) for success, failure and in progress / plain.
_MESSAGE_STYLES: dict[bool | None, tuple[str, str]] = {
    True: (OK_COLOR, "#e6f4ea"),
    False: (ERROR_COLOR, "#fdecea"),
    None: ("#202124", "#f1f3f4"),
}


def system_browser(url: str) -> object:
    """Opens the URL in the system browser (replaced in tests by a scripted HTTP client)."""
    return webbrowser.open(url)


def run_job(jobs: Jobs, key: str, job: Coroutine[Any, Any, Any], on_error: OnError, on_end: Callable[[], None]) -> None:
    """``jobs.run`` and then ``on_end`` once the job ended (after ``on_error``), unless it was cancelled.

    ``on_end`` re-enables the buttons whatever happened, also after a bug went to the crash path.
    """
    task = jobs.run(key, job, on_error=on_error)
    task.add_done_callback(lambda done: None if done.cancelled() else on_end())


class AccountFlow(QObject):
    """What the accounts dialog and the wizard's アカウント page do with their ``AccountForm``: check it, save it,
    test the connection and sign in in the browser — one job at a time, the form busy meanwhile.

    The owner picks the service call (saved or typed secrets) and what a success says; the flow shows the rest in
    the form's message box: what is happening, the sign-in's URL, why it failed. ``stop`` ends the wait for the
    browser (the owner closes or goes back). The sign-in's thread holds the form only weakly: through a strong
    reference it could drop the dialog's last one, and Qt would delete the dialog on that thread (a crash).
    """

    ended = Signal()  # the test or the sign-in ended (after its success or its failure)

    def __init__(self, context: AppContext, form: AccountForm) -> None:
        super().__init__(form)
        self.context = context
        self.form = form
        self.jobs = Jobs(self)
        self.running: Literal["test", "sign_in"] | None = None
        self._cancel: threading.Event | None = None  # set to stop waiting for the browser

    def checked(self, found: tuple[AccountConfig, list[Problem]], missing: list[SecretKind] | None = None
                ) -> AccountConfig | None:
        """The cleaned account of a check, or None once its problems are shown (under the fields, else below)."""
        cleaned, problems = found
        others = self.form.show_problems(problems, missing)
        if problems or missing:
            self.form.show_message("\n".join([self.tr("入力内容を確認してください。"), *others]), ok=False)
            return None
        return cleaned

    def save(self, original_name: str | None, secrets: dict[SecretKind, str]) -> AccountConfig | None:
        """The form's account and ``secrets`` (to the keyring only) saved; None once the reason is shown."""
        self.form.clear_problems()
        try:
            return self.context.config.save_account(self.form.form_config(), original_name, secrets=secrets)
        except ProblemsError as error:
            others = self.form.show_problems(error.problems)
            self.form.show_message("\n".join([self.tr("保存できませんでした。赤い項目を確認してください。"), *others]),
                                   ok=False)
        except SecretStoreError as error:
            self.keyring_failed(error)
        return None

    def keyring_failed(self, error: SecretStoreError) -> None:
        self.form.show_message(
            self.tr("キーリングを使用できません: {detail}").format(detail=error.text(self.context.lang)), ok=False)

    def test(self, call: Callable[[], T], done: Callable[[T], None], failed: Callable[[], None]) -> None:
        """接続テスト: ``call`` in a worker thread, then ``done`` with its report (``failed`` after a refusal)."""
        self._start("test", self.tr("接続しています…"), self._call(call, done), failed)

    def sign_in(self, call: Callable[..., T], done: Callable[[T], None], failed: Callable[[], None], *,
                open_browser: Callable[[str], object], ports: tuple[int, ...] | None) -> None:
        """ブラウザでログイン: ``call(on_url=…, open_browser=…, cancel=…, ports=…)`` in a worker thread (the
        service's sign-in with its other arguments bound), the URL shown meanwhile, then ``done`` with its result."""
        cancel = threading.Event()
        self._cancel = cancel
        form = weakref.ref(self.form)
        prompt = self.tr("ブラウザでSalesforceにログインし、「許可」を押してください。ブラウザが開かないときは、次のURLをブラウザで開いてください:")

        def show_url(url: str) -> None:  # on the GUI thread
            if (alive := form()) is not None and not cancel.is_set():
                alive.show_message(prompt + "\n" + url)

        async def job() -> None:
            loop = asyncio.get_running_loop()
            bound = functools.partial(call, on_url=lambda url: loop.call_soon_threadsafe(show_url, url),
                                      open_browser=open_browser, cancel=cancel, ports=ports)
            try:
                await self._call(bound, done)
            except asyncio.CancelledError:
                cancel.set()
                raise

        self._start("sign_in", self.tr("ブラウザを開いています…"), job(), failed)

    def stop(self) -> None:
        """Stop waiting for the browser (the sign-in then fails as cancelled)."""
        if self._cancel is not None:
            self._cancel.set()

    async def _call(self, call: Callable[[], T], done: Callable[[T], None]) -> None:
        done(await asyncio.to_thread(call))

    def _start(self, kind: Literal["test", "sign_in"], text: str, job: Coroutine[Any, Any, None],
               failed: Callable[[], None]) -> None:
        self.running = kind
        self.form.set_busy(True)
        self.form.show_message(text)
        first = self.tr("接続できませんでした。") if kind == "test" else self.tr("ログインできませんでした。")

        def on_error(error: BaseException) -> None:
            failed()
            self.form.show_message(first + "\n" + error_text(error, self.context.lang), ok=False)

        run_job(self.jobs, "connect", job, on_error, self._on_job_end)

    def _on_job_end(self) -> None:
        self.running = None
        self._cancel = None
        self.form.set_busy(False)
        self.ended.emit()


class AccountForm(QWidget):
    """The fields of one Salesforce account, its problems and a message box; secrets are never shown.

    ``edited`` follows every change the admin makes (not the ones ``load`` makes). ``tests_browser_accounts``:
    whether 接続テスト is offered for the browser login too (it tests the stored tokens), or only ブラウザでログイン.
    """

    edited = Signal()

    def __init__(self, lang: str, parent: QWidget | None = None, *, tests_browser_accounts: bool = True,
                 show_login_state: bool = True) -> None:
        super().__init__(parent)
        self.lang = lang
        self.tests_browser_accounts = tests_browser_accounts
        self.show_login_state = show_login_state
        self._loading = False
        self._pending_key = ""  # the private key's PEM text picked from a file (never shown)
        self.host_notice_problem: Problem | None = None  # the lightning.force.com host pasted was replaced

        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(NAME_MAX)
        self.name_edit.setPlaceholderText(self.tr("例: 本番組織"))
        self.auth_combo = QComboBox()
        for method in (AuthMethod.OAUTH_BROWSER, AuthMethod.PASSWORD, AuthMethod.JWT, AuthMethod.CLIENT_CREDENTIALS):
            self.auth_combo.addItem(AUTH_METHODS[method.value].text(language()), method.value)  # browser login first
        self.username_edit = QLineEdit()
        self.username_edit.setPlaceholderText("integration@example.com")
        self.host_combo = QComboBox()
        self.host_combo.addItem(self.tr("本番環境 (login)"), "production")
        self.host_combo.addItem(self.tr("Sandbox (test)"), "sandbox")
        self.host_combo.addItem(self.tr("私のドメイン…"), "my_domain")
        self.host_combo.addItem(self.tr("開発用組織 (http://127.0.0.1:PORT)"), "loopback")
        self.host_edit = named(QLineEdit(), "hostEdit")
        self.host_edit.hide()
        self.host_hint = named(HintLabel(), "hostNotice")
        self.api_version_edit = QLineEdit()
        self.api_version_edit.setMaximumWidth(90)
        self.consumer_key_edit = QLineEdit()
        self.secret_edits: dict[SecretKind, QLineEdit] = {}
        for kind in TYPED_SECRETS:
            edit = named(QLineEdit(), f"secret_{kind.value}")
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            self.secret_edits[kind] = edit
        self.private_key_edit = self.secret_edits[SecretKind.PRIVATE_KEY]
        self.private_key_edit.setReadOnly(True)
        self.private_key_edit.setEchoMode(QLineEdit.EchoMode.Normal)
        self.private_key_button = QPushButton(self.tr("ファイルを選択…"))
        self.token_hint = HintLabel(
            self.tr("許可されたIPアドレスからの接続では不要です。分からないときはSalesforceの「設定 → 私のセキュリティトークンのリセット」で再発行できます。")
        )
        self.login_state_label = named(HintLabel(), "loginState")
        self.eca_help = named(HintLabel(eca_steps_text(language())), "ecaHelp")
        self.eca_help.setTextFormat(Qt.TextFormat.PlainText)
        self.eca_help.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.eca_help.setStyleSheet("color: #37474f; background: #f5f7f9; border-radius: 4px; padding: 6px 8px;")

        self.errors: dict[str, ErrorLabel] = {}
        self._rows: dict[str, tuple[QLabel, QWidget]] = {}
        self.form = make_form()
        host_row = _row(self.host_combo, self.host_edit, stretch=1)
        self._add_row("name", self.tr("名前"), self.name_edit)
        self._add_row("auth_method", self.tr("認証方式"), self.auth_combo)
        self._add_row("username", self.tr("ユーザ名"), self.username_edit)
        self._add_row("login_host", self.tr("ログインホスト"), host_row, self.host_hint)
        self._add_row("api_version", self.tr("APIバージョン"), self.api_version_edit)
        self._add_row("consumer_key", self.tr("コンシューマ鍵"), self.consumer_key_edit)
        self._add_row(SecretKind.PASSWORD.value, self.tr("パスワード"), self.secret_edits[SecretKind.PASSWORD])
        self._add_row(SecretKind.SECURITY_TOKEN.value, self.tr("セキュリティトークン"),
                      self.secret_edits[SecretKind.SECURITY_TOKEN], self.token_hint, required=False)
        self._add_row(SecretKind.CONSUMER_SECRET.value, self.tr("コンシューマの秘密"),
                      self.secret_edits[SecretKind.CONSUMER_SECRET])
        self._add_row(SecretKind.PRIVATE_KEY.value, self.tr("秘密鍵 (PEM)"),
                      _row(self.private_key_edit, self.private_key_button, stretch=0))
        self._add_row("login_state", self.tr("ログイン状態"), self.login_state_label, required=False)
        self._add_row("eca_help", self.tr("External Client App"), self.eca_help, required=False)

        secrets_note = HintLabel(
            self.tr("パスワード・トークン・秘密鍵はOSのキーリングにだけ保存され、画面には表示されません。空欄のままなら変更されません。")
        )
        self.browser_login_button = named(QPushButton(self.tr("ブラウザでログイン")), "browserLoginButton")
        self.test_button = named(QPushButton(self.tr("接続テスト")), "testButton")
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setMaximumWidth(140)
        self.busy_bar.hide()
        self.message_label = named(QLabel(), "message")
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.message_label.hide()

        # The owner adds its own buttons (保存) at the end of the row.
        self.button_row = hbox(self.browser_login_button, self.test_button, self.busy_bar, STRETCH)
        vbox(self.form, secrets_note, self.button_row, self.message_label, STRETCH, parent=self, margins=0)

        self.private_key_button.clicked.connect(self._on_private_key_button_clicked)
        self.auth_combo.currentIndexChanged.connect(self._on_auth_combo_current_index_changed)
        self.host_combo.currentIndexChanged.connect(self._on_host_combo_current_index_changed)
        self.host_edit.editingFinished.connect(self._on_host_edit_editing_finished)
        for edit in (self.name_edit, self.username_edit, self.host_edit, self.api_version_edit, self.consumer_key_edit,
                     *self.secret_edits.values()):
            edit.textChanged.connect(self._on_form_edited)
        self.load(None)

    # --- public ------------------------------------------------------------------------------------------------

    def load(self, account: AccountConfig | None, stored: set[SecretKind] | None = None) -> None:
        """Show ``account`` (None: a new one, with the browser login); ``stored``: its secrets in the keyring."""
        self._loading = True
        config = account or AccountConfig(name="", auth_method=DEFAULT_NEW_AUTH_METHOD.value)
        self._pending_key = ""
        self.name_edit.setText(config.name)
        self.auth_combo.setCurrentIndex(max(self.auth_combo.findData(config.auth_method), 0))
        self.username_edit.setText(config.username)
        self.set_host(config.login_host)
        self.api_version_edit.setText(config.api_version)
        self.consumer_key_edit.setText(config.consumer_key)
        for kind, edit in self.secret_edits.items():
            edit.clear()
            edit.setPlaceholderText(self.tr("保存済み") if kind in (stored or set()) else self.tr("未設定"))
        self.set_host_notice(None)
        self.clear_problems()
        self.clear_message()
        self._update_visibility()
        self._loading = False

    def method(self) -> str:
        return str(self.auth_combo.currentData())

    def form_config(self) -> AccountConfig:
        return AccountConfig(
            name=self.name_edit.text(),
            auth_method=self.method(),
            username=self.username_edit.text(),
            login_host=login_host_text(str(self.host_combo.currentData()), self.host_edit.text()),
            api_version=self.api_version_edit.text(),
            consumer_key=self.consumer_key_edit.text(),
        )

    def typed_secrets(self) -> dict[SecretKind, str]:
        """The method's secrets as typed (a picked private key included); empty ones mean "not typed"."""
        typed: dict[SecretKind, str] = {}
        for kind in SECRET_FIELDS.get(self.method(), ()):
            typed[kind] = self._pending_key if kind == SecretKind.PRIVATE_KEY else self.secret_edits[kind].text()
        return typed

    def missing_secrets(self) -> list[SecretKind]:
        """The secrets the method needs that were not typed (the browser login brings its own tokens)."""
        method = self.method()
        if method == AuthMethod.OAUTH_BROWSER.value or method not in set(AuthMethod):
            return []
        typed = self.typed_secrets()
        return [kind for kind in REQUIRED_SECRETS[AuthMethod(method)] if not typed.get(kind)]

    def set_private_key(self, pem: str, source: str = "") -> None:
        """The private key's PEM text, kept until the owner saves it to the keyring (never shown)."""
        self._pending_key = pem
        self.private_key_edit.setText(self.tr("{name}(未保存)").format(name=source or self.tr("秘密鍵")))
        self.errors[SecretKind.PRIVATE_KEY.value].clear_message()
        self._on_form_edited()

    def set_host(self, value: str) -> None:
        host = parse_login_host(value)
        kind = host.kind if isinstance(host, LoginHost) else "my_domain"
        loading = self._loading
        self._loading = True
        self.host_combo.setCurrentIndex(HOST_KINDS.index(kind))
        self._loading = loading
        self.host_edit.setVisible(kind in TYPED_HOSTS)
        self.host_edit.setText(value if kind in TYPED_HOSTS else "")

    def set_host_notice(self, notice: Problem | None) -> None:
        """Say next to the host that the pasted lightning.force.com host was replaced (None: the kind's hint)."""
        self.host_notice_problem = notice
        if notice is not None:
            self.host_hint.setText(notice.text(self.lang))
            self.host_hint.set_state("ok")
            return
        texts = {
            "production": self.tr("本番組織や Developer Edition はこちらです。"),
            "sandbox": self.tr("Sandbox のユーザ名は通常「本番のユーザ名.sandbox名」です。"),
            "my_domain": self.tr("「acme.my.salesforce.com」の形で入力します。ブラウザのアドレス(acme.lightning.force.com)を貼り付けても変換します。"),
            "loopback": self.tr("テスト用のローカル開発用組織(biztel-desk devorg)のURLです。"),
        }
        self.host_hint.setText(texts.get(str(self.host_combo.currentData()), ""))
        self.host_hint.set_state("hint")

    def set_login_state(self, state: str) -> None:
        """The ログイン状態 row: "none" (never signed in), "needed" (要再ログイン) or "ok"."""
        texts = {
            "none": (self.tr("未ログイン: 保存して「ブラウザでログイン」を押してください。"), "hint"),
            "needed": (self.tr("要再ログイン: 「ブラウザでログイン」を押してください。"), "error"),
            "ok": (self.tr("ログイン済み(トークンはOSのキーリングに保存されています)"), "ok"),
        }
        text, look = texts[state]
        self.login_state_label.setText(text)
        self.login_state_label.set_state(look)

    def show_problems(self, problems: list[Problem], missing: list[SecretKind] | None = None) -> list[str]:
        """Each problem under its field (when shown); the texts of the others are returned."""
        self.clear_problems()
        others: list[str] = []
        for problem in problems:
            # The field is labelled 名前 here, not the messages' アカウント名.
            text = (message(problem.code, self.lang, **{**problem.params, "label": self.tr("名前")})
                    if problem.field_name == "name" else problem.text(self.lang))
            label = self.errors.get(problem.field_name)
            if label is None or not self._rows[problem.field_name][1].isVisibleTo(self):
                others.append(text)
                continue
            label.show_message("\n".join(filter(None, (label.text(), text))))
        for kind in missing or []:
            self.errors[kind.value].show_message(self._secret_required_text(kind))
        return others

    def clear_problems(self) -> None:
        for label in self.errors.values():
            label.clear_message()

    def show_message(self, text: str, *, ok: bool | None = None) -> None:
        """The message box under the buttons: green when ``ok``, red when not ``ok``, grey for None."""
        color, background = _MESSAGE_STYLES[ok]
        self.message_label.setStyleSheet(
            f"color: {color}; background: {background}; border-radius: 4px; padding: 8px 10px;")
        self.message_label.setText(text)
        self.message_label.show()

    def clear_message(self) -> None:
        self.message_label.clear()
        self.message_label.hide()

    def set_busy(self, busy: bool) -> None:
        """While Salesforce is asked: the buttons are disabled and the busy bar turns."""
        self.test_button.setEnabled(not busy)
        self.browser_login_button.setEnabled(not busy)
        self.busy_bar.setVisible(busy)

    # --- slots -------------------------------------------------------------------------------------------------

    def _on_private_key_button_clicked(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("秘密鍵ファイルを選択"), "", self.tr("PEMファイル (*.pem *.key);;すべてのファイル (*)"))
        if not path:
            return
        try:
            pem = read_private_key(path)
        except PrivateKeyError as problem:
            self.errors[SecretKind.PRIVATE_KEY.value].show_message(problem.text(self.lang))
            return
        self.set_private_key(pem, Path(path).name)

    def _on_auth_combo_current_index_changed(self, _index: int) -> None:
        self._update_visibility()
        self._on_form_edited()

    def _on_host_combo_current_index_changed(self, _index: int) -> None:
        kind = str(self.host_combo.currentData())
        self.host_edit.setVisible(kind in TYPED_HOSTS)
        if not self._loading:
            self.host_edit.clear()
        self.host_edit.setPlaceholderText("acme.my.salesforce.com" if kind == "my_domain" else "http://127.0.0.1:8765")
        self.set_host_notice(None)
        self._on_form_edited()

    def _on_host_edit_editing_finished(self) -> None:
        host = parse_login_host(self.host_edit.text()) if self.host_edit.text().strip() else None
        if isinstance(host, LoginHost) and host.notice is not None:
            # acme.lightning.force.com pasted from the browser: use the My Domain and say so.
            self.host_edit.setText(host.value)
            self.set_host_notice(host.notice)
        elif isinstance(host, LoginHost) and host.kind in ("production", "sandbox", "loopback"):
            self.set_host(host.value)

    def _on_form_edited(self, *_args: object) -> None:
        if not self._loading:
            self.edited.emit()

    # --- helpers -----------------------------------------------------------------------------------------------

    def _add_row(self, key: str, text: str, field: QWidget, *hints: QWidget, required: bool = True) -> None:
        error = named(ErrorLabel(), f"error_{key}")
        self.errors[key] = error
        label = required_label(text, required)
        block = field_block(field, *hints, error)
        self.form.addRow(label, block)
        self._rows[key] = (label, block)

    def _update_visibility(self) -> None:
        method = self.method()
        for key, visible in shown_rows(method).items():
            self._set_row_visible(key, visible)
        browser = method == AuthMethod.OAUTH_BROWSER.value
        # Optional with the browser login: only when the app requires the secret for the web server flow.
        self._rows[SecretKind.CONSUMER_SECRET.value][0].setText(
            required_label(self.tr("コンシューマの秘密"), not browser).text())
        self._set_row_visible("login_state", browser and self.show_login_state)
        self._set_row_visible("eca_help", browser)
        self.browser_login_button.setVisible(browser)
        self.test_button.setVisible(self.tests_browser_accounts or not browser)
        self.set_host_notice(self.host_notice_problem)

    def _set_row_visible(self, key: str, visible: bool) -> None:
        if key not in self._rows:
            return  # the OAuth tokens have no row: only the browser login writes them
        label, field = self._rows[key]
        label.setVisible(visible)
        field.setVisible(visible)
        if not visible:
            self.errors[key].clear_message()

    def _secret_required_text(self, kind: SecretKind) -> str:
        texts = {
            SecretKind.PASSWORD: self.tr("パスワードを入力してください。"),
            SecretKind.CONSUMER_SECRET: self.tr("コンシューマの秘密を入力してください。"),
            SecretKind.PRIVATE_KEY: self.tr("秘密鍵ファイル(PEM)を選択してください。"),
        }
        return texts.get(kind, self.tr("入力してください。"))


def _row(*widgets: QWidget, stretch: int) -> QWidget:
    """Widgets side by side, the one at ``stretch`` taking the room (the host's field, the key file's name)."""
    row = QWidget()
    row.setLayout(hbox(*((widget, 1 if index == stretch else 0) for index, widget in enumerate(widgets)), margins=0))
    return row
