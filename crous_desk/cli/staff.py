"""``crous-desk staff add|list|disable|enable|passwd``: the staff accounts, managed by the
command line's own administrator account ``os:<login>`` (see crous_desk.people.staff)."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING, Any

from crous_desk.base.config import Config
from crous_desk.base.errors import Problem, Refused
from crous_desk.base.i18n import _
from crous_desk.cli.common import db_path, existing_db, open_db, operator_desk
from crous_desk.rules.status import Role

if TYPE_CHECKING:
    from crous_desk.people.staff import StaffRow


def add_parsers(commands: Any) -> None:
    only_db = argparse.ArgumentParser(add_help=False)
    only_db.add_argument(
        "--db",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help=_("the database: an SQLite file or a postgresql:// URL"),
    )
    parser = commands.add_parser(
        "staff", parents=[only_db], help=_("staff accounts: add, list, disable, enable, passwd")
    )
    actions = parser.add_subparsers(dest="staff_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", parents=[only_db], help=_("create a staff account"))
    add.add_argument("username")
    add.add_argument("--name", default="", help=_("the person's full name"))
    add.add_argument(
        "--role", required=True, choices=tuple(Role), help=_("what the account may do")
    )
    for option, dest, metavar, text in (
        (
            "--residence",
            "residences",
            "CODE",
            _("a receptionist's residence (repeat; * for every residence)"),
        ),
        (
            "--campus",
            "campuses",
            "NAME",
            _("a mobility manager's campus (repeat; * for every student)"),
        ),
        (
            "--university",
            "universities",
            "NAME",
            _("a mobility manager's home university (repeat)"),
        ),
    ):
        add.add_argument(option, dest=dest, action="append", default=[], metavar=metavar, help=text)
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
    language = actions.add_parser(
        "language",
        parents=[only_db],
        help=_("the account's own language (fr, en), used when they sign in; - for the desk's"),
    )
    language.add_argument("username")
    language.add_argument("language", metavar="LANG")
    passwd = actions.add_parser(
        "passwd", parents=[only_db], help=_("set a new passphrase (lifts a lockout)")
    )
    passwd.add_argument("username")
    passwd.add_argument("--passphrase-stdin", action="store_true")


def _read_passphrase(from_stdin: bool, required: bool) -> str | None:
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    if sys.stdin.isatty():
        first = getpass.getpass(_("Passphrase: "))
        if first != getpass.getpass(_("Passphrase again: ")):
            raise Refused(Problem("passphrases_differ", _("the two passphrases differ")))
        return first
    if required:
        raise Refused(
            Problem("no_terminal", _("no terminal to ask the passphrase: use --passphrase-stdin"))
        )
    return None


def _line(row: StaffRow, now: Any) -> str:
    from crous_desk.base.clock import PARIS
    from crous_desk.desk.permissions import role_label

    if row.locked_until is not None and row.locked_until > now:
        state = _("locked until {when}").format(
            when=row.locked_until.astimezone(PARIS).strftime("%d/%m %H:%M")
        )
    else:
        state = _("active") if row.active else _("disabled")
    sign_in = ", ".join(
        [_("passphrase")] * row.has_passphrase + ([f"os:{row.os_user}"] if row.os_user else [])
    )
    scope = row.scope.describe() if row.role != Role.ADMINISTRATOR else _("everything")
    return "\t".join(
        [row.username, row.display_name, role_label(row.role), scope, sign_in or "—", state]
    )


def cmd_staff(args: argparse.Namespace, config: Config) -> int:
    from crous_desk.people import staff

    if args.staff_command == "add":
        open_db(db_path(args, config))  # the first account may create the file
    else:
        existing_db(args, config)
    desk = operator_desk()
    if args.staff_command == "list":
        now = desk.now()
        for row in staff.staff_rows(desk):
            print(_line(row, now))
        return 0
    if args.staff_command == "add":
        scopes = (
            [("residence", v) for v in args.residences]
            + [("campus", v) for v in args.campuses]
            + [("university", v) for v in args.universities]
        )
        passphrase = _read_passphrase(args.passphrase_stdin, required=False)
        member = staff.add_staff(
            desk,
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
        member = staff.set_active(desk, args.username, args.staff_command == "enable")
        state = _("enabled") if args.staff_command == "enable" else _("disabled")
        print(_("{name}: {state}").format(name=member.username, state=state))
        return 0
    if args.staff_command == "language":
        wanted = None if args.language == "-" else args.language
        member = staff.set_language(desk, args.username, wanted)
        print(
            _("{name}: language {language}").format(
                name=member.username, language=member.language or _("the desk's")
            )
        )
        return 0
    if args.staff_command == "passwd":
        passphrase = _read_passphrase(args.passphrase_stdin, required=True)
        staff.set_passphrase(desk, args.username, passphrase or "")
        print(_("{name}: new passphrase set").format(name=args.username))
        return 0
    raise Refused(Problem("unknown_action", _("unknown staff action")))  # pragma: no cover


COMMANDS = {"staff": cmd_staff}
