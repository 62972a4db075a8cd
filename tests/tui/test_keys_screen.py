"""The keys screen with the keyboard alone: what the filter shows, a set taken back, given to
the tenant who has none, retired; the key log filtered (and its refusals); the 17:00 list."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import DataTable, Input, Static

from crous_desk.keys import actions as keys
from crous_desk.store.models import KeyLog, KeySet, Reservation
from screens.forms import FieldsForm
from screens.keylog import ClosingScreen, KeyLogScreen
from screens.keys import KeysScreen
from screens.reservation import ReservationScreen
from screens.widgets import ReasonsScreen
from tests import factories, tenants
from tests.tui.driving import cells, field_errors, highlight, on_screen, until


def state(label: str) -> tuple[str, int | None]:
    key_set = KeySet.get(KeySet.label == label)
    return key_set.state, key_set.holder_id


async def test_filter_take_back_give_and_retire(database, desk_app, at_time):
    room = factories.room(number="B-201", key_sets=2)
    res = tenants.tenant(room)  # holds GAS/B-201/1; /2 stays at the desk
    at_time(tenants.FRIDAY_10H)
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        screen = await on_screen(pilot, KeysScreen)
        table = screen.query_one("#key-sets", DataTable)
        assert cells(table) == ["GAS/B-201/1", "GAS/B-201/2"]

        await pilot.press("f")  # only the sets that are out
        await until(pilot, lambda: cells(table) == ["GAS/B-201/1"], "only the set out")
        assert "showing: out" in str(screen.query_one("#keys-title", Static).render())

        await pilot.press("t", "y")  # asked first, naming the set and its holder
        await until(pilot, lambda: cells(table) == [], "the set taken back leaves 'out'")
        assert state("GAS/B-201/1") == ("desk", None)

        await pilot.press("f")  # the sets at the desk: both now
        await until(pilot, lambda: len(cells(table)) == 2, "both sets at the desk")
        await highlight(pilot, table, "GAS/B-201/2")
        await pilot.press("g", "y")  # given to the tenant who now has none
        await until(pilot, lambda: state("GAS/B-201/2") == ("out", res.id), "the set given")
        await until(pilot, lambda: cells(table) == ["GAS/B-201/1"], "the given set leaves")

        await pilot.press("g")  # the tenant holds a set: nobody to give this one to
        reasons = await on_screen(pilot, ReasonsScreen)
        assert reasons.reasons == ["every tenant of room B-201 already holds a set"]
        await pilot.press("escape")
        await on_screen(pilot, KeysScreen)
        assert state("GAS/B-201/1") == ("desk", None)

        await pilot.press("r")
        await on_screen(pilot, FieldsForm)
        await pilot.press(*"lock changed", "enter")
        await until(pilot, lambda: state("GAS/B-201/1")[0] == "retired", "the set retired")
    retired = KeyLog.select().where(KeyLog.action == "retired").get()
    assert retired.note == "lock changed"


async def test_a_refused_take_back_says_why_and_changes_nothing(database, desk_app, at_time):
    room = factories.room(number="B-202")
    tenants.tenant(room)
    at_time(tenants.SATURDAY_10H)  # the desk is closed
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        await on_screen(pilot, KeysScreen)
        await pilot.press("t", "y")
        reasons = await on_screen(pilot, ReasonsScreen)
        assert any("desk is closed" in r for r in reasons.reasons), reasons.reasons
    assert state("GAS/B-202/1")[0] == "out"


async def test_the_key_log_filter_refuses_unknown_values_then_filters(database, desk_app, at_time):
    first = tenants.tenant(factories.room(number="B-301"))
    tenants.tenant(factories.room(number="B-302"), first="Ana", last="Alves")
    at_time(tenants.FRIDAY_10H)
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4", "l")
        log_screen = await on_screen(pilot, KeyLogScreen)
        log = log_screen.query_one("#log", DataTable)
        assert sorted(cells(log, 2)) == ["GAS/B-301/1", "GAS/B-302/1"]

        await pilot.press("f")
        await on_screen(pilot, FieldsForm)
        # room, tenant, staff, from, until: Enter moves on, and saves on the last one
        await pilot.press(*"Z-999", "enter", *"NOPE42", "enter", *"nobody", "enter")
        await pilot.press(*"31/02/2026", "enter", "enter")
        form = app.screen  # it stays open: each problem under its box, all at once
        await until(pilot, lambda: "field-room" in field_errors(form), "the problems shown")
        errors = field_errors(form)
        assert errors["field-room"] == "no room 'Z-999' at this desk"
        assert errors["field-tenant"] == "no reservation 'NOPE42' at this desk"
        assert errors["field-staff"] == "no staff member 'nobody'"
        assert "31/02/2026" in errors["field-first_day"]
        assert [i.value for i in form.query(Input)][:3] == ["Z-999", "NOPE42", "nobody"]
        await pilot.press("escape")
        await on_screen(pilot, KeyLogScreen)
        assert len(cells(log, 2)) == 2  # the refused filter changed nothing

        await pilot.press("f")
        await on_screen(pilot, FieldsForm)
        await pilot.press(*"b-301", "enter", *first.reference, "enter", *"m.martin", "enter")
        await pilot.press(*"23/11/2026", "enter", *"23/11/2026", "enter")
        await until(pilot, lambda: cells(log, 2) == ["GAS/B-301/1"], "the log of B-301 only")
        title = str(log_screen.query_one("#log-title", Static).render())
        assert "room=b-301" in title and "1 entries" in title

        await pilot.press("f")
        await on_screen(pilot, FieldsForm)
        await pilot.press("enter", "enter", *"accueil", "enter", "enter", "enter")
        await until(pilot, lambda: cells(log, 2) == [], "nothing handed over by accueil")

        await pilot.press("f")  # each field comes back filled with the filter in use
        await on_screen(pilot, FieldsForm)
        await pilot.press("enter", "enter", *"m.martin", "enter")
        await pilot.press(*"24/11/2026", "enter", *"30/11/2026", "enter")
        await until(pilot, lambda: cells(log, 2) == [], "nothing handed over after Monday")
        assert "first_day=24/11/2026" in str(log_screen.query_one("#log-title", Static).render())


async def test_the_closing_check_lists_what_should_be_back_and_opens_the_file(
    database, desk_app, at_time
):
    leaving = tenants.tenant(
        factories.room(number="B-401"), lease_end=tenants.FRIDAY_10H.date()
    )  # the lease ends today: the keys must come back before closing
    staying = tenants.tenant(factories.room(number="B-402", key_sets=2), first="Ana")
    spare = KeySet.get(KeySet.label == "GAS/B-402/2")
    keys.lend(
        tenants.desk_at(tenants.FRIDAY_10H),
        spare.id,
        "Plomberie Durand",
        tenants.FRIDAY_10H + timedelta(hours=3),
    )
    at_time(tenants.FRIDAY_10H + timedelta(hours=7))  # 17:00 Paris
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4", "c")
        closing = await on_screen(pilot, ClosingScreen)
        table = closing.query_one("#closing", DataTable)
        assert sorted(cells(table)) == ["GAS/B-401/1", "GAS/B-402/2"]
        title = str(closing.query_one("#closing-title", Static).render())
        assert "2 sets" in title
        assert "Audit anchor: " in title and " head=" in title  # issue 13, point 6
        why = dict(zip(cells(table), cells(table, 2), strict=True))
        assert "Plomberie Durand" in why["GAS/B-402/2"]
        await highlight(pilot, table, "GAS/B-401/1")
        await pilot.press("enter")
        file_screen = await on_screen(pilot, ReservationScreen)
        assert file_screen.reservation_id == leaving.id
    assert Reservation.get_by_id(staying.id).status == "checked_in"
