"""The rules of a tenancy, without a database: the moves a room's status may make, when a
tenant overstays, and what an extension of the study stay may ask for.

A room goes available → reserved (acceptance) → occupied (key handover) → to_inspect
(departure) → available again when a staff member says it is ready (or reserved, when the next
student's acceptance already holds it); out_of_service is set and lifted with a reason.
"""

from __future__ import annotations

from datetime import date, timedelta

from crous_desk.base.errors import Problem
from crous_desk.base.i18n import _
from crous_desk.rules.proposal import status_label
from crous_desk.rules.rental_file import fmt
from crous_desk.rules.status import ExtensionStatus, ReservationStatus, RoomStatus

# The moves a staff member's action may make; acceptance and handover make theirs themselves.
# reserved → to_inspect: a tenant departs from a flat the next student's acceptance holds.
ROOM_TRANSITIONS: dict[RoomStatus, frozenset[RoomStatus]] = {
    RoomStatus.AVAILABLE: frozenset({RoomStatus.RESERVED, RoomStatus.OUT_OF_SERVICE}),
    RoomStatus.RESERVED: frozenset(
        {RoomStatus.OCCUPIED, RoomStatus.AVAILABLE, RoomStatus.TO_INSPECT}
    ),
    RoomStatus.OCCUPIED: frozenset({RoomStatus.TO_INSPECT}),
    RoomStatus.TO_INSPECT: frozenset(
        {RoomStatus.AVAILABLE, RoomStatus.RESERVED, RoomStatus.OUT_OF_SERVICE}
    ),
    RoomStatus.OUT_OF_SERVICE: frozenset({RoomStatus.AVAILABLE, RoomStatus.RESERVED}),
}

EXTENDABLE = (ReservationStatus.ACCEPTED, ReservationStatus.CHECKED_IN)
MAX_EXTENSION = timedelta(days=366)  # an extension of the study stay, not a new tenancy


def room_status_label(status: str) -> str:
    """A room status as a person reads it (an unknown stored value as it is)."""
    labels: dict[str, str] = {
        RoomStatus.AVAILABLE: _("available"),
        RoomStatus.RESERVED: _("reserved"),
        RoomStatus.OCCUPIED: _("occupied"),
        RoomStatus.TO_INSPECT: _("to inspect"),
        RoomStatus.OUT_OF_SERVICE: _("out of service"),
    }
    return labels.get(status, status)


def extension_status_label(status: str) -> str:
    """An extension request's status as a person reads it."""
    labels: dict[str, str] = {
        ExtensionStatus.PENDING: _("pending"),
        ExtensionStatus.GRANTED: _("granted"),
        ExtensionStatus.REFUSED: _("refused"),
    }
    return labels.get(status, status)


def transition_problem(number: str, before: RoomStatus, after: RoomStatus) -> Problem | None:
    """Why room ``number`` cannot go from ``before`` to ``after`` (None when it can)."""
    if after in ROOM_TRANSITIONS.get(before, frozenset()):
        return None
    return Problem(
        "room_status_change",
        _("room {room} is {before}: it cannot become {after}").format(
            room=number, before=room_status_label(before), after=room_status_label(after)
        ),
    )


def overstaying(status: ReservationStatus, lease_end: date, today: date) -> bool:
    """Still living here after the lease end."""
    return status == ReservationStatus.CHECKED_IN and today > lease_end


def extension_problems(status: ReservationStatus, lease_end: date, new_end: date) -> list[str]:
    """Why the lease of a reservation in ``status`` cannot move to ``new_end``."""
    problems: list[str] = []
    if status not in EXTENDABLE:
        problems.append(
            Problem(
                "not_extendable",
                _(
                    "only an accepted reservation or a tenant can ask for more time (status: {s})"
                ).format(s=status_label(status)),
            )
        )
    if new_end <= lease_end:
        problems.append(
            Problem(
                "end_not_later",
                _("the new end must be after the current lease end, {day}").format(
                    day=fmt(lease_end)
                ),
            )
        )
    elif new_end > lease_end + MAX_EXTENSION:
        problems.append(
            Problem(
                "extension_too_long",
                _("an extension moves the lease end by a year at most (until {day})").format(
                    day=fmt(lease_end + MAX_EXTENSION)
                ),
            )
        )
    return problems
