"""Issue 12: a whole day at the desk at 80×24 — nothing stale, nothing lost, nothing offered
in vain. One test (or a few) per numbered point of the issue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from textual.widgets import DataTable, Input, Static
from textual.widgets._footer import FooterKey

from crous_desk import rooms as tenancy
from crous_desk.arrivals.slips import desk_slips
from crous_desk.base.clock import SystemClock
from crous_desk.base.config import Config
from crous_desk.base.errors import code_of
from crous_desk.store.models import (
    Closure,
    Departure,
    Document,
    ExtensionRequest,
    KeySet,
    Reservation,
    Room,
)
from screens.app import make_app
from screens.departure import DepartureScreen
from screens.dialogs import ConfirmScreen, ReasonsScreen
from screens.exports import ExportScreen
from screens.forms import DocumentFactsForm, FieldsForm
from screens.inspection import InspectionScreen
from screens.reservation import ReservationScreen
from screens.rooms import RoomsScreen
from screens.search import SearchScreen
from screens.today import TodayPanel
from tests import factories, tenants
from tests.tui.conftest import assert_nothing_cut
from tests.tui.driving import burst, cells, field_errors, highlight, on_screen, rows, until
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


# -- 2. a form keeps what was typed and says every problem under its field ------------------


async def test_the_extension_request_keeps_what_was_typed_and_says_every_problem(
    database, desk_app, at_time
) -> None:
    res = tenants.tenant(factories.room(number="B-301"))
    at_time(tenants.FRIDAY_10H)
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, *res.reference, "enter", "e")
        form = await on_screen(pilot, FieldsForm)
        await press(pilot, *"31/02/2027", "enter", "enter")  # no such day, and no reason
        await until(pilot, lambda: len(field_errors(form)) == 2, "both problems at once")
        errors = field_errors(form)
        assert "31/02/2027" in errors["field-new_end"]
        assert errors["field-reason"] == "the reason is required"
        assert form.query_one("#field-new_end", Input).value == "31/02/2027"
        assert app.screen is form  # still open
        await press(pilot, *["backspace"] * 10, *"30/04/2027", "tab")  # the cursor was there
        await press(pilot, *"study stay extended", "enter")  # the same day: not later
        await until(pilot, lambda: "field-reason" not in field_errors(form), "the reason given")
        assert list(field_errors(form)) == ["field-new_end"]
        assert form.query_one("#field-reason", Input).value == "study stay extended"
        await press(pilot, *["backspace"] * 10, *"30/06/2027", "ctrl+s")
        await on_screen(pilot, ReservationScreen)
    assert ExtensionRequest.get().requested_end == date(2027, 6, 30)


async def test_the_insurance_form_stays_open_with_both_dates_wrong(
    database, desk_app, at_time
) -> None:
    at_time(factories.MONDAY_10H)
    res = factories.reservation(documents="none")
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, *res.reference, "enter", "space")
        form = await on_screen(pilot, DocumentFactsForm)
        await press(pilot, *"1/13/2026", "enter", *"tomorrow", "enter")
        await until(pilot, lambda: len(field_errors(form)) == 2, "both boxes")
        assert set(field_errors(form)) == {"covers-from", "covers-until"}
        assert form.query_one("#covers-until", Input).value == "tomorrow"
        assert form.focused is form.query_one("#covers-from", Input)  # the first to fix
        await press(pilot, *["backspace"] * 9, *"30/04/2027", "tab", *["backspace"] * 8)
        await press(pilot, *"01/04/2027", "enter")  # the cover ends before it starts
        await until(pilot, lambda: "covers-until" in field_errors(form), "the core's word")
        assert "ends before it starts" in field_errors(form)["covers-until"]
        assert app.screen is form
    assert Document.select().count() == 0


# -- 3. everything can be reached at 80×24 ----------------------------------------------------


async def test_the_file_scrolls_to_every_reason_at_80x24(database, desk_app, at_time) -> None:
    at_time(factories.MONDAY_10H)
    res = factories.reservation(documents="none", paid=False)  # many reasons under the keys
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, *res.reference, "enter")
        file = (await on_screen(pilot, ReservationScreen)).query_one("#file")
        readiness = file.query_one("#readiness")
        assert readiness.region.bottom > file.region.bottom  # the last reasons are below
        await press(pilot, "pagedown")
        assert file.scroll_y > 0
        await press(pilot, "home")
        assert file.scroll_y == 0
        await press(pilot, "end")
        assert file.scroll_y == file.max_scroll_y > 0
        assert file.query_one("#documents", DataTable).has_focus  # the table kept the focus


async def test_the_key_log_filter_fits_at_80x24_with_its_hint(database, desk_app, at_time) -> None:
    at_time(factories.MONDAY_10H)
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "f4", "l", "f")
        form = await on_screen(pilot, FieldsForm)
        hint = list(form.query(Static))[-1]
        assert "Esc: cancel" in str(hint.render())
        assert 0 < hint.region.height and hint.region.bottom <= 24
        boxes = list(form.query(Input))
        assert len(boxes) == 5 and all(b.region.height == 1 for b in boxes)


# -- 4. a role is offered only what it may do -------------------------------------------------


def _offered(app) -> set[str]:
    """The actions the footer, F1 and the palette offer on the screen on top."""
    return {active.binding.action for active in app.screen.active_bindings.values()}


async def test_a_receptionist_is_not_offered_to_decide_an_extension(
    database, desk_app, at_time
) -> None:
    res = tenants.tenant(factories.room(number="B-301"))
    at_time(tenants.FRIDAY_10H)
    tenancy.request_extension(
        tenants.desk_at(tenants.FRIDAY_10H), res.id, date(2027, 6, 30), "study stay extended"
    )
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "f6")
        assert "decide(True)" not in _offered(app) and "decide(False)" not in _offered(app)
        await press(pilot, "y")  # nothing asked, nothing decided
        assert not isinstance(app.screen, ConfirmScreen | ReasonsScreen)
    assert Reservation.get_by_id(res.id).lease_end == date(2027, 4, 30)


async def test_a_manager_is_not_offered_the_desk_side_of_a_file(
    database, desk_app, at_time
) -> None:
    at_time(factories.MONDAY_10H)
    factories.reservation(status="proposed", paid=False, lease_start=date(2027, 1, 4))
    manager = make_app(factories.manager(), None, SystemClock(), Config())
    async with manager.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")  # the student's row
        await on_screen(pilot, ReservationScreen)
        await settle(pilot)
        offered = _offered(manager)
        assert {"toggle_document", "inspection", "keys", "appointment", "slip"}.isdisjoint(offered)
        assert "payment" in offered  # the acceptance is theirs to record
        await press(pilot, "space", "i", "k")  # no form to fill in vain, no refusal
        assert isinstance(manager.screen, ReservationScreen)
    assert Document.select().where(Document.verified_at.is_null(False)).count() == 0


# -- 5. a document that does not count never shows as verified ------------------------------


def _document(app, kind: str) -> list[str]:
    table = app.screen.query_one("#documents", DataTable)
    return rows(table)[[d.kind for d in app.screen.view.documents].index(kind)]


async def test_an_insurance_ending_before_the_lease_is_not_shown_verified(
    database, desk_app, at_time
) -> None:
    at_time(factories.MONDAY_10H)
    res = factories.reservation(documents="none")  # lease 23/11/2026 → 30/04/2027
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, *res.reference, "enter")
        file = await on_screen(pilot, ReservationScreen)
        table = file.query_one("#documents", DataTable)
        assert table.cursor_row == 0  # the insurance
        await press(pilot, "space", *"23/11/2026", "enter", *"30/03/2027", "enter")
        await until(pilot, lambda: _document(app, "insurance")[0] == "[!]", "[!] on the row")
        assert _document(app, "insurance")[2] == "does not count"
        assert table.cursor_row == 0  # the cursor stays where the receptionist left it
        said = [n.message for n in app._notifications]
        assert any("recorded, but it does not count" in m and "30/03/2027" in m for m in said)
        assert not any(m.endswith(": verified") for m in said)


async def test_space_on_a_missing_document_asks_and_untick_restores_missing(
    database, desk_app, at_time
) -> None:
    at_time(factories.MONDAY_10H)
    res = factories.reservation(documents="none")
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, *res.reference, "enter")
        file = await on_screen(pilot, ReservationScreen)
        await press(pilot, "down")  # the signed CROUS form, missing
        assert _document(app, "info_form")[0] == "[ ]"
        await press(pilot, "space")
        assert "is missing from the file" in _question(app)
        await press(pilot, "n")
        assert _document(app, "info_form")[0] == "[ ]"
        await press(pilot, "space", "y")
        await until(pilot, lambda: _document(app, "info_form")[0] == "[x]", "ticked")
        assert file.query_one("#documents", DataTable).cursor_row == 1
        await press(pilot, "space")
        assert _question(app) == "Untick “Signed CROUS form”? It goes back to missing."
        await press(pilot, "y")
        await until(pilot, lambda: _document(app, "info_form")[0] == "[ ]", "missing again")
        assert _document(app, "info_form")[2] == "missing"


def test_the_slip_says_an_insurance_received_too_short_does_not_count(database) -> None:
    res = factories.reservation(documents="received")
    Document.update(covers_until=date(2027, 3, 30)).where(
        (Document.reservation == res) & (Document.kind == "insurance")
    ).execute()
    (slip,) = desk_slips(tenants.desk_at(factories.MONDAY_10H), [res.id])
    why = {m.code: m.why for m in slip.missing}
    assert why["insurance"] == "not_valid"
    assert why["school"] == "unverified"


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


async def test_t_and_g_ask_first_naming_the_set_and_the_tenant(database, desk_app, at_time) -> None:
    room = factories.room(number="B-201", key_sets=2)
    res = tenants.tenant(room)  # holds GAS/B-201/1; /2 stays at the desk
    at_time(tenants.FRIDAY_10H)
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "f4", "t")
        assert _question(app) == "Take back GAS/B-201/1 (room B-201) from Hélène Dupont?"
        await press(pilot, "n")
        assert KeySet.get(KeySet.label == "GAS/B-201/1").state == "out"
        await press(pilot, "t", "y")
        await until(
            pilot, lambda: KeySet.get(KeySet.label == "GAS/B-201/1").state == "desk", "back"
        )
        await press(pilot, "down", "g")
        assert _question(app) == "Give GAS/B-201/2 (room B-201) to Hélène Dupont?"
        await press(pilot, "escape")
        assert KeySet.get(KeySet.label == "GAS/B-201/2").holder_id is None
        await press(pilot, "g", "y")
        await until(
            pilot, lambda: KeySet.get(KeySet.label == "GAS/B-201/2").holder_id == res.id, "given"
        )


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


# -- 8. finding your way -----------------------------------------------------------------------


async def test_the_footer_at_80_columns_is_never_cut(database, desk_app, at_time) -> None:
    at_time(factories.MONDAY_10H)
    res = factories.reservation()
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert_nothing_cut(app)
        await press(pilot, *res.reference, "enter")
        await on_screen(pilot, ReservationScreen)
        await settle(pilot)
        assert_nothing_cut(app)
        shown = [k.action for k in app.screen.query(FooterKey) if k.display]
        assert "help" in shown and "keys" in shown  # F1 stays; the file's own keys first


async def test_the_palette_finds_tools_and_file_actions_from_home(
    database, desk_app, at_time
) -> None:
    at_time(factories.MONDAY_10H)
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, SearchScreen)
        await press(pilot, "ctrl+p", *"export")
        await pilot.pause(0.3)
        await press(pilot, "enter")
        await on_screen(pilot, ExportScreen)
        await press(pilot, "escape", "ctrl+p", *"slip")
        await pilot.pause(0.3)
        await press(pilot, "enter")
        await on_screen(pilot, SearchScreen)
        said = [n.message for n in app._notifications]
        assert any("Open the reservation file first" in m and "press s" in m for m in said)


async def test_the_tools_do_not_stack(database, desk_app, at_time) -> None:
    at_time(factories.MONDAY_10H)
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, SearchScreen)
        await press(pilot, "f3", "f4", "f3", "f4", "l")  # the key log, from the keys
        assert len(app.screen_stack) == 4
        await press(pilot, "f3", "escape")
        await on_screen(pilot, SearchScreen)


async def test_slash_finds_a_room_in_a_long_list(database, desk_app, at_time) -> None:
    at_time(factories.MONDAY_10H)
    residence = factories.residence()
    for n in range(101, 121):
        factories.room(residence, number=f"B-{n}")
    app = desk_app(residence)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "f3", "/", *"b-115")
        table = app.screen.query_one("#rooms", DataTable)
        assert rows(table)[table.cursor_row][0] == "B-115"
        await press(pilot, "enter")
        assert table.has_focus and rows(table)[table.cursor_row][0] == "B-115"
        await press(pilot, "/", *"12", "down")  # the next match
        assert rows(table)[table.cursor_row][0] == "B-120"
        await press(pilot, "escape")
        assert isinstance(app.screen, RoomsScreen) and table.has_focus


# -- 9. sizes ------------------------------------------------------------------------------------


async def test_below_80x24_the_header_says_so_and_keeps_the_desk_status(
    database, desk_app, at_time
) -> None:
    at_time(factories.MONDAY_10H)
    app = desk_app()
    async with app.run_test(size=(70, 20)) as pilot:
        await on_screen(pilot, SearchScreen)
        await settle(pilot)
        header = str(app.screen.query_one("#desk-header", Static).render())
        assert header.startswith("Terminal 70×20: 80×24 needed")
        assert header.endswith("Desk open — closes in 7 h 00")


async def test_at_120x40_the_columns_take_the_room(database, desk_app, at_time) -> None:
    at_time(factories.MONDAY_10H)
    factories.reservation(first="Maximilian-Alexander", last="Vandenberghe-Oyelaran")
    app = desk_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await on_screen(pilot, SearchScreen)
        await settle(pilot)
        await pilot.pause()
        panel = app.screen.query_one("#today", TodayPanel)
        widths = {k.value: c.width for k, c in panel.columns.items()}
        assert widths["name"] > 26 and widths["detail"] > 33
        assert sum(widths.values()) + 2 * len(widths) <= panel.scrollable_content_region.width
        assert "Maximilian-Alexander Vandenberghe-Oyelaran" in [r[1] for r in rows(panel)]
        name = next(c for c in panel.get_column_at(1) if "Maximilian" in c.plain)
        assert name.cell_len <= widths["name"]  # shown whole


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


# -- 11. departure: said, shown, and nothing recorded in vain -----------------------------------


async def test_the_file_shows_the_force_majeure_answer(database, desk_app, at_time) -> None:
    res = tenants.tenant(factories.room(number="B-112"))
    at_time(tenants.FRIDAY_10H)
    Departure.create(
        reservation=res,
        departed_at=tenants.FRIDAY_10H,
        early=True,
        force_majeure=True,
        reason="family emergency",
    )
    Reservation.update(status="departed").where(Reservation.id == res.id).execute()
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, *res.reference, "enter")
        file = await on_screen(pilot, ReservationScreen)
        said = str(file.query_one("#readiness", Static).render())
        assert "Departed 27/11/2026 10:00" in said
        assert "early departure, force majeure: a refund is possible — family emergency" in said


async def test_a_damage_at_check_out_needs_a_remark(database, desk_app, at_time) -> None:
    res = tenants.tenant(factories.room(number="B-112", kind="traditional"))
    at_time(tenants.FRIDAY_10H)
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, *res.reference, "enter", "d")
        screen = await on_screen(pilot, DepartureScreen)
        await press(pilot, "o")
        table = screen.query_one("#check-out", DataTable)
        await until(pilot, lambda: table.row_count > 3, "the check-out items")
        await press(pilot, "d")
        form = await on_screen(pilot, FieldsForm)
        await press(pilot, "enter")  # nothing said: refused in the form
        await until(pilot, lambda: field_errors(form), "the remark asked")
        assert field_errors(form) == {"field-reason": "what is damaged is required"}
        assert set(cells(table, 2)) == {"same"}
        await press(pilot, *"door lock broken", "enter")
        await until(pilot, lambda: cells(table, 2)[0] == "damaged", "damaged")
        assert "door lock broken" in cells(table, 3)[0]


async def test_opening_the_inspection_is_not_history(database, desk_app, at_time) -> None:
    at_time(factories.MONDAY_10H)
    res = factories.reservation(documents="verified")
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, *res.reference, "enter", "i")
        await on_screen(pilot, InspectionScreen)
        await press(pilot, "escape")
        file = await on_screen(pilot, ReservationScreen)
        await settle(pilot)
        assert "inspection started" not in str(file.query_one("#history", Static).render())
