"""The INE rule: 10 digits + 1 letter or 9 digits + 2 letters, case and spaces normalised."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crous_desk.rules.ine import parse_ine

SHAPE = re.compile(r"[0-9]{10}[A-Z]|[0-9]{9}[A-Z]{2}")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0123456789A", "0123456789A"),  # 10 digits + 1 letter
        ("012345678AB", "012345678AB"),  # 9 digits + 2 letters
        ("0123456789a", "0123456789A"),
        ("012345678ab", "012345678AB"),
        ("  0123 456 789 a ", "0123456789A"),
        ("012\t345\n678 AB", "012345678AB"),
    ],
)
def test_accepted_shapes_are_normalised(typed: str, expected: str) -> None:
    assert parse_ine(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "0123456789",  # no letter
        "012345678A",  # 9 digits + 1 letter: too short
        "01234567890A",  # 11 digits + 1 letter
        "0123456789AB",  # 10 digits + 2 letters
        "01234567ABC",  # 8 digits + 3 letters
        "A0123456789",  # letter first
        "0123456789-A",
        "0123456789É",  # a letter outside A-Z
        "٠١٢٣٤٥٦٧٨٩A",  # Arabic-Indic digits
        "０１２３４５６７８９A",  # fullwidth digits
        "0123456789Ａ",  # fullwidth letter
        "012345678ß",  # "ß".upper() == "SS": must not become 9 digits + 2 letters
        "012345678ſſ",  # long s upper-cases to ASCII "S"
        "0123456789ı",  # dotless i upper-cases to ASCII "I"
    ],
)
def test_anything_else_is_rejected(typed: str) -> None:
    with pytest.raises(ValueError):
        parse_ine(typed)


def test_the_error_shows_both_expected_shapes() -> None:
    with pytest.raises(ValueError) as error:
        parse_ine("12345")
    message = str(error.value)
    assert "'12345'" in message
    assert "10 digits and 1 letter" in message
    assert "9 digits and 2 letters" in message
    assert "0123456789A" in message
    assert "012345678AB" in message


def test_a_long_wrong_value_is_cut_in_the_message() -> None:
    with pytest.raises(ValueError) as error:
        parse_ine("9" * 500)
    assert "9" * 21 not in str(error.value)


@settings(max_examples=300)
@given(st.text())
def test_any_text_parses_to_the_shape_or_raises_value_error(text: str) -> None:
    try:
        value = parse_ine(text)
    except ValueError:
        return
    assert SHAPE.fullmatch(value)
    assert value.isascii()


@settings(max_examples=200)
@given(
    st.one_of(
        st.from_regex(r"[0-9]{10}[A-Za-z]", fullmatch=True),
        st.from_regex(r"[0-9]{9}[A-Za-z]{2}", fullmatch=True),
    ),
    st.data(),
)
def test_valid_ines_parse_whatever_the_spacing_and_parsing_is_idempotent(
    ine: str, data: st.DataObject
) -> None:
    spaced = "".join(c + data.draw(st.sampled_from(["", " ", "  ", "\t"])) for c in ine)
    value = parse_ine(spaced)
    assert value == ine.upper()
    assert parse_ine(value) == value
