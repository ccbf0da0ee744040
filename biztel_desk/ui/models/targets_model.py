"""連携対象 table model: company numbers with a link checkbox and the default outbound mark."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import phonenumbers
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from biztel_desk.domain import phone
from biztel_desk.domain.config import LinkTargetConfig

Index = QModelIndex | QPersistentModelIndex
CHECK, NUMBER, NORMALIZED, DEFAULT_OUTBOUND, ALIASES = range(5)


def split_aliases(text: str) -> tuple[str, ...]:
    """``0100, gsm0`` (commas, 、 or spaces) → ("0100", "gsm0"); the store validates them."""
    for separator in ("、", "，", ",", "\u3000"):
        text = text.replace(separator, " ")
    return tuple(dict.fromkeys(part for part in text.split() if part))


class TargetsModel(QAbstractTableModel):
    """Rows are LinkTargetConfig; checkboxes can be changed only in edit mode."""

    edited = Signal()

    def __init__(self, region: str = "JP", parent: Any = None) -> None:
        super().__init__(parent)
        self.region = region
        self._targets: list[LinkTargetConfig] = []
        self._editable = False

    def set_targets(self, targets: list[LinkTargetConfig] | tuple[LinkTargetConfig, ...]) -> None:
        self.beginResetModel()
        self._targets = list(targets)
        self.endResetModel()

    def targets(self) -> list[LinkTargetConfig]:
        return list(self._targets)

    def set_editable(self, editable: bool) -> None:
        self._editable = editable
        if self._targets:  # flags changed: let the view repaint the checkboxes
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._targets) - 1, ALIASES))

    def e164_of(self, row: int) -> str | None:
        return phone.normalize(self._targets[row].number, self.region)

    def append(self, target: LinkTargetConfig) -> int:
        row = len(self._targets)
        self.beginInsertRows(QModelIndex(), row, row)
        self._targets.append(target)
        self.endInsertRows()
        self.edited.emit()
        return row

    def remove(self, row: int) -> None:
        if 0 <= row < len(self._targets):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._targets[row]
            self.endRemoveRows()
            self.edited.emit()

    def add_alias(self, row: int, alias: str) -> None:
        """Append ``alias`` to the aliases of ``row`` (the one-click エイリアスにする of 未登録の番号)."""
        target = self._targets[row]
        if alias not in target.aliases:
            self._targets[row] = replace(target, aliases=(*target.aliases, alias))
            self.dataChanged.emit(self.index(row, ALIASES), self.index(row, ALIASES))
            self.edited.emit()

    def checked_count(self) -> int:
        return sum(1 for target in self._targets if target.enabled)

    # --- QAbstractTableModel -----------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._targets)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 5

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1) if 0 <= section < len(self._targets) else None
        headers = (self.tr("連携"), self.tr("電話番号"), self.tr("正規化"), self.tr("既定の発信番号"), self.tr("エイリアス"))
        return headers[section] if 0 <= section < len(headers) else None

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
        if not index.isValid() or not 0 <= index.row() < len(self._targets):
            return None
        target = self._targets[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.CheckStateRole:
            if column == CHECK:
                return Qt.CheckState.Checked if target.enabled else Qt.CheckState.Unchecked
            if column == DEFAULT_OUTBOUND:
                return Qt.CheckState.Checked if target.default_outbound else Qt.CheckState.Unchecked
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if column == NUMBER:
                return target.number
            if column == NORMALIZED:
                return self._normalized_text(target.number)
            if column == ALIASES:
                return ", ".join(target.aliases)
            return None
        if role == Qt.ItemDataRole.EditRole and column == ALIASES:
            return ", ".join(target.aliases)
        if role == Qt.ItemDataRole.ToolTipRole and column == NORMALIZED:
            return phone.normalize(target.number, self.region)
        if role == Qt.ItemDataRole.ToolTipRole and column == ALIASES:
            return self.tr("交換機がこの番号を書く別の表記(DIDの下桁 0100、トランク名 gsm0、s など)。カンマ区切り。")
        return None

    def _normalized_text(self, number: str) -> str:
        """The international form (``+81 3-1234-5678``): unambiguous, yet readable; the tooltip has E.164."""
        e164 = phone.normalize(number, self.region)
        if e164 is None:
            return ""
        return str(phonenumbers.format_number(phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.INTERNATIONAL))

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role == Qt.ItemDataRole.EditRole and index.isValid() and self._editable and index.column() == ALIASES:
            row = index.row()
            self._targets[row] = replace(self._targets[row], aliases=split_aliases(str(value or "")))
            self.dataChanged.emit(index, index)
            self.edited.emit()
            return True
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid() or not self._editable:
            return False
        checked = Qt.CheckState(value) == Qt.CheckState.Checked if not isinstance(value, bool) else value
        row = index.row()
        if index.column() == CHECK:
            self._targets[row] = replace(self._targets[row], enabled=checked)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        elif index.column() == DEFAULT_OUTBOUND:
            # Only one default outbound number per setting: checking one clears the others.
            self._targets = [
                replace(target, default_outbound=checked and position == row)
                if position == row or (checked and target.default_outbound)
                else target
                for position, target in enumerate(self._targets)
            ]
            self.dataChanged.emit(
                self.index(0, DEFAULT_OUTBOUND),
                self.index(len(self._targets) - 1, DEFAULT_OUTBOUND),
                [Qt.ItemDataRole.CheckStateRole],
            )
        else:
            return False
        self.edited.emit()
        return True
