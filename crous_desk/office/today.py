"""The desk's day at a glance: arrivals and their readiness, departures, proposals about to
expire, overstays and keys that should be back, for the desk's residence, read at the clock's
now in the residence's own zone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from peewee import JOIN

from crous_desk import keys
from crous_desk import rooms as tenancy
from crous_desk.desk import permissions
from crous_desk.desk.context import Desk
from crous_desk.keys import KeyOut
from crous_desk.reservations.file import document_facts, handover_blockers
from crous_desk.rooms import Overstay
from crous_desk.rules.hours import DeskStatus
from crous_desk.rules.proposal import ADVANCE_CENTS, effective_status, proposal_deadline, time_left
from crous_desk.rules.rental_file import file_problems
from crous_desk.rules.status import (
    ExtensionStatus,
    InspectionKind,
    KeyState,
    ReservationStatus,
)
from crous_desk.store.models import (
    Departure,
    ExtensionRequest,
    Inspection,
    KeySet,
    Reservation,
    Room,
    Student,
    tuples,
)

EXPIRY_HORIZON = timedelta(hours=24)
# the reservations that may arrive today (an expired proposal aside)
_DUE = (ReservationStatus.PROPOSED, ReservationStatus.ACCEPTED, ReservationStatus.CHECKED_IN)


@dataclass(frozen=True)
class Arrival:
    """A student due today (or late), and what still stands between them and their keys."""

    reservation_id: int
    reference: str
    name: str
    room: str
    status: str  # effective: proposed | accepted | checked_in
    lease_start: date
    late: bool  # the lease started before today and the keys are not handed over
    paid: bool
    file_complete: bool
    inspection_done: bool
    key_set_ready: bool
    blockers: tuple[str, ...]  # every reason the keys cannot be handed over now

    @property
    def checked_in(self) -> bool:
        return self.status == ReservationStatus.CHECKED_IN

    @property
    def ready(self) -> bool:
        return not self.checked_in and not self.blockers


@dataclass(frozen=True)
class DepartureDue:
    reservation_id: int
    reference: str
    name: str
    room: str
    lease_end: date
    appointment_at: datetime | None
    departed: bool
    check_out: str  # none | open | acknowledged
    keys_out: int


@dataclass(frozen=True)
class ExpiringProposal:
    reservation_id: int
    reference: str
    name: str
    room: str
    deadline: datetime
    time_left: timedelta


@dataclass
class Home:
    day: date
    now: datetime
    desk: DeskStatus
    arrivals: list[Arrival] = field(default_factory=list)
    departures: list[DepartureDue] = field(default_factory=list)
    expiring: list[ExpiringProposal] = field(default_factory=list)
    overstays: list[Overstay] = field(default_factory=list)
    keys_to_return: list[KeyOut] = field(default_factory=list)
    pending_extensions: int = 0


def arrivals(desk: Desk, now: datetime | None = None) -> list[Arrival]:
    """Today's arrivals (and accepted ones whose lease started without keys), by room."""
    now = now or desk.now()
    today = desk.today()
    query = (
        Reservation.select(Reservation, Student, Room)
        .join(Student)
        .switch(Reservation)
        .join(Room)
        .where(
            ((Reservation.lease_start == today) & Reservation.status.in_(_DUE))
            | (
                (Reservation.status == ReservationStatus.ACCEPTED)
                & (Reservation.lease_start < today)
                & (Reservation.lease_end >= today)
            )
        )
    )
    for condition in desk.rooms_where():
        query = query.where(condition)
    found = []
    for r in query.order_by(Reservation.lease_start, Room.number, Reservation.id):
        status = effective_status(r.status, r.proposal_sent_at, now)
        if status not in _DUE:
            continue
        inspected = (
            Inspection.select()
            .where(
                Inspection.reservation == r,
                Inspection.kind == InspectionKind.CHECK_IN,
                Inspection.acknowledged_at.is_null(False),
            )
            .exists()
        )
        at_desk = (
            KeySet.select().where(KeySet.room == r.room, KeySet.state == KeyState.DESK).exists()
        )
        problems = file_problems(document_facts(r), r.lease_start, r.lease_end, today)
        found.append(
            Arrival(
                reservation_id=r.id,
                reference=r.reference,
                name=r.student.full_name,
                room=r.room.number if r.room else "",
                status=status,
                lease_start=r.lease_start,
                late=r.lease_start < today and status != ReservationStatus.CHECKED_IN,
                paid=(r.advance_cents or 0) >= ADVANCE_CENTS,
                file_complete=not problems,
                inspection_done=inspected,
                key_set_ready=at_desk or status == ReservationStatus.CHECKED_IN,
                blockers=()
                if status == ReservationStatus.CHECKED_IN
                else tuple(handover_blockers(desk, r, now)),
            )
        )
    return found


def departures(desk: Desk) -> list[DepartureDue]:
    """Tenants whose lease ends today or who have a departure appointment today, and those
    who already left today."""
    today = desk.today()
    start, end = desk.day_bounds(today, today)
    assert start is not None and end is not None  # the bounds of a given day
    # the few reservations the day concerns, each kind found by its own index (an OR over
    # every stay ever would read them all): leases ending today, today's departure
    # appointments of tenants still in, and the tenants who left today
    concerned = (
        Reservation.select(Reservation.id).where(
            Reservation.status == ReservationStatus.CHECKED_IN, Reservation.lease_end == today
        )
        | Departure.select(Departure.reservation).where(
            Departure.appointment_at >= start, Departure.appointment_at < end
        )
        | Departure.select(Departure.reservation).where(
            Departure.departed_at >= start, Departure.departed_at < end
        )
    )
    ids = [rid for (rid,) in tuples(concerned)]
    if not ids:
        return []
    query = (
        Reservation.select(Reservation, Student, Room, Departure)
        .join(Student)
        .switch(Reservation)
        .join(Room)
        .switch(Reservation)
        .join(Departure, JOIN.LEFT_OUTER)
        .where(Reservation.id.in_(ids))
    )
    for condition in desk.rooms_where():
        query = query.where(condition)
    found = []
    for r in query.order_by(Room.number, Reservation.id):
        departure = Departure.get_or_none(Departure.reservation == r)
        if not _leaves_today(r, departure, today, start, end):
            continue  # e.g. an appointment today, but the tenant already left
        check_out = (
            Inspection.select()
            .where(
                Inspection.reservation == r,
                Inspection.kind == InspectionKind.CHECK_OUT,
                Inspection.room == r.room_id,  # a tenant who moved: the room they leave now
            )
            .order_by(Inspection.id.desc())
            .first()
        )
        found.append(
            DepartureDue(
                reservation_id=r.id,
                reference=r.reference,
                name=r.student.full_name,
                room=r.room.number if r.room else "",
                lease_end=r.lease_end,
                appointment_at=departure.appointment_at if departure else None,
                departed=r.status == ReservationStatus.DEPARTED,
                check_out="none"
                if check_out is None
                else ("acknowledged" if check_out.locked else "open"),
                keys_out=KeySet.select()
                .where(KeySet.holder == r, KeySet.state == KeyState.OUT)
                .count(),
            )
        )
    found.sort(
        key=lambda d: (
            d.departed,
            d.appointment_at is None,
            d.appointment_at.timestamp() if d.appointment_at else 0.0,
            d.room,
        )
    )
    return found


def _leaves_today(
    r: Reservation, departure: Departure | None, today: date, start: datetime, end: datetime
) -> bool:
    """A tenant still in whose lease ends today or who has a departure appointment today, or
    one who left today."""
    if r.status == ReservationStatus.CHECKED_IN:
        at = departure.appointment_at if departure is not None else None
        return r.lease_end == today or (at is not None and start <= at < end)
    left = departure.departed_at if departure is not None else None
    return r.status == ReservationStatus.DEPARTED and left is not None and start <= left < end


def expiring_proposals(desk: Desk, horizon: timedelta = EXPIRY_HORIZON) -> list[ExpiringProposal]:
    """Open proposals whose 120-hour window closes within ``horizon``, soonest first."""
    now = desk.now()
    earliest_sent = now - timedelta(hours=120)
    query = (
        Reservation.select(Reservation, Student, Room)
        .join(Student)
        .switch(Reservation)
        .join(Room, JOIN.LEFT_OUTER)
        .where(
            Reservation.status == ReservationStatus.PROPOSED,
            Reservation.proposal_sent_at > earliest_sent,
            Reservation.proposal_sent_at <= earliest_sent + horizon,
        )
    )
    for condition in desk.rooms_where():
        query = query.where(condition)
    found = []
    for r in query.order_by(Reservation.proposal_sent_at, Reservation.id):
        if effective_status(r.status, r.proposal_sent_at, now) != ReservationStatus.PROPOSED:
            continue
        found.append(
            ExpiringProposal(
                reservation_id=r.id,
                reference=r.reference,
                name=r.student.full_name,
                room=r.room.number if r.room else "",
                deadline=proposal_deadline(r.proposal_sent_at),
                time_left=time_left(r.proposal_sent_at, now),
            )
        )
    return found


def home(desk: Desk) -> Home:
    """Everything the desk's home screen shows, read at one instant."""
    permissions.require(desk.actor, "room.view", desk.residence)
    now = desk.now()
    pending = (
        ExtensionRequest.select()
        .join(Reservation)
        .join(Room)
        .where(ExtensionRequest.status == ExtensionStatus.PENDING)
    )
    for condition in desk.rooms_where():
        pending = pending.where(condition)
    return Home(
        day=desk.today(),
        now=now,
        desk=desk.desk_status(),
        arrivals=arrivals(desk, now),
        departures=departures(desk),
        expiring=expiring_proposals(desk),
        overstays=tenancy.overstays(desk),
        keys_to_return=keys.keys_to_return(desk, now),
        pending_extensions=pending.count(),
    )
