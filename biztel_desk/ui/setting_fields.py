"""Link setting fields that the 基本情報 tab and the wizard's 連携設定 page both show: the policy choices, the
紐付け先特定不可レコード hint, and ``Field``, one row of a setting form declared once — its label, its editor, the
labels under it, and how a LinkSettingConfig value goes in and comes out (``show_value`` / ``value_of``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from PySide6.QtCore import QCoreApplication, Signal, SignalInstance
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QSizePolicy,
    QWidget,
)

from biztel_desk.domain.config import OnMultipleMatch, OnNoMatch, OnUnanswered
from biztel_desk.domain.ids import InvalidRecordId, extract_record_id
from biztel_desk.domain.messages import message
from biztel_desk.domain.vocabulary import ON_MULTIPLE_MATCH, ON_NO_MATCH, ON_UNANSWERED, Word, word
from biztel_desk.ui.i18n import language
from biztel_desk.ui.widgets import ErrorLabel, HintLabel, field_block, make_form, required_label, row


def multiple_match_combo() -> QComboBox:
    """レコードが複数一致した場合: the OnMultipleMatch choices, each with its value as the item data."""
    return _choice_combo(tuple(OnMultipleMatch), ON_MULTIPLE_MATCH)


def no_match_combo() -> QComboBox:
    """レコードが一致しない場合: the OnNoMatch choices, each with its value as the item data."""
    return _choice_combo(tuple(OnNoMatch), ON_NO_MATCH)


def unanswered_combo() -> QComboBox:
    """未応答の通話: the OnUnanswered choices (NO ANSWER / BUSY / FAILED / CONGESTION calls)."""
    return _choice_combo(tuple(OnUnanswered), ON_UNANSWERED)


def _choice_combo(values: tuple[Enum, ...], words: dict[str, Word]) -> QComboBox:
    """The values in their order, each shown as its word from the one vocabulary (domain.vocabulary)."""
    combo = QComboBox()
    lang = language()
    for value in values:
        combo.addItem(word(words, value.value, lang), value.value)
    # Sized for 24 characters, not for the longest choice: the long ones must not widen the form.
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(24)
    combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return combo


class ChoiceRow(QWidget):
    """Radio buttons in a row, one per value (``buttons``, in order), each shown as its word from the one
    vocabulary; the first is the default."""

    changed = Signal()

    def __init__(self, values: tuple[Enum, ...], words: dict[str, Word]) -> None:
        super().__init__()
        self._values = [value.value for value in values]
        self.buttons = [QRadioButton(word(words, value, language())) for value in self._values]
        group = QButtonGroup(self)
        for button in self.buttons:
            group.addButton(button)
        row(*self.buttons, 1, parent=self, margins=0).setSpacing(20)
        group.buttonToggled.connect(self.changed)

    def value(self) -> str:
        return next((v for v, button in zip(self._values, self.buttons, strict=True) if button.isChecked()), self._values[0])

    def set_value(self, value: str) -> None:
        self.buttons[self._values.index(value) if value in self._values else 0].setChecked(True)


def _select_data(combo: QComboBox, value: str) -> None:
    combo.setCurrentIndex(max(combo.findData(value), 0))  # a choice that is not offered selects the first


def _combo_value(combo: QComboBox) -> str:
    """A choice's item data, or a name combo's text; "" when nothing is chosen."""
    data = combo.currentData()
    return "" if combo.currentIndex() < 0 else combo.currentText() if data is None else str(data)


Editor = QLineEdit | QPlainTextEdit | QCheckBox | QComboBox | ChoiceRow
# Per kind of editor: how it shows a setting value, the value it holds, and the signal of every change.
_KINDS: dict[type, tuple[Callable[[Any, Any], None], Callable[[Any], Any], str]] = {
    QLineEdit: (QLineEdit.setText, QLineEdit.text, "textChanged"),
    QPlainTextEdit: (QPlainTextEdit.setPlainText, QPlainTextEdit.toPlainText, "textChanged"),
    QCheckBox: (QCheckBox.setChecked, QCheckBox.isChecked, "toggled"),
    QComboBox: (_select_data, _combo_value, "currentIndexChanged"),
    ChoiceRow: (ChoiceRow.set_value, ChoiceRow.value, "changed"),
}


@dataclass(frozen=True)
class Field:
    """One row of a setting form. ``key`` is the LinkSettingConfig attribute, and the ``Problem.field_name`` whose
    text ``error`` shows; ``under`` are its hints; ``shown`` is what the row holds when not the editor alone;
    ``load`` / ``value`` replace the editor kind's own way where the field needs more."""

    key: str
    label: str
    editor: Editor
    under: tuple[QWidget, ...] = ()
    required: bool = True
    shown: QWidget | None = None
    load: Callable[[Any], None] | None = None
    value: Callable[[], Any] | None = None
    error: ErrorLabel = field(default_factory=ErrorLabel)

    def show(self, value: Any) -> None:
        if self.load:
            self.load(value)
        else:
            self._kind()[0](self.editor, value)

    def current(self) -> Any:
        return self.value() if self.value else self._kind()[1](self.editor)

    def changed(self) -> SignalInstance:
        signal: SignalInstance = getattr(self.editor, self._kind()[2])
        return signal

    def _kind(self) -> tuple[Callable[[Any, Any], None], Callable[[Any], Any], str]:
        return next(kind for cls, kind in _KINDS.items() if isinstance(self.editor, cls))


def field_form(fields: tuple[Field, ...]) -> QFormLayout:
    """The form of ``fields``: per row the label (a red * when required), then the editor, its hints, its error."""
    form = make_form()
    for spec in fields:
        form.addRow(required_label(spec.label, spec.required), field_block(spec.shown or spec.editor, *spec.under, spec.error))
    return form


def show_fallback_hint(hint: HintLabel, text: str, lang: str) -> None:
    """The 紐付け先特定不可レコード hint for what was typed: what to paste, the ID found (green), or why not (red)."""
    text = text.strip()
    if not text:
        hint.setText(QCoreApplication.translate(
            "SettingFields",
            "電話番号が複数一致した場合や一致しない場合の紐付け先です。レコードのID、またはレコードを開いたときのURLを貼り付けてください。",
        ))
        hint.set_state("hint")
        return
    try:
        record_id = extract_record_id(text)
    except InvalidRecordId as error:
        hint.setText(message(error.reason, lang, field_name="fallback_record_id"))
        hint.set_state("error")
        return
    hint.setText(QCoreApplication.translate("SettingFields", "抽出したID: {0}").format(record_id))
    hint.set_state("ok")
