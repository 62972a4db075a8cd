"""A receptionist takes an arriving student from search to keys, with the keyboard alone."""

from __future__ import annotations

from crous_desk.store.models import Inspection, KeyLog, KeySet, Reservation
from screens.inspection import InspectionScreen
from screens.reservation import ReservationScreen
from screens.widgets import ConfirmScreen, ReasonsScreen
from tests import factories
from tests.tui.settle import press


async def test_whole_arrival_from_search_to_keys(database, desk_app, at_time):
    at_time(factories.MONDAY_10H)
    room = factories.room(number="B-112", kind="traditional")
    res = factories.reservation(room_=room, documents="received")
    factories.reservation(first="Hélio", last="Durand")  # a near miss in the results
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, *"helene dupont")
        await press(pilot, "enter")
        assert isinstance(app.screen, ReservationScreen)
        assert app.screen.reservation_id == res.id

        # tick the five documents; three ask for the facts read off the paper
        await press(pilot, "space")  # insurance: dates are pre-filled from the upload
        await press(pilot, "ctrl+s")
        for _ in range(4):  # the cursor stays: ↓ to the next document
            await press(pilot, "down", "space")
            if not isinstance(app.screen, ReservationScreen):
                await press(pilot, "ctrl+s")
        view = app.screen.view
        assert view is not None and view.file_problems == []

        # the check-in inspection: every item "good", the tenant acknowledges
        await press(pilot, "i")
        assert isinstance(app.screen, InspectionScreen)
        for _ in app.screen.items:
            await press(pilot, "g")
        await press(pilot, "a")
        await press(pilot, "y")
        inspection = Inspection.get(Inspection.reservation == res.id)
        assert inspection.locked
        await press(pilot, "escape")

        await press(pilot, "k")
        assert isinstance(app.screen, ConfirmScreen)  # naming the set and the tenant
        await press(pilot, "y")
        assert not isinstance(app.screen, ReasonsScreen)
    key_set = KeySet.get(KeySet.room == room)
    assert key_set.state == "out" and key_set.holder_id == res.id
    assert Reservation.get_by_id(res.id).status == "checked_in"
    assert KeyLog.select().where(KeyLog.key_set == key_set).count() == 1
