"""A room's status, changed by one sub-step shared by the actions that move it (the departure
today). The staff's own moves (made ready, out of service and back) still live in
:mod:`crous_desk.rooms.tenancy`."""

from __future__ import annotations

from crous_desk.base.errors import Problem
from crous_desk.base.i18n import _
from crous_desk.desk.action import Act
from crous_desk.rooms.tenancy import transition_problem
from crous_desk.store.models import Room, RoomStatusChange


def change_room_status(act: Act, room: Room, after: str, reason: str) -> Room:
    """Move ``room`` on from the status it was read with, with the reason (a sub-step of an
    action). Audited as "room.status"."""
    before = room.status
    problem = transition_problem(room.number, before, after)
    if problem is not None:
        act.refuse(Problem("room_status_transition", problem))
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
