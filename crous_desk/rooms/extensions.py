"""Extensions of the study stay: a request to move the lease end, which the mobility manager
(or an administrator) grants or refuses. A granted one moves the lease end, and the insurance
must then cover the new end (the rental file says so again)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from peewee import JOIN

from crous_desk.base.errors import Problem
from crous_desk.base.i18n import _
from crous_desk.desk import permissions
from crous_desk.desk.action import Act, action
from crous_desk.desk.context import Desk
from crous_desk.reservations.file import document_facts
from crous_desk.rules.reference import room_kinds
from crous_desk.rules.rental_file import file_problems, fmt
from crous_desk.rules.status import HOLDING, ExtensionStatus, ReservationStatus
from crous_desk.rules.tenancy import extension_problems, extension_status_label
from crous_desk.store.models import (
    ExtensionRequest,
    Reservation,
    Room,
    Staff,
    Student,
    snapshot,
)


def _pending(reservation: Reservation) -> bool:
    return (
        ExtensionRequest.select()
        .where(
            ExtensionRequest.reservation == reservation,
            ExtensionRequest.status == ExtensionStatus.PENDING,
        )
        .exists()
    )


@action("extension.request", target=Reservation)
def request_extension(
    act: Act, reservation: Reservation, new_end: date | str, reason: str
) -> ExtensionRequest:
    """Record a request to move the lease end to ``new_end`` (a day, or as typed:
    dd/mm/yyyy) (desk hours do not apply)."""
    reason = act.text(reason, _("the reason"), required=True, about="reason")
    if isinstance(new_end, str):
        typed = act.day(new_end, about="new_end")
        if typed is None:
            act.refuse()  # with the reason's problem too, when it has one
        new_end = typed
    act.check(
        extension_problems(ReservationStatus(reservation.status), reservation.lease_end, new_end)
    )
    if _pending(reservation):
        act.check(
            Problem(
                "extension_pending", _("an extension request is already waiting for a decision")
            )
        )
    with act.change():
        act.confirm(0 if _pending(reservation) else 1, _("the extension requests of this stay"))
        request = ExtensionRequest.create(
            reservation=reservation,
            previous_end=reservation.lease_end,
            requested_end=new_end,
            reason=reason,
            requested_by=act.actor,
            requested_at=act.now,
        )
        act.audit(
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


def room_held(reservation: Reservation, first_day: date, last_day: date) -> list[str]:
    """Other students who hold the room during the extension, beyond its capacity."""
    room = reservation.room
    if room is None:
        return []
    kind = room_kinds().get(room.kind)
    capacity = 2 if kind and kind.couples else 1
    others = list(
        Reservation.select(Reservation, Student)
        .join(Student)
        .where(
            Reservation.room == room,
            Reservation.id != reservation.id,
            Reservation.status.in_(HOLDING),
            Reservation.lease_start <= last_day,
            Reservation.lease_end >= first_day,
        )
        .order_by(Reservation.lease_start)
    )
    if len(others) < capacity:
        return []
    return [
        Problem(
            "room_held",
            _("room {room} is held by {who} from {day}").format(
                room=room.number, who=r.student.full_name, day=fmt(max(r.lease_start, first_day))
            ),
        )
        for r in others
    ]


@dataclass(frozen=True)
class ExtensionDecision:
    request: ExtensionRequest
    lease_end: date
    file_problems: list[str]  # the rental file after the decision (insurance vs new end)


def _added_days(request: ExtensionRequest) -> tuple[date, date]:
    return request.previous_end + timedelta(days=1), request.requested_end


def decision_problems(request: ExtensionRequest, grant: bool) -> list[str]:
    """Why the request cannot be decided so: it is decided already, or — to grant it — the
    lease moved since, the new end is out of bounds, or the room is held in the added days."""
    if request.status != ExtensionStatus.PENDING:
        return [
            Problem(
                "already_decided",
                _("this request was already decided ({status})").format(
                    status=extension_status_label(request.status)
                ),
            )
        ]
    if not grant:
        return []
    reservation = request.reservation
    problems: list[str] = []
    if reservation.lease_end != request.previous_end:
        problems.append(
            Problem(
                "lease_end_changed",
                _("the lease end changed since the request ({day}): ask again").format(
                    day=fmt(reservation.lease_end)
                ),
            )
        )
    status = ReservationStatus(reservation.status)
    problems.extend(extension_problems(status, reservation.lease_end, request.requested_end))
    problems.extend(room_held(reservation, *_added_days(request)))
    return problems


def _move_lease_end(act: Act, request: ExtensionRequest, reservation: Reservation) -> None:
    """The granted end, if the room is still free then and the lease end still the one asked
    from."""
    room = reservation.room.number if reservation.room else ""
    act.confirm(
        0 if room_held(reservation, *_added_days(request)) else 1,
        _("room {room}").format(room=room),
    )
    moved = (
        Reservation.update(lease_end=request.requested_end)
        .where(Reservation.id == reservation.id, Reservation.lease_end == request.previous_end)
        .execute()
    )
    act.confirm(moved, _("this lease"))


@action("extension.decide", target=ExtensionRequest)
def decide_extension(
    act: Act, request: ExtensionRequest, *, grant: bool, note: str = ""
) -> ExtensionDecision:
    """Grant (the lease end moves) or refuse a pending extension request: the mobility
    manager's decision (or an administrator's), for one of their students."""
    reservation = request.reservation
    note = act.text(note, _("a note"))
    act.check(decision_problems(request, grant))
    status = ExtensionStatus.GRANTED if grant else ExtensionStatus.REFUSED
    with act.change():
        decided = (
            ExtensionRequest.update(
                status=status, decided_by=act.actor, decided_at=act.now, decision_note=note
            )
            .where(
                ExtensionRequest.id == request.id,
                ExtensionRequest.status == ExtensionStatus.PENDING,
            )
            .execute()
        )
        act.confirm(decided, _("this request"))
        before = snapshot(reservation, "lease_end")
        if grant:
            _move_lease_end(act, request, reservation)
        reservation = Reservation.get_by_id(reservation.id)
        act.audit(
            "extension_request",
            request.id,
            reservation=reservation,
            before={"status": ExtensionStatus.PENDING, **before},
            after={"status": status, "note": note, **snapshot(reservation, "lease_end")},
            action="extension.grant" if grant else "extension.refuse",
        )
    today = act.desk.today(reservation.room.residence if reservation.room else None)
    problems_now = file_problems(
        document_facts(reservation), reservation.lease_start, reservation.lease_end, today
    )
    return ExtensionDecision(
        ExtensionRequest.get_by_id(request.id), reservation.lease_end, problems_now
    )


# -- the list of requests -----------------------------------------------------------------------


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
    desk: Desk,
    *,
    status: str | None = ExtensionStatus.PENDING,
    reservation_id: int | None = None,
) -> list[ExtensionRow]:
    """Extension requests of the desk's residence (pending ones by default), oldest first; a
    mobility manager sees their students' only."""
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
    for condition in desk.rooms_where():
        query = query.where(condition)
    students = permissions.student_filter(desk.actor)
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
