"""The ``crous-desk`` command: open the desk, seed or open the demo, and the admin commands.

Bad input gets one clear line on stderr and a non-zero exit; never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from crous_desk import __version__
from crous_desk.base.config import Config, ConfigError, load_config
from crous_desk.base.dates import plausible
from crous_desk.base.errors import Problem, Refused
from crous_desk.base.i18n import _, current_language, ngettext, set_language
from crous_desk.cli.common import (
    EXIT_REFUSED,
    EXIT_USAGE,
    add_replace_option,
    db_path,
    fail,
    is_the_database,
    open_db,
    operator_desk,
    progress_bar,
    residence_by_code,
)
from crous_desk.cli.speech import add_language_option, argparse_speaks, command_line_language
from crous_desk.store.target import is_server, location, shown

_launcher: Callable[..., int] | None = None


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help=_(
            "the database: an SQLite file or a postgresql:// URL (default: CROUS_DESK_DB, "
            "the configuration, or a file in the user's data directory)"
        ),
    )
    common.add_argument(
        "--residence",
        metavar="CODE",
        default=argparse.SUPPRESS,
        help=_("the residence this desk serves (its code)"),
    )
    add_language_option(common)
    parser = argparse.ArgumentParser(
        prog="crous-desk",
        parents=[common],
        description=_("The reception desk of a CROUS student residence."),
    )
    common.add_argument(
        "--sign-in",
        dest="sign_in",
        choices=("passphrase", "os_user", "off"),
        default=argparse.SUPPRESS,
        help=_(
            "how the desk knows who works at it: the sign-in screen (passphrase), the "
            "trusted operating-system login over SSH (os_user), or nobody (off: desk_user)"
        ),
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"crous-desk {__version__}",
        help=_("show program's version number and exit"),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", parents=[common], help=_("open the desk (the default)"))
    demo = commands.add_parser(
        "demo", parents=[common], help=_("fill an empty database with demo data and open the desk")
    )
    demo.add_argument(
        "--user",
        metavar="NAME",
        help=_(
            "the demo account signed in (default: accueil, a receptionist; s.laurent is a "
            "mobility manager, admin an administrator)"
        ),
    )
    commands.add_parser(
        "seed-demo", parents=[common], help=_("fill an empty database with the demo data set")
    )
    commands.add_parser(
        "migrate", parents=[common], help=_("apply pending schema migrations and exit")
    )
    slips = commands.add_parser(
        "slips",
        parents=[common],
        help=_("write arrival slips into one PDF: a day's arrivals, or one reservation"),
    )
    which = slips.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--date",
        metavar="YYYY-MM-DD",
        help=_(
            "a slip for every arrival of that day: an appointment that day, or an accepted "
            "reservation without appointment whose lease starts that day"
        ),
    )
    which.add_argument("--reservation", metavar="REF", help=_("the slip of one reservation"))
    slips.add_argument("--out", metavar="FILE.pdf", required=True, help=_("the PDF to write"))
    add_replace_option(slips)
    slips.add_argument(
        "--print",
        dest="send_to_printer",
        action="store_true",
        help=_(
            "also send the PDF to the printer (lp -d PRINTER); if it cannot be printed, the "
            "PDF is still written and the exit status is 3"
        ),
    )
    slips.add_argument(
        "--printer",
        metavar="NAME",
        help=_("the CUPS printer (default: printer in the configuration, CROUS_DESK_PRINTER)"),
    )
    from crous_desk.cli import admin, database, etat, mail, person, prices, report, setup, staff

    staff.add_parsers(commands)
    person.add_parsers(commands)
    report.add_parsers(commands, common)
    etat.add_parsers(commands)
    admin.add_parsers(commands, common)
    prices.add_parsers(commands)
    setup.add_parsers(commands)
    mail.add_parsers(commands)
    database.add_parsers(commands)
    return parser


Launcher = Callable[..., int]


def main(argv: Sequence[str] | None = None, launcher: Launcher | None = None) -> int:
    """Run the command line. ``launcher`` opens the terminal interface; the core never imports
    it, the entry point (``screens.entry``) hands it in."""
    global _launcher
    _launcher = launcher
    argv = list(sys.argv[1:] if argv is None else argv)
    set_language(command_line_language(argv))  # a bad configuration is said in it too
    try:
        config = load_config()
    except ConfigError as error:
        return fail(str(error), EXIT_USAGE)
    except RuntimeError as error:  # no home directory to find the configuration in (no HOME)
        return fail(str(error), EXIT_USAGE)
    set_language(command_line_language(argv, config.language))
    with argparse_speaks():
        parser = build_parser()
        args = parser.parse_args(argv)
    command = args.command or "run"
    try:
        return COMMANDS[command](args, config)
    except Refused as refused:
        return fail(str(refused), EXIT_REFUSED)
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        from crous_desk.store.failures import database_refusal

        refusal = database_refusal(error)  # busy, read-only, full, damaged: one clear line
        if refusal is not None:
            return fail(str(refusal), EXIT_REFUSED)
        if isinstance(error, (OSError, ValueError)):
            return fail(str(error), EXIT_REFUSED)
        if isinstance(error, ArithmeticError):  # a number or date out of range that slipped
            return fail(_("a value is out of range ({error})").format(error=error), EXIT_REFUSED)
        raise


def cmd_migrate(args: argparse.Namespace, config: Config) -> int:
    path = db_path(args, config)
    open_db(path)
    print(_("{path}: schema up to date").format(path=shown(path)))
    return 0


def cmd_seed_demo(args: argparse.Namespace, config: Config) -> int:
    from crous_desk.base.clock import SystemClock
    from crous_desk.office.demo import seed_demo

    path = db_path(args, config)
    open_db(path)
    counts = seed_demo(SystemClock())
    print(
        _("{path}: demo data written ({n} reservations)").format(
            path=shown(path), n=sum(counts.values())
        )
    )
    return 0


def cmd_demo(args: argparse.Namespace, config: Config) -> int:
    import tempfile

    from crous_desk.base.clock import SystemClock
    from crous_desk.office.demo import seed_demo
    from crous_desk.store.models import Residence

    path: Path | str
    if getattr(args, "db", None):
        path = location(args.db)
    else:
        path = Path(tempfile.mkdtemp(prefix="crous-desk-demo-")) / "demo.db"
    open_db(path)
    if not Residence.select().exists():
        seed_demo(SystemClock())
    # the demo signs in by itself: as the demo receptionist, or the account named by --user
    user = getattr(args, "user", None) or config.desk_user
    return _run_tui(
        args,
        config.with_overrides(residence=config.residence or "gaston-berger", desk_user=user),
        demo=True,
    )


def cmd_run(args: argparse.Namespace, config: Config) -> int:
    open_db(db_path(args, config))
    return _run_tui(args, config)


def _run_tui(args: argparse.Namespace, config: Config, demo: bool = False) -> int:
    from crous_desk.base.clock import SystemClock
    from crous_desk.people.sign_in import who_signs_in
    from crous_desk.store.models import Residence

    config = config.with_overrides(
        residence=getattr(args, "residence", None),
        sign_in=getattr(args, "sign_in", None),
        language=current_language(),  # --lang, CROUS_DESK_LANG, the configuration or the locale
    )
    residence = None
    if config.residence:
        residence = residence_by_code(config.residence)
    elif Residence.select().count() == 1:
        residence = Residence.get()
    actor, residence = who_signs_in(config, residence, SystemClock(), demo=demo)
    if _launcher is None:
        raise Refused(
            Problem(
                "no_interface", _("the terminal interface is not available in this installation")
            )
        )
    return _launcher(actor=actor, residence=residence, clock=SystemClock(), config=config)


EXIT_NOT_PRINTED = 3  # the PDF is written, the printer did not get it


def cmd_slips(args: argparse.Namespace, config: Config) -> int:
    """Slips of a day's arrivals or of one reservation; bad input writes nothing."""
    import re

    from crous_desk.arrivals.slip_pdf import save_slips
    from crous_desk.arrivals.slips import arrivals_on, print_pdf, slips_for
    from crous_desk.base.clock import SystemClock
    from crous_desk.base.files import output_problem
    from crous_desk.store import search_index as search

    day: date | None = None
    if args.date is not None:
        text = args.date.strip()
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                raise ValueError
            day = plausible(date.fromisoformat(text))
        except ValueError:
            return fail(
                _("--date {text!r} is not a date: write it as YYYY-MM-DD, e.g. 2026-11-23").format(
                    text=args.date[:20]
                ),
                EXIT_USAGE,
            )
    path = db_path(args, config)
    out = Path(args.out)
    if not is_server(path) and not Path(path).is_file():
        raise Refused(Problem("no_database", _("{path}: no such database file").format(path=path)))
    if is_the_database(out, path):
        raise Refused(
            Problem(
                "output_is_database",
                _("{out} is the database: name another file for the PDF").format(out=out),
            )
        )
    if args.replace and out.is_file() and _head(out) != b"%PDF-":
        raise Refused(
            Problem(
                "output_not_pdf",
                _("{out} exists and is not a PDF: it is left as it is").format(out=out),
            )
        )
    open_db(path)
    from crous_desk.desk import permissions

    permissions.require(operator_desk().actor, "slip.print")  # the login's account may print
    problem = output_problem(out, replace=args.replace)
    if problem:  # before the slips are drawn
        raise Refused(problem)
    code = getattr(args, "residence", None) or config.residence
    residence_id = residence_by_code(code).id if code else None
    if day is not None:
        arrivals = arrivals_on(day, residence_id)
        if not arrivals:
            print(
                _("crous-desk: no arrivals on {day}: no PDF written").format(day=day.isoformat()),
                file=sys.stderr,
            )
            return 0
        ids = [a.reservation_id for a in arrivals]
        booked = sum(1 for a in arrivals if a.by == "appointment")
        summary = ngettext(
            "{out}: {n} slip — {a} by appointment, {s} by lease start",
            "{out}: {n} slips — {a} by appointment, {s} by lease start",
            len(ids),
        ).format(out=out, n=len(ids), a=booked, s=len(ids) - booked)
    else:
        found = search.find_reference(args.reservation, residence_id)
        if found is None:
            raise Refused(
                Problem(
                    "not_found",
                    _("no reservation with reference {ref!r}").format(ref=args.reservation[:20]),
                )
            )
        ids = [found.id]
        summary = _("{out}: the slip of {ref}").format(out=out, ref=found.reference)
    slips = slips_for(ids, SystemClock().now())
    save_slips(slips, out, progress_bar(_("slips")), replace=args.replace)
    print(summary)
    if args.send_to_printer:
        try:
            said = print_pdf(out, args.printer or config.printer)
        except Refused as refused:
            return fail(str(refused), EXIT_NOT_PRINTED)
        print(
            _("sent to {printer}: {said}").format(printer=args.printer or config.printer, said=said)
        )
    return 0


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(5)


COMMANDS = {
    "run": cmd_run,
    "demo": cmd_demo,
    "seed-demo": cmd_seed_demo,
    "migrate": cmd_migrate,
    "slips": cmd_slips,
}


def _admin_commands() -> None:
    from crous_desk.cli import admin, database, etat, mail, person, prices, report, setup, staff

    for module in (staff, admin, prices, setup, mail, person, report, etat, database):
        COMMANDS.update(module.COMMANDS)


_admin_commands()


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
