"""Arrival appointments: slots of the desk's day (crous_desk.rules.slots), a capacity per slot,
one appointment per reservation.

Booking or moving is allowed at any time (a manager books from an office at night), but the
slot itself must lie inside desk hours. A refusal always offers the next free slot. The slot is
in the reservation's own residence, so any desk of the actor's scope may book it: the desk's
residence is not checked (as it is for the actions on rooms and keys).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from crous_desk.base.clock import require_aware
from crous_desk.base.errors import Problem, Refused
from crous_desk.base.i18n import _
from crous_desk.desk import permissions
from crous_desk.desk.action import Act, action
from crous_desk.desk.context import Desk
from crous_desk.outbox import appointment_mail, queue
from crous_desk.rules.hours import DeskCalendar
from crous_desk.rules.proposal import effective_status, status_label
from crous_desk.rules.rental_file import fmt
from crous_desk.rules.slots import Slot, SlotPolicy, day_slots, slot_at, slot_problems
from crous_desk.rules.status import ReservationStatus
from crous_desk.store import locks
from crous_desk.store.models import Appointment, Reservation, Residence, snapshot

__all__ = [
    "SEARCH_DAYS",
    "Slot",
    "SlotPolicy",
    "appointment_slot",
    "book_appointment",
    "bookable",
    "booking_problem",
    "cancel_appointment",
    "current_appointment",
    "day_slots",
    "free_places",
    "next_free_slot",
    "slot_at",
    "slot_problems",
    "taken_places",
]

SEARCH_DAYS = 120  # how far ahead a refusal looks for the next free slot
_TIMES = ("starts_at", "ends_at")


# -- what is taken ------------------------------------------------------------------------------


def _overlapping(residence_id: int, start: datetime, end: datetime, exclude: int | None) -> Any:
    query = Appointment.select(Appointment.starts_at, Appointment.ends_at).where(
        Appointment.residence == residence_id,
        Appointment.starts_at < end,
        Appointment.ends_at > start,
    )
    if exclude is not None:
        query = query.where(Appointment.reservation != exclude)
    return query


def taken_places(residence_id: int, slot: Slot, exclude: int | None = None) -> int:
    """How many appointments overlap ``slot`` (``exclude``: a reservation being moved)."""
    return int(_overlapping(residence_id, slot.start, slot.end, exclude).count())


def free_places(
    residence_id: int,
    day: date,
    calendar: DeskCalendar,
    policy: SlotPolicy,
    exclude: int | None = None,
) -> list[tuple[Slot, int]]:
    """Each slot of ``day`` with its free places (one query for the day)."""
    slots = day_slots(day, calendar, policy)
    if not slots:
        return []
    booked = [
        (a.starts_at, a.ends_at)
        for a in _overlapping(residence_id, slots[0].start, slots[-1].end, exclude)
    ]
    return [
        (
            slot,
            max(0, policy.capacity - sum(1 for s, e in booked if s < slot.end and e > slot.start)),
        )
        for slot in slots
    ]


def next_free_slot(
    residence_id: int,
    after: datetime,
    calendar: DeskCalendar,
    policy: SlotPolicy,
    *,
    first_day: date | None = None,
    last_day: date | None = None,
    exclude: int | None = None,
) -> Slot | None:
    """The first slot starting at or after ``after`` with a free place, between ``first_day``
    and ``last_day`` when given, within :data:`SEARCH_DAYS`."""
    require_aware(after)
    day = after.astimezone(calendar.tz).date()
    if first_day is not None and first_day > day:
        day = first_day
    for offset in range(SEARCH_DAYS):
        candidate = day + timedelta(days=offset)
        if last_day is not None and candidate > last_day:
            return None
        for slot, free in free_places(residence_id, candidate, calendar, policy, exclude):
            if free > 0 and slot.start >= after:
                return slot
    return None


def current_appointment(reservation_id: int) -> Appointment | None:
    return Appointment.get_or_none(Appointment.reservation == reservation_id)


def appointment_slot(appointment: Appointment, calendar: DeskCalendar) -> Slot:
    return Slot(
        appointment.starts_at.astimezone(calendar.tz), appointment.ends_at.astimezone(calendar.tz)
    )


# -- who may have one ---------------------------------------------------------------------------


def booking_problem(reservation: Reservation, now: datetime) -> Problem | None:
    """Why ``reservation`` may not have an arrival appointment: it needs a room, and to be
    accepted."""
    if reservation.room is None:
        return Problem(
            "no_room", _("this reservation has no room yet: an arrival appointment needs one")
        )
    status = effective_status(reservation.status, reservation.proposal_sent_at, now)
    if status != ReservationStatus.ACCEPTED:
        return Problem(
            "not_accepted",
            _("an arrival appointment needs an accepted reservation (status: {status})").format(
                status=status_label(status)
            ),
        )
    return None


def _reservation(desk: Desk, reservation_id: int) -> Reservation:
    """The reservation, if the actor may book its appointment (their residences or students)."""
    reservation = desk.reservation(reservation_id)
    permissions.require(desk.actor, "appointment.book", reservation)
    return reservation


def bookable(desk: Desk, reservation_id: int) -> tuple[Reservation, Residence]:
    """The reservation and its residence, if it may have an arrival appointment (asked before
    the booking form opens). Refused otherwise."""
    permissions.require(desk.actor, "appointment.book")
    reservation = _reservation(desk, reservation_id)
    problem = booking_problem(reservation, desk.now())
    if problem:
        raise Refused(problem)
    assert reservation.room is not None  # booking_problem says so
    return reservation, reservation.room.residence


# -- booking ------------------------------------------------------------------------------------


def _slot_full(residence: Residence, slot: Slot, policy: SlotPolicy, exclude: int) -> str | None:
    taken = taken_places(residence.id, slot, exclude)
    if taken < policy.capacity:
        return None
    return Problem(
        "slot_full",
        _("the slot {slot} is full ({taken} of {capacity} places taken)").format(
            slot=slot.describe(), taken=taken, capacity=policy.capacity
        ),
    )


def _next_free(
    act: Act,
    residence: Residence,
    reservation: Reservation,
    slot: Slot,
    calendar: DeskCalendar,
    policy: SlotPolicy,
) -> Problem:
    """The next free slot of the lease, offered with every refusal."""
    offer = next_free_slot(
        residence.id,
        max(slot.start, act.now),
        calendar,
        policy,
        first_day=reservation.lease_start,
        last_day=reservation.lease_end,
        exclude=reservation.id,
    )
    if offer is None:
        return Problem("no_free_slot", _("no free slot before the lease ends"))
    return Problem("next_free_slot", _("next free slot: {slot}").format(slot=offer.describe()))


def _timing_problems(act: Act, slot: Slot, reservation: Reservation) -> list[str]:
    day = slot.start.date()
    problems: list[str] = []
    if slot.start < act.now:
        problems.append(
            Problem(
                "slot_begun",
                _("the slot {slot} has already begun").format(slot=slot.describe()),
            )
        )
    if day < reservation.lease_start:
        problems.append(
            Problem(
                "before_lease",
                _("the lease starts on {day}: the arrival cannot be earlier").format(
                    day=fmt(reservation.lease_start)
                ),
            )
        )
    if day > reservation.lease_end:
        problems.append(
            Problem(
                "after_lease",
                _("the lease ends on {day}").format(day=fmt(reservation.lease_end)),
            )
        )
    return problems


def _place(
    act: Act,
    reservation: Reservation,
    residence: Residence,
    existing: Appointment | None,
    slot: Slot,
) -> Appointment:
    """Write the appointment in ``slot``: a new one if there was none, else a move of the one
    read (each confirmed, so two desks never book one reservation twice)."""
    what = _("the arrival appointment of {ref}").format(ref=reservation.reference)
    if existing is None:
        act.confirm(0 if current_appointment(reservation.id) else 1, what)
        appointment = Appointment.create(
            reservation=reservation,
            residence=residence,
            starts_at=slot.start,
            ends_at=slot.end,
            booked_at=act.now,
            booked_by=act.actor,
        )
    else:
        moved = (
            Appointment.update(
                starts_at=slot.start, ends_at=slot.end, booked_at=act.now, booked_by=act.actor
            )
            .where(
                Appointment.id == existing.id,
                Appointment.starts_at == existing.starts_at,
                Appointment.ends_at == existing.ends_at,
            )
            .execute()
        )
        act.confirm(moved, what)
        appointment = Appointment.get_by_id(existing.id)
    act.audit(
        "appointment",
        appointment.id,
        reservation=reservation,
        before=snapshot(existing, *_TIMES) if existing else None,
        after=snapshot(appointment, *_TIMES),
        action="appointment.move" if existing else None,
    )
    queue(act, appointment_mail(reservation, appointment, moved=existing is not None))
    return appointment


@action("appointment.book")
def book_appointment(
    act: Act, reservation_id: int, start: datetime, policy: SlotPolicy
) -> Appointment:
    """Book (or move) the reservation's arrival appointment to the slot starting at ``start``.

    Refused, with every reason and the next free slot, when the slot is outside desk hours,
    on a closed day, already begun, outside the lease, or full."""
    require_aware(start)
    reservation = _reservation(act.desk, reservation_id)
    problem = booking_problem(reservation, act.now)
    if problem:
        act.refuse(problem)  # no slot to check without a room, nor for a stay not accepted
    assert reservation.room is not None
    residence: Residence = reservation.room.residence
    calendar = act.desk.calendar(residence)
    slot = slot_at(start, calendar, policy)
    existing = current_appointment(reservation.id)
    if existing is not None and appointment_slot(existing, calendar) == slot:
        return existing  # already there: nothing to change

    def next_free() -> Problem:
        return _next_free(act, residence, reservation, slot, calendar, policy)

    act.check(slot_problems(start, calendar, policy), _timing_problems(act, slot, reservation))
    if not act.refused:
        act.check(_slot_full(residence, slot, policy, reservation.id))
    if act.refused:
        act.check(next_free())
    with act.change():
        # again, under the lock of the residence's slots: on SQLite the write lock the
        # transaction holds since it began; on PostgreSQL, desks booking the same residence
        # take turns here, and each counts what the one before committed
        locks.hold("slots", residence.id)
        full = _slot_full(residence, slot, policy, reservation.id)
        if full:
            act.refuse(full, next_free())
        appointment = _place(act, reservation, residence, existing, slot)
    return appointment


@action("appointment.cancel", needs="appointment.book")
def cancel_appointment(act: Act, reservation_id: int) -> None:
    """Cancel the reservation's arrival appointment (the audit log keeps it)."""
    reservation = _reservation(act.desk, reservation_id)
    appointment = current_appointment(reservation.id)
    if appointment is None:
        act.refuse(Problem("no_appointment", _("this reservation has no arrival appointment")))
    with act.change():
        cancelled = (
            Appointment.delete()
            .where(
                Appointment.id == appointment.id,
                Appointment.starts_at == appointment.starts_at,
            )
            .execute()
        )
        act.confirm(
            cancelled, _("the arrival appointment of {ref}").format(ref=reservation.reference)
        )
        act.audit(
            "appointment",
            appointment.id,
            reservation=reservation,
            before=snapshot(appointment, *_TIMES),
        )
