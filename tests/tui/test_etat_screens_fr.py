"""The stay's money, the état des lieux and the move screens in French at 80×24: no footer
entry or column header is cut."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crous_desk.base.i18n import set_language
from screens.departure import DepartureScreen
from screens.etat import EtatScreen
from screens.ledger import LedgerScreen
from screens.move import MoveScreen
from screens.reservation import ReservationScreen
from tests import factories, tenants
from tests.tui.conftest import assert_nothing_cut
from tests.tui.driving import on_screen


@pytest.fixture(autouse=True)
def _in_french() -> Iterator[None]:
    set_language("fr")
    yield
    set_language(None)


async def test_nothing_is_cut_in_french(database, desk_app, at_time):
    res = tenants.tenant(factories.room(number="B-112"))
    at_time(tenants.FRIDAY_10H)
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*res.reference, "enter")
        await on_screen(pilot, ReservationScreen)
        await pilot.press("dollar_sign")
        await on_screen(pilot, LedgerScreen)
        await pilot.pause()
        assert_nothing_cut(app)
        await pilot.press("escape")
        await on_screen(pilot, ReservationScreen)
        await pilot.press("m")
        await on_screen(pilot, MoveScreen)
        await pilot.pause()
        assert_nothing_cut(app)
        await pilot.press("escape")
        await on_screen(pilot, ReservationScreen)
        await pilot.press("d")
        await on_screen(pilot, DepartureScreen)
        await pilot.press("o")
        await pilot.pause(0.3)
        await pilot.press("l")
        await on_screen(pilot, EtatScreen)
        await pilot.pause()
        assert_nothing_cut(app)
