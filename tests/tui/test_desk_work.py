"""How the screens do the desk's work: off the UI thread, one reasons box per refusal, typed
forms, and an unexpected error logged with one line for the receptionist."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import DataTable, Input, Static

from crous_desk.reservations.search import search as real_search
from crous_desk.store.models import KeySet, Reservation
from screens.app import DeskApp
from screens.crash import crash_line, run, write_crash_log
from screens.forms import FieldsForm, PaymentAnswer, PaymentForm, RoomChoice
from screens.reservation import ReservationScreen
from screens.search import SearchScreen
from screens.widgets import ReasonsScreen
from tests import factories
from tests.tui.settle import press, settle
from tests.tui.test_desk_rules_in_the_app import _ready_for_keys


def result_names(app: App[None]) -> list[str]:
    table = app.screen.query_one("#results", DataTable)
    return [table.get_row_at(i)[1].plain for i in range(table.row_count)]


async def test_a_late_search_never_overwrites_a_newer_one(
    database, desk_app, at_time, monkeypatch: pytest.MonkeyPatch
) -> None:
    at_time(factories.MONDAY_10H)
    factories.reservation(first="Anna", last="Schmidt")
    factories.reservation(first="Annabelle", last="Roux")
    release = threading.Event()

    def slow_for_anna(desk, text):  # the search for "anna" takes its time
        if text == "anna":
            assert release.wait(10)
        return real_search(desk, text)

    monkeypatch.setattr("screens.search.search", slow_for_anna)
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"anna", "b")  # typing goes on while "anna" is searched
        assert app.screen.query_one("#query", Input).value == "annab"
        release.set()  # the answer for "anna" comes back last
        await settle(pilot)
        assert result_names(app) == ["Annabelle Roux"]
        assert "1 reservation found" in str(app.screen.query_one("#summary", Static).render())


async def test_enter_opens_the_first_match_before_the_search_is_back(
    database, desk_app, at_time, monkeypatch: pytest.MonkeyPatch
) -> None:
    at_time(factories.MONDAY_10H)
    wanted = factories.reservation(first="Zoé", last="Lambert")
    never = threading.Event()
    searched_here: list[str] = []

    def stuck_in_the_worker(desk, text):
        if threading.current_thread() is threading.main_thread():
            searched_here.append(text)
            return real_search(desk, text)
        never.wait(5)  # the workers' answers come too late to matter
        return []

    monkeypatch.setattr("screens.search.search", stuck_in_the_worker)
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"lambert", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ReservationScreen)
        assert app.screen.reservation_id == wanted.id
        assert searched_here == ["lambert"]  # read once, for Enter
        never.set()
        await settle(pilot)


async def test_a_refused_write_shows_the_reasons_once_and_changes_nothing(
    database, desk_app, at_time
) -> None:
    at_time(factories.MONDAY_10H)
    res = factories.reservation(documents="none", paid=False, status="accepted")
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, *res.reference, "enter", "k")
        boxes = [s for s in app.screen_stack if isinstance(s, ReasonsScreen)]
        assert len(boxes) == 1 and app.screen is boxes[0]
        assert boxes[0].title_text == "The keys cannot be handed over"
        assert "advance is not paid" in "\n".join(boxes[0].reasons)
        await press(pilot, "escape")
        assert isinstance(app.screen, ReservationScreen)
        assert not any(isinstance(s, ReasonsScreen) for s in app.screen_stack)
    assert Reservation.get_by_id(res.id).status == "accepted"


@pytest.mark.sqlite_only  # SQLite's one write lock
async def test_typing_goes_on_while_a_write_waits_for_the_database_lock(
    database, db_path: Path, desk_app, at_time
) -> None:
    at_time(factories.MONDAY_10H)
    room = factories.room(number="B-112")
    res = _ready_for_keys(room)
    other_desk = sqlite3.connect(db_path, isolation_level=None)
    app = desk_app()
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await press(pilot, *res.reference, "enter")
            other_desk.execute("BEGIN IMMEDIATE")  # another desk holds the write lock
            await pilot.press("k", "y")  # the handover waits for it, in its worker
            assert app.busy
            await pilot.press("escape", "ctrl+l", *"dupont")
            assert isinstance(app.screen, SearchScreen)
            assert app.screen.query_one("#query", Input).value == "dupont"
            assert app.busy  # still waiting, and the desk still answers
            other_desk.execute("ROLLBACK")
            await settle(pilot)
            assert not any(isinstance(s, ReasonsScreen) for s in app.screen_stack)
    finally:
        other_desk.close()
    assert KeySet.get(KeySet.room == room).state == "out"
    assert Reservation.get_by_id(res.id).status == "checked_in"


async def test_forms_return_typed_answers(database, desk_app, at_time) -> None:
    at_time(factories.MONDAY_10H)
    app = desk_app()
    answers: list[object] = []
    async with app.run_test(size=(80, 24)) as pilot:
        form = FieldsForm("Offer", RoomChoice, [("room", "Room", "")])
        app.push_screen(form, answers.append)
        await press(pilot, *"B-112", "enter")
        app.push_screen(PaymentForm("Zoé Lambert"), answers.append)
        await press(pilot, "down", "enter", *"Campus France", "enter")
        app.push_screen(PaymentForm("Zoé Lambert"), answers.append)
        await press(pilot, "escape")
    assert answers == [
        RoomChoice("B-112"),
        PaymentAnswer("third_party", "Campus France"),
        None,
    ]


# -- the unexpected -----------------------------------------------------------------------------


async def test_under_test_an_unexpected_error_is_raised_as_it_is(
    database, desk_app, at_time, monkeypatch: pytest.MonkeyPatch
) -> None:
    at_time(factories.MONDAY_10H)
    res = factories.reservation()

    def broken(desk, reservation_id):
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr("screens.reservation.hand_over_keys", broken)
    app = desk_app()
    with pytest.raises(RuntimeError, match="the disk is on fire"):
        async with app.run_test(size=(80, 24)) as pilot:
            await press(pilot, *res.reference, "enter")
            await pilot.press("k")
            await settle(pilot)


def test_a_crash_is_logged_and_named_by_the_desk_clock(
    database, desk_app, at_time, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at_time(factories.MONDAY_10H)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    app = desk_app()  # not running: not headless, so the receptionist's path is taken
    try:
        raise RuntimeError("the disk is on fire")
    except RuntimeError as error:
        app.crash(error)
    assert app.return_code == 1
    assert app.crash_log is not None
    assert app.crash_log.name == "crash-20261123T090000Z.log"  # the desk's clock, in UTC
    details = app.crash_log.read_text(encoding="utf-8")
    assert "RuntimeError: the disk is on fire" in details and "Traceback" in details


def test_any_other_crash_is_one_line_and_a_log(
    database, desk_app, at_time, tmp_path: Path, monkeypatch, capsys
) -> None:
    at_time(factories.MONDAY_10H)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))

    def broken_compose(self):
        raise RuntimeError("a bug in a screen")
        yield  # pragma: no cover

    monkeypatch.setattr(SearchScreen, "compose", broken_compose)
    app: DeskApp = desk_app()
    assert run(app, headless=True) == 1
    said = capsys.readouterr().err.strip().splitlines()
    assert len(said) == 1
    assert said[0].startswith("crous-desk stopped on an unexpected error; nothing was half-written")
    assert app.crash_log is not None and str(app.crash_log) in said[0]
    details = app.crash_log.read_text(encoding="utf-8")
    assert "a bug in a screen" in details and "\x1b[" not in details


def test_the_crash_log_lands_in_the_log_directory(tmp_path: Path, monkeypatch) -> None:
    from datetime import UTC, datetime

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    path = write_crash_log("details", datetime(2026, 11, 23, 10, 0, 5, tzinfo=UTC))
    assert path.parent == tmp_path / "crous-desk" / "log"
    assert path.name == "crash-20261123T100005Z.log"
    assert crash_line(path).endswith(str(path))
