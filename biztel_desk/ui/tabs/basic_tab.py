"""基本情報 tab: the link setting's basic fields (SPEC §4), the link status control (§5) and 設定確認."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QGroupBox, QLabel, QMessageBox, QPushButton, QSizePolicy, QWidget

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
from biztel_desk.services.setting_form import basic_to_save, consent_unsaved, form_buttons, status_step, status_view
from biztel_desk.ui.attention import AttentionBadge, mark_attention
from biztel_desk.ui.boxes import STRETCH, hbox, named, scrolled, vbox
from biztel_desk.ui.crash import save_or_say
from biztel_desk.ui.forms import ChoiceRow, Field, Form
from biztel_desk.ui.setting_fields import choice_combo, show_fallback_hint
from biztel_desk.ui.widgets import (
    ERROR_COLOR,
    ErrorLabel,
    HintLabel,
    ask,
    button,
    check_box,
    combo,
    line_edit,
    plain_text,
    separator,
    status_text,
)

_STATUS_ORDER = (LinkStatus.ENABLED, LinkStatus.PAUSED, LinkStatus.DISABLED)


class BasicForm(QWidget):
    """The 基本情報 fields of one link setting, with their hints and problems: one ``Field`` per row of a
    ``forms.Form`` (``rows``), which fills, reads and shows problems for them.

    The 基本情報 tab and the first-run wizard's 連携設定 page embed it (``with_account=False``: the wizard's
    account is the one it just saved). ``edited`` follows every change the admin makes (not ``fill``'s).
    """

    edited = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None, *, with_account: bool = True) -> None:
        super().__init__(parent)
        self.context = context
        self.name_edit = line_edit(placeholder=self.tr("例: 本社コールセンター"), max_length=NAME_MAX)
        self.account_combo = combo(placeholder=self.tr("(アカウントが登録されていません)"), min_width=260)
        self.account_combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.account_button = button(self.tr("アカウント管理…"), tooltip=self.tr("Salesforceアカウントを登録・編集します"))
        account_row = QWidget()
        hbox((self.account_combo, 1), self.account_button, parent=account_row, margins=0)
        self.account_hint = HintLabel(
            self.tr("アカウントが登録されていません。「アカウント管理…」から連携に使うアカウントを登録してください。")
        )
        self.fallback_edit = line_edit(placeholder=self.tr("レコードID(15桁/18桁)またはレコードのURL"))
        self.fallback_hint = HintLabel()
        self.consent_check = check_box(self.tr("このアカウントでSalesforce APIを利用することを許諾する"))
        self.memo_edit = plain_text()
        self.memo_edit.setFixedHeight(64)
        self.memo_counter = QLabel()
        self.memo_counter.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.no_match_combo = choice_combo("on_no_match")
        self.unanswered_combo = named(choice_combo("on_unanswered"), "unansweredCombo")
        activity = ChoiceRow(tuple(ActivityMode), ACTIVITY_MODES)
        self.task_radio, self.case_radio = activity.buttons

        self.rows = Form((
            Field("name", self.tr("連携名"), self.name_edit),
            Field("account", self.tr("Salesforceアカウント"), self.account_combo, (self.account_hint,),
                  shown=account_row, load=self.fill_accounts),
            Field("fallback_record_id", self.tr("紐付け先特定不可レコード"), self.fallback_edit, (self.fallback_hint,),
                  value=lambda: self.fallback_edit.text().strip()),
            Field("api_consent", self.tr("API利用許諾"), self.consent_check, (HintLabel(
                self.tr("BIZTEL Deskが上記のアカウントでAPIを呼び出し、活動履歴を作成します。ステータスを有効・一時停止にするには許諾が必要です。")
            ),)),
            Field("memo", self.tr("メモ"), self.memo_edit, (self.memo_counter,), required=False),
            Field("on_multiple_match", self.tr("レコードが複数一致した場合"), choice_combo("on_multiple_match")),
            Field("on_no_match", self.tr("レコードが一致しない場合"), self.no_match_combo),
            Field("on_unanswered", self.tr("未応答の通話"), self.unanswered_combo, (HintLabel(
                self.tr("誰も応答しなかった通話(不在着信・話中・発信失敗)を連携するかどうかです。")
            ),)),
            Field("activity_mode", self.tr("活動履歴"), activity, (HintLabel(
                self.tr("リードやカスタムオブジェクトなどケースを持てないレコードには、ToDoのみ作成します。")
            ),)),
        ), on_edit=self.edited.emit)
        self.errors = {key: spec.error for key, spec in self.rows.fields.items()}  # a problem's text under its field
        vbox(self.rows.layout, parent=self, margins=0)
        self.rows.set_visible("account", with_account)
        self.fallback_edit.textChanged.connect(self._update_fallback_hint)
        self.memo_edit.textChanged.connect(self._update_memo_counter)

    def fill(self, setting: LinkSettingConfig) -> None:
        """Show ``setting``'s values (no ``edited``)."""
        self.rows.fill({key: getattr(setting, key) for key in self.rows.fields})
        self._update_fallback_hint()
        self._update_memo_counter()

    def fill_accounts(self, selected: str) -> None:
        names = [account.name for account in self.context.config.list_accounts()]
        registered = bool(names)
        if selected and selected not in names:
            names.append(selected)  # keep showing what is stored; saving will say it is unknown
        loading, self.rows.loading = self.rows.loading, True
        self.account_combo.clear()
        self.account_combo.addItems(names)
        self.account_combo.setCurrentIndex(names.index(selected) if selected in names else -1)
        self.rows.loading = loading
        self.account_hint.setVisible(not registered)

    def values(self) -> dict[str, Any]:
        """The fields as LinkSettingConfig keyword arguments."""
        return self.rows.values()

    def clear_problems(self) -> None:
        self.rows.clear_problems()
        self._update_fallback_hint()

    def show_problems(self, problems: list[Problem]) -> list[str]:
        """Each problem under its field; the texts of the others are returned. The fallback record's goes in its
        hint (which says what is wrong with what was typed); the status's ("check API consent first") under
        API利用許諾: the fix is the checkbox."""
        lang = self.context.lang
        for problem in problems:
            if problem.field_name == "fallback_record_id":
                self.fallback_hint.setText(problem.text(lang))
                self.fallback_hint.set_state("error")
            elif problem.field_name == "status":
                self.rows.show_problem("api_consent", problem.text(lang))
        return self.rows.show_problems([p for p in problems if p.field_name not in ("fallback_record_id", "status")], lang)

    def _update_fallback_hint(self, *_text: object) -> None:
        show_fallback_hint(self.fallback_hint, self.fallback_edit.text(), self.context.lang)

    def _update_memo_counter(self) -> None:
        length = len(self.memo_edit.toPlainText())  # characters, not bytes or UTF-16 units
        self.memo_counter.setText(f"{length} / {MEMO_MAX}")
        over = length > MEMO_MAX
        self.memo_counter.setStyleSheet(f"color: {ERROR_COLOR}; font-weight: bold;" if over else "color: #5f6368;")


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
        self.summary_label = named(ErrorLabel(), "summaryLabel")
        self.summary_label.setStyleSheet(
            f"color: {ERROR_COLOR}; background: #fdecea; border: 1px solid #f5c2c0; border-radius: 4px; padding: 6px 8px;"
        )
        self.form = BasicForm(self.context)
        self.name_edit = self.form.name_edit  # the window names a new setting after it
        self.form.edited.connect(self._update_buttons)
        self.form.account_button.clicked.connect(self.account_dialog_requested)

        self.required_note = QLabel(self.tr("* は必須項目です"))
        self.required_note.setStyleSheet("color: #5f6368;")
        self.save_button = button(self.tr("保存"), self.save, name="primaryButton")
        self.revert_button = button(self.tr("元に戻す"), self.revert)
        for push in (self.save_button, self.revert_button):
            push.setMinimumWidth(96)
        self.basic_group = named(QGroupBox(), "basicGroup")
        vbox(self.form, separator(), hbox(self.required_note, STRETCH, self.revert_button, self.save_button),
             parent=self.basic_group, spacing=12).setContentsMargins(16, 14, 16, 12)

        self.status_group = self._build_status_group()
        scroll = scrolled(self, self.status_group, self.summary_label, self.basic_group, STRETCH, name="basicTabScroll",
                          spacing=12)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.widget().setObjectName("basicTabContent")
        scroll.widget().layout().setContentsMargins(14, 12, 14, 14)
        vbox(scroll, parent=self, margins=0)
        self.load(None)

    def _build_status_group(self) -> QGroupBox:
        """録音連携ステータス: 有効 / 一時停止 / 無効 as one segmented control, what the status does, and 設定確認."""
        group = QGroupBox(self.tr("録音連携ステータス"))
        self.status_buttons: dict[LinkStatus, QPushButton] = {}
        self.status_button_group = QButtonGroup(self)
        for index, (status, segment) in enumerate(zip(_STATUS_ORDER, ("first", "middle", "last"), strict=True)):
            push = self.status_buttons[status] = button(status_text(status.value), name=f"status_{status.value}")
            push.setCheckable(True)
            push.setMinimumWidth(96)
            push.setProperty("segment", segment)
            self.status_button_group.addButton(push, index)
        self.status_description = HintLabel()
        self.status_description.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.verify_button = button(self.tr("設定確認"), self._on_verify_button_clicked, tooltip=self.tr(
            "Salesforceに接続し、この連携設定で連携できるかを確認します(書き込みは行いません)"))
        self.verify_button.setMinimumWidth(110)
        self.status_error = ErrorLabel()
        # 要対応 (services/attention.py, shown by the window): the red badge and why, under the status buttons.
        self.attention_badge = AttentionBadge()
        self._attention: tuple[Attention, ...] = ()
        buttons = hbox(*self.status_buttons.values(), 16, (self.status_description, 1), 12, self.verify_button, spacing=0)
        vbox(buttons, self.attention_badge, self.status_error, parent=group, spacing=6).setContentsMargins(16, 12, 16, 12)
        self.status_button_group.idClicked.connect(self._on_status_button_group_id_clicked)
        return group

    # --- public API ----------------------------------------------------------------------------------------

    def load(self, setting_name: str | None) -> None:
        """Show the saved setting ``setting_name``; None empties and disables the form."""
        setting = self.context.config.get_setting(setting_name) if setting_name else None
        self._show(setting, setting or LinkSettingConfig(name=""))

    def start_new(self) -> None:
        """An empty form for a new setting: a unique name and the defaults; created on 保存."""
        accounts = [account.name for account in self.context.config.list_accounts()]
        self._show(None, LinkSettingConfig(name=self.context.config.new_setting_name(),
                                           account=accounts[0] if len(accounts) == 1 else ""), is_new=True)
        self.name_edit.setFocus()
        self.name_edit.selectAll()

    def refresh_accounts(self) -> None:
        """Re-read the account list (after the account dialog) keeping the current choice and the dirty state."""
        current = self.form.account_combo.currentText()
        self.form.fill_accounts(current)
        if self._is_new and not current and self.form.account_combo.count() == 1:
            self.form.account_combo.setCurrentIndex(0)
        self._update_buttons()

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
        self.form.clear_problems()
        self.summary_label.clear_message()
        self.status_error.clear_message()
        original_name = None if self._is_new else self.setting_name()
        stored = self.context.config.get_setting(original_name) or self._original if original_name else None
        setting = basic_to_save(stored, self.form.values())
        saved = save_or_say(lambda: self.context.config.save_basic(setting, original_name), self._show_problems,
                            self.summary_label.show_message, self.context.lang, self.context.database.location)
        if saved is None:
            return False
        self._show(saved, saved)
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

    def _show(self, original: LinkSettingConfig | None, values: LinkSettingConfig, *, is_new: bool = False) -> None:
        """Edit ``values``: the saved setting ``original`` (None: a new one, or none at all)."""
        self._original, self._is_new = original, is_new
        self.summary_label.clear_message()
        self.status_error.clear_message()
        self.form.fill(values)
        self._baseline = self.form.values()
        self._update_buttons()
        self.basic_group.setEnabled(original is not None or is_new)
        self._update_status_controls()

    # --- problems ------------------------------------------------------------------------------------------

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
        view = status_view(self._original, self._is_new)
        for push in (*self.status_buttons.values(), self.verify_button):
            push.setEnabled(view.active)
        self.status_buttons[view.status].setChecked(True)
        self.show_attention(self._attention if view.active else ())
        self.status_description.setText({
            None: self.tr("連携設定を保存すると、ステータスを変更できます。"),
            LinkStatus.ENABLED: self.tr("連携対象の通話をSalesforceへ連携しています。"),
            LinkStatus.PAUSED: self.tr("通話を保持し、送信を止めています。有効に戻すと保持分を送信します。"),
            LinkStatus.DISABLED: self.tr("連携していません。無効の間の通話は、後で有効にしても連携されません。"),
        }[view.described])

    def show_attention(self, found: tuple[Attention, ...]) -> None:
        """要対応: the red badge with the reasons, and the chosen status reads red instead of its colour."""
        self._attention = found
        self.attention_badge.show_attention(found, self.context.lang)
        for push in self.status_buttons.values():
            mark_attention(push, bool(found))

    # --- slots ---------------------------------------------------------------------------------------------

    def _on_verify_button_clicked(self) -> None:
        name = self.setting_name()
        if name:
            self.verify_requested.emit(name)

    def _on_status_button_group_id_clicked(self, button_id: int) -> None:
        original, chosen = self._original, _STATUS_ORDER[button_id]
        if original is None:
            return
        self.status_error.clear_message()
        step = status_step(LinkStatus(original.status), chosen)
        if not step:
            return
        # 無効 asks first. Refused (no API consent) or a known failure (a locked database): the status stays as it
        # was. (set_status returns nothing: the new status stands for "it was set".)
        if (step == "ask" and not self._confirm_disable(original.name)) or save_or_say(
            lambda: self.context.config.set_status(original.name, chosen) or chosen, self._on_status_refused,
            self.status_error.show_message, self.context.lang, self.context.database.location,
        ) is None:
            self._update_status_controls()
            return
        self._original = replace(original, status=chosen.value)
        self._update_status_controls()
        self.changed.emit()

    def _confirm_disable(self, name: str) -> bool:
        return ask(
            self,
            self.tr("録音連携ステータスの変更"),
            self.tr(
                "「{0}」の録音連携ステータスを無効にしますか?\n\n"
                "無効の間に発生した通話は連携ジョブが作成されず、後で有効に戻してもSalesforceへ連携されません。"
                "一時停止中に保持された通話は、有効に戻したときに送信されます。"
            ).format(name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        ) == QMessageBox.StandardButton.Yes

    def _on_status_refused(self, problems: list[Problem]) -> None:
        text = ProblemsError(problems).text(self.context.lang)
        if consent_unsaved(self.form.consent_check.isChecked(), self._original):
            text += "\n" + self.tr("API利用許諾の変更がまだ保存されていません。先に「保存」をクリックしてください。")
        self.status_error.show_message(text)
