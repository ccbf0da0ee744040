"""Qt-free decisions of the オブジェクト and 連携対象 tabs: which row a problem is about, how a number reads in the
table, which saved numbers may link past calls, and which buttons the tabs enable."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from biztel_desk.domain import phone
from biztel_desk.domain.config import LinkTargetConfig, validate_target_number


def row_of(path: str, list_name: str) -> int | None:
    """The row a problem's path names (``objects[2].tab_code`` → 2 for "objects"); None when it names none."""
    found = re.search(rf"{re.escape(list_name)}\[(\d+)\]", path) if list_name else None
    return int(found.group(1)) if found else None


def international(number: str, region: str) -> str:
    """The international form (``+81 3-1234-5678``): unambiguous, yet readable; "" when it is not a number."""
    e164 = phone.normalize(number, region)
    if e164 is None:
        return ""
    return str(phonenumbers.format_number(phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.INTERNATIONAL))


def relink_candidates(before: list[LinkTargetConfig], after: list[LinkTargetConfig], region: str) -> list[str]:
    """The linked numbers (E.164) a 保存 changed so that past calls may link now: a number ticked or added, an
    alias added, or the 既定の発信番号 set."""
    old = {phone.normalize(t.number, region): t for t in before}
    changed = []
    for target in after:
        e164 = phone.normalize(target.number, region) if target.enabled else None
        if e164 is None:
            continue
        previous = old.get(e164)
        if (previous is None or not previous.enabled or set(target.aliases) - set(previous.aliases)
                or (target.default_outbound and not previous.default_outbound)):
            changed.append(e164)
    return changed


def can_add_number(number: str | None, region: str) -> bool:
    """An unregistered number can be added as a number (else only as an alias): it is one."""
    return bool(number) and validate_target_number(number or "", region)[1] is None


@dataclass(frozen=True)
class UnknownActions:
    """What 未登録の番号 offers for the number chosen in its list."""

    add: bool  # 追加: it is a phone number
    alias: bool  # エイリアスにする: there is a number to make it an alias of
    alias_only: bool  # chosen, but no phone number: the tooltip of 追加 says to make it an alias


def unknown_actions(number: str | None, region: str, targets: int) -> UnknownActions:
    """The buttons of 未登録の番号 for ``number`` (None: nothing chosen), with ``targets`` numbers in the table."""
    add = can_add_number(number, region)
    return UnknownActions(add=add, alias=bool(number) and targets > 0, alias_only=bool(number) and not add)


def alias_row(current: int, count: int) -> int | None:
    """The number an unregistered one becomes an alias of: the chosen row (-1: none), else the only one; None when
    the admin must be asked which."""
    if current >= 0:
        return current
    return 0 if count == 1 else None


@dataclass(frozen=True)
class ObjectsButtons:
    """What the オブジェクト tab enables."""

    add: bool
    edit: bool  # 編集 and 削除: a row is chosen
    up: bool
    down: bool
    save: bool  # 保存 and キャンセル: something is edited

    def by_button(self) -> dict[str, bool]:
        """Enabled or not per button of the tab (``<key>_button``)."""
        return {"add": self.add, "edit": self.edit, "delete": self.edit, "up": self.up, "down": self.down,
                "save": self.save, "cancel": self.save}


def objects_buttons(current: int, count: int, dirty: bool, checking: bool) -> ObjectsButtons:
    """The buttons for the chosen row ``current`` (-1: none) of ``count``; none while a 保存 compares the tab
    codes with the org (``checking``): the edits being saved stay put."""
    ready = not checking
    return ObjectsButtons(add=ready, edit=ready and current >= 0, up=ready and current > 0,
                          down=ready and 0 <= current < count - 1, save=ready and dirty)
