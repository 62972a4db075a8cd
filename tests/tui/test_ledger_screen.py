"""The money of a stay on its own screen, with the keyboard alone: a payment recorded, a bad
amount refused with its reason, a movement reversed (never edited), the balance on the file."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from crous_desk.store.models import LedgerMovement
from screens.forms import FieldsForm
from screens.ledger import LedgerScreen
from screens.reservation import ReservationScreen
from screens.widgets import ReasonsScreen
from tests import factories, tenants
from tests.tui.driving import cells, on_screen, until


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_a_payment_a_refused_amount_and_a_reversal(database, desk_app, at_time):
    res = tenants.tenant(factories.room(number="B-112"))
    at_time(tenants.FRIDAY_10H)
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*res.reference, "enter")
        await on_screen(pilot, ReservationScreen)
        await pilot.press("dollar_sign")
        screen = await on_screen(pilot, LedgerScreen)
        await until(pilot, lambda: "settled" in text_of(screen, "#ledger-balance"), "balance")
        assert "Advance 100.00 € · Hélène Dupont" in text_of(screen, "#ledger-heading")

        await pilot.press("p")
        await on_screen(pilot, FieldsForm)
        await pilot.press(*"12.345", "enter", *"cash", "enter")
        reasons = await on_screen(pilot, ReasonsScreen)
        assert "two decimals" in reasons.reasons[0]
        await pilot.press("escape")

        await pilot.press("p")
        await on_screen(pilot, FieldsForm)
        await pilot.press(*"45,50", "enter", *"cash", "enter")
        table = screen.query_one("#movements", DataTable)
        await until(pilot, lambda: table.row_count == 1, "the payment")
        assert "residence owes 45.50 €" in text_of(screen, "#ledger-balance")

        await pilot.press("v")
        await on_screen(pilot, FieldsForm)
        await pilot.press(*"typed on the wrong file", "enter")
        await until(pilot, lambda: table.row_count == 2, "the reversal")
        assert "settled" in text_of(screen, "#ledger-balance")
        assert "reversal of #1" in cells(table, 1)[1]
        await pilot.press("escape")
        await on_screen(pilot, ReservationScreen)
    kinds = [(m.kind, m.amount_cents) for m in LedgerMovement.select()]
    assert kinds == [("payment", -4550), ("reversal", 4550)]
