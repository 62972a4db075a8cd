"""Running the command line in a test: at a fixed instant, the database unbound afterwards."""

from __future__ import annotations

from pathlib import Path

import time_machine

from crous_desk.cli.main import main
from crous_desk.store.models import db as proxy
from tests.factories import MONDAY_10H


def run(*argv: str | Path) -> int:
    with time_machine.travel(MONDAY_10H, tick=False):
        try:
            return main([str(a) for a in argv])
        finally:
            if proxy.obj is not None:
                proxy.obj.close()
            proxy.initialize(None)
