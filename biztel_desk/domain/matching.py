"""Choosing the records a call is linked to: object priority, then the multiple- and no-match policies (SPEC §4, §9)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from biztel_desk.domain.config import OnMultipleMatch, OnNoMatch
from biztel_desk.domain.vocabulary import pick

# Phone fields in the order a person reads a record: the main number first (used for `priority` ties).
PHONE_FIELD_ORDER = ("Phone", "MobilePhone", "HomePhone", "OtherPhone", "AssistantPhone", "Fax")


@dataclass(frozen=True)
class Candidate:
    """A record whose phone field holds the customer's number (from the local index or a confirmed SOSL hit)."""

    object_name: str
    record_id: str
    field_name: str
    last_modified: dt.datetime | None = None
    account_id: str | None = None  # a Contact's AccountId: Case mode puts the Case on that Account too
    person_id: str | None = None  # Person Accounts: the person Account Id, on the Account and its person Contact
    record_name: str | None = None  # the record's name (Name, CaseNumber…) as read with its numbers


@dataclass(frozen=True)
class ObjectRule:
    api_name: str
    priority: int  # 1 = preferred


@dataclass(frozen=True)
class Target:
    """A record a Task will be written on."""

    object_name: str
    record_id: str
    account_id: str | None = None
    # The record's name from the match (the history's 紐付け先), None when unknown; not part of its identity.
    name: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Decision:
    """What to do with one call. ``reason`` is stored with the job and shown in the history."""

    kind: str  # link | retry | skip | create_lead
    targets: tuple[Target, ...] = ()
    reason: Reason = field(default_factory=lambda: Reason("none"))


@dataclass(frozen=True)
class Reason:
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps({"code": self.code, **self.params}, ensure_ascii=False, sort_keys=True)

    @staticmethod
    def from_json(text: str) -> Reason:
        try:
            data = json.loads(text) if text else {}
        except json.JSONDecodeError:
            return Reason("text", {"text": text})
        if not isinstance(data, dict) or "code" not in data:
            return Reason("text", {"text": text})
        code = str(data.pop("code"))
        return Reason(code, data)

    def text(self, lang: str = "ja") -> str:
        if self.code == "text":
            return str(self.params.get("text", ""))
        code = f"anonymous_{'fallback' if self.params.get('then') == 'fallback' else 'skip'}" \
            if self.code == "anonymous" else self.code
        texts = REASON_TEXTS.get(code)
        return pick(lang, *texts).format(**self.params) if texts is not None else self.code


# What a match decision says in the 紐付け先 column (Japanese, English); names in braces are the reason's params.
REASON_TEXTS: dict[str, tuple[str, str]] = {
    "single": ("{object} {id} の {field} で一致", "{object} {id} by {field}"),
    "most_recent": ("{object} {id} の {field} で一致(一致{count}件、最終更新が最新のレコード)",
                    "{object} {id} by {field}; {count} matches, newest chosen"),
    "priority": ("{object} {id} の {field} で一致(一致{count}件、最初のレコード)",
                 "{object} {id} by {field}; {count} matches, first chosen"),
    "all": ("一致した{count}件すべてに紐付け", "linked to all {count} matches"),
    "multiple_fallback": ("{object}で{count}件一致したため紐付け先特定不可レコードに紐付け",
                          "{count} {object} matches: linked to the fallback record"),
    "no_match_fallback": ("一致なし: 紐付け先特定不可レコードに紐付け", "no match: linked to the fallback record"),
    "no_match_retry": ("一致なし: 再検索予定({attempt}/{max}回目)", "no match: searching again (attempt {attempt} of {max})"),
    "no_match_retries_exhausted": ("{max}回再検索しても一致なし: 紐付け先特定不可レコードに紐付け",
                                   "no match after {max} retries: linked to the fallback record"),
    "no_match_skip": ("一致なし: 紐付けなし(スキップ)", "no match: skipped"),
    "no_match_create_lead": ("一致なし: リードを作成して紐付け", "no match: a new Lead is created"),
    "anonymous_fallback": ("非通知の着信: 紐付け先特定不可レコードに紐付け", "anonymous caller: linked to the fallback record"),
    "anonymous_skip": ("非通知の着信: 紐付けなし(スキップ)", "anonymous caller: skipped"),
}


def _field_rank(name: str) -> int:
    return PHONE_FIELD_ORDER.index(name) if name in PHONE_FIELD_ORDER else len(PHONE_FIELD_ORDER)


def _oldest() -> dt.datetime:
    return dt.datetime.min.replace(tzinfo=dt.UTC)


def decide(
    candidates: list[Candidate],
    objects: list[ObjectRule],
    on_multiple_match: str,
    on_no_match: str,
    fallback: Target,
    *,
    retry_count: int = 0,
    retry_max: int = 3,
    anonymous: bool = False,
) -> Decision:
    """The records to link one call to, by object priority then the setting's policies.

    The multiple-match policy looks only at the highest-priority object that has matches; ``all`` takes every
    match of every object. ``retry_count`` is the number of no-match searches already done before this one.
    """
    if anonymous:
        # An anonymous caller cannot match, will not match later, and cannot name a new Lead: link it to the
        # fallback record unless the admin asked to skip unmatched calls.
        if on_no_match == OnNoMatch.SKIP:
            return Decision("skip", (), Reason("anonymous", {"then": "skip"}))
        return Decision("link", (fallback,), Reason("anonymous", {"then": "fallback"}))

    priority = {rule.api_name.lower(): rule.priority for rule in objects}
    by_record: dict[str, Candidate] = {}
    for candidate in candidates:
        if candidate.object_name.lower() not in priority:
            continue
        known = by_record.get(candidate.record_id)
        if known is None or _field_rank(candidate.field_name) < _field_rank(known.field_name):
            by_record[candidate.record_id] = candidate
    def rank(c: Candidate) -> tuple[int, int, str]:
        return priority[c.object_name.lower()], _field_rank(c.field_name), c.record_id

    # A Person Account is one person seen twice (the Account and its person Contact): keep the one of the
    # preferred object, so that it counts as one match, never two.
    by_person: dict[str, Candidate] = {}
    for candidate in by_record.values():
        key = candidate.person_id or candidate.record_id
        known = by_person.get(key)
        if known is None or rank(candidate) < rank(known):
            by_person[key] = candidate
    matches = sorted(by_person.values(), key=rank)
    if not matches:
        return _no_match(on_no_match, fallback, retry_count, retry_max)

    if on_multiple_match == OnMultipleMatch.ALL:
        targets = tuple(_target(c) for c in matches)
        if len(targets) == 1:
            return Decision("link", targets, _single(matches[0]))
        return Decision("link", targets, Reason("all", {"count": len(targets)}))

    top = priority[matches[0].object_name.lower()]
    best = [c for c in matches if priority[c.object_name.lower()] == top]
    if len(best) == 1:
        return Decision("link", (_target(best[0]),), _single(best[0]))
    params = {"object": best[0].object_name, "count": len(best)}
    if on_multiple_match == OnMultipleMatch.FALLBACK:
        return Decision("link", (fallback,), Reason("multiple_fallback", params))
    if on_multiple_match == OnMultipleMatch.MOST_RECENT:
        chosen = max(best, key=lambda c: (c.last_modified or _oldest(), c.record_id))
        return Decision("link", (_target(chosen),), Reason("most_recent", {**params, **_where(chosen)}))
    chosen = best[0]  # priority: the first match in priority order (main phone field first, then Id)
    return Decision("link", (_target(chosen),), Reason("priority", {**params, **_where(chosen)}))


def _target(candidate: Candidate) -> Target:
    return Target(candidate.object_name, candidate.record_id, candidate.account_id, candidate.record_name)


def _where(candidate: Candidate) -> dict[str, Any]:
    return {"object": candidate.object_name, "id": candidate.record_id, "field": candidate.field_name}


def _single(candidate: Candidate) -> Reason:
    return Reason("single", _where(candidate))


def _no_match(on_no_match: str, fallback: Target, retry_count: int, retry_max: int) -> Decision:
    if on_no_match == OnNoMatch.SKIP:
        return Decision("skip", (), Reason("no_match_skip"))
    if on_no_match == OnNoMatch.CREATE_LEAD:
        return Decision("create_lead", (), Reason("no_match_create_lead"))
    if on_no_match == OnNoMatch.RETRY_THEN_FALLBACK:
        if retry_count < retry_max:
            return Decision("retry", (), Reason("no_match_retry", {"attempt": retry_count + 1, "max": retry_max}))
        return Decision("link", (fallback,), Reason("no_match_retries_exhausted", {"max": retry_max}))
    return Decision("link", (fallback,), Reason("no_match_fallback"))
