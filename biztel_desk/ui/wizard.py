"""First-run wizard (issue #6): try the demo, or connect Salesforce step by step up to an enabled link setting.

The wizard keeps the flow only; its pages embed the editors of the window: ``AccountForm``, the 基本情報 tab's
``BasicForm``, the オブジェクト and 連携対象 models, and 設定確認's ``VerifyLines``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCommandLinkButton,
    QDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QWidget,
    QWizard,
    QWizardPage,
)

from biztel_desk.domain import phone
from biztel_desk.domain.config import (
    DEFAULT_OBJECTS,
    AccountConfig,
    AuthMethod,
    LinkObjectConfig,
    LinkSettingConfig,
    LinkStatus,
    LinkTargetConfig,
    SecretKind,
    validate_objects,
)
from biztel_desk.domain.errors import error_text
from biztel_desk.domain.messages import Problem, ProblemsError
from biztel_desk.services import first_run, salesforce_access
from biztel_desk.services.context import AppContext
from biztel_desk.services.verification import VerificationReport
from biztel_desk.ui.account_form import AccountFlow, AccountForm, report_lines, run_job, system_browser
from biztel_desk.ui.crash import save_or_say
from biztel_desk.ui.dialogs.verify_dialog import VerifyLines, VerifyRunner
from biztel_desk.ui.models.objects_model import ObjectsModel
from biztel_desk.ui.models.targets_model import ALIASES, CHECK, TargetsModel
from biztel_desk.ui.setting_tables import rows_view
from biztel_desk.ui.tabs.basic_tab import BasicForm
from biztel_desk.ui.tabs.objects_tab import objects_view
from biztel_desk.ui.tasks import Jobs
from biztel_desk.ui.widgets import (
    ErrorLabel,
    HintLabel,
    busy_bar,
    column,
    field_block,
    make_form,
    row,
    separator,
    text_label,
)

if TYPE_CHECKING:  # the Salesforce client (requests, simple_salesforce) loads at the first 接続テスト
    from biztel_desk.services.salesforce_access import ConnectionReport

PAGE_WELCOME, PAGE_ACCOUNT, PAGE_SETTING, PAGE_OBJECTS, PAGE_TARGETS, PAGE_VERIFY, PAGE_ENABLE = range(7)
Choice = Literal["demo", "connect"]


# --- the wizard --------------------------------------------------------------------------------------------


class FirstRunWizard(QWizard):
    """ようこそ → アカウント → 連携設定 → オブジェクト → 連携対象 → 設定確認 → 有効化.

    ``choice`` is ``"demo"`` (and ``demo_requested`` was emitted) when the admin picked デモを試す, ``"connect"``
    once they started the Salesforce path, None while nothing was chosen. Everything is saved through the
    services as the admin leaves each page: the account on leaving アカウント, the link setting with its
    objects and targets on leaving 連携対象 (later visits to earlier pages update it). ``setting_ready(name)``
    follows 完了. Once the Salesforce path was started, キャンセル, Escape and closing the window ask first.
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
        self.discard_box: QMessageBox | None = None  # 閉じますか? while it is open
        self.discard_button: QPushButton | None = None
        self.setObjectName("firstRunWizard")
        self.setWindowTitle(self.tr("BIZTEL Desk をはじめる"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        for button, text in ((QWizard.WizardButton.BackButton, self.tr("戻る")),
                             (QWizard.WizardButton.NextButton, self.tr("次へ")),
                             (QWizard.WizardButton.FinishButton, self.tr("完了")),
                             (QWizard.WizardButton.CancelButton, self.tr("キャンセル"))):
            self.setButtonText(button, text)
        self.welcome_page = WizardWelcomePage(self)
        self.account_page = WizardAccountPage(self)
        self.setting_page = WizardSettingPage(self)
        self.objects_page = WizardObjectsPage(self)
        self.targets_page = WizardTargetsPage(self)
        self.verify_page = WizardVerifyPage(self)
        self.enable_page = WizardEnablePage(self)
        pages = (self.welcome_page, self.account_page, self.setting_page, self.objects_page, self.targets_page,
                 self.verify_page, self.enable_page)
        for page_id, page in enumerate(pages):  # in the order of PAGE_WELCOME … PAGE_ENABLE
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

    def accept(self) -> None:
        super().accept()
        if self._choice == "connect" and self.setting_name:
            self.setting_ready.emit(self.setting_name)

    def reject(self) -> None:
        """キャンセル, Escape and the window's close button: once the Salesforce path was started, ask first (a box
        that does not block: a closing test or window is not held up); キャンセル in it keeps the wizard."""
        if self._choice != "connect" or not self.isVisible():
            super().reject()
        elif self.discard_box is None:
            box = QMessageBox(QMessageBox.Icon.Question, self.tr("セットアップウィザードを閉じる"), self.tr(
                "ウィザードを閉じますか?このページの入力は破棄されます。保存済みのアカウントと連携設定は残り、"
                "あとからヘルプメニューの「はじめに(セットアップウィザード)」で続けられます。"), parent=self)
            self.discard_button = box.addButton(self.tr("破棄して閉じる"), QMessageBox.ButtonRole.DestructiveRole)
            box.setDefaultButton(box.addButton(self.tr("キャンセル"), QMessageBox.ButtonRole.RejectRole))
            box.buttonClicked.connect(self._on_discard_box_button_clicked)
            self.discard_box = box
            box.open()

    def _on_discard_box_button_clicked(self, button: object) -> None:
        self.discard_box = None
        if button is self.discard_button:
            super().reject()


class _Page(QWizardPage):
    """A page that knows its wizard (QWizardPage.wizard() is None until the page is added)."""

    def __init__(self, owner: FirstRunWizard, title: str, subtitle: str) -> None:
        super().__init__(owner)
        self.owner = owner
        self.context = owner.context
        self.setTitle(title)
        self.setSubTitle(subtitle)

    def saved(self, save: Callable[[], object], show_problems: Callable[[list[Problem]], object], say: ErrorLabel) -> bool:
        """Whether ``save`` saved; if not, the reason is shown: the input's problems, or in ``say`` a known failure
        such as a locked database (the page stays as it is)."""

        def run() -> bool:
            save()
            return True

        return bool(save_or_say(run, show_problems, say.show_message, self.context.lang, self.context.database.location))


# --- 1. ようこそ --------------------------------------------------------------------------------------------


class WizardWelcomePage(_Page):
    def __init__(self, owner: FirstRunWizard) -> None:
        super().__init__(owner, self.tr("BIZTEL Desk へようこそ"), self.tr(
            "電話の通話履歴と録音を、Salesforceの活動履歴に自動で連携します。まずはどちらかを選んでください。"))
        self.demo_button = _choice_button("demoButton", self.tr("デモを試す"), self.tr(
            "Salesforce不要。サンプルの組織と通話で、通話が活動履歴として連携される様子をすぐに確認できます。"
            "実際のデータには触れません。"))
        self.connect_button = _choice_button("connectButton", self.tr("Salesforceに接続"), self.tr(
            "お使いのSalesforce組織に接続し、連携設定・オブジェクト・連携対象の電話番号を順に設定して、"
            "設定確認まで行います(5分ほどかかります)。"))
        note = HintLabel(
            self.tr("この画面はあとからメニューでも開けます。Salesforceへの接続は、デモを試した後でも行えます。")
        )
        steps = text_label(
            self.tr("1. 連携対象の電話番号で通話が終わると、BIZTEL Deskが通話履歴を受け取ります。\n"
                    "2. 相手の電話番号でSalesforceの取引先・取引先責任者・リードなどを検索します。\n"
                    "3. 見つかったレコードに活動履歴(ToDo)を作成し、録音を再生できるリンクを付けます。")
        )
        layout = column(self.demo_button, self.connect_button, separator(), text_label(self.tr("しくみ"), bold=True),
                        steps, 1, note, parent=self)
        layout.setSpacing(14)
        layout.insertSpacing(0, 6)
        layout.insertSpacing(3, 8)  # a little more room above the separator
        self.demo_button.clicked.connect(self._on_demo_button_clicked)
        self.connect_button.clicked.connect(self._on_connect_button_clicked)

    def isComplete(self) -> bool:
        # 次へ only after 「Salesforceに接続」 was chosen once (coming back from the account page).
        return self.owner.choice == "connect"

    def _on_demo_button_clicked(self) -> None:
        self.owner.choose_demo()

    def _on_connect_button_clicked(self) -> None:
        self.owner.choose_connect()


def _choice_button(name: str, title: str, description: str) -> QCommandLinkButton:
    button = QCommandLinkButton(title, description)
    button.setObjectName(name)
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
    return button


# --- 2. アカウント ------------------------------------------------------------------------------------------


class WizardAccountPage(_Page):
    """The connection and its secrets (``AccountForm``); 次へ only after a test that succeeded with these values.

    The test logs in with the typed secrets from a throw-away store: nothing is saved before 次へ.
    """

    def __init__(self, owner: FirstRunWizard) -> None:
        super().__init__(owner, self.tr("Salesforceアカウント"), self.tr(
            "連携に使うSalesforceのユーザでログインします。「ブラウザでログイン」または「接続テスト」に成功すると「次へ」に進めます。"))
        self._testing_fingerprint: tuple[Any, ...] | None = None
        self._tested_fingerprint: tuple[Any, ...] | None = None  # the values of the last successful test
        self._oauth_tokens: dict[SecretKind, str] = {}  # from the browser login, saved to the keyring on 次へ
        # How the browser is opened (tests: a scripted HTTP client) and the callback ports (tests: (0,)).
        self.open_browser: Callable[[str], object] = system_browser
        self.callback_ports: tuple[int, ...] | None = None
        # The browser login tests the connection itself; a new account has no login state yet.
        self.form = AccountForm(self.context.lang, self, tests_browser_accounts=False, show_login_state=False)
        self.flow = AccountFlow(self.context, self.form)
        column(self.form, parent=self, margins=0)
        self.form.test_button.clicked.connect(self._on_test_button_clicked)
        self.form.browser_login_button.clicked.connect(self._on_browser_login_button_clicked)
        self.form.edited.connect(self._on_form_edited)
        self.flow.ended.connect(self.completeChanged)

    # --- public ------------------------------------------------------------------------------------------------

    def form_secrets(self) -> dict[SecretKind, str]:
        """The method's secrets as typed, the browser login's tokens included; an empty security token is valid."""
        secrets = self.form.typed_secrets()
        if self.form.method() == AuthMethod.OAUTH_BROWSER.value:
            secrets.update(self._oauth_tokens)
        return secrets

    def is_testing(self) -> bool:
        return self.flow.running is not None

    def cleanupPage(self) -> None:
        self.flow.stop()  # 戻る while the browser is open: stop waiting for it
        super().cleanupPage()

    def is_tested(self) -> bool:
        return self._tested_fingerprint is not None and self._tested_fingerprint == self._fingerprint()

    def isComplete(self) -> bool:
        return not self.is_testing() and self.is_tested()

    def validatePage(self) -> bool:
        """次へ: the tested account and its secrets are saved (secrets to the keyring only)."""
        if self._check(require_secrets=True) is None:
            return False
        saved = self.flow.save(self.owner.account_name, self.form_secrets())
        if saved is None:
            return False
        self.owner.account_name = saved.name
        self.owner.account_revision += 1
        return True

    # --- slots -------------------------------------------------------------------------------------------------

    def _on_test_button_clicked(self) -> None:
        cleaned = self._check(require_secrets=True)
        if cleaned is not None:
            call = partial(salesforce_access.check_typed_connection, self.context.config, cleaned, self.form_secrets())
            self._started()
            self.flow.test(call, self._on_tested, self._on_failed)

    def _on_browser_login_button_clicked(self) -> None:
        cleaned = self._check()
        if cleaned is not None:
            self._oauth_tokens = {}
            call = partial(salesforce_access.sign_in_typed, self.context.config, cleaned, self.form.typed_secrets())
            self._started()
            self.flow.sign_in(call, self._on_signed_in, self._on_failed, open_browser=self.open_browser,
                              ports=self.callback_ports)

    def _on_tested(self, report: ConnectionReport) -> None:
        self._succeeded(report_lines(report, self.context.lang),
                        self.tr("テスト中に入力が変更されました。もう一度「接続テスト」を実行してください。"))

    def _on_signed_in(self, result: tuple[ConnectionReport, dict[SecretKind, str]]) -> None:
        report, self._oauth_tokens = result
        self._succeeded([self.tr("ログインしました。「次へ」でトークンをOSのキーリングに保存します。"),
                         *report_lines(report, self.context.lang)],
                        self.tr("ログイン中に入力が変更されました。もう一度「ブラウザでログイン」を押してください。"))

    def _on_failed(self) -> None:
        self._tested_fingerprint = None

    def _on_form_edited(self) -> None:
        if self._tested_fingerprint is not None and not self.is_tested() and not self.is_testing():
            self.form.show_message(self.tr("入力が変更されました。もう一度「接続テスト」を実行してください。"))
            self._tested_fingerprint = None
            self._oauth_tokens = {}  # tokens of another host or app: sign in again
        self.completeChanged.emit()

    # --- helpers -----------------------------------------------------------------------------------------------

    def _started(self) -> None:
        """A test or a sign-in starts (``flow`` runs it): it tests the values shown now."""
        self._testing_fingerprint = self._fingerprint()
        self._tested_fingerprint = None
        self.completeChanged.emit()

    def _succeeded(self, lines: list[str], changed: str) -> None:
        self._tested_fingerprint = self._testing_fingerprint
        if not self.is_tested():
            lines.append(changed)
        self.form.show_message("\n".join(lines), ok=True)

    def _fingerprint(self) -> tuple[Any, ...]:
        return (self.form.form_config(), tuple(sorted(self.form.typed_secrets().items())))

    def _check(self, require_secrets: bool = False) -> AccountConfig | None:
        """Validate the form (problems shown under the fields); with ``require_secrets`` they must be typed."""
        found = self.context.config.check_account(self.form.form_config(), self.owner.account_name)
        return self.flow.checked(found, self.form.missing_secrets() if require_secrets else [])


# --- 3. 連携設定 --------------------------------------------------------------------------------------------


class WizardSettingPage(_Page):
    """The 基本情報 tab's form (``BasicForm``); the account is the one just saved."""

    def __init__(self, owner: FirstRunWizard) -> None:
        super().__init__(owner, self.tr("連携設定"), self.tr(
            "通話をどのレコードに、どのように連携するかを決めます。あとから基本情報タブで変更できます。"))
        self._named = False
        self.form = BasicForm(self.context, self, with_account=False)
        self.form.fill(LinkSettingConfig(name=""))  # the defaults
        self.summary_label = ErrorLabel()
        self.summary_label.setObjectName("summaryLabel")
        column(self.form, self.summary_label, 1, parent=self)

    def initializePage(self) -> None:
        if not self._named:  # a free name the first time; the admin's own name is kept afterwards
            self.form.name_edit.setText(self.context.config.new_setting_name(self.tr("連携設定")))
            self._named = True

    def form_config(self) -> LinkSettingConfig:
        existing = self.context.config.get_setting(self.owner.setting_name) if self.owner.setting_name else None
        base = existing or LinkSettingConfig(name="", status=LinkStatus.DISABLED.value)
        return replace(base, **{**self.form.values(), "account": self.owner.account_name or ""})

    def validatePage(self) -> bool:
        """Checked here; stored with the objects and targets on leaving 連携対象, or at once once it exists."""
        self.summary_label.clear_message()
        setting = self.form_config()
        if self.owner.setting_name is None:
            problems = self.context.config.check_new_basic(setting)
            if problems:
                self._show_problems(problems)
                return False
        else:

            def save() -> None:
                self.owner.setting_name = self.context.config.save_basic(setting, self.owner.setting_name).name

            if not self.saved(save, self._show_problems, self.summary_label):
                return False
        self.form.clear_problems()
        return True

    def _show_problems(self, problems: list[Problem]) -> None:
        others = self.form.show_problems(problems)
        self.summary_label.show_message("\n".join([self.tr("入力内容を確認してください。"), *others]))


# --- 4. オブジェクト ----------------------------------------------------------------------------------------


class WizardObjectsPage(_Page):
    """The オブジェクト tab's table (``ObjectsModel``) with a checkbox per object; tab names and codes from describeGlobal."""

    def __init__(self, owner: FirstRunWizard) -> None:
        super().__init__(owner, self.tr("オブジェクト"),
                         self.tr("電話番号で検索するオブジェクトです。優先順位の小さいものから検索します。"))
        self.jobs = Jobs(self)
        self._fetching = False
        self._fetched_revision = -1  # the account revision whose describeGlobal filled the table
        self.model = ObjectsModel(self)
        self.model.set_checkable(True)
        self.model.set_objects(DEFAULT_OBJECTS)
        self.table = objects_view(self.model, self)
        # Exactly as tall as its rows: no empty band under them.
        self.table.setFixedHeight(self.table.horizontalHeader().sizeHint().height()
                                  + self.table.verticalHeader().length() + 2 * self.table.frameWidth())
        self.fetch_label = HintLabel()
        self.fetch_label.setObjectName("fetchLabel")
        self.fetch_busy = busy_bar(120, visible=False)
        self.refetch_button = QPushButton(self.tr("再取得"))
        self.refetch_button.hide()
        self.lead_note = HintLabel()
        self.lead_note.setObjectName("leadNote")
        self.lead_note.set_state("error")
        self.lead_note.hide()
        self.error_label = ErrorLabel()
        later = HintLabel(self.tr("カスタムオブジェクトは、あとからオブジェクトタブで追加できます。"))
        column(self.table, row(self.fetch_busy, (self.fetch_label, 1), self.refetch_button), self.lead_note,
               self.error_label, 1, later, parent=self)
        self.refetch_button.clicked.connect(self._on_refetch_button_clicked)
        self.model.edited.connect(self.completeChanged)

    # --- public ------------------------------------------------------------------------------------------------

    def is_fetching(self) -> bool:
        return self._fetching

    def objects(self) -> list[LinkObjectConfig]:
        """The checked rows, as the services expect them."""
        return self.model.checked_objects()

    def initializePage(self) -> None:
        if self._fetched_revision != self.owner.account_revision and not self.is_fetching():
            self._fetch()

    def isComplete(self) -> bool:
        return not self.is_fetching() and bool(self.objects())

    def validatePage(self) -> bool:
        objects = self.objects()
        cleaned, problems = validate_objects(objects)
        show = partial(self._show_problems, objects)
        if problems:
            show(problems)
            return False
        name = self.owner.setting_name
        if name is not None and not self.saved(lambda: self.context.config.save_objects(name, cleaned), show,
                                               self.error_label):
            return False
        self.error_label.clear_message()
        return True

    # --- slots -------------------------------------------------------------------------------------------------

    def _on_refetch_button_clicked(self) -> None:
        self._fetch()

    async def _describe(self, account: AccountConfig) -> None:
        objects = await asyncio.to_thread(salesforce_access.describe_global, account, self.context.secrets)
        self._fetched_revision = self.owner.account_revision
        self.refetch_button.hide()
        entries, notes = first_run.described_rows(self.model.objects(), objects, self.context.lang)
        for index, entry in enumerate(entries):
            if entry is None:  # the user cannot search it: left out, and the admin told why
                self.model.set_checked(index, False)
            else:
                self.model.fill_from_describe(index, entry.label, entry.key_prefix)
        self.fetch_label.setText(self.tr("Salesforceから取得しました(タブ名とタブコード)。"))
        self.fetch_label.set_state("ok")
        self.lead_note.setText("\n".join(notes))
        self.lead_note.setVisible(bool(notes))

    def _on_describe_failed(self, error: BaseException) -> None:
        self.refetch_button.show()
        self.fetch_label.setText(
            self.tr("Salesforceから取得できませんでした。表示中の標準の値のまま進めるか、「再取得」をクリックしてください。")
            + "\n" + error_text(error, self.context.lang)
        )
        self.fetch_label.set_state("error")

    def _on_describe_end(self) -> None:
        self._fetching = False
        self.fetch_busy.hide()
        if self._fetched_revision != self.owner.account_revision:  # failed, or a bug went to the crash path
            self.refetch_button.show()
        self.completeChanged.emit()

    # --- helpers -----------------------------------------------------------------------------------------------

    def _fetch(self) -> None:
        account = self.context.config.get_account(self.owner.account_name or "")
        if account is None:
            return
        self._fetching = True
        self.fetch_busy.show()
        self.refetch_button.hide()
        self.fetch_label.setText(self.tr("Salesforceからタブ名とタブコードを取得しています…"))
        self.fetch_label.set_state("hint")
        self.completeChanged.emit()
        run_job(self.jobs, "describe", self._describe(account), self._on_describe_failed, self._on_describe_end)

    def _show_problems(self, objects: list[LinkObjectConfig], problems: list[Problem]) -> None:
        self.error_label.show_message("\n".join(first_run.object_problem_lines(problems, objects, self.context.lang)))


# --- 5. 連携対象 --------------------------------------------------------------------------------------------


class WizardTargetsPage(_Page):
    """The company's numbers in the 連携対象 tab's model (normalised, invalid ones refused) with the 既定の発信番号
    mark; leaving the page creates the link setting."""

    def __init__(self, owner: FirstRunWizard) -> None:
        super().__init__(owner, self.tr("連携対象"), self.tr(
            "連携する会社の電話番号(代表番号やダイヤルイン番号)を追加します。少なくとも1つ必要です。"))
        system = self.context.config.system()
        self.number_edit = QLineEdit()
        self.number_edit.setObjectName("numberEdit")
        self.number_edit.setPlaceholderText(self.tr("例: 03-1234-5678"))
        self.add_button = QPushButton(self.tr("追加"))
        self.add_button.setObjectName("addButton")
        self.number_error = ErrorLabel()
        self.number_error.setObjectName("numberError")
        self.number_hint = HintLabel()
        self.number_hint.hide()
        self.model = TargetsModel(system.default_region, self)
        self.model.set_editable(True)  # the 既定の発信番号 checkbox (every number is linked: no 連携 column)
        self.view = rows_view(self.model, self, "targetsView", QAbstractItemView.EditTrigger.NoEditTriggers,
                              (QHeaderView.ResizeMode.Stretch,) * len(TargetsModel.COLUMNS))
        self.view.setMaximumHeight(220)
        for hidden in (CHECK, ALIASES):
            self.view.hideColumn(hidden)
        self.remove_button = QPushButton(self.tr("削除"))
        self.remove_button.setEnabled(False)
        self.error_label = ErrorLabel()
        self.error_label.setObjectName("targetsError")
        # 既定の発信番号: the company number of outbound calls whose PBX did not record the caller ID (Asterisk
        # writes the extension as src); without one those calls stay 対象外 (既定の発信番号なし).
        default_hint = HintLabel(self.tr(
            "交換機が発信者番号を記録しない発信通話(Asterisk の src が内線番号など)は、この番号からの発信として連携します。"
            "なしにすると、そうした発信通話は連携されず「対象外」になります。"))
        # 録音サーバ: where the Task's 録音再生 link points (システム設定 録音サーバURL).
        self.recording_edit = QLineEdit(system.recording_server_url)
        self.recording_edit.setObjectName("recordingServerEdit")
        self.recording_edit.setPlaceholderText(self.tr("例: https://s0000.u.biztel.jp:8000"))
        self.recording_hint = HintLabel(self.tr(
            "活動の「録音再生」リンクの接続先です(BIZTELの管理画面のURL)。あとからシステム設定で変更できます。"))
        self.recording_error = ErrorLabel()
        self.recording_error.setObjectName("recordingError")
        extra = make_form()
        extra.addRow(QLabel(self.tr("録音サーバURL")),
                     field_block(self.recording_edit, self.recording_hint, self.recording_error))
        later = HintLabel(self.tr("通話を取り込むと、使われた番号が連携対象タブに自動で追加されます(チェックは手動で入れます)。"))
        column(QLabel(self.tr("電話番号")), row((self.number_edit, 1), self.add_button), self.number_error,
               self.number_hint, (self.view, 1), default_hint, row(1, self.remove_button), self.error_label, extra, 1,
               later, parent=self)
        QWidget.setTabOrder(self.add_button, self.view)  # the view was parented first: the number field leads
        self.add_button.clicked.connect(self._on_add_button_clicked)
        # Enter in the number field adds the number; it must not also press the wizard's default 次へ button.
        self.number_edit.installEventFilter(self)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        self.view.selectionModel().currentRowChanged.connect(self._on_view_current_row_changed)

    # --- public ------------------------------------------------------------------------------------------------

    def numbers(self) -> list[str]:
        return [target.number for target in self.model.targets()]

    def default_outbound(self) -> str:
        """The number marked 既定の発信番号, or ""."""
        return next((target.number for target in self.model.targets() if target.default_outbound), "")

    def add_number(self, text: str) -> bool:
        """Add a number as the admin typed it: shown normalised (03-1234-5678); False with the reason if refused."""
        e164, problem = self.model.check_new(text)
        if e164 is None or problem is not None:
            self.number_error.show_message(problem.text(self.context.lang) if problem is not None else "")
            self.number_hint.hide()
            return False
        shown = phone.national_format(e164)
        self.model.append(LinkTargetConfig(shown))
        self.number_error.clear_message()
        self.number_hint.setText(self.tr("{shown}({e164})を追加しました。").format(shown=shown, e164=e164))
        self.number_hint.set_state("ok")
        self.number_hint.show()
        self.completeChanged.emit()
        return True

    def isComplete(self) -> bool:
        return self.model.rowCount() > 0

    def validatePage(self) -> bool:
        """次へ: a new link setting is created here with its objects and targets, in one transaction."""
        targets = self.model.targets()
        config = self.context.config
        url = self.recording_edit.text().strip()
        if url != config.system().recording_server_url and not self.saved(
            lambda: config.save_system({"recording_server_url": url}),
            lambda problems: self.recording_error.show_message("\n".join(p.text(self.context.lang) for p in problems)),
            self.recording_error,
        ):
            return False
        self.recording_error.clear_message()

        def save() -> None:
            if self.owner.setting_name is None:
                setting = replace(
                    self.owner.setting_page.form_config(),
                    objects=tuple(self.owner.objects_page.objects()),
                    targets=tuple(targets),
                )
                self.owner.setting_name = config.save_basic(setting).name
            else:
                config.save_targets(self.owner.setting_name, targets)

        if not self.saved(save, self._show_problems, self.error_label):
            return False
        self.error_label.clear_message()
        return True

    def _show_problems(self, problems: list[Problem]) -> None:
        text = ProblemsError(problems).text(self.context.lang)
        self.error_label.show_message("\n".join([self.tr("保存できませんでした。"), text]))

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
        index = self.view.currentIndex()
        if index.isValid():
            self.model.remove(index.row())
            self.number_hint.hide()
            self.completeChanged.emit()

    def _on_view_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.remove_button.setEnabled(current.isValid())


# --- 6. 設定確認 --------------------------------------------------------------------------------------------


class WizardVerifyPage(_Page):
    """Runs 設定確認 on the saved setting in the background and lists the lines (``VerifyLines``, as the popup);
    戻る to fix, then again."""

    def __init__(self, owner: FirstRunWizard) -> None:
        super().__init__(owner, self.tr("設定確認"),
                         self.tr("保存した連携設定で連携できるかをSalesforceで確認します(書き込みは行いません)。"))
        self.runner = VerifyRunner(self.context, self, interactive=False)
        self._again = False  # the admin came back while a verification was still running
        self.busy_label = QLabel()
        self.busy_bar = busy_bar()
        self.view = VerifyLines(self)
        self.title_label = self.view.title_label
        self.advice_label = HintLabel(
            self.tr("問題があれば「戻る」で修正するか、Salesforce側を準備してから「もう一度確認」をクリックしてください。"
                    "問題が残っていても先に進めますが、連携は無効のままにすることをお勧めします。")
        )
        self.again_button = QPushButton(self.tr("もう一度確認"))
        self.checklist_button = QPushButton(self.tr("Salesforce側チェックリスト…"))
        # The org is missing fields, the label, the resource or permissions: the app creates them after showing
        # the plan (Salesforce側の自動設定), then this page checks again.
        self.setup_org_button = QPushButton(self.tr("Salesforce側の自動設定…"))
        self.setup_org_button.hide()
        self.buttons = (self.again_button, self.checklist_button, self.setup_org_button)
        column(self.busy_label, self.busy_bar, (self.view, 1), separator(), self.advice_label,
               row(self.checklist_button, self.setup_org_button, 1, self.again_button), parent=self)
        self.runner.finished.connect(self._on_runner_finished)
        self.runner.failed.connect(self._on_runner_failed)
        self.again_button.clicked.connect(self._on_again_button_clicked)
        self.checklist_button.clicked.connect(self._on_checklist_button_clicked)
        self.setup_org_button.clicked.connect(self._on_setup_org_button_clicked)

    def is_running(self) -> bool:
        return self.runner.is_running()

    def lines(self) -> list[str]:
        return list(self.view.texts)

    def initializePage(self) -> None:
        self._start()

    def isComplete(self) -> bool:
        return not self.is_running()

    def _start(self) -> None:
        name = self.owner.setting_name
        if name is None:
            return
        self.owner.last_report = None
        self.view.clear()
        self.advice_label.hide()
        self.busy_label.setText(self.tr("「{name}」の設定をSalesforceで確認しています…").format(name=name))
        self._set_busy(True)
        if not self.runner.run(name):
            self._again = True  # the previous run finishes first, then this one starts
        self.completeChanged.emit()

    def _restarted(self) -> bool:
        """The admin came back meanwhile: this result is of the earlier run; verify again instead of showing it."""
        if not self._again:
            return False
        self._again = False
        self._start()
        return True

    def _on_runner_finished(self, report: VerificationReport) -> None:
        if self._restarted():
            return
        self.owner.last_report = report
        self._set_busy(False)
        self.view.show_report(report, self.context.lang)
        for widget in (self.advice_label, self.checklist_button, self.setup_org_button):
            widget.setVisible(not report.ok)
        self.completeChanged.emit()

    def _on_setup_org_button_clicked(self) -> QDialog | None:
        """Salesforce側の自動設定 on the setting the wizard saved; once the dialog closes, 設定確認 runs again."""
        from biztel_desk.ui.dialogs.setup_org_dialog import open_setup_org_dialog

        dialog = open_setup_org_dialog(self.context, self.owner.setting_name, self)
        if dialog is not None:
            dialog.finished.connect(lambda _result: self._start())
        return dialog

    def _on_runner_failed(self, reason: str) -> None:
        if self._restarted():
            return
        self._set_busy(False)
        self.view.show_failure(reason)
        self.advice_label.show()
        self.checklist_button.hide()
        self.setup_org_button.hide()
        self.completeChanged.emit()

    def _on_again_button_clicked(self) -> None:
        self._start()

    def _on_checklist_button_clicked(self) -> None:
        from biztel_desk.ui.dialogs.checklist_dialog import ChecklistDialog

        dialog = ChecklistDialog(self.context, self, setting_name=self.owner.setting_name, report=self.owner.last_report)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _set_busy(self, busy: bool) -> None:
        self.busy_label.setVisible(busy)
        self.busy_bar.setVisible(busy)
        for button in self.buttons:
            button.setEnabled(not busy)


# --- 7. 有効化 ----------------------------------------------------------------------------------------------


class WizardEnablePage(_Page):
    """Enable linking now (set_status enabled) or leave the setting 無効; 完了 applies the choice."""

    def __init__(self, owner: FirstRunWizard) -> None:
        super().__init__(owner, self.tr("有効化"), self.tr(
            "設定が保存されました。連携をすぐに始めるかどうかを選んで「完了」をクリックしてください。"))
        self.summary_label = text_label(name="enableSummary")
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
        layout = column(self.summary_label, self.enable_radio, _indented(enable_hint), self.disable_radio,
                        _indented(disable_hint), self.consent_note, self.error_label, 1, parent=self)
        layout.insertSpacing(1, 8)

    def initializePage(self) -> None:
        setting = self.context.config.get_setting(self.owner.setting_name or "")
        consent = bool(setting and setting.api_consent)
        report = self.owner.last_report
        lines = first_run.setup_summary(self.owner.account_name or "", self.owner.setting_name or "", setting, report,
                                        self.context.lang)
        self.summary_label.setText("\n".join(lines))
        self.enable_radio.setEnabled(consent)
        self.consent_note.show_message(
            "" if consent else self.tr("API利用許諾がチェックされていないため、有効にできません。"
                                       "有効にするには「戻る」で連携設定ページに戻り、API利用許諾にチェックを入れてください。")
        )
        (self.enable_radio if consent and report is not None and report.ok else self.disable_radio).setChecked(True)

    def validatePage(self) -> bool:
        name = self.owner.setting_name
        if name is None:
            return False
        status = LinkStatus.ENABLED if self.enable_radio.isChecked() else LinkStatus.DISABLED
        return self.saved(lambda: self.context.config.set_status(name, status),
                          lambda problems: self.error_label.show_message(ProblemsError(problems).text(self.context.lang)),
                          self.error_label)


def _indented(widget: QWidget) -> QWidget:
    box = QWidget()
    row((widget, 1), parent=box).setContentsMargins(24, 0, 0, 6)
    return box
