"""Driving the real app: a seeded file, a fixed Paris time, 80×24."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable, Iterator
from datetime import datetime

import pytest
import time_machine
from rich.cells import cell_len
from textual.app import App
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable, Input, TextArea

from crous_desk.base.clock import SystemClock
from crous_desk.base.config import Config
from crous_desk.services import ensure_staff
from crous_desk.store.models import Residence
from screens.app import DeskApp, make_app
from tests import factories


@pytest.fixture
def at_time() -> Iterator[Callable[[datetime], None]]:
    """Travel to an instant (time frozen there) for the rest of the test."""
    travellers: list[time_machine.travel] = []

    def travel(at: datetime) -> None:
        while travellers:  # stop the previous trip once, before the next one
            travellers.pop().stop()
        traveller = time_machine.travel(at, tick=False)
        traveller.start()
        travellers.append(traveller)

    yield travel
    while travellers:
        travellers.pop().stop()


@pytest.fixture
def desk_app(database) -> Callable[..., DeskApp]:
    def build(residence: Residence | None = None, user: str = "accueil") -> DeskApp:
        residence = residence or factories.residence()
        actor = ensure_staff(user)
        app = make_app(
            actor=actor, residence=residence, clock=SystemClock(), config=Config(desk_user=user)
        )
        app.animation_level = "none"
        return app

    return build


def still(app: App[object]) -> None:
    """No blinking cursor anywhere in the screen stack: a focused box always shows its cursor,
    so a screenshot does not depend on when, within the half-second blink, it was taken."""
    for screen in app.screen_stack:
        for box in screen.query(Input):
            box.cursor_blink = False
        for area in screen.query(TextArea):
            area.cursor_blink = False


def cut_texts(app: App[object]) -> list[str]:
    """The footer entries and table headers the screen cannot show whole (French runs longer
    than English: each snapshot, in each language, is checked for them)."""
    cut: list[str] = []
    screen = app.screen
    keys = [k for k in screen.query("FooterKey") if isinstance(k, Widget) and k.display]
    palette = [k for k in keys if k.has_class("-command-palette")]
    right_edge = palette[0].region.x if palette else screen.size.width
    # The footer leaves out the app-wide keys that do not fit (they stay in F1 and the
    # palette): every key it shows, and the palette, must be whole.
    for key in keys:
        if key not in palette and key.region.right > right_edge:
            cut.append(
                f"footer: {getattr(key, 'key_display', '')} {getattr(key, 'description', '')}"
            )
    for table in screen.query(DataTable):
        for column in table.columns.values():
            if not column.auto_width and column.width < cell_len(str(column.label)):
                cut.append(f"column header: {column.label}")
    return cut


def assert_nothing_cut(app: App[object]) -> None:
    cut = cut_texts(app)
    assert not cut, f"cut at {app.size.width}×{app.size.height}: " + "; ".join(cut)


@pytest.fixture
def snap_compare(snap_compare: Callable[..., bool]) -> Callable[..., bool]:
    """pytest-textual-snapshot's ``snap_compare``, made deterministic for every snapshot test:
    no animations, and the cursors stilled after the keys are pressed, just before the shot."""

    def compare(
        app: App[object],
        press: Iterable[str] = (),
        terminal_size: tuple[int, int] = (80, 24),
        run_before: Callable[[Pilot[object]], Awaitable[None] | None] | None = None,
    ) -> bool:
        app.animation_level = "none"

        async def drive(pilot: Pilot[object]) -> None:
            if run_before is not None:
                result = run_before(pilot)
                if inspect.isawaitable(result):
                    await result
            await pilot.pause()
            await pilot.press(*press)
            await pilot.pause()
            still(pilot.app)
            assert_nothing_cut(pilot.app)  # in each language, at each size

        return snap_compare(app, terminal_size=terminal_size, run_before=drive)

    return compare
