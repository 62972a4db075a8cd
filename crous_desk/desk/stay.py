"""Small helpers shared by the stay's modules (keys, inspections, departure, tenancy, today)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from crous_desk.base.errors import Refused
from crous_desk.base.i18n import _
from crous_desk.base.text import clean_text
from crous_desk.desk import permissions
from crous_desk.desk.context import Desk
from crous_desk.rules.hours import describe_status
from crous_desk.store import audit
from crous_desk.store.models import Reservation, Residence, Room
from crous_desk.store.models import tuples as models_tuples


def scope_problem(desk: Desk, room: Room | None) -> str | None:
    """A desk opened on one residence acts on that residence's rooms only, and an actor on
    the residences of their own scope only."""
    if desk.residence is not None and room is not None and room.residence_id != desk.residence.id:
        return _("room {room} belongs to another residence").format(room=room.number)
    if room is not None:
        return permissions.refusal(desk.actor, "room.view", room)
    return None


def closed_problem(desk: Desk, residence: Residence | None, doing: str) -> str | None:
    """Why a desk-bound action cannot happen now (None when the desk is open)."""
    status = desk.desk_status(residence)
    if status.is_open:
        return None
    return _(
        "the desk is closed: {doing} only at the desk, Monday to Friday before 17:00 ({status})"
    ).format(doing=doing, status=describe_status(status))


def text_problem(text: str, what: str, *, required: bool) -> tuple[str, str | None]:
    """``text`` cleaned, and why it is refused (control characters, or empty when required)."""
    try:
        cleaned = clean_text(text, what)
    except Refused as refused:
        return "", str(refused)
    if required and not cleaned:
        return "", _("{what} is required").format(what=what)
    return cleaned, None


def refuse_if(problems: Iterable[str | None]) -> None:
    """Refuse with every reason found (None entries are the checks that passed)."""
    found = [p for p in problems if p]
    if found:
        raise Refused(*found)


def day_bounds(
    desk: Desk, first: date | None, last: date | None
) -> tuple[datetime | None, datetime | None]:
    return desk.day_bounds(first, last)


def record(
    desk: Desk,
    at: datetime,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    reservation: Reservation | int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    audit.record(
        desk.actor.username,
        at,
        action,
        entity,
        entity_id,
        reservation=reservation,
        before=before,
        after=after,
    )


def tuples(query: Any) -> list[tuple[Any, ...]]:
    return models_tuples(query)
