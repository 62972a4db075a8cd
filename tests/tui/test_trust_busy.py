"""Issue 13, point 7 at the desk: a write lock another desk holds past the busy timeout is a
reasons box saying the desk is busy — the screen and whatever it holds stay, the desk does not
stop on an "unexpected error"."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from crous_desk.keys import hand_over_keys
from crous_desk.store.models import Reservation
from screens.reservation import ReservationScreen
from screens.widgets import ReasonsScreen
from tests import factories
from tests.tui.settle import press, settle
from tests.tui.test_desk_rules_in_the_app import _ready_for_keys


async def test_a_lock_held_too_long_says_the_desk_is_busy_and_keeps_the_screen(
    database, db_path: Path, desk_app, at_time
) -> None:
    at_time(factories.MONDAY_10H)
    res = _ready_for_keys(factories.room(number="B-112"))
    database._pragmas = [(k, 300 if k == "busy_timeout" else v) for k, v in database._pragmas]
    database._timeout = 0.3  # the worker's connection waits a third of a second, not 15 s
    other_desk = sqlite3.connect(db_path, isolation_level=None)
    app = desk_app()
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await press(pilot, *res.reference, "enter")
            screen = app.screen
            assert isinstance(screen, ReservationScreen)
            other_desk.execute("BEGIN IMMEDIATE")  # another desk holds the write lock
            screen.run_desk_action(
                "The keys cannot be handed over",
                lambda: hand_over_keys(screen.desk, res.id),
            )
            await settle(pilot)
            other_desk.execute("ROLLBACK")
            assert isinstance(app.screen, ReasonsScreen)
            assert "the desk is busy" in "\n".join(app.screen.reasons)
            assert app.return_code is None and app.crash_log is None  # still running
            await press(pilot, "escape")
            assert app.screen is screen
    finally:
        other_desk.close()
    assert Reservation.get_by_id(res.id).status == "accepted"
