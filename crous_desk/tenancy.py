"""Kept importable for scripts written against earlier versions: see crous_desk.rooms.

``change_room_status`` is now the sub-step ``change_room_status(act, room, after, reason)``
of an action (it took ``desk, room, after, reason, now`` before); the actions themselves are
called as before: ``room_ready(desk, room_id, note=...)``."""

from crous_desk.rooms import (
    EXTENDABLE,
    MAX_EXTENSION,
    ROOM_TRANSITIONS,
    ExtensionDecision,
    ExtensionRow,
    Overstay,
    RoomRow,
    back_in_service,
    change_room_status,
    decide_extension,
    extension_problems,
    extension_requests,
    extension_status_label,
    overstaying,
    overstays,
    request_extension,
    room_ready,
    room_status_label,
    rooms,
    set_out_of_service,
    transition_problem,
)

__all__ = [
    "EXTENDABLE",
    "MAX_EXTENSION",
    "ROOM_TRANSITIONS",
    "ExtensionDecision",
    "ExtensionRow",
    "Overstay",
    "RoomRow",
    "back_in_service",
    "change_room_status",
    "decide_extension",
    "extension_problems",
    "extension_requests",
    "extension_status_label",
    "overstaying",
    "overstays",
    "request_extension",
    "room_ready",
    "room_status_label",
    "rooms",
    "set_out_of_service",
    "transition_problem",
]
