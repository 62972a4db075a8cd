"""Free text typed at the desk (a remark, a reason, a name) is data: never markup, never a
terminal escape, never a document."""

from __future__ import annotations

import re
import unicodedata

from crous_desk.base.errors import Problem, Refused
from crous_desk.base.i18n import _

MAX_TEXT = 500  # a remark, a reason, a name: a few lines, never a document
SHOWN_INSTEAD = "\ufffd"  # what a hidden character shows as: visible, inert
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


def hidden(c: str) -> bool:
    """A character a terminal acts on or hides: a control (C0, DEL, C1, hence every escape
    sequence) or an invisible format character (bidi overrides, zero-width spaces)."""
    o = ord(c)
    return o < 32 or 127 <= o < 160 or (o > 255 and unicodedata.category(c) == "Cf")


def has_control(text: str) -> bool:
    """Whether ``text`` holds a character :func:`hidden` (refused in a name or a remark).

    Read for every name shown or imported: the controls by one search, and a character's
    category asked only above U+00FF (where the format characters are)."""
    if _CONTROLS.search(text) is not None:
        return True
    if text.isascii() or max(text) <= "\xff":
        return False
    return any(unicodedata.category(c) == "Cf" for c in text if c > "\xff")


def shown(text: str) -> str:
    """``text`` safe to show on a terminal, whatever the database holds: every hidden
    character (an escape sequence's ESC, an OSC 52 clipboard write, a bidi override) becomes
    a visible U+FFFD. Input refuses them; output never trusts that it did."""
    if not has_control(text):
        return text
    return "".join(SHOWN_INSTEAD if hidden(c) else c for c in text)


def text_problem(text: str, what: str, *, required: bool = False) -> tuple[str, Problem | None]:
    """``text`` trimmed, and why it is refused (control characters, too long, or empty when
    required); the problem is None when the text is fine."""
    if has_control(text):
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
