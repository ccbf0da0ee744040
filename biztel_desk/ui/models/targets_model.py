"""連携対象 table model: company numbers with a link checkbox and the default outbound mark."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt

from biztel_desk.domain import phone
from biztel_desk.domain.config import LinkTargetConfig, validate_new_target
from biztel_desk.domain.messages import Problem
from biztel_desk.services.setting_tables import international
from biztel_desk.ui.setting_tables import Index, RowsModel

CHECK, NUMBER, NORMALIZED, DEFAULT_OUTBOUND, ALIASES = range(5)


def split_aliases(text: str) -> tuple[str, ...]:
    """``0100, gsm0`` (commas, 、 or spaces) → ("0100", "gsm0"); the store validates them."""
    for separator in ("、", "，", ",", "\u3000"):
        text = text.replace(separator, " ")
    return tuple(dict.fromkeys(part for part in text.split() if part))


class TargetsModel(RowsModel):
    """Rows are LinkTargetConfig; checkboxes can be changed only in edit mode."""

    COLUMNS = ("enabled", "number", "normalized", "default_outbound", "aliases")

    def __init__(self, region: str = "JP", parent: Any = None) -> None:
        super().__init__(parent)
        self.region = region

    def set_targets(self, targets: list[LinkTargetConfig] | tuple[LinkTargetConfig, ...]) -> None:
        self.set_rows(targets)

    def targets(self) -> list[LinkTargetConfig]:
        return list(self._rows)

    def e164_of(self, row: int) -> str | None:
        return phone.normalize(self._rows[row].number, self.region)

    def check_new(self, text: str) -> tuple[str | None, Problem | None]:
        """``text`` as a number to add (the 連携対象 tab's and the wizard's 追加): its E.164 form, or why it is
        refused (not a number, or already in the table)."""
        existing = {self.e164_of(row) for row in range(len(self._rows))}
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

    # --- QAbstractTableModel -----------------------------------------------------------------------------------

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self._editable and index.column() in (CHECK, DEFAULT_OUTBOUND):
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        if self._editable and index.column() == ALIASES:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        target = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and column in (CHECK, DEFAULT_OUTBOUND):
            checked = target.enabled if column == CHECK else target.default_outbound
            return Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DisplayRole and column == NUMBER:
            return target.number
        if role == Qt.ItemDataRole.DisplayRole and column == NORMALIZED:
            return international(target.number, self.region)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole) and column == ALIASES:
            return ", ".join(target.aliases)
        if role == Qt.ItemDataRole.ToolTipRole and column == NORMALIZED:
            return phone.normalize(target.number, self.region)
        if role == Qt.ItemDataRole.ToolTipRole and column == ALIASES:
            return self.tr("交換機がこの番号を書く別の表記(DIDの下桁 0100、トランク名 gsm0、s など)。カンマ区切り。")
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role == Qt.ItemDataRole.EditRole and index.isValid() and self._editable and index.column() == ALIASES:
            row = index.row()
            self._rows[row] = replace(self._rows[row], aliases=split_aliases(str(value or "")))
            self.dataChanged.emit(index, index)
            self.edited.emit()
            return True
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid() or not self._editable:
            return False
        checked = Qt.CheckState(value) == Qt.CheckState.Checked if not isinstance(value, bool) else value
        row = index.row()
        if index.column() == CHECK:
            self._rows[row] = replace(self._rows[row], enabled=checked)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        elif index.column() == DEFAULT_OUTBOUND:
            # Only one default outbound number per setting: checking one clears the others.
            self._rows = [
                replace(target, default_outbound=checked and position == row)
                if position == row or (checked and target.default_outbound)
                else target
                for position, target in enumerate(self._rows)
            ]
            self._refresh(DEFAULT_OUTBOUND, DEFAULT_OUTBOUND, [Qt.ItemDataRole.CheckStateRole])
        else:
            return False
        self.edited.emit()
        return True
