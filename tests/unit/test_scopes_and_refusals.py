"""Scopes at their edges (a student seen through their stays, a manager who follows nobody, a
receptionist with no residence), and a refusal that crosses a process boundary intact."""

from __future__ import annotations

import pickle

import pytest

from crous_desk.base.errors import Problem, Refused
from crous_desk.desk import permissions
from crous_desk.store.models import Reservation, Staff, StaffScope, Student
from tests import factories


@pytest.fixture
def two_stays(database):
    gaston = factories.residence()
    luminy = factories.residence("luminy", "Résidence de Luminy")
    here = factories.reservation(first="Hélène", room_=factories.room(gaston, "B-101"))
    there = factories.reservation(first="Zoé", room_=factories.room(luminy, "L-201"))
    Student.update(campus="Luminy").where(Student.id == there.student_id).execute()
    return Reservation.get_by_id(here.id), Reservation.get_by_id(there.id)


def test_a_student_is_in_a_receptionists_scope_through_a_stay_there(two_stays) -> None:
    here, there = two_stays
    member = factories.staff("r.gaston", scope=(("residence", "gaston-berger"),))
    assert permissions.refusal(member, "reservation.view", here.student) is None
    assert permissions.refusal(member, "reservation.view", there.student) == (
        "Zoé Dupont is not in your residences"
    )
    everywhere = factories.staff("r.all")
    assert permissions.refusal(everywhere, "reservation.view", there.student) is None


def test_what_each_role_sees_of_a_list_of_reservations(two_stays) -> None:
    here, there = two_stays
    both = [here, there]
    luminy_manager = factories.manager("m.luminy", ("campus", "Luminy"))
    gaston_desk = factories.staff("r.gaston", scope=(("residence", "gaston-berger"),))
    admin = factories.staff("chef", role="administrator", scope=())
    assert permissions.visible(luminy_manager, both) == [there]
    assert permissions.visible(gaston_desk, both) == [here]
    assert permissions.visible(admin, both) == both
    factories.staff("gone")
    Staff.update(active=False).where(Staff.username == "gone").execute()
    assert permissions.visible(Staff.get(Staff.username == "gone"), both) == []


def test_a_manager_who_follows_nobody_sees_no_student(two_stays) -> None:
    nobody = factories.manager("m.none", ("campus", "Nowhere"))
    StaffScope.delete().where(StaffScope.staff == nobody).execute()
    condition = permissions.student_filter(nobody)
    assert Reservation.select().join(Student).where(condition).count() == 0
    assert permissions.student_filter(factories.manager("m.all")) is None  # every student


def test_a_receptionist_without_a_residence_has_no_desk_to_open(database) -> None:
    member = factories.staff("r.lost", scope=(("residence", "closed-down"),))
    with pytest.raises(Refused, match=r"the account r\.lost has no residence to work at"):
        permissions.desk_residence(member, None)


def test_an_unknown_action_is_a_programming_error(database) -> None:
    with pytest.raises(ValueError, match="unknown action"):
        permissions.refusal(factories.staff(), "keys.juggle")


@pytest.mark.bare_refusal
def test_a_refusal_crosses_a_process_boundary_with_its_codes() -> None:
    refused = Refused(Problem("desk_closed", "the desk is closed"), "a bare sentence")
    again = pickle.loads(pickle.dumps(refused))
    assert again.reasons == refused.reasons and again.codes == ("desk_closed", "refused")
    assert str(again) == "the desk is closed\na bare sentence"
    assert repr(again.reasons[0]) == "Problem('desk_closed', 'the desk is closed')"
