"""Record Ids: checksum, 15→18, case restoration and record URLs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from biztel_desk.domain.ids import InvalidRecordId, checksum, extract_record_id, to18


def test_known_checksum() -> None:
    assert checksum("0012v000032fR15") == "AAE"
    assert to18("0012v000032fR15") == "0012v000032fR15AAE"


@pytest.mark.parametrize(
    "text",
    [
        "0012v000032fR15AAE",
        "0012v000032fR15",
        "  0012v000032fR15AAE  ",
        "https://x.lightning.force.com/lightning/r/Account/0012v000032fR15AAE/view",
        "https://x.lightning.force.com/lightning/r/Account/0012v000032fR15AAE/view?ws=%2Flightning",
        "https://acme.my.salesforce.com/0012v000032fR15",
        "https://na1.salesforce.com/0012v000032fR15AAE?retURL=%2Fhome",
        "acme.lightning.force.com/lightning/r/0012v000032fR15AAE/view",
    ],
)
def test_extract(text: str) -> None:
    assert extract_record_id(text) == "0012v000032fR15AAE"


def test_uppercased_18_char_id_is_restored() -> None:
    # Spreadsheets upper-case Ids; the checksum tells the original case back.
    assert to18("0012V000032FR15AAE") == "0012v000032fR15AAE"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "required"),
        ("0012v000032fR15AAA", "id_checksum"),
        ("0012v000032fR1", "id_format"),
        ("0012v000032fR15AAE1", "id_format"),
        ("001-2v000032fR15", "id_format"),
        ("https://x.lightning.force.com/lightning/o/Account/list", "id_not_in_url"),
    ],
)
def test_invalid(text: str, reason: str) -> None:
    with pytest.raises(InvalidRecordId) as caught:
        extract_record_id(text)
    assert caught.value.reason == reason


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", min_size=15, max_size=15))
def test_to18_is_case_insensitive_roundtrip(id15: str) -> None:
    full = to18(id15)
    assert full[:15] == id15
    assert to18(full) == full
    if any(ch.isalpha() for ch in id15):
        assert to18(full.upper()) == full
        assert to18(full.lower()[:15] + full[15:]) == full
