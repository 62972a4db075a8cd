"""Where slips go: a PDF file that appears whole or not at all, in the user's documents
folder by default, and sent to the printer through CUPS."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import platformdirs

from crous_desk.base.errors import Problem, Refused
from crous_desk.base.files import safe_output
from crous_desk.base.i18n import _


def default_slip_dir() -> Path:
    """Where the desk saves slips: ``crous-desk`` in the user's documents folder."""
    return Path(platformdirs.user_documents_dir()) / "crous-desk"


@contextmanager
def atomic_output(path: Path, *, replace: bool = False) -> Iterator[IO[bytes]]:
    """A binary file that appears at ``path`` only once it is complete, private, never over
    a file nobody said to replace (:func:`crous_desk.base.files.safe_output`)."""
    with safe_output(path, replace=replace) as handle:
        yield handle


def print_pdf(path: Path, printer: str | None) -> str:
    """Send the PDF to CUPS (``lp -d PRINTER``); returns what lp said. Refused with a clear
    reason when no printer is configured, lp is missing, or lp fails."""
    if not printer:
        raise Refused(
            Problem(
                "no_printer",
                _(
                    'no printer is configured (printer = "NAME" in the configuration, or '
                    "CROUS_DESK_PRINTER); the PDF is at {path}"
                ).format(path=path),
            )
        )
    lp = shutil.which("lp")
    if lp is None:
        raise Refused(
            Problem(
                "no_lp",
                _(
                    "the lp command (CUPS) is not installed on this machine; the PDF is at {path}"
                ).format(path=path),
            )
        )
    try:
        done = subprocess.run(
            [lp, "-d", printer, str(Path(path).resolve())],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise Refused(_print_failed(printer, str(error), path)) from None
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()
        raise Refused(
            _print_failed(printer, said[-1] if said else f"lp exit {done.returncode}", path)
        )
    return done.stdout.strip()


def _print_failed(printer: str, error: str, path: Path) -> Problem:
    return Problem(
        "print_failed",
        _("printing on {printer} failed ({error}); the PDF is at {path}").format(
            printer=printer, error=error, path=path
        ),
    )


def save_and_print(path: Path, save: Callable[[Path], object], printer: str | None) -> str:
    """Write a PDF with ``save(path)`` and print it unless ``printer`` is None ("" = none
    configured: refused with where the PDF is); what to tell the desk. A file that cannot be
    written is refused (``cannot_write``)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        save(path)
        if printer is None:
            return _("Saved: {path}").format(path=path)
        said = print_pdf(path, printer)
    except OSError as error:
        reason = _("cannot write {path}: {error}").format(path=path, error=error.strerror or error)
        raise Refused(Problem("cannot_write", reason)) from error
    return _("Sent to {printer} ({said}); saved: {path}").format(
        printer=printer, said=said or "ok", path=path
    )
