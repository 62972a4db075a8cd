"""One search box: names in any order, without accents or case, INE, reference, room, e-mail.

The index is a plain table of folded words (accents and case removed), one row per word of a
reservation, clustered by ``(residence_id, word, reservation_id)`` (``0`` for a request not
yet placed in a residence). A term the user types matches every word it begins, by range
(``word >= 'hel' AND word < 'hem'``) inside the residences the desk may see, so a search reads
the few index pages it needs and stops at a bounded candidate set however large the file; a
second term is checked on the same reservation by the ``(reservation_id, word)`` index.

Nothing the user types is ever query syntax: terms are bound parameters, and only letters and
digits make a term. The SQL is plain (no FTS), so PostgreSQL runs the same statements.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date
from typing import Any

from crous_desk.store.models import Reservation, db

MAX_RESULTS = 50
MAX_TERMS = 8  # more words than a name ever has: the rest of the text is ignored
CANDIDATES = 4  # rank at most this many times the limit, the first in index order
_BATCH = 20_000

# letters NFKD does not take apart, as a French desk reads them
_LETTERS = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i", "ŧ": "t"}
)
_REFERENCE = re.compile(r"[A-Z0-9]{6}")


def fold(text: str) -> str:
    """``text`` without accents or case: "Hélène" and "HELENE" both give "helene"."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.casefold().translate(_LETTERS)


def words(text: str) -> list[str]:
    """The folded words of ``text``: runs of letters and digits ("B-112" gives "b", "112")."""
    out: list[str] = []
    word: list[str] = []
    for c in fold(text):
        if c.isalnum():
            word.append(c)
        elif word:
            out.append("".join(word))
            word = []
    if word:
        out.append("".join(word))
    return out


def terms(text: str) -> list[str]:
    """The distinct search terms of what the user typed, longest (most selective) first."""
    unique = dict.fromkeys(words(text))
    return sorted(unique, key=len, reverse=True)[:MAX_TERMS]


def document_words(
    first_name: str,
    last_name: str,
    ine: str | None,
    reference: str,
    room: str | None,
    email: str | None,
) -> set[str]:
    """The words the search box finds a reservation by."""
    found: set[str] = set()
    for part in (first_name, last_name, ine, reference, room, email):
        if part:
            found.update(words(part))
    return found


def _upper(prefix: str) -> str | None:
    """The first string after every string that begins with ``prefix`` (None: no bound)."""
    last = ord(prefix[-1])
    if last >= 0x10FFFF:
        return None
    return prefix[:-1] + chr(last + 1)


def _sql(text: str) -> str:
    return text.replace("?", db.param) if db.param != "?" else text


# -- writing ----------------------------------------------------------------------------------


def index_reservation(reservation: Reservation) -> None:
    """(Re)write the words of one reservation; call it inside the changing transaction.

    A few indexed statements whatever the size of the file; nothing is written when the
    words and the residence are unchanged (an import that changes nothing writes nothing)."""
    student = reservation.student
    room = reservation.room
    residence_id = room.residence_id if room is not None else 0
    wanted = document_words(
        student.first_name,
        student.last_name,
        student.ine,
        reservation.reference,
        room.number if room is not None else None,
        student.email,
    )
    stored = db.execute_sql(
        _sql("SELECT word, residence_id FROM search_word WHERE reservation_id = ?"),
        (reservation.id,),
    ).fetchall()
    if {w for w, _r in stored} == wanted and all(r == residence_id for _w, r in stored):
        return
    if stored:
        db.execute_sql(_sql("DELETE FROM search_word WHERE reservation_id = ?"), (reservation.id,))
    _insert([(w, residence_id, reservation.id) for w in sorted(wanted)])


_SOME_ROWS = (
    "SELECT r.id, COALESCE(m.residence_id, 0), s.first_name, s.last_name, s.ine, r.reference, "
    "m.number, s.email FROM reservation r JOIN student s ON s.id = r.student_id "
    "LEFT JOIN room m ON m.id = r.room_id WHERE r.id IN ({})"
)


def index_reservations(ids: Sequence[int]) -> None:
    """:func:`index_reservation` for many reservations (an import), in a few statements per
    500 of them; call it inside the changing transaction."""
    for start in range(0, len(ids), 500):
        chunk = list(dict.fromkeys(ids[start : start + 500]))
        marks = ", ".join([db.param] * len(chunk))
        documents = db.execute_sql(_SOME_ROWS.format(marks), chunk).fetchall()
        stored: dict[int, list[tuple[str, int]]] = {}
        for word, residence_id, rid in db.execute_sql(
            "SELECT word, residence_id, reservation_id FROM search_word "
            f"WHERE reservation_id IN ({marks})",
            chunk,
        ).fetchall():
            stored.setdefault(rid, []).append((word, residence_id))
        by_id = {row[0]: row for row in documents}
        stale: list[int] = []
        rows: list[tuple[str, int, int]] = []
        for rid in chunk:
            if rid not in by_id:
                continue
            _rid, residence_id, first, last_name, ine, reference, room, email = by_id[rid]
            wanted = document_words(first, last_name, ine, reference, room, email)
            had = stored.get(rid, [])
            if {w for w, _r in had} == wanted and all(r == residence_id for _w, r in had):
                continue
            if had:
                stale.append(rid)
            rows.extend((w, residence_id, rid) for w in sorted(wanted))
        if stale:
            db.execute_sql(
                "DELETE FROM search_word "
                f"WHERE reservation_id IN ({', '.join([db.param] * len(stale))})",
                stale,
            )
        _insert(rows)


def _insert(
    rows: Sequence[tuple[str, int, int]], database: Any = None, table: str = "search_word"
) -> None:
    if not rows:
        return
    database = database or db
    sql = f"INSERT INTO {table} (word, residence_id, reservation_id) VALUES (?, ?, ?)"
    cursor = database.cursor()
    cursor.executemany(sql.replace("?", database.param), rows)


_ALL_ROWS = (
    "SELECT r.id, COALESCE(m.residence_id, 0), s.first_name, s.last_name, s.ine, r.reference, "
    "m.number, s.email FROM reservation r JOIN student s ON s.id = r.student_id "
    "LEFT JOIN room m ON m.id = r.room_id WHERE r.id > ? ORDER BY r.id LIMIT ?"
)


def rebuild_index(database: Any = None) -> int:
    """Index every reservation again (after a bulk load, or to repair the index: ``crous-desk
    reindex``); returns how many reservations. Call it inside a transaction.

    Linear: the reservations are read in batches of their primary key, their words appended
    to a scratch table, then written into the index in its own order (one sort, no random
    insertion into a large tree), and the index by reservation is built last."""
    database = database or db
    database.execute_sql("DELETE FROM search_word")
    database.execute_sql("DROP INDEX IF EXISTS search_word_reservation")
    database.execute_sql("DROP TABLE IF EXISTS search_load")
    database.execute_sql(
        "CREATE TEMPORARY TABLE search_load "
        "(word TEXT NOT NULL, residence_id INTEGER NOT NULL, reservation_id INTEGER NOT NULL)"
    )
    count = 0
    last = 0
    while True:
        batch = database.execute_sql(
            _ALL_ROWS.replace("?", database.param), (last, _BATCH)
        ).fetchall()
        if not batch:
            break
        rows: list[tuple[str, int, int]] = []
        for rid, residence_id, first, last_name, ine, reference, room, email in batch:
            for word in document_words(first, last_name, ine, reference, room, email):
                rows.append((word, residence_id, rid))
        _insert(rows, database, "search_load")
        count += len(batch)
        last = batch[-1][0]
    database.execute_sql(
        "INSERT INTO search_word (word, residence_id, reservation_id) "
        "SELECT word, residence_id, reservation_id FROM search_load "
        "ORDER BY residence_id, word, reservation_id DESC"
    )
    database.execute_sql("DROP TABLE search_load")
    database.execute_sql(
        "CREATE INDEX search_word_reservation ON search_word (reservation_id, word)"
    )
    return count


# -- reading ----------------------------------------------------------------------------------

ALL_RESIDENCES = None  # a scope of every residence, and the requests not yet placed


def _residences(scope: Sequence[int] | None, params: list[Any], alias: str) -> str:
    if scope is None:
        return f"{alias}.residence_id IN (SELECT id FROM residence UNION ALL SELECT 0)"
    params.extend(scope)
    return f"{alias}.residence_id IN ({', '.join('?' * len(scope))})"


def _range(term: str, params: list[Any], alias: str) -> str:
    upper = _upper(term)
    params.append(term)
    if upper is None:
        return f"{alias}.word >= ?"
    params.append(upper)
    return f"{alias}.word >= ? AND {alias}.word < ?"


def candidates_sql(
    found: list[str],
    scope: Sequence[int] | None,
    limit: int,
    students: str = "",
    student_params: Sequence[Any] = (),
) -> tuple[str, list[Any]]:
    """The statement of the bounded candidate set: ``(id, word)`` rows, ``limit`` at most,
    the words of the first (longest) term in index order, each other term checked on the same
    reservation. ``students`` is an extra condition on ``s`` (the student), e.g. a manager's."""
    params: list[Any] = []
    where = [_residences(scope, params, "w"), _range(found[0], params, "w")]
    for term in found[1:]:
        condition = _range(term, params, "x")
        where.append(
            "EXISTS (SELECT 1 FROM search_word x "
            f"WHERE x.reservation_id = w.reservation_id AND {condition})"
        )
    join = ""
    if students:
        join = (
            " JOIN reservation cr ON cr.id = w.reservation_id"
            " JOIN student s ON s.id = cr.student_id"
        )
        where.append(students)
        params.extend(student_params)
    sql = (
        f"SELECT DISTINCT w.reservation_id AS id, w.word AS word FROM search_word w{join} "
        f"WHERE {' AND '.join(where)} LIMIT ?"
    )
    params.append(limit)
    return sql, params


def search(text: str, residence_id: int | None = None, limit: int = MAX_RESULTS) -> list[int]:
    """Reservation ids matching ``text``, best first: an exact reference, the room's number,
    then reservations with a word equal to the longest term, then the others, each the latest
    lease first; in a residence (and the requests not yet placed) when one is given."""
    scope = None if residence_id is None else [residence_id, 0]
    rows = search_rows(text, scope, limit)
    return [row[0] for row in rows]


def reference_of(text: str) -> str | None:
    """``text`` as a reservation reference (case and spaces ignored), if it has the shape."""
    candidate = "".join(text.split()).upper()
    return candidate if _REFERENCE.fullmatch(candidate) else None


def search_rows(
    text: str,
    scope: Sequence[int] | None,
    limit: int = MAX_RESULTS,
    students: str = "",
    student_params: Sequence[Any] = (),
    today: date | None = None,
) -> list[tuple[Any, ...]]:
    """One statement: the reservations ``text`` finds in ``scope`` (residence ids, 0 for the
    requests not yet placed; None: all), with what the result list shows: ``(id, reference,
    first_name, last_name, room, status, proposal_sent_at, lease_start, rank)``.

    Ranked: the exact reference, the room's number, a word equal to the longest term, then
    the others; within each, the stays still running or to come on ``today``, the soonest
    first, then those that ended, the latest first."""
    found = terms(text)
    reference = reference_of(text)
    if not found and reference is None:
        return []
    params: list[Any] = []
    parts: list[str] = []
    if found:
        bound = limit * CANDIDATES if len(found[0]) > 2 else limit  # "a": any 50 will do
        sql, candidate_params = candidates_sql(found, scope, bound, students, student_params)
        parts.append(f"SELECT id, word FROM ({sql}) cw")
        params.extend(candidate_params)
    if reference is not None:
        condition = "rr.reference = ?"
        params.append(reference)
        join = " LEFT JOIN room rm ON rm.id = rr.room_id"
        if scope is not None:
            condition += f" AND COALESCE(rm.residence_id, 0) IN ({', '.join('?' * len(scope))})"
            params.extend(scope)
        if students:
            join += " JOIN student s ON s.id = rr.student_id"
            condition += f" AND {students}"
            params.extend(student_params)
        parts.append(f"SELECT rr.id, '' FROM reservation rr{join} WHERE {condition}")
    exact = found[0] if found else ""
    sql = (
        f"WITH c(id, word) AS ({' UNION ALL '.join(parts)}), "
        "k(id, rank) AS (SELECT id, MIN(CASE WHEN word = ? THEN 2 ELSE 3 END) FROM c GROUP BY id) "
        "SELECT r.id, r.reference, s.first_name, s.last_name, COALESCE(m.number, ''), "
        "r.status, r.proposal_sent_at, r.lease_start, "
        "CASE WHEN r.reference = ? THEN 0 WHEN LOWER(REPLACE(m.number, '-', '')) = ? THEN 1 "
        "ELSE k.rank END AS rank "
        "FROM k JOIN reservation r ON r.id = k.id JOIN student s ON s.id = r.student_id "
        "LEFT JOIN room m ON m.id = r.room_id "
        "ORDER BY rank, CASE WHEN r.lease_end >= ? THEN 0 ELSE 1 END, "
        "CASE WHEN r.lease_end >= ? THEN r.lease_start END, r.lease_start DESC, r.id DESC "
        "LIMIT ?"
    )
    # no day: every stay counts as ended, the latest first
    ended = Reservation.lease_end.db_value(today) if today is not None else "9999-12-31"
    params.extend([exact, reference or "", "".join(words(text)), ended, ended, limit])
    return [tuple(row) for row in db.execute_sql(_sql(sql), params).fetchall()]


def find_reference(text: str, residence_id: int | None = None) -> Reservation | None:
    """The reservation whose reference is exactly ``text`` (case and spaces ignored), within
    the desk's residence when one is given."""
    candidate = reference_of(text)
    if candidate is None:
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
