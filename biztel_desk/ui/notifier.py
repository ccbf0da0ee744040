"""OS notifications for what needs the admin (a balloon from the system tray): once per kind and subject, never a flood.

A kind+subject (e.g. ``("relogin", "devorg")``) notifies the first time it is raised and again only after it was
cleared (the account signed in, then lost its sign-in again). Where the platform has no system tray (some Linux
desktops, offscreen tests), the window's taskbar entry is flashed instead; ``shown`` keeps what was said either way.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

NOTIFICATION_MS = 15_000


class Notifier(QObject):
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._raised: set[tuple[str, str]] = set()
        self._tray: QSystemTrayIcon | None = None
        self.shown: list[tuple[str, str]] = []  # (title, text) of every notification, newest last

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
        elif QGuiApplication.platformName() != "offscreen":  # (offscreen has no taskbar to flash)
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

    def raised(self, kind: str) -> set[str]:
        return {subject for raised_kind, subject in self._raised if raised_kind == kind}

    def _tray_icon(self) -> QSystemTrayIcon | None:
        if self._tray is None and QSystemTrayIcon.isSystemTrayAvailable():
            icon = self._window.windowIcon()
            self._tray = QSystemTrayIcon(icon if not icon.isNull() else QIcon(), self)
            self._tray.setToolTip("BIZTEL Desk")
            self._tray.show()
        return self._tray
