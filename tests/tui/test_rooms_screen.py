"""The rooms screen with the keyboard alone: the status and kind filters, a room made ready,
taken out of service and back (each refusal says why), and a room's inspections."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from crous_desk.store.models import AuditLog, Room
from screens.forms import FieldsForm
from screens.rooms import RoomHistoryScreen, RoomsScreen
from screens.widgets import ConfirmScreen, ReasonsScreen
from tests import factories, tenants
from tests.tui.driving import cells, field_errors, highlight, on_screen, until


def status(number: str) -> str:
    return Room.get(Room.number == number).status


async def test_filters_ready_out_of_service_and_back(database, desk_app, at_time):
    tenants.tenant(factories.room(number="B-101", kind="renovated"))
    factories.room(number="B-102", kind="traditional")
    inspect = factories.room(number="B-103", kind="traditional")
    Room.update(status="to_inspect").where(Room.id == inspect.id).execute()
    at_time(tenants.FRIDAY_10H)
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        screen = await on_screen(pilot, RoomsScreen)
        table = screen.query_one("#rooms", DataTable)
        title = screen.query_one("#rooms-title", Static)
        assert cells(table) == ["B-101", "B-102", "B-103"]

        await pilot.press("k")  # the first kind: traditional rooms
        await until(pilot, lambda: cells(table) == ["B-102", "B-103"], "traditional rooms")
        assert "Traditional room" in str(title.render())
        await pilot.press(*["k"] * 8)  # round every kind, back to all of them
        await until(pilot, lambda: len(cells(table)) == 3, "every kind again")

        await pilot.press("s", "s", "s")  # available, reserved, occupied
        await until(pilot, lambda: cells(table) == ["B-101"], "the occupied room")
        await pilot.press("r")  # an occupied room is not made ready
        reasons = await on_screen(pilot, ReasonsScreen)
        assert reasons.reasons == ["room B-101 is occupied: only a room to inspect is made ready"]
        await pilot.press("escape")
        await on_screen(pilot, RoomsScreen)

        await pilot.press("s")  # to inspect
        await until(pilot, lambda: cells(table) == ["B-103"], "the room to inspect")
        await pilot.press("r")
        await on_screen(pilot, ConfirmScreen)
        await pilot.press("y")
        await until(pilot, lambda: cells(table) == [], "the ready room leaves the list")
        assert status("B-103") == "available"

        await pilot.press(*["s"] * 2)  # out of service, then every status
        await until(pilot, lambda: len(cells(table)) == 3, "every status again")
        await highlight(pilot, table, "B-102")
        await pilot.press("b")  # not out of service: refused
        reasons = await on_screen(pilot, ReasonsScreen)
        assert reasons.reasons == ["room B-102 is available, not out of service"]
        await pilot.press("escape")
        await on_screen(pilot, RoomsScreen)

        await pilot.press("o")
        form = await on_screen(pilot, FieldsForm)
        await pilot.press("enter")  # no reason given: said under the box, the form stays
        await until(pilot, lambda: field_errors(form), "the problem shown")
        assert field_errors(form) == {"field-reason": "the reason is required"}
        assert status("B-102") == "available"
        await pilot.press(*"water leak", "enter")
        await until(pilot, lambda: status("B-102") == "out_of_service", "out of service")
        await until(pilot, lambda: cells(table, 2)[1] == "out of service", "the status on the row")
        await pilot.press("b")
        await until(pilot, lambda: status("B-102") == "available", "back in service")
    changes = [a.action for a in AuditLog.select().where(AuditLog.entity == "room")]
    assert changes[-3:] == ["room.status", "room.status", "room.status"]


async def test_a_rooms_inspections(database, desk_app, at_time):
    res = tenants.tenant(factories.room(number="B-201"))
    factories.room(number="B-202")
    at_time(tenants.FRIDAY_10H)
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f3")
        screen = await on_screen(pilot, RoomsScreen)
        table = screen.query_one("#rooms", DataTable)
        await pilot.press("enter")
        history = await on_screen(pilot, RoomHistoryScreen)
        shown = str(history.query_one(Static).render())
        assert "Inspections of room B-201" in shown
        assert "check-in" in shown and "Hélène Dupont" in shown and res.reference in shown
        await pilot.press("escape")
        await on_screen(pilot, RoomsScreen)
        await highlight(pilot, table, "B-202")
        await pilot.press("enter")
        history = await on_screen(pilot, RoomHistoryScreen)
        assert "No inspection yet." in str(history.query_one(Static).render())
