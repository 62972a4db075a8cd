"""Tenancy: the room's status through the stay, overstays, and extension requests.

A room goes available → reserved (acceptance) → occupied (key handover) → to_inspect
(departure) → available again when a staff member says it is ready (or reserved, when the next
student's acceptance already holds it); out_of_service is set and lifted with a reason.

No one stays past the lease end: an overstay is a tenant still checked in after it. An extension
of the study stay is a request a staff member grants or refuses; a granted one moves the lease
end, and the insurance must then cover the new end (the rental file says so again).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from peewee import JOIN, fn

from crous_desk.base.errors import Refused
from crous_desk.base.i18n import _
from crous_desk.desk import permissions
from crous_desk.desk.context import Desk
from crous_desk.desk.stay import record, refuse_if, scope_problem, text_problem, tuples
from crous_desk.reservations.file import document_facts
from crous_desk.rules.proposal import status_label
from crous_desk.rules.reference import room_kinds
from crous_desk.rules.rental_file import file_problems, fmt
from crous_desk.store.models import (
    ExtensionRequest,
    KeySet,
    Reservation,
    Room,
    RoomStatusChange,
    Staff,
    Student,
    db,
    snapshot,
)

# The moves a staff member's action may make; acceptance and handover make theirs in Desk.
# reserved → to_inspect: a tenant departs from a flat the next student's acceptance holds.
ROOM_TRANSITIONS: dict[str, frozenset[str]] = {
    "available": frozenset({"reserved", "out_of_service"}),
    "reserved": frozenset({"occupied", "available", "to_inspect"}),
    "occupied": frozenset({"to_inspect"}),
    "to_inspect": frozenset({"available", "reserved", "out_of_service"}),
    "out_of_service": frozenset({"available", "reserved"}),
}


def room_status_label(status: str) -> str:
    labels = {
        "available": _("available"),
        "reserved": _("reserved"),
        "occupied": _("occupied"),
        "to_inspect": _("to inspect"),
        "out_of_service": _("out of service"),
    }
    return labels.get(status, status)


def extension_status_label(status: str) -> str:
    labels = {"pending": _("pending"), "granted": _("granted"), "refused": _("refused")}
    return labels.get(status, status)


def transition_problem(number: str, before: str, after: str) -> str | None:
    """Why room ``number`` cannot go from ``before`` to ``after`` (None when it can)."""
    if after in ROOM_TRANSITIONS.get(before, frozenset()):
        return None
    return _("room {room} is {before}: it cannot become {after}").format(
        room=number, before=room_status_label(before), after=room_status_label(after)
    )


def change_room_status(desk: Desk, room: Room, after: str, reason: str, now: datetime) -> Room:
    """Move the room from the status it was read with (inside the caller's transaction)."""
    before = room.status
    problem = transition_problem(room.number, before, after)
    if problem:
        raise Refused(problem)
    moved = Room.update(status=after).where(Room.id == room.id, Room.status == before).execute()
    if moved != 1:
        raise Refused(
            _("another desk changed room {room} just now; look again").format(room=room.number)
        )
    RoomStatusChange.create(
        room=room, before=before, after=after, reason=reason, staff=desk.actor, at=now
    )
    record(
        desk,
        now,
        "room.status",
        "room",
        room.id,
        before={"status": before},
        after={"status": after, "reason": reason},
    )
    room.status = after
    return room


def _room(desk: Desk, room_id: int) -> Room:
    room = Room.get_or_none(Room.id == room_id)
    if room is None:
        raise Refused(_("no room #{id}").format(id=room_id))
    refuse_if([scope_problem(desk, room)])
    return room


def _holds_room(room: Room) -> bool:
    """An accepted reservation already holds this room for the next student."""
    return (
        Reservation.select()
        .where(Reservation.room == room, Reservation.status == "accepted")
        .exists()
    )


def room_ready(desk: Desk, room_id: int, *, note: str = "") -> Room:
    """The room is inspected and cleaned after a departure: available (or reserved)."""
    permissions.require(desk.actor, "room.status")
    now = desk.now()
    with db.atomic():
        room = _room(desk, room_id)
        note, note_problem = text_problem(note, _("a note"), required=False)
        after = "reserved" if _holds_room(room) else "available"
        problems = [note_problem]
        if room.status != "to_inspect":
            problems.append(
                _("room {room} is {status}: only a room to inspect is made ready").format(
                    room=room.number, status=room_status_label(room.status)
                )
            )
        refuse_if(problems)
        return change_room_status(desk, room, after, note or _("made ready"), now)


def set_out_of_service(desk: Desk, room_id: int, reason: str) -> Room:
    """Take a free room out of service (a leak, works), with the reason."""
    permissions.require(desk.actor, "room.status")
    now = desk.now()
    with db.atomic():
        room = _room(desk, room_id)
        reason, reason_problem = text_problem(reason, _("the reason"), required=True)
        refuse_if([reason_problem, transition_problem(room.number, room.status, "out_of_service")])
        return change_room_status(desk, room, "out_of_service", reason, now)


def back_in_service(desk: Desk, room_id: int, *, note: str = "") -> Room:
    permissions.require(desk.actor, "room.status")
    now = desk.now()
    with db.atomic():
        room = _room(desk, room_id)
        note, note_problem = text_problem(note, _("a note"), required=False)
        problems = [note_problem]
        if room.status != "out_of_service":
            problems.append(
                _("room {room} is {status}, not out of service").format(
                    room=room.number, status=room_status_label(room.status)
                )
            )
        refuse_if(problems)
        after = "reserved" if _holds_room(room) else "available"
        return change_room_status(desk, room, after, note or _("back in service"), now)


@dataclass(frozen=True)
class RoomRow:
    room_id: int
    number: str
    building: str
    floor: int
    kind: str
    kind_label: str
    surface_m2: float
    status: str
    status_reason: str  # the reason of the latest status change (why out of service)
    tenants: tuple[str, ...]
    keys_at_desk: int
    keys_out: int


def rooms(
    desk: Desk,
    *,
    status: str | None = None,
    kind: str | None = None,
    building: str | None = None,
) -> list[RoomRow]:
    """The rooms of the desk's residence, filtered by status, kind and building."""
    permissions.require(desk.actor, "room.view", desk.residence)
    query = Room.select()
    if desk.residence is not None:
        query = query.where(Room.residence == desk.residence)
    if status:
        query = query.where(Room.status == status)
    if kind:
        query = query.where(Room.kind == kind)
    if building:
        query = query.where(Room.building == building)
    found = list(query.order_by(Room.building, Room.number))
    ids = [r.id for r in found]
    if not ids:
        return []
    tenants: dict[int, list[str]] = {}
    for r in (
        Reservation.select(Reservation, Student)
        .join(Student)
        .where(Reservation.room.in_(ids), Reservation.status == "checked_in")
        .order_by(Reservation.id)
    ):
        tenants.setdefault(r.room_id, []).append(r.student.full_name)
    keys: dict[tuple[int, str], int] = {
        (room_id, state): count
        for room_id, state, count in tuples(
            KeySet.select(KeySet.room, KeySet.state, fn.COUNT(KeySet.id))
            .where(KeySet.room.in_(ids))
            .group_by(KeySet.room, KeySet.state)
        )
    }
    latest = (
        RoomStatusChange.select(fn.MAX(RoomStatusChange.id))
        .where(RoomStatusChange.room.in_(ids))
        .group_by(RoomStatusChange.room)
    )
    reasons = {
        c.room_id: c.reason
        for c in RoomStatusChange.select().where(RoomStatusChange.id.in_(latest))
    }
    kinds = room_kinds()
    return [
        RoomRow(
            room_id=r.id,
            number=r.number,
            building=r.building,
            floor=r.floor,
            kind=r.kind,
            kind_label=kinds[r.kind].label if r.kind in kinds else r.kind,
            surface_m2=r.surface_m2,
            status=r.status,
            status_reason=reasons.get(r.id, "") if r.status == "out_of_service" else "",
            tenants=tuple(tenants.get(r.id, [])),
            keys_at_desk=keys.get((r.id, "desk"), 0),
            keys_out=keys.get((r.id, "out"), 0),
        )
        for r in found
    ]


# -- overstays ----------------------------------------------------------------------------------


def overstaying(status: str, lease_end: date, today: date) -> bool:
    """Still living here after the lease end."""
    return status == "checked_in" and today > lease_end


@dataclass(frozen=True)
class Overstay:
    reservation_id: int
    reference: str
    name: str
    room: str
    lease_end: date
    days_over: int
    keys_out: int
    pending_extension: date | None  # the end a pending extension request asks for


def overstays(desk: Desk) -> list[Overstay]:
    """Tenants still checked in after their lease end, longest overstay first."""
    permissions.require(desk.actor, "room.view", desk.residence)
    today = desk.today()
    query = (
        Reservation.select(Reservation, Student, Room)
        .join(Student)
        .switch(Reservation)
        .join(Room)
        .where(Reservation.status == "checked_in", Reservation.lease_end < today)
    )
    if desk.residence is not None:
        query = query.where(Room.residence == desk.residence)
    found = list(query.order_by(Reservation.lease_end, Room.number))
    ids = [r.id for r in found]
    pending = {
        e.reservation_id: e.requested_end
        for e in ExtensionRequest.select().where(
            ExtensionRequest.reservation.in_(ids), ExtensionRequest.status == "pending"
        )
    }
    held = dict(
        tuples(
            KeySet.select(KeySet.holder, fn.COUNT(KeySet.id))
            .where(KeySet.holder.in_(ids), KeySet.state == "out")
            .group_by(KeySet.holder)
        )
    )
    return [
        Overstay(
            reservation_id=r.id,
            reference=r.reference,
            name=r.student.full_name,
            room=r.room.number if r.room else "",
            lease_end=r.lease_end,
            days_over=(today - r.lease_end).days,
            keys_out=int(held.get(r.id, 0)),
            pending_extension=pending.get(r.id),
        )
        for r in found
        if overstaying(r.status, r.lease_end, today)
    ]


# -- extensions ---------------------------------------------------------------------------------


EXTENDABLE = ("accepted", "checked_in")


MAX_EXTENSION = timedelta(days=366)  # an extension of the study stay, not a new tenancy


def extension_problems(status: str, lease_end: date, new_end: date) -> list[str]:
    problems = []
    if status not in EXTENDABLE:
        problems.append(
            _(
                "only an accepted reservation or a tenant can ask for more time (status: {s})"
            ).format(s=status_label(status))
        )
    if new_end <= lease_end:
        problems.append(
            _("the new end must be after the current lease end, {day}").format(day=fmt(lease_end))
        )
    elif new_end > lease_end + MAX_EXTENSION:
        problems.append(
            _("an extension moves the lease end by a year at most (until {day})").format(
                day=fmt(lease_end + MAX_EXTENSION)
            )
        )
    return problems


def request_extension(
    desk: Desk, reservation_id: int, new_end: date, reason: str
) -> ExtensionRequest:
    """Record a request to move the lease end to ``new_end`` (desk hours do not apply)."""
    permissions.require(desk.actor, "extension.request")
    now = desk.now()
    with db.atomic():
        reservation = desk.reservation(reservation_id)
        permissions.require(desk.actor, "extension.request", reservation)
        reason, reason_problem = text_problem(reason, _("the reason"), required=True)
        problems: list[str | None] = [reason_problem]
        if desk.residence is not None:
            problems.append(scope_problem(desk, reservation.room))
        problems.extend(extension_problems(reservation.status, reservation.lease_end, new_end))
        if (
            ExtensionRequest.select()
            .where(
                ExtensionRequest.reservation == reservation,
                ExtensionRequest.status == "pending",
            )
            .exists()
        ):
            problems.append(_("an extension request is already waiting for a decision"))
        refuse_if(problems)
        request = ExtensionRequest.create(
            reservation=reservation,
            previous_end=reservation.lease_end,
            requested_end=new_end,
            reason=reason,
            requested_by=desk.actor,
            requested_at=now,
        )
        record(
            desk,
            now,
            "extension.request",
            "extension_request",
            request.id,
            reservation=reservation,
            after={
                "lease_end": reservation.lease_end.isoformat(),
                "requested_end": new_end.isoformat(),
                "reason": reason,
            },
        )
    return request


@dataclass(frozen=True)
class ExtensionDecision:
    request: ExtensionRequest
    lease_end: date
    file_problems: list[str]  # the rental file after the decision (insurance vs new end)


def _room_taken(reservation: Reservation, first_day: date, last_day: date) -> list[str]:
    """Other students who hold the room during the extension, beyond its capacity."""
    room = reservation.room
    if room is None:
        return []
    capacity = 2 if room_kinds().get(room.kind) and room_kinds()[room.kind].couples else 1
    others = list(
        Reservation.select(Reservation, Student)
        .join(Student)
        .where(
            Reservation.room == room,
            Reservation.id != reservation.id,
            Reservation.status.in_(["proposed", "accepted", "checked_in"]),
            Reservation.lease_start <= last_day,
            Reservation.lease_end >= first_day,
        )
        .order_by(Reservation.lease_start)
    )
    if len(others) < capacity:
        return []
    return [
        _("room {room} is held by {who} from {day}").format(
            room=room.number, who=r.student.full_name, day=fmt(max(r.lease_start, first_day))
        )
        for r in others
    ]


def decide_extension(
    desk: Desk, request_id: int, *, grant: bool, note: str = ""
) -> ExtensionDecision:
    """Grant (the lease end moves) or refuse a pending extension request: the mobility
    manager's decision (or an administrator's), for one of their students."""
    permissions.require(desk.actor, "extension.decide")
    now = desk.now()
    with db.atomic():
        request = ExtensionRequest.get_or_none(ExtensionRequest.id == request_id)
        if request is None:
            raise Refused(_("no extension request #{id}").format(id=request_id))
        reservation = request.reservation
        permissions.require(desk.actor, "extension.decide", reservation)
        note, note_problem = text_problem(note, _("a note"), required=False)
        problems: list[str | None] = [note_problem]
        if desk.residence is not None:  # a desk opened on one residence decides for it only
            problems.append(scope_problem(desk, reservation.room))
        if request.status != "pending":
            problems.append(
                _("this request was already decided ({status})").format(
                    status=extension_status_label(request.status)
                )
            )
        elif grant:
            if reservation.lease_end != request.previous_end:
                problems.append(
                    _("the lease end changed since the request ({day}): ask again").format(
                        day=fmt(reservation.lease_end)
                    )
                )
            problems.extend(
                extension_problems(reservation.status, reservation.lease_end, request.requested_end)
            )
            problems.extend(
                _room_taken(
                    reservation,
                    request.previous_end + timedelta(days=1),
                    request.requested_end,
                )
            )
        refuse_if(problems)
        status = "granted" if grant else "refused"
        decided = (
            ExtensionRequest.update(
                status=status, decided_by=desk.actor, decided_at=now, decision_note=note
            )
            .where(ExtensionRequest.id == request.id, ExtensionRequest.status == "pending")
            .execute()
        )
        if decided != 1:
            raise Refused(_("another desk decided this request just now; look again"))
        before = snapshot(reservation, "lease_end")
        if grant:
            moved = (
                Reservation.update(lease_end=request.requested_end)
                .where(
                    Reservation.id == reservation.id,
                    Reservation.lease_end == request.previous_end,
                )
                .execute()
            )
            if moved != 1:
                raise Refused(_("another desk changed this lease just now; look again"))
        reservation = Reservation.get_by_id(reservation.id)
        record(
            desk,
            now,
            f"extension.{'grant' if grant else 'refuse'}",
            "extension_request",
            request.id,
            reservation=reservation,
            before={"status": "pending", **before},
            after={"status": status, "note": note, **snapshot(reservation, "lease_end")},
        )
        request = ExtensionRequest.get_by_id(request.id)
        today = desk.today(reservation.room.residence if reservation.room else None)
        problems_now = file_problems(
            document_facts(reservation), reservation.lease_start, reservation.lease_end, today
        )
    return ExtensionDecision(request, reservation.lease_end, problems_now)


@dataclass(frozen=True)
class ExtensionRow:
    request_id: int
    reservation_id: int
    reference: str
    name: str
    room: str
    previous_end: date
    requested_end: date
    reason: str
    requested_by: str
    requested_at: datetime
    status: str
    decided_by: str | None
    decided_at: datetime | None


def extension_requests(
    desk: Desk, *, status: str | None = "pending", reservation_id: int | None = None
) -> list[ExtensionRow]:
    """Extension requests of the desk's residence (pending ones by default), oldest first."""
    requester = Staff.alias()
    query = (
        ExtensionRequest.select(ExtensionRequest, Reservation, Student, Room, requester)
        .join(Reservation)
        .join(Student)
        .switch(Reservation)
        .join(Room, JOIN.LEFT_OUTER)
        .switch(ExtensionRequest)
        .join(requester, on=(ExtensionRequest.requested_by == requester.id))
    )
    if status:
        query = query.where(ExtensionRequest.status == status)
    if reservation_id is not None:
        query = query.where(ExtensionRequest.reservation == reservation_id)
    if desk.residence is not None:
        query = query.where(Room.residence == desk.residence)
    students = permissions.student_filter(desk.actor)  # a manager: their students only
    if students is not None:
        query = query.where(students)
    rows = []
    for e in query.order_by(ExtensionRequest.requested_at, ExtensionRequest.id):
        decider = Staff.get_by_id(e.decided_by_id) if e.decided_by_id else None
        rows.append(
            ExtensionRow(
                request_id=e.id,
                reservation_id=e.reservation.id,
                reference=e.reservation.reference,
                name=e.reservation.student.full_name,
                room=e.reservation.room.number if e.reservation.room else "",
                previous_end=e.previous_end,
                requested_end=e.requested_end,
                reason=e.reason,
                requested_by=e.requested_by.username,
                requested_at=e.requested_at,
                status=e.status,
                decided_by=decider.username if decider else None,
                decided_at=e.decided_at,
            )
        )
    return rows
