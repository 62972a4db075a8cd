"""The app refuses what the rules refuse, says why, and changes nothing."""

from __future__ import annotations

import time
from datetime import date

from textual.widgets import DataTable, Input, Static

from crous_desk.store.models import AuditLog, Document, KeyLog, KeySet, Reservation
from screens.forms import DocumentFactsForm
from screens.help import HelpScreen
from screens.reservation import ReservationScreen
from screens.widgets import ReasonsScreen
from tests import factories
from tests.tui.driving import field_errors
from tests.tui.settle import press, settle


def _ready_for_keys(room):
    """An arrival with everything done except the handover itself."""
    from crous_desk.base.clock import FixedClock
    from crous_desk.services import Desk, ensure_staff

    res = factories.reservation(room_=room, documents="verified")
    desk = Desk(ensure_staff("m.martin"), FixedClock(factories.MONDAY_10H))
    inspection = desk.open_inspection(res.id)
    for item in inspection.items:
        desk.set_item(item.id, state="good")
    desk.acknowledge_inspection(inspection.id)
    return res


async def test_friday_17h_paris_refuses_keys_with_machine_elsewhere(database, desk_app, at_time):
    assert time.strftime("%Z") in ("EST", "EDT")  # the machine is in New York
    room = factories.room(number="B-112")
    res = _ready_for_keys(room)
    at_time(factories.FRIDAY_17H)  # 11:00 in New York, 17:00 in Paris
    app = desk_app()
    audit_rows = AuditLog.select().count()
    async with app.run_test(size=(80, 24)) as pilot:
        header = app.screen.query_one("#desk-header", Static)
        assert "Desk closed — opens Monday 09:00" in str(header.render())
        await press(pilot, *res.reference, "enter")
        assert isinstance(app.screen, ReservationScreen)
        await press(pilot, "k")
        assert isinstance(app.screen, ReasonsScreen)
        assert any("desk is closed" in r for r in app.screen.reasons)
        assert any("opens Monday 09:00" in r for r in app.screen.reasons)
        assert len(app.screen.reasons) == 1  # everything else is ready
        await press(pilot, "escape")
    assert KeySet.get(KeySet.room == room).state == "desk"
    assert Reservation.get_by_id(res.id).status == "accepted"
    assert KeyLog.select().count() == 0
    assert AuditLog.select().count() == audit_rows


async def test_refusal_lists_every_unmet_condition(database, desk_app, at_time):
    at_time(factories.MONDAY_10H)
    res = factories.reservation(documents="none", paid=False, status="accepted")
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, *res.reference, "enter", "k")
        assert isinstance(app.screen, ReasonsScreen)
        reasons = "\n".join(app.screen.reasons)
        for expected in (
            "advance is not paid",
            "Insurance: missing",
            "Identity document: missing",
            "no check-in inspection",
        ):
            assert expected in reasons


async def test_bad_date_in_the_insurance_form_changes_nothing(database, desk_app, at_time):
    at_time(factories.MONDAY_10H)
    res = factories.reservation(documents="none")
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, *res.reference, "enter", "space")
        assert isinstance(app.screen, DocumentFactsForm)
        await press(pilot, *"31/02/2027", "enter", *"tomorrow", "enter")
        assert isinstance(app.screen, DocumentFactsForm)
        errors = field_errors(app.screen)  # each under its own box, both at once
        assert set(errors) == {"covers-from", "covers-until"}
        assert all("is not a date" in e and "dd/mm/yyyy" in e for e in errors.values())
        await press(pilot, "escape")
        assert isinstance(app.screen, ReservationScreen)
    assert Document.select().where(Document.reservation == res.id).count() == 0


async def test_insurance_ending_before_the_lease_shows_as_missing(database, desk_app, at_time):
    at_time(factories.MONDAY_10H)
    res = factories.reservation(documents="none", lease_end=date(2027, 6, 30))
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, *res.reference, "enter", "space")
        await press(pilot, *"23/11/2026", "enter", *"29/06/2027", "enter")
        assert isinstance(app.screen, ReservationScreen)
        view = app.screen.view
        assert view is not None
        assert any(
            "ends 29/06/2027, before the lease end 30/06/2027" in p for p in view.file_problems
        )


async def test_names_are_data_not_markup(database, desk_app, at_time):
    at_time(factories.MONDAY_10H)
    res = factories.reservation(first="[bold red]Zoë", last="\x1b[31mSmith [/]")
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, *"zoe", "down")
        table = app.screen.query_one("#results", DataTable)
        assert "[bold red]Zoë" in table.get_row_at(0)[1].plain
        await press(pilot, "enter")
        identity = app.screen.query_one("#identity", Static).render()
        assert "[bold red]Zoë" in str(identity)
    assert Reservation.get_by_id(res.id).student.first_name == "[bold red]Zoë"


async def test_scanner_types_the_reference_while_results_have_focus(database, desk_app, at_time):
    at_time(factories.MONDAY_10H)
    factories.reservation(first="Anna", last="Schmidt")
    wanted = factories.reservation(first="Björn", last="Østergaard")
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, *"anna", "down")
        assert app.screen.query_one("#results", DataTable).has_focus
        await press(pilot, "ctrl+l")  # clear, then the scanner types code + Enter
        await press(pilot, "down")
        await pilot.press(*wanted.reference.lower(), "enter")  # as fast as a scanner
        await settle(pilot)
        assert isinstance(app.screen, ReservationScreen)
        assert app.screen.reservation_id == wanted.id


async def test_unknown_text_and_syntax_never_break_the_search(database, desk_app, at_time):
    at_time(factories.MONDAY_10H)
    factories.reservation()
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        for text in ['"', "*", "AND", "o'brien", "-", "NEAR(", "^x", "zzzz"]:
            query = app.screen.query_one("#query", Input)
            query.value = text
            await settle(pilot)
            await press(pilot, "enter")
            assert app.screen.query_one("#query", Input) is query


async def test_f1_and_palette_show_the_screen_actions(database, desk_app, at_time):
    at_time(factories.MONDAY_10H)
    res = factories.reservation()
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, *res.reference, "enter")
        await press(pilot, "f1")
        assert isinstance(app.screen, HelpScreen)
        shown = str(app.screen.query_one("Static").render())
        for description in ("Tick", "Inspect", "Hand over the keys", "Accept", "History"):
            assert description in shown
        # the stay's actions are offered once the tenant lives here, not before
        assert "Departure" not in shown
        await press(pilot, "escape")
        # the palette runs "Inspection" by name
        await press(pilot, "ctrl+p")
        await press(pilot, *"Inspection")
        await pilot.pause(0.3)
        await press(pilot, "enter")
        await pilot.pause(0.3)
        from screens.inspection import InspectionScreen

        assert isinstance(app.screen, InspectionScreen)
