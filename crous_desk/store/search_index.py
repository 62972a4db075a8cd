"""One search box: names in any order, without accents or case, INE, reference, room, e-mail.

SQLite FTS5 (unicode61, diacritics removed). Every term the user types is quoted, so no input
— apostrophes, quotes, hyphens, AND, a lone * — can be read as query syntax or raise.
"""

from __future__ import annotations

import re

from peewee import JOIN

from crous_desk.store.locks import on_server
from crous_desk.store.models import Reservation, Room, Student, db

MAX_RESULTS = 50
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def fts_query(text: str) -> str | None:
    """The MATCH expression for what the user typed, or None when nothing is searchable."""
    text = _CONTROL.sub(" ", text)  # FTS5 reads a NUL as the end of the query string
    terms = [t for t in text.split() if any(c.isalnum() for c in t)]
    if not terms:
        return None
    return " AND ".join('"' + t.replace('"', '""') + '"*' for t in terms)


def document_for(reservation: Reservation) -> str:
    student: Student = reservation.student
    room: Room | None = reservation.room
    parts = [
        student.first_name,
        student.last_name,
        student.ine or "",
        reservation.reference,
        room.number if room else "",
        student.email,
    ]
    return " ".join(p for p in parts if p)


def index_reservation(reservation: Reservation) -> None:
    """(Re)write the search row of one reservation; call it inside the changing transaction."""
    if on_server():  # no FTS5 there: the portable word index replaces this (issue 9)
        return
    room = reservation.room
    residence_id = room.residence_id if room is not None else None
    db.execute_sql("DELETE FROM search_index WHERE reservation_id = ?", (reservation.id,))
    db.execute_sql(
        "INSERT INTO search_index (body, reservation_id, residence_id) VALUES (?, ?, ?)",
        (document_for(reservation), reservation.id, residence_id),
    )


def rebuild_index() -> int:
    """Index every reservation again (after a bulk load, or to repair the index: ``crous-desk
    reindex``); returns how many rows."""
    query = (
        Reservation.select(Reservation, Student, Room)
        .join(Student)
        .switch(Reservation)
        .join(Room, JOIN.LEFT_OUTER)
    )
    with db.atomic():
        if on_server():
            return Reservation.select().count()
        db.execute_sql("DELETE FROM search_index")
        count = 0
        for reservation in query:
            index_reservation(reservation)
            count += 1
    return count


_REFERENCE = re.compile(r"[A-Z0-9]{6}")


def search(text: str, residence_id: int | None = None, limit: int = MAX_RESULTS) -> list[int]:
    """Reservation ids matching ``text``, best first; an exact reference comes first of all."""
    ids: list[int] = []
    exact = find_reference(text, residence_id)
    if exact is not None:
        ids.append(exact.id)
    match = fts_query(text)
    if match is None or on_server():
        return ids
    sql = "SELECT reservation_id FROM search_index WHERE search_index MATCH ?"
    params: list[object] = [match]
    if residence_id is not None:  # this residence's files, and requests not yet placed
        sql += " AND (residence_id = ? OR residence_id IS NULL)"
        params.append(residence_id)
    sql += " ORDER BY rank LIMIT ?"
    params.append(limit)
    for (rid,) in db.execute_sql(sql, params).fetchall():
        if rid not in ids:
            ids.append(rid)
    return ids[:limit]


def find_reference(text: str, residence_id: int | None = None) -> Reservation | None:
    """The reservation whose reference is exactly ``text`` (case and spaces ignored), within
    the desk's residence when one is given."""
    candidate = "".join(text.split()).upper()
    if not _REFERENCE.fullmatch(candidate):
        return None
    found = Reservation.get_or_none(Reservation.reference == candidate)
    if (
        found is not None
        and residence_id is not None
        and _residence_of(found) not in (residence_id, None)
    ):
        return None
    return found


def _residence_of(reservation: Reservation) -> int | None:
    room = reservation.room
    return room.residence_id if room is not None else None
