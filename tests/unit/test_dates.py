"""Days as a desk types them; far-off years are refused before any arithmetic can overflow."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crous_desk.base.dates import FIRST_YEAR, LAST_YEAR, parse_day, parse_iso_day


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("22/11/2026", date(2026, 11, 22)),
        ("2026-11-22", date(2026, 11, 22)),
        (" 1.2.2027 ", date(2027, 2, 1)),
        ("31/01/27", date(2027, 1, 31)),
    ],
)
def test_the_ways_a_desk_writes_a_day(text: str, day: date) -> None:
    assert parse_day(text) == day


@pytest.mark.parametrize("text", ["31/12/9999", "01/01/0001", "9999-12-31", "31/12/1899"])
def test_far_off_years_are_out_of_range(text: str) -> None:
    with pytest.raises(ValueError, match="out of range"):
        parse_day(text)


@pytest.mark.parametrize("text", ["", "31/02/2027", "tomorrow", "2026-13-01"])
def test_what_is_not_a_day_says_the_expected_shape(text: str) -> None:
    with pytest.raises(ValueError, match="dd/mm/yyyy"):
        parse_day(text)


@given(st.dates())
def test_a_parsed_day_can_always_be_moved_by_a_year(day: date) -> None:
    try:
        parsed = parse_iso_day(day.isoformat())
    except ValueError:
        assert not FIRST_YEAR <= day.year <= LAST_YEAR
        return
    assert parsed + timedelta(days=366) > parsed - timedelta(days=366)
