"""Rooms through the stay: a room's status (made ready, out of service and back), the
overstays, and the extensions of the study stay. The pure rules are in
:mod:`crous_desk.rules.tenancy`; these are the names scripts and screens import."""

from crous_desk.rooms.extensions import (
    ExtensionDecision,
    ExtensionRow,
    decide_extension,
    extension_requests,
    request_extension,
)
from crous_desk.rooms.overstays import Overstay, overstays
from crous_desk.rooms.status import (
    RoomRow,
    back_in_service,
    change_room_status,
    room_ready,
    rooms,
    set_out_of_service,
)
from crous_desk.rules.tenancy import (
    EXTENDABLE,
    MAX_EXTENSION,
    ROOM_TRANSITIONS,
    extension_problems,
    extension_status_label,
    overstaying,
    room_status_label,
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
