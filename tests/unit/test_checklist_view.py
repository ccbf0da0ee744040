"""services.checklist_view: the checklist items' states and the last verification's time, without Qt."""

from __future__ import annotations

import datetime as dt

from biztel_desk.services.checklist_view import item_state, local_time
from biztel_desk.verify.report import VerificationReport, problem


def test_an_item_is_unchecked_until_verified_then_ok_or_to_fix_with_its_reasons() -> None:
    assert item_state(None, "label:WavImg") == ("unchecked", "")
    missing = problem("label_missing", "label:WavImg")
    report = VerificationReport("本社", [missing], 6, {"label:WavImg": False, "resource:speaker": True})
    kind, reasons = item_state(report, "label:WavImg", "ja")
    assert kind == "error" and reasons == missing.text("ja") and reasons.endswith("。")
    assert item_state(report, "label:WavImg", "en")[1] == missing.text("en")
    assert item_state(report, "resource:speaker") == ("ok", "")
    assert item_state(report, "field:B_PhoneTo__c") == ("unchecked", "")  # not checked by that run


def test_the_verified_time_is_local_to_the_minute() -> None:
    moment = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert local_time(moment.isoformat()) == moment.astimezone().strftime("%Y-%m-%d %H:%M")
    assert local_time("") == ""
    assert local_time("not a time") == "not a time"
