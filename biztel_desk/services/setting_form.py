"""Qt-free decisions of the 基本情報 tab: what its 保存 stores, and which of its buttons it offers."""

from __future__ import annotations

from dataclasses import replace
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
