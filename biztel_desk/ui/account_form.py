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
import webbrowser
from collections.abc import Callable, Coroutine
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any, Literal, TypeVar

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from biztel_desk.domain.account_fields import (
    HOST_KINDS,
    SECRET_FIELDS,
    TYPED_HOSTS,
    TYPED_SECRETS,
    login_host_text,
    missing_secrets,
    shown_rows,
)
from biztel_desk.domain.config import (
    DEFAULT_NEW_AUTH_METHOD,
    NAME_MAX,
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
from biztel_desk.ui.forms import Field, Form
from biztel_desk.ui.i18n import language
from biztel_desk.ui.tasks import Jobs, OnError, posted
from biztel_desk.ui.widgets import HintLabel, MessageBox, busy_bar, button, combo, line_edit

T = TypeVar("T")


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
        self.form.rows.clear_problems()
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
        prompt = self.tr("ブラウザでSalesforceにログインし、「許可」を押してください。ブラウザが開かないときは、次のURLをブラウザで開いてください:")

        def show_url(form: AccountForm, url: str) -> None:
            if not cancel.is_set():
                form.show_message(prompt + "\n" + url)

        async def job() -> None:
            bound = functools.partial(call, on_url=posted(self.form, show_url), open_browser=open_browser,
                                      cancel=cancel, ports=ports)
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
    """The fields of one Salesforce account (a declared ``forms.Form``, ``rows``), its problems and a message box;
    secrets are never shown.

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
        self._pending_key = ""  # the private key's PEM text picked from a file (never shown)
        self.host_notice_problem: Problem | None = None  # the lightning.force.com host pasted was replaced
        # Per ログインホスト choice: its text in the combo box and the hint under it.
        self._hosts = {
            "production": (self.tr("本番環境 (login)"), self.tr("本番組織や Developer Edition はこちらです。")),
            "sandbox": (self.tr("Sandbox (test)"), self.tr("Sandbox のユーザ名は通常「本番のユーザ名.sandbox名」です。")),
            "my_domain": (self.tr("私のドメイン…"), self.tr(
                "「acme.my.salesforce.com」の形で入力します。ブラウザのアドレス(acme.lightning.force.com)を貼り付けても変換します。")),
            "loopback": (self.tr("開発用組織 (http://127.0.0.1:PORT)"),
                         self.tr("テスト用のローカル開発用組織(biztel-desk devorg)のURLです。")),
        }
        self._missing_texts = {  # under a secret the method needs that was not typed (REQUIRED_SECRETS)
            SecretKind.PASSWORD: self.tr("パスワードを入力してください。"),
            SecretKind.CONSUMER_SECRET: self.tr("コンシューマの秘密を入力してください。"),
            SecretKind.PRIVATE_KEY: self.tr("秘密鍵ファイル(PEM)を選択してください。"),
        }

        self.name_edit = line_edit(max_length=NAME_MAX, placeholder=self.tr("例: 本番組織"))
        browser_first = (AuthMethod.OAUTH_BROWSER, AuthMethod.PASSWORD, AuthMethod.JWT, AuthMethod.CLIENT_CREDENTIALS)
        self.auth_combo = combo((AUTH_METHODS[method.value].text(language()), method.value) for method in browser_first)
        self.username_edit = line_edit(placeholder="integration@example.com")
        self.host_combo = combo((self._hosts[kind][0], kind) for kind in HOST_KINDS)
        self.host_edit = line_edit(name="hostEdit")  # shown for the choices that take a typed address
        self.host_hint = named(HintLabel(), "hostNotice")
        self.api_version_edit = line_edit(max_width=90)
        self.consumer_key_edit = line_edit()
        self.secret_edits = {  # the private key's field shows the picked file's name, never the key
            kind: line_edit(password=kind != SecretKind.PRIVATE_KEY, read_only=kind == SecretKind.PRIVATE_KEY,
                            name=f"secret_{kind.value}") for kind in TYPED_SECRETS}
        self.private_key_edit = self.secret_edits[SecretKind.PRIVATE_KEY]
        self.private_key_button = button(self.tr("ファイルを選択…"), self._on_private_key_button_clicked)
        self.login_state_label = named(HintLabel(), "loginState")
        self.eca_help = named(HintLabel(eca_steps_text(language())), "ecaHelp")
        self.eca_help.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.eca_help.setStyleSheet("color: #37474f; background: #f5f7f9; border-radius: 4px; padding: 6px 8px;")
        token_hint = HintLabel(
            self.tr("許可されたIPアドレスからの接続では不要です。分からないときはSalesforceの「設定 → 私のセキュリティトークンのリセット」で再発行できます。")
        )
        secret = self.secret_edits
        self.rows = Form((
            Field("name", self.tr("名前"), self.name_edit),
            Field("auth_method", self.tr("認証方式"), self.auth_combo),
            Field("username", self.tr("ユーザ名"), self.username_edit),
            Field("login_host", self.tr("ログインホスト"), self.host_combo, (self.host_hint,),
                  shown=_side_by_side(self.host_combo, (self.host_edit, 1)), load=self.set_host,
                  value=lambda: login_host_text(str(self.host_combo.currentData()), self.host_edit.text())),
            Field("api_version", self.tr("APIバージョン"), self.api_version_edit),
            Field("consumer_key", self.tr("コンシューマ鍵"), self.consumer_key_edit),
            Field(SecretKind.PASSWORD.value, self.tr("パスワード"), secret[SecretKind.PASSWORD]),
            Field(SecretKind.SECURITY_TOKEN.value, self.tr("セキュリティトークン"), secret[SecretKind.SECURITY_TOKEN],
                  (token_hint,), required=False),
            Field(SecretKind.CONSUMER_SECRET.value, self.tr("コンシューマの秘密"), secret[SecretKind.CONSUMER_SECRET]),
            Field(SecretKind.PRIVATE_KEY.value, self.tr("秘密鍵 (PEM)"), self.private_key_edit,
                  shown=_side_by_side((self.private_key_edit, 1), self.private_key_button)),
            Field("login_state", self.tr("ログイン状態"), None, shown=self.login_state_label, required=False),
            Field("eca_help", self.tr("External Client App"), None, shown=self.eca_help, required=False),
        ), on_edit=self.edited.emit)
        self.errors = {key: spec.error for key, spec in self.rows.fields.items()}  # a problem's text under its row

        secrets_note = HintLabel(
            self.tr("パスワード・トークン・秘密鍵はOSのキーリングにだけ保存され、画面には表示されません。空欄のままなら変更されません。")
        )
        self.browser_login_button = button(self.tr("ブラウザでログイン"), name="browserLoginButton")
        self.test_button = button(self.tr("接続テスト"), name="testButton")
        self.busy_bar = busy_bar(140, visible=False)
        self.message_label = named(MessageBox(), "message")
        # The owner adds its own buttons (保存) at the end of the row.
        self.button_row = hbox(self.browser_login_button, self.test_button, self.busy_bar, STRETCH)
        vbox(self.rows.layout, secrets_note, self.button_row, self.message_label, STRETCH, parent=self, margins=0)

        self.auth_combo.currentIndexChanged.connect(self._on_auth_combo_current_index_changed)
        self.host_combo.currentIndexChanged.connect(self._on_host_combo_current_index_changed)
        self.host_edit.editingFinished.connect(self._on_host_edit_editing_finished)
        self.host_edit.textChanged.connect(self._on_host_edit_text_changed)
        self.load(None)

    # --- public ------------------------------------------------------------------------------------------------

    def load(self, account: AccountConfig | None, stored: set[SecretKind] | None = None) -> None:
        """Show ``account`` (None: a new one, with the browser login); ``stored``: its secrets in the keyring."""
        self._pending_key = ""
        config = account or AccountConfig(name="", auth_method=DEFAULT_NEW_AUTH_METHOD.value)
        self.rows.fill({**asdict(config), **{kind.value: "" for kind in TYPED_SECRETS}})
        for kind, edit in self.secret_edits.items():
            edit.setPlaceholderText(self.tr("保存済み") if kind in (stored or set()) else self.tr("未設定"))
        self.set_host_notice(None)
        self.clear_message()
        self._update_visibility()

    def method(self) -> str:
        return str(self.auth_combo.currentData())

    def form_config(self) -> AccountConfig:
        return AccountConfig(**self.rows.values(f.name for f in fields(AccountConfig)))

    def typed_secrets(self) -> dict[SecretKind, str]:
        """The method's secrets as typed (a picked private key included); empty ones mean "not typed"."""
        return {kind: self._pending_key if kind == SecretKind.PRIVATE_KEY else self.secret_edits[kind].text()
                for kind in SECRET_FIELDS.get(self.method(), ())}

    def missing_secrets(self) -> list[SecretKind]:
        """The secrets the method needs that were not typed (the browser login brings its own tokens)."""
        return missing_secrets(self.method(), self.typed_secrets())

    def set_host(self, value: str) -> None:
        host = parse_login_host(value)
        kind = host.kind if isinstance(host, LoginHost) else "my_domain"
        self.host_combo.setCurrentIndex(HOST_KINDS.index(kind))
        self.host_edit.setVisible(kind in TYPED_HOSTS)
        self.host_edit.setText(value if kind in TYPED_HOSTS else "")

    def set_host_notice(self, notice: Problem | None) -> None:
        """Say next to the host that the pasted lightning.force.com host was replaced (None: the kind's hint)."""
        self.host_notice_problem = notice
        kind = str(self.host_combo.currentData())
        self.host_hint.setText(notice.text(self.lang) if notice else self._hosts[kind][1])
        self.host_hint.set_state("hint" if notice is None else "ok")

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
        """Each problem under its field (when shown), each ``missing`` secret under its own; the texts of the
        others are returned."""
        self.rows.clear_problems()
        others = self.rows.show_problems(problems, self.lang, text=self._problem_text)
        for kind in missing or []:
            self.rows[kind.value].error.show_message(self._missing_texts[kind])
        return others

    def show_message(self, text: str, *, ok: bool | None = None) -> None:
        """The message box under the buttons: green when ``ok``, red when not ``ok``, grey for None."""
        self.message_label.show_message(text, ok=ok)

    def clear_message(self) -> None:
        self.message_label.clear_message()

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
            self.rows[SecretKind.PRIVATE_KEY.value].error.show_message(problem.text(self.lang))
            return
        self._pending_key = pem  # kept until the owner saves it to the keyring (never shown)
        self.private_key_edit.setText(self.tr("{name}(未保存)").format(name=Path(path).name))
        self.rows[SecretKind.PRIVATE_KEY.value].error.clear_message()
        self.edited.emit()  # also when the text shown stays the same (another key file of the same name)

    def _on_auth_combo_current_index_changed(self, _index: int) -> None:
        self._update_visibility()

    def _on_host_combo_current_index_changed(self, _index: int) -> None:
        kind = str(self.host_combo.currentData())
        self.host_edit.setVisible(kind in TYPED_HOSTS)
        if not self.rows.loading:
            self.host_edit.clear()
        self.host_edit.setPlaceholderText(TYPED_HOSTS.get(kind, ""))
        self.set_host_notice(None)

    def _on_host_edit_editing_finished(self) -> None:
        host = parse_login_host(self.host_edit.text()) if self.host_edit.text().strip() else None
        if isinstance(host, LoginHost) and host.notice is not None:
            # acme.lightning.force.com pasted from the browser: use the My Domain and say so.
            self.host_edit.setText(host.value)
            self.set_host_notice(host.notice)
        elif isinstance(host, LoginHost) and host.kind in ("production", "sandbox", "loopback"):
            self.set_host(host.value)

    def _on_host_edit_text_changed(self, _text: str) -> None:
        if not self.rows.loading:  # the host's typed half (its combo box is the row's editor)
            self.edited.emit()

    # --- helpers -----------------------------------------------------------------------------------------------

    def _update_visibility(self) -> None:
        method = self.method()
        for key, visible in shown_rows(method, self.show_login_state).items():
            if key in self.rows.fields:  # the OAuth tokens have no row: only the browser login writes them
                self.rows.set_visible(key, visible)
        browser = method == AuthMethod.OAUTH_BROWSER.value
        # Optional with the browser login: only when the app requires the secret for the web server flow.
        self.rows.set_label(SecretKind.CONSUMER_SECRET.value, self.tr("コンシューマの秘密"), not browser)
        self.browser_login_button.setVisible(browser)
        self.test_button.setVisible(self.tests_browser_accounts or not browser)

    def _problem_text(self, problem: Problem) -> str:
        """The field is labelled 名前 here, not the messages' アカウント名."""
        if problem.field_name == "name":
            return message(problem.code, self.lang, **{**problem.params, "label": self.tr("名前")})
        return problem.text(self.lang)


def _side_by_side(*items: QWidget | tuple[QWidget, int]) -> QWidget:
    """A row's widgets side by side, ``(widget, 1)`` taking the room (the host's field, the key file's name)."""
    holder = QWidget()
    hbox(*items, parent=holder, margins=0)
    return holder
