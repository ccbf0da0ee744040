"""The dev org's Ids: Salesforce's checksum, 15 → 18 conversion and case-insensitive 18-character input."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from biztel_desk.devorg import ids

_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def test_known_salesforce_id() -> None:
    # The fallback record Id of CLI.md's example settings file, a real-looking Account Id.
    assert ids.to18("0012v000032fR15") == "0012v000032fR15AAE"
    assert ids.normalize("0012V000032FR15AAE".lower()) == "0012v000032fR15AAE"


def test_malformed_ids_are_rejected() -> None:
    assert ids.normalize("0012v000032fR1") is None  # 14 characters
    assert ids.normalize("0012v000032fR15-AE") is None
    assert ids.normalize("0012v000032fR15A9E") is None  # '9' is not a checksum character
    assert ids.normalize("0012v000032fR15AAF") is None  # claims an uppercase letter where a digit is


def test_factory_ids_are_unique_and_prefixed() -> None:
    factory = ids.IdFactory()
    made = [factory.new("00T") for _ in range(1000)]
    assert len(set(made)) == 1000
    assert all(i.startswith("00T") and len(i) == 18 and ids.normalize(i) == i for i in made)


@given(st.text(alphabet=_ALNUM, min_size=15, max_size=15))
def test_any_case_of_an_18_char_id_restores_the_original(id15: str) -> None:
    id18 = ids.to18(id15)
    assert ids.normalize(id18.upper()) == id18
    assert ids.normalize(id18.lower()) == id18
    assert ids.normalize(id15) == id18
