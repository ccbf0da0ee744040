"""First-run wizard (issue #6): try the demo, or connect Salesforce step by step up to an enabled link setting."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Literal

from PySide6.QtCore import QEvent, QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCommandLinkButton,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from biztel_desk.domain import phone
from biztel_desk.domain.config import (
    DEFAULT_OBJECTS,
    NAME_MAX,
    REQUIRED_SECRETS,
    AccountConfig,
    ActivityMode,
    AuthMethod,
    LinkObjectConfig,
    LinkSettingConfig,
    LinkStatus,
    LinkTargetConfig,
    LoginHost,
    SecretKind,
    parse_login_host,
    validate_account,
    validate_basic,
    validate_objects,
    validate_target_number,
)
from biztel_desk.domain.messages import Problem, ProblemsError, message
from biztel_desk.salesforce.connection import ConnectionReport, SalesforceLoginError, connect, map_error
from biztel_desk.salesforce.metadata import GlobalObject, MetadataError, OrgMetadata
from biztel_desk.secrets import MemoryBackend, SecretStore, SecretStoreError
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
from biztel_desk.ui.dialogs.verify_dialog import WARNING_COLOR, VerifyRunner, verify_line_row
from biztel_desk.ui.setting_fields import multiple_match_combo, no_match_combo, show_fallback_hint
from biztel_desk.ui.widgets import (
    ERROR_COLOR,
    OK_COLOR,
    ErrorLabel,
    HintLabel,
    field_block,
    make_form,
    required_label,
)
from biztel_desk.verify.report import VerificationReport

log = logging.getLogger(__name__)

PAGE_WELCOME, PAGE_ACCOUNT, PAGE_SETTING, PAGE_OBJECTS, PAGE_TARGETS, PAGE_VERIFY, PAGE_ENABLE = range(7)
Choice = Literal["demo", "connect"]

COL_API, COL_LABEL, COL_CODE, COL_PRIORITY = range(4)
# The connection result box: (text, background) for success, failure and in progress.
_RESULT_STYLES: dict[bool | None, tuple[str, str]] = {
    True: (OK_COLOR, "#e6f4ea"),
    False: (ERROR_COLOR, "#fdecea"),
    None: ("#202124", "#f1f3f4"),
}
_INDEX = re.compile(r"\[(\d+)\]")


def _separator() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line


def _row_widget(*widgets: QWidget, stretch_last: bool = False) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    for index, widget in enumerate(widgets):
        layout.addWidget(widget, 1 if stretch_last and index == len(widgets) - 1 else 0)
    if not stretch_last:
        layout.addStretch(1)
    return row


def _show_field_problems(problems: list[Problem], labels: dict[str, ErrorLabel], lang: str,
                         field_labels: dict[str, str] | None = None) -> list[str]:
    """Put each problem under its field; return the texts of those without a field.

    ``field_labels`` renames fields in the messages (an account's ``name`` is 名前, not the setting's 連携名).
    """
    for each in labels.values():
        each.clear_message()
    others: list[str] = []
    for problem in problems:
        renamed = (field_labels or {}).get(problem.field_name)
        text = message(problem.code, lang, **{**problem.params, "label": renamed}) if renamed else problem.text(lang)
        label = labels.get(problem.field_name)
        if label is None:
            others.append(text)
            continue
        label.show_message("\n".join(filter(None, (label.text(), text))))
    return others


# --- background work ---------------------------------------------------------------------------------------


class _DescribeSignals(QObject):
    succeeded = Signal(object)  # dict[str, GlobalObject]
    failed = Signal(str)  # the reason, in the UI language
    crashed = Signal(object)  # an unexpected exception, handed to the crash handler on the GUI thread


class DescribeGlobalTask(QRunnable):
    """Logs in and reads describeGlobal on a pool thread (tab names and key prefixes for the objects page)."""

    def __init__(self, account: AccountConfig, secrets: SecretStore, lang: str, timeout: float = 30) -> None:
        super().__init__()
        self.account = account
        self.secrets = secrets
        self.lang = lang
        self.timeout = timeout
        self.signals = _DescribeSignals()

    def run(self) -> None:
        try:
            sf = connect(self.account, self.secrets, timeout=self.timeout)
            try:
                objects = OrgMetadata(sf, self.timeout).describe_global()
            finally:
                sf.session.close()
        except (SalesforceLoginError, MetadataError) as error:
            self.signals.failed.emit(error.text(self.lang))
            return
        except Exception as error:  # noqa: BLE001 - a known failure becomes a message; the rest is a bug
            mapped = map_error(error)
            if mapped is not None:
                self.signals.failed.emit(mapped.text(self.lang))
                return
            log.exception("describeGlobal for the wizard failed")
            self.signals.crashed.emit(error)
            return
        self.signals.succeeded.emit(objects)


# --- the wizard --------------------------------------------------------------------------------------------


class FirstRunWizard(QWizard):
    """ようこそ → アカウント → 連携設定 → オブジェクト → 連携対象 → 設定確認 → 有効化.

    ``choice`` is ``"demo"`` (and ``demo_requested`` was emitted) when the admin picked デモを試す, ``"connect"``
    once they started the Salesforce path, None while nothing was chosen. Everything is saved through the
    services as the admin leaves each page: the account on leaving アカウント, the link setting with its
    objects and targets on leaving 連携対象 (later visits to earlier pages update it). ``setting_ready(name)``
    follows 完了.
    """

    demo_requested = Signal()
    setting_ready = Signal(str)  # the link setting the wizard created, after 完了

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._choice: Choice | None = None
        self.account_name: str | None = None  # the account as saved (None until アカウント was left)
        self.account_revision = 0  # bumped on every save: the objects page re-reads describeGlobal
        self.setting_name: str | None = None  # the link setting as saved (None until 連携対象 was left)
        self.last_report: VerificationReport | None = None
        self.setObjectName("firstRunWizard")
        self.setWindowTitle(self.tr("BIZTEL Desk をはじめる"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setButtonText(QWizard.WizardButton.BackButton, self.tr("戻る"))
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("次へ"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("完了"))
        self.setButtonText(QWizard.WizardButton.CancelButton, self.tr("キャンセル"))

        self.welcome_page = WizardWelcomePage(self)
        self.account_page = WizardAccountPage(self)
        self.setting_page = WizardSettingPage(self)
        self.objects_page = WizardObjectsPage(self)
        self.targets_page = WizardTargetsPage(self)
        self.verify_page = WizardVerifyPage(self)
        self.enable_page = WizardEnablePage(self)
        for page_id, page in (
            (PAGE_WELCOME, self.welcome_page),
            (PAGE_ACCOUNT, self.account_page),
            (PAGE_SETTING, self.setting_page),
            (PAGE_OBJECTS, self.objects_page),
            (PAGE_TARGETS, self.targets_page),
            (PAGE_VERIFY, self.verify_page),
            (PAGE_ENABLE, self.enable_page),
        ):
            self.setPage(page_id, page)
        self.setStartId(PAGE_WELCOME)
        self.resize(820, 660)

    @property
    def choice(self) -> Choice | None:
        return self._choice

    def choose_demo(self) -> None:
        """デモを試す: close the wizard; the application starts demo mode on ``demo_requested``."""
        self._choice = "demo"
        self.accept()
        self.demo_requested.emit()

    def choose_connect(self) -> None:
        """Salesforceに接続: on to the account page."""
        self._choice = "connect"
        self.welcome_page.completeChanged.emit()
        if self.currentId() == PAGE_WELCOME:
            self.next()

    def is_busy(self) -> bool:
        """Whether a page is waiting for Salesforce (a connection test, describeGlobal or verification)."""
        return self.account_page.is_testing() or self.objects_page.is_fetching() or self.verify_page.is_running()

    def accept(self) -> None:
        super().accept()
        if self._choice == "connect" and self.setting_name:
            self.setting_ready.emit(self.setting_name)


class _Page(QWizardPage):
    """A page that knows its wizard (QWizardPage.wizard() is None until the page is added)."""

    def __init__(self, owner: FirstRunWizard) -> None:
        super().__init__(owner)
        self.owner = owner
        self.context = owner.context


# --- 1. ようこそ --------------------------------------------------------------------------------------------


class WizardWelcomePage(_Page):
    def __init__(self, owner: FirstRunWizard) -> None:
        super().__init__(owner)
        self.setTitle(self.tr("BIZTEL Desk へようこそ"))
        self.setSubTitle(
            self.tr("電話の通話履歴と録音を、Salesforceの活動履歴に自動で連携します。まずはどちらかを選んでください。")
        )
        self.demo_button = QCommandLinkButton(
            self.tr("デモを試す"),
            self.tr("Salesforce不要。サンプルの組織と通話で、通話が活動履歴として連携される様子をすぐに確認できます。"
                    "実際のデータには触れません。"),
        )
        self.demo_button.setObjectName("demoButton")
        self.connect_button = QCommandLinkButton(
            self.tr("Salesforceに接続"),
            self.tr("お使いのSalesforce組織に接続し、連携設定・オブジェクト・連携対象の電話番号を順に設定して、"
                    "設定確認まで行います(5分ほどかかります)。"),
        )
        self.connect_button.setObjectName("connectButton")
        for button in (self.demo_button, self.connect_button):
            # As tall as the wrapped description needs at the page's width, not the narrow size hint's height.
            policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            policy.setHeightForWidth(True)
            button.setSizePolicy(policy)
            button.setMinimumHeight(72)
            button.setStyleSheet(
                "QCommandLinkButton { border: 1px solid #c4c9cf; border-radius: 6px; padding: 10px 14px;"
                " background: #ffffff; font-size: 15px; }"
                "QCommandLinkButton:hover { border-color: #1a73e8; background: #f3f8fe; }"
            )
        note = HintLabel(
            self.tr("この画面はあとからメニューでも開けます。Salesforceへの接続は、デモを試した後でも行えます。")
        )
        how_title = QLabel(self.tr("しくみ"))
        how_title.setStyleSheet("font-weight: bold;")
        steps = QLabel(
            self.tr("1. 連携対象の電話番号で通話が終わると、BIZTEL Deskが通話履歴を受け取ります。\n"
                    "2. 相手の電話番号でSalesforceの取引先・取引先責任者・リードなどを検索します。\n"
                    "3. 見つかったレコードに活動履歴(ToDo)を作成し、録音を再生できるリンクを付けます。")
        )
        steps.setWordWrap(True)
        steps.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.setSpacing(14)
        layout.addSpacing(6)
        layout.addWidget(self.demo_button)
        layout.addWidget(self.connect_button)
        layout.addSpacing(8)
        layout.addWidget(_separator())
        layout.addWidget(how_title)
        layout.addWidget(steps)
        layout.addStretch(1)
        layout.addWidget(note)
        self.demo_button.clicked.connect(self._on_demo_button_clicked)
        self.connect_button.clicked.connect(self._on_connect_button_clicked)

    def isComplete(self) -> bool:
        # 次へ only after 「Salesforceに接続」 was chosen once (coming back from the account page).
        return self.owner.choice == "connect"

    def _on_demo_button_clicked(self) -> None:
        self.owner.choose_demo()

    def _on_connect_button_clicked(self) -> None:
        self.owner.choose_connect()


# --- 2. アカウント ------------------------------------------------------------------------------------------


class WizardAccountPage(_Page):
    """The connection and its secrets; 次へ only after a 接続テスト that succeeded with exactly these values."""

    def __init__(self, owner: FirstRunWizard) -> None:
        super().__init__(owner)
        self.setTitle(self.tr("Salesforceアカウント"))
        self.setSubTitle(
            self.tr("連携に使うSalesforceのユーザでログインします。「ブラウザでログイン」または「接続テスト」に成功すると「次へ」に進めます。")
        )
        self._task: ConnectionTestTask | None = None
        self._testing_fingerprint: tuple[Any, ...] | None = None
        self._tested_fingerprint: tuple[Any, ...] | None = None  # the values of the last successful test
        self._private_key = ""  # PEM text picked from a file (never shown)
        self._host_notice: Problem | None = None
        self._login_task: BrowserLoginTask | None = None
        self._oauth_tokens: dict[SecretKind, str] = {}  # from the browser login, saved to the keyring on 次へ
        # How the browser is opened (tests: a scripted HTTP client) and the callback ports (tests: (0,)).
        self.open_browser: Callable[[str], object] = system_browser
        self.callback_ports: tuple[int, ...] | None = None
        self._build()
        self._update_visibility()

    def _build(self) -> None:
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(NAME_MAX)
        self.name_edit.setPlaceholderText(self.tr("例: 本番組織"))
        self.auth_combo = QComboBox()
        add_auth_methods(self.auth_combo)
        self.username_edit = QLineEdit()
        self.username_edit.setPlaceholderText("integration@example.com")
        self.host_combo = QComboBox()
        self.host_combo.addItem(self.tr("本番環境 (login.salesforce.com)"), "production")
        self.host_combo.addItem(self.tr("Sandbox (test.salesforce.com)"), "sandbox")
        self.host_combo.addItem(self.tr("私のドメイン…"), "my_domain")
        self.host_combo.addItem(self.tr("開発用組織 (http://127.0.0.1:PORT)"), "loopback")
        self.host_edit = QLineEdit()
        self.host_edit.setObjectName("hostEdit")
        self.host_edit.hide()
        self.host_hint = HintLabel()
        self.host_hint.setObjectName("hostHint")
        self.consumer_key_edit = QLineEdit()
        self.secret_edits: dict[SecretKind, QLineEdit] = {}
        for kind in (SecretKind.PASSWORD, SecretKind.SECURITY_TOKEN, SecretKind.CONSUMER_SECRET):
            edit = QLineEdit()
            edit.setObjectName(f"secret_{kind.value}")
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            self.secret_edits[kind] = edit
        self.token_hint = HintLabel(
            self.tr("許可されたIPアドレスからの接続では不要です。分からないときはSalesforceの「設定 → 私のセキュリティトークンのリセット」で再発行できます。")
        )
        self.private_key_label = QLineEdit()
        self.private_key_label.setReadOnly(True)
        self.private_key_label.setPlaceholderText(self.tr("未選択"))
        self.private_key_button = QPushButton(self.tr("ファイルを選択…"))

        self.errors: dict[str, ErrorLabel] = {
            key: ErrorLabel()
            for key in ("name", "auth_method", "username", "login_host", "consumer_key", *[k.value for k in SecretKind])
        }
        self._rows: dict[str, tuple[QLabel, QWidget]] = {}
        form = make_form()
        self.form = form
        host_row = QWidget()
        host_layout = QHBoxLayout(host_row)
        host_layout.setContentsMargins(0, 0, 0, 0)
        host_layout.addWidget(self.host_combo)
        host_layout.addWidget(self.host_edit, 1)
        self._add_row("name", self.tr("名前"), field_block(self.name_edit, self.errors["name"]))
        self._add_row("auth_method", self.tr("認証方式"), field_block(self.auth_combo, self.errors["auth_method"]))
        self._add_row("username", self.tr("ユーザ名"), field_block(self.username_edit, self.errors["username"]))
        self._add_row("login_host", self.tr("ログインホスト"),
                      field_block(host_row, self.host_hint, self.errors["login_host"]))
        self._add_row("consumer_key", self.tr("コンシューマ鍵"),
                      field_block(self.consumer_key_edit, self.errors["consumer_key"]))
        self._add_row(SecretKind.PASSWORD.value, self.tr("パスワード"),
                      field_block(self.secret_edits[SecretKind.PASSWORD], self.errors[SecretKind.PASSWORD.value]))
        self._add_row(SecretKind.SECURITY_TOKEN.value, self.tr("セキュリティトークン"),
                      field_block(self.secret_edits[SecretKind.SECURITY_TOKEN], self.token_hint,
                                  self.errors[SecretKind.SECURITY_TOKEN.value]), required=False)
        self._add_row(SecretKind.CONSUMER_SECRET.value, self.tr("コンシューマの秘密"),
                      field_block(self.secret_edits[SecretKind.CONSUMER_SECRET],
                                  self.errors[SecretKind.CONSUMER_SECRET.value]))
        self._add_row(SecretKind.PRIVATE_KEY.value, self.tr("秘密鍵 (PEM)"),
                      field_block(_row_widget(self.private_key_label, self.private_key_button),
                                  self.errors[SecretKind.PRIVATE_KEY.value]))

        self.test_button = QPushButton(self.tr("接続テスト"))
        self.test_button.setObjectName("testButton")
        self.test_button.setMinimumWidth(120)
        self.browser_login_button = QPushButton(self.tr("ブラウザでログイン"))
        self.browser_login_button.setObjectName("browserLoginButton")
        self.browser_login_button.setMinimumWidth(140)
        self.eca_help = HintLabel(eca_steps_text())
        self.eca_help.setObjectName("ecaHelp")
        self.eca_help.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.test_busy = QProgressBar()
        self.test_busy.setRange(0, 0)
        self.test_busy.setTextVisible(False)
        self.test_busy.setMaximumWidth(140)
        self.test_busy.hide()
        secrets_note = HintLabel(self.tr("パスワード・トークン・秘密鍵はOSのキーリングにだけ保存され、データベースには保存されません。"))
        self.result_label = QLabel()
        self.result_label.setObjectName("connectionResult")
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.PlainText)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.result_label.hide()

        test_row = QHBoxLayout()
        test_row.addWidget(self.browser_login_button)
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_busy)
        test_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.eca_help)
        layout.addWidget(secrets_note)
        layout.addLayout(test_row)
        layout.addWidget(self.result_label)
        layout.addStretch(1)

        self.test_button.clicked.connect(self._on_test_button_clicked)
        self.browser_login_button.clicked.connect(self._on_browser_login_button_clicked)
        self.private_key_button.clicked.connect(self._on_private_key_button_clicked)
        self.auth_combo.currentIndexChanged.connect(self._on_auth_combo_current_index_changed)
        self.host_combo.currentIndexChanged.connect(self._on_host_combo_current_index_changed)
        self.host_edit.editingFinished.connect(self._on_host_edit_editing_finished)
        for edit in (self.name_edit, self.username_edit, self.host_edit, self.consumer_key_edit,
                     *self.secret_edits.values()):
            edit.textChanged.connect(self._on_form_edited)

    def _add_row(self, key: str, text: str, field: QWidget, required: bool = True) -> None:
        label = required_label(text, required)
        self.form.addRow(label, field)
        self._rows[key] = (label, field)

    # --- public ------------------------------------------------------------------------------------------------

    def form_config(self) -> AccountConfig:
        return AccountConfig(
            name=self.name_edit.text(),
            auth_method=str(self.auth_combo.currentData()),
            username=self.username_edit.text() if self._method() in (AuthMethod.PASSWORD, AuthMethod.JWT) else "",
            login_host=self._host_text(),
            consumer_key=self.consumer_key_edit.text() if self._method() != AuthMethod.PASSWORD.value else "",
        )

    def form_secrets(self) -> dict[SecretKind, str]:
        """The method's secrets as typed; an empty security token is a valid choice (trusted IP ranges)."""
        secrets: dict[SecretKind, str] = {}
        for kind in SECRET_FIELDS[self._method()]:
            secrets[kind] = self._private_key if kind == SecretKind.PRIVATE_KEY else self.secret_edits[kind].text()
        if self._method() == AuthMethod.OAUTH_BROWSER.value:
            secrets.update(self._oauth_tokens)
        return secrets

    def set_private_key(self, pem: str, source: str = "") -> None:
        """The private key's PEM text (from a file), kept until 次へ stores it in the keyring."""
        self._private_key = pem
        self.private_key_label.setText(source or self.tr("秘密鍵"))
        self._on_form_edited()

    def is_testing(self) -> bool:
        return self._task is not None or self._login_task is not None

    def cleanupPage(self) -> None:
        if self._login_task is not None:  # 戻る while the browser is open: stop waiting for it
            self._login_task.cancel.set()
        super().cleanupPage()

    def is_tested(self) -> bool:
        return self._tested_fingerprint is not None and self._tested_fingerprint == self._fingerprint()

    def isComplete(self) -> bool:
        return not self.is_testing() and self.is_tested()

    def validatePage(self) -> bool:
        """次へ: the tested account and its secrets are saved (secrets to the keyring only)."""
        cleaned, problems = self._check()
        if problems:
            return False
        try:
            saved = self.context.config.save_account(cleaned, self.owner.account_name, secrets=self.form_secrets())
        except ProblemsError as error:
            self._show_result(self._problems_text(error.problems), ok=False)
            return False
        except SecretStoreError as error:
            self._show_result(self.tr("キーリングを使用できません: {detail}").format(detail=error.text(self.context.lang)), ok=False)
            return False
        self.owner.account_name = saved.name
        self.owner.account_revision += 1
        return True

    # --- slots -------------------------------------------------------------------------------------------------

    def _on_test_button_clicked(self) -> None:
        cleaned, problems = self._check()
        if problems:
            return
        # The test logs in with the typed secrets from a throw-away store: nothing is saved before 次へ.
        trial = SecretStore(MemoryBackend())
        for kind, value in self.form_secrets().items():
            trial.set_account_secret(cleaned.name, kind, value)
        task = ConnectionTestTask(cleaned, trial, self.context.lang)
        task.signals.succeeded.connect(self._on_task_succeeded)
        task.signals.failed.connect(self._on_task_failed)
        self._task = task
        self._testing_fingerprint = self._fingerprint()
        self._tested_fingerprint = None
        self.test_button.setEnabled(False)
        self.test_busy.show()
        self._show_result(self.tr("接続しています…"), ok=None)
        self.completeChanged.emit()
        QThreadPool.globalInstance().start(task)

    def _on_browser_login_button_clicked(self) -> None:
        cleaned, problems = self._check(require_secrets=False)
        if problems:
            return
        # Like 接続テスト: the tokens go to a throw-away store first, to the keyring only on 次へ.
        trial = SecretStore(MemoryBackend())
        for kind, value in self.form_secrets().items():
            if value and kind not in (SecretKind.ACCESS_TOKEN, SecretKind.REFRESH_TOKEN):
                trial.set_account_secret(cleaned.name, kind, value)
        self._oauth_tokens = {}
        task = BrowserLoginTask(self.context.config, cleaned, trial, self.context.lang, self.open_browser,
                                ports=self.callback_ports)
        task.signals.url_ready.connect(self._on_login_url_ready)
        task.signals.succeeded.connect(self._on_login_succeeded)
        task.signals.failed.connect(self._on_task_failed)
        self._login_task = task
        self._trial = trial
        self._testing_fingerprint = self._fingerprint()
        self._tested_fingerprint = None
        self.browser_login_button.setEnabled(False)
        self.test_busy.show()
        self._show_result(self.tr("ブラウザを開いています…"), ok=None)
        self.completeChanged.emit()
        QThreadPool.globalInstance().start(task)

    def _on_login_url_ready(self, url: str) -> None:
        self._show_result(self.tr("ブラウザでSalesforceにログインし、「許可」を押してください。ブラウザが開かないときは、次のURLをブラウザで開いてください:") + "\n" + url, ok=None)

    def _on_login_succeeded(self, report: ConnectionReport) -> None:
        task = self._login_task
        self._login_task = None
        if task is not None:
            for kind in (SecretKind.ACCESS_TOKEN, SecretKind.REFRESH_TOKEN):
                value = self._trial.get_account_secret(task.account.name, kind)
                if value:
                    self._oauth_tokens[kind] = str(value)
        self._tested_fingerprint = self._testing_fingerprint
        self.browser_login_button.setEnabled(True)
        self.test_busy.hide()
        lines = [self.tr("ログインしました。「次へ」でトークンをOSのキーリングに保存します。"),
                 *report_lines(report, self.context.lang)]
        if not self.is_tested():
            lines.append(self.tr("ログイン中に入力が変更されました。もう一度「ブラウザでログイン」を押してください。"))
        self._show_result("\n".join(lines), ok=True)
        self.completeChanged.emit()

    def _on_task_succeeded(self, report: ConnectionReport) -> None:
        if self._task is not None:
            record_login(self.context.config, self._task.account, report)
        self._task = None
        self._tested_fingerprint = self._testing_fingerprint
        self.test_button.setEnabled(True)
        self.test_busy.hide()
        lines = report_lines(report, self.context.lang)
        if not self.is_tested():
            lines.append(self.tr("テスト中に入力が変更されました。もう一度「接続テスト」を実行してください。"))
        self._show_result("\n".join(lines), ok=True)
        self.completeChanged.emit()

    def _on_task_failed(self, reason: str) -> None:
        self._task = None
        self._login_task = None
        self._tested_fingerprint = None
        self.test_button.setEnabled(True)
        self.browser_login_button.setEnabled(True)
        self.test_busy.hide()
        self._show_result(self.tr("接続できませんでした。") + "\n" + reason, ok=False)
        self.completeChanged.emit()

    def _on_private_key_button_clicked(self) -> None:
        try:
            chosen = choose_private_key(self)
        except PrivateKeyError as error:
            self.errors[SecretKind.PRIVATE_KEY.value].show_message(str(error))
            return
        if chosen is None:
            return
        self.errors[SecretKind.PRIVATE_KEY.value].clear_message()
        self.set_private_key(*chosen)

    def _on_auth_combo_current_index_changed(self, _index: int) -> None:
        self._update_visibility()
        self._on_form_edited()

    def _on_host_combo_current_index_changed(self, _index: int) -> None:
        kind = str(self.host_combo.currentData())
        self.host_edit.setVisible(kind in ("my_domain", "loopback"))
        self.host_edit.clear()
        self.host_edit.setPlaceholderText("acme.my.salesforce.com" if kind == "my_domain" else "http://127.0.0.1:8765")
        self._host_notice = None
        self._update_host_hint()
        self._on_form_edited()

    def _on_host_edit_editing_finished(self) -> None:
        host = parse_login_host(self.host_edit.text()) if self.host_edit.text().strip() else None
        if isinstance(host, LoginHost) and host.notice is not None:
            # acme.lightning.force.com pasted from the browser: use the My Domain and say so.
            self.host_edit.setText(host.value)
            self._host_notice = host.notice
        elif isinstance(host, LoginHost) and host.kind in ("production", "sandbox"):
            self.host_combo.setCurrentIndex(HOST_KINDS.index(host.kind))
        self._update_host_hint()

    def _on_form_edited(self, *_args: object) -> None:
        if self._tested_fingerprint is not None and not self.is_tested() and not self.is_testing():
            self._show_result(self.tr("入力が変更されました。もう一度「接続テスト」を実行してください。"), ok=None)
            self._tested_fingerprint = None
            self._oauth_tokens = {}  # tokens of another host or app: sign in again
        self.completeChanged.emit()

    # --- helpers -----------------------------------------------------------------------------------------------

    def _method(self) -> str:
        return str(self.auth_combo.currentData())

    def _fingerprint(self) -> tuple[Any, ...]:
        typed = {k: v for k, v in self.form_secrets().items()
                 if k not in (SecretKind.ACCESS_TOKEN, SecretKind.REFRESH_TOKEN)}
        return (self.form_config(), tuple(sorted(typed.items())))

    def _host_text(self) -> str:
        return login_host_text(str(self.host_combo.currentData()), self.host_edit.text())

    def _update_host_hint(self) -> None:
        kind = str(self.host_combo.currentData())
        if self._host_notice is not None:
            self.host_hint.setText(self._host_notice.text(self.context.lang))
            self.host_hint.set_state("ok")
            return
        texts = {
            "production": self.tr("本番組織や Developer Edition はこちらです。"),
            "sandbox": self.tr("Sandbox のユーザ名は通常「本番のユーザ名.sandbox名」です。"),
            "my_domain": self.tr("「acme.my.salesforce.com」の形で入力します。ブラウザのアドレス(acme.lightning.force.com)を貼り付けても変換します。"),
            "loopback": self.tr("テスト用のローカル開発用組織(biztel-desk devorg)のURLです。"),
        }
        self.host_hint.setText(texts.get(kind, ""))
        self.host_hint.set_state("hint")

    def _update_visibility(self) -> None:
        for key, visible in shown_rows(self._method()).items():
            self._set_row_visible(key, visible)
        browser = self._method() == AuthMethod.OAUTH_BROWSER.value
        secret_label = self._rows[SecretKind.CONSUMER_SECRET.value][0]
        # Optional with the browser login: only when the app requires the secret for the web server flow.
        secret_label.setText(required_label(self.tr("コンシューマの秘密"), not browser).text())
        self.browser_login_button.setVisible(browser)
        self.eca_help.setVisible(browser)
        self.test_button.setVisible(not browser)  # the browser login tests the connection itself
        self._update_host_hint()

    def _set_row_visible(self, key: str, visible: bool) -> None:
        if key not in self._rows:
            return  # the OAuth tokens have no field: the browser login brings them
        label, field = self._rows[key]
        label.setVisible(visible)
        field.setVisible(visible)

    def _check(self, require_secrets: bool = True) -> tuple[AccountConfig, list[Problem]]:
        """Validate the form (field errors shown under each field); the required secrets must be typed."""
        cleaned, problems = validate_account(self.form_config())
        if cleaned.name and cleaned.name != self.owner.account_name and any(
            account.name == cleaned.name for account in self.context.config.list_accounts()
        ):
            problems.append(Problem("duplicate_name", "name", {"value": cleaned.name}))
        others = _show_field_problems(problems, self.errors, self.context.lang, {"name": self.tr("名前")})
        missing = [kind for kind in REQUIRED_SECRETS[AuthMethod(cleaned.auth_method)]
                   if not self.form_secrets().get(kind)] if cleaned.auth_method in set(AuthMethod) else []
        if not require_secrets or cleaned.auth_method == AuthMethod.OAUTH_BROWSER.value:
            missing = []  # the browser login brings its tokens; 次へ needs a successful login anyway
        for kind in missing:
            self.errors[kind.value].show_message(self._secret_required_text(kind))
        if problems or missing:
            text = "\n".join([self.tr("入力内容を確認してください。"), *others])
            self._show_result(text, ok=False)
            return cleaned, [*problems, *(Problem("required", kind.value) for kind in missing)]
        return cleaned, []

    def _secret_required_text(self, kind: SecretKind) -> str:
        texts = {
            SecretKind.PASSWORD: self.tr("パスワードを入力してください。"),
            SecretKind.CONSUMER_SECRET: self.tr("コンシューマの秘密を入力してください。"),
            SecretKind.PRIVATE_KEY: self.tr("秘密鍵ファイル(PEM)を選択してください。"),
        }
        return texts.get(kind, self.tr("入力してください。"))

    def _problems_text(self, problems: list[Problem]) -> str:
        others = _show_field_problems(problems, self.errors, self.context.lang, {"name": self.tr("名前")})
        return "\n".join([self.tr("保存できませんでした。"), *others])

    def _show_result(self, text: str, *, ok: bool | None) -> None:
        color, background = _RESULT_STYLES[ok]
        self.result_label.setStyleSheet(f"color: {color}; background: {background}; border-radius: 4px; padding: 8px 10px;")
        self.result_label.setText(text)
        self.result_label.show()


# --- 3. 連携設定 --------------------------------------------------------------------------------------------


class WizardSettingPage(_Page):
    """The 基本情報 fields with the same labels as the tab (the account is the one just saved)."""

    def __init__(self, owner: FirstRunWizard) -> None:
        super().__init__(owner)
        self.setTitle(self.tr("連携設定"))
        self.setSubTitle(self.tr("通話をどのレコードに、どのように連携するかを決めます。あとから基本情報タブで変更できます。"))
        self._named = False
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(NAME_MAX)
        self.name_edit.setPlaceholderText(self.tr("例: 本社コールセンター"))
        self.fallback_edit = QLineEdit()
        self.fallback_edit.setPlaceholderText(self.tr("レコードID(15桁/18桁)またはレコードのURL"))
        self.fallback_hint = HintLabel()
        self.fallback_hint.setObjectName("fallbackHint")
        self.consent_check = QCheckBox(self.tr("このアカウントでSalesforce APIを利用することを許諾する"))
        self.consent_hint = HintLabel(
            self.tr("BIZTEL Deskが上記のアカウントでAPIを呼び出し、活動履歴を作成します。ステータスを有効・一時停止にするには許諾が必要です。")
        )
        self.multiple_combo = multiple_match_combo()
        self.no_match_combo = no_match_combo()
        defaults = LinkSettingConfig(name="")
        self.multiple_combo.setCurrentIndex(self.multiple_combo.findData(defaults.on_multiple_match))
        self.no_match_combo.setCurrentIndex(self.no_match_combo.findData(defaults.on_no_match))
        self.task_radio = QRadioButton(self.tr("ToDoを作成"))
        self.case_radio = QRadioButton(self.tr("ケースを作成し、その中にToDoを作成"))
        self.task_radio.setChecked(True)
        self.activity_group = QButtonGroup(self)
        self.activity_group.addButton(self.task_radio)
        self.activity_group.addButton(self.case_radio)
        activity_hint = HintLabel(self.tr("リードやカスタムオブジェクトなどケースを持てないレコードには、ToDoのみ作成します。"))
        self.errors: dict[str, ErrorLabel] = {
            key: ErrorLabel() for key in ("name", "fallback_record_id", "api_consent", "on_multiple_match",
                                          "on_no_match", "activity_mode")
        }
        self.summary_label = ErrorLabel()
        self.summary_label.setObjectName("summaryLabel")

        form = make_form()
        form.addRow(required_label(self.tr("連携名")), field_block(self.name_edit, self.errors["name"]))
        form.addRow(required_label(self.tr("紐付け先特定不可レコード")),
                    field_block(self.fallback_edit, self.fallback_hint, self.errors["fallback_record_id"]))
        form.addRow(required_label(self.tr("API利用許諾")),
                    field_block(self.consent_check, self.consent_hint, self.errors["api_consent"]))
        form.addRow(required_label(self.tr("レコードが複数一致した場合")),
                    field_block(self.multiple_combo, self.errors["on_multiple_match"]))
        form.addRow(required_label(self.tr("レコードが一致しない場合")),
                    field_block(self.no_match_combo, self.errors["on_no_match"]))
        form.addRow(required_label(self.tr("活動履歴")),
                    field_block(_row_widget(self.task_radio, self.case_radio), activity_hint, self.errors["activity_mode"]))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary_label)
        layout.addStretch(1)
        self.fallback_edit.textChanged.connect(self._on_fallback_edit_text_changed)
        self._on_fallback_edit_text_changed(self.fallback_edit.text())

    def initializePage(self) -> None:
        if not self._named:  # a free name the first time; the admin's own name is kept afterwards
            self.name_edit.setText(self.context.config.new_setting_name(self.tr("連携設定")))
            self._named = True

    def form_config(self) -> LinkSettingConfig:
        existing = self.context.config.get_setting(self.owner.setting_name) if self.owner.setting_name else None
        return LinkSettingConfig(
            name=self.name_edit.text(),
            account=self.owner.account_name or "",
            fallback_record_id=self.fallback_edit.text().strip(),
            api_consent=self.consent_check.isChecked(),
            memo=existing.memo if existing else "",
            on_multiple_match=str(self.multiple_combo.currentData()),
            on_no_match=str(self.no_match_combo.currentData()),
            activity_mode=(ActivityMode.CASE_AND_TASK if self.case_radio.isChecked() else ActivityMode.TASK).value,
            status=existing.status if existing else LinkStatus.DISABLED.value,
        )

    def validatePage(self) -> bool:
        """Checked here; stored with the objects and targets on leaving 連携対象, or at once once it exists."""
        self.summary_label.clear_message()
        setting = self.form_config()
        if self.owner.setting_name is None:
            accounts = {account.name for account in self.context.config.list_accounts()}
            cleaned, problems = validate_basic(setting, accounts)
            if cleaned.name in {summary.name for summary in self.context.config.list_settings()}:
                problems.append(Problem("duplicate_name", "name", {"value": cleaned.name}))
        else:
            problems = []
            try:
                saved = self.context.config.save_basic(setting, self.owner.setting_name)
            except ProblemsError as error:
                problems = error.problems
            else:
                self.owner.setting_name = saved.name
        if problems:
            others = _show_field_problems(problems, self.errors, self.context.lang)
            self.summary_label.show_message("\n".join([self.tr("入力内容を確認してください。"), *others]))
            return False
        for label in self.errors.values():
            label.clear_message()
        return True

    def _on_fallback_edit_text_changed(self, text: str) -> None:
        show_fallback_hint(self.fallback_hint, text, self.context.lang)


# --- 4. オブジェクト ----------------------------------------------------------------------------------------


class WizardObjectsPage(_Page):
    """Account, Contact and Lead with checkboxes and priorities; tab name and code filled from describeGlobal."""

    def __init__(self, owner: FirstRunWizard) -> None:
        super().__init__(owner)
        self.setTitle(self.tr("オブジェクト"))
        self.setSubTitle(self.tr("電話番号で検索するオブジェクトです。優先順位の小さいものから検索します。"))
        self._task: DescribeGlobalTask | None = None
        self._fetched_revision = -1  # the account revision whose describeGlobal filled the table
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("objectTable")
        self.table.setHorizontalHeaderLabels(
            [self.tr("API参照名"), self.tr("タブ名"), self.tr("タブコード"), self.tr("優先順位")]
        )
        self.table.verticalHeader().hide()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_API, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_LABEL, QHeaderView.ResizeMode.Stretch)
        for column, width in ((COL_CODE, 120), (COL_PRIORITY, 100)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            self.table.setColumnWidth(column, width)
        self.priority_spins: list[QSpinBox] = []
        for obj in DEFAULT_OBJECTS:
            self._add_object(obj)
        # Exactly as tall as its three rows: no empty band under them.
        self.table.setFixedHeight(
            header.sizeHint().height() + self.table.verticalHeader().length() + 2 * self.table.frameWidth()
        )
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self.fetch_label = HintLabel()
        self.fetch_label.setObjectName("fetchLabel")
        self.fetch_busy = QProgressBar()
        self.fetch_busy.setRange(0, 0)
        self.fetch_busy.setTextVisible(False)
        self.fetch_busy.setMaximumWidth(120)
        self.fetch_busy.hide()
        self.refetch_button = QPushButton(self.tr("再取得"))
        self.refetch_button.hide()
        self.lead_note = HintLabel()
        self.lead_note.setObjectName("leadNote")
        self.lead_note.set_state("error")
        self.lead_note.hide()
        self.error_label = ErrorLabel()
        later = HintLabel(self.tr("カスタムオブジェクトは、あとからオブジェクトタブで追加できます。"))

        fetch_row = QHBoxLayout()
        fetch_row.addWidget(self.fetch_busy)
        fetch_row.addWidget(self.fetch_label, 1)
        fetch_row.addWidget(self.refetch_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(fetch_row)
        layout.addWidget(self.lead_note)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addWidget(later)
        self.refetch_button.clicked.connect(self._on_refetch_button_clicked)
        self.table.itemChanged.connect(self._on_table_item_changed)

    def _add_object(self, obj: LinkObjectConfig) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        api = QTableWidgetItem(obj.api_name)
        api.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
        api.setCheckState(Qt.CheckState.Checked)
        self.table.setItem(row, COL_API, api)
        self.table.setItem(row, COL_LABEL, QTableWidgetItem(obj.tab_name))
        self.table.setItem(row, COL_CODE, QTableWidgetItem(obj.tab_code))
        spin = QSpinBox()
        spin.setRange(1, 99)
        spin.setValue(obj.priority)
        spin.setFrame(False)
        self.table.setCellWidget(row, COL_PRIORITY, spin)
        self.priority_spins.append(spin)

    # --- public ------------------------------------------------------------------------------------------------

    def is_fetching(self) -> bool:
        return self._task is not None

    def is_checked(self, api_name: str) -> bool:
        row = self._row_of(api_name)
        item = self.table.item(row, COL_API) if row >= 0 else None
        return item is not None and item.checkState() == Qt.CheckState.Checked

    def set_checked(self, api_name: str, checked: bool) -> None:
        row = self._row_of(api_name)
        item = self.table.item(row, COL_API) if row >= 0 else None
        if item is not None:
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def objects(self) -> list[LinkObjectConfig]:
        """The checked rows, as the services expect them."""
        chosen = []
        for row in range(self.table.rowCount()):
            api = self.table.item(row, COL_API)
            if api is None or api.checkState() != Qt.CheckState.Checked:
                continue
            label = self.table.item(row, COL_LABEL)
            code = self.table.item(row, COL_CODE)
            chosen.append(LinkObjectConfig(
                api_name=api.text(),
                tab_name=label.text() if label is not None else "",
                tab_code=code.text() if code is not None else "",
                priority=self.priority_spins[row].value(),
            ))
        return chosen

    def initializePage(self) -> None:
        if self._fetched_revision != self.owner.account_revision and not self.is_fetching():
            self._fetch()

    def isComplete(self) -> bool:
        return not self.is_fetching() and bool(self.objects())

    def validatePage(self) -> bool:
        objects = self.objects()
        cleaned, problems = validate_objects(objects)
        if not problems and self.owner.setting_name is not None:
            try:
                self.context.config.save_objects(self.owner.setting_name, cleaned)
            except ProblemsError as error:
                problems = error.problems
        if problems:
            self.error_label.show_message("\n".join(self._problem_line(p, objects) for p in problems))
            return False
        self.error_label.clear_message()
        return True

    # --- slots -------------------------------------------------------------------------------------------------

    def _on_refetch_button_clicked(self) -> None:
        self._fetch()

    def _on_table_item_changed(self, _item: QTableWidgetItem) -> None:
        self.completeChanged.emit()

    def _on_task_succeeded(self, objects: dict[str, GlobalObject]) -> None:
        self._task = None
        self._fetched_revision = self.owner.account_revision
        self.fetch_busy.hide()
        self.refetch_button.hide()
        by_lower = {name.lower(): entry for name, entry in objects.items()}
        hidden: list[str] = []
        for row in range(self.table.rowCount()):
            api = self.table.item(row, COL_API)
            if api is None:
                continue
            entry = by_lower.get(api.text().lower())
            if entry is None or not entry.queryable:
                hidden.append(api.text())
                api.setCheckState(Qt.CheckState.Unchecked)
                continue
            self.table.setItem(row, COL_LABEL, QTableWidgetItem(entry.label))
            self.table.setItem(row, COL_CODE, QTableWidgetItem(entry.key_prefix))
        self.fetch_label.setText(self.tr("Salesforceから取得しました(タブ名とタブコード)。"))
        self.fetch_label.set_state("ok")
        notes = []
        for name in hidden:
            if name.lower() == "lead":
                notes.append(self.tr("このユーザはリード(Lead)にアクセスできないため、リードを対象から外しました。"
                                     "リードも検索するには、Salesforceでユーザのプロファイルにリードの参照権限を付与してください。"))
            else:
                notes.append(self.tr("このユーザは「{name}」にアクセスできないため、対象から外しました。").format(name=name))
        self.lead_note.setText("\n".join(notes))
        self.lead_note.setVisible(bool(notes))
        self.completeChanged.emit()

    def _on_task_failed(self, reason: str) -> None:
        self._task = None
        self.fetch_busy.hide()
        self.refetch_button.show()
        self.fetch_label.setText(
            self.tr("Salesforceから取得できませんでした。表示中の標準の値のまま進めるか、「再取得」をクリックしてください。")
            + "\n" + reason
        )
        self.fetch_label.set_state("error")
        self.completeChanged.emit()

    def _on_task_crashed(self, error: BaseException) -> None:
        self._on_task_failed(self.tr("予期しないエラーが発生しました。"))
        sys.excepthook(type(error), error, error.__traceback__)

    # --- helpers -----------------------------------------------------------------------------------------------

    def _fetch(self) -> None:
        account = self.context.config.get_account(self.owner.account_name or "")
        if account is None:
            return
        task = DescribeGlobalTask(account, self.context.secrets, self.context.lang)
        task.signals.succeeded.connect(self._on_task_succeeded)
        task.signals.failed.connect(self._on_task_failed)
        task.signals.crashed.connect(self._on_task_crashed)
        self._task = task
        self.fetch_busy.show()
        self.refetch_button.hide()
        self.fetch_label.setText(self.tr("Salesforceからタブ名とタブコードを取得しています…"))
        self.fetch_label.set_state("hint")
        self.completeChanged.emit()
        QThreadPool.globalInstance().start(task)

    def _problem_line(self, problem: Problem, objects: list[LinkObjectConfig]) -> str:
        # validate_objects points at "objects[1].priority": name the row the admin sees.
        found = _INDEX.search(problem.path)
        index = int(found.group(1)) if found else -1
        text = problem.text(self.context.lang)
        return f"{objects[index].api_name}: {text}" if 0 <= index < len(objects) else text

    def _row_of(self, api_name: str) -> int:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, COL_API)
            if item is not None and item.text().lower() == api_name.lower():
                return row
        return -1


# --- 5. 連携対象 --------------------------------------------------------------------------------------------


class WizardTargetsPage(_Page):
    """The company's numbers (normalised, invalid ones refused); leaving the page creates the link setting."""

    def __init__(self, owner: FirstRunWizard) -> None:
        super().__init__(owner)
        self.setTitle(self.tr("連携対象"))
        self.setSubTitle(self.tr("連携する会社の電話番号(代表番号やダイヤルイン番号)を追加します。少なくとも1つ必要です。"))
        self.number_edit = QLineEdit()
        self.number_edit.setObjectName("numberEdit")
        self.number_edit.setPlaceholderText(self.tr("例: 03-1234-5678"))
        self.add_button = QPushButton(self.tr("追加"))
        self.add_button.setObjectName("addButton")
        self.number_error = ErrorLabel()
        self.number_error.setObjectName("numberError")
        self.number_hint = HintLabel()
        self.number_hint.hide()
        self.number_list = QListWidget()
        self.number_list.setObjectName("numberList")
        self.number_list.setMaximumHeight(220)
        self.remove_button = QPushButton(self.tr("削除"))
        self.remove_button.setEnabled(False)
        self.error_label = ErrorLabel()
        self.error_label.setObjectName("targetsError")

        add_row = QHBoxLayout()
        add_row.addWidget(self.number_edit, 1)
        add_row.addWidget(self.add_button)
        list_buttons = QHBoxLayout()
        list_buttons.addStretch(1)
        list_buttons.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("電話番号")))
        layout.addLayout(add_row)
        layout.addWidget(self.number_error)
        layout.addWidget(self.number_hint)
        layout.addWidget(self.number_list, 1)
        layout.addLayout(list_buttons)
        layout.addWidget(self.error_label)
        # 既定の発信番号: the company number of outbound calls whose PBX did not record the caller ID (Asterisk
        # writes the extension as src); without one those calls stay 対象外 (既定の発信番号なし).
        self.default_combo = QComboBox()
        self.default_combo.setObjectName("defaultOutboundCombo")
        self.default_combo.addItem(self.tr("なし"), "")
        self.default_hint = HintLabel(self.tr(
            "交換機が発信者番号を記録しない発信通話(Asterisk の src が内線番号など)は、この番号からの発信として連携します。"
            "なしにすると、そうした発信通話は連携されず「対象外」になります。"))
        # 録音サーバ: where the Task's 録音再生 link points (システム設定 録音サーバURL).
        self.recording_edit = QLineEdit()
        self.recording_edit.setObjectName("recordingServerEdit")
        self.recording_edit.setPlaceholderText(self.tr("例: https://s0000.u.biztel.jp:8000"))
        self.recording_edit.setText(self.context.config.system().recording_server_url)
        self.recording_hint = HintLabel(self.tr(
            "活動の「録音再生」リンクの接続先です(BIZTELの管理画面のURL)。あとからシステム設定で変更できます。"))
        self.recording_error = ErrorLabel()
        self.recording_error.setObjectName("recordingError")
        extra = make_form()
        extra.addRow(QLabel(self.tr("既定の発信番号")), field_block(self.default_combo, self.default_hint))
        extra.addRow(QLabel(self.tr("録音サーバURL")), field_block(self.recording_edit, self.recording_hint,
                                                                  self.recording_error))
        layout.addLayout(extra)
        layout.addStretch(1)
        layout.addWidget(HintLabel(self.tr("通話を取り込むと、使われた番号が連携対象タブに自動で追加されます(チェックは手動で入れます)。")))

        self.add_button.clicked.connect(self._on_add_button_clicked)
        # Enter in the number field adds the number; it must not also press the wizard's default 次へ button.
        self.number_edit.installEventFilter(self)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        self.number_list.currentRowChanged.connect(self._on_number_list_current_row_changed)

    # --- public ------------------------------------------------------------------------------------------------

    def numbers(self) -> list[str]:
        return [self.number_list.item(row).text() for row in range(self.number_list.count())]

    def add_number(self, text: str) -> bool:
        """Add a number as the admin typed it: shown normalised (03-1234-5678); False with the reason if refused."""
        region = self.context.config.system().default_region
        e164, problem = validate_target_number(text, region)
        if problem is None and e164 in self._e164s():
            problem = Problem("phone_duplicate", "number", {"value": text.strip()})
        if problem is not None:
            self.number_error.show_message(problem.text(self.context.lang))
            self.number_hint.hide()
            return False
        assert e164 is not None
        shown = phone.national_format(e164)
        item = QListWidgetItem(shown, self.number_list)
        item.setData(Qt.ItemDataRole.UserRole, e164)
        item.setToolTip(e164)
        self.number_error.clear_message()
        self.number_hint.setText(self.tr("{shown}({e164})を追加しました。").format(shown=shown, e164=e164))
        self.number_hint.set_state("ok")
        self.number_hint.show()
        self._fill_default_combo()
        self.completeChanged.emit()
        return True

    def default_outbound(self) -> str:
        """The number chosen as 既定の発信番号 (as listed), or ""."""
        return str(self.default_combo.currentData() or "")

    def _fill_default_combo(self) -> None:
        chosen = self.default_outbound()
        self.default_combo.blockSignals(True)
        self.default_combo.clear()
        self.default_combo.addItem(self.tr("なし"), "")
        for number in self.numbers():
            self.default_combo.addItem(number, number)
        index = self.default_combo.findData(chosen)
        self.default_combo.setCurrentIndex(max(index, 0))
        self.default_combo.blockSignals(False)

    def isComplete(self) -> bool:
        return self.number_list.count() > 0

    def validatePage(self) -> bool:
        """次へ: a new link setting is created here with its objects and targets, in one transaction."""
        default = self.default_outbound()
        targets = [LinkTargetConfig(number, default_outbound=number == default) for number in self.numbers()]
        config = self.context.config
        url = self.recording_edit.text().strip()
        if url != config.system().recording_server_url:
            try:
                config.save_system({"recording_server_url": url})
            except ProblemsError as error:
                self.recording_error.show_message("\n".join(p.text(self.context.lang) for p in error.problems))
                return False
        self.recording_error.clear_message()
        try:
            if self.owner.setting_name is None:
                setting = replace(
                    self.owner.setting_page.form_config(),
                    objects=tuple(self.owner.objects_page.objects()),
                    targets=tuple(targets),
                )
                saved = config.save_basic(setting)
                self.owner.setting_name = saved.name
            else:
                config.save_targets(self.owner.setting_name, targets)
        except ProblemsError as error:
            self.error_label.show_message(
                "\n".join([self.tr("保存できませんでした。"), error.text(self.context.lang)]))
            return False
        self.error_label.clear_message()
        return True

    # --- slots -------------------------------------------------------------------------------------------------

    def _on_add_button_clicked(self) -> None:
        if self.add_number(self.number_edit.text()):
            self.number_edit.clear()
        self.number_edit.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.number_edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self._on_add_button_clicked()
            return True
        return super().eventFilter(watched, event)

    def _on_remove_button_clicked(self) -> None:
        row = self.number_list.currentRow()
        if row >= 0:
            self.number_list.takeItem(row)
            self.number_hint.hide()
            self._fill_default_combo()
            self.completeChanged.emit()

    def _on_number_list_current_row_changed(self, row: int) -> None:
        self.remove_button.setEnabled(row >= 0)

    def _e164s(self) -> set[str]:
        return {str(self.number_list.item(row).data(Qt.ItemDataRole.UserRole)) for row in range(self.number_list.count())}


# --- 6. 設定確認 --------------------------------------------------------------------------------------------


class WizardVerifyPage(_Page):
    """Runs 設定確認 on the saved setting in the background and lists the lines; 戻る to fix, then again."""

    def __init__(self, owner: FirstRunWizard) -> None:
        super().__init__(owner)
        self.setTitle(self.tr("設定確認"))
        self.setSubTitle(self.tr("保存した連携設定で連携できるかをSalesforceで確認します(書き込みは行いません)。"))
        self.runner = VerifyRunner(self.context, self, interactive=False)
        self._again = False  # the admin came back while a verification was still running
        self.busy_label = QLabel()
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.title_label = QLabel()
        self.title_label.setObjectName("verifyTitle")
        self.title_label.setWordWrap(True)
        self.title_label.setStyleSheet("font-weight: bold;")
        self.lines_widget = QWidget()
        self.lines_layout = QVBoxLayout(self.lines_widget)
        self.lines_layout.setContentsMargins(0, 0, 0, 0)
        self.lines_layout.setSpacing(8)
        self.lines_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.lines_widget)
        self.advice_label = HintLabel(
            self.tr("問題があれば「戻る」で修正するか、Salesforce側を準備してから「もう一度確認」をクリックしてください。"
                    "問題が残っていても先に進めますが、連携は無効のままにすることをお勧めします。")
        )
        self.again_button = QPushButton(self.tr("もう一度確認"))
        self.checklist_button = QPushButton(self.tr("Salesforce側チェックリスト…"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.checklist_button)
        buttons.addStretch(1)
        buttons.addWidget(self.again_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.busy_label)
        layout.addWidget(self.busy_bar)
        layout.addWidget(self.title_label)
        layout.addWidget(scroll, 1)
        layout.addWidget(_separator())
        layout.addWidget(self.advice_label)
        layout.addLayout(buttons)
        self.runner.finished.connect(self._on_runner_finished)
        self.runner.failed.connect(self._on_runner_failed)
        self.again_button.clicked.connect(self._on_again_button_clicked)
        self.checklist_button.clicked.connect(self._on_checklist_button_clicked)

    def is_running(self) -> bool:
        return self.runner.is_running()

    def lines(self) -> list[str]:
        return [label.text() for label in self.lines_widget.findChildren(QLabel, "verifyLine")]

    def initializePage(self) -> None:
        self._start()

    def isComplete(self) -> bool:
        return not self.is_running()

    def _start(self) -> None:
        name = self.owner.setting_name
        if name is None:
            return
        self.owner.last_report = None
        self._clear_lines()
        self.title_label.hide()
        self.advice_label.hide()
        self.busy_label.setText(self.tr("「{name}」の設定をSalesforceで確認しています…").format(name=name))
        self.busy_label.show()
        self.busy_bar.show()
        self.again_button.setEnabled(False)
        self.checklist_button.setEnabled(False)
        if not self.runner.run(name):
            self._again = True  # the previous run finishes first, then this one starts
        self.completeChanged.emit()

    def _on_runner_finished(self, report: VerificationReport) -> None:
        if self._again:
            self._again = False
            self._start()
            return
        self.owner.last_report = report
        self._stop_busy()
        lang = self.context.lang
        if report.ok:  # the one line 正しく設定されています says it all
            self.title_label.hide()
            first, *warnings = report.lines(lang)  # then any 注意 (warning) lines
            self._add_line("✓", OK_COLOR, first, bold=True)
            for line in warnings:
                self._add_line("!", WARNING_COLOR, line)
        else:
            self.title_label.setText(self.tr("{count}件の問題が見つかりました。").format(count=len(report.lines(lang))))
            self.title_label.setStyleSheet(f"font-weight: bold; color: {ERROR_COLOR};")
            self.title_label.show()
            for line in report.lines(lang):
                self._add_line("✗", ERROR_COLOR, line)
        self.advice_label.setVisible(not report.ok)
        self.checklist_button.setVisible(not report.ok)
        self.completeChanged.emit()

    def _on_runner_failed(self, reason: str) -> None:
        if self._again:
            self._again = False
            self._start()
            return
        self._stop_busy()
        self.title_label.setText(self.tr("設定確認を実行できませんでした。"))
        self.title_label.setStyleSheet(f"font-weight: bold; color: {ERROR_COLOR};")
        self.title_label.show()
        self.advice_label.show()
        self.checklist_button.hide()
        self._add_line("✗", ERROR_COLOR, reason)
        self.completeChanged.emit()

    def _on_again_button_clicked(self) -> None:
        self._start()

    def _on_checklist_button_clicked(self) -> None:
        from biztel_desk.ui.dialogs.checklist_dialog import ChecklistDialog

        dialog = ChecklistDialog(self.context, self, setting_name=self.owner.setting_name, report=self.owner.last_report)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _stop_busy(self) -> None:
        self.busy_label.hide()
        self.busy_bar.hide()
        self.again_button.setEnabled(True)
        self.checklist_button.setEnabled(True)

    def _add_line(self, mark: str, color: str, text: str, bold: bool = False) -> None:
        self.lines_layout.insertWidget(self.lines_layout.count() - 1, verify_line_row(mark, color, text, bold))

    def _clear_lines(self) -> None:
        while self.lines_layout.count() > 1:
            item = self.lines_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
                widget.setParent(None)


# --- 7. 有効化 ----------------------------------------------------------------------------------------------


class WizardEnablePage(_Page):
    """Enable linking now (set_status enabled) or leave the setting 無効; 完了 applies the choice."""

    def __init__(self, owner: FirstRunWizard) -> None:
        super().__init__(owner)
        self.setTitle(self.tr("有効化"))
        self.setSubTitle(self.tr("設定が保存されました。連携をすぐに始めるかどうかを選んで「完了」をクリックしてください。"))
        self.summary_label = QLabel()
        self.summary_label.setObjectName("enableSummary")
        self.summary_label.setWordWrap(True)
        self.enable_radio = QRadioButton(self.tr("今すぐ有効にする"))
        self.enable_radio.setObjectName("enableRadio")
        enable_hint = HintLabel(self.tr("連携対象の番号の通話を、Salesforceの活動履歴に連携し始めます。"))
        self.disable_radio = QRadioButton(self.tr("無効のままにする"))
        self.disable_radio.setObjectName("disableRadio")
        disable_hint = HintLabel(self.tr("あとから基本情報タブの録音連携ステータスで有効にできます。無効の間の通話は連携されません。"))
        self.group = QButtonGroup(self)
        self.group.addButton(self.enable_radio)
        self.group.addButton(self.disable_radio)
        self.consent_note = ErrorLabel()
        self.consent_note.setObjectName("consentNote")
        self.error_label = ErrorLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addSpacing(8)
        layout.addWidget(self.enable_radio)
        layout.addWidget(_indented(enable_hint))
        layout.addWidget(self.disable_radio)
        layout.addWidget(_indented(disable_hint))
        layout.addWidget(self.consent_note)
        layout.addWidget(self.error_label)
        layout.addStretch(1)

    def initializePage(self) -> None:
        setting = self.context.config.get_setting(self.owner.setting_name or "")
        consent = bool(setting and setting.api_consent)
        report = self.owner.last_report
        lines = [self.tr("Salesforceアカウント「{account}」と連携設定「{setting}」を保存しました。").format(
            account=self.owner.account_name or "", setting=self.owner.setting_name or "")]
        if setting is not None:
            lines.append(self.tr("オブジェクト: {objects} / 連携対象: {targets}").format(
                objects="、".join(o.api_name for o in sorted(setting.objects, key=lambda o: o.priority)),
                targets="、".join(t.number for t in setting.targets)))
        if report is None:
            lines.append(self.tr("設定確認: 未完了"))
        elif report.ok:
            lines.append(self.tr("設定確認: 問題はありません"))
        else:
            lines.append(self.tr("設定確認: {count}件の問題があります(基本情報タブの「設定確認」で再確認できます)").format(
                count=len(report.lines(self.context.lang))))
        self.summary_label.setText("\n".join(lines))
        self.enable_radio.setEnabled(consent)
        self.consent_note.show_message(
            "" if consent else self.tr("API利用許諾がチェックされていないため、有効にできません。"
                                       "有効にするには「戻る」で連携設定ページに戻り、API利用許諾にチェックを入れてください。")
        )
        if consent and report is not None and report.ok:
            self.enable_radio.setChecked(True)
        else:
            self.disable_radio.setChecked(True)

    def validatePage(self) -> bool:
        name = self.owner.setting_name
        if name is None:
            return False
        status = LinkStatus.ENABLED if self.enable_radio.isChecked() else LinkStatus.DISABLED
        try:
            self.context.config.set_status(name, status)
        except ProblemsError as error:
            self.error_label.show_message(error.text(self.context.lang))
            return False
        return True


def _indented(widget: QWidget) -> QWidget:
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(24, 0, 0, 6)
    layout.addWidget(widget, 1)
    return box
