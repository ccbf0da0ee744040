"""Qt-free decisions of the 基本情報 tab: what its 保存 stores, which of its buttons it offers, and what its link
status control (有効 / 一時停止 / 無効) shows and does."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from biztel_desk.domain.config import DEFAULT_OBJECTS, LinkSettingConfig, LinkStatus


def basic_to_save(stored: LinkSettingConfig | None, values: dict[str, Any]) -> LinkSettingConfig:
    """The setting a 保存 of the 基本情報 fields ``values`` stores. A new one (``stored`` None) gets the defaults
    of a new setting (DEFAULT_OBJECTS, 無効); a saved one is the setting as the database holds it now with the
    fields: its status may have changed elsewhere (the CLI), and is never reverted."""
    if stored is None:
        return LinkSettingConfig(objects=DEFAULT_OBJECTS, status=LinkStatus.DISABLED.value, **values)
    return replace(stored, **values)


def form_buttons(active: bool, is_new: bool, dirty: bool) -> tuple[bool, bool]:
    """保存 and 元に戻す enabled: a new setting can always be saved, a saved one once edited; nothing when no
    setting is shown (``active`` False)."""
    return active and (dirty or is_new), active and dirty


@dataclass(frozen=True)
class StatusView:
    """What the link status control shows: ``status`` is the button pressed; ``active`` the status buttons and
    設定確認 act (a saved setting); ``described`` the status whose description shows, None for "save it first"."""

    active: bool
    status: LinkStatus
    described: LinkStatus | None


def status_view(stored: LinkSettingConfig | None, is_new: bool) -> StatusView:
    """The control for the setting shown: a saved one shows its status; a new one or none shows 無効, inactive."""
    active = stored is not None and not is_new
    status = LinkStatus(stored.status) if stored is not None else LinkStatus.DISABLED
    return StatusView(active, status, status if active else None)


def status_step(current: LinkStatus, chosen: LinkStatus) -> str:
    """What pressing ``chosen`` does: "" nothing (it is the status), "ask" (無効: past-call linking is lost, asked
    first), "set"."""
    if chosen == current:
        return ""
    return "ask" if chosen == LinkStatus.DISABLED else "set"


def consent_unsaved(ticked: bool, stored: LinkSettingConfig | None) -> bool:
    """API利用許諾 is ticked in the form but not saved: a status refused for want of it says to 保存 first."""
    return ticked and stored is not None and not stored.api_consent
