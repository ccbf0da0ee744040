"""Relink and excluded jobs at the store/service level: each call once, held while paused, inside retention,
never internal or already linked calls; excluded calls are purged like any finished call, never earlier."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from biztel_desk.domain.call import CallRecord
from biztel_desk.domain.config import LinkTargetConfig, validate_targets
from biztel_desk.domain.messages import ProblemsError
from biztel_desk.services import relink
from biztel_desk.services.context import AppContext
from biztel_desk.store import calls as store_calls
from biztel_desk.store.models import Call, LinkJob
from biztel_desk.store.retention import purge


def _call(unique_id: str, did: str, days_ago: float, direction: str = "inbound", **extra: object) -> CallRecord:
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)
    if direction == "internal":
        return CallRecord(unique_id=unique_id, from_number="201", to_number="202", started_at=start,
                          direction="internal").finish()
    return CallRecord(unique_id=unique_id, from_number="09011112222", to_number=did, presented_company_number=did,
                      started_at=start, direction=direction, **extra).finish()  # type: ignore[arg-type]


def _add(context: AppContext, *records: CallRecord) -> None:
    with context.database.begin() as session:
        store_calls.add_calls(session, list(records))


def _states(context: AppContext) -> dict[str, tuple[str, str]]:
    with context.database.read() as session:
        rows = session.execute(select(Call.unique_id, LinkJob.state, LinkJob.error_code).join(LinkJob, LinkJob.call_id == Call.id))
        return {unique_id: (state, code) for unique_id, state, code in rows}


def _targets(*targets: LinkTargetConfig, context: AppContext) -> None:
    context.config.save_targets("本社", list(targets))


def test_relink_links_each_call_once_and_never_internal_or_linked_calls(context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(status="enabled", targets=(LinkTargetConfig("03-1234-5678", enabled=False),))
    _add(context, _call("a", "0312345678", 1), _call("b", "211553", 2), _call("c", "0312345678", 3),
         _call("i", "", 1, direction="internal"))
    assert _states(context) == {"a": ("excluded", "number_unchecked"), "b": ("excluded", "unknown_number"),
                                "c": ("excluded", "number_unchecked"), "i": ("excluded", "internal")}
    assert relink.relinkable(context.database, "本社") == 0  # nothing is linkable yet
    # One of them was linked in the meantime by hand (say, an earlier run): it must never be touched.
    with context.database.begin() as session:
        call_id = session.scalar(select(Call.id).where(Call.unique_id == "c"))
        session.execute(update(LinkJob).where(LinkJob.call_id == call_id).values(state="linked", task_id="00T000000000001AAA", error_code=""))
    _targets(LinkTargetConfig("03-1234-5678", aliases=("211553",)), context=context)
    assert relink.relinkable(context.database, "本社") == 2
    assert relink.relinkable(context.database, "本社", "03-1234-5678") == 2  # 211553 is this number's alias
    assert relink.relinkable(context.database, "本社", "06-6123-4567") == 0
    outcome = relink.relink(context.database, "本社")
    assert (outcome.jobs, outcome.state) == (2, "pending")
    assert outcome.text("ja") == "本社: 過去の通話 2件を連携します(待機中)。"
    assert relink.relink(context.database, "本社").jobs == 0  # exactly once
    assert _states(context) == {"a": ("pending", ""), "b": ("pending", ""), "c": ("linked", ""),
                                "i": ("excluded", "internal")}


def test_relink_holds_while_paused_respects_since_and_retention(context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(status="paused", targets=(LinkTargetConfig("03-1234-5678", enabled=False),))
    context.config.save_system({"retention_days": 30})
    _add(context, _call("old", "0312345678", 40), _call("mid", "0312345678", 10), _call("new", "0312345678", 1))
    _targets(LinkTargetConfig("03-1234-5678"), context=context)
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=5)
    outcome = relink.relink(context.database, "本社", since=since)
    assert (outcome.jobs, outcome.state) == (1, "held")
    assert _states(context)["new"] == ("held", "") and _states(context)["mid"][0] == "excluded"
    assert relink.relink(context.database, "本社").jobs == 1  # mid; old is past the retention period
    assert _states(context)["old"] == ("excluded", "number_unchecked")
    # Excluded calls are purged with the others at the retention cutoff, never earlier.
    result = purge(context.database)
    assert result.calls == 1 and set(_states(context)) == {"mid", "new"}


def test_calls_stored_while_disabled_get_a_job_when_relinked(context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(status="disabled")
    _add(context, _call("d", "0312345678", 1))
    assert _states(context) == {}  # disabled: no job at all (SPEC §5)
    with pytest.raises(ProblemsError) as error:
        relink.relink(context.database, "本社")
    assert "有効または一時停止にしてから" in error.value.text("ja")
    context.config.set_status("本社", "enabled")
    assert relink.relink(context.database, "本社").jobs == 1
    assert relink.relink(context.database, "本社").jobs == 0
    assert _states(context) == {"d": ("pending", "")}


def test_default_outbound_set_later_links_outbound_calls_without_caller_id(context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(status="enabled")
    record = CallRecord(unique_id="o", from_number="", from_extension="201", to_number="0451234567",
                        started_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1), direction="outbound").finish()
    _add(context, record)
    assert _states(context) == {"o": ("excluded", "no_default_outbound")}
    _targets(LinkTargetConfig("03-1234-5678", default_outbound=True), context=context)
    assert relink.relink(context.database, "本社", "03-1234-5678").jobs == 1
    assert _states(context) == {"o": ("pending", "")}


def test_unknown_numbers_are_counted_per_setting(context: AppContext, make_setting) -> None:  # type: ignore[no-untyped-def]
    make_setting(status="enabled", targets=(LinkTargetConfig("03-1234-5678", aliases=("s",)),))
    make_setting("無効", status="disabled", targets=())
    _add(context, *[_call(f"x{i}", "211553", 1) for i in range(3)], _call("y", "gsm0", 1), _call("z", "S", 1))
    unknown = relink.unknown_numbers(context.database)
    assert [(n.number, n.calls) for n in unknown["本社"]] == [("211553", 3), ("gsm0", 1)]  # S is the alias s
    assert [(n.number, n.calls) for n in unknown["無効"]] == [("211553", 3), ("S", 1), ("gsm0", 1)]
    assert relink.unknown_summary({"本社": unknown["本社"]}, "en") == [
        "  unregistered company numbers 本社: 4 calls will not be linked (211553: 3, gsm0: 1). Add the number in the "
        "連携対象 (link targets) tab, or make it an alias of a listed number."
    ]


def test_aliases_are_validated() -> None:
    targets, problems = validate_targets([
        LinkTargetConfig("03-1234-5678", aliases=(" 0100 ", "gsm0", "０２００")),
        LinkTargetConfig("06-6123-4567", aliases=("GSM0", "03-1234-5678", "bad\x1b", "x" * 65)),
    ])
    assert targets[0].aliases == ("0100", "gsm0", "0200")  # trimmed, full-width folded
    assert [(p.code, p.path) for p in problems] == [
        ("alias_duplicate", "targets[1].aliases[0]"),
        ("alias_is_number", "targets[1].aliases[1]"),
        ("control_characters", "targets[1].aliases[2]"),
        ("too_long", "targets[1].aliases[3]"),
    ]
    assert problems[0].text("ja") == (
        "エイリアス「GSM0」は電話番号 03-1234-5678 のエイリアスとして既に登録されています。1つの番号にだけ登録してください。")
