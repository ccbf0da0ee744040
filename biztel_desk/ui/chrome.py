"""The window's chrome in one call each: actions (menus, tool bars, the tray's menu), pinned tool bar rows, and a
label that gives way in a full status bar."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence, QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QMenu, QSizePolicy, QToolBar, QWidget


def action(text: str, on_trigger: Callable[[], object], parent: QObject, *,
           shortcut: QKeySequence | QKeySequence.StandardKey | None = None, role: QAction.MenuRole | None = None,
           icon: QIcon | None = None, tooltip: str = "") -> QAction:
    """A menu or tool bar action that calls ``on_trigger``."""
    made = QAction(text, parent) if icon is None else QAction(icon, text, parent)
    if shortcut is not None:
        made.setShortcut(shortcut)
    if role is not None:
        made.setMenuRole(role)
    if tooltip:
        made.setToolTip(tooltip)
    made.triggered.connect(lambda _checked=False: on_trigger())
    return made


def add_actions(target: QMenu | QToolBar, items: Iterable[QAction | QWidget | None]) -> None:
    """Actions in order (None: a separator; on a tool bar, a widget is shown where it stands)."""
    for item in items:
        if item is None:
            target.addSeparator()
        elif isinstance(item, QAction):
            target.addAction(item)
        elif isinstance(target, QToolBar):
            target.addWidget(item)
        else:
            raise TypeError(f"a menu holds actions, not {item!r}")


def pinned(bar: QToolBar, name: str) -> QToolBar:
    """``bar`` named, and pinned as a row of its window: it cannot be moved, floated or hidden from the tool bar
    menu (controls or a notice the admin must not lose by accident)."""
    bar.setObjectName(name)
    bar.setMovable(False)
    bar.setFloatable(False)
    bar.toggleViewAction().setEnabled(False)
    return bar


class ElidedLabel(QLabel):
    """A one-line label that gives way when its row is full (the status bar at 1100 px): it paints "…" where the
    text is cut, and its tooltip then holds the whole text, with ``detail`` (always in the tooltip) under it.
    ``text()`` stays the whole text; the tooltip is worked out when it is asked for, at the width of that moment."""

    def __init__(self, *, name: str = "", min_width: int = 60) -> None:
        super().__init__()
        self.detail = ""
        self.min_width = min_width  # it gives way down to this width (an empty or short text takes less)
        if name:
            self.setObjectName(name)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def set_detail(self, detail: str) -> None:
        self.detail = detail

    def elided(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def toolTip(self) -> str:  # noqa: N802 (Qt override)
        return "\n".join(part for part in (self.text() if self.elided() else "", self.detail) if part)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            self.setToolTip(self.toolTip())  # what Qt shows is what Python reads
        return super().event(event)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        whole = super().minimumSizeHint()  # a QLabel's: the whole text
        return QSize(min(self.min_width, whole.width()), whole.height())

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter = QPainter(self)
        self.style().drawItemText(painter, rect, int(self.alignment()), self.palette(), self.isEnabled(), shown,
                                  self.foregroundRole())
