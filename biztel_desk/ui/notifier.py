"""OS notifications for what needs the admin (a balloon from the system tray): once per kind and subject, never a flood.

A kind+subject (e.g. ``("relogin", "本社")``) notifies the first time it is raised and again only after it was
cleared (the account signed in, then lost its sign-in again). Where the platform has no system tray (some Linux
desktops, offscreen tests), the window shows a notice bar across its top instead (not a dialog: it blocks
nothing; what comes while it is shown is added to it, never a second one) and its taskbar entry is flashed;
``shown`` keeps what was said either way.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QResizeEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QSizePolicy, QSystemTrayIcon, QToolBar

from biztel_desk.ui.chrome import action, pinned
from biztel_desk.ui.widgets import ATTENTION, STATUS_COLORS, text_label

NOTIFICATION_MS = 15_000


class Notifier(QObject):
    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._raised: set[tuple[str, str]] = set()
        self._tray: QSystemTrayIcon | None = None
        self.shown: list[tuple[str, str]] = []  # (title, text) of every notification, newest last
        self.fallback: NoticeBar | None = None  # the window's own notice where there is no tray

    def raise_(self, kind: str, subject: str, title: str, text: str) -> bool:
        """Notify unless this kind+subject is already raised; True when a notification went out."""
        key = (kind, subject)
        if key in self._raised:
            return False
        self._raised.add(key)
        self.shown.append((title, text))
        tray = self._tray_icon()
        if tray is not None:
            tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Warning, NOTIFICATION_MS)
            return True
        # No tray: a notice bar across the top of the window (not a dialog: nothing blocks, nothing piles up);
        # while it is shown, new notices are added to it.
        if self.fallback is None:
            self.fallback = NoticeBar(self._window)
        self.fallback.add(key, title, text)
        if QGuiApplication.platformName() != "offscreen":  # (offscreen has no taskbar to flash)
            QApplication.alert(self._window)
        return True

    def use_tray(self, tray: QSystemTrayIcon) -> None:
        """Show balloons on the window's tray icon (ui/tray.py) from now on: one icon in the tray, not two."""
        if self._tray is not None and self._tray is not tray:
            self._tray.hide()
            self._tray.deleteLater()
        self._tray = tray

    def clear(self, kind: str, subject: str) -> None:
        """The condition went away: the next time it comes back, it is notified again."""
        self._raised.discard((kind, subject))
        if self.fallback is not None:
            self.fallback.remove((kind, subject))  # the window's notice goes with its cause

    def raised(self, kind: str) -> set[str]:
        return {subject for raised_kind, subject in self._raised if raised_kind == kind}

    def _tray_icon(self) -> QSystemTrayIcon | None:
        if self._tray is None and QSystemTrayIcon.isSystemTrayAvailable():
            icon = self._window.windowIcon()
            self._tray = QSystemTrayIcon(icon if not icon.isNull() else QIcon(), self)
            self._tray.setToolTip("BIZTEL Desk")
            self._tray.show()
        return self._tray


class NoticeBar(QToolBar):
    """The window's notice where there is no tray: a red line of text per notice (the newest few; a notice goes
    when its cause is cleared) and 閉じる."""

    MAX_NOTICES = 3

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        pinned(self, "noticeBar")
        self.setStyleSheet("QToolBar#noticeBar { background: #fdecea; border-bottom: 1px solid #f5c2c0; }")
        self.label = text_label(name="noticeText", selectable=True)
        self.label.setStyleSheet(f"color: {STATUS_COLORS[ATTENTION][1]}; padding: 4px 8px;")
        # Wrapped over the window's width (a wrapped label alone asks for the height of a narrow column).
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.label.setMinimumWidth(200)
        self.addWidget(self.label)
        self.close_action = action(self.tr("閉じる"), self._close, self)
        self.addAction(self.close_action)
        self.notices: dict[tuple[str, str], str] = {}  # (kind, subject) → its line, oldest first
        window.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self)
        self.hide()

    def add(self, key: tuple[str, str], title: str, text: str) -> None:
        self.notices.pop(key, None)
        self.notices[key] = f"{title}: {text}"
        while len(self.notices) > self.MAX_NOTICES:
            self.notices.pop(next(iter(self.notices)))
        self._show_notices()

    def remove(self, key: tuple[str, str]) -> None:
        if self.notices.pop(key, None) is not None:
            self._show_notices()

    def _show_notices(self) -> None:
        self.label.setText("\n".join(self.notices.values()))
        self._fit()
        self.setVisible(bool(self.notices))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        parent = self.parentWidget()
        width = max((parent.width() if parent is not None else self.width()) - 120, 200)
        self.label.setFixedHeight(self.label.heightForWidth(width))

    def _close(self) -> None:
        self.notices = {}
        self.hide()
