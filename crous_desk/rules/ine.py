"""The INE, the national student number: 10 digits + 1 letter, or 9 digits + 2 letters."""

from __future__ import annotations

import re

from crous_desk.base.i18n import _

_SHAPE = re.compile(r"[0-9]{10}[A-Z]|[0-9]{9}[A-Z]{2}")


def parse_ine(text: str) -> str:
    """The normalised INE (upper case, no spaces, ASCII only), or ValueError saying the shape."""
    compact = "".join(str(text).split())
    candidate = compact.upper()
    # ASCII is checked before upper-casing: "ß".upper() is "SS", "ı".upper() is "I".
    if compact.isascii() and _SHAPE.fullmatch(candidate):
        return candidate
    shown = candidate if len(candidate) <= 20 else candidate[:20] + "…"
    raise ValueError(
        _(
            "{value!r} is not an INE: expected 10 digits and 1 letter (0123456789A) "
            "or 9 digits and 2 letters (012345678AB)"
        ).format(value=shown)
    )
