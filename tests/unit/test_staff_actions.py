"""The administrator's actions on staff accounts and the office's imports, called with a desk like
every other action: every problem gathered with its code, each change audited."""

from __future__ import annotations

from datetime import date

import pytest

from crous_desk.base.clock import FixedClock
from crous_desk.base.errors import Refused
from crous_desk.desk.context import Desk
from crous_desk.office import accueil
from crous_desk.people import auth, staff
from crous_desk.store.models import AuditLog, Staff, Student
from tests import factories
from tests.factories import MONDAY_10H


@pytest.fixture
def admin(database) -> Desk:
    return Desk(
        factories.staff("chef", role="administrator", scope=()), FixedClock(MONDAY_10H), None
    )


def last_action() -> str:
    return str(AuditLog.select().order_by(AuditLog.id.desc()).get().action)


def test_a_new_account_is_refused_with_every_problem(admin: Desk) -> None:
    with pytest.raises(Refused) as refused:
        staff.add_staff(admin, "X", "Name\x07", "janitor", passphrase="short", os_user="Bad Login")
    assert refused.value.codes == (
        "username_invalid",
        "text_control_characters",
        "unknown_role",
        "passphrase_too_short",
        "os_user_invalid",
    )
    assert not Staff.select().where(Staff.username == "x").exists()


def test_an_account_created_scoped_and_disabled(admin: Desk) -> None:
    factories.residence()
    member = staff.add_staff(
        admin, "r.durand", "", "receptionist", [("residence", "gaston-berger")]
    )
    assert (member.display_name, last_action()) == ("r.durand", "staff.create")
    with pytest.raises(Refused) as taken:
        staff.add_staff(admin, "r.durand", "", "receptionist", [("residence", "*")])
    assert taken.value.codes == ("username_taken",)
    staff.set_scope(admin, "r.durand", "mobility_manager", [("campus", "Luminy")])
    assert last_action() == "staff.scope"
    assert Staff.get_by_id(member.id).role == "mobility_manager"
    staff.set_active(admin, "r.durand", False)
    assert last_action() == "staff.disable"
    with pytest.raises(Refused) as again:
        staff.set_active(admin, "r.durand", False)
    assert again.value.codes == ("already_disabled",)
    staff.set_active(admin, "r.durand", True)
    assert last_action() == "staff.enable"


def test_an_administrator_keeps_their_own_account(admin: Desk) -> None:
    with pytest.raises(Refused) as refused:
        staff.set_active(admin, "chef", False)
    assert refused.value.codes == ("own_account",)
    with pytest.raises(Refused) as demoted:
        staff.set_scope(admin, "chef", "receptionist", [])
    assert demoted.value.codes == ("scope_required", "own_account")


def test_a_new_passphrase_lifts_a_lockout(admin: Desk) -> None:
    member = factories.staff("m.durand")
    Staff.update(locked_until=MONDAY_10H.replace(hour=11), failed_sign_ins=0).where(
        Staff.id == member.id
    ).execute()
    with pytest.raises(Refused) as refused:
        staff.set_passphrase(admin, "nobody", "short")
    assert refused.value.codes == ("passphrase_too_short", "not_found")
    staff.set_passphrase(admin, "m.durand", "a long enough passphrase")
    assert last_action() == "staff.passphrase"
    assert auth.sign_in("m.durand", "a long enough passphrase", MONDAY_10H).id == member.id


def test_only_an_administrator_manages_accounts(database) -> None:
    desk = Desk(factories.staff(), FixedClock(MONDAY_10H), None)
    with pytest.raises(Refused, match="a receptionist cannot manage staff accounts"):
        staff.add_staff(desk, "r.x", "", "receptionist", [("residence", "*")])
    with pytest.raises(Refused, match="a receptionist cannot manage staff accounts"):
        staff.staff_rows(desk)


def _row(line: int, university: str, campus: str) -> accueil.AccueilRow:
    return accueil.AccueilRow(
        line=line,
        student_number=f"N-{line}",
        ine=None,
        first_name="Ana",
        last_name=f"Test{line}",
        email="",
        phone="",
        home_university=university,
        campus=campus,
        academic_year="2026-2027",
        semester=1,
        arrival=date(2026, 9, 1),
        departure=date(2027, 1, 31),
    )


def test_a_manager_imports_their_own_students_only(database) -> None:
    manager = Desk(factories.manager("m.luminy", ("campus", "Luminy")), FixedClock(MONDAY_10H))
    rows = [_row(2, "Universität Heidelberg", "Luminy"), _row(3, "Universidade de Lisboa", "Aix")]
    with pytest.raises(Refused) as refused:
        accueil.apply(manager, rows)
    assert refused.value.codes == ("out_of_scope",)
    assert str(refused.value).startswith("line 3: ")
    assert not Student.select().exists()  # all or nothing
    result = accueil.apply(manager, rows[:1], source="luminy.csv")
    assert (result.students_created, result.stays_created) == (1, 1)
    assert accueil.apply(manager, rows[:1]).unchanged == 1  # the same row again: nothing new
