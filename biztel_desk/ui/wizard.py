"""First-run wizard (issue #6): try the demo, or connect Salesforce step by step up to an enabled link setting.

The wizard keeps the flow only; its pages embed the editors of the window: ``AccountForm``, the 基本情報 tab's
``BasicForm``, the オブジェクト and 連携対象 models, and 設定確認's ``VerifyLines``. What the flow decides without Qt
(when アカウント's 次へ is allowed, what each page checks or saves on 次へ, what 有効化 offers) is
``services.first_run``; every page saves or checks through one ``_Page.saved``, which says why it stays.
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
    QCommandLinkButton,
    QDialog,
    QHeaderView,
    QLabel,
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
)
from biztel_desk.domain.errors import error_text
from biztel_desk.domain.messages import Problem, ProblemsError
from biztel_desk.services import first_run, salesforce_access
from biztel_desk.services.context import AppContext
from biztel_desk.services.verification import VerificationReport
from biztel_desk.ui.account_form import AccountFlow, AccountForm, report_lines, run_job, system_browser
from biztel_desk.ui.boxes import STRETCH, hbox, named, vbox
from biztel_desk.ui.crash import save_or_say
from biztel_desk.ui.dialogs.verify_dialog import VerifyLines, VerifyRunner
from biztel_desk.ui.forms import Field, Form
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
    button,
    line_edit,
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
        for which, text in ((QWizard.WizardButton.BackButton, self.tr("戻る")),
                            (QWizard.WizardButton.NextButton, self.tr("次へ")),
                            (QWizard.WizardButton.FinishButton, self.tr("完了")),
                            (QWizard.WizardButton.CancelButton, self.tr("キャンセル"))):
            self.setButtonText(which, text)
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
    """A page that knows its wizard (QWizardPage.wizard() is None until the page is added). ``saved`` is how every
    page saves, or checks, before 次へ goes on; ``error_label`` (placed by the page) says why it did not."""

    def __init__(self, owner: FirstRunWizard, title: str, subtitle: str, error_name: str = "errorLabel") -> None:
        super().__init__(owner)
        self.owner = owner
        self.context = owner.context
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.error_label = named(ErrorLabel(), error_name)

    def saved(self, save: Callable[[], object], lines: Callable[[list[Problem]], list[str]] | None = None) -> bool:
        """Whether ``save`` went through (a save, or a check that raises ``ProblemsError``). If not, the page stays as
        it is and ``error_label`` says why: a known failure such as a locked database, or the input's problems as
        ``lines`` (default ``problem_lines``) put them — after showing those it can under their fields."""

        def run() -> bool:
            save()
            return True

        def show(problems: list[Problem]) -> None:
            self.error_label.show_message("\n".join((lines or self.problem_lines)(problems)))

        done = bool(save_or_say(run, show, self.error_label.show_message, self.context.lang,
                                self.context.database.location))
        if done:
            self.error_label.clear_message()
        return done

    def problem_lines(self, problems: list[Problem]) -> list[str]:
        """How a refused 次へ's problems read under the page."""
        return [ProblemsError(problems).text(self.context.lang)]


# --- 1. ようこそ --------------------------------------------------------------------------------------------


class WizardWelcomePage(_Page):
    def __init__(self, owner: FirstRunWizard) -> None:
        super().__init__(owner, self.tr("BIZTEL Desk へようこそ"), self.tr(
            "電話の通話履歴と録音を、Salesforceの活動履歴に自動で連携します。まずはどちらかを選んでください。"))
        self.demo_button = _choice_button("demoButton", self.tr("デモを試す"), self.tr(
            "Salesforce不要。サンプルの組織と通話で、通話が活動履歴として連携される様子をすぐに確認できます。"
            "実際のデータには触れません。"), owner.choose_demo)
        self.connect_button = _choice_button("connectButton", self.tr("Salesforceに接続"), self.tr(
            "お使いのSalesforce組織に接続し、連携設定・オブジェクト・連携対象の電話番号を順に設定して、"
            "設定確認まで行います(5分ほどかかります)。"), owner.choose_connect)
        note = HintLabel(self.tr("この画面はあとからメニューでも開けます。Salesforceへの接続は、デモを試した後でも行えます。"))
        steps = text_label(self.tr("1. 連携対象の電話番号で通話が終わると、BIZTEL Deskが通話履歴を受け取ります。\n"
                                   "2. 相手の電話番号でSalesforceの取引先・取引先責任者・リードなどを検索します。\n"
                                   "3. 見つかったレコードに活動履歴(ToDo)を作成し、録音を再生できるリンクを付けます。"))
        # 8: a little more room above the separator.
        vbox(6, self.demo_button, self.connect_button, 8, separator(), text_label(self.tr("しくみ"), bold=True), steps,
             STRETCH, note, parent=self, spacing=14)

    def isComplete(self) -> bool:
        # 次へ only after 「Salesforceに接続」 was chosen once (coming back from the account page).
        return self.owner.choice == "connect"


def _choice_button(name: str, title: str, description: str, on_click: Callable[[], None]) -> QCommandLinkButton:
    choice = named(QCommandLinkButton(title, description), name)
    # As tall as the wrapped description needs at the page's width, not the narrow size hint's height.
    policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    policy.setHeightForWidth(True)
    choice.setSizePolicy(policy)
    choice.setMinimumHeight(72)
    choice.setStyleSheet(
        "QCommandLinkButton { border: 1px solid #c4c9cf; border-radius: 6px; padding: 10px 14px;"
        " background: #ffffff; font-size: 15px; }"
        "QCommandLinkButton:hover { border-color: #1a73e8; background: #f3f8fe; }"
    )
    choice.clicked.connect(lambda _checked=False: on_click())
    return choice


# --- 2. アカウント ------------------------------------------------------------------------------------------


class WizardAccountPage(_Page):
    """The connection and its secrets (``AccountForm``); 次へ only after a test that succeeded with these values
    (``first_run.ConnectionCheck``).

    The test logs in with the typed secrets from a throw-away store: nothing is saved before 次へ.
    """

    def __init__(self, owner: FirstRunWizard) -> None:
        super().__init__(owner, self.tr("Salesforceアカウント"), self.tr(
            "連携に使うSalesforceのユーザでログインします。「ブラウザでログイン」または「接続テスト」に成功すると「次へ」に進めます。"))
        self.check = first_run.ConnectionCheck()
        self._oauth_tokens: dict[SecretKind, str] = {}  # from the browser login, saved to the keyring on 次へ
        # How the browser is opened (tests: a scripted HTTP client) and the callback ports (tests: (0,)).
        self.open_browser: Callable[[str], object] = system_browser
        self.callback_ports: tuple[int, ...] | None = None
        # The browser login tests the connection itself; a new account has no login state yet.
        self.form = AccountForm(self.context.lang, self, tests_browser_accounts=False, show_login_state=False)
        self.flow = AccountFlow(self.context, self.form)
        vbox(self.form, parent=self, margins=0)
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

    def isComplete(self) -> bool:
        return not self.is_testing() and self.check.holds(self._fingerprint())

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
            self.flow.test(call, self._on_tested, self.check.fail)

    def _on_browser_login_button_clicked(self) -> None:
        cleaned = self._check()
        if cleaned is not None:
            self._oauth_tokens = {}
            call = partial(salesforce_access.sign_in_typed, self.context.config, cleaned, self.form.typed_secrets())
            self._started()
            self.flow.sign_in(call, self._on_signed_in, self.check.fail, open_browser=self.open_browser,
                              ports=self.callback_ports)

    def _on_tested(self, report: ConnectionReport) -> None:
        self._succeeded(report_lines(report, self.context.lang),
                        self.tr("テスト中に入力が変更されました。もう一度「接続テスト」を実行してください。"))

    def _on_signed_in(self, result: tuple[ConnectionReport, dict[SecretKind, str]]) -> None:
        report, self._oauth_tokens = result
        self._succeeded([self.tr("ログインしました。「次へ」でトークンをOSのキーリングに保存します。"),
                         *report_lines(report, self.context.lang)],
                        self.tr("ログイン中に入力が変更されました。もう一度「ブラウザでログイン」を押してください。"))

    def _on_form_edited(self) -> None:
        if self.check.edited(self._fingerprint()):
            self.form.show_message(self.tr("入力が変更されました。もう一度「接続テスト」を実行してください。"))
            self._oauth_tokens = {}  # tokens of another host or app: sign in again
        self.completeChanged.emit()

    # --- helpers -----------------------------------------------------------------------------------------------

    def _started(self) -> None:
        """A test or a sign-in starts (``flow`` runs it): it tests the values shown now."""
        self.check.start(self._fingerprint())
        self.completeChanged.emit()

    def _succeeded(self, lines: list[str], changed: str) -> None:
        if not self.check.succeed(self._fingerprint()):
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
            "通話をどのレコードに、どのように連携するかを決めます。あとから基本情報タブで変更できます。"), "summaryLabel")
        self._named = False
        self.form = BasicForm(self.context, self, with_account=False)
        self.form.fill(LinkSettingConfig(name=""))  # the defaults
        vbox(self.form, self.error_label, STRETCH, parent=self)

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
        self.form.clear_problems()
        return self.saved(self._leave)

    def _leave(self) -> None:
        self.owner.setting_name = first_run.leave_setting(self.context.config, self.owner.setting_name,
                                                          self.form_config())

    def problem_lines(self, problems: list[Problem]) -> list[str]:
        return [self.tr("入力内容を確認してください。"), *self.form.show_problems(problems)]


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
        self.fetch_label = named(HintLabel(), "fetchLabel")
        self.fetch_busy = busy_bar(120, visible=False)
        self.refetch_button = button(self.tr("再取得"), self._fetch)
        self.refetch_button.hide()
        self.lead_note = named(HintLabel(), "leadNote")
        self.lead_note.set_state("error")
        self.lead_note.hide()
        later = HintLabel(self.tr("カスタムオブジェクトは、あとからオブジェクトタブで追加できます。"))
        vbox(self.table, hbox(self.fetch_busy, (self.fetch_label, 1), self.refetch_button), self.lead_note,
             self.error_label, STRETCH, later, parent=self)
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
        return self.saved(lambda: first_run.leave_objects(self.context.config, self.owner.setting_name, self.objects()))

    def problem_lines(self, problems: list[Problem]) -> list[str]:
        return first_run.object_problem_lines(problems, self.objects(), self.context.lang)

    # --- the describeGlobal job ---------------------------------------------------------------------------------

    def _fetch(self) -> None:
        account = self.context.config.get_account(self.owner.account_name or "")
        if account is None:
            return
        self._fetching = True
        self.fetch_busy.show()
        self.refetch_button.hide()
        self._say(self.tr("Salesforceからタブ名とタブコードを取得しています…"), "hint")
        self.completeChanged.emit()
        run_job(self.jobs, "describe", self._describe(account), self._on_describe_failed, self._on_describe_end)

    async def _describe(self, account: AccountConfig) -> None:
        objects = await asyncio.to_thread(salesforce_access.describe_global, account, self.context.secrets)
        self._fetched_revision = self.owner.account_revision
        entries, notes = first_run.described_rows(self.model.objects(), objects, self.context.lang)
        for index, entry in enumerate(entries):
            if entry is None:  # the user cannot search it: left out, and the admin told why
                self.model.set_checked(index, False)
            else:
                self.model.fill_from_describe(index, entry.label, entry.key_prefix)
        self._say(self.tr("Salesforceから取得しました(タブ名とタブコード)。"), "ok")
        self.lead_note.setText("\n".join(notes))
        self.lead_note.setVisible(bool(notes))

    def _on_describe_failed(self, error: BaseException) -> None:
        self._say(self.tr("Salesforceから取得できませんでした。表示中の標準の値のまま進めるか、「再取得」をクリックしてください。")
                  + "\n" + error_text(error, self.context.lang), "error")

    def _on_describe_end(self) -> None:
        self._fetching = False
        self.fetch_busy.hide()
        # Failed, or a bug went to the crash path: 再取得.
        self.refetch_button.setVisible(self._fetched_revision != self.owner.account_revision)
        self.completeChanged.emit()

    def _say(self, text: str, state: str) -> None:
        self.fetch_label.setText(text)
        self.fetch_label.set_state(state)


# --- 5. 連携対象 --------------------------------------------------------------------------------------------


class WizardTargetsPage(_Page):
    """The company's numbers in the 連携対象 tab's model (normalised, invalid ones refused) with the 既定の発信番号
    mark, and the recording server; leaving the page creates the link setting."""

    def __init__(self, owner: FirstRunWizard) -> None:
        super().__init__(owner, self.tr("連携対象"), self.tr(
            "連携する会社の電話番号(代表番号やダイヤルイン番号)を追加します。少なくとも1つ必要です。"), "targetsError")
        system = self.context.config.system()
        self.number_edit = line_edit(placeholder=self.tr("例: 03-1234-5678"), name="numberEdit")
        self.add_button = button(self.tr("追加"), self._on_add_button_clicked, name="addButton")
        self.number_error = named(ErrorLabel(), "numberError")
        self.number_hint = HintLabel()
        self.number_hint.set_state("ok")
        self.number_hint.hide()
        self.model = TargetsModel(system.default_region, self)
        self.model.set_editable(True)  # the 既定の発信番号 checkbox (every number is linked: no 連携 column)
        self.view = rows_view(self.model, self, "targetsView", QAbstractItemView.EditTrigger.NoEditTriggers,
                              (QHeaderView.ResizeMode.Stretch,) * len(TargetsModel.COLUMNS))
        self.view.setMaximumHeight(220)
        for hidden in (CHECK, ALIASES):
            self.view.hideColumn(hidden)
        self.remove_button = button(self.tr("削除"), self._on_remove_button_clicked)
        self.remove_button.setEnabled(False)
        # 既定の発信番号: the company number of outbound calls whose PBX did not record the caller ID (Asterisk
        # writes the extension as src); without one those calls stay 対象外 (既定の発信番号なし).
        default_hint = HintLabel(self.tr(
            "交換機が発信者番号を記録しない発信通話(Asterisk の src が内線番号など)は、この番号からの発信として連携します。"
            "なしにすると、そうした発信通話は連携されず「対象外」になります。"))
        # 録音サーバ: where the Task's 録音再生 link points (システム設定 録音サーバURL).
        self.recording_edit = line_edit(system.recording_server_url, name="recordingServerEdit",
                                        placeholder=self.tr("例: https://s0000.u.biztel.jp:8000"))
        recording_hint = HintLabel(self.tr(
            "活動の「録音再生」リンクの接続先です(BIZTELの管理画面のURL)。あとからシステム設定で変更できます。"))
        url = Field("recording_server_url", self.tr("録音サーバURL"), self.recording_edit, (recording_hint,),
                    required=False, value=lambda: self.recording_edit.text().strip())
        self.recording = Form([url])
        self.recording_error = url.error
        later = HintLabel(self.tr("通話を取り込むと、使われた番号が連携対象タブに自動で追加されます(チェックは手動で入れます)。"))
        vbox(QLabel(self.tr("電話番号")), hbox((self.number_edit, 1), self.add_button), self.number_error,
             self.number_hint, (self.view, 1), default_hint, hbox(STRETCH, self.remove_button), self.error_label,
             self.recording.layout, STRETCH, later, parent=self)
        QWidget.setTabOrder(self.add_button, self.view)  # the view was parented first: the number field leads
        # Enter in the number field adds the number; it must not also press the wizard's default 次へ button.
        self.number_edit.installEventFilter(self)
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
        self.number_hint.show()
        self.completeChanged.emit()
        return True

    def isComplete(self) -> bool:
        return self.model.rowCount() > 0

    def validatePage(self) -> bool:
        """次へ: the recording server (a system setting), then the link setting, created here with its objects and
        targets in one transaction (its targets only, once it exists)."""
        config = self.context.config
        recording = self.recording.values()
        self.recording.clear_problems()
        if recording != {"recording_server_url": config.system().recording_server_url} and not self.saved(
            lambda: config.save_system(recording), partial(self.recording.show_problems, lang=self.context.lang)
        ):
            return False
        return self.saved(self._leave)

    def _leave(self) -> None:
        owner = self.owner
        basic, objects = owner.setting_page.form_config(), owner.objects_page.objects()
        owner.setting_name = first_run.save_setting(self.context.config, owner.setting_name, basic, objects,
                                                    self.model.targets())

    def problem_lines(self, problems: list[Problem]) -> list[str]:
        return [self.tr("保存できませんでした。"), ProblemsError(problems).text(self.context.lang)]

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
        self.again_button = button(self.tr("もう一度確認"), self._start)
        self.checklist_button = button(self.tr("Salesforce側チェックリスト…"), self._on_checklist_button_clicked)
        # The org is missing fields, the label, the resource or permissions: the app creates them after showing
        # the plan (Salesforce側の自動設定), then this page checks again.
        self.setup_org_button = button(self.tr("Salesforce側の自動設定…"), self._on_setup_org_button_clicked)
        self.setup_org_button.hide()
        self.buttons = (self.again_button, self.checklist_button, self.setup_org_button)
        vbox(self.busy_label, self.busy_bar, (self.view, 1), separator(), self.advice_label,
             hbox(self.checklist_button, self.setup_org_button, STRETCH, self.again_button), parent=self)
        self.runner.finished.connect(self._on_runner_finished)
        self.runner.failed.connect(partial(self._on_runner_finished, None))

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

    def _on_runner_finished(self, report: VerificationReport | None, reason: str = "") -> None:
        """The report, or (``failed``) why 設定確認 could not run; unless the admin came back meanwhile: this result is
        of the earlier run, and 設定確認 runs again instead."""
        if self._again:
            self._again = False
            self._start()
            return
        self.owner.last_report = report
        self._set_busy(False)
        if report is None:
            self.view.show_failure(reason)
        else:
            self.view.show_report(report, self.context.lang)
        problems = report is not None and not report.ok
        self.advice_label.setVisible(report is None or problems)
        self.checklist_button.setVisible(problems)
        self.setup_org_button.setVisible(problems)
        self.completeChanged.emit()

    def _on_setup_org_button_clicked(self) -> QDialog | None:
        """Salesforce側の自動設定 on the setting the wizard saved; once the dialog closes, 設定確認 runs again."""
        from biztel_desk.ui.dialogs.setup_org_dialog import open_setup_org_dialog

        dialog = open_setup_org_dialog(self.context, self.owner.setting_name, self)
        if dialog is not None:
            dialog.finished.connect(lambda _result: self._start())
        return dialog

    def _on_checklist_button_clicked(self) -> None:
        from biztel_desk.ui.dialogs.checklist_dialog import ChecklistDialog

        dialog = ChecklistDialog(self.context, self, setting_name=self.owner.setting_name, report=self.owner.last_report)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _set_busy(self, busy: bool) -> None:
        self.busy_label.setVisible(busy)
        self.busy_bar.setVisible(busy)
        for each in self.buttons:
            each.setEnabled(not busy)


# --- 7. 有効化 ----------------------------------------------------------------------------------------------


class WizardEnablePage(_Page):
    """Enable linking now (set_status enabled) or leave the setting 無効; 完了 applies the choice."""

    def __init__(self, owner: FirstRunWizard) -> None:
        super().__init__(owner, self.tr("有効化"), self.tr(
            "設定が保存されました。連携をすぐに始めるかどうかを選んで「完了」をクリックしてください。"))
        self.summary_label = text_label(name="enableSummary")
        # Both are children of the page: one radio group.
        self.enable_radio = named(QRadioButton(self.tr("今すぐ有効にする")), "enableRadio")
        self.disable_radio = named(QRadioButton(self.tr("無効のままにする")), "disableRadio")
        self.consent_note = named(ErrorLabel(), "consentNote")
        vbox(self.summary_label, 8, self.enable_radio,
             _indented(self.tr("連携対象の番号の通話を、Salesforceの活動履歴に連携し始めます。")), self.disable_radio,
             _indented(self.tr("あとから基本情報タブの録音連携ステータスで有効にできます。無効の間の通話は連携されません。")),
             self.consent_note, self.error_label, STRETCH, parent=self)

    def initializePage(self) -> None:
        setting = self.context.config.get_setting(self.owner.setting_name or "")
        report = self.owner.last_report
        can_enable, enable = first_run.enable_choice(setting, report)
        lines = first_run.setup_summary(self.owner.account_name or "", self.owner.setting_name or "", setting, report,
                                        self.context.lang)
        self.summary_label.setText("\n".join(lines))
        self.enable_radio.setEnabled(can_enable)
        self.consent_note.show_message(
            "" if can_enable else self.tr("API利用許諾がチェックされていないため、有効にできません。"
                                          "有効にするには「戻る」で連携設定ページに戻り、API利用許諾にチェックを入れてください。")
        )
        (self.enable_radio if enable else self.disable_radio).setChecked(True)

    def validatePage(self) -> bool:
        name = self.owner.setting_name
        status = LinkStatus.ENABLED if self.enable_radio.isChecked() else LinkStatus.DISABLED
        return name is not None and self.saved(lambda: self.context.config.set_status(name, status))


def _indented(hint: str) -> QWidget:
    """A radio button's hint, under its text."""
    box = QWidget()
    hbox((HintLabel(hint), 1), parent=box).setContentsMargins(24, 0, 0, 6)
    return box
