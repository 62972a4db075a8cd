"""Days, times and amounts written in the desk's language, through Babel's own data: a desk
machine often has only the C.UTF-8 locale, so nothing here asks the system (no ``%a``, no
``locale.setlocale``).

French: "mardi 1 décembre 2026", "mar. 01/12", "14:30", "1 234,50 €".
English: "Tuesday 1 December 2026", "Tue 01/12", "14:30", "1234.50 €".
The short day stays dd/mm/yyyy in both: it is how the desk writes and types a date.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

from crous_desk.base.i18n import current_language

if TYPE_CHECKING:
    from babel import Locale

# the region that fixes the number and date conventions of each interface language
_LOCALES = {"fr": "fr_FR", "en": "en_GB"}

# Babel's short day names ("EEE") of each interface language, Monday first, held to Babel's
# data by a test: the desk's header shows one from the first frame, and Babel's data for a
# language costs 20 ms and 4 MiB to load, paid when a day is first written in full.
SHORT_DAYS = {
    "fr": ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}


@lru_cache(maxsize=4)
def _locale(language: str) -> Locale:
    from babel import Locale

    return Locale.parse(_LOCALES.get(language, "en_GB"))


def locale() -> Locale:
    return _locale(current_language())


def format_date(day: date, pattern: str) -> str:
    """``day`` written with a CLDR ``pattern`` in the desk's language, by Babel."""
    from babel.dates import format_date as babel_format_date

    return babel_format_date(day, pattern, locale=locale())


def long_day(day: date) -> str:
    """ "mardi 1 décembre 2026" — a day in full, as on a letter or a slip."""
    return format_date(day, "EEEE d MMMM y")


def weekday_day(day: date) -> str:
    """ "mar. 01/12" — a day in a list, short enough for 80 columns."""
    names = SHORT_DAYS.get(current_language())
    if names is None:  # pragma: no cover - every interface language has its names
        return format_date(day, "EEE dd/MM")
    return f"{names[day.weekday()]} {day:%d/%m}"


def weekday(day: date) -> str:
    """ "mardi" / "Tuesday"."""
    return format_date(day, "EEEE")


def clock(at: datetime | time) -> str:
    """ "14:30": the desk counts in 24 hours in both languages."""
    return f"{at:%H:%M}"


def weekday_clock(at: datetime) -> str:
    """ "mar. 01/12 14:30"."""
    return f"{weekday_day(at.date())} {clock(at)}"


def money(cents: int) -> str:
    """12345 → "123,45 €" and 123456 → "1 234,56 €" in French; "123.45 €" in English (the
    desk's English, as it always wrote amounts)."""
    if current_language() == "en":
        sign = "-" if cents < 0 else ""
        whole, part = divmod(abs(cents), 100)
        return f"{sign}{whole}.{part:02d} €"
    from babel.numbers import format_currency

    return format_currency(Decimal(cents) / 100, "EUR", locale=locale())


def number(value: int) -> str:
    """1234 → "1 234" (French) or "1,234"."""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=locale())
