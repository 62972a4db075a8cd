"""``crous-desk etat window|deposit|meters``: what a residence decides about the état des
lieux and the money of a stay (administrator, audited)."""

from __future__ import annotations

import argparse
from typing import Any

from crous_desk.base.config import Config
from crous_desk.base.errors import Problem, Refused
from crous_desk.base.i18n import _
from crous_desk.cli.common import db_path, open_db, operator_desk, residence_by_code


def add_parsers(commands: Any) -> None:
    etat = commands.add_parser(
        "etat", help=_("the état des lieux and the stay's money: window, deposit, meters")
    )
    actions = etat.add_subparsers(dest="etat_command", required=True)
    window = actions.add_parser("window", help=_("the window to complete a check-in"))
    window.add_argument("code", help=_("the residence"))
    window.add_argument("--days", type=int, help=_("days after the check-in (10)"))
    window.add_argument(
        "--heating-starts", metavar="MM-DD", help=_("the heating season's first day (10-01)")
    )
    deposit = actions.add_parser("deposit", help=_("the security deposit the residence asks"))
    deposit.add_argument("code", help=_("the residence"))
    deposit.add_argument("euros", help=_("e.g. 300, or - for none"))
    meters = actions.add_parser("meters", help=_("the meters a room has of its own"))
    meters.add_argument("code", help=_("the residence"))
    meters.add_argument("room", help=_("the room, e.g. B-112"))
    meters.add_argument(
        "meters", help=_("e.g. electricity,water_cold; - for none; kind for its kind's")
    )
    for parser in (window, deposit, meters):
        parser.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS)


def cmd_etat(args: argparse.Namespace, config: Config) -> int:
    from crous_desk.office.stay_settings import describe, set_room_meters, set_stay_settings
    from crous_desk.rules.ledger import parse_euros
    from crous_desk.store.models import Room

    open_db(db_path(args, config))
    desk = operator_desk()
    residence = residence_by_code(args.code)
    if args.etat_command == "meters":
        number = args.room.strip().upper()
        room = Room.get_or_none(Room.residence == residence, Room.number == number)
        if room is None:
            raise Refused(
                Problem("no_such_room", _("no room {room} in this residence").format(room=number))
            )
        wanted = None if args.meters.strip() == "kind" else args.meters
        room = set_room_meters(desk, room.id, wanted)
        print(
            _("{room}: meters {meters}").format(
                room=room.number, meters=room.meters if room.meters is not None else "kind"
            )
        )
        return 0
    if args.etat_command == "deposit":
        if args.euros.strip() == "-":
            residence = set_stay_settings(desk, residence.id, no_deposit=True)
        else:
            cents, problem = parse_euros(args.euros)
            if problem is not None:
                raise Refused(problem)
            residence = set_stay_settings(desk, residence.id, deposit_cents=cents)
    else:
        residence = set_stay_settings(
            desk, residence.id, amendment_days=args.days, heating_starts=args.heating_starts
        )
    print(describe(residence))
    return 0


COMMANDS = {"etat": cmd_etat}
