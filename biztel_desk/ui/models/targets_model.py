"""連携対象 table model: company numbers with a link checkbox and the default outbound mark."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtWidgets import QHeaderView

from biztel_desk.domain import phone
from biztel_desk.domain.config import LinkTargetConfig, validate_new_target
from biztel_desk.domain.messages import Problem
from biztel_desk.services.setting_tables import international
from biztel_desk.ui.setting_tables import Column, RowsModel

CHECK, NUMBER, NORMALIZED, DEFAULT_OUTBOUND, ALIASES = range(5)
_FIT = QHeaderView.ResizeMode.ResizeToContents


def split_aliases(text: Any) -> tuple[str, ...]:
    """``0100, gsm0`` (commas, 、 or spaces) → ("0100", "gsm0"); the store validates them."""
    text = str(text or "")
    for separator in ("、", "，", ",", "\u3000"):
        text = text.replace(separator, " ")
    return tuple(dict.fromkeys(part for part in text.split() if part))


class TargetsModel(RowsModel):
    """Rows are LinkTargetConfig; in edit mode the checkboxes change and the aliases are typed in their cell."""

    COLUMNS = (Column("enabled", edit="check", mode=_FIT), Column("number", edit=""), Column("normalized", edit=""),
               Column("default_outbound", edit="check", only_one=True, mode=_FIT),
               Column("aliases", parse=split_aliases))

    def __init__(self, region: str = "JP", parent: Any = None) -> None:
        super().__init__(parent)
        self.region = region

    def set_targets(self, targets: list[LinkTargetConfig] | tuple[LinkTargetConfig, ...]) -> None:
        self.set_rows(targets)

    def targets(self) -> list[LinkTargetConfig]:
        return self.rows()

    def text(self, item: LinkTargetConfig, key: str) -> Any:
        if key == "normalized":
            return international(item.number, self.region)
        return ", ".join(item.aliases) if key == "aliases" else super().text(item, key)

    def tip(self, item: LinkTargetConfig, key: str) -> str | None:
        if key == "normalized":
            return phone.normalize(item.number, self.region)
        if key == "aliases":
            return self.tr("交換機がこの番号を書く別の表記(DIDの下桁 0100、トランク名 gsm0、s など)。カンマ区切り。")
        return None

    def check_new(self, text: str) -> tuple[str | None, Problem | None]:
        """``text`` as a number to add (the 連携対象 tab's and the wizard's 追加): its E.164 form, or why it is
        refused (not a number, or already in the table)."""
        existing = {phone.normalize(target.number, self.region) for target in self._rows}
        return validate_new_target(text, self.region, existing)

    def add_alias(self, row: int, alias: str) -> None:
        """Append ``alias`` to the aliases of ``row`` (the one-click エイリアスにする of 未登録の番号)."""
        target = self._rows[row]
        if alias not in target.aliases:
            self._rows[row] = replace(target, aliases=(*target.aliases, alias))
            self.dataChanged.emit(self.index(row, ALIASES), self.index(row, ALIASES))
            self.edited.emit()

    def checked_count(self) -> int:
        return sum(1 for target in self._rows if target.enabled)

    def headers(self) -> tuple[str, ...]:
        return (self.tr("連携"), self.tr("電話番号"), self.tr("正規化"), self.tr("既定の発信番号"), self.tr("エイリアス"))
