"""要対応 in the window: ``AttentionWatch`` re-reads what needs the admin (services/attention.py) in a job, and
``AttentionBadge`` is the red 要対応 pill with its reason that the 基本情報 tab shows by its status controls.

The watch reads again when the worker's status changes and every few seconds (a failure written by another
process, a sign-in from the CLI), never on the GUI thread. ``notify`` turns its result into OS notifications: one
per kind and setting when it begins, none while it lasts, one again after it cleared and came back.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from biztel_desk.domain.vocabulary import LINK_STATUSES, word
from biztel_desk.services.attention import Attention, AttentionKind, Overall, overall, settings_attention
from biztel_desk.services.context import AppContext
from biztel_desk.services.link_runtime import WorkerStatus
from biztel_desk.ui.boxes import hbox, named
from biztel_desk.ui.notifier import Notifier
from biztel_desk.ui.tasks import Watch
from biztel_desk.ui.widgets import ATTENTION, ERROR_COLOR, STATUS_COLORS, text_label

log = logging.getLogger(__name__)

REFRESH_MS = 5000
BADGE_BACKGROUND, BADGE_TEXT = STATUS_COLORS[ATTENTION]  # the setting list's 要対応 pill
ALERT = ERROR_COLOR  # the tray's 要対応 dot (ui/tray.BADGE_COLORS)
ALERT_STYLE = f"color: {BADGE_TEXT}; font-weight: bold;"  # 要対応 and ブラウザでログイン… in the status bar


class AttentionWatch(Watch):
    """``attention``: setting → what needs the admin (most pressing first); ``overall`` for the tray;
    ``changed`` when either changed."""

    changed = Signal()

    def __init__(self, context: AppContext, parent: QObject | None = None, interval_ms: int = REFRESH_MS) -> None:
        super().__init__(parent, interval_ms)
        self.context = context
        self.attention: dict[str, tuple[Attention, ...]] = {}
        self.worker_status: WorkerStatus | None = None
        self.overall = Overall.STOPPED

    def set_worker_status(self, status: WorkerStatus | None) -> None:
        """The worker said something new: its error and its troubles are part of the answer."""
        previous = self.worker_status
        self.worker_status = status
        if status is None or previous is None or (previous.state, previous.troubles, previous.counters) != (
                status.state, status.troubles, status.counters):
            self.refresh()

    @Slot()
    def refresh(self) -> None:
        if self._closed:
            return
        self.jobs.run("read", self._read(self.worker_status), on_error=self._on_read_failed)  # newer wins

    async def _read(self, status: WorkerStatus | None) -> None:
        context = self.context
        found = await self.jobs.to_thread(settings_attention, context.config, context.secrets, status, context.lang,
                                          self.attention)
        state = overall(status, found)
        if found != self.attention or state != self.overall:
            self.attention, self.overall = found, state
            self.changed.emit()

    def _on_read_failed(self, error: BaseException) -> None:
        # The database is busy or gone (the window says so elsewhere): keep what is shown, the next read tries again.
        log.warning("could not read what needs attention: %s", error)


def notify(notifier: Notifier, attention: Mapping[str, tuple[Attention, ...]], lang: str) -> int:
    """One notification per kind and setting when it begins; cleared kinds notify again when they come back.
    Returns how many went out."""
    sent = 0
    for kind in AttentionKind:
        now = {setting for setting, found in attention.items() if any(a.kind == kind for a in found)}
        for setting in notifier.raised(kind.value) - now:
            notifier.clear(kind.value, setting)
        for setting in sorted(now):
            item = next(a for a in attention[setting] if a.kind == kind)
            title = f"BIZTEL Desk — {setting}: {item.title(lang)}"
            sent += notifier.raise_(kind.value, setting, title, item.reason)
    return sent


def mark_attention(button: QWidget, on: bool) -> None:
    """A status button that reads red instead of its own colour (the green 有効) while the setting needs the admin."""
    button.setStyleSheet(f"QPushButton:checked {{ background: {ALERT}; border-color: {ALERT}; color: #ffffff; }}"
                         if on else "")
    button.setProperty("attention", on)


class AttentionBadge(QWidget):
    """The red 要対応 pill and the reason, next to a setting's status controls; hidden when nothing is wrong."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attentionBadge")
        self.attention: Attention | None = None
        self.pill = named(QLabel(), "attentionPill")
        self.pill.setStyleSheet(f"background: {BADGE_BACKGROUND}; color: {BADGE_TEXT}; font-weight: bold;"
                                f" border: 1px solid {BADGE_TEXT}; border-radius: 9px; padding: 1px 10px;")
        self.pill.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.reason = text_label(name="attentionReason", selectable=True)
        self.reason.setStyleSheet(f"color: {BADGE_TEXT};")
        self.reason.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        layout = hbox(self.pill, (self.reason, 1), parent=self, margins=0)
        layout.setSpacing(10)
        layout.setAlignment(self.pill, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_attention(self, found: tuple[Attention, ...], lang: str) -> None:
        """Show what needs the admin, most pressing first (nothing: hidden)."""
        self.attention = found[0] if found else None
        if not found:
            self.hide()
            return
        self.pill.setText(word(LINK_STATUSES, "attention", lang))
        self.pill.setToolTip(" / ".join(item.title(lang) for item in found))
        self.reason.setText("\n".join(item.reason for item in found))
        self.setVisible(True)
