"""Reading and writing days the way a French desk does: 22/11/2026 (ISO 2026-11-22 accepted)."""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo

from crous_desk.base.i18n import _

# The days a desk deals with: far enough for any stay or ID, near enough that adding a day
# or a zone to one can never leave the calendar (year 9999 + 1 day raises OverflowError).
FIRST_YEAR, LAST_YEAR = 1900, 2199
_USUAL_DAY = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4})")


def plausible(day: date) -> date:
    """``day`` itself, or ValueError when it lies outside the years a desk deals with."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(
            _("{day} is out of range: a date between {first} and {last}").format(
                day=f"{day.day:02d}/{day.month:02d}/{day.year:04d}",
                first=FIRST_YEAR,
                last=LAST_YEAR,
            )
        )
    return day


def parse_iso_day(text: str) -> date:
    """A day written YYYY-MM-DD (the command line's way), within the plausible years."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            _("{text!r} is not a date: write it as YYYY-MM-DD").format(text=text[:20])
        ) from None
    return plausible(day)


def parse_day(text: str) -> date:
    """A day from "dd/mm/yyyy", "dd/mm/yy", "dd.mm.yyyy" or "yyyy-mm-dd"; ValueError otherwise."""
    cleaned = text.strip()
    if not cleaned:
        raise ValueError(_("a date is required: type it as dd/mm/yyyy, e.g. 31/01/2027"))
    usual = _USUAL_DAY.fullmatch(cleaned)  # "31/01/2027", as lists write it: no strptime
    if usual is not None:
        try:
            day = date(int(usual[3]), int(usual[2]), int(usual[1]))
        except ValueError:
            pass  # not a day: the formats below say why
        else:
            return plausible(day)
    for fmt in ("%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            day = datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
        return plausible(day)
    raise ValueError(
        _("{text!r} is not a date: type it as dd/mm/yyyy, e.g. 31/01/2027").format(
            text=cleaned[:20]
        )
    )


def show_day(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


def parse_instant(day_text: str, time_text: str, tz: tzinfo) -> datetime:
    """An aware instant from a day ("dd/mm/yyyy") and a local time ("HH:MM") in ``tz``."""
    day = parse_day(day_text)
    try:
        clock = datetime.strptime(time_text.strip(), "%H:%M").time()
    except ValueError:
        raise ValueError(
            _("{text!r} is not a time: type it as HH:MM, e.g. 14:30").format(text=time_text[:10])
        ) from None
    return datetime.combine(day, clock, tzinfo=tz)
