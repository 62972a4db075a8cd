"""Column types: instants are stored in UTC, as fixed-width ISO text in an SQLite file and as
``timestamptz`` on PostgreSQL, and come back aware (in UTC)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from peewee import CharField, Field, TextField

from crous_desk.base.clock import require_aware
from crous_desk.base.text import shown

_FORMAT = "%Y-%m-%dT%H:%M:%S.%f+00:00"


class InstantField(Field):
    """An aware instant. Naive datetimes are refused, so no zone is ever guessed."""

    field_type = "TEXT"

    def db_value(self, value: Any) -> str | None:
        # The same text on both: PostgreSQL reads it as a timestamptz (psycopg sends a str
        # untyped), and the audit chain hashes it (crous_desk.store.audit).
        if value is None:
            return None
        if isinstance(value, str):  # already formatted (e.g. in a comparison against a column)
            return value
        require_aware(value)
        return value.astimezone(UTC).strftime(_FORMAT)

    def python_value(self, value: Any) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, datetime):  # a timestamptz column
            return value.astimezone(UTC)
        return datetime.fromisoformat(value).astimezone(UTC)


class ShownCharField(CharField):
    """Text typed by people (a name, an address), read back safe for a terminal: a control,
    an escape or a bidi override that reached the file some other way shows as U+FFFD."""

    def python_value(self, value: Any) -> Any:
        value = super().python_value(value)
        return shown(value) if isinstance(value, str) else value


class ShownTextField(TextField):
    """A longer :class:`ShownCharField` (a remark, a reason)."""

    def python_value(self, value: Any) -> Any:
        value = super().python_value(value)
        return shown(value) if isinstance(value, str) else value


def instant_text(value: datetime | str) -> str:
    """An instant as the fixed-width UTC text an SQLite file stores (and the audit chain
    hashes), whichever column it was read from."""
    if isinstance(value, str):
        return value
    require_aware(value)
    return value.astimezone(UTC).strftime(_FORMAT)
