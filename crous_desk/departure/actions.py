"""Departure: an appointment at the desk, the check-out inspection, damages, keys back.

The check-out inspection starts as a copy of the check-in one (same items, each at its check-in
state, so "same" by default); the receptionist marks each item same or gives its new state. When
the tenant acknowledges it, every item that got worse is charged from the price list. At the
departure itself (desk hours: the keys come back) the reservation closes as 'departed' and the
room goes to 'to_inspect'. An early departure records whether it is force majeure (refund
possible) or not (no refund), with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from crous_desk.base.errors import Problem
from crous_desk.base.i18n import _
from crous_desk.base.text import text_problem
from crous_desk.departure.view import held_sets
from crous_desk.desk.action import Act, action
from crous_desk.desk.context import Desk
from crous_desk.inspections.damages import charge_damages
from crous_desk.inspections.record import acknowledge, change_item, create
from crous_desk.inspections.views import compare, items, latest
from crous_desk.keys.actions import return_set
from crous_desk.money.ledger import balance_of
from crous_desk.rooms.status import change_room_status
from crous_desk.rules.condition import Damage, total_cents
from crous_desk.rules.departure import (
    DepartureFacts,
    appointment_problems,
    departure_blockers,
    early_departure_problems,
    is_early,
)
from crous_desk.rules.hours import desk_status
from crous_desk.rules.ledger import open_balance_problem
from crous_desk.rules.proposal import status_label
from crous_desk.rules.reference import room_kinds
from crous_desk.rules.status import InspectionKind, ReservationStatus, RoomStatus
from crous_desk.store.models import (
    Departure,
    Inspection,
    InspectionItem,
    InspectionKey,
    Reservation,
    RoomMove,
    snapshot,
)

_DEPARTURE_FIELDS = (
    "appointment_at",
    "departed_at",
    "early",
    "force_majeure",
    "reason",
    "damages_at",
    "open_balance_cents",
)


@action("departure.book", needs="departure.manage", target=Reservation)
def book_departure(act: Act, reservation: Reservation, at: datetime) -> Departure:
    """The departure appointment at the desk; refused outside desk hours, naming the next
    opening. Booking again moves it."""
    if at.tzinfo is None or at.utcoffset() is None:
        act.refuse(
            Problem("no_time_zone", _("the appointment needs a time zone (the residence's)"))
        )
    room = reservation.room
    calendar = act.desk.calendar(room.residence if room else act.desk.residence)
    act.check(
        appointment_problems(
            at,
            desk_status(at, calendar),
            act.now,
            reservation_status=reservation.status,
            lease_end=reservation.lease_end,
            today=act.now.astimezone(calendar.tz).date(),
        )
    )
    with act.change():
        departure, _created = Departure.get_or_create(reservation=reservation)
        before = snapshot(departure, "appointment_at", "booked_by")
        booked = (
            Departure.update(appointment_at=at, booked_by=act.actor, booked_at=act.now)
            .where(Departure.id == departure.id, Departure.departed_at.is_null())
            .execute()
        )
        act.confirm(booked, _("this departure"))
        departure = Departure.get_by_id(departure.id)
        act.audit(
            "departure",
            departure.id,
            reservation=reservation,
            before=before,
            after=snapshot(departure, "appointment_at", "booked_by"),
        )
    return departure


def next_opening(desk: Desk, at: datetime, reservation_id: int | None = None) -> datetime:
    """The first instant from ``at`` on when the desk is open (to offer another time)."""
    residence = desk.residence
    if reservation_id is not None:
        room = desk.reservation(reservation_id).room
        residence = room.residence if room else residence
    status = desk_status(at, desk.calendar(residence))
    if status.is_open:
        return status.at
    assert status.next_open is not None
    return status.next_open


@action("inspection.open", needs="inspection.record", target=Reservation)
def open_check_out(act: Act, reservation: Reservation) -> Inspection:
    """The check-out inspection, opened as a copy of the check-in one (each item "same")."""
    existing = latest(reservation, InspectionKind.CHECK_OUT, reservation.room_id)
    if existing is not None:
        return existing
    room = reservation.room
    if reservation.status != ReservationStatus.CHECKED_IN or room is None:
        act.refuse(
            Problem(
                "not_a_tenant",
                _(
                    "the check-out inspection is for a tenant who lives here (status: {status})"
                ).format(status=status_label(reservation.status)),
            )
        )
    check_in = latest(reservation, InspectionKind.CHECK_IN, reservation.room_id)
    if check_in is not None:
        lines = [(v.position, v.label, v.state) for v in items(check_in.id)]
    else:  # keys handed before the desk recorded inspections: every item to be stated
        lines = [(i, label, None) for i, label in enumerate(room_kinds()[room.kind].checklist)]
    keys = (
        {
            k.kind: k.count
            for k in InspectionKey.select().where(InspectionKey.inspection == check_in)
        }
        if check_in is not None
        else None
    )
    with act.change():
        inspection = create(act, reservation, InspectionKind.CHECK_OUT, lines, keys=keys or None)
        act.audit(
            "inspection",
            inspection.id,
            reservation=reservation,
            after={
                "kind": InspectionKind.CHECK_OUT,
                "room": room.number,
                "items": len(lines),
                "from_check_in": check_in.id if check_in else None,
            },
        )
    return inspection


@action("inspection.item", needs="inspection.record", target=InspectionItem)
def mark_same(act: Act, item: InspectionItem) -> InspectionItem:
    """Put a check-out item back to its check-in state."""
    inspection = item.inspection
    if inspection.kind != InspectionKind.CHECK_OUT:
        act.refuse(
            Problem("not_a_check_out", _("only a check-out item is compared with the check-in"))
        )
    check_in = latest(inspection.reservation_id, InspectionKind.CHECK_IN, inspection.room_id)
    start = {(v.position, v.label): v.state for v in items(check_in.id)} if check_in else {}
    state = start.get((item.position, item.label))
    if state is None:
        act.refuse(
            Problem(
                "no_check_in_state",
                _("the check-in inspection has no state for {label}").format(label=item.label),
            )
        )
    return change_item(act, item, state, None)


@action("inspection.item", needs="inspection.record", target=InspectionItem)
def mark_damaged(act: Act, item: InspectionItem, remark: str) -> InspectionItem:
    """At check-out an item is damaged only with a remark saying what: it is charged."""
    remark = act.text(remark, _("what is damaged"), required=True, about="remark")
    return change_item(act, item, "damaged", remark)


def closing_balance(reservation: Reservation, check_out: Inspection | None) -> int:
    """The stay's balance once the check-out's damages are charged (they may not be yet)."""
    pending = 0
    if check_out is not None:
        departure = Departure.get_or_none(Departure.reservation == reservation)
        if departure is None or departure.damages_at is None:
            pending = total_cents(compare(check_out))
    return balance_of(reservation) + pending


def charge_once(act: Act, check_out: Inspection) -> None:
    """Charge the check-out's damages, once per departure (inside ``act.change()``)."""
    departure, _created = Departure.get_or_create(reservation=check_out.reservation_id)
    if departure.damages_at is not None:
        return
    charge_damages(act, check_out)
    charged = (
        Departure.update(damages_at=act.now)
        .where(Departure.id == departure.id, Departure.damages_at.is_null())
        .execute()
    )
    act.confirm(charged, _("this departure"))


@action("inspection.acknowledge", needs="inspection.record", target=Inspection)
def acknowledge_check_out(act: Act, inspection: Inspection) -> list[Damage]:
    """The tenant acknowledges the check-out: it is locked, and every item that got worse is
    charged at the residence's price. Returns the damage list."""
    if inspection.kind != InspectionKind.CHECK_OUT:
        act.refuse(Problem("not_a_check_out", _("this is not a check-out inspection")))
    inspection = acknowledge(act, inspection)
    with act.change():
        if RoomMove.select().where(RoomMove.check_out == inspection.id).exists():
            charge_damages(act, inspection)  # a move: the stay goes on, its departure is later
        else:
            charge_once(act, inspection)
    return compare(inspection)


@dataclass(frozen=True)
class DepartureResult:
    departure: Departure
    keys_returned: list[str]
    damages: list[Damage]
    damage_cents: int
    room_status: RoomStatus
    balance_cents: int = 0


@action("departure.close", needs="departure.manage", target=Reservation)
def depart(
    act: Act,
    reservation: Reservation,
    *,
    force_majeure: bool | None = None,
    reason: str = "",
    accept_open_balance: bool = False,
) -> DepartureResult:
    """The tenant leaves: keys back at the desk, the reservation 'departed', the room 'to_inspect'
    (unless a co-tenant still lives there). Desk hours apply: the keys come back. A stay whose
    balance is not zero closes only when the desk confirms it (``accept_open_balance``), and
    the balance it closed with is recorded."""
    room = reservation.room
    calendar = act.desk.calendar(room.residence if room else act.desk.residence)
    check_out = latest(reservation, InspectionKind.CHECK_OUT, reservation.room_id)
    act.check(
        departure_blockers(
            DepartureFacts(
                desk=desk_status(act.now, calendar),
                status=reservation.status,
                check_out_acknowledged=check_out is not None and check_out.locked,
            )
        )
    )
    reason, reason_problem = text_problem(reason, _("the reason"))
    act.check(reason_problem)
    early = is_early(act.now.astimezone(calendar.tz).date(), reservation.lease_end)
    if reason_problem is None:
        act.check(early_departure_problems(early, reservation.lease_end, force_majeure, reason))
    act.check(open_balance_problem(closing_balance(reservation, check_out), accept_open_balance))
    with act.change():
        assert check_out is not None and room is not None
        closed = (
            Reservation.update(status=ReservationStatus.DEPARTED)
            .where(
                Reservation.id == reservation.id,
                Reservation.status == ReservationStatus.CHECKED_IN,
            )
            .execute()
        )
        act.confirm(closed, _("this reservation"))
        returned = []
        for key_set in held_sets(reservation):
            return_set(act, key_set, note=_("departure"))
            returned.append(key_set.label)
        charge_once(act, check_out)
        departure = Departure.get(Departure.reservation == reservation)
        before = snapshot(departure, *_DEPARTURE_FIELDS)
        balance = balance_of(reservation)
        left = (
            Departure.update(
                departed_at=act.now,
                closed_by=act.actor,
                early=early,
                force_majeure=force_majeure if early else None,
                reason=reason,
                open_balance_cents=balance or None,
            )
            .where(Departure.id == departure.id, Departure.departed_at.is_null())
            .execute()
        )
        act.confirm(left, _("this departure"))
        departure = Departure.get_by_id(departure.id)
        co_tenant = (
            Reservation.select()
            .where(
                Reservation.room == room,
                Reservation.status == ReservationStatus.CHECKED_IN,
                Reservation.id != reservation.id,
            )
            .exists()
        )
        room_status = RoomStatus(room.status)
        if not co_tenant and room_status != RoomStatus.OUT_OF_SERVICE:
            reason_for_room = _("departure of {ref}").format(ref=reservation.reference)
            change_room_status(act, room, RoomStatus.TO_INSPECT, reason_for_room)
            room_status = RoomStatus.TO_INSPECT
        found = compare(check_out)
        act.audit(
            "reservation",
            reservation.id,
            reservation=reservation,
            before={"status": ReservationStatus.CHECKED_IN, **before},
            after={
                "status": ReservationStatus.DEPARTED,
                **snapshot(departure, *_DEPARTURE_FIELDS),
                "keys_returned": returned,
                "damage_cents": total_cents(found),
                "room_status": room_status,
            },
        )
    return DepartureResult(departure, returned, found, total_cents(found), room_status, balance)
