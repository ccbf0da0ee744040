"""Box layouts in one call: a row or a column of widgets, layouts, spacings and stretches.

``hbox(label, 12, combo, STRETCH)`` reads like the row it builds; the dialogs used to spell out six lines per row.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLayout, QVBoxLayout, QWidget

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
