"""One search box: names in any order without accents or case, INE, reference, room, e-mail."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import peewee
import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crous_desk.base.clock import FixedClock
from crous_desk.services import Desk
from crous_desk.store import search_index as search
from crous_desk.store.models import Reservation, Student
from tests import factories
from tests.factories import MONDAY_10H


@dataclass
class People:
    helene: Reservation
    durand: Reservation
    martin: Reservation
    elsewhere: Reservation  # another Hélène Dupont, at another residence
    gaston: Desk
    luminy: Desk
    everywhere: Desk


@pytest.fixture
def people(database: peewee.Database) -> Iterator[People]:
    with time_machine.travel(MONDAY_10H, tick=False):
        gaston = factories.residence()
        luminy = factories.residence("luminy", "Résidence de Luminy")
        helene = factories.reservation(room_=factories.room(gaston, "B-112"))
        durand = factories.reservation(last="Durand", room_=factories.room(gaston, "B-113"))
        martin = factories.reservation(first="Jean", last="Martin")
        elsewhere = factories.reservation(room_=factories.room(luminy, "A-112"))
        actor = factories.staff()
        clock = FixedClock(MONDAY_10H)
        yield People(
            helene=helene,
            durand=durand,
            martin=martin,
            elsewhere=elsewhere,
            gaston=Desk(actor, clock, gaston),
            luminy=Desk(actor, clock, luminy),
            everywhere=Desk(actor, clock, None),
        )


def index_rows(
    database: peewee.Database, tables: tuple[str, ...] = search.TABLES
) -> list[list[tuple[object, ...]]]:
    """Every row of the search index's tables (or of ``tables``), in key order."""
    return [
        database.execute_sql(f"SELECT * FROM {table} ORDER BY 1, 2, 3").fetchall()
        for table in tables
    ]


def found(desk: Desk, text: str) -> list[int]:
    return [row.reservation_id for row in desk.search(text)]


@pytest.mark.parametrize(
    "text",
    ["helene dupont", "DUPONT Hélène", "hel dup", "  Helene   DUPONT ", "dupont", "HÉLÈNE dupont"],
)
def test_a_name_in_any_order_without_accents_or_case(people: People, text: str) -> None:
    ids = found(people.gaston, text)
    assert people.helene.id in ids
    assert people.durand.id not in ids
    assert people.martin.id not in ids


def test_a_first_name_alone_finds_everyone_who_bears_it(people: People) -> None:
    ids = found(people.gaston, "helene")
    assert set(ids) == {people.helene.id, people.durand.id}


def test_the_ine_finds_the_student(people: People) -> None:
    ine = people.helene.student.ine
    assert found(people.gaston, ine) == [people.helene.id]
    assert found(people.gaston, ine.lower()) == [people.helene.id]


def test_the_reference_finds_the_reservation_first(people: People) -> None:
    ref = people.helene.reference
    assert found(people.gaston, ref)[0] == people.helene.id
    assert found(people.gaston, ref.lower())[0] == people.helene.id
    assert found(people.gaston, " ".join(ref))[0] == people.helene.id  # as a scanner may space it


@pytest.mark.parametrize("text", ["B-112", "b-112", "b 112"])
def test_the_room_number_finds_its_tenant(people: People, text: str) -> None:
    assert found(people.gaston, text) == [people.helene.id]


def test_the_email_finds_the_student(people: People) -> None:
    email = people.helene.student.email
    assert found(people.gaston, email) == [people.helene.id]
    assert found(people.gaston, email.upper()) == [people.helene.id]


def test_search_rows_carry_what_the_list_shows(people: People) -> None:
    (first,) = people.gaston.search(people.helene.reference)[:1]
    assert first.name == "Hélène Dupont"
    assert first.room == "B-112"
    assert first.reference == people.helene.reference
    assert first.status == "accepted"


def test_nothing_searchable_finds_nothing(people: People) -> None:
    for text in ["", "   ", "'", '"', "*", "-", "^", "()", "--- *** '''"]:
        assert found(people.gaston, text) == []


# --- residence scope -------------------------------------------------------------------------


def test_a_desk_finds_only_its_residence(people: People) -> None:
    assert found(people.gaston, "helene dupont") == [people.helene.id]
    assert found(people.luminy, "helene dupont") == [people.elsewhere.id]
    assert set(found(people.everywhere, "helene dupont")) == {
        people.helene.id,
        people.elsewhere.id,
    }
    assert found(people.luminy, "B-112") == []
    assert found(people.luminy, people.helene.student.ine) == []


def test_a_reference_from_another_residence_is_not_found(people: People) -> None:
    assert found(people.luminy, people.helene.reference) == []
    assert found(people.gaston, people.elsewhere.reference) == []
    assert found(people.everywhere, people.elsewhere.reference)[0] == people.elsewhere.id


# --- no input can break the query ------------------------------------------------------------

SYNTAX = st.sampled_from(
    [
        "AND",
        "OR",
        "NOT",
        "NEAR",
        "NEAR(",
        "near/2",
        "*",
        "^",
        "(",
        ")",
        '"',
        '""',
        "'",
        "O'Brien",
        "-",
        "B-112",
        ":",
        "body:",
        "reservation_id:1",
        "{body}",
        "+",
        "hel*",
        "Hélène",
        "dup",
        "\\",
        "%",
        "_",
        ";",
        "--",
        "\x00",
        "\x1b[31m",
        "🙂",
        "ǅ",
        "ﬀ",
    ]
)
QUERIES = st.one_of(
    st.text(max_size=60),
    st.lists(SYNTAX, max_size=8).map(" ".join),
    st.lists(SYNTAX, max_size=8).map("".join),
)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(QUERIES)
def test_no_text_ever_raises(people: People, text: str) -> None:
    ids = search.search(text)
    assert all(isinstance(i, int) for i in ids)
    scoped = found(people.gaston, text)
    assert set(scoped) <= {people.helene.id, people.durand.id, people.martin.id}


def test_terms_are_folded_words_longest_first() -> None:
    assert search.terms('O"Brien') == ["brien", "o"]
    assert search.terms("hel dup") == ["hel", "dup"]
    assert search.terms("Hélène  DUPONT hélène") == ["helene", "dupont"]
    assert search.terms("Łukasz Østergaard Şahin ﬀ") == ["ostergaard", "lukasz", "sahin", "ff"]
    assert search.terms("' - * ^") == []
    assert search.terms(" ".join("abcdefghijkl")) == list("abcdefgh")  # at most 8 terms


# --- the index: what a search reads, what a write costs --------------------------------------


def plan(database: peewee.Database, sql: str, params: list[object]) -> str:
    rows = database.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    return "\n".join(row[-1] for row in rows)


@pytest.mark.sqlite_only  # SQLite's query plans, trace and counters
@pytest.mark.parametrize("text", ["a", "hel", "dupont", "helene dupont", "B-112"])
@pytest.mark.parametrize("scope", [[1, 0], None])
def test_a_search_reads_the_index_by_range_within_the_residences(
    people: People, database: peewee.Database, text: str, scope: list[int] | None
) -> None:
    sql, params = search.candidates_sql(search.terms(text), scope, 200)
    shown = plan(database, sql, params)
    assert "SCAN w" not in shown and "SCAN search_word" not in shown, shown
    assert "SEARCH w USING PRIMARY KEY (residence_id=? AND word>? AND word<?)" in shown, shown
    if len(search.terms(text)) > 1:  # the other words, on the same reservation, by its index
        assert "SEARCH x USING COVERING INDEX search_word_reservation" in shown, shown


@pytest.mark.sqlite_only  # SQLite's query plans, trace and counters
def test_the_whole_search_is_one_statement_on_indexes(
    people: People, database: peewee.Database
) -> None:
    seen: list[str] = []
    connection = database.connection()
    connection.set_trace_callback(seen.append)  # each statement, its parameters expanded
    try:
        assert found(people.gaston, "helene dup") == [people.helene.id]
        assert found(people.everywhere, people.helene.reference)[0] == people.helene.id
    finally:
        connection.set_trace_callback(None)
    searches = [sql for sql in seen if "search_word" in sql or "rr.reference" in sql]
    assert len(searches) == 2, seen
    assert not any(
        "FROM reservation" in sql and "search_word" not in sql and "rr." not in sql for sql in seen
    ), seen  # no row loaded one by one
    for sql in searches:
        shown = plan(database, sql, [])
        scans = {line.split()[1] for line in shown.splitlines() if line.startswith("SCAN")}
        # the candidates (c, cw, k), a constant, the few residences: never a big table
        assert scans <= {"c", "cw", "k", "CONSTANT", "residence"}, shown


@pytest.mark.sqlite_only  # SQLite's query plans, trace and counters
def test_reindexing_one_reservation_reads_and_writes_its_own_rows(
    people: People, database: peewee.Database
) -> None:
    shown = plan(database, "DELETE FROM search_word WHERE reservation_id = ?", [1])
    assert "search_word_reservation (reservation_id=?)" in shown, shown
    shown = plan(
        database, "SELECT word, residence_id FROM search_word WHERE reservation_id = ?", [1]
    )
    assert "search_word_reservation (reservation_id=?)" in shown, shown


@pytest.mark.sqlite_only  # SQLite's query plans, trace and counters
def test_an_unchanged_reservation_is_not_rewritten(
    people: People, database: peewee.Database
) -> None:
    changes = database.execute_sql("SELECT total_changes()").fetchone()[0]
    search.index_reservation(Reservation.get_by_id(people.helene.id))
    assert database.execute_sql("SELECT total_changes()").fetchone()[0] == changes


def test_a_renamed_or_moved_reservation_is_found_by_its_new_words(
    people: People, database: peewee.Database
) -> None:
    student = people.martin.student
    student.last_name = "Żółkiewski"
    student.save()
    reservation = Reservation.get_by_id(people.martin.id)
    reservation.room = people.durand.room  # placed in Gaston Berger
    reservation.save()
    search.index_reservation(Reservation.get_by_id(people.martin.id))
    assert found(people.gaston, "zolk") == [people.martin.id]
    assert found(people.gaston, "martin") == []
    assert found(people.luminy, "zolk") == []


def test_many_reservations_are_indexed_as_one_at_a_time(
    people: People, database: peewee.Database
) -> None:
    """An import re-indexes its reservations together: the same words as one at a time, the
    unchanged ones left as they are."""

    student = people.martin.student
    student.last_name = "Żółkiewski"
    student.save()
    moved = Reservation.get_by_id(people.durand.id)
    moved.room = people.elsewhere.room
    moved.save()
    ids = [people.martin.id, people.helene.id, people.durand.id, people.martin.id]
    with database.atomic() as transaction:
        for rid in ids:
            search.index_reservation(Reservation.get_by_id(rid))
        one_at_a_time = index_rows(database, ("search_word",))
        transaction.rollback()
    assert index_rows(database, ("search_word",)) != one_at_a_time
    search.index_reservations(ids)
    assert index_rows(database, ("search_word",)) == one_at_a_time
    assert found(people.luminy, "zolk durand") == []
    assert found(people.everywhere, "zolk") == [people.martin.id]


def test_rebuilding_gives_the_index_the_writes_gave(
    people: People, database: peewee.Database
) -> None:
    written = index_rows(database, ("search_word",))
    assert search.rebuild_index() == 4
    assert index_rows(database, ("search_word",)) == written


def test_a_manager_finds_only_their_students(people: People) -> None:
    sophie = factories.manager("s.laurent", ("university", "Nowhere"))
    desk = Desk(sophie, FixedClock(MONDAY_10H), None)
    assert desk.search("helene") == []
    assert desk.search(people.helene.reference) == []
    every = Desk(factories.manager(), FixedClock(MONDAY_10H), None)
    assert {r.reservation_id for r in every.search("dupont")} == {
        people.helene.id,
        people.elsewhere.id,
    }


def test_a_receptionist_of_one_residence_finds_no_request_not_yet_placed(
    people: People,
) -> None:
    clerk = factories.staff("b.roux", scope=(("residence", "luminy"),))
    desk = Desk(clerk, FixedClock(MONDAY_10H), None)
    assert [r.reservation_id for r in desk.search("martin helene dupont jean")] == []
    assert [r.reservation_id for r in desk.search("dupont")] == [people.elsewhere.id]
    at_gaston = Desk(clerk, FixedClock(MONDAY_10H), people.gaston.residence)
    assert at_gaston.search("dupont") == []


@pytest.mark.sqlite_only  # SQLite's query plans, trace and counters
def test_upgrading_a_file_indexes_its_reservations(
    people: People, database: peewee.Database
) -> None:
    from playhouse.migrations import Runner

    from crous_desk.store.db import MIGRATIONS, upgrade

    before = {text: found(people.everywhere, text) for text in ("helene", "B-112", "martin")}
    runner = Runner(database, directory=str(MIGRATIONS), table_name="schema_migration")
    while "0006_search_words" not in runner.down():
        pass
    fts = "SELECT reservation_id FROM search_index WHERE search_index MATCH 'helene' ORDER BY 1"
    assert database.execute_sql(fts).fetchall() == [
        (people.helene.id,),
        (people.durand.id,),
        (people.elsewhere.id,),
    ]
    upgrade(database)
    assert {text: found(people.everywhere, text) for text in before} == before


def test_stays_running_or_to_come_come_first_the_soonest_first(database: peewee.Database) -> None:
    with time_machine.travel(MONDAY_10H, tick=False):
        gaston = factories.residence()
        ended = factories.reservation(
            lease_start=date(2025, 9, 1), lease_end=date(2026, 6, 30), status="departed"
        )
        later = factories.reservation(lease_start=date(2027, 1, 15), status="requested")
        today = factories.reservation(lease_start=date(2026, 11, 23))
        older = factories.reservation(
            lease_start=date(2024, 9, 1), lease_end=date(2025, 6, 30), status="departed"
        )
        desk = Desk(factories.staff(), FixedClock(MONDAY_10H), gaston)
        assert found(desk, "dupont") == [today.id, later.id, ended.id, older.id]
        assert search.search("dupont") == [later.id, today.id, ended.id, older.id]  # no day


def test_a_letter_beyond_the_last_one_has_no_upper_bound() -> None:
    assert search._upper("a") == "b"
    assert search._upper("\U0010ffff") is None


def test_a_receptionist_finds_at_their_own_residence_only_its_files(people: People) -> None:
    clerk = factories.staff("b.roux", scope=(("residence", "gaston-berger"),))
    at_gaston = Desk(clerk, FixedClock(MONDAY_10H), people.gaston.residence)
    assert found(at_gaston, "helene dupont") == [people.helene.id]
    assert found(at_gaston, people.elsewhere.reference) == []
    nowhere = factories.staff("x.nobody", scope=(("residence", "nowhere"),))
    assert found(Desk(nowhere, FixedClock(MONDAY_10H), None), "dupont") == []


def test_a_manager_of_a_campus_and_a_university_finds_either(people: People) -> None:
    Student.update(campus="Luminy").where(Student.id == people.helene.student_id).execute()
    Student.update(home_university="Heidelberg").where(
        Student.id == people.durand.student_id
    ).execute()
    both = factories.manager("c.both", ("campus", "Luminy"), ("university", "Heidelberg"))
    desk = Desk(both, FixedClock(MONDAY_10H), None)
    assert {row.reservation_id for row in desk.search("helene")} == {
        people.helene.id,
        people.durand.id,
    }
    nothing = factories.staff("n.none", role="mobility_manager", scope=())
    assert Desk(nothing, FixedClock(MONDAY_10H), None).search("dupont") == []


# --- two terms: pairs of name words, and the other words -------------------------------------


@dataclass
class Corpus:
    desk: Desk
    scope: list[int]
    ids: dict[str, int]


def _reserve(name: str, first: str, last: str, email: str, room: object) -> tuple[str, int]:
    r = factories.reservation(first=first, last=last, room_=room)
    Student.update(email=email).where(Student.id == r.student_id).execute()
    search.index_reservation(Reservation.get_by_id(r.id))
    return name, r.id


@pytest.fixture
def corpus(database: peewee.Database) -> Iterator[Corpus]:
    with time_machine.travel(MONDAY_10H, tick=False):
        gaston = factories.residence()
        luminy = factories.residence("luminy", "Résidence de Luminy")
        room = factories.room
        people = [
            ("helene", "Hélène", "Dupont", "helene.dupont42@gmail.com", room(gaston, "B-402")),
            ("moreau", "Helene", "DUPONT-Moreau", "hdm@etu.univ-amu.fr", room(gaston, "A-402")),
            ("helenette", "Hélènette", "Dupontel", "hd@outlook.com", room(gaston, "B-403")),
            ("marie", "Marie", "Dupont", "helene.x@gmail.com", room(gaston, "B-404")),
            ("jean", "Jean", "Hélène", "jean.helene@gmail.com", room(gaston, "C-402")),
            ("twice", "Dupont", "Dupont", "dd@example.org", room(gaston, "B-405")),
            ("many", "Maria José Ana Luisa", "de la Fuente y García", "mj@x.es", room(gaston)),
            ("luminy", "Hélène", "Dupont", "h.dupont@gmail.com", room(luminy, "B-402")),
        ]
        ids = dict(_reserve(*p) for p in people)
        clock = FixedClock(MONDAY_10H)
        yield Corpus(Desk(factories.staff(), clock, gaston), [gaston.id, 0], ids)


def brute_force(text: str, scope: list[int]) -> set[int]:
    """What the search must find: the reservations where every term begins one of its words."""
    found = search.terms(text)
    out = set()
    for r in Reservation.select():
        residence = r.room.residence_id if r.room is not None else 0
        s = r.student
        mine = search.document_words(
            s.first_name,
            s.last_name,
            s.ine,
            r.reference,
            r.room.number if r.room else None,
            s.email,
        )
        if residence in scope and all(any(w.startswith(t) for w in mine) for t in found):
            out.add(r.id)
    return out


@pytest.mark.parametrize(
    "variants",
    [
        ["helene dupont", "Dupont Hélène", "HÉLÈNE   DUPONT", "dupont, HELENE", "Hélène Dupont"],
        ["hel dup", "DUP HÉL", "Dup  hel"],
        ["helene dupont42", "DUPONT42 Hélène"],
        ["jean helene", "Hélène JEAN"],
        ["maria garcia", "GARCÍA María", "fuente luisa"],
    ],
)
def test_two_names_in_either_order_with_accents_and_case_find_the_same_people(
    corpus: Corpus, variants: list[str]
) -> None:
    results = [set(found(corpus.desk, text)) for text in variants]
    assert results[0], variants
    assert all(r == results[0] for r in results), variants
    assert results[0] == brute_force(variants[0], corpus.scope)
    assert corpus.ids["luminy"] not in results[0]


def test_two_names_find_a_name_in_an_email_and_a_longer_name(corpus: Corpus) -> None:
    ids = corpus.ids
    assert set(found(corpus.desk, "helene dupont")) == {
        ids["helene"],
        ids["moreau"],
        ids["helenette"],  # Hélènette Dupontel: both words begin with the terms
        ids["marie"],  # Marie Dupont, helene.x@…: "helene" is another word of hers
    }
    # a word equal to the longest term first (the latest lease first among equals): Hélènette last
    assert found(corpus.desk, "helene dupont") == [
        ids["marie"],
        ids["moreau"],
        ids["helene"],
        ids["helenette"],
    ]


@pytest.mark.parametrize(
    "text",
    [
        "helene dupont",
        "dupont helene",
        "hel d",
        "d hel",
        "helene gmail",
        "gmail helene",
        "dupont 402",
        "B-402",
        "402 b",
        "b 402",
        "dupont dupont",
        "dupont dup",
        "dupontel helene",
        "helene dupont gmail com",
        "jean helene gmail",
        "helene.dupont42@gmail.com",
        "maria jose ana luisa de la fuente",
        "garcia mj",
        "h d",
        "x y",
        "helene zzz",
    ],
)
def test_every_two_term_search_finds_what_the_words_give(corpus: Corpus, text: str) -> None:
    for scope in (corpus.scope, [1], [2, 0]):
        rows = search.search_rows(text, scope, limit=1_000)
        assert {row[0] for row in rows} == brute_force(text, scope), (text, scope)


def test_the_words_of_a_reservation_are_names_or_other_words() -> None:
    names, other = search.split_words(
        "Hélène", "Dupont", "0123456789A", "AB12CD", "B-402", "helene.dupont42@gmail.com"
    )
    assert names == {"helene", "dupont", "dupont42"}  # "dupont42" begins with a name
    assert other == {"0123456789a", "ab12cd", "b", "402", "gmail", "com"}
    assert search.name_rows(names) == {
        " helene",
        " dupont",
        " dupont42",
        "helene dupont",
        "dupont helene",
        "helene dupont42",
        "dupont42 helene",  # not "dupont dupont42": one begins the other
    }
    many = search.split_words("A B C D E", "F G H I J", None, "R", None, None)
    assert len(many[0]) == search.MAX_NAME_WORDS
    assert many[0] | many[1] == set("abcdefghij") | {"r"}


@pytest.mark.sqlite_only  # SQLite's query plans
def test_a_name_pair_is_read_by_a_range_of_the_pairs(
    corpus: Corpus, database: peewee.Database
) -> None:
    for scope in (corpus.scope, None):
        sql, params = search.candidates_sql(search.terms("Hélène DUPONT"), scope, 200)
        assert "helene dupont" in params  # the range of the pair: "helene dupont" to "…dupopt"
        shown = plan(database, sql, params)
        assert "SEARCH p USING PRIMARY KEY (residence_id=? AND word>? AND word<?)" in shown, shown
        assert "SEARCH n USING PRIMARY KEY (residence_id=? AND word>? AND word<?)" in shown, shown
        scans = {line.split()[1] for line in shown.splitlines() if line.startswith("SCAN")}
        assert scans <= {"cw", "residence", "CONSTANT"}, shown  # never a table of the index


def test_rebuilding_gives_every_table_of_the_index_the_writes_gave(
    corpus: Corpus, database: peewee.Database
) -> None:
    written = index_rows(database)
    assert all(written)
    assert search.rebuild_index() == len(corpus.ids)
    assert index_rows(database) == written


@pytest.mark.sqlite_only  # the runner on a file
def test_upgrading_a_file_indexes_its_names_and_other_words(
    corpus: Corpus, database: peewee.Database
) -> None:
    from playhouse.migrations import Runner

    from crous_desk.store.db import MIGRATIONS, upgrade

    written = index_rows(database, search.TABLES[1:])
    runner = Runner(database, directory=str(MIGRATIONS), table_name="schema_migration")
    while "0013_search_names" not in runner.down():
        pass
    assert "search_name" not in database.get_tables()
    upgrade(database)
    assert index_rows(database, search.TABLES[1:]) == written


def test_words_are_runs_of_letters_and_digits_for_every_character() -> None:
    import sys
    import unicodedata

    def slow_fold(text: str) -> str:  # the folding without its shortcut for ASCII
        decomposed = unicodedata.normalize("NFKD", text)
        bare = "".join(c for c in decomposed if not unicodedata.combining(c))
        return bare.casefold().translate(search._LETTERS)

    def by_hand(folded: str) -> list[str]:
        return "".join(c if c.isalnum() else " " for c in folded).split()

    every = "".join(map(chr, range(sys.maxunicode + 1)))
    for start in range(0, len(every), 4096):
        chunk = every[start : start + 4096]
        assert search.words(chunk) == by_hand(search.fold(chunk))
    ascii_ = "".join(map(chr, range(128)))
    for text in (ascii_, "Hélène DUPONT-Moreau", "B-112", "x@Y.fr", "Łukasz Østergaard ﬀ"):
        assert search.fold(text) == slow_fold(text)


def test_many_reservations_are_indexed_in_every_table_as_one_at_a_time(
    corpus: Corpus, database: peewee.Database
) -> None:
    Student.update(last_name="Żółkiewski", email="zolk.dupont@gmail.com").where(
        Student.id == Reservation.get_by_id(corpus.ids["marie"]).student_id
    ).execute()
    ids = list(corpus.ids.values())
    with database.atomic() as transaction:
        for rid in ids:
            search.index_reservation(Reservation.get_by_id(rid))
        one_at_a_time = index_rows(database)
        transaction.rollback()
    assert index_rows(database) != one_at_a_time
    search.index_reservations(ids)
    assert index_rows(database) == one_at_a_time
    assert set(found(corpus.desk, "marie zolk")) == {corpus.ids["marie"]}
    assert corpus.ids["marie"] not in found(corpus.desk, "helene dupont")
