"""Issue 13, points 1 and 2: nobody reads or changes what is not theirs, whatever screen or
script calls the core — an Accueil import row is checked against the actor's scope (the student
as recorded and as the row would make them), and the lists filter by the account, not only by
the residence the desk was opened on."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from peewee import Database

from crous_desk import keys
from crous_desk import rooms as tenancy
from crous_desk.base.clock import FixedClock
from crous_desk.base.errors import Refused
from crous_desk.desk.context import Desk
from crous_desk.office import accueil, today
from crous_desk.store.models import KeySet, Student
from tests import factories
from tests.factories import MONDAY_10H

HEADER = (
    "student_number;ine;last_name;first_name;home_university;campus;"
    "academic_year;semester;arrival;departure"
)


def desk_of(actor: object) -> Desk:
    return Desk(actor, FixedClock(MONDAY_10H))  # type: ignore[arg-type]


def rows(*lines: str) -> list[accueil.AccueilRow]:
    checked = accueil.check("\n".join([HEADER, *lines]) + "\n")
    assert not checked.bad
    return checked.good


# -- 1. the Accueil import, row by row -----------------------------------------------------------


def test_a_manager_cannot_give_their_student_to_another_university(database: Database) -> None:
    """The row's student as it would become is in the actor's scope too: a manager of
    Heidelberg may not rewrite their student into Lisbon's (another office's) students."""
    mine = Student.create(
        first_name="Eva", last_name="Klein", ine="0123456789A", home_university="Heidelberg"
    )
    manager = factories.manager("m.durand", ("university", "Heidelberg"))
    with pytest.raises(Refused) as refused:
        accueil.apply(
            desk_of(manager),
            rows("H1;0123456789A;Klein;Eva;Lisboa;Aix;2026-2027;1;01/09/2026;31/01/2027"),
        )
    assert refused.value.codes == ("out_of_scope",)
    assert Student.get_by_id(mine.id).home_university == "Heidelberg"


def test_a_manager_cannot_take_another_office_s_student(database: Database) -> None:
    other = Student.create(
        first_name="Ana", last_name="Silva", ine="0123456789A", home_university="Lisboa"
    )
    manager = factories.manager("m.durand", ("university", "Heidelberg"))
    with pytest.raises(Refused) as refused:
        accueil.apply(
            desk_of(manager),
            rows("H1;0123456789A;Evil;Eve;Heidelberg;Luminy;2026-2027;1;01/09/2026;31/01/2027"),
        )
    assert refused.value.codes == ("out_of_scope",)
    assert Student.get_by_id(other.id).last_name == "Silva"


def test_a_manager_imports_their_own_students(database: Database) -> None:
    manager = factories.manager("m.durand", ("university", "Heidelberg"))
    result = accueil.apply(
        desk_of(manager),
        rows("H1;0123456789A;Klein;Eva;Heidelberg;;2026-2027;1;01/09/2026;31/01/2027"),
    )
    assert result.students_created == 1


# -- 2. the lists, filtered by the account ------------------------------------------------------


@pytest.fixture
def two_residences(database: Database) -> dict[str, object]:
    """A tenant past their lease end, with keys out, in each of two residences."""
    found: dict[str, object] = {}
    for code in ("gaston-berger", "luminy"):
        residence = factories.residence(code, code.title())
        room = factories.room(residence, f"{code[0].upper()}-101")
        stay = factories.reservation(
            last=f"Tenant-{code}",
            room_=room,
            status="checked_in",
            lease_start=date(2026, 9, 1),
            lease_end=MONDAY_10H.date() - timedelta(days=3),
            documents="verified",
        )
        KeySet.update(state="out", holder=stay.id).where(KeySet.room == room).execute()
        found[code] = residence
    return found


def test_a_receptionist_of_one_residence_lists_only_its_rooms_and_keys(
    two_residences: dict[str, object],
) -> None:
    receptionist = factories.staff("b.roux", scope=(("residence", "gaston-berger"),))
    desk = desk_of(receptionist)  # built without a residence: a script, a report
    assert [r.number for r in tenancy.rooms(desk)] == ["G-101"]
    assert {k.room for k in keys.inventory(desk)} == {"G-101"}
    assert {k.room for k in keys.keys_to_return(desk)} == {"G-101"}
    assert {k.room for k in keys.closing_check(desk)} == {"G-101"}
    assert {o.room for o in tenancy.overstays(desk)} == {"G-101"}
    assert {k.room for k in keys.key_log(desk)} <= {"G-101"}
    assert {o.room for o in today.home(desk).overstays} == {"G-101"}


def test_an_administrator_still_lists_every_residence(two_residences: dict[str, object]) -> None:
    desk = desk_of(factories.staff("admin", role="administrator"))
    assert [r.number for r in tenancy.rooms(desk)] == ["G-101", "L-101"]
    assert {k.room for k in keys.keys_to_return(desk)} == {"G-101", "L-101"}
