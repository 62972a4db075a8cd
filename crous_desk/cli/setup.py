"""``crous-desk residence add|closure`` and ``crous-desk rooms import``: setting a real
residence up, as an administrator, from the command line."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crous_desk.base.config import Config
from crous_desk.base.errors import Problem, Refused
from crous_desk.base.i18n import _, ngettext
from crous_desk.cli.common import db_path, open_db, operator_desk, residence_by_code
from crous_desk.rules.room_list import ROOM_COLUMNS

if TYPE_CHECKING:
    from crous_desk.desk.context import Desk


def add_parsers(commands: Any) -> None:
    residence = commands.add_parser("residence", help=_("set up a residence: add, closure"))
    actions = residence.add_subparsers(dest="residence_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help=_("add a residence of one of the 28 CROUS"))
    add.add_argument("code", help=_("short code, e.g. luminy"))
    add.add_argument("--name", required=True)
    add.add_argument("--crous", required=True, help=_("its CROUS, e.g. aix-marseille"))
    add.add_argument("--address", required=True)
    add.add_argument("--phone", required=True, help=_("the desk's phone"))
    add.add_argument("--opening", default="09:00", help=_("the desk opens at (default 09:00)"))
    closure = actions.add_parser("closure", help=_("declare days the desk is closed"))
    closure.add_argument("code")
    closure.add_argument("--from", dest="first", required=True, help="dd/mm/yyyy")
    closure.add_argument("--to", dest="last", required=True, help="dd/mm/yyyy")
    closure.add_argument("--reason", required=True)
    rooms = commands.add_parser("rooms", help=_("rooms of a residence: import"))
    room_actions = rooms.add_subparsers(dest="rooms_command", metavar="ACTION", required=True)
    imports = room_actions.add_parser(
        "import",
        help=_("rooms and key sets from a CSV: {columns}").format(columns=";".join(ROOM_COLUMNS)),
    )
    imports.add_argument("file")
    imports.add_argument("--residence", metavar="CODE", required=True)
    proposal = commands.add_parser("proposal", help=_("the CROUS proposal: send"))
    proposal_actions = proposal.add_subparsers(
        dest="proposal_command", metavar="ACTION", required=True
    )
    send = proposal_actions.add_parser(
        "send", help=_("offer a room to a request; the 120-hour window starts")
    )
    send.add_argument("reference", help=_("the request's reservation reference"))
    send.add_argument("--room", required=True, help=_("a room of the residence, e.g. B-112"))
    send.add_argument("--residence", metavar="CODE", required=True)
    send.add_argument(
        "--sent",
        metavar="'dd/mm/yyyy HH:MM'",
        help=_("when the CROUS sent it, Paris time (default: now)"),
    )
    for parser in (add, closure, imports, send):
        parser.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS)


def _desk(args: argparse.Namespace, config: Config) -> Desk:
    open_db(db_path(args, config))
    return operator_desk()


def cmd_residence(args: argparse.Namespace, config: Config) -> int:
    from crous_desk.office.setup import add_residence, declare_closure

    desk = _desk(args, config)
    if args.residence_command == "add":
        residence = add_residence(
            desk,
            args.code,
            name=args.name,
            crous=args.crous,
            address=args.address,
            desk_phone=args.phone,
            opening=args.opening,
        )
        print(
            _("{code}: residence added ({name})").format(code=residence.code, name=residence.name)
        )
        return 0
    residence = residence_by_code(args.code)
    closure = declare_closure(desk, residence.id, args.first, args.last, args.reason)
    print(
        _("{code}: closed from {first} to {last}").format(
            code=residence.code, first=closure.first, last=closure.last
        )
    )
    return 0


def cmd_rooms(args: argparse.Namespace, config: Config) -> int:
    from crous_desk.office.setup import import_rooms

    desk = _desk(args, config)
    residence = residence_by_code(args.residence)
    path = Path(args.file)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise Refused(
            Problem(
                "unreadable",
                _("{path}: cannot read it as a UTF-8 CSV ({error})").format(path=path, error=error),
            )
        ) from None
    created, existing = import_rooms(desk, residence.id, text)
    print(
        ngettext(
            "{code}: {created} room added, {existing} already there",
            "{code}: {created} rooms added, {existing} already there",
            created,
        ).format(code=residence.code, created=created, existing=existing)
    )
    return 0


def cmd_proposal(args: argparse.Namespace, config: Config) -> int:
    from crous_desk.base.dates import parse_instant
    from crous_desk.reservations.proposal import send_proposal
    from crous_desk.reservations.search import find_reference
    from crous_desk.rules.proposal import format_instant, proposal_deadline

    desk = _desk(args, config)
    desk.residence = residence_by_code(args.residence)
    sent = None
    if args.sent:
        day, _sep, clock = args.sent.strip().partition(" ")
        try:
            sent = parse_instant(day, clock, desk.calendar().tz)
        except ValueError as error:
            raise Refused(Problem("bad_date", f"--sent: {error}")) from None
    found = find_reference(desk, args.reference)
    if found is None:
        raise Refused(
            Problem("not_found", _("no reservation {ref!r}").format(ref=args.reference[:20]))
        )
    reservation = send_proposal(desk, found.id, args.room, sent)
    print(
        _(
            "{ref}: room {room} offered; the answer is due within 120 hours, by {deadline} "
            "(Paris time); the e-mail to the student is in the outbox"
        ).format(
            ref=reservation.reference,
            room=args.room.upper(),
            deadline=format_instant(proposal_deadline(reservation.proposal_sent_at)),
        )
    )
    return 0


COMMANDS = {"residence": cmd_residence, "rooms": cmd_rooms, "proposal": cmd_proposal}
