"""Small shared widgets: inline error labels, required-field labels, form rows, layout builders and the status badge
colours."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from biztel_desk.domain.config import LinkStatus
from biztel_desk.domain.vocabulary import LINK_STATUSES, word
from biztel_desk.ui.i18n import language

ERROR_COLOR = "#c62828"
HINT_COLOR = "#5f6368"
OK_COLOR = "#2e7d32"
WARNING_COLOR = "#b26a00"  # a 注意 line of 設定確認 (amber: not an error)
# The mark and colour of a checked thing by its kind (services.verification.LineKind; "unchecked": never checked):
# the lines of 設定確認 (ui/dialogs/verify_dialog.py) and the items of its checklist (checklist_dialog.py).
MARKS: dict[str, tuple[str, str]] = {"ok": ("✓", OK_COLOR), "warning": ("!", WARNING_COLOR),
                                     "error": ("✗", ERROR_COLOR), "unchecked": ("－", HINT_COLOR)}

# Badge colours per link status: (background, text).
ATTENTION = "attention"  # 要対応 (services/attention.py), in place of its status

STATUS_COLORS: dict[str, tuple[str, str]] = {
    LinkStatus.ENABLED.value: ("#e6f4ea", "#1e6b34"),
    LinkStatus.PAUSED.value: ("#fff4e0", "#8a5300"),
    LinkStatus.DISABLED.value: ("#eceff1", "#455a64"),
    ATTENTION: ("#fde7e9", "#b00020"),
}

# Role of a list item holding the link status value (``enabled`` …) for StatusBadgeDelegate.
STATUS_ROLE = Qt.ItemDataRole.UserRole + 1


def status_text(status: str) -> str:
    """A link status's word (有効 / 一時停止 / 無効 / 要再ログイン) from the one vocabulary, in the window's language."""
    return word(LINK_STATUSES, status, language())


class ErrorLabel(QLabel):
    """A red, word-wrapped message shown under a field; hidden while empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorLabel")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setStyleSheet(f"color: {ERROR_COLOR};")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.hide()

    def show_message(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))

    def clear_message(self) -> None:
        self.show_message("")


class HintLabel(QLabel):
    """Grey helper text under a field (wrapped); ``set_state`` switches to green (ok) or red (error)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.set_state("hint")

    def set_state(self, state: str) -> None:
        color = {"ok": OK_COLOR, "error": ERROR_COLOR}.get(state, HINT_COLOR)
        self.setStyleSheet(f"color: {color};")


def required_label(text: str, required: bool = True) -> QLabel:
    """A form label; required fields get a red asterisk (the text itself is already translated)."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.RichText)
    escaped = text.replace("&", "&amp;").replace("<", "&lt;")
    label.setText(f'{escaped}<span style="color:{ERROR_COLOR}"> *</span>' if required else escaped)
    label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return label


def field_block(*widgets: QWidget) -> QWidget:
    """Stack a field and its hint/error labels vertically so they share one form row."""
    block = QWidget()
    layout = QVBoxLayout(block)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(3)
    for widget in widgets:
        layout.addWidget(widget)
    return block


def make_form() -> QFormLayout:
    """A QFormLayout with our alignment and spacing on every platform."""
    form = QFormLayout()
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
    form.setFormAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
    form.setHorizontalSpacing(16)
    form.setVerticalSpacing(10)
    return form


_Box = TypeVar("_Box", bound=QBoxLayout)
STRETCH = object()  # an item of ``boxes.hbox`` / ``boxes.vbox`` (where an int is a gap): the free room goes here


def fill_layout(layout: _Box, items: tuple[object, ...], margins: int | None, spacing: int | None = None) -> _Box:
    """Add ``items`` to ``layout`` (``boxes.hbox`` / ``boxes.vbox``): widgets and layouts (``(item, stretch)`` to give
    one the room), STRETCH (the free room), and ints: fixed gaps in pixels."""
    if margins is not None:
        layout.setContentsMargins(margins, margins, margins, margins)
    if spacing is not None:
        layout.setSpacing(spacing)
    for item in items:
        thing, stretch = item if isinstance(item, tuple) else (item, 0)
        if thing is STRETCH:
            layout.addStretch(1)
        elif isinstance(thing, int):
            layout.addSpacing(thing)
        elif isinstance(thing, QLayout):
            layout.addLayout(thing, stretch)
        elif isinstance(thing, QWidget):
            layout.addWidget(thing, stretch)
        else:
            raise TypeError(f"not a box item: {thing!r}")
    return layout


def separator() -> QFrame:
    """A sunken horizontal line between the parts of a page."""
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line


def busy_bar(max_width: int = 0, *, visible: bool = True) -> QProgressBar:
    """An indeterminate progress bar: something runs whose number of steps is not known ahead."""
    bar = QProgressBar()
    bar.setRange(0, 0)
    bar.setTextVisible(False)
    if max_width:
        bar.setMaximumWidth(max_width)
    bar.setVisible(visible)
    return bar


def text_label(text: str = "", *, name: str = "", bold: bool = False, selectable: bool = False) -> QLabel:
    """A word-wrapped plain-text label; ``selectable`` lets the admin copy it (a reason, a path)."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if name:
        label.setObjectName(name)
    if bold:
        label.setStyleSheet("font-weight: bold;")
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def read_only_table(headers: list[str], rows: int = 0) -> QTableWidget:
    """A QTableWidget to read, not edit: whole rows selected, no row numbers."""
    table = QTableWidget(rows, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    return table


def ask(
    parent: QWidget | None,
    title: str,
    text: str,
    buttons: QMessageBox.StandardButton,
    default: QMessageBox.StandardButton,
) -> QMessageBox.StandardButton:
    """One place for confirmations (tests patch ``QMessageBox.question``)."""
    return QMessageBox.question(parent, title, text, buttons, default)


class StatusBadgeDelegate(QStyledItemDelegate):
    """Draws a list item's text with a coloured status pill (有効 / 一時停止 / 無効) at the right."""

    _PADDING_X = 8
    _PILL_MARGIN = 10

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        status = index.data(STATUS_ROLE)
        if not status:
            super().paint(painter, option, index)
            return
        badge = status_text(str(status))
        font = QFont(option.font)  # type: ignore[attr-defined]
        font.setPointSizeF(max(font.pointSizeF() - 1, 7))
        metrics = QFontMetrics(font)
        pill_width = metrics.horizontalAdvance(badge) + 2 * self._PADDING_X
        rect: QRect = option.rect  # type: ignore[attr-defined]
        # Draw the normal item (selection, focus, text) with room kept for the pill.
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        item.rect = rect.adjusted(0, 0, -(pill_width + self._PILL_MARGIN), 0)  # type: ignore[attr-defined]
        widget = option.widget  # type: ignore[attr-defined]
        style = widget.style() if widget else None
        if style is not None:
            background = QStyleOptionViewItem(option)
            self.initStyleOption(background, index)
            background.text = ""  # type: ignore[attr-defined]
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, background, painter, widget)
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, _text_only(item), painter, widget)
        background_color, text_color = STATUS_COLORS.get(str(status), STATUS_COLORS[LinkStatus.DISABLED.value])
        pill_height = metrics.height() + 4
        pill = QRect(
            rect.right() - self._PILL_MARGIN - pill_width + 4,
            rect.top() + (rect.height() - pill_height) // 2,
            pill_width,
            pill_height,
        )
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(background_color))
        painter.drawRoundedRect(pill, pill_height / 2, pill_height / 2)
        painter.setPen(QColor(text_color))
        painter.setFont(font)
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, badge)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        badge = status_text(str(index.data(STATUS_ROLE) or ""))
        extra = QFontMetrics(option.font).horizontalAdvance(badge) + 2 * self._PADDING_X + self._PILL_MARGIN  # type: ignore[attr-defined]
        return QSize(size.width() + extra, max(size.height(), QFontMetrics(option.font).height() + 14))  # type: ignore[attr-defined]


def _text_only(option: QStyleOptionViewItem) -> QStyleOptionViewItem:
    """A copy that paints only the text (the background was painted across the full row already)."""
    text_option = QStyleOptionViewItem(option)
    text_option.state = text_option.state & ~QStyle.StateFlag.State_HasFocus  # type: ignore[attr-defined]
    text_option.backgroundBrush = QPalette().brush(QPalette.ColorRole.NoRole)  # type: ignore[attr-defined]
    text_option.showDecorationSelected = False  # type: ignore[attr-defined]
    return text_option


# --- editor factories: one call per widget, its settings as keyword arguments (the forms of ui/forms.py) -------


W = TypeVar("W", bound=QWidget)


def _made(widget: W, *, name: str = "", tooltip: str = "", width: int = 0) -> W:
    """What the factories below set alike: the object name (what the tests and the style sheets find it by), the
    tooltip and a fixed width, each when given."""
    if name:
        widget.setObjectName(name)
    if tooltip:
        widget.setToolTip(tooltip)
    if width:
        widget.setFixedWidth(width)
    return widget


def line_edit(text: str = "", *, placeholder: str = "", max_length: int = 0, width: int = 0, max_width: int = 0,
              read_only: bool = False, password: bool = False, mono: bool = False, name: str = "",
              parent: QWidget | None = None) -> QLineEdit:
    """A one-line editor: ``width`` fixes its width, ``password`` hides what is typed, ``mono`` shows a token or a
    key in the fixed-width font."""
    edit = QLineEdit(text, parent)
    edit.setPlaceholderText(placeholder)
    if max_length:
        edit.setMaxLength(max_length)
    if max_width:
        edit.setMaximumWidth(max_width)
    edit.setReadOnly(read_only)
    if password:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    if mono:
        edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    return _made(edit, name=name, width=width)


def plain_text(text: str = "", *, read_only: bool = False, mono: bool = False, lines: int = 0, wrap: bool = True,
               name: str = "", parent: QWidget | None = None) -> QPlainTextEdit:
    """A multi-line editor (or a read-only text to copy from); ``lines`` fixes its height to that many lines."""
    edit = QPlainTextEdit(text, parent)
    edit.setReadOnly(read_only)
    edit.setTabChangesFocus(True)
    if mono:
        edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    if not wrap:
        edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    if lines:
        edit.setFixedHeight(edit.fontMetrics().lineSpacing() * lines + 14)
    return _made(edit, name=name)


def button(text: str, on_click: Callable[[], object] | None = None, *, name: str = "", tooltip: str = "",
           parent: QWidget | None = None) -> QPushButton:
    """A push button, connected to ``on_click`` when given."""
    push = QPushButton(text, parent)
    if on_click is not None:
        push.clicked.connect(lambda _checked=False: on_click())
    return _made(push, name=name, tooltip=tooltip)


def combo(choices: Iterable[tuple[str, object]] = (), *, placeholder: str = "", min_width: int = 0, name: str = "",
          parent: QWidget | None = None, width: int = 0, editable: bool = False) -> QComboBox:
    """A drop-down of ``(text, data)`` choices; ``forms.Field`` reads and selects a choice by its data.
    ``editable``: the choices are suggestions, the admin may type another text."""
    box = QComboBox(parent)
    box.setEditable(editable)
    for text, data in choices:
        box.addItem(text, data)
    if placeholder:
        box.setPlaceholderText(placeholder)
    if min_width:
        box.setMinimumWidth(min_width)
    return _made(box, name=name, width=width)


def spin_box(minimum: int, maximum: int, *, suffix: str = "", width: int = 0, tooltip: str = "", name: str = "",
             parent: QWidget | None = None) -> QSpinBox:
    """A number within ``minimum``..``maximum``, right-aligned, ``suffix`` its unit (" 日")."""
    spin = QSpinBox(parent)
    spin.setRange(minimum, maximum)
    spin.setSuffix(suffix)
    spin.setAlignment(Qt.AlignmentFlag.AlignRight)
    return _made(spin, name=name, tooltip=tooltip, width=width)


def check_box(text: str, *, checked: bool = False, tooltip: str = "", name: str = "",
              parent: QWidget | None = None) -> QCheckBox:
    box = QCheckBox(text, parent)
    box.setChecked(checked)
    return _made(box, name=name, tooltip=tooltip)


class MessageBox(ErrorLabel):
    """A message in a box under a form's buttons, to select and copy; hidden while empty. ``show_message`` makes it
    green when ``ok``, red when not ``ok``, grey for None (what is happening)."""

    # (text colour, background) per ``ok``: success, failure, what is happening
    LOOKS = {True: (OK_COLOR, "#e6f4ea"), False: (ERROR_COLOR, "#fdecea"), None: ("#202124", "#f1f3f4")}

    def show_message(self, text: str, *, ok: bool | None = None) -> None:
        color, background = self.LOOKS[ok]
        self.setStyleSheet(f"color: {color}; background: {background}; border-radius: 4px; padding: 8px 10px;")
        super().show_message(text)


def side_by_side(*items: object, spacing: int | None = None) -> QWidget:
    """``items`` in a row as one widget without margins (the items of ``boxes.hbox``: an int is a gap, STRETCH takes
    the room): a form row's editor with its button (a path and its 参照…), or two editors with the second's label."""
    widget = QWidget()
    fill_layout(QHBoxLayout(widget), items, 0, spacing)
    return widget


def yes_no(parent: QWidget | None, title: str, text: str) -> bool:
    """A question answered Yes or No, No the default (through ``ask``, which the tests patch): True for Yes."""
    answer = ask(parent, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                 QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes
