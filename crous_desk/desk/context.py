"""The desk: who works (the signed-in staff member), when (the one clock) and where (the
residence the desk is opened on, or every residence of the actor's scope)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta
from typing import Any, Concatenate, ParamSpec, TypeVar
from zoneinfo import ZoneInfo

from crous_desk.base.clock import Clock
from crous_desk.base.errors import Problem, Refused
from crous_desk.base.i18n import _
from crous_desk.desk import permissions
from crous_desk.rules.hours import DeskCalendar, DeskStatus, closures_from, desk_status
from crous_desk.store.models import Closure, Reservation, Residence, Room, Staff


def residence_calendar(residence: Residence | None) -> DeskCalendar:
    """The desk hours of ``residence``: its zone, opening hour and declared closures."""
    if residence is None:
        return DeskCalendar()
    rows = Closure.select().where(Closure.residence == residence)
    return calendar_of(
        residence.timezone, residence.opening, ((c.first, c.last, c.reason) for c in rows)
    )


def calendar_of(
    timezone: str, opening: str, closures: Iterable[tuple[date, date, str]]
) -> DeskCalendar:
    """The desk hours from a residence's stored zone, opening hour ("HH:MM") and closures."""
    hh, mm = (int(x) for x in opening.split(":"))
    return DeskCalendar(
        tz=ZoneInfo(timezone), opening=time(hh, mm), closures=closures_from(closures)
    )


# Within one reading (Desk.reading, in this thread): each residence's desk hours, read once.
_CALENDARS: ContextVar[dict[int | None, DeskCalendar] | None] = ContextVar(
    "crous_desk_calendars", default=None
)


class Desk:
    """The desk of one residence (or of every residence), operated by one staff member,
    reading one clock. Every action and every view takes it first."""

    def __init__(self, actor: Staff, clock: Clock, residence: Residence | None = None) -> None:
        self.actor = actor
        self.clock = clock
        self.residence = residence

    def now(self) -> datetime:
        return self.clock.now()

    @contextmanager
    def reading(self) -> Iterator[None]:
        """A screen's data read in one go: the account and each residence's desk hours are
        read once for all of it, not once per list and per row (a statement each, a round trip
        each on a server). A change made at a desk is read at the next reading."""
        if _CALENDARS.get() is not None:  # already inside one
            yield
            return
        token = _CALENDARS.set({})
        try:
            with permissions.one_reading():
                yield
        finally:
            _CALENDARS.reset(token)

    def calendar(self, residence: Residence | None = None) -> DeskCalendar:
        residence = residence or self.residence
        calendars = _CALENDARS.get()
        if calendars is None:
            return residence_calendar(residence)
        key = residence.id if residence is not None else None
        found = calendars.get(key)
        if found is None:
            found = calendars[key] = residence_calendar(residence)
        return found

    def today(self, residence: Residence | None = None) -> date:
        return self.now().astimezone(self.calendar(residence).tz).date()

    def desk_status(self, residence: Residence | None = None) -> DeskStatus:
        return desk_status(self.now(), self.calendar(residence))

    def day_bounds(
        self, first: date | None, last: date | None
    ) -> tuple[datetime | None, datetime | None]:
        """The instants that bound the local days ``first``..``last`` (inclusive) at the desk."""
        tz = self.calendar().tz
        start = datetime.combine(first, time(0), tzinfo=tz) if first else None
        end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz) if last else None
        return start, end

    def rooms_where(self) -> list[Any]:
        """The conditions on Room for what this desk lists: the residence it is opened on, and
        the actor's own residences (a desk built without a residence shows a receptionist of
        one residence that residence only)."""
        where: list[Any] = []
        if self.residence is not None:
            where.append(Room.residence == self.residence)
        account = permissions.residence_filter(self.actor)
        if account is not None:
            where.append(account)
        return where

    def reservation(self, reservation_id: int) -> Reservation:
        """The reservation, if this actor may see it (their residences, or their students)."""
        reservation = Reservation.get_or_none(Reservation.id == reservation_id)
        if reservation is None:
            raise Refused(Problem("not_found", _("no reservation #{id}").format(id=reservation_id)))
        permissions.require(self.actor, "reservation.view", reservation)
        return reservation


P = ParamSpec("P")
R = TypeVar("R")


def read_in_one_go(
    function: Callable[Concatenate[Desk, P], R],
) -> Callable[Concatenate[Desk, P], R]:
    """A service that reads what a screen shows, run in one :meth:`Desk.reading`."""

    @functools.wraps(function)
    def read(desk: Desk, *args: P.args, **kwargs: P.kwargs) -> R:
        with desk.reading():
            return function(desk, *args, **kwargs)

    return read
