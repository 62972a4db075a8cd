"""Key handover: every unmet condition is one blocker, all of them are listed together."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from crous_desk.rules.handover import HandoverFacts, handover_blockers
from crous_desk.rules.hours import desk_status

MONDAY_10H = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
FRIDAY_17H = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)

READY = HandoverFacts(
    desk=desk_status(MONDAY_10H),
    status="accepted",
    advance_paid=True,
    file_problems=[],
    lease_start=date(2026, 11, 23),
    lease_end=date(2027, 4, 30),
    today=date(2026, 11, 23),
    check_in_acknowledged=True,
    key_set_at_desk=True,
)


def test_everything_satisfied_means_no_blocker() -> None:
    assert handover_blockers(READY) == []
    # the lease started before today: fine too
    assert handover_blockers(replace(READY, today=date(2026, 12, 1))) == []


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (
            {"desk": desk_status(FRIDAY_17H)},
            "the desk is closed: keys are handed over Monday to Friday before 17:00 "
            "(Desk closed — opens Monday 09:00)",
        ),
        ({"status": "checked_in"}, "the keys have already been handed over"),
        ({"status": "proposed"}, "the reservation is not accepted (status: proposal sent)"),
        ({"status": "expired"}, "the reservation is not accepted (status: expired)"),
        ({"status": "refused"}, "the reservation is not accepted (status: refused)"),
        ({"status": "departed"}, "the reservation is not accepted (status: departed)"),
        ({"advance_paid": False}, "the 100 € rent advance is not paid"),
        ({"file_problems": ["Insurance: missing"]}, "rental file — Insurance: missing"),
        ({"today": date(2026, 11, 22)}, "the lease starts on 23/11/2026"),
        ({"today": date(2027, 5, 1)}, "the lease ended on 30/04/2027"),
        ({"check_in_acknowledged": False}, "no check-in inspection acknowledged by the tenant"),
        ({"key_set_at_desk": False}, "no key set of this room is at the desk"),
    ],
)
def test_each_condition_alone_is_exactly_one_blocker(change: dict[str, object], words: str) -> None:
    assert handover_blockers(replace(READY, **change)) == [words]  # type: ignore[arg-type]


def test_each_file_problem_is_its_own_blocker() -> None:
    facts = replace(READY, file_problems=["Insurance: missing", "School certificate: missing"])
    assert handover_blockers(facts) == [
        "rental file — Insurance: missing",
        "rental file — School certificate: missing",
    ]


def test_every_unmet_condition_is_listed_together() -> None:
    facts = HandoverFacts(
        desk=desk_status(FRIDAY_17H),
        status="proposed",
        advance_paid=False,
        file_problems=["Insurance: missing"],
        lease_start=date(2026, 12, 1),
        today=date(2026, 11, 27),
        check_in_acknowledged=False,
        key_set_at_desk=False,
    )
    assert len(handover_blockers(facts)) == 7
