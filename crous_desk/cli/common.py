"""What every command shares: which database (an SQLite file or a PostgreSQL URL), opening it,
the residence named by its code, the desk of the command line's own account, and a progress bar
on stderr."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from crous_desk.base.dates import parse_iso_day
from crous_desk.base.errors import Problem, Refused
from crous_desk.base.i18n import _
from crous_desk.store.target import default_path, is_server, location, shown

if TYPE_CHECKING:  # the database layer is loaded by the command that opens it, not by --help
    from crous_desk.base.config import Config
    from crous_desk.desk.context import Desk
    from crous_desk.store.models import Residence

EXIT_REFUSED = 1
EXIT_USAGE = 2


def add_replace_option(parser: argparse.ArgumentParser) -> None:
    """``--replace`` (also ``--force``): write over a file that exists; without it, refused."""
    parser.add_argument(
        "--replace",
        "--force",
        dest="replace",
        action="store_true",
        help=_("write over the output file if it exists (refused otherwise)"),
    )


def fail(message: str, code: int) -> int:
    print(f"crous-desk: {message}", file=sys.stderr)
    return code


def db_path(args: argparse.Namespace, config: Config) -> Path | str:
    """The database: ``--db``, else ``CROUS_DESK_DB``, else the configuration's ``database``,
    else a file in the user's data directory. A ``postgresql://`` URL names a server."""
    if getattr(args, "db", None):
        return location(args.db)
    if os.environ.get("CROUS_DESK_DB"):
        return location(os.environ["CROUS_DESK_DB"])
    if config.database:
        return location(config.database)
    return default_path()


def open_db(path: Path | str) -> None:
    """Open the database (an SQLite file is created), schema up to date; refused when it is
    not one, or when the server cannot be reached."""
    import sqlite3

    import peewee

    from crous_desk.store.db import connect
    from crous_desk.store.failures import database_refusal

    if not is_server(path) and Path(path).is_dir():
        raise Refused(
            Problem(
                "not_a_database", _("{path} is a directory, not a database file").format(path=path)
            )
        )
    try:
        connect(path)
    except Refused:
        raise  # made by a newer crous-desk
    except Exception as error:
        if is_server(path):  # a bad URL, refused, timed out, a wrong password (psycopg, pool)
            raise Refused(
                Problem(
                    "no_server",
                    _("{url}: cannot reach the database server ({error})").format(
                        url=shown(path), error=_first_line(error)
                    ),
                )
            ) from None
        if not isinstance(error, (sqlite3.DatabaseError, peewee.DatabaseError)):
            raise
        refusal = database_refusal(error)  # peewee wraps sqlite3's
        if refusal is not None and refusal.codes[0] != "database_damaged":
            raise refusal from None  # busy, read-only, full: the file is a database
        raise Refused(
            Problem(
                "not_a_database",
                _("{path}: cannot open as a crous-desk database ({error})").format(
                    path=shown(path), error=_first_line(error)
                ),
            )
        ) from None


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def existing_db(args: argparse.Namespace, config: Config) -> Path | str:
    """Open the database, which must exist (an admin command never creates a file)."""
    path = db_path(args, config)
    if not is_server(path) and not Path(path).is_file():
        raise Refused(Problem("no_database", _("{path}: no such database file").format(path=path)))
    open_db(path)
    return path


def is_the_database(out: Path, database: Path | str) -> bool:
    """``out`` (a file about to be written) is the database file itself."""
    return not is_server(database) and out.resolve() == Path(database).resolve()


def residence_by_code(code: str) -> Residence:
    from crous_desk.store.models import Residence

    residence = Residence.get_or_none(Residence.code == code)
    if residence is None:
        codes = ", ".join(r.code for r in Residence.select().order_by(Residence.code))
        raise Refused(
            Problem(
                "not_found",
                _("no residence {code!r} in this database (known: {codes})").format(
                    code=code, codes=codes or _("none")
                ),
            )
        )
    return residence


def operator_desk(residence: Residence | None = None) -> Desk:
    """The desk of the command line: its own administrator account ``os:<login>``."""
    from crous_desk.base.clock import SystemClock
    from crous_desk.people.auth import trusted_login
    from crous_desk.people.staff import operator_desk as desk_of_login
    from crous_desk.store.db import database_owner

    return desk_of_login(trusted_login(database_owner()), SystemClock(), residence)


def option_day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return parse_iso_day(text)
    except ValueError as error:
        raise Refused(Problem("bad_date", f"{option}: {error}")) from None


def progress_bar(unit: str, width: int = 30) -> Callable[[int, int], None]:
    """A text bar on stderr, redrawn in place on a terminal; only the last state otherwise."""
    stream = sys.stderr
    live = stream.isatty()

    def show(done: int, total: int) -> None:
        if total <= 0 or (not live and done < total):
            return
        filled = width * done // total
        stream.write(
            ("\r" if live else "")
            + f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {unit}"
            + ("\n" if done == total else "")
        )
        stream.flush()

    return show
