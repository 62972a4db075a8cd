"""Desk hours: Monday to Friday, from the opening hour until 17:00, in the residence's zone.

Closed on weekends, on public holidays (the ``holidays`` package, France) and on the closures a
residence declares. Whatever the machine's own zone, the rule is read in the residence's zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from crous_desk.base import formats
from crous_desk.base.clock import PARIS, require_aware
from crous_desk.base.dates import show_day
from crous_desk.base.errors import Problem
from crous_desk.base.i18n import _, current_language

CLOSING = time(17, 0)
DEFAULT_OPENING = time(9, 0)
_SEARCH_DAYS = 800  # a closure can be long; beyond two years something is wrong with the data


@dataclass(frozen=True)
class Closure:
    """A closure the residence declares: every day from ``first`` to ``last`` inclusive."""

    first: date
    last: date
    reason: str = ""

    def covers(self, day: date) -> bool:
        return self.first <= day <= self.last


@dataclass(frozen=True)
class DeskCalendar:
    """What decides whether a residence's desk is open: its zone, opening hour and closures."""

    tz: ZoneInfo = PARIS
    opening: time = DEFAULT_OPENING
    closures: tuple[Closure, ...] = field(default_factory=tuple)
    holiday_subdivision: str | None = None

    def __post_init__(self) -> None:
        if not self.opening < CLOSING:
            raise ValueError(_("the opening hour must be before 17:00"))

    def closed_reason(self, day: date) -> str | None:
        """Why the desk is closed all day on ``day``, or None when it is a working day."""
        if day.weekday() >= 5:
            return _("weekend")
        holiday = _public_holidays(day.year, self.holiday_subdivision).get(day)
        if holiday:
            return _("public holiday: {name}").format(name=holiday)
        for closure in self.closures:
            if closure.covers(day):
                return _("closure: {reason}").format(reason=closure.reason or _("declared"))
        return None

    def named_closure(self, day: date) -> str | None:
        """The public holiday or the declared closure that closes the desk on ``day``, named
        with its dates ("Friday 25 December 2026: public holiday, Christmas Day"); None on a
        working day, a weekend, or outside the hours of a working day."""
        if day.weekday() >= 5:
            return None
        holiday = _public_holidays(day.year, self.holiday_subdivision).get(day)
        if holiday:
            return _("{day}: public holiday, {name}").format(
                day=formats.long_day(day), name=holiday
            )
        for closure in self.closures:
            if closure.covers(day):
                return _("the residence's closure from {first} to {last}: {reason}").format(
                    first=show_day(closure.first),
                    last=show_day(closure.last),
                    reason=closure.reason or _("declared"),
                )
        return None

    def first_open_day(self, day: date) -> date:
        """``day`` itself if the desk opens that day, else the next day it does."""
        for offset in range(_SEARCH_DAYS):
            candidate = day + timedelta(days=offset)
            if self.closed_reason(candidate) is None:
                return candidate
        raise ValueError(_("the desk does not open in the next {n} days").format(n=_SEARCH_DAYS))

    def opens_at(self, day: date) -> datetime:
        return datetime.combine(day, self.opening, tzinfo=self.tz)

    def closes_at(self, day: date) -> datetime:
        return datetime.combine(day, CLOSING, tzinfo=self.tz)


def _public_holidays(year: int, subdivision: str | None) -> dict[date, str]:
    """France's public holidays of ``year``, named in the desk's language."""
    language = "fr" if current_language() == "fr" else "en_US"
    return _holidays_in(year, subdivision, language)


@cache
def _holidays_in(year: int, subdivision: str | None, language: str) -> dict[date, str]:
    return dict(_france()(years=year, subdiv=subdivision, language=language))


@cache
def _france() -> Any:
    """``holidays.France``, loaded when a day is first asked about, and alone: the package's
    own loader imports ``holidays.countries``, which imports every country of the world
    (300 modules, 0.1 s and 8 MiB at the desk's start) before it gives France."""
    import importlib.util
    import sys

    import holidays

    loaded = sys.modules.get("holidays.countries.france")
    if loaded is not None:
        return loaded.France
    path = Path(holidays.__file__).parent / "countries" / "france.py"
    spec = importlib.util.spec_from_file_location("holidays.countries.france", path)
    if spec is None or spec.loader is None:  # pragma: no cover - a holidays without France
        return holidays.France
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.France


@dataclass(frozen=True)
class DeskStatus:
    """The desk at one instant: open (and when it closes) or closed (and when it opens next)."""

    at: datetime
    is_open: bool
    closes_at: datetime | None = None
    next_open: datetime | None = None
    reason: str | None = None
    closure: str | None = None  # the holiday or declared closure, named (``named_closure``)


def desk_status(at: datetime, calendar: DeskCalendar | None = None) -> DeskStatus:
    """Is the desk open at ``at`` (any aware zone)? When closed, when does it next open?"""
    require_aware(at)
    cal = calendar or DeskCalendar()
    local = at.astimezone(cal.tz)
    day = local.date()
    reason = cal.closed_reason(day)
    if reason is None and cal.opens_at(day) <= local < cal.closes_at(day):
        return DeskStatus(at=local, is_open=True, closes_at=cal.closes_at(day))
    if reason is None:
        reason = _("before opening") if local < cal.opens_at(day) else _("after 17:00")
    return DeskStatus(
        at=local,
        is_open=False,
        next_open=_next_open(local, cal),
        reason=reason,
        closure=cal.named_closure(day),
    )


def _next_open(local: datetime, cal: DeskCalendar) -> datetime:
    day = local.date()
    if cal.closed_reason(day) is None and local < cal.opens_at(day):
        return cal.opens_at(day)
    return cal.opens_at(cal.first_open_day(day + timedelta(days=1)))


def is_working_day(day: date, calendar: DeskCalendar | None = None) -> bool:
    return (calendar or DeskCalendar()).closed_reason(day) is None


def closures_from(rows: Iterable[tuple[date, date, str]]) -> tuple[Closure, ...]:
    return tuple(Closure(first, last, reason) for first, last, reason in rows)


def describe_status(status: DeskStatus) -> str:
    """One line for the header: "Desk open — closes in 2 h 05", "Desk closed — opens Mon 09:00"."""
    if status.is_open and status.closes_at is not None:
        left = status.closes_at - status.at
        return _("Desk open — closes in {left}").format(left=format_duration(left))
    assert status.next_open is not None
    nxt = status.next_open
    if nxt.date() == status.at.date():
        when = _("today {hhmm}").format(hhmm=nxt.strftime("%H:%M"))
    elif nxt.date() == status.at.date() + timedelta(days=1):
        when = _("tomorrow {hhmm}").format(hhmm=nxt.strftime("%H:%M"))
    elif nxt.date() - status.at.date() < timedelta(days=7):
        when = f"{weekday_name(nxt.date())} {nxt:%H:%M}"
    else:
        when = f"{weekday_name(nxt.date())} {nxt:%d/%m %H:%M}"
    return _("Desk closed — opens {when}").format(when=when)


def closed_because(status: DeskStatus) -> str:
    """Why a refusal found the desk closed, and when it opens: the status line, after the
    holiday or closure that closes it when there is one ("Friday 25 December 2026: public
    holiday, Christmas Day · Desk closed — opens Monday 09:00")."""
    if status.closure:
        return f"{status.closure} · {describe_status(status)}"
    return describe_status(status)


def closed_problem(status: DeskStatus, sentence: str) -> Problem:
    """The one refusal of work bound to the desk while it is closed (``desk_closed``):
    ``sentence`` says what is done only at the desk; ``{status}`` in it receives
    :func:`closed_because`."""
    return Problem("desk_closed", sentence.format(status=closed_because(status)))


def weekday_name(day: date) -> str:
    """ "Tuesday", "mardi": Babel's names, whatever locales the machine has."""
    return formats.weekday(day)


def format_duration(delta: timedelta) -> str:
    """A short human duration: "3 d 4 h", "2 h 05", "12 min"; negative durations as "0 min"."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("{d} d {h} h").format(d=days, h=hours)
    if hours:
        return _("{h} h {m:02d}").format(h=hours, m=mins)
    return _("{m} min").format(m=mins)
