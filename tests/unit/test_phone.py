"""Phone normalisation: Japanese formatting noise never changes the result; different numbers never collide."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from biztel_desk.domain.phone import is_anonymous, is_extension, normalize, search_forms

SAME = [
    "03-1234-5678",
    "(03)1234-5678",
    "+81 3-1234-5678",
    "０３－１２３４－５６７８",
    "0312345678",
    "03 1234 5678",
    "+81-3-1234-5678",
    "03-1234-5678 内線123",
    "03-1234-5678(代表)",
    "03-1234-5678（代表）",
    "03−1234−5678",
    "03ー1234ー5678",
    "03-1234-5678 ext. 45",
]


@pytest.mark.parametrize("text", SAME)
def test_same_number(text: str) -> None:
    assert normalize(text) == "+81312345678"


@pytest.mark.parametrize("text", ["", "anonymous", "非通知", "Unavailable", "  ", None])
def test_anonymous(text: str | None) -> None:
    assert is_anonymous(text)
    assert normalize(text) is None


def test_extension() -> None:
    assert is_extension("201")
    assert is_extension("１２３４")
    assert not is_extension("0312345678")


def test_search_forms() -> None:
    assert search_forms("+81312345678") == ("0312345678", "81312345678")
    assert search_forms("+819012345678") == ("09012345678", "819012345678")


# Valid Japanese numbers: 03 + 8 digits, mobiles 070/080/090 + 8 digits, 045 + 7 digits, 0120 + 6 digits.
japanese_numbers = st.one_of(
    st.from_regex(r"\A03[2-9][0-9]{7}\Z"),
    st.from_regex(r"\A0[789]0[1-9][0-9]{7}\Z"),
    st.from_regex(r"\A045[2-9][0-9]{6}\Z"),
    st.from_regex(r"\A0120[0-9]{6}\Z"),
)


def _noisy(digits: str, style: int) -> str:
    parsed = phonenumbers.parse(digits, "JP")
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    international = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    full_width = national.translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))
    return [
        digits,
        national,
        international,
        full_width,
        national.replace("-", " "),
        f"{national} 内線12",
        f"{national}(代表)",
        international.replace(" ", "-"),
    ][style]


@given(japanese_numbers, st.integers(0, 7))
def test_formatting_noise_never_changes_the_result(digits: str, style: int) -> None:
    assert normalize(_noisy(digits, style)) == normalize(digits)
    assert normalize(digits) == "+81" + digits[1:]


@given(japanese_numbers, japanese_numbers, st.integers(0, 7), st.integers(0, 7))
def test_different_numbers_never_collide(a: str, b: str, style_a: int, style_b: int) -> None:
    if a != b:
        assert normalize(_noisy(a, style_a)) != normalize(_noisy(b, style_b))
