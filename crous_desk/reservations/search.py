"""Finding a reservation: one search box (names in any order, without accents or case, INE,
reference, room, e-mail), and the exact reference a scanned slip types."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from crous_desk.base.clock import PARIS
from crous_desk.desk import permissions
from crous_desk.desk.context import Desk
from crous_desk.rules.proposal import effective_status
from crous_desk.rules.status import ReservationStatus
from crous_desk.store import search_index
from crous_desk.store.models import Reservation, Residence, tuples

MAX_RESULTS = search_index.MAX_RESULTS
_SENT = Reservation.proposal_sent_at


class SearchRow(NamedTuple):
    """One line of the result list (a named tuple: fifty of them are built per keystroke)."""

    reservation_id: int
    reference: str
    name: str
    room: str
    status: str
    lease_start: date


@dataclass(frozen=True)
class SearchScope:
    """Where an actor's search looks, inside the index: residence ids (0: the requests not yet
    placed; None: every residence), and a condition on the student for a mobility manager."""

    residences: Sequence[int] | None
    students: str = ""
    student_params: tuple[Any, ...] = ()


def scope_for(desk: Desk) -> SearchScope | None:
    """What ``desk``'s actor may find: the desk's residence (and the requests not yet placed,
    for those who see every residence), within the actor's own scope; None: nothing."""
    grant = permissions.grant_of(desk.actor)
    if not grant.active or grant.role not in permissions.MATRIX["reservation.view"]:
        return None
    manager = grant.role == permissions.MANAGER
    every = grant.administrator or manager or grant.scope.every_residence
    residences: Sequence[int] | None
    if desk.residence is not None:
        if every:
            residences = (desk.residence.id, 0)
        elif desk.residence.code in grant.scope.residences:
            residences = (desk.residence.id,)
        else:
            return None
    elif every:
        residences = None
    else:
        codes = sorted(grant.scope.residences)
        query = Residence.select(Residence.id).where(Residence.code.in_(codes))
        residences = [row[0] for row in tuples(query)]
        if not residences:
            return None
    if not manager or grant.scope.every_student:
        return SearchScope(residences)
    campuses = sorted(grant.scope.campuses)
    universities = sorted(grant.scope.universities)
    if not campuses and not universities:
        return None
    condition = "(s.campus IN ({}) OR s.home_university IN ({}))".format(
        ", ".join("?" * len(campuses)) or "NULL", ", ".join("?" * len(universities)) or "NULL"
    )
    return SearchScope(residences, condition, (*campuses, *universities))


def search(desk: Desk, text: str, limit: int = MAX_RESULTS) -> list[SearchRow]:
    """What ``text`` finds among the reservations this actor may see, best first: one indexed
    statement, ranking a bounded candidate set, whatever the size of the file."""
    scope = scope_for(desk)
    if scope is None:
        return []
    now = desk.now()
    zone = ZoneInfo(desk.residence.timezone) if desk.residence is not None else PARIS
    rows = search_index.search_rows(  # the day in the desk's zone (not desk.today(): a query)
        text,
        scope.residences,
        limit,
        scope.students,
        scope.student_params,
        now.astimezone(zone).date(),
    )
    return [
        SearchRow(
            reservation_id=rid,
            reference=reference,
            name=f"{first} {last}",
            room=room,
            status=status  # only an open proposal's status depends on the time
            if status != ReservationStatus.PROPOSED
            else effective_status(status, _SENT.python_value(sent), now),
            lease_start=start if isinstance(start, date) else date.fromisoformat(start),
        )
        for rid, reference, first, last, room, status, sent, start, _rank in rows
    ]


def find_reference(desk: Desk, text: str) -> Reservation | None:
    """The reservation whose reference is exactly ``text``, if this actor may see it."""
    found = search_index.find_reference(text, desk.residence.id if desk.residence else None)
    if found is None or not permissions.allowed(desk.actor, "reservation.view", found):
        return None
    return found
