"""Arrival appointments: slots of the desk's day, a capacity per slot, one per reservation.

Booking or moving is allowed at any time (a manager books from an office at night), but the
slot itself must lie inside desk hours: it starts on the grid of the day (every ``minutes``
from the opening hour) and ends by 17:00, on a day the desk is open (no weekend, public holiday
or declared closure). A refusal always offers the next free slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from crous_desk.base.clock import require_aware
from crous_desk.base.errors import Refused
from crous_desk.base.i18n import _
from crous_desk.desk import permissions
from crous_desk.rules.hours import CLOSING, DeskCalendar, weekday_name
from crous_desk.rules.proposal import effective_status, status_label
from crous_desk.rules.rental_file import fmt
from crous_desk.store import audit
from crous_desk.store.models import Appointment, Reservation, Residence, db, snapshot

if TYPE_CHECKING:
    from crous_desk.base.config import Config
    from crous_desk.desk.context import Desk

SEARCH_DAYS = 120  # how far ahead a refusal looks for the next free slot


@dataclass(frozen=True)
class SlotPolicy:
    """How long a slot lasts and how many students the desk receives in one."""

    minutes: int = 30
    capacity: int = 2

    def __post_init__(self) -> None:
        if self.minutes <= 0 or self.capacity <= 0:
            raise ValueError(_("slot length and capacity must be positive"))

    @classmethod
    def from_config(cls, config: Config) -> SlotPolicy:
        return cls(minutes=config.slot_minutes, capacity=config.slot_capacity)

    @property
    def length(self) -> timedelta:
        return timedelta(minutes=self.minutes)


@dataclass(frozen=True)
class Slot:
    """One slot, as aware datetimes in the residence's zone."""

    start: datetime
    end: datetime

    @property
    def label(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

    def describe(self) -> str:
        """ "Monday 23/11/2026 10:00–10:30"."""
        day = self.start.date()
        return f"{weekday_name(day)} {fmt(day)} {self.label}"


def slot_at(start: datetime, calendar: DeskCalendar, policy: SlotPolicy) -> Slot:
    require_aware(start)
    local = start.astimezone(calendar.tz)
    return Slot(local, local + policy.length)


def day_slots(day: date, calendar: DeskCalendar, policy: SlotPolicy) -> list[Slot]:
    """Every slot of ``day``; none when the desk is closed that day."""
    if calendar.closed_reason(day) is not None:
        return []
    slots = []
    start, close = calendar.opens_at(day), calendar.closes_at(day)
    while start + policy.length <= close:
        slots.append(Slot(start, start + policy.length))
        start += policy.length
    return slots


def slot_problems(start: datetime, calendar: DeskCalendar, policy: SlotPolicy) -> list[str]:
    """Why a slot starting at ``start`` is not a slot of the desk (empty when it is one)."""
    slot = slot_at(start, calendar, policy)
    day = slot.start.date()
    reason = calendar.closed_reason(day)
    if reason is not None:
        return [
            _("the desk is closed on {day} ({reason})").format(
                day=f"{weekday_name(day)} {fmt(day)}", reason=reason
            )
        ]
    problems = []
    opens, closes = calendar.opens_at(day), calendar.closes_at(day)
    opening = f"{calendar.opening:%H:%M}"
    if slot.start < opens:
        problems.append(
            _("{hhmm} is before the desk opens at {opening}").format(
                hhmm=f"{slot.start:%H:%M}", opening=opening
            )
        )
    if slot.end > closes:
        problems.append(
            _(
                "a {n}-minute slot at {hhmm} ends at {end}, after the desk closes at {closing}"
            ).format(
                n=policy.minutes,
                hhmm=f"{slot.start:%H:%M}",
                end=f"{slot.end:%H:%M}",
                closing=f"{CLOSING:%H:%M}",
            )
        )
    if slot.start >= opens and (slot.start - opens) % policy.length:
        problems.append(
            _(
                "{hhmm} is not the start of a slot: slots start every {n} minutes from {opening}"
            ).format(hhmm=f"{slot.start:%H:%M}", n=policy.minutes, opening=opening)
        )
    return problems


# -- what is taken ------------------------------------------------------------------------------


def _overlapping(residence_id: int, start: datetime, end: datetime, exclude: int | None):  # type: ignore[no-untyped-def]
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
    return _overlapping(residence_id, slot.start, slot.end, exclude).count()


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


# -- booking ------------------------------------------------------------------------------------


def current_appointment(reservation_id: int) -> Appointment | None:
    return Appointment.get_or_none(Appointment.reservation == reservation_id)


def appointment_slot(appointment: Appointment, calendar: DeskCalendar) -> Slot:
    return Slot(
        appointment.starts_at.astimezone(calendar.tz), appointment.ends_at.astimezone(calendar.tz)
    )


def _residence(reservation: Reservation) -> Residence:
    room = reservation.room
    if room is None:
        raise Refused(_("this reservation has no room yet: an arrival appointment needs one"))
    residence: Residence = room.residence
    return residence


def bookable(desk: Desk, reservation_id: int) -> tuple[Reservation, Residence]:
    """The reservation and its residence, if it may have an arrival appointment: accepted,
    with a room. Refused otherwise."""
    permissions.require(desk.actor, "appointment.book")
    reservation = desk.reservation(reservation_id)
    permissions.require(desk.actor, "appointment.book", reservation)
    residence = _residence(reservation)
    status = effective_status(reservation.status, reservation.proposal_sent_at, desk.now())
    if status != "accepted":
        raise Refused(
            _("an arrival appointment needs an accepted reservation (status: {status})").format(
                status=status_label(status)
            )
        )
    return reservation, residence


def book_appointment(
    desk: Desk, reservation_id: int, start: datetime, policy: SlotPolicy
) -> Appointment:
    """Book (or move) the reservation's arrival appointment to the slot starting at ``start``.

    Refused, with every reason and the next free slot, when the slot is outside desk hours,
    on a closed day, already begun, outside the lease, or full. One transaction, audited."""
    from crous_desk.desk.context import residence_calendar

    require_aware(start)
    now = desk.now()
    with db.atomic():
        reservation, residence = bookable(desk, reservation_id)
        calendar = residence_calendar(residence)
        slot = slot_at(start, calendar, policy)
        existing = current_appointment(reservation.id)
        if existing is not None and appointment_slot(existing, calendar) == slot:
            return existing  # already there: nothing to change
        problems = slot_problems(start, calendar, policy)
        day = slot.start.date()
        if slot.start < now:
            problems.append(_("the slot {slot} has already begun").format(slot=slot.describe()))
        if day < reservation.lease_start:
            problems.append(
                _("the lease starts on {day}: the arrival cannot be earlier").format(
                    day=fmt(reservation.lease_start)
                )
            )
        if day > reservation.lease_end:
            problems.append(_("the lease ends on {day}").format(day=fmt(reservation.lease_end)))
        if not problems:
            taken = taken_places(residence.id, slot, exclude=reservation.id)
            if taken >= policy.capacity:
                problems.append(
                    _("the slot {slot} is full ({taken} of {capacity} places taken)").format(
                        slot=slot.describe(), taken=taken, capacity=policy.capacity
                    )
                )
        if problems:
            offer = next_free_slot(
                residence.id,
                max(slot.start, now),
                calendar,
                policy,
                first_day=reservation.lease_start,
                last_day=reservation.lease_end,
                exclude=reservation.id,
            )
            if offer is not None:
                problems.append(_("next free slot: {slot}").format(slot=offer.describe()))
            else:
                problems.append(_("no free slot before the lease ends"))
            raise Refused(*problems)
        fields = ("starts_at", "ends_at")
        if existing is not None:
            before = snapshot(existing, *fields)
            existing.starts_at, existing.ends_at = slot.start, slot.end
            existing.booked_at, existing.booked_by = now, desk.actor
            existing.save()
            appointment, action = existing, "appointment.move"
        else:
            before = None
            appointment = Appointment.create(
                reservation=reservation,
                residence=residence,
                starts_at=slot.start,
                ends_at=slot.end,
                booked_at=now,
                booked_by=desk.actor,
            )
            action = "appointment.book"
        audit.record(
            desk.actor.username,
            now,
            action,
            "appointment",
            appointment.id,
            reservation=reservation,
            before=before,
            after=snapshot(appointment, *fields),
        )
    return appointment


def cancel_appointment(desk: Desk, reservation_id: int) -> None:
    """Cancel the reservation's arrival appointment (the audit log keeps it)."""
    permissions.require(desk.actor, "appointment.book")
    now = desk.now()
    with db.atomic():
        reservation = desk.reservation(reservation_id)
        permissions.require(desk.actor, "appointment.book", reservation)
        appointment = current_appointment(reservation.id)
        if appointment is None:
            raise Refused(_("this reservation has no arrival appointment"))
        before = snapshot(appointment, "starts_at", "ends_at")
        appointment.delete_instance()
        audit.record(
            desk.actor.username,
            now,
            "appointment.cancel",
            "appointment",
            appointment.id,
            reservation=reservation,
            before=before,
        )
