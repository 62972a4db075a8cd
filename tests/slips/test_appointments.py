"""Arrival appointments: slots inside desk hours only, a capacity per slot, one per
reservation, every refusal offering the next free slot, every change audited."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from crous_desk.arrivals.appointments import (
    SlotPolicy,
    book_appointment,
    cancel_appointment,
    current_appointment,
    day_slots,
    free_places,
    slot_problems,
)
from crous_desk.base.clock import FixedClock
from crous_desk.base.errors import Refused
from crous_desk.rules.hours import Closure as DeskClosure
from crous_desk.rules.hours import DeskCalendar
from crous_desk.services import Desk
from crous_desk.store.models import Appointment, AuditLog, Closure, Reservation, Residence
from tests import factories
from tests.factories import MONDAY_10H

PARIS = ZoneInfo("Europe/Paris")
POLICY = SlotPolicy(minutes=30, capacity=2)


def paris(day: int, hh: int, mm: int = 0, month: int = 11, year: int = 2026) -> datetime:
    return datetime(year, month, day, hh, mm, tzinfo=PARIS)


def desk_at(when: datetime = MONDAY_10H, username: str = "accueil") -> Desk:
    return Desk(factories.staff(username), FixedClock(when), factories.residence())


@pytest.fixture
def arriving(database) -> Reservation:
    return factories.reservation()


def refusal(excinfo: pytest.ExceptionInfo[Refused]) -> str:
    return str(excinfo.value)


# --- the rule, without a database --------------------------------------------------------------


def test_a_day_has_slots_from_opening_to_17h() -> None:
    slots = day_slots(date(2026, 11, 27), DeskCalendar(), POLICY)
    assert [s.label for s in slots][:2] == ["09:00–09:30", "09:30–10:00"]
    assert slots[-1].label == "16:30–17:00"
    assert len(slots) == 16
    assert day_slots(date(2026, 11, 28), DeskCalendar(), POLICY) == []  # Saturday


def test_a_slot_that_does_not_divide_the_day_never_runs_past_17h() -> None:
    slots = day_slots(date(2026, 11, 27), DeskCalendar(), SlotPolicy(minutes=45))
    assert slots[-1].label == "15:45–16:30"


def test_friday_1630_ends_at_17h_and_is_a_slot() -> None:
    assert slot_problems(paris(27, 16, 30), DeskCalendar(), POLICY) == []


def test_friday_1645_ends_after_17h() -> None:
    opening_0915 = DeskCalendar(opening=time(9, 15))  # 16:45 is on this desk's grid
    problems = slot_problems(paris(27, 16, 45), opening_0915, POLICY)
    assert problems == ["a 30-minute slot at 16:45 ends at 17:15, after the desk closes at 17:00"]
    assert slot_problems(paris(27, 16, 15), opening_0915, POLICY) == []


def test_a_slot_is_read_in_the_desks_zone_not_the_machines() -> None:
    # 15:30 UTC is 16:30 in Paris in November; the machine runs on New York time
    assert slot_problems(datetime(2026, 11, 27, 15, 30, tzinfo=UTC), DeskCalendar(), POLICY) == []
    assert slot_problems(datetime(2026, 11, 27, 16, 0, tzinfo=UTC), DeskCalendar(), POLICY)


def test_before_opening_off_the_grid_and_closed_days() -> None:
    cal = DeskCalendar(closures=(DeskClosure(date(2026, 12, 1), date(2026, 12, 3), "inventaire"),))
    assert slot_problems(paris(27, 8, 30), cal, POLICY) == [
        "08:30 is before the desk opens at 09:00"
    ]
    assert slot_problems(paris(27, 10, 10), cal, POLICY) == [
        "10:10 is not the start of a slot: slots start every 30 minutes from 09:00"
    ]
    assert slot_problems(paris(28, 10), cal, POLICY) == [
        "the desk is closed on Saturday 28 November 2026 (weekend)"
    ]
    assert slot_problems(paris(25, 10, month=12), cal, POLICY) == [
        "the desk is closed on Friday 25 December 2026 (public holiday: Christmas Day)"
    ]
    assert slot_problems(paris(2, 10, month=12), cal, POLICY) == [
        "the desk is closed on Wednesday 2 December 2026 (closure: inventaire)"
    ]


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        slot_problems(datetime(2026, 11, 27, 10, 0), DeskCalendar(), POLICY)


# --- booking ---------------------------------------------------------------------------------


def test_booking_friday_1630_works(arriving: Reservation) -> None:
    appointment = book_appointment(desk_at(), arriving.id, paris(27, 16, 30), POLICY)
    row = Appointment.get_by_id(appointment.id)
    assert row.starts_at == paris(27, 16, 30) and row.ends_at == paris(27, 17, 0)
    assert row.reservation_id == arriving.id


def test_booking_friday_1645_is_refused_with_the_next_free_slot(arriving: Reservation) -> None:
    with pytest.raises(Refused) as refused:
        book_appointment(desk_at(), arriving.id, paris(27, 16, 45), POLICY)
    text = refusal(refused)
    assert "ends at 17:15, after the desk closes at 17:00" in text
    assert text.endswith("next free slot: Monday 30/11/2026 09:00–09:30")
    assert Appointment.select().count() == 0


def test_a_public_holiday_is_refused_with_the_next_free_slot(arriving: Reservation) -> None:
    with pytest.raises(Refused) as refused:
        book_appointment(desk_at(), arriving.id, paris(25, 10, month=12), POLICY)
    assert refusal(refused) == (
        "the desk is closed on Friday 25 December 2026 (public holiday: Christmas Day)\n"
        "next free slot: Monday 28/12/2026 09:00–09:30"
    )


def test_a_declared_closure_is_refused_with_the_next_free_slot(arriving: Reservation) -> None:
    Closure.create(
        residence=factories.residence(),
        first=date(2026, 11, 30),
        last=date(2026, 12, 4),
        reason="désinfection",
    )
    with pytest.raises(Refused) as refused:
        book_appointment(desk_at(), arriving.id, paris(1, 10, month=12), POLICY)
    assert refusal(refused) == (
        "the desk is closed on Tuesday 1 December 2026 (closure: désinfection)\n"
        "next free slot: Monday 07/12/2026 09:00–09:30"
    )


def test_a_full_slot_is_refused_with_the_next_free_slot(arriving: Reservation) -> None:
    desk = desk_at()
    for last, hh, mm in (
        ("Martin", 10, 0),
        ("Bernard", 10, 0),
        ("Petit", 10, 30),
        ("Roux", 10, 30),
    ):
        book_appointment(desk, factories.reservation(last=last).id, paris(24, hh, mm), POLICY)
    before = (Appointment.select().count(), AuditLog.select().count())
    with pytest.raises(Refused) as refused:
        book_appointment(desk, arriving.id, paris(24, 10), POLICY)
    assert refusal(refused) == (
        "the slot Tuesday 24/11/2026 10:00–10:30 is full (2 of 2 places taken)\n"
        "next free slot: Tuesday 24/11/2026 11:00–11:30"
    )
    assert (Appointment.select().count(), AuditLog.select().count()) == before


def test_capacity_comes_from_the_policy(arriving: Reservation) -> None:
    desk = desk_at()
    other = factories.reservation(last="Martin")
    book_appointment(desk, other.id, paris(24, 10), SlotPolicy(capacity=1))
    with pytest.raises(Refused, match=r"full \(1 of 1 places taken\)"):
        book_appointment(desk, arriving.id, paris(24, 10), SlotPolicy(capacity=1))
    book_appointment(desk, arriving.id, paris(24, 10), SlotPolicy(capacity=2))


def test_booking_is_allowed_when_the_desk_is_closed(arriving: Reservation) -> None:
    saturday_night = paris(28, 23, 0)
    book_appointment(desk_at(saturday_night), arriving.id, paris(30, 9), POLICY)
    assert current_appointment(arriving.id) is not None


def test_a_slot_already_begun_is_refused(arriving: Reservation) -> None:
    with pytest.raises(Refused) as refused:
        book_appointment(desk_at(), arriving.id, paris(23, 9, 30), POLICY)  # now: Monday 10:00
    assert refusal(refused) == (
        "the slot Monday 23/11/2026 09:30–10:00 has already begun\n"
        "next free slot: Monday 23/11/2026 10:00–10:30"
    )


def test_not_before_the_lease_starts(database) -> None:
    later = factories.reservation(lease_start=date(2026, 12, 1))
    with pytest.raises(Refused) as refused:
        book_appointment(desk_at(), later.id, paris(30, 10), POLICY)
    assert refusal(refused) == (
        "the lease starts on 01/12/2026: the arrival cannot be earlier\n"
        "next free slot: Tuesday 01/12/2026 09:00–09:30"
    )


@pytest.mark.parametrize("status", ["proposed", "refused", "checked_in", "cancelled"])
def test_only_an_accepted_reservation_gets_an_appointment(database, status: str) -> None:
    r = factories.reservation(status=status)
    with pytest.raises(Refused, match="needs an accepted reservation"):
        book_appointment(desk_at(), r.id, paris(24, 10), POLICY)


def test_moving_replaces_the_appointment_and_frees_the_old_place(arriving: Reservation) -> None:
    desk = desk_at()
    book_appointment(desk, arriving.id, paris(24, 10), POLICY)
    book_appointment(desk, arriving.id, paris(25, 14), POLICY)
    assert Appointment.select().count() == 1
    assert current_appointment(arriving.id).starts_at == paris(25, 14)
    free = dict(
        (s.label, n)
        for s, n in free_places(
            factories.residence().id, date(2026, 11, 24), desk.calendar(), POLICY
        )
    )
    assert free["10:00–10:30"] == 2


def test_every_change_is_audited_with_the_actor(arriving: Reservation) -> None:
    book_appointment(desk_at(username="accueil"), arriving.id, paris(24, 10), POLICY)
    book_appointment(desk_at(username="m.roux"), arriving.id, paris(25, 14), POLICY)
    cancel_appointment(desk_at(username="k.benali"), arriving.id)
    entries = list(
        AuditLog.select()
        .where(AuditLog.reservation_id == arriving.id, AuditLog.entity == "appointment")
        .order_by(AuditLog.id)
    )
    assert [(e.action, e.actor) for e in entries] == [
        ("appointment.book", "accueil"),
        ("appointment.move", "m.roux"),
        ("appointment.cancel", "k.benali"),
    ]
    moved = entries[1]
    assert datetime.fromisoformat(json.loads(moved.before)["starts_at"]) == paris(24, 10)
    assert datetime.fromisoformat(json.loads(moved.after)["starts_at"]) == paris(25, 14)
    assert current_appointment(arriving.id) is None


def test_booking_the_same_slot_again_changes_nothing(arriving: Reservation) -> None:
    desk = desk_at()
    book_appointment(desk, arriving.id, paris(24, 10), POLICY)
    audits = AuditLog.select().count()
    book_appointment(desk, arriving.id, paris(24, 10), POLICY)
    assert AuditLog.select().count() == audits


def test_moving_within_a_full_slot_does_not_count_itself(arriving: Reservation) -> None:
    desk = desk_at()
    book_appointment(desk, factories.reservation(last="Martin").id, paris(24, 10), POLICY)
    book_appointment(desk, arriving.id, paris(24, 10), POLICY)  # now full
    # a slot of another length that overlaps only this reservation's own place
    book_appointment(desk, arriving.id, paris(24, 10), SlotPolicy(minutes=60, capacity=2))
    assert current_appointment(arriving.id).ends_at == paris(24, 11)


def test_cancelling_without_an_appointment_is_refused(arriving: Reservation) -> None:
    with pytest.raises(Refused, match="no arrival appointment"):
        cancel_appointment(desk_at(), arriving.id)


def test_slots_of_a_residence_in_another_zone(database) -> None:
    guadeloupe = Residence.create(
        code="fouillole",
        name="Résidence Fouillole",
        crous_code="antilles-guyane",
        address="Campus de Fouillole, Pointe-à-Pitre",
        desk_phone="0590 00 00 00",
        timezone="America/Guadeloupe",
    )
    r = factories.reservation(room_=factories.room(guadeloupe, "F-001"))
    local = ZoneInfo("America/Guadeloupe")
    book_appointment(desk_at(), r.id, datetime(2026, 11, 27, 16, 30, tzinfo=local), POLICY)
    with pytest.raises(Refused, match="after the desk closes at 17:00"):
        book_appointment(desk_at(), r.id, datetime(2026, 11, 27, 17, 0, tzinfo=local), POLICY)


def test_policy_must_be_positive() -> None:
    with pytest.raises(ValueError):
        SlotPolicy(minutes=0)
