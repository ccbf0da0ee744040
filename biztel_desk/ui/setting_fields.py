"""Link setting fields that the 基本情報 tab and the wizard's 連携設定 page both show: the policy choices and the
紐付け先特定不可レコード hint. The form they sit in is declared with ``ui/forms.Field``."""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QComboBox, QSizePolicy

from biztel_desk.domain.config import OnMultipleMatch, OnNoMatch, OnUnanswered
from biztel_desk.domain.ids import InvalidRecordId, extract_record_id
from biztel_desk.domain.messages import message
from biztel_desk.domain.vocabulary import ON_MULTIPLE_MATCH, ON_NO_MATCH, ON_UNANSWERED, Word, word
from biztel_desk.ui.i18n import language
from biztel_desk.ui.widgets import HintLabel


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
