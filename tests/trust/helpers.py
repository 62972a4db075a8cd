"""Running the command line in a test: at a fixed instant, the database unbound afterwards."""

from __future__ import annotations

import os
import sys
import sysconfig
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


# -- running crous-desk as another user ----------------------------------------------------------
# The test's Python may live in root's home (pyenv), which other users cannot reach: they run the
# system's Python of the same version, with this installation's packages on their path.

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(sysconfig.get_paths()["purelib"])


def other_user_python() -> list[str]:
    system = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
    return [str(system if system.exists() else sys.executable), "-s"]


def other_user_env() -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": "/nonexistent",
        "LANG": "C.UTF-8",
        "PYTHONPATH": f"{ROOT}:{SITE}",
    }


def _reachable(path: Path) -> bool:
    """Every folder down to ``path`` lets others through."""
    return all(os.stat(p).st_mode & 0o001 for p in [*reversed(path.parents), path] if p.exists())


def other_users_cannot_run() -> str | None:
    if os.geteuid() != 0:
        return "switching to other users needs root"
    python = Path(other_user_python()[0])
    for needed in (python, ROOT, SITE):
        if not _reachable(needed if needed.is_dir() else needed.parent):
            return f"{needed} cannot be reached by other users"
    return None
