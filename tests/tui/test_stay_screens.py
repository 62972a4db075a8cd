"""The stay at the desk, with the keyboard alone: departure with a damage, a lost key and its
replacement, an extension that re-opens the insurance check, a key return refused at 17:00."""

from __future__ import annotations

from datetime import UTC, date, datetime

from textual.widgets import DataTable

from crous_desk.base.clock import SystemClock
from crous_desk.base.config import Config
from crous_desk.store.models import AuditLog, Charge, KeyLog, KeySet, Reservation, Room
from screens.app import make_app
from screens.departure import DepartureScreen
from screens.extensions import ExtensionsScreen
from screens.forms import FieldsForm
from screens.keylog import KeyLogScreen
from screens.keys import KeysScreen
from screens.reservation import ReservationScreen
from screens.rooms import RoomsScreen
from screens.widgets import ReasonsScreen
from tests import factories, tenants
from tests.tui.settle import press

# Friday 30 April 2027, 11:00 Paris: the lease ends today, the desk is open.
LEASE_END_DAY = datetime(2027, 4, 30, 9, 0, tzinfo=UTC)


async def open_file(pilot, reservation) -> None:
    await press(pilot, *reservation.reference, "enter")
    assert isinstance(pilot.app.screen, ReservationScreen)


async def test_departure_with_one_damaged_item(database, desk_app, at_time):
    room = factories.room(number="B-112", kind="traditional")
    res = tenants.tenant(room)
    at_time(LEASE_END_DAY)
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_file(pilot, res)
        await press(pilot, "d")
        assert isinstance(app.screen, DepartureScreen)
        await press(pilot, "o")  # the check-out starts from the check-in: every item "same"
        view = app.screen.view
        assert view is not None and view.items and all(i.same for i in view.items)
        await press(pilot, "down", "down", "d")  # the third item got damaged: say what
        await press(pilot, *"cracked", "enter")
        await press(pilot, "a")
        await press(pilot, "y")
        await press(pilot, *"Via Roma 1, Roma", "enter")  # the tenant's new address
        view = app.screen.view
        assert [d.label for d in view.damages] == [view.items[2].label]
        assert view.damages[0].amount_cents > 0
        await press(pilot, "x")
        await press(pilot, "y")
        await press(pilot, "y")  # the damage is owed: closed with the balance open, confirmed
        assert not isinstance(app.screen, ReasonsScreen)
    saved = Reservation.get_by_id(res.id)
    assert saved.status == "departed"
    assert Room.get_by_id(room.id).status == "to_inspect"
    assert KeySet.get(KeySet.room == room).state == "desk"
    charge = Charge.get(Charge.reservation == res.id, Charge.kind == "damage")
    assert charge.amount_cents == view.damages[0].amount_cents
    assert KeyLog.select().where(KeyLog.action == "return").count() == 1


async def test_lost_key_is_replaced_charged_and_given_back(database, desk_app, at_time):
    room = factories.room(number="B-201")
    res = tenants.tenant(room)
    at_time(tenants.FRIDAY_10H)
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "f4")
        assert isinstance(app.screen, KeysScreen)
        await press(pilot, "x")
        await press(pilot, "y")
        table = app.screen.query_one("#key-sets", DataTable)
        labels = [row.label for row in app.screen.rows]
        assert labels == ["GAS/B-201/1", "GAS/B-201/2"]
        await press(pilot, "down", "g", "y")  # the replacement goes to the tenant
        assert table.row_count == 2
        await press(pilot, "l")
        assert isinstance(app.screen, KeyLogScreen)
        log = app.screen.query_one("#log", DataTable)
        actions = [log.get_row_at(i)[1].plain for i in range(log.row_count)]
        assert {"lost", "handover"} <= set(actions)
    old, new = KeySet.select().where(KeySet.room == room).order_by(KeySet.label)
    assert old.state == "lost"
    assert new.state == "out" and new.holder_id == res.id
    assert Charge.get(Charge.kind == "lost_key").reservation_id == res.id


async def test_extension_granted_reopens_the_insurance_check(database, desk_app, at_time):
    res = tenants.tenant(factories.room(number="B-301"))  # insured until the lease end
    at_time(tenants.FRIDAY_10H)
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_file(pilot, res)
        await press(pilot, "e")
        assert isinstance(app.screen, FieldsForm)
        await press(pilot, *"30/06/2027", "enter", *"Study stay extended", "enter")
        assert isinstance(app.screen, ReservationScreen)
    # the mobility manager decides (a receptionist records the request only)
    manager = make_app(factories.manager(), None, SystemClock(), Config())
    async with manager.run_test(size=(80, 24)) as pilot:
        await press(pilot, "f6")
        assert isinstance(manager.screen, ExtensionsScreen)
        await press(pilot, "y", "y")
        assert isinstance(manager.screen, ReasonsScreen)  # granted; the insurance falls short
        assert any("Insurance" in r and "30/06/2027" in r for r in manager.screen.reasons)
    saved = Reservation.get_by_id(res.id)
    assert saved.lease_end == date(2027, 6, 30)


async def test_key_return_refused_outside_desk_hours_changes_nothing(database, desk_app, at_time):
    room = factories.room(number="B-401")
    tenants.tenant(room)
    at_time(factories.FRIDAY_17H)
    app = desk_app()
    audit_before = AuditLog.select().count()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "f4")
        await press(pilot, "t", "y")
        assert isinstance(app.screen, ReasonsScreen)
        assert any(
            "Monday 30/11/2026 09:00" in r or "opens Monday 09:00" in r for r in app.screen.reasons
        ), app.screen.reasons
    assert KeySet.get(KeySet.room == room).state == "out"
    assert KeyLog.select().where(KeyLog.action == "return").count() == 0
    assert AuditLog.select().count() == audit_before


async def test_rooms_view_filters_and_makes_a_room_ready(database, desk_app, at_time):
    at_time(factories.MONDAY_10H)
    factories.room(number="A-001")
    inspected = factories.room(number="A-002")
    Room.update(status="to_inspect").where(Room.id == inspected.id).execute()
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "f3")
        assert isinstance(app.screen, RoomsScreen)
        for _ in range(4):  # every status → available → reserved → occupied → to inspect
            await press(pilot, "s")
        assert [r.number for r in app.screen.rows] == ["A-002"]
        await press(pilot, "r", "y")
    assert Room.get_by_id(inspected.id).status == "available"


async def test_a_locked_inspection_is_corrected_by_an_amendment(database, desk_app, at_time):
    from crous_desk.store.models import Inspection, InspectionAmendment, InspectionItem
    from screens.inspection import InspectionScreen

    res = tenants.tenant(factories.room(number="B-501"))
    at_time(tenants.FRIDAY_10H)
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_file(pilot, res)
        await press(pilot, "i")
        assert isinstance(app.screen, InspectionScreen)
        await press(pilot, "g")  # locked: states are no longer set directly
        await press(pilot, "c")
        assert isinstance(app.screen, FieldsForm)
        await press(pilot, "ctrl+u", *"worn", "enter", "enter", *"Scratch seen on day 2", "enter")
        await press(pilot, "enter")  # reported by the tenant: yes (within the 10 days)
        assert isinstance(app.screen, InspectionScreen)
        table = app.screen.query_one("#items", DataTable)
        assert table.get_row_at(0)[1].plain == "worn*"
    inspection = Inspection.get(Inspection.reservation == res.id)
    first = inspection.items.order_by(InspectionItem.position).first()
    assert first.state == "good"  # the acknowledged record is untouched
    amendment = InspectionAmendment.get(InspectionAmendment.item == first.id)
    assert (amendment.state, amendment.reason) == ("worn", "Scratch seen on day 2")


async def test_f2_comes_back_to_today_with_an_empty_search(database, desk_app, at_time):
    from textual.widgets import Input

    from screens.search import SearchScreen

    at_time(factories.MONDAY_10H)
    res = factories.reservation()
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_file(pilot, res)
        await press(pilot, "f4")
        await press(pilot, "f2")
        assert isinstance(app.screen, SearchScreen)
        assert app.screen.query_one("#query", Input).value == ""
        assert app.screen.query_one("#today").display
