"""One translation function for every text a user reads.

English is the source language; a catalogue ``locale/<lang>/LC_MESSAGES/crous_desk.mo`` shipped
in the package translates it. Until one exists, gettext falls back to the English text.
"""

from __future__ import annotations

import gettext as _gettext
from pathlib import Path

DOMAIN = "crous_desk"
LOCALE_DIR = Path(__file__).parent / "locale"

_translation: _gettext.NullTranslations = _gettext.NullTranslations()


def set_language(language: str | None) -> None:
    """Switch every later call of :func:`_` to ``language`` (e.g. "fr"); ``None`` means English."""
    global _translation
    languages = [language] if language else []
    _translation = _gettext.translation(DOMAIN, LOCALE_DIR, languages=languages, fallback=True)


def _(message: str) -> str:
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)
