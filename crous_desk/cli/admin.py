"""The command line's administration: staff accounts, the "Accueil" import, CSV exports and the
audit chain. They act as the command-line account ``os:<login>`` (see crous_desk.staff).

Exit status: 0 done; 1 refused (one line per reason on stderr, nothing written); 2 bad usage;
3 done in part (``import-accueil --skip-invalid`` rejected rows, written to a file).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from crous_desk.base.clock import PARIS, SystemClock
from crous_desk.base.config import Config
from crous_desk.base.dates import parse_iso_day
from crous_desk.base.errors import Refused
from crous_desk.base.i18n import _

EXIT_PARTIAL = 3


def add_parsers(commands: Any, common: argparse.ArgumentParser) -> None:
    only_db = argparse.ArgumentParser(add_help=False)
    only_db.add_argument(
        "--db", metavar="PATH", default=argparse.SUPPRESS, help=_("the SQLite database file")
    )
    staff = commands.add_parser(
        "staff", parents=[only_db], help=_("staff accounts: add, list, disable, enable, passwd")
    )
    actions = staff.add_subparsers(dest="staff_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", parents=[only_db], help=_("create a staff account"))
    add.add_argument("username")
    add.add_argument("--name", default="", help=_("the person's full name"))
    add.add_argument(
        "--role",
        required=True,
        choices=("receptionist", "mobility_manager", "administrator"),
        help=_("what the account may do"),
    )
    add.add_argument(
        "--residence",
        dest="residences",
        action="append",
        default=[],
        metavar="CODE",
        help=_("a receptionist's residence (repeat; * for every residence)"),
    )
    add.add_argument(
        "--campus",
        dest="campuses",
        action="append",
        default=[],
        metavar="NAME",
        help=_("a mobility manager's campus (repeat; * for every student)"),
    )
    add.add_argument(
        "--university",
        dest="universities",
        action="append",
        default=[],
        metavar="NAME",
        help=_("a mobility manager's home university (repeat)"),
    )
    add.add_argument(
        "--os-user",
        metavar="LOGIN",
        help=_("the operating-system login trusted for this account over SSH"),
    )
    add.add_argument(
        "--passphrase-stdin",
        action="store_true",
        help=_("read the passphrase from the first line of standard input"),
    )
    actions.add_parser("list", parents=[only_db], help=_("list the staff accounts"))
    for name, text in (
        ("disable", _("disable an account (its open sessions can do nothing more)")),
        ("enable", _("enable a disabled account again")),
    ):
        one = actions.add_parser(name, parents=[only_db], help=text)
        one.add_argument("username")
    passwd = actions.add_parser(
        "passwd", parents=[only_db], help=_("set a new passphrase (lifts a lockout)")
    )
    passwd.add_argument("username")
    passwd.add_argument("--passphrase-stdin", action="store_true")

    imports = commands.add_parser(
        "import-accueil",
        parents=[only_db],
        help=_("import the Accueil list (CSV): students and their stays"),
    )
    imports.add_argument("file", metavar="FILE.csv")
    imports.add_argument(
        "--skip-invalid",
        action="store_true",
        help=_("import the good rows and write the rejected ones to a file (exit 3)"),
    )
    imports.add_argument(
        "--rejected",
        metavar="FILE.csv",
        help=_("where --skip-invalid writes the rejected rows (default: FILE.rejected.csv)"),
    )

    export = commands.add_parser(
        "export", parents=[common], help=_("write a CSV export: pipeline, arrivals, keylog, audit")
    )
    export.add_argument("kind", choices=("pipeline", "arrivals", "keylog", "audit"))
    export.add_argument("--out", metavar="FILE.csv", required=True)
    export.add_argument("--year", metavar="YYYY-YYYY", help=_("pipeline: the academic year"))
    export.add_argument("--semester", type=int, choices=(1, 2), help=_("pipeline: the semester"))
    export.add_argument("--date", metavar="YYYY-MM-DD", help=_("arrivals: the day (today)"))
    export.add_argument("--from", dest="first", metavar="YYYY-MM-DD", help=_("first day"))
    export.add_argument("--to", dest="last", metavar="YYYY-MM-DD", help=_("last day"))
    export.add_argument("--actor", metavar="USERNAME", help=_("audit: one person's entries"))

    auditing = commands.add_parser("audit", parents=[only_db], help=_("the audit log"))
    audit_actions = auditing.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    audit_actions.add_parser(
        "verify",
        parents=[only_db],
        help=_("check the hash chain: exit 0 when intact, 1 and the first broken entry otherwise"),
    )


# -- helpers ------------------------------------------------------------------------------------


def _existing_db(args: argparse.Namespace, config: Config) -> Path:
    from crous_desk.cli.main import _db_path, _open

    path = _db_path(args, config)
    if not path.is_file():
        raise Refused(_("{path}: no such database file").format(path=path))
    _open(path)
    return path


def _operator() -> Any:
    from crous_desk.people.auth import current_os_user
    from crous_desk.people.staff import operator

    return operator(current_os_user(), SystemClock().now())


def _day(text: str | None, what: str) -> date | None:
    if text is None:
        return None
    try:
        return parse_iso_day(text)
    except ValueError as error:
        raise Refused(f"{what}: {error}") from None


def _read_passphrase(from_stdin: bool, required: bool) -> str | None:
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    if sys.stdin.isatty():
        first = getpass.getpass(_("Passphrase: "))
        if first != getpass.getpass(_("Passphrase again: ")):
            raise Refused(_("the two passphrases differ"))
        return first
    if required:
        raise Refused(_("no terminal to ask the passphrase: use --passphrase-stdin"))
    return None


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


# -- staff --------------------------------------------------------------------------------------


def cmd_staff(args: argparse.Namespace, config: Config) -> int:
    from crous_desk.cli.main import _db_path, _open
    from crous_desk.desk.permissions import role_label
    from crous_desk.people import staff

    if args.staff_command == "add":
        _open(_db_path(args, config))  # the first account may create the file
    else:
        _existing_db(args, config)
    now = SystemClock().now()
    by = _operator()
    if args.staff_command == "list":
        for row in staff.staff_rows(by):
            if row.locked_until is not None and row.locked_until > now:
                state = _("locked until {when}").format(
                    when=row.locked_until.astimezone(PARIS).strftime("%d/%m %H:%M")
                )
            else:
                state = _("active") if row.active else _("disabled")
            sign_in = ", ".join(
                [_("passphrase")] * row.has_passphrase
                + ([f"os:{row.os_user}"] if row.os_user else [])
            )
            print(
                "\t".join(
                    [
                        row.username,
                        row.display_name,
                        role_label(row.role),
                        row.scope.describe() if row.role != "administrator" else _("everything"),
                        sign_in or "—",
                        state,
                    ]
                )
            )
        return 0
    if args.staff_command == "add":
        scopes = (
            [("residence", v) for v in args.residences]
            + [("campus", v) for v in args.campuses]
            + [("university", v) for v in args.universities]
        )
        passphrase = _read_passphrase(args.passphrase_stdin, required=False)
        member = staff.add_staff(
            by,
            now,
            args.username,
            args.name,
            args.role,
            scopes,
            passphrase=passphrase or None,
            os_user=args.os_user,
        )
        print(_("{name}: account created ({role})").format(name=member.username, role=args.role))
        if not passphrase and not args.os_user:
            print(
                _(
                    "{name} cannot sign in yet: set a passphrase with crous-desk staff passwd"
                ).format(name=member.username),
                file=sys.stderr,
            )
        return 0
    if args.staff_command in ("disable", "enable"):
        member = staff.set_active(by, now, args.username, args.staff_command == "enable")
        print(_("{name}: {state}").format(name=member.username, state=args.staff_command + "d"))
        return 0
    if args.staff_command == "passwd":
        passphrase = _read_passphrase(args.passphrase_stdin, required=True)
        staff.set_passphrase(by, now, args.username, passphrase or "")
        print(_("{name}: new passphrase set").format(name=args.username))
        return 0
    raise Refused(_("unknown staff action"))  # pragma: no cover - argparse refuses it first


# -- import -------------------------------------------------------------------------------------


def cmd_import_accueil(args: argparse.Namespace, config: Config) -> int:
    from crous_desk.office import accueil

    source = Path(args.file)
    text = accueil.read_text(source)
    path = _existing_db(args, config)
    checked = accueil.check(text)
    rejected_path = Path(args.rejected) if args.rejected else source.with_suffix(".rejected.csv")
    if checked.bad and not args.skip_invalid:
        for bad in checked.bad:
            print(f"crous-desk: {source.name}: {bad.describe()}", file=sys.stderr)
        print(
            _(
                "crous-desk: nothing imported: {n} bad row(s) of {total}; correct them, or "
                "import the good rows with --skip-invalid"
            ).format(n=len(checked.bad), total=len(checked.bad) + len(checked.good)),
            file=sys.stderr,
        )
        return 1
    if checked.bad:
        if rejected_path.resolve() in (path.resolve(), source.resolve()):
            raise Refused(_("--rejected names the database or the list itself"))
        accueil.write_rejected(rejected_path, checked)
    by = _operator()
    result = accueil.apply(
        by,
        SystemClock().now(),
        checked.good,
        progress=progress_bar(_("rows")) if len(checked.good) >= 200 else None,
        source=source.name,
    )
    print(
        _(
            "{file}: {students} new student(s), {updated} updated, {stays} new stay(s), "
            "{moved} stay(s) with new dates, {same} unchanged"
        ).format(
            file=source.name,
            students=result.students_created,
            updated=result.students_updated,
            stays=result.stays_created,
            moved=result.stays_updated,
            same=result.unchanged,
        )
    )
    if checked.bad:
        for bad in checked.bad:
            print(f"crous-desk: {source.name}: {bad.describe()}", file=sys.stderr)
        print(
            _("crous-desk: {n} row(s) rejected, written to {path}").format(
                n=len(checked.bad), path=rejected_path
            ),
            file=sys.stderr,
        )
        return EXIT_PARTIAL
    return 0


# -- export -------------------------------------------------------------------------------------


def cmd_export(args: argparse.Namespace, config: Config) -> int:
    from crous_desk.cli.main import _residence_id
    from crous_desk.desk.context import Desk
    from crous_desk.office import exports
    from crous_desk.store.models import Residence

    out = Path(args.out)
    first, last = _day(args.first, "--from"), _day(args.last, "--to")
    if first and last and first > last:
        raise Refused(_("--from {first} is after --to {last}").format(first=first, last=last))
    year = getattr(args, "year", None)
    if year is not None:
        parts = year.split("-")
        if not (
            len(parts) == 2
            and all(p.isdigit() and len(p) == 4 for p in parts)
            and int(parts[1]) == int(parts[0]) + 1
        ):
            raise Refused(
                _("--year {year!r}: write the academic year as 2026-2027").format(year=year[:20])
            )
    day = _day(args.date, "--date")
    path = _existing_db(args, config)
    if out.resolve() == path.resolve():
        raise Refused(_("{out} is the database: name another file for the CSV").format(out=out))
    code = getattr(args, "residence", None) or config.residence
    residence = Residence.get_by_id(_residence_id(code)) if code else None
    desk = Desk(_operator(), SystemClock(), residence)
    filters: dict[str, Any] = {}
    if args.kind == "pipeline":
        filters = {"year": args.year, "semester": args.semester}
    elif args.kind == "arrivals":
        filters = {"day": day}
    elif args.kind == "keylog":
        filters = {"first_day": first, "last_day": last}
    elif args.kind == "audit":
        filters = {
            "actor": args.actor,
            "since": datetime.combine(first, time(), PARIS) if first else None,
            "until": datetime.combine(last + timedelta(days=1), time(), PARIS) if last else None,
        }
    count = exports.export(args.kind, desk, out, **filters)
    print(_("{out}: {n} row(s)").format(out=out, n=count))
    return 0


# -- audit --------------------------------------------------------------------------------------


def cmd_audit(args: argparse.Namespace, config: Config) -> int:
    from crous_desk.store import audit

    _existing_db(args, config)
    report = audit.verify_chain(progress_bar(_("entries")))
    if report.intact:
        print(
            _("audit log intact: {n} entries; head {head}").format(
                n=report.entries, head=report.head
            )
        )
        return 0
    print(
        _("crous-desk: audit log broken at entry #{id}: {reason}").format(
            id=report.broken_id, reason=report.reason
        ),
        file=sys.stderr,
    )
    return 1


COMMANDS = {
    "staff": cmd_staff,
    "import-accueil": cmd_import_accueil,
    "export": cmd_export,
    "audit": cmd_audit,
}
