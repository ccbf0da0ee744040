"""What the first-run wizard decides without Qt: when 次へ may leave アカウント (``ConnectionCheck``), what each page
checks or saves on 次へ (``leave_setting``, ``leave_objects``, ``save_setting``), which objects describeGlobal leaves
out (オブジェクト), which row a problem names, and what it offers at its end (有効化): what was saved, how 設定確認
went, whether 今すぐ有効にする can be chosen."""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from biztel_desk.domain.config import LinkObjectConfig, LinkSettingConfig, LinkTargetConfig, validate_objects
from biztel_desk.domain.messages import Problem, ProblemsError, message
from biztel_desk.domain.vocabulary import pick
from biztel_desk.verify.report import VerificationReport

if TYPE_CHECKING:
    from biztel_desk.salesforce.metadata import GlobalObject
    from biztel_desk.services.config import ConfigService

_INDEX = re.compile(r"\[(\d+)\]")


class ConnectionCheck:
    """アカウント's 次へ: only after a 接続テスト (or ブラウザでログイン) that succeeded with the values shown now.

    ``values`` are whatever tells two inputs apart (the form's account and its typed secrets); nothing is tested
    while a test runs, and an edit after a success undoes it.
    """

    def __init__(self) -> None:
        self._testing: Hashable | None = None  # the values the running test tests
        self._tested: Hashable | None = None  # the values of the last successful test

    def start(self, values: Hashable) -> None:
        self._testing, self._tested = values, None

    def succeed(self, values: Hashable) -> bool:
        """The test succeeded: whether ``values`` (shown now) are still those it tested."""
        self._tested = self._testing
        return self.holds(values)

    def fail(self) -> None:
        self._tested = None

    def holds(self, values: Hashable) -> bool:
        return self._tested is not None and self._tested == values

    def edited(self, values: Hashable) -> bool:
        """An edit: True when it changed tested values (the admin is told once to test again)."""
        if self._tested is None or self._tested == values:
            return False
        self._tested = None
        return True


def _refuse(problems: list[Problem]) -> None:
    if problems:
        raise ProblemsError(problems)


def leave_setting(config: ConfigService, name: str | None, setting: LinkSettingConfig) -> str | None:
    """連携設定's 次へ: a new setting is only checked (``save_setting`` creates it with its objects and targets);
    one the wizard already created is saved at once. Its name (None: not created yet); ``ProblemsError`` for what
    is wrong."""
    if name is None:
        _refuse(config.check_new_basic(setting))
        return None
    return config.save_basic(setting, name).name


def leave_objects(config: ConfigService, name: str | None, objects: list[LinkObjectConfig]) -> None:
    """オブジェクト's 次へ: the checked objects are checked; saved at once when the setting exists already."""
    cleaned, problems = validate_objects(objects)
    _refuse(problems)
    if name is not None:
        config.save_objects(name, cleaned)


def save_setting(config: ConfigService, name: str | None, basic: LinkSettingConfig, objects: list[LinkObjectConfig],
                 targets: list[LinkTargetConfig]) -> str:
    """連携対象's 次へ: the new setting created with its objects and targets in one transaction; once it exists,
    its targets saved. Its name; ``ProblemsError`` for what is wrong."""
    if name is None:
        return config.save_basic(replace(basic, objects=tuple(objects), targets=tuple(targets))).name
    config.save_targets(name, targets)
    return name


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


def enable_choice(setting: LinkSettingConfig | None, report: VerificationReport | None) -> tuple[bool, bool]:
    """有効化: whether 今すぐ有効にする can be chosen (API consent was given) and whether it is the choice offered
    (and 設定確認 found nothing)."""
    consent = bool(setting and setting.api_consent)
    return consent, consent and report is not None and report.ok


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
