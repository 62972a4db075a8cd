"""Desk hours: Monday to Friday, opening hour until 17:00, Europe/Paris, holidays and closures."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crous_desk.rules.hours import (
    Closure,
    DeskCalendar,
    describe_status,
    desk_status,
    format_duration,
    is_working_day,
)

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")


def paris(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0, us: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, us, tzinfo=PARIS)


# --- open and closed -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "at",
    [
        paris(2026, 11, 23, 9, 0),  # Monday, opening instant
        paris(2026, 11, 24, 12, 30),  # Tuesday
        paris(2026, 11, 25, 16, 59, 59),  # Wednesday, the last second
        paris(2026, 11, 26, 16, 59, 59, 999_999),  # Thursday, the last microsecond
        paris(2026, 11, 27, 10, 0),  # Friday
    ],
)
def test_open_monday_to_friday_from_nine_until_before_five(at: datetime) -> None:
    status = desk_status(at)
    assert status.is_open
    assert status.closes_at == paris(at.year, at.month, at.day, 17)
    assert status.next_open is None


@pytest.mark.parametrize(
    ("at", "reason"),
    [
        (paris(2026, 11, 23, 17, 0), "after 17:00"),  # exactly 17:00
        (paris(2026, 11, 23, 8, 59, 59), "before opening"),
        (paris(2026, 11, 23, 23, 30), "after 17:00"),
        (paris(2026, 11, 28, 10, 0), "weekend"),  # Saturday
        (paris(2026, 11, 29, 10, 0), "weekend"),  # Sunday
        (paris(2026, 11, 11, 10, 0), "Armistice"),  # Wednesday 11 November 2026
        (paris(2026, 12, 25, 10, 0), "Christmas"),  # Friday 25 December 2026
        (paris(2027, 3, 29, 10, 0), "Easter Monday"),  # Easter Monday 2027
        (paris(2027, 5, 1, 10, 0), "weekend"),  # a Saturday holiday: still closed
    ],
)
def test_closed_at_five_on_weekends_and_on_public_holidays(at: datetime, reason: str) -> None:
    status = desk_status(at)
    assert not status.is_open
    assert status.reason is not None and reason in status.reason
    assert status.next_open is not None and status.next_open > at


def test_closed_on_a_declared_closure() -> None:
    cal = DeskCalendar(closures=(Closure(date(2026, 11, 24), date(2026, 11, 24), "inventory"),))
    status = desk_status(paris(2026, 11, 24, 10), cal)
    assert not status.is_open
    assert status.reason == "closure: inventory"
    assert status.next_open == paris(2026, 11, 25, 9)
    # the day before and after are ordinary working days
    assert desk_status(paris(2026, 11, 23, 10), cal).is_open
    assert desk_status(paris(2026, 11, 25, 10), cal).is_open


def test_the_opening_hour_is_configurable() -> None:
    early = DeskCalendar(opening=time(8, 30))
    assert desk_status(paris(2026, 11, 23, 8, 30), early).is_open
    assert desk_status(paris(2026, 11, 23, 8, 45), early).is_open
    assert not desk_status(paris(2026, 11, 23, 8, 29, 59), early).is_open
    assert not desk_status(paris(2026, 11, 23, 8, 45)).is_open  # the default opens at 09:00
    friday = desk_status(paris(2026, 11, 27, 17), early)
    assert friday.next_open == paris(2026, 11, 30, 8, 30)


def test_an_opening_hour_at_or_after_five_is_refused() -> None:
    with pytest.raises(ValueError):
        DeskCalendar(opening=time(17, 0))


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError):
        desk_status(datetime(2026, 11, 23, 10, 0))


@pytest.mark.parametrize(
    "utc",
    [
        datetime(2026, 11, 23, 7, 59, tzinfo=UTC),  # 08:59 Paris: closed
        datetime(2026, 11, 23, 8, 0, tzinfo=UTC),  # 09:00 Paris: open
        datetime(2026, 11, 23, 15, 59, tzinfo=UTC),  # 16:59 Paris: open
        datetime(2026, 11, 23, 16, 0, tzinfo=UTC),  # 17:00 Paris: closed (11:00 in New York)
        datetime(2026, 11, 27, 23, 30, tzinfo=UTC),  # Saturday in Paris and Tokyo, Friday in NY
        datetime(2026, 11, 29, 23, 30, tzinfo=UTC),  # Monday in Paris, Sunday in New York
    ],
)
def test_the_same_instant_in_any_zone_gives_the_same_answer(utc: datetime) -> None:
    answers = {
        (s.is_open, s.next_open, s.closes_at)
        for s in (desk_status(utc.astimezone(z)) for z in (UTC, NEW_YORK, TOKYO, PARIS))
    }
    assert len(answers) == 1


def test_read_in_paris_not_in_the_machine_zone() -> None:
    # 10:00 in New York (the test machine's zone) is 16:00 in Paris, a Monday: open.
    assert desk_status(datetime(2026, 11, 23, 10, 0, tzinfo=NEW_YORK)).is_open
    # 12:00 in New York is 18:00 in Paris: closed, although New York is at lunch.
    assert not desk_status(datetime(2026, 11, 23, 12, 0, tzinfo=NEW_YORK)).is_open
    # Monday 08:00 in Tokyo is Monday 00:00 in Paris: closed.
    assert not desk_status(datetime(2026, 11, 23, 8, 0, tzinfo=TOKYO)).is_open


# --- daylight-saving edges -------------------------------------------------------------------


def test_friday_before_the_spring_change_and_easter_monday_after_it() -> None:
    # Clocks go forward on Sunday 28 March 2027; Monday 29 March is Easter Monday.
    half_past_four = datetime(2027, 3, 26, 15, 30, tzinfo=UTC)  # 16:30 Paris (UTC+1)
    assert desk_status(half_past_four).is_open
    five = datetime(2027, 3, 26, 16, 0, tzinfo=UTC)  # 17:00 Paris
    status = desk_status(five)
    assert not status.is_open
    assert status.next_open == paris(2027, 3, 30, 9)  # Tuesday, Paris now UTC+2
    assert status.next_open.astimezone(UTC) == datetime(2027, 3, 30, 7, 0, tzinfo=UTC)


def test_friday_before_the_autumn_change_and_the_monday_after() -> None:
    # Clocks go back on Sunday 25 October 2026 in Paris, on 1 November in New York.
    half_past_four = datetime(2026, 10, 23, 14, 30, tzinfo=UTC)  # 16:30 Paris (UTC+2)
    assert desk_status(half_past_four).is_open
    assert not desk_status(datetime(2026, 10, 23, 15, 0, tzinfo=UTC)).is_open  # 17:00 Paris
    status = desk_status(datetime(2026, 10, 23, 15, 0, tzinfo=UTC))
    assert status.next_open is not None
    assert status.next_open.astimezone(UTC) == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)
    # Monday 26 October: 07:30 UTC is 08:30 Paris (closed), 08:30 UTC is 09:30 Paris (open).
    assert not desk_status(datetime(2026, 10, 26, 7, 30, tzinfo=UTC)).is_open
    assert desk_status(datetime(2026, 10, 26, 8, 30, tzinfo=UTC)).is_open
    # 11:30 in New York (still summer time there) is 16:30 in Paris: open; 12:00 is 17:00.
    assert desk_status(datetime(2026, 10, 26, 11, 30, tzinfo=NEW_YORK)).is_open
    assert not desk_status(datetime(2026, 10, 26, 12, 0, tzinfo=NEW_YORK)).is_open


# --- next opening ----------------------------------------------------------------------------


def test_friday_five_opens_next_monday_nine() -> None:
    status = desk_status(paris(2026, 11, 27, 17))
    assert status.next_open == paris(2026, 11, 30, 9)


def test_the_day_before_a_holiday_skips_it() -> None:
    status = desk_status(paris(2026, 11, 10, 17, 30))  # Tuesday; Wednesday 11 Nov is a holiday
    assert status.next_open == paris(2026, 11, 12, 9)
    christmas_eve = desk_status(paris(2026, 12, 24, 18))  # Thursday; Friday 25 Dec is a holiday
    assert christmas_eve.next_open == paris(2026, 12, 28, 9)


def test_before_opening_on_a_working_day_opens_the_same_day() -> None:
    assert desk_status(paris(2026, 11, 24, 7, 0)).next_open == paris(2026, 11, 24, 9)


def test_a_closure_spanning_weeks() -> None:
    winter = Closure(date(2026, 12, 21), date(2027, 1, 8), "winter break")
    cal = DeskCalendar(closures=(winter,))
    status = desk_status(paris(2026, 12, 18, 17), cal)
    assert status.next_open == paris(2027, 1, 11, 9)
    inside = desk_status(paris(2026, 12, 30, 11), cal)
    assert not inside.is_open
    assert inside.reason == "closure: winter break"
    assert inside.next_open == paris(2027, 1, 11, 9)
    assert not is_working_day(date(2027, 1, 4), cal)
    assert is_working_day(date(2027, 1, 11), cal)


# --- properties ------------------------------------------------------------------------------

ZONES = st.sampled_from(
    [
        UTC,
        PARIS,
        NEW_YORK,
        TOKYO,
        ZoneInfo("Pacific/Kiritimati"),  # UTC+14
        ZoneInfo("Pacific/Pago_Pago"),  # UTC-11
        ZoneInfo("Australia/Lord_Howe"),  # half-hour daylight saving
        ZoneInfo("Asia/Kathmandu"),  # UTC+5:45
        ZoneInfo("America/St_Johns"),  # UTC-3:30 / -2:30
    ]
)
INSTANTS = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31), timezones=ZONES
)


def _french_holiday(day: date) -> bool:
    return day in holidays.France(years=day.year)


@settings(max_examples=300)
@given(INSTANTS)
def test_open_only_on_a_working_day_between_opening_and_five_in_paris(at: datetime) -> None:
    status = desk_status(at)
    local = at.astimezone(PARIS)
    if status.is_open:
        assert local.weekday() < 5
        assert time(9, 0) <= local.time() < time(17, 0)
        assert not _french_holiday(local.date())
    else:
        assert (
            local.weekday() >= 5
            or not time(9, 0) <= local.time() < time(17, 0)
            or _french_holiday(local.date())
        )


@settings(max_examples=300)
@given(INSTANTS)
def test_when_closed_next_open_is_the_first_opening_after(at: datetime) -> None:
    status = desk_status(at)
    if status.is_open:
        return
    nxt = status.next_open
    assert nxt is not None
    assert nxt > at
    assert desk_status(nxt).is_open
    local_next = nxt.astimezone(PARIS)
    assert local_next.time() == time(9, 0)
    # one microsecond before the next opening the desk is still closed
    assert not desk_status(nxt - timedelta(microseconds=1)).is_open
    day = at.astimezone(PARIS).date() + timedelta(days=1)
    while day < local_next.date():
        assert not is_working_day(day), day
        day += timedelta(days=1)


@settings(max_examples=200)
@given(
    INSTANTS,
    st.times(min_value=time(6, 0), max_value=time(16, 59)).map(
        lambda t: t.replace(second=0, microsecond=0)
    ),
    st.lists(
        st.tuples(
            st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31)),
            st.integers(min_value=0, max_value=40),
        ),
        max_size=3,
    ),
)
def test_with_any_opening_hour_and_closures(
    at: datetime, opening: time, spans: list[tuple[date, int]]
) -> None:
    closures = tuple(Closure(first, first + timedelta(days=n), "x") for first, n in spans)
    cal = DeskCalendar(opening=opening, closures=closures)
    status = desk_status(at, cal)
    local = at.astimezone(PARIS)
    closed_day = any(c.covers(local.date()) for c in closures)
    if status.is_open:
        assert opening <= local.time() < time(17, 0)
        assert not closed_day
    else:
        nxt = status.next_open
        assert nxt is not None and nxt > at
        assert nxt.astimezone(PARIS).time() == opening
        assert not any(c.covers(nxt.astimezone(PARIS).date()) for c in closures)
        assert desk_status(nxt, cal).is_open


# --- wording ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (paris(2026, 11, 27, 17), "Desk closed — opens Monday 09:00"),
        (paris(2026, 11, 26, 17, 30), "Desk closed — opens tomorrow 09:00"),
        (paris(2026, 11, 24, 7, 15), "Desk closed — opens today 09:00"),
        (paris(2026, 11, 10, 18), "Desk closed — opens Thursday 09:00"),
        (paris(2026, 11, 23, 10, 0), "Desk open — closes in 7 h 00"),
        (paris(2026, 11, 23, 14, 55), "Desk open — closes in 2 h 05"),
        (paris(2026, 11, 23, 16, 48), "Desk open — closes in 12 min"),
        # seen from New York, the words are still about Paris time
        (datetime(2026, 11, 27, 11, 0, tzinfo=NEW_YORK), "Desk closed — opens Monday 09:00"),
    ],
)
def test_describe_status(at: datetime, expected: str) -> None:
    assert describe_status(desk_status(at)) == expected


def test_describe_status_beyond_a_week_gives_the_date() -> None:
    cal = DeskCalendar(closures=(Closure(date(2026, 12, 21), date(2027, 1, 8), "winter"),))
    status = desk_status(paris(2026, 12, 18, 17), cal)
    assert describe_status(status) == "Desk closed — opens Monday 11/01 09:00"


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (timedelta(days=3, hours=4, minutes=5), "3 d 4 h"),
        (timedelta(hours=2, minutes=5), "2 h 05"),
        (timedelta(hours=1), "1 h 00"),
        (timedelta(minutes=12, seconds=59), "12 min"),
        (timedelta(seconds=59), "0 min"),
        (timedelta(0), "0 min"),
        (timedelta(minutes=-5), "0 min"),
        (timedelta(days=-2), "0 min"),
    ],
)
def test_format_duration(delta: timedelta, expected: str) -> None:
    assert format_duration(delta) == expected


def test_the_holidays_are_france_s_own_loaded_alone() -> None:
    """France's holidays come from the holidays package's France, loaded without the package
    of every country: the same days and names, for every subdivision and both languages."""
    import subprocess
    import sys

    from crous_desk.rules.hours import _france

    for year in (2024, 2026, 2027, 2031):
        for subdivision in (None, *holidays.France.subdivisions):
            for language in ("fr", "en_US"):
                ours = _france()(years=year, subdiv=subdivision, language=language)
                theirs = holidays.France(years=year, subdiv=subdivision, language=language)
                assert dict(ours) == dict(theirs)
    probe = (
        "import sys; from datetime import date; from crous_desk.rules import hours\n"
        "print(hours._public_holidays(2026, None)[date(2026, 7, 14)])\n"
        "print(sorted(m for m in sys.modules if m.startswith('holidays.countries.')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out == ["National Day", "[]"]
