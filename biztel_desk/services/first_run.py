"""What the first-run wizard decides without Qt: which objects describeGlobal leaves out (オブジェクト), which row a
problem names, and what it says at its end (有効化): what was saved, and how 設定確認 went."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from biztel_desk.domain.config import LinkObjectConfig, LinkSettingConfig
from biztel_desk.domain.messages import Problem, message
from biztel_desk.domain.vocabulary import pick
from biztel_desk.verify.report import VerificationReport

if TYPE_CHECKING:
    from biztel_desk.salesforce.metadata import GlobalObject

_INDEX = re.compile(r"\[(\d+)\]")


def described_rows(objects: Sequence[LinkObjectConfig], described: Mapping[str, GlobalObject], lang: str = "ja"
                   ) -> tuple[list[GlobalObject | None], list[str]]:
    """The オブジェクト page after describeGlobal: each row's entry (its tab name and code), None for an object the
    user cannot search (the row is left out), and the notes that tell the admin why."""
    by_lower = {name.lower(): entry for name, entry in described.items()}
    entries: list[GlobalObject | None] = []
    notes = []
    for obj in objects:
        entry = by_lower.get(obj.api_name.lower())
        if entry is None or not entry.queryable:
            code = "lead_not_queryable" if obj.api_name.lower() == "lead" else "object_not_queryable"
            notes.append(message(code, lang, name=obj.api_name))
            entry = None
        entries.append(entry)
    return entries, notes


def object_problem_lines(problems: Sequence[Problem], objects: Sequence[LinkObjectConfig], lang: str = "ja") -> list[str]:
    """The texts of ``validate_objects``'s problems; one that points at a row ("objects[1].priority") names it."""
    lines = []
    for problem in problems:
        found = _INDEX.search(problem.path)
        index = int(found.group(1)) if found else -1
        text = problem.text(lang)
        lines.append(f"{objects[index].api_name}: {text}" if 0 <= index < len(objects) else text)
    return lines


def setup_summary(account: str, setting_name: str, setting: LinkSettingConfig | None,
                  report: VerificationReport | None, lang: str = "ja") -> list[str]:
    """The lines above 今すぐ有効にする / 無効のままにする; ``report`` None: 設定確認 did not complete."""
    lines = [message("wizard_saved", lang, account=account, setting=setting_name)]
    if setting is not None:
        comma = pick(lang, "、", ", ")
        objects = comma.join(o.api_name for o in sorted(setting.objects, key=lambda o: o.priority))
        lines.append(message("wizard_objects_targets", lang, objects=objects,
                             targets=comma.join(t.number for t in setting.targets)))
    if report is None:
        lines.append(message("wizard_verify_pending", lang))
    elif report.ok:
        lines.append(message("wizard_verify_ok", lang))
    else:
        lines.append(message("wizard_verify_problems", lang, count=len(report.lines(lang))))
    return lines
