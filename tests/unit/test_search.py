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

    def rows() -> list[tuple[object, ...]]:
        return database.execute_sql("SELECT * FROM search_word ORDER BY 1, 2, 3").fetchall()

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
        one_at_a_time = rows()
        transaction.rollback()
    assert rows() != one_at_a_time
    search.index_reservations(ids)
    assert rows() == one_at_a_time
    assert found(people.luminy, "zolk durand") == []
    assert found(people.everywhere, "zolk") == [people.martin.id]


def test_rebuilding_gives_the_index_the_writes_gave(
    people: People, database: peewee.Database
) -> None:
    def rows() -> list[tuple[object, ...]]:
        return database.execute_sql("SELECT * FROM search_word ORDER BY 1, 2, 3").fetchall()

    written = rows()
    assert search.rebuild_index() == 4
    assert rows() == written


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
