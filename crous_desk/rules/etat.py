"""The état des lieux as French rental practice has it, without a database.

Décret 2016-382 sets what one holds: the parties, the date, the meter readings where the room
has its own meters, the keys handed over by kind and number, the state of each element (here:
a remark is required for an element damaged or missing), and at exit the tenant's new address.
Loi 89-462 (art. 3-2) lets the tenant have it completed within ten days of check-in, and the
heating items during the first month of the heating season: here a dated amendment, never an
edit. The meters, keys and heating items per room kind are in data/etat_des_lieux.json.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from crous_desk.base.errors import Problem
from crous_desk.base.i18n import _, ngettext
from crous_desk.rules.reference import _load
from crous_desk.rules.status import Condition

NEEDS_REMARK = (Condition.DAMAGED, Condition.MISSING)
MAX_KEYS = 20
_READING = re.compile(r"^\d{1,9}([.,]\d{1,3})?$")


@dataclass(frozen=True)
class Meter:
    code: str
    label: str
    unit: str


@dataclass(frozen=True)
class KeyKind:
    code: str
    label: str


@cache
def _data() -> Any:
    return _load("etat_des_lieux.json")


def meters() -> dict[str, Meter]:
    return {m["code"]: Meter(m["code"], m["label"], m["unit"]) for m in _data()["meters"]}


def key_kinds() -> dict[str, KeyKind]:
    return {k["code"]: KeyKind(k["code"], k["label"]) for k in _data()["keys"]}


def heating_items() -> frozenset[str]:
    return frozenset(_data()["heating_items"])


def default_amendment_days() -> int:
    return int(_data()["amendment_days"])


def default_heating_start() -> str:
    return str(_data()["heating_season_starts"])


def meters_of(room_kind: str, room_meters: str | None) -> tuple[str, ...]:
    """The meters a room has: its own list when set ("" for none), else its kind's."""
    if room_meters is not None:
        return tuple(code for code in room_meters.split(",") if code.strip())
    kinds: Mapping[str, list[str]] = _data()["kind_meters"]
    return tuple(kinds.get(room_kind, ()))


def keys_of(room_kind: str) -> dict[str, int]:
    """The keys handed over with a room of this kind, by kind (the desk may change each)."""
    kinds: Mapping[str, dict[str, int]] = _data()["kind_keys"]
    return dict(kinds.get(room_kind, {"room_key": 1}))


def meter_list_problem(text: str) -> tuple[str | None, Problem | None]:
    """ "electricity, water_cold" → "electricity,water_cold"; "-" or "" → "" (no meters)."""
    codes = [c.strip() for c in text.split(",") if c.strip() and c.strip() != "-"]
    unknown = [c for c in codes if c not in meters()]
    if unknown:
        return None, Problem(
            "unknown_meter",
            _("unknown meter {meter!r}: choose among {meters}").format(
                meter=unknown[0], meters=", ".join(meters())
            ),
        )
    return ",".join(dict.fromkeys(codes)), None


def reading_problem(meter: str, allowed: Sequence[str], text: str) -> tuple[str, Problem | None]:
    """A meter index as read off the dial: digits, with up to three decimals."""
    cleaned = text.strip().replace(" ", "")
    if meter not in allowed:
        return cleaned, Problem(
            "no_such_meter",
            _("this room has no {meter} of its own").format(
                meter=_(meters()[meter].label) if meter in meters() else repr(meter)
            ),
        )
    if not _READING.match(cleaned):
        return cleaned, Problem(
            "reading_invalid",
            _("{text!r} is not a meter reading: type the digits on the dial, e.g. 012345.6").format(
                text=text[:20]
            ),
        )
    return cleaned.replace(",", "."), None


def key_count_problem(kind: str, count: int) -> Problem | None:
    if kind not in key_kinds():
        return Problem(
            "unknown_key_kind",
            _("unknown kind of key {kind!r}: choose among {kinds}").format(
                kind=kind, kinds=", ".join(key_kinds())
            ),
        )
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_KEYS:
        return Problem(
            "key_count_invalid",
            _("a number of keys is between 0 and {max}").format(max=MAX_KEYS),
        )
    return None


@dataclass(frozen=True)
class Element:
    label: str
    state: str | None
    remark: str


def acknowledgement_problems(
    elements: Iterable[Element],
    meters_needed: Sequence[str],
    readings: Mapping[str, str],
    keys: Mapping[str, int],
    *,
    check_out: bool,
    forwarding_address: str | None,
) -> list[Problem]:
    """What the état des lieux still lacks before the tenant acknowledges it (the states
    themselves are checked by the inspection)."""
    found = []
    bare = [_(e.label) for e in elements if e.state in NEEDS_REMARK and not e.remark.strip()]
    if bare:
        shown = ", ".join(bare[:3]) + ("…" if len(bare) > 3 else "")
        found.append(
            Problem(
                "remark_required",
                ngettext(
                    "a damaged or missing element needs a remark: {items}",
                    "damaged or missing elements need a remark: {items}",
                    len(bare),
                ).format(items=shown),
            )
        )
    unread = [_(meters()[m].label) for m in meters_needed if m in meters() and m not in readings]
    if unread:
        found.append(
            Problem(
                "meter_unread",
                _("read the meters first: {meters}").format(meters=", ".join(unread)),
            )
        )
    if not any(count > 0 for count in keys.values()):
        found.append(Problem("no_keys_counted", _("count the keys handed over (kind and number)")))
    if check_out and not (forwarding_address or "").strip():
        found.append(
            Problem("no_forwarding_address", _("ask the tenant for their new address (check-out)"))
        )
    return found


# -- the window to complete it -------------------------------------------------------------------


def _start_in(year: int, mmdd: str) -> date:
    month, day = (int(p) for p in mmdd.split("-"))
    return date(year, month, day)


def heating_start_problem(mmdd: str) -> Problem | None:
    try:
        _start_in(2027, mmdd)  # not a leap year: 02-29 is refused
    except ValueError:
        return Problem(
            "heating_start_invalid",
            _("the heating season starts on a day written MM-DD, e.g. 10-01"),
        )
    return None


def heating_month(check_in_day: date, mmdd: str) -> tuple[date, date]:
    """The first month of the heating season that the tenant lives through: the season under
    way when it began less than a month before check-in, else the next one."""
    for year in (check_in_day.year - 1, check_in_day.year, check_in_day.year + 1):
        start = _start_in(year, mmdd)
        end = _add_month(start)
        if end > check_in_day:
            return start, end
    raise AssertionError("unreachable")  # pragma: no cover


def _add_month(day: date) -> date:
    month = day.month % 12 + 1
    year = day.year + (day.month == 12)
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass(frozen=True)
class Window:
    """Until when the tenant may have the check-in completed (end excluded, Paris time)."""

    ends_at: datetime  # the general window: N days after the check-in
    heating_from: datetime
    heating_until: datetime  # the heating items: the first month of the heating season

    def open_for(self, at: datetime, heating: bool) -> bool:
        if at < self.ends_at:
            return True
        return heating and self.heating_from <= at < self.heating_until

    def end_for(self, heating: bool) -> datetime:
        return max(self.ends_at, self.heating_until) if heating else self.ends_at


def window(acknowledged_at: datetime, days: int, heating_start: str, tz: ZoneInfo) -> Window:
    """N days after the check-in, to the end of that day in the residence's zone."""
    local = acknowledged_at.astimezone(tz).date()
    ends = datetime.combine(local + timedelta(days=days + 1), time(0), tzinfo=tz)
    first, last = heating_month(local, heating_start)
    return Window(
        ends_at=ends,
        heating_from=datetime.combine(first, time(0), tzinfo=tz),
        heating_until=datetime.combine(last, time(0), tzinfo=tz),
    )


def window_problem(win: Window, at: datetime, heating: bool, show: str) -> Problem | None:
    """``show``: the window's end as the desk writes it."""
    if win.open_for(at, heating):
        return None
    return Problem(
        "amendment_window_closed",
        _(
            "the window to complete the check-in closed on {end}: it can no longer be amended"
        ).format(end=show),
    )


def amendment_days_problem(days: int) -> Problem | None:
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 60:
        return Problem(
            "amendment_days_invalid", _("the window to complete a check-in is 0 to 60 days")
        )
    return None
