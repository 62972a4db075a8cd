"""Free text typed at the desk (a remark, a reason, a name) is data: never markup, never a
terminal escape, never a document."""

from __future__ import annotations

import unicodedata

from crous_desk.base.errors import Problem, Refused
from crous_desk.base.i18n import _

MAX_TEXT = 500  # a remark, a reason, a name: a few lines, never a document


def text_problem(text: str, what: str, *, required: bool = False) -> tuple[str, Problem | None]:
    """``text`` trimmed, and why it is refused (control characters, too long, or empty when
    required); the problem is None when the text is fine."""
    if any(ord(c) < 32 or 127 <= ord(c) < 160 or unicodedata.category(c) == "Cf" for c in text):
        return "", Problem(
            "text_control_characters",
            _("{what} cannot contain control or invisible formatting characters").format(what=what),
        )
    cleaned = text.strip()
    if len(cleaned) > MAX_TEXT:
        return "", Problem(
            "text_too_long",
            _("{what} is too long: {max} characters at most").format(what=what, max=MAX_TEXT),
        )
    if required and not cleaned:
        return "", Problem("text_required", _("{what} is required").format(what=what))
    return cleaned, None


def clean_text(text: str, what: str) -> str:
    """Free text as data: trimmed, or Refused if it holds control characters or is too long."""
    cleaned, problem = text_problem(text, what)
    if problem is not None:
        raise Refused(problem)
    return cleaned
