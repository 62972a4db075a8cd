"""When the desk stops on an unexpected error: the details in a log file named by the desk's
clock, and one line for the receptionist, never a traceback on the screen."""

from __future__ import annotations

import io
import re
import sys
from contextlib import redirect_stderr
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from crous_desk.base.files import PRIVATE_MODE, free_name, write_bytes
from crous_desk.base.i18n import _

if TYPE_CHECKING:
    from .app import DeskApp

COLOURS = re.compile(r"\x1b\[[0-9;]*m")  # a terminal's colour codes, not for a log file


def write_crash_log(details: str, at: datetime) -> Path:
    """The details of an unexpected error, in the user's log directory; named by ``at``."""
    directory = Path(platformdirs.user_log_dir("crous-desk", appauthor=False))
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = free_name(directory / f"crash-{at.astimezone(UTC):%Y%m%dT%H%M%SZ}.log")
    return write_bytes(path, details.encode("utf-8"), mode=PRIVATE_MODE)  # names, INEs: private


def crash_line(path: Path) -> str:
    return _(
        "crous-desk stopped on an unexpected error; nothing was half-written. "
        "Details for the support: {path}"
    ).format(path=path)


def run(app: DeskApp, *, headless: bool = False) -> int:
    """Run the desk; after an unexpected error print one line, the details in a log file.

    An error in the desk's own work is logged by ``DeskApp.crash``. Any other one takes
    Textual's way out, which prints the traceback on stderr: that is caught here and written
    to the log instead."""
    errors = io.StringIO()
    with redirect_stderr(errors):
        app.run(headless=headless)
    code = app.return_code or 0
    if code and app.crash_log is None and errors.getvalue().strip():
        app.crash_log = write_crash_log(COLOURS.sub("", errors.getvalue()), app.clock.now())
    if code and app.crash_log is not None:
        print(crash_line(app.crash_log), file=sys.stderr)
    elif errors.getvalue():
        sys.stderr.write(errors.getvalue())
    return code
