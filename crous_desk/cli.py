"""The ``crous-desk`` command: open the desk, seed or open the demo, and the admin commands.

Bad input gets one clear line on stderr and a non-zero exit; never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from . import __version__
from .clock import SystemClock
from .config import Config, ConfigError, load_config
from .db import connect, default_path
from .errors import Refused
from .i18n import _, set_language

EXIT_USAGE = 2
EXIT_REFUSED = 1
_launcher: Callable[..., int] | None = None


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help=_(
            "the SQLite database file (default: CROUS_DESK_DB, the "
            "configuration, or the user's data directory)"
        ),
    )
    common.add_argument(
        "--residence",
        metavar="CODE",
        default=argparse.SUPPRESS,
        help=_("the residence this desk serves (its code)"),
    )
    parser = argparse.ArgumentParser(
        prog="crous-desk",
        parents=[common],
        description=_("The reception desk of a CROUS student residence."),
    )
    parser.add_argument("--version", action="version", version=f"crous-desk {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", parents=[common], help=_("open the desk (the default)"))
    commands.add_parser(
        "demo", parents=[common], help=_("fill an empty database with demo data and open the desk")
    )
    commands.add_parser(
        "seed-demo", parents=[common], help=_("fill an empty database with the demo data set")
    )
    commands.add_parser(
        "migrate", parents=[common], help=_("apply pending schema migrations and exit")
    )
    return parser


Launcher = Callable[..., int]


def main(argv: Sequence[str] | None = None, launcher: Launcher | None = None) -> int:
    """Run the command line. ``launcher`` opens the terminal interface; the core never imports
    it, the entry point (``screens.entry``) hands it in."""
    global _launcher
    _launcher = launcher
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = load_config()
    except ConfigError as error:
        return fail(str(error), EXIT_USAGE)
    set_language(config.language)
    command = args.command or "run"
    try:
        return COMMANDS[command](args, config)
    except Refused as refused:
        return fail(str(refused), EXIT_REFUSED)
    except KeyboardInterrupt:
        return 130
    except (OSError, ValueError) as error:
        return fail(str(error), EXIT_REFUSED)


def fail(message: str, code: int) -> int:
    print(f"crous-desk: {message}", file=sys.stderr)
    return code


def _db_path(args: argparse.Namespace, config: Config) -> Path:
    if getattr(args, "db", None):
        return Path(args.db)
    if os.environ.get("CROUS_DESK_DB"):
        return Path(os.environ["CROUS_DESK_DB"])
    if config.database:
        return Path(config.database)
    return default_path()


def _open(path: Path) -> None:
    import sqlite3

    import peewee

    if path.exists() and path.is_dir():
        raise Refused(_("{path} is a directory, not a database file").format(path=path))
    try:
        connect(path)
    except (sqlite3.DatabaseError, peewee.DatabaseError) as error:  # peewee wraps sqlite3's
        raise Refused(
            _("{path}: cannot open as a crous-desk database ({error})").format(
                path=path, error=error
            )
        ) from None


def cmd_migrate(args: argparse.Namespace, config: Config) -> int:
    path = _db_path(args, config)
    _open(path)
    print(_("{path}: schema up to date").format(path=path))
    return 0


def cmd_seed_demo(args: argparse.Namespace, config: Config) -> int:
    from .demo import seed_demo

    path = _db_path(args, config)
    _open(path)
    counts = seed_demo(SystemClock())
    print(
        _("{path}: demo data written ({n} reservations)").format(path=path, n=sum(counts.values()))
    )
    return 0


def cmd_demo(args: argparse.Namespace, config: Config) -> int:
    from .demo import seed_demo
    from .models import Residence

    if getattr(args, "db", None):
        path = Path(args.db)
    else:
        path = Path(tempfile.mkdtemp(prefix="crous-desk-demo-")) / "demo.db"
    _open(path)
    if not Residence.select().exists():
        seed_demo(SystemClock())
    return _run_tui(args, config.with_overrides(residence=config.residence or "gaston-berger"))


def cmd_run(args: argparse.Namespace, config: Config) -> int:
    _open(_db_path(args, config))
    return _run_tui(args, config)


def _run_tui(args: argparse.Namespace, config: Config) -> int:
    from .models import Residence
    from .services import ensure_staff

    config = config.with_overrides(residence=getattr(args, "residence", None))
    residence = None
    if config.residence:
        residence = Residence.get_or_none(Residence.code == config.residence)
        if residence is None:
            codes = ", ".join(r.code for r in Residence.select().order_by(Residence.code))
            raise Refused(
                _("no residence {code!r} in this database (known: {codes})").format(
                    code=config.residence, codes=codes or _("none")
                )
            )
    elif Residence.select().count() == 1:
        residence = Residence.get()
    actor = ensure_staff(config.desk_user)
    if _launcher is None:
        raise Refused(_("the terminal interface is not available in this installation"))
    return _launcher(actor=actor, residence=residence, clock=SystemClock(), config=config)


COMMANDS = {
    "run": cmd_run,
    "demo": cmd_demo,
    "seed-demo": cmd_seed_demo,
    "migrate": cmd_migrate,
}


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
