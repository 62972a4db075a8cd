"""Column types: instants are stored in UTC as fixed-width ISO text, and come back aware."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from peewee import Field

from crous_desk.base.clock import require_aware

_FORMAT = "%Y-%m-%dT%H:%M:%S.%f+00:00"


class InstantField(Field):
    """An aware instant. Naive datetimes are refused, so no zone is ever guessed."""

    field_type = "TEXT"

    def db_value(self, value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, str):  # already formatted (e.g. in a comparison against a column)
            return value
        require_aware(value)
        return value.astimezone(UTC).strftime(_FORMAT)

    def python_value(self, value: Any) -> datetime | None:
        if value is None or isinstance(value, datetime):
            return value
        return datetime.fromisoformat(value).astimezone(UTC)
