"""Declared forms: a form is a tuple of ``Field``s — per row its key, label, editor, the labels under it and how a
value goes in and comes out — and ``Form`` builds the QFormLayout from them and does, once for every form of the
app, what each form used to write out by hand: fill the editors from values, read them back, follow every change,
hide and show rows, and show a ``Problem`` under the field it names (the others are returned for a message box).

The editors themselves come from the factories in ``ui/widgets.py`` (``line_edit``, ``combo``, ``check_box`` …)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from PySide6.QtCore import Signal, SignalInstance
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from biztel_desk.domain.messages import Problem
from biztel_desk.domain.vocabulary import Word, word
from biztel_desk.ui.boxes import STRETCH, hbox
from biztel_desk.ui.i18n import language
from biztel_desk.ui.widgets import ErrorLabel, field_block, make_form, required_label


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
        hbox(*self.buttons, STRETCH, parent=self, margins=0).setSpacing(20)
        group.buttonToggled.connect(self.changed)

    def value(self) -> str:
        return next((v for v, button in zip(self._values, self.buttons, strict=True) if button.isChecked()), self._values[0])

    def set_value(self, value: str) -> None:
        self.buttons[self._values.index(value) if value in self._values else 0].setChecked(True)


def _select_data(combo: QComboBox, value: Any) -> None:
    combo.setCurrentIndex(max(combo.findData(value), 0))  # a choice that is not offered selects the first


def _combo_value(combo: QComboBox) -> str:
    """A choice's item data, or a name combo's text; "" when nothing is chosen."""
    data = combo.currentData()
    return "" if combo.currentIndex() < 0 else combo.currentText() if data is None else str(data)


def _set_text(edit: QLineEdit, value: Any) -> None:
    edit.setText("" if value is None else str(value))


Editor = QLineEdit | QPlainTextEdit | QCheckBox | QComboBox | QSpinBox | ChoiceRow
# Per kind of editor: how it shows a value, the value it holds, and the signal of every change.
_KINDS: dict[type, tuple[Callable[[Any, Any], None], Callable[[Any], Any], str]] = {
    QLineEdit: (_set_text, QLineEdit.text, "textChanged"),
    QPlainTextEdit: (QPlainTextEdit.setPlainText, QPlainTextEdit.toPlainText, "textChanged"),
    QCheckBox: (QCheckBox.setChecked, QCheckBox.isChecked, "toggled"),
    QComboBox: (_select_data, _combo_value, "currentIndexChanged"),
    QSpinBox: (QSpinBox.setValue, QSpinBox.value, "valueChanged"),
    ChoiceRow: (ChoiceRow.set_value, ChoiceRow.value, "changed"),
}


@dataclass(frozen=True)
class Field:
    """One row of a form. ``key`` names the value it edits (a config attribute) and the ``Problem.field_name``
    whose text ``error`` shows; ``under`` are its hints; ``shown`` is what the row holds when not the editor alone
    (the editor with its button); ``load`` / ``value`` replace the editor kind's own way where the field needs
    more; ``editor`` None: a row that only shows (a state, a help text) and holds no value."""

    key: str
    label: str
    editor: Editor | None
    under: tuple[QWidget, ...] = ()
    required: bool = True
    shown: QWidget | None = None
    load: Callable[[Any], None] | None = None
    value: Callable[[], Any] | None = None
    error: ErrorLabel = field(default_factory=ErrorLabel)

    def show(self, value: Any) -> None:
        if self.load:
            self.load(value)
        elif self.editor is not None:
            self._kind()[0](self.editor, value)

    def current(self) -> Any:
        return self.value() if self.value else self._kind()[1](self.editor)

    def changed(self) -> SignalInstance:
        signal: SignalInstance = getattr(self.editor, self._kind()[2])
        return signal

    def _kind(self) -> tuple[Callable[[Any, Any], None], Callable[[Any], Any], str]:
        return next(kind for cls, kind in _KINDS.items() if isinstance(self.editor, cls))


def field_form(fields: Iterable[Field]) -> QFormLayout:
    """The form of ``fields``: per row the label (a red * when required), then the editor, its hints, its error."""
    form = make_form()
    for spec in fields:
        form.addRow(required_label(spec.label, spec.required), field_block(spec.shown or spec.editor, *spec.under, spec.error))
    return form


class Form:
    """The rows of ``fields`` in one QFormLayout (``layout``), addressed by key.

    ``fill`` shows values without calling ``on_edit``; every change the admin makes does. A hidden row's problem is
    not shown under it: ``show_problems`` returns its text with the other unplaced ones.
    """

    def __init__(self, fields: Iterable[Field], on_edit: Callable[[], None] | None = None) -> None:
        self.fields = {spec.key: spec for spec in fields}
        self.layout = field_form(self.fields.values())
        self.labels: dict[str, QLabel] = {}
        self.blocks: dict[str, QWidget] = {}
        for index, key in enumerate(self.fields):
            label = self.layout.itemAt(index, QFormLayout.ItemRole.LabelRole).widget()
            block = self.layout.itemAt(index, QFormLayout.ItemRole.FieldRole).widget()
            assert isinstance(label, QLabel)
            label.setBuddy(self.fields[key].editor)  # None for a row that only shows
            self.labels[key] = label
            self.blocks[key] = block
            block.setObjectName(f"row_{key}")
            self.fields[key].error.setObjectName(f"error_{key}")
        self.loading = False
        self._on_edit = on_edit
        for spec in self.fields.values():
            if spec.editor is not None:
                spec.changed().connect(self._edited)

    def __getitem__(self, key: str) -> Field:
        return self.fields[key]

    def fill(self, values: Mapping[str, Any]) -> None:
        """Show ``values`` (by key; keys without a row are ignored) and clear the problems; no ``on_edit``."""
        loading, self.loading = self.loading, True
        try:
            self.clear_problems()
            for key, value in values.items():
                if key in self.fields:
                    self.fields[key].show(value)
        finally:
            self.loading = loading

    def values(self, keys: Iterable[str] | None = None) -> dict[str, Any]:
        """The value of every row that holds one (or of ``keys``)."""
        chosen = self.fields if keys is None else keys
        return {key: self.fields[key].current() for key in chosen if self.fields[key].editor is not None}

    def set_visible(self, key: str, visible: bool) -> None:
        """Show or hide a row; a hidden row's problem is cleared."""
        self.layout.setRowVisible(self.blocks[key], visible)
        if not visible:
            self.fields[key].error.clear_message()

    def is_visible(self, key: str) -> bool:
        return not self.blocks[key].isHidden()

    def set_label(self, key: str, text: str, required: bool) -> None:
        self.labels[key].setText(required_label(text, required).text())

    def clear_problems(self) -> None:
        for spec in self.fields.values():
            spec.error.clear_message()

    def show_problem(self, key: str, text: str) -> None:
        """``text`` under the row, after what it already says."""
        error = self.fields[key].error
        error.show_message("\n".join(filter(None, (error.text(), text))))

    def show_problems(self, problems: Iterable[Problem], lang: str,
                      text: Callable[[Problem], str] | None = None) -> list[str]:
        """Each problem under the visible row it names; the texts of the others are returned. ``text``: how a
        problem reads here, where it is not its own ``text(lang)`` (a field labelled otherwise)."""
        others: list[str] = []
        for problem in problems:
            shown = text(problem) if text else problem.text(lang)
            if problem.field_name in self.fields and self.is_visible(problem.field_name):
                self.show_problem(problem.field_name, shown)
            else:
                others.append(shown)
        return others

    def _edited(self, *_args: object) -> None:
        if not self.loading and self._on_edit is not None:
            self._on_edit()
