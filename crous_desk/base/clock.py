"""The one source of "now". Always aware; the desk reads it in its own zone (Europe/Paris)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware datetime (UTC)."""
        ...


class SystemClock:
    """The machine's clock, read in UTC so that the machine's own zone never matters."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that says what it is told; for tools and tests that do not use time-machine."""

    def __init__(self, at: datetime) -> None:
        require_aware(at)
        self.at = at

    def now(self) -> datetime:
        return self.at


def require_aware(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("a timezone-aware datetime is required, got a naive one")
    return at
