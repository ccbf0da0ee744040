"""The Salesforce-side checklist (ui/dialogs/checklist_dialog.py) without Qt: each item's state and when it was
last verified, from the last 設定確認's report."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from biztel_desk.services.verification import VerificationReport, checklist_state

ItemKind = Literal["ok", "error", "unchecked"]  # ✓ OK, ✗ 要対応 (with its reasons), － 未確認


def item_state(report: VerificationReport | None, key: str, lang: str = "ja") -> tuple[ItemKind, str]:
    """One checklist item's kind and, for an item to fix, why (one reason a line)."""
    state, reasons = checklist_state(report, key, lang)
    if state is None:  # never verified, or the check could not run
        return "unchecked", ""
    return ("ok", "") if state else ("error", "\n".join(reasons))


def local_time(iso: str) -> str:
    """A report's ``verified_at`` in this computer's time zone, to the minute (as stored when it is not a time)."""
    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")
