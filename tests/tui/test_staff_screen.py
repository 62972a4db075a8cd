"""The staff screen of an administrator: a new role and scope, a passphrase reset that lifts a
lockout, disabling and enabling an account; each refusal says why and changes nothing."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import DataTable, Input, Static

from crous_desk.base.clock import SystemClock
from crous_desk.base.config import Config
from crous_desk.desk.permissions import scope_of
from crous_desk.people import auth
from crous_desk.store.models import AuditLog, Staff
from screens.app import make_app
from screens.staff import AccountForm, PassphraseForm, StaffScreen
from screens.widgets import ConfirmScreen, ReasonsScreen
from tests import factories
from tests.factories import MONDAY_10H
from tests.tui.driving import cells, highlight, on_screen, until

NEW_PASSPHRASE = "a new passphrase"


def form_error(pilot) -> str:
    return str(pilot.app.screen.query_one("#form-error", Static).render())


async def open_staff(pilot, username: str) -> StaffScreen:
    await pilot.press("f8")
    screen = await on_screen(pilot, StaffScreen)
    await highlight(pilot, screen.query_one("#staff-accounts", DataTable), username)
    return screen


def admin_app():
    factories.residence()
    factories.residence("saint-jerome", "Résidence Saint-Jérôme")
    admin = factories.staff("chef", role="administrator", scope=())
    return make_app(admin, None, SystemClock(), Config())


async def test_a_new_role_and_scope(database, at_time):
    at_time(MONDAY_10H)
    factories.staff("b.roux", scope=(("residence", "gaston-berger"),))
    app = admin_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_staff(pilot, "b.roux")
        assert "gaston-berger" in str(screen.query_one("#staff-detail", Static).render())
        await pilot.press("s")
        form = await on_screen(pilot, AccountForm)
        scope = form.query_one("#scope", Input)
        assert scope.value == "residence:gaston-berger"
        scope.value = "residence gaston-berger"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "write a scope as kind:value" in form_error(pilot), "refusal")
        scope.value = "campus:Luminy"  # a receptionist has no campus
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "has no campus in their scope" in form_error(pilot), "refusal")
        assert scope_of(Staff.get(Staff.username == "b.roux")).residences == {"gaston-berger"}
        scope.value = "residence:gaston-berger, residence:saint-jerome"
        await pilot.press("ctrl+s")
        await on_screen(pilot, StaffScreen)
    member = Staff.get(Staff.username == "b.roux")
    assert scope_of(member).residences == {"gaston-berger", "saint-jerome"}
    assert AuditLog.select().order_by(AuditLog.id.desc()).get().action == "staff.scope"


async def test_an_administrator_keeps_their_own_role(database, at_time):
    at_time(MONDAY_10H)
    app = admin_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_staff(pilot, "chef")
        await pilot.press("s")
        form = await on_screen(pilot, AccountForm)
        form.query_one("#scope", Input).value = "residence:*"
        await pilot.press("shift+tab", "up", "up")  # from the scope back to the role: receptionist
        await pilot.press("ctrl+s")
        await until(
            pilot,
            lambda: "cannot take the administrator role from yourself" in form_error(pilot),
            "refusal",
        )
        await pilot.press("escape")
        await on_screen(pilot, StaffScreen)
    assert Staff.get(Staff.username == "chef").role == "administrator"


async def test_a_passphrase_reset_lifts_the_lockout(database, at_time):
    at_time(MONDAY_10H)
    locked = factories.staff("b.roux")
    Staff.update(
        passphrase_hash=auth.hash_passphrase("the old passphrase"),
        failed_sign_ins=5,
        locked_until=MONDAY_10H + timedelta(minutes=15),
    ).where(Staff.id == locked.id).execute()
    app = admin_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_staff(pilot, "b.roux")
        table = screen.query_one("#staff-accounts", DataTable)
        assert cells(table, 4)[cells(table).index("b.roux")] == "locked"
        await pilot.press("p")
        form = await on_screen(pilot, PassphraseForm)
        await pilot.press(*NEW_PASSPHRASE, "enter", *"something else", "enter")
        await until(pilot, lambda: "differ" in form_error(pilot), "the two passphrases differ")
        form.query_one("#first", Input).value = "short"
        form.query_one("#second", Input).value = "short"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "10 characters" in form_error(pilot), "too short")
        form.query_one("#first", Input).value = NEW_PASSPHRASE
        form.query_one("#second", Input).value = NEW_PASSPHRASE
        await pilot.press("ctrl+s")
        await on_screen(pilot, StaffScreen)
        await until(
            pilot,
            lambda: cells(table, 4)[cells(table).index("b.roux")] == "active",
            "the account unlocked",
        )
    member = Staff.get(Staff.username == "b.roux")
    assert (member.failed_sign_ins, member.locked_until) == (0, None)
    assert auth.check_passphrase(member.passphrase_hash, NEW_PASSPHRASE)


async def test_disable_then_enable_an_account_and_never_oneself(database, at_time):
    at_time(MONDAY_10H)
    factories.staff("b.roux")
    app = admin_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_staff(pilot, "b.roux")
        table = screen.query_one("#staff-accounts", DataTable)

        def shown_state() -> str:
            return cells(table, 4)[cells(table).index("b.roux")]

        await pilot.press("d")
        await on_screen(pilot, ConfirmScreen)
        await pilot.press("n")  # not confirmed: nothing changes
        await on_screen(pilot, StaffScreen)
        assert Staff.get(Staff.username == "b.roux").active

        await pilot.press("d")
        await on_screen(pilot, ConfirmScreen)
        await pilot.press("y")
        await until(pilot, lambda: shown_state() == "disabled", "the account disabled")
        assert not Staff.get(Staff.username == "b.roux").active

        await highlight(pilot, table, "b.roux")
        await pilot.press("d")
        await on_screen(pilot, ConfirmScreen)
        await pilot.press("y")
        await until(pilot, lambda: shown_state() == "active", "the account enabled again")

        await highlight(pilot, table, "chef")
        await pilot.press("d")
        await on_screen(pilot, ConfirmScreen)
        await pilot.press("y")
        reasons = await on_screen(pilot, ReasonsScreen)
        assert reasons.reasons == ["you cannot disable your own account"]
    assert Staff.get(Staff.username == "chef").active
    assert [a.action for a in AuditLog.select().where(AuditLog.entity == "staff")][-2:] == [
        "staff.disable",
        "staff.enable",
    ]
