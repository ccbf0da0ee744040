"""Box layouts in one call: a row or a column of widgets, layouts, spacings and stretches.

``hbox(label, 12, combo, STRETCH)`` reads like the row it builds; the dialogs used to spell out six lines per row.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QHBoxLayout, QScrollArea, QVBoxLayout, QWidget

from biztel_desk.ui.widgets import STRETCH, fill_layout

__all__ = ["STRETCH", "fit_to_screen", "hbox", "named", "scrolled", "vbox"]

# An item: a QWidget or QLayout, ``(widget or layout, stretch)``, an int (a fixed gap in pixels) or STRETCH.
Item = object
W = TypeVar("W", bound=QWidget)


def hbox(*items: Item, parent: QWidget | None = None, margins: int | None = None,
         spacing: int | None = None) -> QHBoxLayout:
    """A row: widgets and layouts (``(widget, stretch)`` to give one the room), ints as gaps, STRETCH; set on
    ``parent`` when given."""
    return fill_layout(QHBoxLayout(parent) if parent is not None else QHBoxLayout(), items, margins, spacing)


def vbox(*items: Item, parent: QWidget | None = None, margins: int | None = None,
         spacing: int | None = None) -> QVBoxLayout:
    """A column, set on ``parent`` when given (the page or group box it lays out)."""
    return fill_layout(QVBoxLayout(parent) if parent is not None else QVBoxLayout(), items, margins, spacing)


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
