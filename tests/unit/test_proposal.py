"""The proposal window (120 hours, then expired at that instant) and the acceptance rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crous_desk.rules.proposal import (
    Advance,
    acceptance_problems,
    effective_status,
    proposal_deadline,
    proposal_expired,
    time_left,
)

SENT = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)
DEADLINE = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)
TICK = timedelta(microseconds=1)
PAID = Advance(100_00, "student")


def test_the_deadline_is_120_hours_after_sending() -> None:
    assert proposal_deadline(SENT) == DEADLINE
    # sent from Paris, read in Tokyo: the same instant
    sent_paris = SENT.astimezone(ZoneInfo("Europe/Paris"))
    assert proposal_deadline(sent_paris) == DEADLINE


def test_expired_exactly_at_the_120th_hour() -> None:
    assert not proposal_expired(SENT, DEADLINE - TICK)
    assert proposal_expired(SENT, DEADLINE)
    assert proposal_expired(SENT, DEADLINE + TICK)
    assert proposal_expired(SENT, DEADLINE.astimezone(ZoneInfo("Asia/Tokyo")))


def test_the_window_spans_a_daylight_saving_change_in_real_hours() -> None:
    # sent Friday 23 October 2026 18:00 Paris (UTC+2); clocks go back on Sunday 25
    paris = ZoneInfo("Europe/Paris")
    sent = datetime(2026, 10, 23, 18, 0, tzinfo=paris)
    deadline = proposal_deadline(sent)
    assert deadline == datetime(2026, 10, 28, 16, 0, tzinfo=UTC)  # 120 h after 16:00 UTC
    assert deadline.astimezone(paris).hour == 17  # the wall clock moved back one hour
    # whatever zone "now" is read in, the window ends at the same instant
    just_before = (deadline - TICK).astimezone(paris)
    assert not proposal_expired(sent, just_before)
    assert proposal_expired(sent, deadline.astimezone(paris))
    assert time_left(sent, datetime(2026, 10, 28, 17, 0, tzinfo=paris)) == timedelta(0)
    # spring: sent Friday 26 March 2027 18:00 (UTC+1), clocks go forward on Sunday 28
    spring = datetime(2027, 3, 26, 18, 0, tzinfo=paris)
    assert proposal_deadline(spring).astimezone(paris) == datetime(2027, 3, 31, 19, 0, tzinfo=paris)


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError):
        proposal_expired(SENT, datetime(2026, 11, 21))
    with pytest.raises(ValueError):
        proposal_deadline(datetime(2026, 11, 21))


def test_effective_status() -> None:
    assert effective_status("proposed", SENT, DEADLINE - TICK) == "proposed"
    assert effective_status("proposed", SENT, DEADLINE) == "expired"
    assert effective_status("accepted", SENT, DEADLINE + timedelta(days=30)) == "accepted"
    assert effective_status("refused", SENT, DEADLINE) == "refused"
    assert effective_status("proposed", None, DEADLINE) == "proposed"
    assert effective_status("requested", None, DEADLINE) == "requested"


def test_time_left() -> None:
    assert time_left(SENT, SENT) == timedelta(hours=120)
    assert time_left(SENT, DEADLINE - timedelta(hours=3)) == timedelta(hours=3)
    assert time_left(SENT, DEADLINE) == timedelta(0)
    assert time_left(SENT, DEADLINE + timedelta(days=3)) == timedelta(0)


ZONES = st.sampled_from(
    [UTC, ZoneInfo("Europe/Paris"), ZoneInfo("America/New_York"), ZoneInfo("Asia/Tokyo")]
)
INSTANTS = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31), timezones=ZONES
)


@settings(max_examples=200)
@given(
    INSTANTS,
    st.timedeltas(min_value=timedelta(days=-10), max_value=timedelta(days=20)),
    ZONES,
)
def test_expiry_and_time_left_agree(sent: datetime, elapsed: timedelta, seen_in: ZoneInfo) -> None:
    """``elapsed`` is real time (computed in UTC), whatever zones the instants are read in."""
    at = (sent.astimezone(UTC) + elapsed).astimezone(seen_in)
    left = time_left(sent, at)
    assert left >= timedelta(0)
    assert proposal_expired(sent, at) == (elapsed >= timedelta(hours=120))
    assert (left == timedelta(0)) == proposal_expired(sent, at)
    if not proposal_expired(sent, at):
        assert at.astimezone(UTC) + left == proposal_deadline(sent)
    assert (effective_status("proposed", sent, at) == "expired") == proposal_expired(sent, at)


# --- acceptance ------------------------------------------------------------------------------


def test_an_open_proposal_with_the_advance_can_be_accepted() -> None:
    assert acceptance_problems("proposed", SENT, DEADLINE - TICK, PAID) == []
    third = Advance(100_00, "third_party", "Campus France")
    assert acceptance_problems("proposed", SENT, SENT, third) == []
    assert acceptance_problems("proposed", SENT, SENT, Advance(150_00, "student")) == []


@pytest.mark.parametrize(
    ("advance", "words"),
    [
        (None, "100 € rent advance is not recorded"),
        (Advance(99_99, "student"), "the rent advance is 99.99 €; 100 € are required"),
        (Advance(0, "student"), "the rent advance is 0.00 €"),
        (Advance(100_00, "parents"), "say who paid the advance"),
        (Advance(100_00, ""), "say who paid the advance"),
        (Advance(100_00, "third_party"), "name the third party"),
        (Advance(100_00, "third_party", "   "), "name the third party"),
    ],
)
def test_acceptance_needs_the_advance_and_who_paid(advance: Advance | None, words: str) -> None:
    problems = acceptance_problems("proposed", SENT, SENT + timedelta(hours=1), advance)
    assert len(problems) == 1
    assert words in problems[0]


def test_acceptance_is_refused_from_the_120th_hour() -> None:
    problems = acceptance_problems("proposed", SENT, DEADLINE, PAID)
    assert len(problems) == 1
    assert "expired" in problems[0]
    assert "25/11/2026 15:30" in problems[0]  # the deadline, in Paris time


@pytest.mark.parametrize("status", ["requested", "accepted", "refused", "checked_in", "cancelled"])
def test_acceptance_needs_an_open_proposal(status: str) -> None:
    problems = acceptance_problems(status, SENT, SENT + timedelta(hours=1), PAID)
    assert len(problems) == 1
    assert "no open proposal" in problems[0]


def test_every_problem_is_listed_together() -> None:
    problems = acceptance_problems("proposed", SENT, DEADLINE, Advance(10_00, "third_party"))
    assert len(problems) == 3
