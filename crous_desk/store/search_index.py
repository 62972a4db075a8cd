"""One search box: names in any order, without accents or case, INE, reference, room, e-mail.

The index is a plain table of folded words (accents and case removed), one row per word of a
reservation, clustered by ``(residence_id, word, reservation_id)`` (``0`` for a request not
yet placed in a residence). A term the user types matches every word it begins, by range
(``word >= 'hel' AND word < 'hem'``) inside the residences the desk may see, so a search reads
the few index pages it needs and stops at a bounded candidate set however large the file; a
second term is checked on the same reservation by the ``(reservation_id, word)`` index.

Two or more terms ("helene dupont") would check every reservation bearing the first one;
two more tables make that cheap. A reservation's words are split into name words (the words
of its names, and the other words that begin with one of them: "dupont42" of an e-mail) and
other words (INE, reference, room, the rest of the e-mail): ``search_other`` holds the other
words; ``search_name`` holds each name word after a space (``" helene"``) and each ordered pair
of them (``"helene dupont"``). Two terms on two name words are then a range of pairs
(``"helene dupont"`` to ``"helene dupopt"``); a term on another word is found by the other
words it begins when they are few, else from the other term's side (see ``_two_terms_sql``):
together exactly the reservations the words give, and the same ranking.

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
MAX_NAME_WORDS = 8  # a reservation's pairs of name words: 56 at most
CANDIDATES = 4  # rank at most this many times the limit, the first in index order
_BATCH = 20_000

# letters NFKD does not take apart, as a French desk reads them
_LETTERS = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i", "ŧ": "t"}
)
_REFERENCE = re.compile(r"[A-Z0-9]{6}")


_WORD = re.compile(r"[^\W_]+")  # a run of what str.isalnum() accepts (a test checks each)


def fold(text: str) -> str:
    """``text`` without accents or case: "Hélène" and "HELENE" both give "helene"."""
    if text.isascii():  # nothing to take apart or translate: casefold is lower there
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.casefold().translate(_LETTERS)


def words(text: str) -> list[str]:
    """The folded words of ``text``: runs of letters and digits ("B-112" gives "b", "112")."""
    return _WORD.findall(fold(text))


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
    names, other = split_words(first_name, last_name, ine, reference, room, email)
    return names | other


def split_words(
    first_name: str,
    last_name: str,
    ine: str | None,
    reference: str,
    room: str | None,
    email: str | None,
) -> tuple[set[str], set[str]]:
    """The words of a reservation as ``(name words, other words)``, each word in one of them.

    Name words: the words of the names, and the other words that begin with one of them
    ("dupont42" of an e-mail: a term it begins with begins the name, or is longer than it),
    at most ``MAX_NAME_WORDS`` (the rest counts among the other words)."""
    names = set(words(first_name)) | set(words(last_name))
    other: set[str] = set()
    for part in (ine, reference, room, email):
        if part:
            other.update(words(part))
    every = names | other
    names |= {w for w in other if any(w.startswith(n) for n in names)}
    if len(names) > MAX_NAME_WORDS:
        names = set(sorted(names)[:MAX_NAME_WORDS])
    return names, every - names


def name_rows(names: set[str]) -> set[str]:
    """What ``search_name`` holds for these name words: each alone after a space (``" helene"``),
    and ``"a b"`` for each ordered pair, but those where one word begins the other (two terms
    such words would match are one term and its beginning: one term is enough)."""
    pairs = {
        f"{a} {b}" for a in names for b in names if not a.startswith(b) and not b.startswith(a)
    }
    return pairs | {f" {a}" for a in names}


def _upper(prefix: str) -> str | None:
    """The first string after every string that begins with ``prefix`` (None: no bound)."""
    last = ord(prefix[-1])
    if last >= 0x10FFFF:
        return None
    return prefix[:-1] + chr(last + 1)


def _sql(text: str) -> str:
    return text.replace("?", db.param) if db.param != "?" else text


# -- writing ----------------------------------------------------------------------------------


TABLES = ("search_word", "search_name", "search_other")  # the index, in the order of rows()


def rows_of(
    first_name: str,
    last_name: str,
    ine: str | None,
    reference: str,
    room: str | None,
    email: str | None,
) -> tuple[set[str], set[str], set[str]]:
    """What one reservation puts in each table of ``TABLES``: its words, its name words alone
    and in pairs, its other words."""
    names, other = split_words(first_name, last_name, ine, reference, room, email)
    return names | other, name_rows(names), other  # every word is a name or another word


def index_reservation(reservation: Reservation) -> None:
    """(Re)write the words of one reservation; call it inside the changing transaction.

    A few indexed statements whatever the size of the file; nothing is written when the
    words and the residence are unchanged (an import that changes nothing writes nothing)."""
    student = reservation.student
    room = reservation.room
    residence_id = room.residence_id if room is not None else 0
    wanted = rows_of(
        student.first_name,
        student.last_name,
        student.ine,
        reservation.reference,
        room.number if room is not None else None,
        student.email,
    )
    for table, words_ in zip(TABLES, wanted, strict=True):
        stored = db.execute_sql(
            _sql(f"SELECT word, residence_id FROM {table} WHERE reservation_id = ?"),
            (reservation.id,),
        ).fetchall()
        if {w for w, _r in stored} == words_ and all(r == residence_id for _w, r in stored):
            continue
        if stored:
            db.execute_sql(_sql(f"DELETE FROM {table} WHERE reservation_id = ?"), (reservation.id,))
        _insert([(w, residence_id, reservation.id) for w in sorted(words_)], table=table)


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
        by_id = {row[0]: row for row in documents}
        wanted = {
            rid: (residence_id, rows_of(first, last_name, ine, reference, room, email))
            for rid, residence_id, first, last_name, ine, reference, room, email in documents
        }
        for n, table in enumerate(TABLES):
            stored: dict[int, list[tuple[str, int]]] = {}
            for word, residence_id, rid in db.execute_sql(
                f"SELECT word, residence_id, reservation_id FROM {table} "
                f"WHERE reservation_id IN ({marks})",
                chunk,
            ).fetchall():
                stored.setdefault(rid, []).append((word, residence_id))
            stale: list[int] = []
            rows: list[tuple[str, int, int]] = []
            for rid in chunk:
                if rid not in by_id:
                    continue
                residence_id, found = wanted[rid]
                had = stored.get(rid, [])
                if {w for w, _r in had} == found[n] and all(r == residence_id for _w, r in had):
                    continue
                if had:
                    stale.append(rid)
                rows.extend((w, residence_id, rid) for w in sorted(found[n]))
            if stale:
                db.execute_sql(
                    f"DELETE FROM {table} "
                    f"WHERE reservation_id IN ({', '.join([db.param] * len(stale))})",
                    stale,
                )
            _insert(rows, table=table)


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

    Linear: the reservations are read in batches of their primary key, their rows appended
    to a scratch table per table of the index, then written into each in its own order (one
    sort, no random insertion into a large tree), and the indexes by reservation built last."""
    database = database or db
    for table in TABLES:
        database.execute_sql(f"DELETE FROM {table}")
        database.execute_sql(f"DROP INDEX IF EXISTS {table}_reservation")
        database.execute_sql(f"DROP TABLE IF EXISTS {table}_load")
        database.execute_sql(
            f"CREATE TEMPORARY TABLE {table}_load "
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
        loads: tuple[list[tuple[str, int, int]], ...] = ([], [], [])
        for rid, residence_id, first, last_name, ine, reference, room, email in batch:
            for load, found in zip(
                loads, rows_of(first, last_name, ine, reference, room, email), strict=True
            ):
                load.extend((word, residence_id, rid) for word in found)
        for table, load in zip(TABLES, loads, strict=True):
            _insert(load, database, f"{table}_load")
        count += len(batch)
        last = batch[-1][0]
    for table in TABLES:
        database.execute_sql(
            f"INSERT INTO {table} (word, residence_id, reservation_id) "
            f"SELECT word, residence_id, reservation_id FROM {table}_load "
            "ORDER BY residence_id, word, reservation_id DESC"
        )
        database.execute_sql(f"DROP TABLE {table}_load")
        database.execute_sql(f"CREATE INDEX {table}_reservation ON {table} (reservation_id, word)")
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


def undominated(found: list[str]) -> list[str]:
    """``found`` without the terms another one begins with ("hel" beside "helene"): a word
    beginning with the longer term begins with the shorter one too, so the search is the same."""
    return [t for t in found if not any(o != t and o.startswith(t) for o in found)]


def _on_words(terms_: Sequence[str], params: list[Any], alias: str) -> list[str]:
    """Each of ``terms_`` begins a word of the reservation ``alias``, checked by its index."""
    return [
        _has("search_word", f"x{n}" if n else "x", term, params, alias)
        for n, term in enumerate(terms_)
    ]


FEW, SMALL = 64, 1_000  # rows a drive may read: FEW, either side; SMALL, the other words


def _at_most(table: str, term: str, rows: int, scope: Sequence[int] | None) -> tuple[str, list]:
    """Whether ``term`` begins at most ``rows`` words of ``table`` in ``scope``: the count stops
    there (an uncorrelated condition: computed once, and only when the CASE comes to it)."""
    params: list[Any] = []
    alias = f"{table[7]}{rows}"  # search_[o]ther, search_[w]ord, search_[n]ame
    where = f"{_residences(scope, params, alias)} AND {_range(term, params, alias)}"
    params.append(rows)
    return f"NOT EXISTS (SELECT 1 FROM {table} {alias} WHERE {where} LIMIT 1 OFFSET ?)", params


def _by_other_words(
    steps: Sequence[tuple[str, str, int, int]], otherwise: int, scope: Sequence[int] | None
) -> tuple[str, list[Any]]:
    """Whether the other words drive (``1``) rather than the other side (``0``): the value of
    the first step ``(table, term, rows, value)`` where ``term`` begins at most ``rows`` words
    of ``table``, else ``otherwise``. The counts are only read as far as the CASE goes."""
    sql, params = "CASE", []
    for table, word, rows, value in steps:
        condition, found = _at_most(table, word, rows, scope)
        sql += f" WHEN {condition} THEN {value}"
        params += found
    return f"{sql} ELSE {otherwise} END = 1", params


def _chosen_range(
    term: str, params: list[Any], alias: str, choice: tuple[str, list[Any]], when: bool
) -> str:
    """The words ``term`` begins when ``choice`` is ``when``, else none: the range then ends
    where it starts (a condition on the rows would read them all to find it false)."""
    upper = _upper(term)
    params.append(term)
    params.extend(choice[1])
    if upper is None:  # never a term: U+10FFFF is no letter
        return f"{alias}.word >= ? AND {'' if when else 'NOT '}({choice[0]})"
    params.extend([upper, term] if when else [term, upper])
    return f"{alias}.word >= ? AND {alias}.word < CASE WHEN {choice[0]} THEN ? ELSE ? END"


def _has(table: str, alias: str, term: str, params: list[Any], of: str) -> str:
    """The reservation ``of`` has a word of ``table`` that ``term`` begins, by its index."""
    condition = _range(term, params, alias)
    return (
        f"EXISTS (SELECT 1 FROM {table} {alias} "
        f"WHERE {alias}.reservation_id = {of}.reservation_id AND {condition})"
    )


def _two_terms_sql(found: list[str], scope: Sequence[int] | None) -> tuple[list[str], list[Any]]:
    """The drives of two terms or more (``found`` undominated, so that no word begins with two
    of them), each a statement of ``(id, word)`` rows, together exactly the reservations where
    every term begins a word. Where the first two terms begin two words:

    - two name words: a range of the pairs (``search_name``), the first word the first term
      itself, then the longer first words (``"helenette dupont"``);
    - the first term another word (``search_other``), the second any word;
    - the first term a name word, the second another word: the smaller side drives, as far
      as a few bounded counts tell (when the term's other words are many, the word is
      common: most reservations found on the other side have it); the other reads an empty
      range.

    The drives read rows of the first term (its pairs, its other words, its name words), but
    the second term's other words when they are few (SMALL at most). Every further term is
    checked on the same reservation. ``word`` is the first term when it is known to be a word of the
    reservation, else ``''`` (so that a reservation is one row, two at most, of the bounded
    set).

    Whatever drives, a reservation is found only on its words (``search_word``, the other
    term checked there, or the drive itself): an emptied or never-built ``search_word`` (a
    bulk load) finds nothing until ``rebuild_index``, whatever the other tables hold."""
    first, second, rest = found[0], found[1], found[2:]
    parts: list[str] = []
    params: list[Any] = []

    def part(select: str, alias: str, table: str, where: list[str], local: list[Any]) -> None:
        checks = _on_words(rest, local, alias)
        parts.append(f"SELECT {select} FROM {table} {alias} WHERE {' AND '.join(where + checks)}")
        params.extend(local)

    # two name words: "helene dupont" <= pair < "helene dupopt"
    local: list[Any] = [first]
    where = [_residences(scope, local, "p"), "p.word >= ?", "p.word < ?"]
    upper = _upper(second)
    local += [f"{first} {second}", f"{first} {upper}" if upper is not None else f"{first}!"]
    where.append(_has("search_word", "x", second, local, "p"))
    part("p.reservation_id AS id, ? AS word", "p", "search_name", where, local)
    # a longer first name word: after every "helene ..." ("!" follows " "), LIKE the pair
    local = []
    where = [_residences(scope, local, "q"), "q.word >= ?"]
    local.append(f"{first}!")
    upper = _upper(first)
    if upper is not None:
        where.append("q.word < ?")
        local.append(upper)
    # terms are letters and digits: never a LIKE wildcard. The pattern is an expression, not
    # a parameter alone: SQLite would prepare the statement again at every value bound to it
    # (and "%" is a parameter too: a placeholder's sign for psycopg)
    where.append("q.word LIKE ? || ? || ? || ?")
    local += [first, "% ", second, "%"]
    where.append(_has("search_word", "x", second, local, "q"))
    part("q.reservation_id, ''", "q", "search_name", where, local)
    # the first term begins another word, the second any word: the other words the first
    # term begins drive (some of its words: no more than a search of it alone; "w", as there)
    local = []
    where = [_residences(scope, local, "w"), _range(first, local, "w")]
    where.append(_has("search_word", "x", second, local, "w"))
    part(
        "w.reservation_id, CASE WHEN w.word = ? THEN w.word ELSE '' END",
        "w",
        "search_other",
        where,
        [first, *local],
    )
    # the first term begins a name word (" helene" alone), the second another word
    few = _by_other_words(
        [
            ("search_name", f" {first}", 0, 0),  # no name word: nothing to drive ("B-404")
            ("search_other", second, FEW, 1),
            ("search_name", f" {first}", FEW, 0),
            ("search_other", second, SMALL, 1),
        ],
        0,  # both common: the names (most have the other word)
        scope,
    )
    local = []
    where = [_residences(scope, local, "v"), _chosen_range(second, local, "v", few, True)]
    where.append(_has("search_word", "x", first, local, "v"))
    part("v.reservation_id, ''", "v", "search_other", where, local)
    local = []
    where = [_residences(scope, local, "n"), _chosen_range(f" {first}", local, "n", few, False)]
    where.append(_has("search_word", "x", second, local, "n"))
    part(
        "n.reservation_id, CASE WHEN n.word = ? THEN ? ELSE '' END",
        "n",
        "search_name",
        where,
        [f" {first}", first, *local],
    )
    return parts, params


def candidates_sql(
    found: list[str],
    scope: Sequence[int] | None,
    limit: int,
    students: str = "",
    student_params: Sequence[Any] = (),
) -> tuple[str, list[Any]]:
    """The statement of the bounded candidate set: ``(id, word)`` rows, ``limit`` at most.
    One term: the words it begins in index order. More (see ``_two_terms_sql``): the drives
    one after the other, each other term checked on the same reservation. ``students`` is an
    extra condition on ``s`` (the student), e.g. a manager's."""
    found = undominated(found)
    params: list[Any] = []
    if len(found) == 1:
        where = [_residences(scope, params, "w"), _range(found[0], params, "w")]
        source, id_ = "search_word w", "w.reservation_id"
        select = "w.reservation_id AS id, w.word AS word"
    else:
        parts, params = _two_terms_sql(found, scope)
        where = []
        source, id_ = f"({' UNION ALL '.join(parts)}) cw", "cw.id"
        select = "cw.id, cw.word"
    join = ""
    if students:
        join = f" JOIN reservation cr ON cr.id = {id_} JOIN student s ON s.id = cr.student_id"
        where.append(students)
        params.extend(student_params)
    condition = f" WHERE {' AND '.join(where)}" if where else ""
    sql = f"SELECT DISTINCT {select} FROM {source}{join}{condition} LIMIT ?"
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
    rank = "MIN(CASE WHEN word = ? THEN 2 ELSE 3 END)"
    if len(undominated(found)) > 1:  # a drive may not show the first term's word: ask its index
        rank = (
            f"CASE WHEN {rank} = 2 THEN 2 WHEN EXISTS (SELECT 1 FROM search_word e "
            "WHERE e.reservation_id = c.id AND e.word = ?) THEN 2 ELSE 3 END"
        )
        params.append(exact)  # the same term twice, just after the candidates' parameters
    sql = (
        f"WITH c(id, word) AS ({' UNION ALL '.join(parts)}), "
        f"k(id, rank) AS (SELECT id, {rank} FROM c GROUP BY id) "
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
