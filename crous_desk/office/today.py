"""The desk's day at a glance: arrivals and their readiness, departures, proposals about to
expire, overstays and keys that should be back, for the desk's residence, read at the clock's
now in the residence's own zone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from peewee import JOIN, fn

from crous_desk import keys
from crous_desk import rooms as tenancy
from crous_desk.desk import permissions
from crous_desk.desk.context import Desk, read_in_one_go
from crous_desk.keys import KeyOut
from crous_desk.reservations.file import blockers_from, facts_of
from crous_desk.rooms import Overstay
from crous_desk.rules.hours import DeskStatus
from crous_desk.rules.proposal import ADVANCE_CENTS, effective_status, proposal_deadline, time_left
from crous_desk.rules.rental_file import DocumentFacts, file_problems
from crous_desk.rules.status import (
    ExtensionStatus,
    InspectionKind,
    KeyState,
    ReservationStatus,
)
from crous_desk.store.models import (
    Departure,
    Document,
    ExtensionRequest,
    Inspection,
    KeySet,
    Reservation,
    Residence,
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
    """Today's arrivals (and accepted ones whose lease started without keys), by room: what
    each still lacks read for all of them at once (a statement per kind of fact, not per row)."""
    now = now or desk.now()
    today = desk.today()
    query = (
        Reservation.select(Reservation, Student, Room, Residence)
        .join(Student)
        .switch(Reservation)
        .join(Room)
        .join(Residence)
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
    due = []
    for r in query.order_by(Reservation.lease_start, Room.number, Reservation.id):
        status = effective_status(r.status, r.proposal_sent_at, now)
        if status in _DUE:
            due.append((r, status))
    if not due:
        return []
    ids = [r.id for r, _status in due]
    inspected = {
        rid
        for (rid,) in tuples(
            Inspection.select(Inspection.reservation).where(
                Inspection.reservation.in_(ids),
                Inspection.kind == InspectionKind.CHECK_IN,
                Inspection.acknowledged_at.is_null(False),
            )
        )
    }
    at_desk = {
        room_id
        for (room_id,) in tuples(
            KeySet.select(KeySet.room)
            .where(
                KeySet.room.in_({r.room_id for r, _status in due}), KeySet.state == KeyState.DESK
            )
            .distinct()
        )
    }
    documents: dict[int, dict[str, DocumentFacts]] = {rid: {} for rid in ids}
    for d in Document.select().where(Document.reservation.in_(ids)):
        documents[d.reservation_id][d.kind] = facts_of(d)
    found = []
    for r, status in due:
        problems = file_problems(documents[r.id], r.lease_start, r.lease_end, today)
        checked_in = status == ReservationStatus.CHECKED_IN
        found.append(
            Arrival(
                reservation_id=r.id,
                reference=r.reference,
                name=r.student.full_name,
                room=r.room.number if r.room else "",
                status=status,
                lease_start=r.lease_start,
                late=r.lease_start < today and not checked_in,
                paid=(r.advance_cents or 0) >= ADVANCE_CENTS,
                file_complete=not problems,
                inspection_done=r.id in inspected,
                key_set_ready=r.room_id in at_desk or checked_in,
                blockers=()
                if checked_in
                else tuple(
                    blockers_from(
                        desk, r, now, documents[r.id], r.id in inspected, r.room_id in at_desk
                    )
                ),
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
        Reservation.select(Reservation, Student, Room)
        .join(Student)
        .switch(Reservation)
        .join(Room)
        .where(Reservation.id.in_(ids))
    )
    for condition in desk.rooms_where():
        query = query.where(condition)
    rows = list(query.order_by(Room.number, Reservation.id))
    ids = [r.id for r in rows]
    # what each row shows beside it, read for all of them at once
    leaving = {
        d.reservation_id: d for d in Departure.select().where(Departure.reservation.in_(ids))
    }
    check_outs: dict[tuple[int, int], Inspection] = {}  # the latest, by reservation and room
    for inspection in (
        Inspection.select()
        .where(Inspection.reservation.in_(ids), Inspection.kind == InspectionKind.CHECK_OUT)
        .order_by(Inspection.id)
    ):
        check_outs[(inspection.reservation_id, inspection.room_id)] = inspection
    keys_out = dict(
        tuples(
            KeySet.select(KeySet.holder, fn.COUNT(KeySet.id))
            .where(KeySet.holder.in_(ids), KeySet.state == KeyState.OUT)
            .group_by(KeySet.holder)
        )
    )
    found = []
    for r in rows:
        departure = leaving.get(r.id)
        if not _leaves_today(r, departure, today, start, end):
            continue  # e.g. an appointment today, but the tenant already left
        # a tenant who moved: the check-out of the room they leave now
        check_out = check_outs.get((r.id, r.room_id))
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
                keys_out=keys_out.get(r.id, 0),
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


@read_in_one_go
def home(desk: Desk) -> Home:
    """Everything the desk's home screen shows, read at one instant (the account and the desk
    hours once for all of it)."""
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
