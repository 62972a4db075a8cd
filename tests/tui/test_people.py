"""Sign-in, the idle lock and the mobility manager's workspace, driven with Pilot at 80×24."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from textual.widgets import DataTable, Input, Static

from crous_desk.base.clock import SystemClock
from crous_desk.base.config import Config
from crous_desk.people import auth
from crous_desk.store.models import AuditLog, KeySet, Reservation, Staff, Student
from screens.app import make_app
from screens.forms import PaymentForm
from screens.manager import IneForm, ManagerScreen
from screens.reservation import ReservationScreen
from screens.search import SearchScreen
from screens.signin import LockScreen, SignInScreen
from tests import factories
from tests.factories import MONDAY_10H
from tests.tui.settle import press

PASSPHRASE = "deskpass10"


def with_passphrase(member: Staff) -> Staff:
    Staff.update(passphrase_hash=auth.hash_passphrase(PASSPHRASE)).where(
        Staff.id == member.id
    ).execute()
    return Staff.get_by_id(member.id)


def error_text(app) -> str:
    return str(app.screen.query_one("#form-error", Static).render())


async def test_sign_in_opens_the_desk_of_the_account(database, at_time):
    at_time(MONDAY_10H)
    with_passphrase(factories.staff("accueil"))
    app = make_app(None, factories.residence(), SystemClock(), Config())
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, SignInScreen)
        await press(pilot, "f3", "ctrl+p")  # nothing opens before sign-in
        assert isinstance(app.screen, SignInScreen)
        await press(pilot, *"accueil", "enter", *"nope", "enter")
        assert isinstance(app.screen, SignInScreen)
        assert "wrong username or passphrase" in error_text(app)
        assert app.screen.query_one("#passphrase", Input).value == ""
        await press(pilot, *PASSPHRASE, "enter")
        assert isinstance(app.screen, SearchScreen)
        assert app.desk.actor.username == "accueil"
    member = Staff.get(Staff.username == "accueil")
    assert member.failed_sign_ins == 0 and member.last_sign_in_at == MONDAY_10H
    actions = [a.action for a in AuditLog.select().order_by(AuditLog.id)]
    assert actions[-2:] == ["auth.failure", "auth.sign_in"]


async def test_a_manager_signs_in_to_their_students(database, at_time):
    at_time(MONDAY_10H)
    with_passphrase(factories.manager("m.durand"))
    factories.reservation(status="requested", documents="none")
    app = make_app(None, factories.residence(), SystemClock(), Config())
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, *"m.durand", "enter", *PASSPHRASE, "enter")
        assert isinstance(app.screen, ManagerScreen)
        assert app.desk.residence is None
        await press(pilot, "f3")  # the rooms are not a manager's: the key does nothing
        assert isinstance(app.screen, ManagerScreen)


async def test_an_idle_desk_locks_and_keeps_the_screen(database):
    member = with_passphrase(factories.staff("accueil"))
    r = factories.reservation()
    with time_machine.travel(MONDAY_10H, tick=False) as traveller:
        app = make_app(
            member, factories.residence(), SystemClock(), Config(), idle_lock=timedelta(minutes=10)
        )
        async with app.run_test(size=(80, 24)) as pilot:
            await press(pilot, *r.reference, "enter")
            file_screen = app.screen
            assert isinstance(file_screen, ReservationScreen)
            traveller.shift(timedelta(minutes=9))
            await pilot.pause(1.2)
            assert app.screen is file_screen  # not idle long enough yet
            traveller.shift(timedelta(minutes=1, seconds=1))
            await pilot.pause(1.2)
            assert isinstance(app.screen, LockScreen)
            await press(pilot, "f3", "k", "f1")  # nothing reaches the desk underneath
            assert isinstance(app.screen, LockScreen)
            await press(pilot, *"nope", "enter")
            assert isinstance(app.screen, LockScreen)
            assert "wrong passphrase" in error_text(app)
            await press(pilot, *PASSPHRASE, "enter")
            assert app.screen is file_screen
    assert Staff.get_by_id(member.id).failed_sign_ins == 0
    assert KeySet.get(KeySet.room == r.room_id).state == "desk"


async def test_the_manager_records_an_ine_and_an_acceptance(database, at_time):
    at_time(MONDAY_10H)
    first = factories.reservation(first="Ana", last="Alves", status="requested", documents="none")
    Student.update(ine=None).where(Student.id == first.student_id).execute()
    second = factories.reservation(
        first="Bea",
        last="Brun",
        status="proposed",
        paid=False,
        sent_at=MONDAY_10H - timedelta(hours=3),
    )
    app = make_app(factories.manager(), None, SystemClock(), Config())
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, ManagerScreen)
        counts = str(app.screen.query_one("#counts", Static).render())
        assert "Form 1" in counts and "Sent 1" in counts
        await press(pilot, "i")
        assert isinstance(app.screen, IneForm)
        await press(pilot, *"12345", "enter")
        assert "is not an INE" in error_text(app)  # the form stays open
        await press(pilot, *["backspace"] * 5, *"0123456789a", "enter")
        assert isinstance(app.screen, ManagerScreen)
        assert Student.get_by_id(first.student_id).ine == "0123456789A"
        assert "INE 1" in str(app.screen.query_one("#counts", Static).render())
        await press(pilot, "down", "a")
        assert isinstance(app.screen, PaymentForm)
        await press(pilot, "enter")  # paid by the student
        assert isinstance(app.screen, ManagerScreen)
        table = app.screen.query_one("#students", DataTable)
        assert "Accepted, paid" in str(table.get_row_at(1)[2])
    accepted = Reservation.get_by_id(second.id)
    assert (accepted.status, accepted.paid_by_kind, accepted.advance_cents) == (
        "accepted",
        "student",
        10000,
    )


async def test_a_manager_is_not_offered_the_keys(database, at_time):
    from tests.tui.test_desk_rules_in_the_app import _ready_for_keys

    at_time(MONDAY_10H)
    r = _ready_for_keys(factories.room(number="B-112"))
    app = make_app(factories.manager(), None, SystemClock(), Config())
    before = AuditLog.select().count()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "enter")
        assert isinstance(app.screen, ReservationScreen)
        offered = {active.binding.action for active in app.screen.active_bindings.values()}
        assert "keys" not in offered  # not offered to a manager (the core refuses it too)
        await press(pilot, "k")
        assert isinstance(app.screen, ReservationScreen)  # nothing asked, nothing changed
    assert KeySet.get(KeySet.room == r.room_id).state == "desk"
    assert Reservation.get_by_id(r.id).status == "accepted"
    assert AuditLog.select().count() == before


async def test_an_administrator_creates_an_account_on_the_staff_screen(database, at_time):
    from screens.staff import AccountForm, StaffScreen

    at_time(MONDAY_10H)
    factories.residence()
    admin = factories.staff("chef", role="administrator", scope=())
    app = make_app(admin, None, SystemClock(), Config())
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "f8")
        assert isinstance(app.screen, StaffScreen)
        await press(pilot, "n")
        assert isinstance(app.screen, AccountForm)
        form = app.screen
        form.query_one("#username", Input).value = "b.roux"
        form.query_one("#name", Input).value = "Bruno Roux"
        form.query_one("#scope", Input).value = "residence:nowhere"
        await press(pilot, "ctrl+s")
        assert "no residence 'nowhere'" in error_text(app)  # the form stays open
        form.query_one("#scope", Input).value = "residence:gaston-berger"
        form.query_one("#passphrase", Input).value = PASSPHRASE
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, StaffScreen)
    member = Staff.get(Staff.username == "b.roux")
    assert member.role == "receptionist" and auth.check_passphrase(
        member.passphrase_hash, PASSPHRASE
    )
    assert AuditLog.select().order_by(AuditLog.id.desc()).get().action == "staff.create"
