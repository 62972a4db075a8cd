"""A room's status through the stay: the one step that changes it (shared by the departure),
the staff's actions on it — made ready after a departure, out of service and back, each with
a reason — and the list of rooms the desk shows."""

from __future__ import annotations

from dataclasses import dataclass

from peewee import fn

from crous_desk.base.errors import Problem
from crous_desk.base.i18n import _
from crous_desk.desk import permissions
from crous_desk.desk.action import Act, action
from crous_desk.desk.context import Desk, read_in_one_go
from crous_desk.rules.reference import room_kinds
from crous_desk.rules.status import KeyState, ReservationStatus, RoomStatus
from crous_desk.rules.tenancy import room_status_label, transition_problem
from crous_desk.store.models import (
    KeySet,
    Reservation,
    Room,
    RoomStatusChange,
    Student,
    tuples,
)


def change_room_status(act: Act, room: Room, after: RoomStatus, reason: str) -> Room:
    """Move ``room`` on from the status it was read with, with the reason (a sub-step of an
    action: the departure's, or the staff's below). Audited as "room.status"."""
    before = RoomStatus(room.status)
    act.check(transition_problem(room.number, before, after))
    with act.change():
        moved = Room.update(status=after).where(Room.id == room.id, Room.status == before).execute()
        act.confirm(moved, _("room {room}").format(room=room.number))
        RoomStatusChange.create(
            room=room, before=before, after=after, reason=reason, staff=act.actor, at=act.now
        )
        act.audit(
            "room",
            room.id,
            before={"status": before},
            after={"status": after, "reason": reason},
            action="room.status",
        )
    room.status = after
    return room


def free_status(room: Room) -> RoomStatus:
    """What a room becomes when it is free again: reserved when the next student's accepted
    reservation already holds it, else available."""
    held = (
        Reservation.select()
        .where(Reservation.room == room, Reservation.status == ReservationStatus.ACCEPTED)
        .exists()
    )
    return RoomStatus.RESERVED if held else RoomStatus.AVAILABLE


@action("room.status", target=Room)
def room_ready(act: Act, room: Room, *, note: str = "") -> Room:
    """The room is inspected and cleaned after a departure: free again."""
    note = act.text(note, _("a note"))
    if room.status != RoomStatus.TO_INSPECT:
        act.refuse(  # the move itself is then beside the point
            Problem(
                "room_not_to_inspect",
                _("room {room} is {status}: only a room to inspect is made ready").format(
                    room=room.number, status=room_status_label(room.status)
                ),
            )
        )
    return change_room_status(act, room, free_status(room), note or _("made ready"))


@action("room.status", target=Room)
def set_out_of_service(act: Act, room: Room, reason: str) -> Room:
    """Take a free room out of service (a leak, works), with the reason."""
    reason = act.text(reason, _("the reason"), required=True)
    return change_room_status(act, room, RoomStatus.OUT_OF_SERVICE, reason)


@action("room.status", target=Room)
def back_in_service(act: Act, room: Room, *, note: str = "") -> Room:
    """The repair is done: the room is free again."""
    note = act.text(note, _("a note"))
    if room.status != RoomStatus.OUT_OF_SERVICE:
        act.refuse(
            Problem(
                "room_not_out_of_service",
                _("room {room} is {status}, not out of service").format(
                    room=room.number, status=room_status_label(room.status)
                ),
            )
        )
    return change_room_status(act, room, free_status(room), note or _("back in service"))


# -- the list of rooms --------------------------------------------------------------------------


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


@read_in_one_go
def rooms(
    desk: Desk,
    *,
    status: str | None = None,
    kind: str | None = None,
    building: str | None = None,
) -> list[RoomRow]:
    """The rooms of the desk's residence, filtered by status, kind and building."""
    permissions.require(desk.actor, "room.view", desk.residence)
    conditions = list(desk.rooms_where())
    if status:
        conditions.append(Room.status == status)
    if kind:
        conditions.append(Room.kind == kind)
    if building:
        conditions.append(Room.building == building)
    query, ids = Room.select(), Room.select(Room.id)
    for condition in conditions:
        query, ids = query.where(condition), ids.where(condition)
    found = list(query.order_by(Room.building, Room.number))
    if not found:
        return []
    # the rows beside the rooms read by the same conditions (``ids``), not by a list of every
    # room's id: a statement of hundreds of parameters, slow to build and to send to a server
    tenants: dict[int, list[str]] = {}
    for r in (
        Reservation.select(Reservation, Student)
        .join(Student)
        .where(Reservation.room.in_(ids), Reservation.status == ReservationStatus.CHECKED_IN)
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
            status_reason=reasons.get(r.id, "") if r.status == RoomStatus.OUT_OF_SERVICE else "",
            tenants=tuple(tenants.get(r.id, [])),
            keys_at_desk=keys.get((r.id, KeyState.DESK), 0),
            keys_out=keys.get((r.id, KeyState.OUT), 0),
        )
        for r in found
    ]
