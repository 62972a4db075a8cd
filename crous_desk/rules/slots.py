"""Arrival slots, without a database: a slot starts on the grid of the desk's day (every
``minutes`` from the opening hour) and ends by 17:00, on a day the desk is open (no weekend,
public holiday or declared closure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from crous_desk.base.clock import require_aware
from crous_desk.base.errors import Problem
from crous_desk.base.formats import long_day
from crous_desk.base.i18n import _, ngettext
from crous_desk.rules.hours import CLOSING, DeskCalendar, weekday_name
from crous_desk.rules.rental_file import fmt

if TYPE_CHECKING:
    from crous_desk.base.config import Config


@dataclass(frozen=True)
class SlotPolicy:
    """How long a slot lasts and how many students the desk receives in one."""

    minutes: int = 30
    capacity: int = 2

    def __post_init__(self) -> None:
        if self.minutes <= 0 or self.capacity <= 0:
            raise ValueError(_("slot length and capacity must be positive"))

    @classmethod
    def from_config(cls, config: Config) -> SlotPolicy:
        return cls(minutes=config.slot_minutes, capacity=config.slot_capacity)

    @property
    def length(self) -> timedelta:
        return timedelta(minutes=self.minutes)


@dataclass(frozen=True)
class Slot:
    """One slot, as aware datetimes in the residence's zone."""

    start: datetime
    end: datetime

    @property
    def label(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

    def describe(self) -> str:
        """ "Monday 23/11/2026 10:00–10:30"."""
        day = self.start.date()
        return f"{weekday_name(day)} {fmt(day)} {self.label}"


def slot_at(start: datetime, calendar: DeskCalendar, policy: SlotPolicy) -> Slot:
    require_aware(start)
    local = start.astimezone(calendar.tz)
    return Slot(local, local + policy.length)


def day_slots(day: date, calendar: DeskCalendar, policy: SlotPolicy) -> list[Slot]:
    """Every slot of ``day``; none when the desk is closed that day."""
    if calendar.closed_reason(day) is not None:
        return []
    slots = []
    start, close = calendar.opens_at(day), calendar.closes_at(day)
    while start + policy.length <= close:
        slots.append(Slot(start, start + policy.length))
        start += policy.length
    return slots


def slot_problems(start: datetime, calendar: DeskCalendar, policy: SlotPolicy) -> list[str]:
    """Why a slot starting at ``start`` is not a slot of the desk (empty when it is one)."""
    slot = slot_at(start, calendar, policy)
    day = slot.start.date()
    reason = calendar.closed_reason(day)
    if reason is not None:
        return [
            Problem(
                "desk_closed_that_day",
                _("the desk is closed on {day} ({reason})").format(
                    day=long_day(day), reason=reason
                ),
            )
        ]
    problems: list[str] = []
    opens, closes = calendar.opens_at(day), calendar.closes_at(day)
    opening = f"{calendar.opening:%H:%M}"
    if slot.start < opens:
        problems.append(
            Problem(
                "before_opening",
                _("{hhmm} is before the desk opens at {opening}").format(
                    hhmm=f"{slot.start:%H:%M}", opening=opening
                ),
            )
        )
    if slot.end > closes:
        problems.append(
            Problem(
                "after_closing",
                _(
                    "a {n}-minute slot at {hhmm} ends at {end}, after the desk closes at {closing}"
                ).format(
                    n=policy.minutes,
                    hhmm=f"{slot.start:%H:%M}",
                    end=f"{slot.end:%H:%M}",
                    closing=f"{CLOSING:%H:%M}",
                ),
            )
        )
    if slot.start >= opens and (slot.start - opens) % policy.length:
        problems.append(
            Problem(
                "off_the_grid",
                ngettext(
                    "{hhmm} is not the start of a slot: slots start every minute from {opening}",
                    "{hhmm} is not the start of a slot: slots start every {n} minutes from "
                    "{opening}",
                    policy.minutes,
                ).format(hhmm=f"{slot.start:%H:%M}", n=policy.minutes, opening=opening),
            )
        )
    return problems
