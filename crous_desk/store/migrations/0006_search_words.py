"""The search index as a plain table of folded words, clustered by (residence, word), in place
of the FTS5 table: a search reads a few index pages inside the desk's residence whatever the
size of the file, and one reservation is re-indexed by its own index (no full scan).

The folding is a frozen copy of crous_desk.store.search_index.fold as it was when this
migration was written: a later change there must not change what this migration computes.
"""

import unicodedata

from peewee import SqliteDatabase

_LETTERS = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i", "ŧ": "t"}
)
_BATCH = 20_000


def _words(text):
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = folded.casefold().translate(_LETTERS)
    out, word = [], []
    for c in folded:
        if c.isalnum():
            word.append(c)
        elif word:
            out.append("".join(word))
            word = []
    if word:
        out.append("".join(word))
    return out


def _sql(db, text):
    return text.replace("?", db.param)


def up(migrator, db):
    sqlite = isinstance(db, SqliteDatabase)
    db.execute_sql(
        "CREATE TABLE search_word ("
        + ("word TEXT NOT NULL, " if sqlite else 'word TEXT COLLATE "C" NOT NULL, ')
        + "residence_id INTEGER NOT NULL, reservation_id INTEGER NOT NULL"
        # the newest reservations first among those bearing a word
        + (
            ", PRIMARY KEY (residence_id, word, reservation_id DESC)) WITHOUT ROWID"
            if sqlite
            else ")"
        )
    )
    if not sqlite:  # the same order: a PostgreSQL key has no direction, an index has
        db.execute_sql(
            "CREATE UNIQUE INDEX search_word_key "
            "ON search_word (residence_id, word, reservation_id DESC)"
        )
    db.execute_sql("CREATE INDEX search_word_reservation ON search_word (reservation_id, word)")
    if sqlite:
        db.execute_sql("DROP TABLE IF EXISTS search_index")
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
        rows: list = []
        for rid, residence_id, *parts in batch:
            found: set = set()
            for part in parts:
                if part:
                    found.update(_words(part))
            rows.extend((w, residence_id, rid) for w in sorted(found))
        if rows:
            cursor.executemany(
                _sql(
                    db,
                    "INSERT INTO search_word (word, residence_id, reservation_id) VALUES (?, ?, ?)",
                ),
                rows,
            )
        last = batch[-1][0]


def down(migrator, db):
    db.execute_sql("DROP TABLE IF EXISTS search_word")
    if isinstance(db, SqliteDatabase):
        db.execute_sql(
            "CREATE VIRTUAL TABLE search_index USING fts5("
            "body, reservation_id UNINDEXED, residence_id UNINDEXED, "
            "tokenize = 'unicode61 remove_diacritics 2')"
        )
        db.execute_sql(
            "INSERT INTO search_index (body, reservation_id, residence_id) "
            "SELECT s.first_name || ' ' || s.last_name || ' ' || COALESCE(s.ine, '') || ' ' "
            "|| r.reference || ' ' || COALESCE(m.number, '') || ' ' || s.email, r.id, "
            "m.residence_id FROM reservation r JOIN student s ON s.id = r.student_id "
            "LEFT JOIN room m ON m.id = r.room_id"
        )
