"""Finding a reservation: one search box (names in any order, without accents or case, INE,
reference, room, e-mail), and the exact reference a scanned slip types."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from peewee import JOIN

from crous_desk.desk import permissions
from crous_desk.desk.context import Desk
from crous_desk.rules.proposal import effective_status
from crous_desk.store import search_index
from crous_desk.store.models import Reservation, Room, Student

MAX_RESULTS = search_index.MAX_RESULTS


@dataclass(frozen=True)
class SearchRow:
    reservation_id: int
    reference: str
    name: str
    room: str
    status: str
    lease_start: date


def search(desk: Desk, text: str, limit: int = MAX_RESULTS) -> list[SearchRow]:
    """What ``text`` finds among the reservations this actor may see, best first."""
    residence_id = desk.residence.id if desk.residence else None
    ids = search_index.search(text, residence_id, limit * 4)
    if not ids:
        return []
    rows = (
        Reservation.select(Reservation, Student, Room)
        .join(Student)
        .switch(Reservation)
        .join(Room, JOIN.LEFT_OUTER)
        .where(Reservation.id.in_(ids))
    )
    by_id = {r.id: r for r in permissions.visible(desk.actor, list(rows))}
    now = desk.now()
    return [
        SearchRow(
            reservation_id=r.id,
            reference=r.reference,
            name=r.student.full_name,
            room=r.room.number if r.room else "",
            status=effective_status(r.status, r.proposal_sent_at, now),
            lease_start=r.lease_start,
        )
        for r in (by_id[i] for i in ids if i in by_id)
    ][:limit]


def find_reference(desk: Desk, text: str) -> Reservation | None:
    """The reservation whose reference is exactly ``text``, if this actor may see it."""
    found = search_index.find_reference(text, desk.residence.id if desk.residence else None)
    if found is None or not permissions.allowed(desk.actor, "reservation.view", found):
        return None
    return found
