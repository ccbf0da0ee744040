"""システム設定 dialog (SPEC §12): every option of domain.config.SYSTEM_OPTIONS with its bounds."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from functools import partial
from typing import Any, Literal

import phonenumbers
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QGroupBox, QLabel, QSizePolicy, QTabWidget, QWidget

from biztel_desk.domain.config import OPTIONS_BY_KEY, SUBJECT_PLACEHOLDERS, system_time_zone
from biztel_desk.domain.messages import ProblemsError
from biztel_desk.domain.url_template import DEFAULT_RECORDING_URL_TEMPLATE, URL_PLACEHOLDERS
from biztel_desk.domain.vocabulary import PLAYBACK_AUTH, word
from biztel_desk.services import os_service
from biztel_desk.services.context import AppContext
from biztel_desk.services.system_view import (
    SERVICE_ACTIONS,
    UNKNOWN_STATE_ACTIONS,
    ServiceAction,
    enabled_actions,
    service_state,
)
from biztel_desk.ui.boxes import STRETCH, fit_to_screen, hbox, named, scrolled, vbox
from biztel_desk.ui.forms import Editor, Field, Form
from biztel_desk.ui.i18n import language
from biztel_desk.ui.tasks import Jobs
from biztel_desk.ui.widgets import (
    ERROR_COLOR,
    HINT_COLOR,
    OK_COLOR,
    ErrorLabel,
    HintLabel,
    button,
    check_box,
    combo,
    line_edit,
    spin_box,
    text_label,
)

OptionRow = tuple[str, str, str, str]  # option key, label, hint (or ""), the field's unit / text / placeholder
# The options typed in or picked from a list: (the list, the combo box's width).
_TYPED_IN_OR_PICKED: dict[str, tuple[Callable[[], list[str]], int]] = {
    "default_region": (lambda: sorted(phonenumbers.SUPPORTED_REGIONS), 90),
    "time_zone": (lambda: ["", *sorted(zoneinfo.available_timezones())], 260),
}


class SystemDialog(QDialog):
    """OK validates and saves everything at once through the config service; キャンセル discards."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle(self.tr("システム設定"))
        self.forms: list[Form] = []  # a form per group box: they fill, read and show problems (ui/forms.py)

        # The option groups, two columns of them: (title, rows of (option key, label, hint, the field's suffix or
        # placeholder)). Each field is made for its option's type (domain.config.SYSTEM_OPTIONS): see _field.
        url_names = " ".join("{" + name + "}" for name in URL_PLACEHOLDERS if name != "start")
        placeholders = " ".join("{" + name + "}" for name in SUBJECT_PLACEHOLDERS)
        left: list[tuple[str, list[OptionRow]]] = [
            (self.tr("履歴"), [
                ("retention_days", self.tr("履歴保持期間"),
                 self.tr("1〜180日。これより古い通話と連携履歴は自動的に削除されます(Salesforceの活動履歴は残りますが、録音は再生できなくなる場合があります)。"),
                 self.tr(" 日")),
                ("page_size", self.tr("表示件数"), self.tr("連携通話履歴の1ページの件数です。"), self.tr(" 件")),
                ("time_zone", self.tr("タイムゾーン"), self.tr("空欄のときはこのコンピュータの設定を使います。"),
                 self.tr("システムの設定 ({zone})").format(zone=system_time_zone())),
                ("default_region", self.tr("既定の国・地域"),
                 self.tr("市外局番から始まる電話番号をこの国の番号として扱います(例: JP)。"), ""),
                ("call_settle_s", self.tr("通話の確定待ち"),
                 self.tr("監視フォルダとHTTPで受け取った通話は、最後の区間(レッグ)が届いてからこの秒数だけ待って連携します。0ですぐに連携します。"),
                 self.tr(" 秒")),
                ("outside_line_prefix", self.tr("外線発信番号"),
                 self.tr("電話機が外線の前にダイヤルする番号(例: 0)。発信先の番号から取り除きます。"), "0"),
            ]),
            (self.tr("検索リトライ"), [
                ("retry_interval_minutes", self.tr("リトライ間隔"), "", self.tr(" 分")),
                ("retry_max", self.tr("リトライ回数上限"), "", self.tr(" 回")),
                ("retry_backoff_max_minutes", self.tr("送信リトライ間隔の上限"),
                 self.tr("Salesforceに一時的に接続できないときは1、5、15、60分…と間隔を空けて再送します。その間隔の上限です。"),
                 self.tr(" 分")),
            ]),
            (self.tr("Salesforceへの書き込み"), [
                ("run_assignment_rules", self.tr("割り当てルール"),
                 self.tr("オフのとき、作成するケースとリードに組織の割り当てルールを適用しません(所有者は連携ユーザのままです)。オンにすると有効な割り当てルールで所有者が決まります。"),
                 self.tr("実行する")),
            ]),
        ]
        right: list[tuple[str, list[OptionRow]]] = [
            (self.tr("録音再生"), [
                ("playback_auth", self.tr("録音再生時の認証"),
                 self.tr("変更はこれ以降に作成する活動履歴にだけ反映されます。作成済みの活動履歴の動作は変わりません。"), ""),
                ("recording_server_url", self.tr("録音サーバURL"), "", "https://s0000.u.biztel.jp:8000"),
                ("recording_url_template", self.tr("録音再生URLテンプレート"),
                 self.tr("BIZTELは初期値のままにします。ほかのPBXは {names} {{start:%Y/%m/%d}} で録音のURLを組み立てます。"
                         "未応答の通話と録音のない通話にはリンクを付けません。").format(names=url_names),
                 DEFAULT_RECORDING_URL_TEMPLATE),
            ]),
            (self.tr("活動履歴の件名"), [
                ("subject_inbound", self.tr("件名テンプレート(着信)"), "", ""),
                ("subject_outbound", self.tr("件名テンプレート(発信)"),
                 self.tr("使える差し込み項目: {names}").format(names=placeholders), ""),
            ]),
            (self.tr("API使用率しきい値"), [
                ("api_optional_stop_percent", self.tr("任意のAPI呼び出しを停止"), "", " %"),
                ("api_pause_percent", self.tr("送信を待つ"), self.tr("1日のAPI上限に対する使用率です。"), " %"),
                ("phone_index_max_age_s", self.tr("電話番号インデックスの更新間隔"),
                 self.tr("Salesforceの電話番号を手元に写した索引を、送信前にこの間隔より古ければ更新します。短いほど新しいレコードにすぐ一致し、長いほどAPI呼び出しが減ります。"),
                 self.tr(" 秒")),
                ("phone_index_miss_refresh_s", self.tr("一致しない番号があるときの再確認間隔"),
                 self.tr("一致するレコードがない番号は、索引がこの秒数より古ければ変更分だけ更新して探し直します(数秒前に作成されたレコードにも一致します)。0で再確認しません。"),
                 self.tr(" 秒")),
                ("phone_index_reconcile_hours", self.tr("電話番号インデックスの全件読み直し間隔"),
                 self.tr("この間隔ごと(および起動後の最初の送信時に前回から経っていれば)索引を全件読み直し、完全に削除されたレコードや参照できなくなったレコードを索引から外します。"),
                 self.tr(" 時間")),
            ]),
        ]
        columns = hbox(
            (vbox(*(self._group(title, rows) for title, rows in left), STRETCH), 1),
            (vbox(*(self._group(title, rows) for title, rows in right), STRETCH), 1),
        )
        self.fields = {key: spec.editor for form in self.forms for key, spec in form.fields.items()}
        self.error_labels = {key: spec.error for form in self.forms for key, spec in form.fields.items()}
        # One label width for every group, so all fields start on the same line.
        labels = [label for form in self.forms for label in form.labels.values()]
        width = max(label.sizeHint().width() for label in labels)
        for label in labels:
            label.setFixedWidth(width)

        self.message_label = named(ErrorLabel(self), "message")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("OK"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("キャンセル"))
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)

        # Two pages: the options (OK saves them) and バックグラウンド連携 (its buttons act at once).
        # The options scroll: on a 1366x768 screen (or at 2x scale) OK/キャンセル stay in reach.
        self.options_scroll = scrolled(self, columns, name="systemOptionsScroll")
        service_page = QWidget(self)
        vbox(self._build_service_group(), STRETCH, parent=service_page)
        self.pages = QTabWidget(self)
        self.pages.addTab(self.options_scroll, self.tr("設定"))
        self.pages.addTab(service_page, self.tr("バックグラウンド連携"))
        vbox(self.pages, self.message_label, self.buttons, parent=self)
        self.load()
        self._fit()
        self.refresh_service()

    def _fit(self, available: QRect | None = None) -> None:
        """Its natural size where the screen has room (the messages under the fields too), else the screen's."""
        content = self.options_scroll.widget().sizeHint()
        scrollbar = self.options_scroll.verticalScrollBar().sizeHint().width()
        width = max(960, content.width() + scrollbar + 40)  # the page's and the dialog's margins
        height = max(self.height(), content.height() + 140)  # the tab bar, the message, the buttons
        fit_to_screen(self, width, height, available)

    # --- public ------------------------------------------------------------------------------------------------

    def load(self) -> None:
        values = self.context.config.system().as_dict()
        for form in self.forms:
            form.fill(values)

    def values(self) -> dict[str, Any]:
        return {key: value for form in self.forms for key, value in form.values().items()}

    # --- slots -------------------------------------------------------------------------------------------------

    def _on_buttons_accepted(self) -> None:
        for form in self.forms:
            form.clear_problems()
        self.message_label.hide()
        try:
            self.context.config.save_system(self.values())
        except ProblemsError as error:
            for form in self.forms:  # each problem under its field (none names a field outside the forms)
                form.show_problems([problem for problem in error.problems if problem.field_name in form.fields],
                                   self.context.lang)
            self.message_label.show_message(self.tr("保存できませんでした。赤い項目を確認してください。"))
            # The messages under the fields need room: grow rather than squeeze the hints.
            self._fit()
            return
        self.accept()

    # --- バックグラウンド連携: biztel-desk sync as a service of the OS (services/os_service.py) --------------------

    def _build_service_group(self) -> QGroupBox:
        box = named(QGroupBox(self.tr("バックグラウンド連携"), self), "serviceGroup")
        self.service_jobs = Jobs(self)
        self.service_state_label = text_label(name="serviceState", bold=True)
        # Two lines as written (a wrapped label on a hidden page lost one).
        hint = QLabel(self.tr("この画面を閉じても、OSの起動時から通話を連携し続けます(このPCのこのデータフォルダ)。\n"
                              "動いている間、この画面は連携の状態を表示し、開始・休止・停止はサービスに伝えます。"), box)
        hint.setStyleSheet(f"color: {HINT_COLOR};")
        # The four buttons (services.system_view.SERVICE_ACTIONS): each calls ProfileService's method of its
        # name in a job, then says what it did.
        buttons: dict[ServiceAction, tuple[str, str]] = {
            "install": (self.tr("インストール"),
                        self.tr("バックグラウンド連携をインストールして開始しました。この画面を閉じても連携は続きます。")),
            "uninstall": (self.tr("アンインストール"),
                          self.tr("バックグラウンド連携をアンインストールしました。これからはこの画面が開いている間だけ連携します。")),
            "start": (self.tr("開始"), self.tr("バックグラウンド連携を開始しました。")),
            "stop": (self.tr("停止"), self.tr("バックグラウンド連携を停止しました。次回のログオン時にまた開始します。")),
        }
        self.service_buttons = {action: button(buttons[action][0], partial(self._service_action, action,
                                                                           buttons[action][1]), parent=box)
                                for action in SERVICE_ACTIONS}
        self._enable_service_buttons(frozenset())
        (self.service_install_button, self.service_uninstall_button, self.service_start_button,
         self.service_stop_button) = self.service_buttons.values()  # in SERVICE_ACTIONS' order
        self.service_message_label = text_label(name="serviceMessage")
        self.service_message_label.hide()
        vbox(self.service_state_label, hint, hbox(*self.service_buttons.values(), STRETCH), self.service_message_label,
             parent=box)
        data_dir = self.context.data_dir
        self._service = None if data_dir is None else os_service.ProfileService(data_dir, self.context.database.url,
                                                                                self.context.secrets)
        return box

    def refresh_service(self) -> None:
        """Read the service's state (the platform's tool runs in a job)."""
        self._service_action("status", None)

    def _service_action(self, action: ServiceAction | Literal["status"], done: str | None) -> None:
        """Run ``action`` (a button's: ``done`` says what it did) or read the state, in a job."""
        service = self._service
        if service is None or self.context.demo:
            self.service_state_label.setText(self.tr("このプロファイル(デモ)ではバックグラウンド連携を使えません。"))
            return
        self._enable_service_buttons(frozenset())
        if action != "status":
            self.service_message_label.hide()
            self.service_state_label.setText(self.tr("実行しています…"))
        self.service_jobs.run("service", self._run_service(getattr(service, action), done),
                              on_error=self._on_service_failed)

    async def _run_service(self, call: Callable[[], os_service.ServiceStatus], done: str | None) -> None:
        state = await self.service_jobs.to_thread(call)
        texts = {"not_installed": self.tr("状態: 未インストール"), "running": self.tr("状態: インストール済み・実行中"),
                 "stopped": self.tr("状態: インストール済み・停止")}
        self.service_state_label.setText(texts[service_state(state)])
        self.service_state_label.setToolTip(str(state.path))
        self._enable_service_buttons(enabled_actions(state))
        if done is not None:
            self._show_service_message(done, error=False)

    def _enable_service_buttons(self, actions: frozenset[ServiceAction]) -> None:
        for action, push in self.service_buttons.items():
            push.setEnabled(action in actions)

    def _on_service_failed(self, error: BaseException) -> None:
        text = error.text(self.context.lang) if isinstance(error, os_service.ServiceError) else str(error)
        self._show_service_message(text, error=True)
        service = self._service
        if service is not None:  # show what is there now (a failed install leaves nothing behind)
            self.service_jobs.run("service", self._run_service(service.status, None), on_error=self._on_status_failed)

    def _on_status_failed(self, error: BaseException) -> None:
        self.service_state_label.setText(self.tr("状態: 確認できません"))
        self._enable_service_buttons(UNKNOWN_STATE_ACTIONS)

    def _show_service_message(self, text: str, *, error: bool) -> None:
        self.service_message_label.setStyleSheet(f"color: {ERROR_COLOR if error else OK_COLOR};")
        self.service_message_label.setText(text)
        self.service_message_label.show()

    # --- helpers -----------------------------------------------------------------------------------------------

    def _field(self, key: str, label: str, hint: str, extra: str) -> Field:
        """The row of option ``key``, its hint under the editor made for the option's type: a spin box within its
        bounds (``extra``: the unit), a check box (``extra``: its text), a combo box of its choices' words, an
        editable combo box of the regions or time zones (its text is the value), or a line edit (``extra``: the
        placeholder). Line edits take the whole width; the others keep their size, left-aligned."""
        option = OPTIONS_BY_KEY[key]
        under = (HintLabel(hint),) if hint else ()
        editor: Editor
        if option.type is bool:
            editor = check_box(extra, parent=self)
        elif option.type is int:
            editor = spin_box(option.minimum if option.minimum is not None else 0,
                              option.maximum if option.maximum is not None else 999999, suffix=extra, width=110,
                              tooltip=self.tr("{min}〜{max}(初期値 {default})").format(
                                  min=option.minimum, max=option.maximum, default=option.default), parent=self)
        elif option.choices:  # playback_auth, the one option with choices: its words (vocabulary)
            editor = combo(((word(PLAYBACK_AUTH, choice, language()), choice) for choice in option.choices), parent=self)
        elif key in _TYPED_IN_OR_PICKED:
            items, width = _TYPED_IN_OR_PICKED[key]
            typed = combo(((item, None) for item in items()), width=width, editable=True, parent=self)
            typed.lineEdit().setPlaceholderText(extra)
            upper = key == "default_region"  # a region code is upper case (jp → JP)
            return Field(key, label, typed, under, required=False, load=lambda value: typed.setCurrentText(str(value)),
                         value=lambda: typed.currentText().strip().upper() if upper else typed.currentText().strip())
        else:
            return Field(key, label, line_edit(placeholder=extra, parent=self), under, required=False)
        editor.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        return Field(key, label, editor, under, required=False)

    def _group(self, title: str, rows: list[OptionRow]) -> QGroupBox:
        """A titled box of rows, a form (ui/forms.py): label | field on one line; the hint and the error message
        under the field, aligned with it."""
        form = Form(self._field(*spec) for spec in rows)
        form.layout.setHorizontalSpacing(10)
        self.forms.append(form)
        box = QGroupBox(title, self)
        box.setLayout(form.layout)
        return box
