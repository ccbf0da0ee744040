"""Box layouts in one call: a row or a column of widgets, layouts, spacings and stretches.

``hbox(label, 12, combo, STRETCH)`` reads like the row it builds; the dialogs used to spell out six lines per row.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLayout, QScrollArea, QVBoxLayout, QWidget

STRETCH = object()  # an item: the free room goes here
# An item: a QWidget or QLayout, ``(widget or layout, stretch)``, an int (a fixed gap in pixels) or STRETCH.
Item = object
W = TypeVar("W", bound=QWidget)


def _fill(layout: QBoxLayout, items: tuple[Item, ...], margins: int | None, spacing: int | None) -> None:
    if margins is not None:
        layout.setContentsMargins(margins, margins, margins, margins)
    if spacing is not None:
        layout.setSpacing(spacing)
    for item in items:
        part, stretch = item if isinstance(item, tuple) else (item, 0)
        if isinstance(part, QWidget):
            layout.addWidget(part, stretch)
        elif isinstance(part, QLayout):
            layout.addLayout(part, stretch)
        elif isinstance(part, int):
            layout.addSpacing(part)
        elif part is STRETCH:
            layout.addStretch(1)
        else:
            raise TypeError(f"not a box item: {part!r}")


def hbox(*items: Item, margins: int | None = None, spacing: int | None = None) -> QHBoxLayout:
    """A row: widgets and layouts (``(widget, stretch)`` to give one the room), ints as gaps, STRETCH."""
    layout = QHBoxLayout()
    _fill(layout, items, margins, spacing)
    return layout


def vbox(*items: Item, parent: QWidget | None = None, margins: int | None = None,
         spacing: int | None = None) -> QVBoxLayout:
    """A column, set on ``parent`` when given (the page or group box it lays out)."""
    layout = QVBoxLayout(parent) if parent is not None else QVBoxLayout()
    _fill(layout, items, margins, spacing)
    return layout


def named(widget: W, name: str) -> W:
    """``widget`` with its object name (what the tests and the style sheets find it by)."""
    widget.setObjectName(name)
    return widget


def scrolled(parent: QWidget, *items: Item, name: str, spacing: int | None = None) -> QScrollArea:
    """A frameless scroll area holding a column of ``items``: a dialog's body, so that its buttons, laid out below
    it, stay in reach on a 1366x768 screen or at 2x scale."""
    content = QWidget(parent)
    vbox(*items, parent=content, margins=0, spacing=spacing)
    area = named(QScrollArea(parent), name)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(content)
    return area


def fit_to_screen(window: QWidget, width: int, height: int, available: QRect | None = None) -> None:
    """``width`` x ``height`` where the screen (or ``available``) has room, else its free area."""
    screen = window.screen() if available is None else None
    area = available if available is not None else screen.availableGeometry() if screen else QRect(0, 0, width, height)
    frame = 40  # the window's title bar and borders, outside the widget's size
    window.resize(min(width, area.width()), min(height, max(area.height() - frame, 0)))
