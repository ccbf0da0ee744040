"""The system tray icon: the overall link state (連携中 / 休止中 / 要対応) and a menu 開く, 休止/再開, 終了.

One icon per window: once it exists, the Notifier's balloons use it too (``Notifier.use_tray``). Where the platform has no tray (some Linux desktops,
offscreen), ``available`` is False and the window must not offer to stay in the tray.

The state is the app's overall one (services.attention.overall: 要対応 when any setting needs the admin, else the
worker's); its words are domain.vocabulary.OVERALL_STATES.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from biztel_desk.domain.vocabulary import OVERALL_STATES, word
from biztel_desk.services.attention import Overall
from biztel_desk.ui.chrome import action, add_actions
from biztel_desk.ui.i18n import language
from biztel_desk.ui.widgets import ERROR_COLOR, OK_COLOR

TrayState = Overall  # the tray shows the app's overall state
BADGE_COLORS = {TrayState.LINKING: OK_COLOR, TrayState.PAUSED: "#f9a825", TrayState.ATTENTION: ERROR_COLOR,
                TrayState.STOPPED: "#757575"}


def badged(icon: QIcon, state: TrayState, size: int = 32) -> QIcon:
    """The app icon with a coloured dot in the corner for the state (tray icons are tiny: colour, not text)."""
    pixmap = icon.pixmap(size, size) if not icon.isNull() else QPixmap(size, size)
    if icon.isNull():
        pixmap.fill(QColor("#1565c0"))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(BADGE_COLORS[state]))
    painter.setPen(QColor("white"))
    dot = size * 5 // 12
    painter.drawEllipse(size - dot - 1, size - dot - 1, dot, dot)
    painter.end()
    return QIcon(pixmap)


class AppTray(QObject):
    open_requested = Signal()
    pause_toggled = Signal()  # 休止 when linking, 再開 when paused
    quit_requested = Signal()

    def __init__(self, icon: QIcon, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.base_icon = icon
        self.state = TrayState.STOPPED
        self.reason = ""
        # Parented to the window: the menu then lives exactly as long as the window (a parentless menu collected
        # by Python while the tray icon still points at it crashes Qt).
        self.menu = QMenu(parent if isinstance(parent, QWidget) else None)
        self.open_action = action(self.tr("開く"), self.open_requested.emit, self)
        self.pause_action = action(self.tr("休止"), self.pause_toggled.emit, self)
        self.quit_action = action(self.tr("終了"), self.quit_requested.emit, self)
        add_actions(self.menu, (self.open_action, self.pause_action, None, self.quit_action))
        self.icon = QSystemTrayIcon(self)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_icon_activated)
        self.set_state(TrayState.STOPPED)

    @staticmethod
    def available() -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def set_state(self, state: TrayState, reason: str = "", *, paused: bool | None = None) -> None:
        """``paused``: the worker is paused (the menu offers 再開), also while 要対応 shows; default: state PAUSED."""
        self.state, self.reason = state, reason
        tip = f"BIZTEL Desk — {word(OVERALL_STATES, state.value, language())}"
        self.icon.setToolTip(f"{tip}\n{reason}" if reason else tip)
        self.icon.setIcon(badged(self.base_icon, state))
        paused = state == TrayState.PAUSED if paused is None else paused
        self.pause_action.setText(self.tr("再開") if paused else self.tr("休止"))
        self.pause_action.setEnabled(state in (TrayState.LINKING, TrayState.PAUSED, TrayState.ATTENTION))

    def tooltip(self) -> str:
        return self.icon.toolTip()

    def _on_icon_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.open_requested.emit()
