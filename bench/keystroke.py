"""Keystroke to rows on screen, measured with Textual's Pilot at 80x24: run by
``bench/scale.py`` as a subprocess (one file per process). Not a test.

    python bench/keystroke.py PATH [stub]

Types a few names into the search box one key at a time, as a receptionist does, and for each
key measures the time from the key to the result table showing the rows of the box's text (the
search runs in a worker; the table is redrawn when its answer comes back). ``stub``: the same
screen with the search answering at once with the same rows, the baseline. Prints one JSON
line: every measure in milliseconds.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WORDS = ("dupont", "hel", "martin", "a", "helene dupont")


async def drive(app: object, screen_type: type) -> list[float]:
    out: list[float] = []
    async with app.run_test(size=(80, 24)) as pilot:  # type: ignore[attr-defined]
        await pilot.pause()
        while not isinstance(app.screen, screen_type):  # type: ignore[attr-defined]
            await pilot.pause()
        screen = app.screen  # type: ignore[attr-defined]
        for word in WORDS * 3:
            await pilot.press("ctrl+l")
            await pilot.pause()
            typed = ""
            for key in word:
                typed += key
                start = time.perf_counter()
                await pilot.press("space" if key == " " else key)
                while screen.found.text != typed:
                    await asyncio.sleep(0.0005)
                await pilot.pause()  # the table redrawn
                out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    from crous_desk.base.clock import SystemClock
    from crous_desk.base.config import Config
    from crous_desk.reservations import search as core_search
    from crous_desk.store.db import connect
    from crous_desk.store.models import Residence, Staff
    from screens import search as search_screen
    from screens.app import make_app

    connect(sys.argv[1])
    actor = Staff.get(Staff.username == "accueil")
    residence = Residence.get(Residence.code == "gaston-berger")
    if len(sys.argv) > 2 and sys.argv[2] == "stub":  # the same rows, found beforehand
        from crous_desk.desk.context import Desk

        desk = Desk(actor, SystemClock(), residence)
        answers = {
            w[: i + 1]: core_search.search(desk, w[: i + 1]) for w in WORDS for i in range(len(w))
        }
        search_screen.search = lambda _desk, text, *a, **k: answers.get(text, [])  # type: ignore
    app = make_app(actor, residence, SystemClock(), Config())
    times = asyncio.run(drive(app, search_screen.SearchScreen))
    print(json.dumps(times))


if __name__ == "__main__":
    main()
