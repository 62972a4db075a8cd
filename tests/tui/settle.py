"""Waiting for the desk's work in Pilot tests: thread jobs, loads, and what they post back.

The app runs desk actions, searches and exports in worker threads, and loads screens in
workers: after a key that starts one, a test waits with ``settle`` before it looks. A worker
of the "form" group waits for a person (a form on screen) and is not waited for."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from time import monotonic

from textual.pilot import Pilot

from screens.app import DeskApp
from screens.base import FORM


def _working(app: DeskApp) -> bool:
    return app.busy or any(w.group != FORM and not w.is_finished for w in app.workers)


async def settle(pilot: Pilot, timeout: float = 20.0) -> None:
    """Until no work is left running, and everything it posted back has been handled."""
    app = pilot.app
    assert isinstance(app, DeskApp)
    deadline = monotonic() + timeout
    await pilot.pause()
    while _working(app):
        assert monotonic() < deadline, "the desk's work did not finish"
        await asyncio.sleep(0.01)
        if not _working(app):
            await pilot.pause()


async def press(pilot: Pilot, *keys: str) -> None:
    """Press each key, and let the work it starts finish before the next one."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


def pressing(*keys: str) -> Callable[[Pilot], Awaitable[None]]:
    """For ``snap_compare(run_before=...)``: the keys, each one settled."""

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await press(pilot, *keys)

    return run_before
