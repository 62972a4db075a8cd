"""Departure: an appointment at the desk, the check-out inspection, damages, keys back.

The check-out inspection starts as a copy of the check-in one (same items, each at its check-in
state, so "same" by default); the receptionist marks each item same or gives its new state. When
the tenant acknowledges it, every item that got worse is charged from the price list. At the
departure itself (desk hours: the keys come back) the reservation closes as 'departed' and the
room goes to 'to_inspect'. An early departure records whether it is force majeure (refund
possible) or not (no refund), with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from crous_desk.base.errors import Refused
from crous_desk.base.i18n import _
from crous_desk.desk import permissions
from crous_desk.desk.context import Desk
from crous_desk.desk.stay import record, refuse_if, scope_problem, text_problem
from crous_desk.inspections import record as inspection_record
from crous_desk.inspections import views as inspections
from crous_desk.inspections.views import ItemView
from crous_desk.rules.condition import Damage, total_cents
from crous_desk.rules.hours import DeskStatus, describe_status, desk_status, weekday_name
from crous_desk.rules.proposal import status_label
from crous_desk.rules.reference import room_kinds
from crous_desk.rules.rental_file import fmt
from crous_desk.store.models import (
    Departure,
    Inspection,
    InspectionItem,
    KeySet,
    Reservation,
    db,
    snapshot,
)

_DEPARTURE_FIELDS = (
    "appointment_at",
    "departed_at",
    "early",
    "force_majeure",
    "reason",
    "damages_at",
)


# -- the rules ----------------------------------------------------------------------------------


def is_early(day: date, lease_end: date) -> bool:
    """Leaving before the lease end: no refund, unless force majeure."""
    return day < lease_end


def show_opening(at: datetime) -> str:
    return f"{weekday_name(at.date())} {at:%d/%m/%Y %H:%M}"


def appointment_problems(
    at: datetime,
    status_then: DeskStatus,
    now: datetime,
    *,
    reservation_status: str,
    lease_end: date,
    today: date,
) -> list[str]:
    """Why a departure appointment cannot be booked at ``at`` (empty when it can)."""
    problems = []
    if reservation_status != "checked_in":
        problems.append(
            _("only a tenant who lives here books a departure (status: {status})").format(
                status=status_label(reservation_status)
            )
        )
    if at < now:
        problems.append(_("this time has already passed"))
    if not status_then.is_open:
        assert status_then.next_open is not None
        problems.append(
            _("the desk is closed then ({why}): the next opening is {when}").format(
                why=status_then.reason, when=show_opening(status_then.next_open)
            )
        )
    if status_then.at.date() > lease_end and today <= lease_end:
        problems.append(
            _("the lease ends on {day}: a later departure needs a granted extension").format(
                day=fmt(lease_end)
            )
        )
    return problems


@dataclass(frozen=True)
class DepartureFacts:
    desk: DeskStatus
    status: str  # the reservation's status
    check_out_acknowledged: bool


def departure_blockers(facts: DepartureFacts) -> list[str]:
    """What stops the departure now, whatever is answered about an early departure."""
    problems = []
    if not facts.desk.is_open:
        problems.append(
            _(
                "the desk is closed: keys are taken back only at the desk, Monday to Friday "
                "before 17:00 ({status})"
            ).format(status=describe_status(facts.desk))
        )
    if facts.status == "departed":
        problems.append(_("this tenant has already departed"))
    elif facts.status != "checked_in":
        problems.append(
            _("only a tenant who lives here departs (status: {status})").format(
                status=status_label(facts.status)
            )
        )
    if not facts.check_out_acknowledged:
        problems.append(_("the check-out inspection is not acknowledged by the tenant yet"))
    return problems


def early_departure_problems(
    early: bool, lease_end: date, force_majeure: bool | None, reason: str
) -> list[str]:
    """An early departure says whether it is force majeure, and why; an on-time one does not."""
    if not early:
        if force_majeure is not None:
            return [_("the stay ends at its lease end: force majeure applies to early departures")]
        return []
    problems = []
    if force_majeure is None:
        problems.append(
            _(
                "the lease ends on {day}: say whether this early departure is force majeure "
                "(refund possible) or not (no refund)"
            ).format(day=fmt(lease_end))
        )
    if not reason:
        problems.append(_("give the reason for the early departure"))
    return problems


# -- what the departure screen shows ------------------------------------------------------------


@dataclass(frozen=True)
class CheckOutItem:
    item_id: int
    position: int
    label: str
    check_in_state: str | None
    check_in_remark: str
    state: str | None
    remark: str
    same: bool  # still at its check-in state
    amount_cents: int | None  # the charge when it got worse


@dataclass
class DepartureView:
    reservation: Reservation
    room: str
    lease_end: date
    today: date
    early: bool
    appointment_at: datetime | None
    departed_at: datetime | None
    check_out: Inspection | None
    items: list[CheckOutItem]
    damages: list[Damage]
    damage_cents: int
    keys_held: list[str]
    blockers: list[str] = field(default_factory=list)


def _reservation(desk: Desk, reservation_id: int) -> Reservation:
    reservation = desk.reservation(reservation_id)
    refuse_if([scope_problem(desk, reservation.room)])
    return reservation


def _held(reservation: Reservation) -> list[KeySet]:
    return list(
        KeySet.select()
        .where(KeySet.holder == reservation, KeySet.state == "out")
        .order_by(KeySet.label)
    )


def _check_out_items(check_out: Inspection, damages: list[Damage]) -> list[CheckOutItem]:
    check_in = inspections.latest(check_out.reservation_id, "check_in")
    start: dict[int, ItemView] = (
        {v.position: v for v in inspections.items(check_in.id)} if check_in else {}
    )
    owed = {d.position: d.amount_cents for d in damages}
    rows = []
    for v in inspections.items(check_out.id):
        before = start.get(v.position)
        before_state = before.state if before and before.label == v.label else None
        rows.append(
            CheckOutItem(
                item_id=v.item_id,
                position=v.position,
                label=v.label,
                check_in_state=before_state,
                check_in_remark=before.remark if before else "",
                state=v.state,
                remark=v.remark,
                same=v.state is not None and v.state == before_state,
                amount_cents=owed.get(v.position),
            )
        )
    return rows


def departure_view(desk: Desk, reservation_id: int) -> DepartureView:
    reservation = _reservation(desk, reservation_id)
    room = reservation.room
    residence = room.residence if room else desk.residence
    today = desk.today(residence)
    departure = Departure.get_or_none(Departure.reservation == reservation)
    check_out = inspections.latest(reservation.id, "check_out")
    found = inspections.compare(check_out) if check_out else []
    blockers = departure_blockers(
        DepartureFacts(
            desk=desk.desk_status(residence),
            status=reservation.status,
            check_out_acknowledged=check_out is not None and check_out.locked,
        )
    )
    return DepartureView(
        reservation=reservation,
        room=room.number if room else "",
        lease_end=reservation.lease_end,
        today=today,
        early=is_early(today, reservation.lease_end),
        appointment_at=departure.appointment_at if departure else None,
        departed_at=departure.departed_at if departure else None,
        check_out=check_out,
        items=_check_out_items(check_out, found) if check_out else [],
        damages=found,
        damage_cents=total_cents(found),
        keys_held=[k.label for k in _held(reservation)],
        blockers=blockers,
    )


# -- actions ------------------------------------------------------------------------------------


def book_departure(desk: Desk, reservation_id: int, at: datetime) -> Departure:
    """The departure appointment at the desk; refused outside desk hours, naming the next
    opening. Booking again moves it."""
    permissions.require(desk.actor, "departure.manage")
    now = desk.now()
    if at.tzinfo is None or at.utcoffset() is None:
        raise Refused(_("the appointment needs a time zone (the residence's)"))
    with db.atomic():
        reservation = _reservation(desk, reservation_id)
        room = reservation.room
        residence = room.residence if room else desk.residence
        calendar = desk.calendar(residence)
        problems = appointment_problems(
            at,
            desk_status(at, calendar),
            now,
            reservation_status=reservation.status,
            lease_end=reservation.lease_end,
            today=desk.today(residence),
        )
        refuse_if(problems)
        departure, _created = Departure.get_or_create(reservation=reservation)
        before = snapshot(departure, "appointment_at", "booked_by")
        Departure.update(appointment_at=at, booked_by=desk.actor, booked_at=now).where(
            Departure.id == departure.id, Departure.departed_at.is_null()
        ).execute()
        departure = Departure.get_by_id(departure.id)
        record(
            desk,
            now,
            "departure.book",
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


def open_check_out(desk: Desk, reservation_id: int) -> Inspection:
    """The check-out inspection, opened as a copy of the check-in one (each item "same")."""
    permissions.require(desk.actor, "inspection.record")
    now = desk.now()
    with db.atomic():
        reservation = _reservation(desk, reservation_id)
        existing = inspections.latest(reservation.id, "check_out")
        if existing is not None:
            return existing
        if reservation.status != "checked_in":
            raise Refused(
                _(
                    "the check-out inspection is for a tenant who lives here (status: {status})"
                ).format(status=status_label(reservation.status))
            )
        room = reservation.room
        assert room is not None  # a checked-in reservation has a room
        check_in = inspections.latest(reservation.id, "check_in")
        if check_in is not None:
            lines = [(v.position, v.label, v.state) for v in inspections.items(check_in.id)]
        else:  # keys handed before the desk recorded inspections: every item to be stated
            lines = [(i, label, None) for i, label in enumerate(room_kinds()[room.kind].checklist)]
        inspection = Inspection.create(
            reservation=reservation,
            room=room,
            kind="check_out",
            started_at=now,
            started_by=desk.actor,
        )
        InspectionItem.insert_many(
            [
                {"inspection": inspection.id, "position": p, "label": label, "state": state}
                for p, label, state in lines
            ]
        ).execute()
        record(
            desk,
            now,
            "inspection.open",
            "inspection",
            inspection.id,
            reservation=reservation,
            after={
                "kind": "check_out",
                "room": room.number,
                "items": len(lines),
                "from_check_in": check_in.id if check_in else None,
            },
        )
    return inspection


def mark_same(desk: Desk, item_id: int) -> InspectionItem:
    """Put a check-out item back to its check-in state."""
    permissions.require(desk.actor, "inspection.record")
    item = InspectionItem.get_or_none(InspectionItem.id == item_id)
    if item is None:
        raise Refused(_("no such inspection item"))
    inspection = item.inspection
    if inspection.kind != "check_out":
        raise Refused(_("only a check-out item is compared with the check-in"))
    check_in = inspections.latest(inspection.reservation_id, "check_in")
    start = (
        {(v.position, v.label): v.state for v in inspections.items(check_in.id)} if check_in else {}
    )
    state = start.get((item.position, item.label))
    if state is None:
        raise Refused(
            _("the check-in inspection has no state for {label}").format(label=item.label)
        )
    return inspection_record.set_item(desk, item.id, state=state)


def acknowledge_check_out(desk: Desk, inspection_id: int) -> list[Damage]:
    """The tenant acknowledges the check-out: it is locked, and every item that got worse is
    charged at the residence's price. Returns the damage list."""
    permissions.require(desk.actor, "inspection.record")
    now = desk.now()
    with db.atomic():
        inspection = Inspection.get_or_none(Inspection.id == inspection_id)
        if inspection is None:
            raise Refused(_("no such inspection"))
        refuse_if([scope_problem(desk, inspection.room)])
        if inspection.kind != "check_out":
            raise Refused(_("this is not a check-out inspection"))
        inspection = inspection_record.acknowledge_inspection(desk, inspection.id)
        _charge_once(desk, inspection, now)
        found = inspections.compare(inspection)
    return found


def _charge_once(desk: Desk, check_out: Inspection, now: datetime) -> None:
    departure, _created = Departure.get_or_create(reservation=check_out.reservation_id)
    if departure.damages_at is not None:
        return
    inspections.charge_damages(desk, check_out, now)
    Departure.update(damages_at=now).where(
        Departure.id == departure.id, Departure.damages_at.is_null()
    ).execute()


@dataclass(frozen=True)
class DepartureResult:
    departure: Departure
    keys_returned: list[str]
    damages: list[Damage]
    damage_cents: int
    room_status: str


def depart(
    desk: Desk, reservation_id: int, *, force_majeure: bool | None = None, reason: str = ""
) -> DepartureResult:
    """The tenant leaves: keys back at the desk, the reservation 'departed', the room 'to_inspect'
    (unless a co-tenant still lives there). Desk hours apply: the keys come back."""
    from crous_desk.desk.action import Act
    from crous_desk.keys import actions as keys
    from crous_desk.rooms.status import change_room_status
    from crous_desk.rules.status import RoomStatus

    permissions.require(desk.actor, "departure.manage")
    now = desk.now()
    with db.atomic():
        reservation = _reservation(desk, reservation_id)
        room = reservation.room
        residence = room.residence if room else desk.residence
        today = desk.today(residence)
        check_out = inspections.latest(reservation.id, "check_out")
        reason, reason_problem = text_problem(reason, _("the reason"), required=False)
        early = is_early(today, reservation.lease_end)
        problems: list[str | None] = [
            *departure_blockers(
                DepartureFacts(
                    desk=desk.desk_status(residence),
                    status=reservation.status,
                    check_out_acknowledged=check_out is not None and check_out.locked,
                )
            ),
            reason_problem,
        ]
        if reason_problem is None:
            problems.extend(
                early_departure_problems(early, reservation.lease_end, force_majeure, reason)
            )
        refuse_if(problems)
        assert check_out is not None and room is not None
        closed = (
            Reservation.update(status="departed")
            .where(Reservation.id == reservation.id, Reservation.status == "checked_in")
            .execute()
        )
        if closed != 1:
            raise Refused(_("another desk changed this reservation just now; look again"))
        returned = []
        for key_set in _held(reservation):
            keys.return_set(desk, key_set, now, note=_("departure"), action="keys.return")
            returned.append(key_set.label)
        _charge_once(desk, check_out, now)
        departure = Departure.get(Departure.reservation == reservation)
        before = snapshot(departure, *_DEPARTURE_FIELDS)
        Departure.update(
            departed_at=now,
            closed_by=desk.actor,
            early=early,
            force_majeure=force_majeure if early else None,
            reason=reason,
        ).where(Departure.id == departure.id, Departure.departed_at.is_null()).execute()
        departure = Departure.get_by_id(departure.id)
        co_tenant = (
            Reservation.select()
            .where(
                Reservation.room == room,
                Reservation.status == "checked_in",
                Reservation.id != reservation.id,
            )
            .exists()
        )
        room_status = room.status
        if not co_tenant and room.status != "out_of_service":
            act = Act(desk, "departure.close", "departure.manage")  # until depart is an action
            act.now = now
            change_room_status(
                act,
                room,
                RoomStatus.TO_INSPECT,
                _("departure of {ref}").format(ref=reservation.reference),
            )
            room_status = "to_inspect"
        found = inspections.compare(check_out)
        record(
            desk,
            now,
            "departure.close",
            "reservation",
            reservation.id,
            reservation=reservation,
            before={"status": "checked_in", **before},
            after={
                "status": "departed",
                **snapshot(departure, *_DEPARTURE_FIELDS),
                "keys_returned": returned,
                "damage_cents": total_cents(found),
                "room_status": room_status,
            },
        )
    return DepartureResult(departure, returned, found, total_cents(found), room_status)
