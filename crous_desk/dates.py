"""Reading and writing days the way a French desk does: 22/11/2026 (ISO 2026-11-22 accepted)."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from .i18n import _


def parse_day(text: str) -> date:
    """A day from "dd/mm/yyyy", "dd/mm/yy", "dd.mm.yyyy" or "yyyy-mm-dd"; ValueError otherwise."""
    cleaned = text.strip()
    if not cleaned:
        raise ValueError(_("a date is required: type it as dd/mm/yyyy, e.g. 31/01/2027"))
    for fmt in ("%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
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
