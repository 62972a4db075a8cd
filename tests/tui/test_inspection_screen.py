"""The check-in inspection with the keyboard alone: items and a remark, an acknowledgement
refused while items are unchecked, then locked; after that, items are only corrected (a
dated amendment with its reason, never an edit)."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from crous_desk.store.models import Inspection, InspectionAmendment, InspectionItem
from screens.forms import FieldsForm, RemarkForm
from screens.inspection import InspectionScreen
from screens.widgets import ConfirmScreen, ReasonsScreen
from tests import factories
from tests.factories import MONDAY_10H
from tests.tui.driving import cells, field_errors, on_screen, until


def states() -> list[str | None]:
    inspection = Inspection.get()
    return [i.state for i in inspection.items.order_by(InspectionItem.position)]


async def test_record_acknowledge_then_only_correct(database, desk_app, at_time):
    res = factories.reservation(documents="verified", room_=factories.room(number="B-112"))
    at_time(MONDAY_10H)
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*res.reference, "enter")
        await pilot.pause()
        await pilot.press("i")
        screen = await on_screen(pilot, InspectionScreen)
        table = screen.query_one("#items", DataTable)
        title = screen.query_one("#inspection-title", Static)
        total = table.row_count
        assert total > 3 and f"0/{total} items checked" in str(title.render())

        await pilot.press("w")  # the first item is worn; the cursor moves to the next one
        await until(pilot, lambda: states()[0] == "worn", "the first item worn")
        await pilot.press("up", "r")
        await on_screen(pilot, RemarkForm)
        await pilot.press(*"scuff marks", "enter")
        await on_screen(pilot, InspectionScreen)
        await until(pilot, lambda: cells(table, 2)[0] == "scuff marks", "the remark shown")

        await pilot.press("a")
        await on_screen(pilot, ConfirmScreen)
        await pilot.press("y")
        reasons = await on_screen(pilot, ReasonsScreen)  # items are still unchecked
        assert reasons.title_text == "Not acknowledged yet"
        await pilot.press("escape")
        await on_screen(pilot, InspectionScreen)

        await pilot.press("down", *["g"] * (total - 1))
        await until(pilot, lambda: all(states()), "every item checked")
        await pilot.press("a")
        await on_screen(pilot, ConfirmScreen)
        await pilot.press("y")
        await until(pilot, lambda: "Locked: acknowledged" in str(title.render()), "locked")

        table.move_cursor(row=0)
        await pilot.press("d")  # locked: the state keys do nothing any more
        await pilot.pause()
        assert states()[0] == "worn"

        await pilot.press("c")
        form = await on_screen(pilot, FieldsForm)
        assert [i.value for i in form.query("Input")][:2] == ["worn", "scuff marks"]
        await pilot.press(*["backspace"] * 4, *"damaged", "enter", "enter", "enter", "enter")
        await until(pilot, lambda: "field-reason" in field_errors(form), "no reason given")
        assert field_errors(form) == {"field-reason": "the reason for the correction is required"}
        assert InspectionAmendment.select().count() == 0
        assert [i.value for i in form.query("Input")][:2] == ["damaged", "scuff marks"]
        await pilot.press(*"a stain missed at first", "enter", "enter")  # reported: yes
        await until(pilot, lambda: cells(table, 1)[0] == "damaged*", "the correction shown")
    assert states()[0] == "worn"  # the recorded state stays; the amendment says what changed
    amendment = InspectionAmendment.get()
    assert amendment.reason == "a stain missed at first"
    assert amendment.by_tenant is True
