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
from biztel_desk.ui.widgets import HintLabel, combo

# A link setting's policies by key: their values in order, and their words in the one vocabulary (domain.vocabulary).
CHOICES: dict[str, tuple[type[Enum], dict[str, Word]]] = {
    "on_multiple_match": (OnMultipleMatch, ON_MULTIPLE_MATCH),  # レコードが複数一致した場合
    "on_no_match": (OnNoMatch, ON_NO_MATCH),  # レコードが一致しない場合
    "on_unanswered": (OnUnanswered, ON_UNANSWERED),  # 未応答の通話: NO ANSWER / BUSY / FAILED / CONGESTION calls
}


def choice_combo(key: str) -> QComboBox:
    """The choices of the policy ``key``, each shown as its word, with its value as the item data."""
    values, words = CHOICES[key]
    box = combo([(word(words, value.value, language()), value.value) for value in values])
    # Sized for 24 characters, not for the longest choice: the long ones must not widen the form.
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(24)
    box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return box


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
