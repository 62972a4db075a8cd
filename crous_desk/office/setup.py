"""Setting a residence up for real: the residence itself (its CROUS, address, desk phone,
opening hour, closures) and its rooms with their key sets, from a CSV the residence already has
(crous_desk.rules.room_list reads it); and rebuilding the search index after a bulk load.

Every row is checked first; nothing is written if any row is bad. Re-importing the same file
changes nothing (a room is matched by its number)."""

from __future__ import annotations

import re
from datetime import time

from crous_desk.base.dates import parse_day
from crous_desk.base.errors import Problem
from crous_desk.base.i18n import _
from crous_desk.desk.action import Act, action
from crous_desk.rules.reference import crous_directory
from crous_desk.rules.room_list import ROOM_COLUMNS, RoomRow, read_rooms
from crous_desk.store import search_index
from crous_desk.store.models import Closure, KeySet, Residence, Room, snapshot

__all__ = [  # reading the list of rooms is a rule (crous_desk.rules.room_list), read here too
    "ROOM_COLUMNS",
    "RoomRow",
    "add_residence",
    "declare_closure",
    "import_rooms",
    "read_rooms",
    "reindex",
]

_CODE = re.compile(r"[a-z0-9][a-z0-9-]{1,39}")


@action("residence.create", needs="residence.manage")
def add_residence(
    act: Act,
    code: str,
    *,
    name: str,
    crous: str,
    address: str,
    desk_phone: str,
    opening: str = "09:00",
) -> Residence:
    """A new residence of one of the 28 CROUS; refused (changing nothing) with every reason."""
    if not _CODE.fullmatch(code):
        act.check(
            Problem(
                "residence_code_invalid",
                _("code {code!r}: lower-case letters, digits and '-', e.g. luminy").format(
                    code=code[:40]
                ),
            )
        )
    elif Residence.select().where(Residence.code == code).exists():
        act.check(
            Problem(
                "residence_code_taken",
                _("a residence {code!r} exists already").format(code=code),
            )
        )
    if crous not in crous_directory():
        act.check(
            Problem(
                "unknown_crous",
                _("CROUS {crous!r} is not in the directory (e.g. aix-marseille)").format(
                    crous=crous[:40]
                ),
            )
        )
    values = {
        field: act.text(text, field, required=True)
        for field, text in (("name", name), ("address", address), ("desk_phone", desk_phone))
    }
    hh = mm = 0
    try:
        hh, mm = (int(x) for x in opening.split(":"))
        if not time(hh, mm) < time(17, 0):
            raise ValueError
    except ValueError:
        act.check(
            Problem(
                "opening_invalid",
                _("opening {value!r}: an hour before 17:00, e.g. 08:30").format(value=opening[:10]),
            )
        )
    with act.change():
        free = not Residence.select().where(Residence.code == code).exists()
        act.confirm(int(free), _("the residence {code}").format(code=code))
        residence = Residence.create(
            code=code,
            crous_code=crous,
            timezone=crous_directory()[crous].timezone,
            opening=f"{hh:02d}:{mm:02d}",
            **values,
        )
        act.audit(
            "residence",
            residence.id,
            after=snapshot(residence, "code", "name", "crous_code", "opening"),
        )
    return residence


@action("residence.closure", needs="residence.manage", target=Residence)
def declare_closure(act: Act, residence: Residence, first: str, last: str, reason: str) -> Closure:
    """The desk is closed every day from ``first`` to ``last`` (e.g. the Christmas break)."""
    days = []
    for text in (first, last):
        try:
            days.append(parse_day(text))
        except ValueError as error:
            act.check(Problem("date_invalid", str(error)))
    if len(days) == 2 and days[1] < days[0]:
        act.check(Problem("closure_order", _("the closure ends before it starts")))
    reason = act.text(reason, _("the reason"))
    with act.change():
        closure = Closure.create(residence=residence, first=days[0], last=days[1], reason=reason)
        act.audit("closure", closure.id, after=snapshot(closure, "first", "last", "reason"))
    return closure


@action("rooms.import", needs="residence.manage", target=Residence)
def import_rooms(act: Act, residence: Residence, text: str) -> tuple[int, int]:
    """Create the rooms of the file that do not exist yet, with their key sets; all or
    nothing. Returns (rooms created, rooms already there)."""
    rows, problems = read_rooms(text)
    act.check(problems)
    missing = [row for row in rows if not _room_exists(residence, row.number)]
    if act.refused or not missing:  # refused with the bad rows, or nothing to add
        return 0, len(rows)
    prefix = residence.code[:3].upper()
    with act.change():
        for row in missing:
            act.confirm(
                int(not _room_exists(residence, row.number)), _("room {n}").format(n=row.number)
            )
            room = Room.create(
                residence=residence,
                number=row.number,
                building=row.building,
                floor=row.floor,
                kind=row.kind,
                surface_m2=row.surface_m2,
                rent_cents=row.rent_cents,
            )
            for i in range(1, row.key_sets + 1):
                KeySet.create(room=room, label=f"{prefix}/{row.number}/{i}")
        existing = len(rows) - len(missing)
        act.audit(
            "residence",
            residence.id,
            after={"created": len(missing), "already_there": existing},
        )
    return len(missing), existing


def _room_exists(residence: Residence, number: str) -> bool:
    return bool(Room.select().where(Room.residence == residence, Room.number == number).exists())


@action("search.reindex", needs="residence.manage")
def reindex(act: Act) -> int:
    """Index every reservation again for the search box (after a bulk load, or to repair the
    index); returns how many reservations are indexed."""
    with act.change():
        count = search_index.rebuild_index()
        act.audit("search_index", None, after={"reservations": count})
    return count
