"""One search box: names in any order without accents or case, INE, reference, room, e-mail."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import peewee
import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crous_desk.base.clock import FixedClock
from crous_desk.services import Desk
from crous_desk.store import search_index as search
from crous_desk.store.models import Reservation
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


def test_quotes_inside_a_term_are_escaped() -> None:
    assert search.fts_query('O"Brien') == '"O""Brien"*'
    assert search.fts_query("hel dup") == '"hel"* AND "dup"*'
    assert search.fts_query("' - * ^") is None
