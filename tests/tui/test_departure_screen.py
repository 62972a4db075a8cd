"""An early departure on the departure screen, with the keyboard alone: what is refused before
the check-out, the appointment (a time that is not one, then a good one), the items compared
with the check-in (same, worn, a remark), the tenant's acknowledgement and the early close."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from crous_desk.store.models import Departure, Inspection, InspectionItem, KeySet, Reservation
from screens.departure import DepartureScreen
from screens.forms import EarlyDepartureForm, FieldsForm, RemarkForm
from screens.widgets import ConfirmScreen, ReasonsScreen
from tests import factories, tenants
from tests.tui.driving import cells, field_errors, on_screen, until


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def check_out_items() -> list[InspectionItem]:
    check_out = Inspection.get(Inspection.kind == "check_out")
    return list(check_out.items.order_by(InspectionItem.position))


async def test_an_early_departure_from_the_appointment_to_the_closed_stay(
    database, desk_app, at_time
):
    room = factories.room(number="B-112", kind="traditional")
    res = tenants.tenant(room)  # the lease runs to 30/04/2027
    at_time(tenants.FRIDAY_10H)
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*res.reference, "enter")
        await pilot.pause()
        await pilot.press("d")
        screen = await on_screen(pilot, DepartureScreen)
        assert "EARLY departure" in text_of(screen, "#departure-title")
        assert "press o" in text_of(screen, "#departure-summary")

        await pilot.press("a")  # nothing to acknowledge before the check-out
        reasons = await on_screen(pilot, ReasonsScreen)
        assert reasons.reasons == ["open the check-out inspection first (o)"]
        await pilot.press("escape")

        await pilot.press("b")
        form = await on_screen(pilot, FieldsForm)
        assert [i.value for i in form.query("Input")] == ["30/04/2027", "10:00"]
        await pilot.press(*["backspace"] * 10, *"27/11/2026", "enter")
        await pilot.press(*["backspace"] * 5, *"25:00", "enter")
        reasons = await on_screen(pilot, ReasonsScreen)
        assert reasons.reasons == ["'25:00' is not a time: type it as HH:MM, e.g. 14:30"]
        await pilot.press("escape")
        await pilot.press("b")
        await on_screen(pilot, FieldsForm)
        await pilot.press(*["backspace"] * 10, *"27/11/2026", "enter")
        await pilot.press(*["backspace"] * 5, *"15:30", "enter")
        await until(
            pilot,
            lambda: "appointment 27/11/2026 15:30" in text_of(screen, "#departure-title"),
            "the appointment shown",
        )

        await pilot.press("o")
        table = screen.query_one("#check-out", DataTable)
        await until(pilot, lambda: table.row_count > 3, "the check-out items")
        assert set(cells(table, 2)) == {"same"}  # started from the check-in
        await pilot.press("w")  # the first item is worn now; the cursor moves on
        await until(pilot, lambda: cells(table, 2)[0] == "worn", "the first item worn")
        await pilot.press("s")  # the second is as it was
        await pilot.press("r")
        await on_screen(pilot, RemarkForm)
        await pilot.press(*"scuff by the door", "enter")
        await on_screen(pilot, DepartureScreen)
        await until(
            pilot, lambda: "scuff by the door" in cells(table, 3)[2], "the remark on its row"
        )

        await pilot.press("a")
        await on_screen(pilot, ConfirmScreen)
        await pilot.press("y")
        await on_screen(pilot, FieldsForm)  # the tenant's new address, as the law asks
        await pilot.press(*"Via Roma 1, 00100 Roma", "enter")
        await until(
            pilot,
            lambda: "acknowledged by the tenant" in text_of(screen, "#departure-summary"),
            "the acknowledgement",
        )

        await pilot.press("x")  # early, with the worn item charged: the balance is said first
        confirm = await on_screen(pilot, ConfirmScreen)
        assert "the tenant owes 20.00 €" in confirm.question
        await pilot.press("y")
        form = await on_screen(pilot, EarlyDepartureForm)  # force majeure chosen, and why
        await pilot.press("ctrl+s")  # neither answered: both said, in the form
        await until(pilot, lambda: len(field_errors(form)) == 2, "both problems")
        errors = field_errors(form)
        assert "say whether this early departure is force majeure" in errors["force-majeure"]
        assert errors["reason"] == "give the reason for the early departure"
        assert Reservation.get_by_id(res.id).status == "checked_in"
        await pilot.press(*"internship abroad", "shift+tab", "down", "ctrl+s")  # No
        await until(
            pilot, lambda: "departed" in text_of(screen, "#departure-title"), "the stay closed"
        )
    assert Reservation.get_by_id(res.id).status == "departed"
    assert KeySet.get(KeySet.room == room).state == "desk"
    departure = Departure.get(Departure.reservation == res.id)
    assert departure.force_majeure is False and departure.reason == "internship abroad"
    assert departure.open_balance_cents == 2000
    states = [(i.state, i.remark) for i in check_out_items()[:3]]
    assert states[0][0] == "worn" and states[2][1] == "scuff by the door"
