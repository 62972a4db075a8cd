"""One start-up, measured from inside: run by ``bench/scale.py`` as a subprocess. Not a test.

    python bench/startup.py desk PATH   # the desk on the file at PATH, as `accueil`
    python bench/startup.py bare        # a bare Textual app: a header, an input, a footer

Runs headless at 80x24, and at the first frame (the first screen mounted and refreshed, its
pending messages processed) prints one JSON line: the wall-clock instant (``time.time()``, so
the parent counts from before the interpreter started) and the peak resident memory.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _peak_mib() -> float:
    """This process's peak resident memory. Not ``ru_maxrss``: Linux carries it over from the
    parent through fork and exec, so a child of a large process would report the parent's."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def first_frame(app: object) -> None:
    async def auto(pilot: object) -> None:
        await pilot.pause()  # type: ignore[attr-defined]
        peak = _peak_mib()
        print(json.dumps({"at": time.time(), "peak_mib": round(peak, 1)}), flush=True)
        app.exit()  # type: ignore[attr-defined]

    app.run(headless=True, size=(80, 24), auto_pilot=auto)  # type: ignore[attr-defined]


def main() -> None:
    if sys.argv[1] == "bare":
        from textual.app import App, ComposeResult
        from textual.widgets import Footer, Header, Input

        class Bare(App[None]):
            def compose(self) -> ComposeResult:
                yield Header()
                yield Input()
                yield Footer()

        first_frame(Bare())
        return
    from crous_desk.base.clock import SystemClock
    from crous_desk.base.config import Config
    from crous_desk.store.db import connect
    from crous_desk.store.models import Residence, Staff
    from screens.app import make_app

    connect(sys.argv[2])
    actor = Staff.get(Staff.username == "accueil")
    residence = Residence.get(Residence.code == "gaston-berger")
    first_frame(make_app(actor, residence, SystemClock(), Config()))


if __name__ == "__main__":
    main()
