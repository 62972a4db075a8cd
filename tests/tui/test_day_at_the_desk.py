"""Issue 12: a whole day at the desk at 80×24 — nothing stale, nothing lost, nothing offered
in vain. One test (or a few) per numbered point of the issue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from textual.widgets import DataTable, Input, Static

from crous_desk import rooms as tenancy
from crous_desk.base.clock import SystemClock
from crous_desk.base.config import Config
from crous_desk.base.errors import code_of
from crous_desk.store.models import Closure, Document, KeySet, Reservation, Room
from screens.app import make_app
from screens.dialogs import ConfirmScreen, ReasonsScreen
from screens.forms import FieldsForm
from screens.reservation import ReservationScreen
from screens.search import SearchScreen
from screens.today import TodayPanel
from tests import factories, tenants
from tests.tui.driving import burst, highlight, on_screen, rows, until
from tests.tui.settle import press, settle
from tests.tui.test_desk_rules_in_the_app import _ready_for_keys


@dataclass(frozen=True)
class _Two:
    first: str
    second: str


# -- 1. today at the desk stays live ---------------------------------------------------------


def _detail_of(app, name: str) -> str:
    panel = app.screen.query_one("#today", TodayPanel)
    for row in rows(panel):
        if row[1] == name:
            return row[3]
    raise AssertionError(f"{name} is not on today's panel: {rows(panel)}")


async def test_today_redraws_after_a_change_at_this_desk(database, desk_app, at_time) -> None:
    at_time(factories.MONDAY_10H)
    res = factories.reservation(documents="verified")
    Document.update(verified_at=None, verified_by=None).where(
        (Document.reservation == res) & (Document.kind == "info_form")
    ).execute()
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, SearchScreen)
        await settle(pilot)
        assert _detail_of(app, "Hélène Dupont") == "to do: file, inspection"
        await press(pilot, *"dupont", "enter")
        file = await on_screen(pilot, ReservationScreen)
        await highlight(pilot, file.query_one("#documents", DataTable), "[~]")
        await press(pilot, "space", "escape", "ctrl+l")
        await on_screen(pilot, SearchScreen)
        await until(
            pilot,
            lambda: _detail_of(app, "Hélène Dupont") == "to do: inspection",
            "the panel says the file is complete",
        )


async def test_f2_and_the_minute_redraw_today(database, desk_app, at_time) -> None:
    at_time(factories.MONDAY_10H)
    factories.reservation(
        first="Ana",
        last="Expiring",
        status="proposed",
        lease_start=date(2027, 1, 4),
        sent_at=factories.MONDAY_10H - timedelta(hours=100),
    )
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, SearchScreen)
        await settle(pilot)
        assert _detail_of(app, "Ana Expiring") == "20 h 00 left"
        at_time(factories.MONDAY_10H + timedelta(hours=2))
        await press(pilot, "f2")  # the box is empty already: F2 reads the day again
        await until(pilot, lambda: _detail_of(app, "Ana Expiring") == "18 h 00 left", "F2 redraw")
        app.screen.live_tick()  # what the minute's timer calls
        at_time(factories.MONDAY_10H + timedelta(hours=3))
        app.screen.live_tick()
        await until(pilot, lambda: _detail_of(app, "Ana Expiring") == "17 h 00 left", "the minute")


# -- 6. a consequential action asks first, naming what will happen ---------------------------


def _question(app) -> str:
    assert isinstance(app.screen, ConfirmScreen), app.screen
    return app.screen.question


async def test_k_asks_before_handing_the_set_to_the_tenant(database, desk_app, at_time) -> None:
    at_time(factories.MONDAY_10H)
    room = factories.room(number="B-112")
    res = _ready_for_keys(room)
    app = desk_app(room.residence)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, *res.reference, "enter", "k")
        assert _question(app) == "Hand key set GAS/B-112/1 (room B-112) to Hélène Dupont?"
        await press(pilot, "n")
        assert Reservation.get_by_id(res.id).status == "accepted"
        await press(pilot, "k", "y")
        await until(pilot, lambda: KeySet.get(KeySet.room == room).state == "out", "handed")


async def test_the_lost_key_question_names_the_holder_and_the_charge(
    database, desk_app, at_time
) -> None:
    tenants.tenant(factories.room(number="B-201"))
    at_time(tenants.FRIDAY_10H)
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "f4", "x")
        assert _question(app) == (
            "Declare GAS/B-201/1 lost? It is blocked for good, a replacement set is made, "
            "and Hélène Dupont is charged 45.00 €."
        )
        await press(pilot, "n")
    assert KeySet.get(KeySet.label == "GAS/B-201/1").state == "out"


async def test_an_extension_is_decided_after_a_question_and_said_recorded(
    database, desk_app, at_time
) -> None:
    res = tenants.tenant(factories.room(number="B-301"))  # insured until 30/04/2027
    at_time(tenants.FRIDAY_10H)
    tenancy.request_extension(
        tenants.desk_at(tenants.FRIDAY_10H), res.id, date(2027, 6, 30), "study stay extended"
    )
    manager = make_app(factories.manager(), None, SystemClock(), Config())
    async with manager.run_test(size=(80, 24)) as pilot:
        await press(pilot, "f6", "y")
        assert _question(manager) == (
            "Grant Hélène Dupont's extension? The lease end moves from 30/04/2027 to 30/06/2027."
        )
        await press(pilot, "n")
        assert Reservation.get_by_id(res.id).lease_end == date(2027, 4, 30)
        await press(pilot, "y", "y")
        box = await on_screen(pilot, ReasonsScreen)
        said = str(box.query_one(Static).render())
        assert "This was recorded" in said and "Nothing was changed" not in said
    assert Reservation.get_by_id(res.id).lease_end == date(2027, 6, 30)


async def test_r_asks_before_a_room_is_offered_again(database, desk_app, at_time) -> None:
    at_time(factories.MONDAY_10H)
    room = factories.room(number="B-103")
    Room.update(status="to_inspect").where(Room.id == room.id).execute()
    app = desk_app(room.residence)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "f3", "r")
        assert _question(app) == (
            "Room B-103 is inspected and ready: offer it to the next student?"
        )
        await press(pilot, "n")
        assert Room.get_by_id(room.id).status == "to_inspect"
        await press(pilot, "r", "y")
        assert Room.get_by_id(room.id).status == "available"


# -- 7. a refusal says the real reason ---------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "closure", "named"),
    [
        (  # Friday 25 December 2026, 10:00 Paris
            datetime(2026, 12, 25, 9, 0, tzinfo=UTC),
            None,
            "Friday 25 December 2026: public holiday, Christmas Day · "
            "Desk closed — opens Monday 09:00",
        ),
        (  # Wednesday 2 December 2026, 10:00 Paris, in the residence's closure
            datetime(2026, 12, 2, 9, 0, tzinfo=UTC),
            (date(2026, 12, 2), date(2026, 12, 3), "inventory"),
            "the residence's closure from 02/12/2026 to 03/12/2026: inventory · "
            "Desk closed — opens Friday 09:00",
        ),
    ],
)
async def test_the_key_refusal_names_the_holiday_or_the_closure(
    database, desk_app, at_time, when, closure, named
) -> None:
    room = factories.room(number="B-112")
    res = _ready_for_keys(room)
    if closure:
        Closure.create(
            residence=room.residence, first=closure[0], last=closure[1], reason=closure[2]
        )
    at_time(when)
    app = desk_app(room.residence)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, *res.reference, "enter", "k")
        box = await on_screen(pilot, ReasonsScreen)
        assert box.reasons == [
            f"the desk is closed: keys are handed over Monday to Friday before 17:00 ({named})"
        ]
        assert [code_of(r) for r in box.reasons] == ["desk_closed"]


# -- 10. keys typed in a burst keep their order ------------------------------------------------


async def test_a_burst_with_a_backspace_is_applied_in_order(database, desk_app, at_time) -> None:
    at_time(factories.MONDAY_10H)
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, SearchScreen)
        box = app.screen.query_one("#query", Input)
        await burst(pilot, "X", "Y", "Z", "backspace", "W", "left", "left", "Q")
        await until(pilot, lambda: box.value == "XQYW", f"XQYW, not {box.value!r}")
        await settle(pilot)


async def test_a_tab_in_a_burst_moves_on_before_the_next_characters(
    database, desk_app, at_time
) -> None:
    at_time(factories.MONDAY_10H)
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, SearchScreen)
        form: FieldsForm[_Two] = FieldsForm(
            "Two", _Two, [("first", "First", ""), ("second", "Second", "")]
        )
        app.push_screen(form)
        await on_screen(pilot, FieldsForm)
        await burst(pilot, *"14/05/2027", "tab", *"30/06/2027")
        first = form.query_one("#field-first", Input)
        second = form.query_one("#field-second", Input)
        await until(pilot, lambda: second.value == "30/06/2027", "the second box filled")
        assert first.value == "14/05/2027"
