"""Driving a screen as a person does, robust to work done in a worker: wait for what must be
seen (a screen, a row, a database change) instead of a fixed pause."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import pytest
from textual import events
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable

S = TypeVar("S", bound=Screen[object])

TIMEOUT = 10.0  # seconds; a slow shared machine, never a fixed sleep


async def until(pilot: Pilot[object], check: Callable[[], object], what: str) -> None:
    """Let the app run until ``check()`` is true; fail, naming ``what``, after TIMEOUT."""
    deadline = time.monotonic() + TIMEOUT
    await pilot.pause()
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"never happened: {what}")
        await pilot.pause(0.02)


async def on_screen(pilot: Pilot[object], kind: type[S]) -> S:
    """Wait for a screen of ``kind`` on top, and return it."""
    await until(pilot, lambda: isinstance(pilot.app.screen, kind), f"the {kind.__name__}")
    screen = pilot.app.screen
    assert isinstance(screen, kind)
    return screen


def cells(table: DataTable[object], column: int = 0) -> list[str]:
    """The plain text of one column, top to bottom."""
    return [str(getattr(c, "plain", c)) for c in table.get_column_at(column)]


def rows(table: DataTable[object]) -> list[list[str]]:
    return [
        [str(getattr(c, "plain", c)) for c in table.get_row_at(i)] for i in range(table.row_count)
    ]


async def highlight(pilot: Pilot[object], table: DataTable[object], text: str) -> None:
    """Move the cursor to the first row whose first cell reads ``text``."""
    labels = cells(table)
    assert text in labels, labels
    table.move_cursor(row=labels.index(text))
    await pilot.pause()


def field_errors(form: Screen[object]) -> dict[str, str]:
    """What a form shows under each of its boxes (box id → text), and under itself ("")."""
    from textual.widgets import Static

    shown = {
        (place.id or "").removesuffix("-error"): str(place.render())
        for place in form.query(".field-error").results(Static)
        if place.display
    }
    general = str(form.query_one("#form-error", Static).render())
    if general.strip():
        shown[""] = general
    return shown


async def burst(pilot: Pilot[object], *keys: str) -> None:
    """Keys as a barcode scanner or a laggy SSH link sends them: all read at once, nothing
    handled in between (``pilot.press`` waits after each key, which hides ordering bugs)."""
    app = pilot.app
    driver = app._driver
    assert driver is not None
    for key in keys:
        character = key if len(key) == 1 else {"space": " "}.get(key)
        event = events.Key(key, character)
        event.set_sender(app)
        driver.send_message(event)
    await pilot.pause()
    await pilot.pause()
