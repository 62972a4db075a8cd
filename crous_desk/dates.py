"""Reading and writing days the way a French desk does: 22/11/2026 (ISO 2026-11-22 accepted)."""

from __future__ import annotations

from datetime import date, datetime

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
