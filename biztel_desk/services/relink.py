"""Calls that were not linked, made visible and linkable: 未登録の番号 and linking past calls (relink).

``unknown_numbers`` lists the company numbers of stored calls that no link target and no alias names (the
import summary, the 連携対象 tab). ``relink`` gives the past calls of a number that is now linked (ticked,
aliased, or the 既定の発信番号) a waiting job, once, inside the retention period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from biztel_desk.domain import phone
from biztel_desk.domain.config import LinkStatus
from biztel_desk.domain.jobs import state_label
from biztel_desk.domain.messages import Problem, ProblemsError
from biztel_desk.domain.vocabulary import pick
from biztel_desk.services.faults import database_known
from biztel_desk.store import link_targets, repos, retention
from biztel_desk.store.db import Database
from biztel_desk.store.link_targets import UnknownNumber

# How many unknown numbers a summary names (the rest are counted).
SUMMARY_NUMBERS = 5

__all__ = ["RelinkOutcome", "UnknownNumber", "import_mark", "relink", "relinkable", "relinkable_counts",
           "unknown_numbers", "unknown_numbers_of", "unknown_summary"]


@dataclass(frozen=True)
class RelinkOutcome:
    setting: str
    jobs: int
    state: str  # pending | held
    since: dt.datetime  # the earliest call start considered (retention and --since)

    def text(self, lang: str = "ja") -> str:
        if not self.jobs:
            return pick(lang, f"{self.setting}: 新たに連携する過去の通話はありません。", f"{self.setting}: no past call to link.")
        where = state_label(self.state, lang)  # 待機中 / 保留中: the words of the 状態 column
        if self.state == "held":
            where += pick(lang, ": 連携設定が一時停止中のため", ": the setting is paused")
        return pick(lang, f"{self.setting}: 過去の通話 {self.jobs}件を連携します({where})。",
                    f"{self.setting}: {self.jobs} past calls will be linked ({where}).")


def unknown_numbers(
    database: Database, since: dt.datetime | None = None, after_call_id: int | None = None
) -> dict[str, list[UnknownNumber]]:
    """Setting name → company numbers (as the PBX wrote them) that match no target and no alias, most calls first.

    ``after_call_id`` (from ``import_mark`` before an import) keeps the calls that import stored.
    """
    with database.read() as session:
        return link_targets.unknown_numbers(session, since, after_call_id)


def import_mark(database: Database) -> int:
    """Taken before an import: ``unknown_numbers(after_call_id=mark)`` then names what that import brought."""
    with database.read() as session:
        return link_targets.last_call_id(session)


def unknown_summary(unknown: dict[str, list[UnknownNumber]], lang: str = "ja") -> list[str]:
    """The lines an import prints: per setting, the calls on unregistered numbers and the most frequent ones."""
    lines = []
    for setting, numbers in sorted(unknown.items()):
        total = sum(n.calls for n in numbers)
        shown = numbers[:SUMMARY_NUMBERS]
        hidden = len(numbers) - len(shown)
        parts = pick(lang, "、", ", ").join(
            pick(lang, f"{n.number or '(番号なし)'}: {n.calls}件", f"{n.number or '(no number)'}: {n.calls}") for n in shown)
        more = pick(lang, f" ほか{hidden}番号", f" and {hidden} more") if hidden > 0 else ""
        lines.append(pick(
            lang,
            f"  未登録の会社番号 {setting}: {total}件は連携されません({parts}{more})。"
            "連携対象タブで番号を追加するか、既存の番号のエイリアスにしてください。",
            f"  unregistered company numbers {setting}: {total} calls will not be linked ({parts}{more}). "
            "Add the number in the 連携対象 (link targets) tab, or make it an alias of a listed number.",
        ))
    return lines


def _window(database: Database, since: dt.datetime | None) -> dt.datetime:
    """The earliest start relink considers: inside the retention period, and not before ``since``."""
    with database.read() as session:
        cutoff = retention.cutoff_for(repos.load_system(session).retention_days)
    return max(cutoff, since) if since is not None else cutoff


def _numbers(database: Database, number: str | None) -> list[str] | None:
    if number is None:
        return None
    with database.read() as session:
        region = repos.load_system(session).default_region
    e164 = phone.normalize(number, region)
    if e164 is None:
        raise ProblemsError([Problem("phone_invalid", "number", {"value": number.strip()})])
    return [e164]


def _setting_id(session: object, name: str) -> tuple[int, str]:
    row = repos.find_setting(session, name)  # type: ignore[arg-type]
    if row is None:
        raise ProblemsError([Problem("unknown_setting", "", {"value": name})])
    if row.status == LinkStatus.DISABLED:
        raise ProblemsError([Problem("relink_disabled", "status", {"value": name})])
    return row.id, row.name


def relinkable(database: Database, setting: str, number: str | None = None, since: dt.datetime | None = None) -> int:
    """How many past calls ``relink`` would link now (for the question the window asks)."""
    numbers = _numbers(database, number)
    started_from = _window(database, since)
    with database.read() as session:
        row = repos.find_setting(session, setting)
        if row is None or row.status == LinkStatus.DISABLED:
            return 0
        return link_targets.relink(session, row.id, started_from, numbers, dry_run=True).jobs


def relink(database: Database, setting: str, number: str | None = None, since: dt.datetime | None = None) -> RelinkOutcome:
    """Link the past calls of ``setting`` (of ``number`` only, started at ``since`` or later) that were kept as
    対象外 or never got a job, now that their number is linked; each call once, however often this runs."""
    numbers = _numbers(database, number)
    started_from = _window(database, since)
    with database.begin() as session:
        setting_id, name = _setting_id(session, setting)
        result = link_targets.relink(session, setting_id, started_from, numbers)
    return RelinkOutcome(name, result.jobs, result.state, started_from)


def unknown_numbers_of(database: Database, setting: str) -> list[UnknownNumber]:
    """未登録の番号 of one setting for the window (a refusing database is a ``DatabaseRefused``)."""
    with database_known():
        return unknown_numbers(database).get(setting, [])


def relinkable_counts(database: Database, setting: str, numbers: list[str]) -> dict[str, int]:
    """How many past calls ``relink`` would link for each of ``numbers`` (a refusal is a ``DatabaseRefused``)."""
    with database_known():
        return {number: relinkable(database, setting, number) for number in numbers}
