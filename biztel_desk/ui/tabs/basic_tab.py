"""基本情報 tab: the link setting's basic fields (SPEC §4), the link status control (§5) and 設定確認."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFrame,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QWidget,
)

from biztel_desk.domain.config import (
    MEMO_MAX,
    NAME_MAX,
    ActivityMode,
    LinkSettingConfig,
    LinkStatus,
)
from biztel_desk.domain.messages import Problem, ProblemsError
from biztel_desk.domain.vocabulary import ACTIVITY_MODES
from biztel_desk.services.attention import Attention
from biztel_desk.services.context import AppContext
from biztel_desk.services.setting_form import basic_to_save, form_buttons
from biztel_desk.ui.attention import AttentionBadge, mark_attention
from biztel_desk.ui.crash import save_or_say
from biztel_desk.ui.forms import ChoiceRow, Field, field_form
from biztel_desk.ui.setting_fields import (
    multiple_match_combo,
    no_match_combo,
    show_fallback_hint,
    unanswered_combo,
)
from biztel_desk.ui.widgets import (
    ERROR_COLOR,
    ErrorLabel,
    HintLabel,
    ask,
    column,
    row,
    separator,
    status_text,
)

_STATUS_ORDER = (LinkStatus.ENABLED, LinkStatus.PAUSED, LinkStatus.DISABLED)


class BasicForm(QWidget):
    """The 基本情報 fields of one link setting, with their hints and problems: one ``Field`` per row (``fields``).

    The 基本情報 tab and the first-run wizard's 連携設定 page embed it (``with_account=False``: the wizard's
    account is the one it just saved). ``edited`` follows every change the admin makes (not ``fill``'s).
    """

    edited = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None, *, with_account: bool = True) -> None:
        super().__init__(parent)
        self.context = context
        self._loading = False
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(NAME_MAX)
        self.name_edit.setPlaceholderText(self.tr("例: 本社コールセンター"))

        self.account_combo = QComboBox()
        self.account_combo.setMinimumWidth(260)
        self.account_combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.account_combo.setPlaceholderText(self.tr("(アカウントが登録されていません)"))
        self.account_button = QPushButton(self.tr("アカウント管理…"))
        self.account_button.setToolTip(self.tr("Salesforceアカウントを登録・編集します"))
        account_row = QWidget()
        row((self.account_combo, 1), self.account_button, parent=account_row, margins=0)
        self.account_hint = HintLabel(
            self.tr("アカウントが登録されていません。「アカウント管理…」から連携に使うアカウントを登録してください。")
        )

        self.fallback_edit = QLineEdit()
        self.fallback_edit.setPlaceholderText(self.tr("レコードID(15桁/18桁)またはレコードのURL"))
        self.fallback_hint = HintLabel()

        self.consent_check = QCheckBox(self.tr("このアカウントでSalesforce APIを利用することを許諾する"))

        self.memo_edit = QPlainTextEdit()
        self.memo_edit.setTabChangesFocus(True)
        self.memo_edit.setFixedHeight(64)
        self.memo_counter = QLabel()
        self.memo_counter.setAlignment(Qt.AlignmentFlag.AlignRight)

        self.no_match_combo = no_match_combo()
        self.unanswered_combo = unanswered_combo()
        self.unanswered_combo.setObjectName("unansweredCombo")
        activity = ChoiceRow(tuple(ActivityMode), ACTIVITY_MODES)
        self.task_radio, self.case_radio = activity.buttons

        self.fields = (
            Field("name", self.tr("連携名"), self.name_edit),
            Field("account", self.tr("Salesforceアカウント"), self.account_combo, (self.account_hint,),
                  shown=account_row, load=self.fill_accounts),
            Field("fallback_record_id", self.tr("紐付け先特定不可レコード"), self.fallback_edit, (self.fallback_hint,),
                  value=lambda: self.fallback_edit.text().strip()),
            Field("api_consent", self.tr("API利用許諾"), self.consent_check, (HintLabel(
                self.tr("BIZTEL Deskが上記のアカウントでAPIを呼び出し、活動履歴を作成します。ステータスを有効・一時停止にするには許諾が必要です。")
            ),)),
            Field("memo", self.tr("メモ"), self.memo_edit, (self.memo_counter,), required=False),
            Field("on_multiple_match", self.tr("レコードが複数一致した場合"), multiple_match_combo()),
            Field("on_no_match", self.tr("レコードが一致しない場合"), self.no_match_combo),
            Field("on_unanswered", self.tr("未応答の通話"), self.unanswered_combo, (HintLabel(
                self.tr("誰も応答しなかった通話(不在着信・話中・発信失敗)を連携するかどうかです。")
            ),)),
            Field("activity_mode", self.tr("活動履歴"), activity, (HintLabel(
                self.tr("リードやカスタムオブジェクトなどケースを持てないレコードには、ToDoのみ作成します。")
            ),)),
        )
        self.errors = {spec.key: spec.error for spec in self.fields}  # a problem's text under its field
        form = field_form(self.fields)
        column(form, parent=self, margins=0)
        if not with_account:
            form.setRowVisible(1, False)
        for spec in self.fields:
            spec.changed().connect(self._on_form_edited)
        self.fallback_edit.textChanged.connect(self._on_fallback_edit_text_changed)
        self.memo_edit.textChanged.connect(self._update_memo_counter)

    def fill(self, setting: LinkSettingConfig) -> None:
        """Show ``setting``'s values (no ``edited``)."""
        self._loading = True
        try:
            self.clear_problems()
            for spec in self.fields:
                spec.show(getattr(setting, spec.key))
        finally:
            self._loading = False
        self._update_fallback_hint()
        self._update_memo_counter()

    def fill_accounts(self, selected: str) -> None:
        names = [account.name for account in self.context.config.list_accounts()]
        registered = bool(names)
        if selected and selected not in names:
            names.append(selected)  # keep showing what is stored; saving will say it is unknown
        loading = self._loading
        self._loading = True
        self.account_combo.clear()
        self.account_combo.addItems(names)
        self.account_combo.setCurrentIndex(names.index(selected) if selected in names else -1)
        self._loading = loading
        self.account_hint.setVisible(not registered)

    def values(self) -> dict[str, Any]:
        """The fields as LinkSettingConfig keyword arguments."""
        return {spec.key: spec.current() for spec in self.fields}

    def clear_problems(self) -> None:
        for label in self.errors.values():
            label.clear_message()
        self._update_fallback_hint()

    def show_problems(self, problems: list[Problem]) -> list[str]:
        """Each problem under its field; the texts of the others are returned."""
        lang = self.context.lang
        others: list[str] = []
        for problem in problems:
            field = problem.field_name
            if field == "status":
                field = "api_consent"  # "check API consent first": the fix is the checkbox
            if field == "fallback_record_id":  # its hint says what is wrong with what was typed
                self.fallback_hint.setText(problem.text(lang))
                self.fallback_hint.set_state("error")
            elif field in self.errors:
                label = self.errors[field]
                label.show_message("\n".join(filter(None, (label.text() if label.isVisible() else "", problem.text(lang)))))
            else:
                others.append(problem.text(lang))
        return others

    def _update_fallback_hint(self) -> None:
        show_fallback_hint(self.fallback_hint, self.fallback_edit.text(), self.context.lang)

    def _update_memo_counter(self) -> None:
        length = len(self.memo_edit.toPlainText())  # characters, not bytes or UTF-16 units
        self.memo_counter.setText(f"{length} / {MEMO_MAX}")
        over = length > MEMO_MAX
        self.memo_counter.setStyleSheet(f"color: {ERROR_COLOR}; font-weight: bold;" if over else "color: #5f6368;")

    def _on_form_edited(self, *_args: object) -> None:
        if not self._loading:
            self.edited.emit()

    def _on_fallback_edit_text_changed(self, _text: str) -> None:
        if not self._loading:
            self._update_fallback_hint()


class BasicTab(QWidget):
    """Edits one link setting's 基本情報; ``load(None)`` empties and disables it, ``start_new()`` begins a new one."""

    changed = Signal()  # something was saved (the fields or the status)
    saved = Signal(str)  # the name the setting was saved under (new or renamed settings change it)
    verify_requested = Signal(str)  # 設定確認 for the named setting (wired by the verification feature)
    account_dialog_requested = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._original: LinkSettingConfig | None = None  # the saved setting being edited (None: new or none)
        self._is_new = False
        self._baseline: dict[str, Any] = {}
        self._build()
        self.load(None)

    # --- building ------------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.summary_label = ErrorLabel()
        self.summary_label.setObjectName("summaryLabel")
        self.summary_label.setStyleSheet(
            f"color: {ERROR_COLOR}; background: #fdecea; border: 1px solid #f5c2c0; border-radius: 4px; padding: 6px 8px;"
        )
        self.form = BasicForm(self.context)
        self.name_edit = self.form.name_edit  # the window names a new setting after it
        self.form.edited.connect(self._on_form_edited)
        self.form.account_button.clicked.connect(self.account_dialog_requested)

        self.required_note = QLabel(self.tr("* は必須項目です"))
        self.required_note.setStyleSheet("color: #5f6368;")
        self.save_button = QPushButton(self.tr("保存"))
        self.save_button.setObjectName("primaryButton")
        self.revert_button = QPushButton(self.tr("元に戻す"))
        for button in (self.save_button, self.revert_button):
            button.setMinimumWidth(96)

        self.basic_group = QGroupBox()
        self.basic_group.setObjectName("basicGroup")
        basic_layout = column(self.form, separator(), row(self.required_note, 1, self.revert_button, self.save_button),
                              parent=self.basic_group)
        basic_layout.setContentsMargins(16, 14, 16, 12)
        basic_layout.setSpacing(12)

        self.status_group = self._build_status_group()

        content = QWidget()
        content.setObjectName("basicTabContent")
        layout = column(self.status_group, self.summary_label, self.basic_group, 1, parent=content)
        layout.setContentsMargins(14, 12, 14, 14)
        layout.setSpacing(12)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        column(scroll, parent=self, margins=0)

        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.revert_button.clicked.connect(self._on_revert_button_clicked)

    def _build_status_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("録音連携ステータス"))
        self.status_buttons: dict[LinkStatus, QPushButton] = {}
        self.status_button_group = QButtonGroup(self)
        self.status_button_group.setExclusive(True)
        for index, status in enumerate(_STATUS_ORDER):
            button = QPushButton(status_text(status.value))
            button.setCheckable(True)
            button.setMinimumWidth(96)
            button.setObjectName(f"status_{status.value}")
            button.setProperty("segment", "first" if index == 0 else "last" if index == len(_STATUS_ORDER) - 1 else "middle")
            self.status_button_group.addButton(button, index)
            self.status_buttons[status] = button
        self.status_description = HintLabel()
        self.status_description.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.verify_button = QPushButton(self.tr("設定確認"))
        self.verify_button.setMinimumWidth(110)
        self.verify_button.setToolTip(self.tr("Salesforceに接続し、この連携設定で連携できるかを確認します(書き込みは行いません)"))
        buttons = row(*self.status_buttons.values())
        buttons.setSpacing(0)
        buttons.addSpacing(16)
        buttons.addWidget(self.status_description, 1)
        buttons.addSpacing(12)
        buttons.addWidget(self.verify_button)
        self.status_error = ErrorLabel()
        # 要対応 (services/attention.py, shown by the window): the red badge and why, under the status buttons.
        self.attention_badge = AttentionBadge()
        self._attention: tuple[Attention, ...] = ()
        layout = column(buttons, self.attention_badge, self.status_error, parent=group)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(6)
        self.status_button_group.idClicked.connect(self._on_status_button_group_id_clicked)
        self.verify_button.clicked.connect(self._on_verify_button_clicked)
        return group

    # --- public API ----------------------------------------------------------------------------------------

    def load(self, setting_name: str | None) -> None:
        """Show the saved setting ``setting_name``; None empties and disables the form."""
        setting = self.context.config.get_setting(setting_name) if setting_name else None
        self._original = setting
        self._is_new = False
        self._fill(setting or LinkSettingConfig(name=""))
        self.basic_group.setEnabled(setting is not None)
        self._update_status_controls()

    def start_new(self) -> None:
        """An empty form for a new setting: a unique name and the defaults; created on 保存."""
        self._original = None
        self._is_new = True
        accounts = [account.name for account in self.context.config.list_accounts()]
        self._fill(
            LinkSettingConfig(name=self.context.config.new_setting_name(), account=accounts[0] if len(accounts) == 1 else "")
        )
        self.basic_group.setEnabled(True)
        self._update_status_controls()
        self.name_edit.setFocus()
        self.name_edit.selectAll()

    def refresh_accounts(self) -> None:
        """Re-read the account list (after the account dialog) keeping the current choice and the dirty state."""
        current = self.form.account_combo.currentText()
        self.form.fill_accounts(current)
        if self._is_new and not current and self.form.account_combo.count() == 1:
            self.form.account_combo.setCurrentIndex(0)
        self._on_form_edited()

    def setting_name(self) -> str | None:
        """The saved name of the setting shown (None for a new or no setting)."""
        return self._original.name if self._original else None

    def is_new(self) -> bool:
        return self._is_new

    def is_dirty(self) -> bool:
        """True when the form holds edits that are not saved."""
        if self._original is None and not self._is_new:
            return False
        return self.form.values() != self._baseline

    def save(self) -> bool:
        """Validate and save through the service; show every problem inline. True when saved."""
        self._clear_problems()
        original_name = None if self._is_new else self.setting_name()
        stored = self.context.config.get_setting(original_name) or self._original if original_name else None
        setting = basic_to_save(stored, self.form.values())
        saved = save_or_say(lambda: self.context.config.save_basic(setting, original_name), self._show_problems,
                            self.summary_label.show_message, self.context.lang, self.context.database.location)
        if saved is None:
            return False
        self._original = saved
        self._is_new = False
        self._fill(saved)
        self.basic_group.setEnabled(True)
        self._update_status_controls()
        self.saved.emit(saved.name)
        self.changed.emit()
        return True

    def revert(self) -> None:
        """Drop unsaved edits: back to the saved setting, or to the defaults of a new one."""
        if self._is_new:
            self.start_new()
        else:
            self.load(self.setting_name())

    # --- form <-> data -------------------------------------------------------------------------------------

    def _fill(self, setting: LinkSettingConfig) -> None:
        self.summary_label.clear_message()
        self.status_error.clear_message()
        self.form.fill(setting)
        self._baseline = self.form.values()
        self._update_buttons()

    # --- problems ------------------------------------------------------------------------------------------

    def _clear_problems(self) -> None:
        self.form.clear_problems()
        self.summary_label.clear_message()
        self.status_error.clear_message()

    def _show_problems(self, problems: list[Problem]) -> None:
        others = self.form.show_problems(problems)
        summary = self.tr("保存できませんでした。{0}件の問題があります。各項目のメッセージを確認してください。").format(len(problems))
        self.summary_label.show_message("\n".join([summary, *others]))

    # --- live feedback -------------------------------------------------------------------------------------

    def _update_buttons(self) -> None:
        save, revert = form_buttons(self._is_new or self._original is not None, self._is_new, self.is_dirty())
        self.save_button.setEnabled(save)
        self.revert_button.setEnabled(revert)

    def _update_status_controls(self) -> None:
        saved = self._original is not None and not self._is_new
        status = LinkStatus(self._original.status) if self._original else LinkStatus.DISABLED
        for button in self.status_buttons.values():
            button.setEnabled(saved)
        self.status_buttons[status].setChecked(True)
        self.verify_button.setEnabled(saved)
        self.show_attention(self._attention if saved else ())
        if not saved:
            self.status_description.setText(self.tr("連携設定を保存すると、ステータスを変更できます。"))
            return
        descriptions = {
            LinkStatus.ENABLED: self.tr("連携対象の通話をSalesforceへ連携しています。"),
            LinkStatus.PAUSED: self.tr("通話を保持し、送信を止めています。有効に戻すと保持分を送信します。"),
            LinkStatus.DISABLED: self.tr("連携していません。無効の間の通話は、後で有効にしても連携されません。"),
        }
        self.status_description.setText(descriptions[status])

    def show_attention(self, found: tuple[Attention, ...]) -> None:
        """要対応: the red badge with the reasons, and the chosen status reads red instead of its colour."""
        self._attention = found
        self.attention_badge.show_attention(found, self.context.lang)
        for button in self.status_buttons.values():
            mark_attention(button, bool(found))

    # --- slots ---------------------------------------------------------------------------------------------

    def _on_form_edited(self) -> None:
        self._update_buttons()

    def _on_save_button_clicked(self) -> None:
        self.save()

    def _on_revert_button_clicked(self) -> None:
        self.revert()

    def _on_verify_button_clicked(self) -> None:
        name = self.setting_name()
        if name:
            self.verify_requested.emit(name)

    def _on_status_button_group_id_clicked(self, button_id: int) -> None:
        if self._original is None:
            return
        new = _STATUS_ORDER[button_id]
        current = LinkStatus(self._original.status)
        self.status_error.clear_message()
        if new == current:
            return
        if new == LinkStatus.DISABLED:
            answer = ask(
                self,
                self.tr("録音連携ステータスの変更"),
                self.tr(
                    "「{0}」の録音連携ステータスを無効にしますか?\n\n"
                    "無効の間に発生した通話は連携ジョブが作成されず、後で有効に戻してもSalesforceへ連携されません。"
                    "一時停止中に保持された通話は、有効に戻したときに送信されます。"
                ).format(self._original.name),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                self._update_status_controls()
                return
        original = self._original
        # Refused (no API consent) or a known failure (a locked database): the status stays as it was. (set_status
        # returns nothing: the new status stands for "it was set".)
        if save_or_say(lambda: self.context.config.set_status(original.name, new) or new, self._on_status_refused,
                       self.status_error.show_message, self.context.lang, self.context.database.location) is None:
            self._update_status_controls()
            return
        self._original = replace(original, status=new.value)
        self._update_status_controls()
        self.changed.emit()

    def _on_status_refused(self, problems: list[Problem]) -> None:
        text = ProblemsError(problems).text(self.context.lang)
        if self.form.consent_check.isChecked() and self._original is not None and not self._original.api_consent:
            text += "\n" + self.tr("API利用許諾の変更がまだ保存されていません。先に「保存」をクリックしてください。")
        self.status_error.show_message(text)
