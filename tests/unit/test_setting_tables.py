"""services.setting_tables: the オブジェクト and 連携対象 tabs' decisions, without Qt."""

from __future__ import annotations

from biztel_desk.domain.config import LinkTargetConfig
from biztel_desk.services.setting_tables import (
    ObjectsButtons,
    UnknownActions,
    alias_row,
    can_add_number,
    international,
    objects_buttons,
    relink_candidates,
    row_of,
    unknown_actions,
)


def test_row_of_reads_the_row_a_problem_path_names() -> None:
    assert row_of("objects[2].tab_code", "objects") == 2
    assert row_of("targets[10].number", "targets") == 10
    assert row_of("targets[0].number", "objects") is None  # another list's row
    assert row_of("number", "targets") is None  # the number being added, no row yet
    assert row_of("objects", "objects") is None
    assert row_of("objects[2]", "") is None


def test_international_form_of_a_number_or_nothing() -> None:
    assert international("03-1234-5678", "JP") == "+81 3-1234-5678"
    assert international("0120-123-456", "JP") == "+81 120-123-456"
    assert international("gsm0", "JP") == ""


def test_relink_candidates_are_the_linked_numbers_a_save_changed_so() -> None:
    tokyo, osaka, free = "03-1234-5678", "06-6123-4567", "0120-123-456"
    before = [LinkTargetConfig(tokyo, enabled=True), LinkTargetConfig(osaka, enabled=False),
              LinkTargetConfig(free, enabled=True, aliases=("0100",))]
    assert relink_candidates(before, before, "JP") == []  # nothing changed
    after = [
        LinkTargetConfig(tokyo, enabled=True, default_outbound=True),  # 既定の発信番号 set
        LinkTargetConfig(osaka, enabled=True),  # ticked
        LinkTargetConfig(free, enabled=True, aliases=("0100", "gsm0")),  # an alias added
        LinkTargetConfig("045-123-4567", enabled=True),  # added
        LinkTargetConfig("011-123-4567", enabled=False),  # added, not linked
    ]
    assert relink_candidates(before, after, "JP") == ["+81312345678", "+81661234567", "+81120123456", "+81451234567"]
    fewer = [LinkTargetConfig(tokyo, enabled=True), LinkTargetConfig(free, enabled=True)]  # an alias removed
    assert relink_candidates(before, fewer, "JP") == []
    assert relink_candidates([], [LinkTargetConfig(tokyo, enabled=False)], "JP") == []


def test_an_unregistered_number_can_be_added_only_when_it_is_one() -> None:
    assert can_add_number("0312345678", "JP")
    assert not can_add_number("gsm0", "JP")  # an alias at most
    assert not can_add_number("", "JP") and not can_add_number(None, "JP")


def test_objects_buttons_follow_the_chosen_row_and_the_edits() -> None:
    assert objects_buttons(-1, 3, dirty=False, checking=False) == ObjectsButtons(True, False, False, False, False)
    assert objects_buttons(0, 3, dirty=False, checking=False) == ObjectsButtons(True, True, False, True, False)  # first
    assert objects_buttons(1, 3, dirty=True, checking=False) == ObjectsButtons(True, True, True, True, True)
    assert objects_buttons(2, 3, dirty=True, checking=False) == ObjectsButtons(True, True, True, False, True)  # last
    assert objects_buttons(0, 1, dirty=True, checking=False) == ObjectsButtons(True, True, False, False, True)  # the only
    # A 保存 compares the tab codes with the org: everything waits, the edits being saved stay put.
    assert objects_buttons(1, 3, dirty=True, checking=True) == ObjectsButtons(False, False, False, False, False)
    assert objects_buttons(0, 3, dirty=True, checking=False).by_button() == {
        "add": True, "edit": True, "delete": True, "up": False, "down": True, "save": True, "cancel": True}


def test_unknown_actions_offer_add_for_a_number_and_alias_when_there_is_a_target() -> None:
    assert unknown_actions(None, "JP", 2) == UnknownActions(add=False, alias=False, alias_only=False)
    assert unknown_actions("0312345678", "JP", 0) == UnknownActions(add=True, alias=False, alias_only=False)
    assert unknown_actions("211553", "JP", 1) == UnknownActions(add=False, alias=True, alias_only=True)


def test_alias_row_is_the_chosen_or_the_only_number() -> None:
    assert alias_row(2, 3) == 2
    assert alias_row(-1, 1) == 0
    assert alias_row(-1, 3) is None  # asked
