"""Two more tables of the search index, so that two terms ("helene dupont") are found by a
range of the index instead of checking every reservation bearing the first one:
``search_name``, each reservation's name words alone (``" helene"``) and in ordered pairs
(``"helene dupont"``), and ``search_other``, its other words (see
crous_desk.store.search_index).

The folding and the split of the words are a frozen copy of crous_desk.store.search_index as
it was when this migration was written: a later change there must not change what this
migration computes.
"""

import re
import unicodedata

from peewee import SqliteDatabase

_LETTERS = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i", "ŧ": "t"}
)
_BATCH = 20_000
_MAX_NAME_WORDS = 8
TABLES = ("search_name", "search_other")


_WORD = re.compile(r"[^\W_]+")  # a run of what str.isalnum() accepts


def _words(text):
    if text.isascii():
        return _WORD.findall(text.lower())
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _WORD.findall(folded.casefold().translate(_LETTERS))


def _names_and_other(first, last, ine, reference, room, email):
    names = set(_words(first)) | set(_words(last))
    other = set()
    for part in (ine, reference, room, email):
        if part:
            other.update(_words(part))
    every = names | other
    names |= {w for w in other if any(w.startswith(n) for n in names)}
    if len(names) > _MAX_NAME_WORDS:
        names = set(sorted(names)[:_MAX_NAME_WORDS])
    pairs = {
        f"{a} {b}" for a in names for b in names if not a.startswith(b) and not b.startswith(a)
    }
    return pairs | {f" {a}" for a in names}, every - names


def _sql(db, text):
    return text.replace("?", db.param)


def up(migrator, db):
    sqlite = isinstance(db, SqliteDatabase)
    for table in TABLES:
        db.execute_sql(
            f"CREATE TABLE {table} ("
            + ("word TEXT NOT NULL, " if sqlite else 'word TEXT COLLATE "C" NOT NULL, ')
            + "residence_id INTEGER NOT NULL, reservation_id INTEGER NOT NULL"
            + (
                ", PRIMARY KEY (residence_id, word, reservation_id DESC)) WITHOUT ROWID"
                if sqlite
                else ")"
            )
        )
        if not sqlite:
            db.execute_sql(
                f"CREATE UNIQUE INDEX {table}_key "
                f"ON {table} (residence_id, word, reservation_id DESC)"
            )
        db.execute_sql(
            f"CREATE TEMPORARY TABLE {table}_load "
            "(word TEXT NOT NULL, residence_id INTEGER NOT NULL, reservation_id INTEGER NOT NULL)"
        )
    last = 0
    cursor = db.cursor()
    while True:
        batch = db.execute_sql(
            _sql(
                db,
                "SELECT r.id, COALESCE(m.residence_id, 0), s.first_name, s.last_name, s.ine, "
                "r.reference, m.number, s.email FROM reservation r "
                "JOIN student s ON s.id = r.student_id LEFT JOIN room m ON m.id = r.room_id "
                "WHERE r.id > ? ORDER BY r.id LIMIT ?",
            ),
            (last, _BATCH),
        ).fetchall()
        if not batch:
            break
        loads: tuple[list, list] = ([], [])
        for rid, residence_id, *parts in batch:
            for load, found in zip(loads, _names_and_other(*parts), strict=True):
                load.extend((w, residence_id, rid) for w in found)
        for table, load in zip(TABLES, loads, strict=True):
            if load:
                cursor.executemany(
                    _sql(
                        db,
                        f"INSERT INTO {table}_load (word, residence_id, reservation_id) "
                        "VALUES (?, ?, ?)",
                    ),
                    load,
                )
        last = batch[-1][0]
    for table in TABLES:  # in the index's order: one sort, no random insertion
        db.execute_sql(
            f"INSERT INTO {table} (word, residence_id, reservation_id) "
            f"SELECT word, residence_id, reservation_id FROM {table}_load "
            "ORDER BY residence_id, word, reservation_id DESC"
        )
        db.execute_sql(f"DROP TABLE {table}_load")
        db.execute_sql(f"CREATE INDEX {table}_reservation ON {table} (reservation_id, word)")


def down(migrator, db):
    for table in TABLES:
        db.execute_sql(f"DROP TABLE IF EXISTS {table}")
