"""Setting a residence up for real: the residence itself (its CROUS, address, desk phone,
opening hour, closures) and its rooms with their key sets, from a CSV the residence already has.

Every row is checked first; nothing is written if any row is bad. Re-importing the same file
changes nothing (a room is matched by its number)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import time
from decimal import Decimal, InvalidOperation

from crous_desk.base.dates import parse_day
from crous_desk.base.errors import Refused
from crous_desk.base.i18n import _
from crous_desk.base.text import clean_text
from crous_desk.desk import permissions
from crous_desk.desk.context import Desk
from crous_desk.rules.reference import crous_directory, room_kinds
from crous_desk.store import audit
from crous_desk.store.models import Closure, KeySet, Residence, Room, db, snapshot

_CODE = re.compile(r"[a-z0-9][a-z0-9-]{1,39}")
_ROOM = re.compile(r"[A-Z0-9][A-Z0-9-]{0,15}")
ROOM_COLUMNS = ("number", "building", "floor", "kind", "surface_m2", "rent_eur", "key_sets")


def add_residence(
    desk: Desk,
    code: str,
    *,
    name: str,
    crous: str,
    address: str,
    desk_phone: str,
    opening: str = "09:00",
) -> Residence:
    """A new residence of one of the 28 CROUS; refused (changing nothing) with every reason."""
    permissions.require(desk.actor, "residence.manage")
    problems: list[str] = []
    if not _CODE.fullmatch(code):
        problems.append(
            _("code {code!r}: lower-case letters, digits and '-', e.g. luminy").format(
                code=code[:40]
            )
        )
    elif Residence.select().where(Residence.code == code).exists():
        problems.append(_("a residence {code!r} exists already").format(code=code))
    if crous not in crous_directory():
        problems.append(
            _("CROUS {crous!r} is not in the directory (e.g. aix-marseille)").format(
                crous=crous[:40]
            )
        )
    values = {}
    for field, text in (("name", name), ("address", address), ("desk_phone", desk_phone)):
        try:
            values[field] = clean_text(text, field)
        except Refused as refused:
            problems.extend(refused.reasons)
            continue
        if not values[field]:
            problems.append(_("{field} is required").format(field=field))
    try:
        hh, mm = (int(x) for x in opening.split(":"))
        if not time(hh, mm) < time(17, 0):
            raise ValueError
    except ValueError:
        problems.append(
            _("opening {value!r}: an hour before 17:00, e.g. 08:30").format(value=opening[:10])
        )
    if problems:
        raise Refused(*problems)
    office = crous_directory()[crous]
    now = desk.now()
    with db.atomic():
        residence = Residence.create(
            code=code,
            crous_code=crous,
            timezone=office.timezone,
            opening=f"{hh:02d}:{mm:02d}",
            **values,
        )
        audit.record(
            desk.actor.username,
            now,
            "residence.create",
            "residence",
            residence.id,
            after=snapshot(residence, "code", "name", "crous_code", "opening"),
        )
    return residence


def declare_closure(
    desk: Desk, residence: Residence, first: str, last: str, reason: str
) -> Closure:
    """The desk is closed every day from ``first`` to ``last`` (e.g. the Christmas break)."""
    permissions.require(desk.actor, "residence.manage")
    try:
        first_day, last_day = parse_day(first), parse_day(last)
    except ValueError as error:
        raise Refused(str(error)) from None
    if last_day < first_day:
        raise Refused(_("the closure ends before it starts"))
    reason = clean_text(reason, _("the reason"))
    with db.atomic():
        closure = Closure.create(residence=residence, first=first_day, last=last_day, reason=reason)
        audit.record(
            desk.actor.username,
            desk.now(),
            "residence.closure",
            "closure",
            closure.id,
            after=snapshot(closure, "first", "last", "reason"),
        )
    return closure


@dataclass(frozen=True)
class RoomRow:
    line: int
    number: str
    building: str
    floor: int
    kind: str
    surface_m2: float
    rent_cents: int
    key_sets: int


def read_rooms(text: str) -> tuple[list[RoomRow], list[str]]:
    """The rooms of a CSV (``;`` or ``,``), and every bad row as "line N: reason"."""
    sample = text[:2000]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    rows: list[RoomRow] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    header = next(reader, None)
    if header is None or tuple(h.strip().lower() for h in header) != ROOM_COLUMNS:
        return [], [
            _("line 1: the header must be {columns}").format(columns=delimiter.join(ROOM_COLUMNS))
        ]
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(ROOM_COLUMNS):
            problems.append(
                _("line {n}: {got} fields where the header names {want}").format(
                    n=line, got=len(values), want=len(ROOM_COLUMNS)
                )
            )
            continue
        v = dict(zip(ROOM_COLUMNS, (x.strip() for x in values), strict=True))
        reasons = []
        number = v["number"].upper()
        if not _ROOM.fullmatch(number):
            reasons.append(
                _("room number {n!r}: letters, digits and '-', e.g. B-112").format(
                    n=v["number"][:20]
                )
            )
        elif number in seen:
            reasons.append(
                _("room {n} is also on line {other}").format(n=number, other=seen[number])
            )
        seen.setdefault(number, line)
        kind = room_kinds().get(v["kind"])
        if kind is None:
            reasons.append(
                _("kind {k!r}: one of {kinds}").format(
                    k=v["kind"][:20], kinds=", ".join(room_kinds())
                )
            )
        floor = surface = rent = sets = None
        try:
            floor = int(v["floor"])
            if not -3 <= floor <= 60:
                raise ValueError
        except ValueError:
            reasons.append(_("floor {f!r}: a whole number").format(f=v["floor"][:10]))
        try:
            surface = float(Decimal(v["surface_m2"].replace(",", ".")))
            if not 5 <= surface <= 300:
                raise ValueError
        except (InvalidOperation, ValueError):
            reasons.append(
                _("surface {s!r}: square metres, 5 to 300").format(s=v["surface_m2"][:10])
            )
        if kind is not None and surface is not None and surface < kind.min_m2:
            reasons.append(
                _("{m2:g} m² is under the {min} m² minimum for a {kind}").format(
                    m2=surface, min=kind.min_m2, kind=kind.label
                )
            )
        try:
            euros = Decimal(v["rent_eur"].replace(",", "."))
            if not euros.is_finite() or not 0 <= euros <= 5000:
                raise ValueError
            rent = int(euros * 100)
        except (InvalidOperation, ValueError):
            reasons.append(_("rent {r!r}: euros a month, 0 to 5000").format(r=v["rent_eur"][:10]))
        try:
            sets = int(v["key_sets"] or "1")
            if not 1 <= sets <= 6:
                raise ValueError
        except ValueError:
            reasons.append(_("key_sets {k!r}: 1 to 6").format(k=v["key_sets"][:10]))
        building = v["building"] or number.split("-")[0]
        if reasons:
            problems.append(_("line {n}: {reasons}").format(n=line, reasons="; ".join(reasons)))
            continue
        assert floor is not None and surface is not None and rent is not None and sets
        rows.append(RoomRow(line, number, building[:20], floor, v["kind"], surface, rent, sets))
    return rows, problems


def import_rooms(desk: Desk, residence: Residence, text: str) -> tuple[int, int]:
    """Create the rooms of the file that do not exist yet, with their key sets; all or
    nothing. Returns (rooms created, rooms already there)."""
    permissions.require(desk.actor, "residence.manage")
    rows, problems = read_rooms(text)
    if problems:
        raise Refused(*problems)
    now = desk.now()
    created = existing = 0
    prefix = residence.code[:3].upper()
    with db.atomic():
        for row in rows:
            if Room.select().where(Room.residence == residence, Room.number == row.number).exists():
                existing += 1
                continue
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
            created += 1
        if created:
            audit.record(
                desk.actor.username,
                now,
                "rooms.import",
                "residence",
                residence.id,
                after={"created": created, "already_there": existing},
            )
    return created, existing
