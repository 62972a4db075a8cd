"""The état des lieux screen of a check-out: a number of keys that is not one is refused
with its reason, the tenant's new address recorded, the copy sent to a printer that is not
configured still saved with the reason shown."""

from __future__ import annotations

from textual.widgets import Static

from crous_desk.store.models import Inspection
from screens.departure import DepartureScreen
from screens.etat import EtatScreen
from screens.forms import FieldsForm
from screens.reservation import ReservationScreen
from screens.widgets import ReasonsScreen
from tests import factories, tenants
from tests.tui.driving import on_screen, until


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_keys_address_and_a_copy_without_printer(database, desk_app, at_time):
    res = tenants.tenant(factories.room(number="B-112"))
    at_time(tenants.FRIDAY_10H)
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*res.reference, "enter")
        await on_screen(pilot, ReservationScreen)
        await pilot.press("d")
        await on_screen(pilot, DepartureScreen)
        await pilot.press("l")  # nothing to show before the check-out is opened
        reasons = await on_screen(pilot, ReasonsScreen)
        assert reasons.reasons == ["open the check-out inspection first (o)"]
        await pilot.press("escape")
        await on_screen(pilot, DepartureScreen)
        await pilot.press("o")
        await until(
            pilot,
            lambda: Inspection.select().where(Inspection.kind == "check_out").exists(),
            "the check-out opened",
        )
        await pilot.press("l")
        etat = await on_screen(pilot, EtatScreen)
        await until(pilot, lambda: "No meter of its own" in text_of(etat, "#etat"), "shown")
        assert "not given yet" in text_of(etat, "#etat")

        await pilot.press("k")
        await on_screen(pilot, FieldsForm)
        await pilot.press("ctrl+u", "x", "enter", "enter", "enter", "enter")
        reasons = await on_screen(pilot, ReasonsScreen)
        assert reasons.reasons == ["'x' is not a number of keys"]
        await pilot.press("escape")
        await on_screen(pilot, EtatScreen)

        await pilot.press("f")
        await on_screen(pilot, FieldsForm)
        await pilot.press(*"Via Roma 1, 00100 Roma", "enter")
        await until(pilot, lambda: "Via Roma 1" in text_of(etat, "#etat"), "the new address")

        await pilot.press("p")  # no printer configured: saved all the same, and why not printed
        await until(pilot, lambda: text_of(etat, "#etat-status") != "", "the printer's answer")
    check_out = Inspection.get(Inspection.kind == "check_out")
    assert check_out.forwarding_address == "Via Roma 1, 00100 Roma"
    assert list(tenants_documents())


def tenants_documents():
    import os
    from pathlib import Path

    folder = Path(os.environ["XDG_DOCUMENTS_DIR"])
    return folder.rglob("etat-*-check_out-*.pdf")
