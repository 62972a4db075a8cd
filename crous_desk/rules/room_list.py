"""Reading a residence's list of rooms (CSV): number, building, floor, kind, surface, rent and
how many key sets, every bad row reported with every reason. Plain rules on text."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from crous_desk.base.errors import Problem
from crous_desk.base.i18n import _

ROOM_COLUMNS = ("number", "building", "floor", "kind", "surface_m2", "rent_eur", "key_sets")
_ROOM = re.compile(r"[A-Z0-9][A-Z0-9-]{0,15}")


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


class _Unreadable(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem


def _lines(reader: Iterator[list[str]]) -> Iterator[list[str]]:
    """The rows, or the line the csv module cannot read as a refusal (never csv.Error)."""
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise _Unreadable(
                Problem(
                    "rooms_csv",
                    _("line {n}: {error}").format(n=line, error=error),
                )
            ) from None
        line += 1
        yield row


def read_rooms(text: str) -> tuple[list[RoomRow], list[str]]:
    """The rooms of a CSV (``;`` or ``,``), and every bad row as "line N: reasons"."""
    sample = text[:2000]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    # newline="": the csv module reads every line ending itself (a lone CR included)
    reader = _lines(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter))
    rows: list[RoomRow] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    try:
        header = next(reader, None)
    except _Unreadable as error:
        return [], [error.problem]
    if header is None or tuple(h.strip().lower() for h in header) != ROOM_COLUMNS:
        return [], [
            Problem(
                "rooms_header",
                _("line 1: the header must be {columns}").format(
                    columns=delimiter.join(ROOM_COLUMNS)
                ),
            )
        ]
    try:
        numbered = list(enumerate(reader, start=2))
    except _Unreadable as error:
        return [], [error.problem]
    for line, values in numbered:
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(ROOM_COLUMNS):
            problems.append(
                Problem(
                    "row_width",
                    _("line {n}: {got} fields where the header names {want}").format(
                        n=line, got=len(values), want=len(ROOM_COLUMNS)
                    ),
                )
            )
            continue
        v = dict(zip(ROOM_COLUMNS, (x.strip() for x in values), strict=True))
        number = v["number"].upper()
        reasons = []
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
        row = _room(line, number, v, reasons)
        if row is None:
            problems.append(
                Problem(
                    "room_invalid",
                    _("line {n}: {reasons}").format(n=line, reasons="; ".join(reasons)),
                )
            )
        else:
            rows.append(row)
    return rows, problems


def _room(line: int, number: str, v: dict[str, str], reasons: list[str]) -> RoomRow | None:
    """The room of a row whose number is checked, or None with every reason in ``reasons``."""
    from crous_desk.rules.reference import room_kinds  # the shipped tables: not for --help

    kind = room_kinds().get(v["kind"])
    if kind is None:
        reasons.append(
            _("kind {k!r}: one of {kinds}").format(k=v["kind"][:20], kinds=", ".join(room_kinds()))
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
        reasons.append(_("surface {s!r}: square metres, 5 to 300").format(s=v["surface_m2"][:10]))
    if kind is not None and surface is not None and surface < kind.min_m2:
        reasons.append(
            _("{m2:g} m² is under the {min} m² minimum for a {kind}").format(
                m2=surface, min=kind.min_m2, kind=_(kind.label)
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
    if reasons:
        return None
    assert floor is not None and surface is not None and rent is not None and sets
    building = v["building"] or number.split("-")[0]
    return RoomRow(line, number, building[:20], floor, v["kind"], surface, rent, sets)
