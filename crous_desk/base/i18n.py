"""One translation function for every text a user reads, and which language that is.

English is the source language. The French catalogue is ``locale/fr/LC_MESSAGES/crous_desk.po``
(committed); the wheel ships it compiled (``.mo``, made by the build, never committed). A source
checkout has no ``.mo``: the ``.po`` is then compiled in memory on first use, so the tests and
an editable install read the same words as an installed desk.

Texts fixed at import (key descriptions, the CLI's help, labels of reference data) are marked
with :func:`N_` so that Babel extracts them, and go through :func:`_` when they are shown.
"""

from __future__ import annotations

import gettext as _gettext
import io
import os
from collections.abc import Mapping
from pathlib import Path

DOMAIN = "crous_desk"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("en", "fr")  # English is the source; every other one has a catalogue
SOURCE_LANGUAGE = "en"

_translation: _gettext.NullTranslations = _gettext.NullTranslations()
_language = SOURCE_LANGUAGE
_loaded: dict[str, _gettext.NullTranslations] = {}


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it now (it is shown later)."""
    return message


def normalise_language(value: str | None) -> str | None:
    """ "fr", "FR", "fr_FR.UTF-8", "fr-CA" → "fr"; "en…" → "en"; anything else → None."""
    if not value:
        return None
    head = value.strip().lower().replace("-", "_").split(".")[0].split("@")[0].split("_")[0]
    return head if head in LANGUAGES else None


def language_from_environment(environ: Mapping[str, str] | None = None) -> str | None:
    """The language of the terminal's locale, read the way gettext does: the first of
    LC_ALL, LC_MESSAGES, LANG that is set decides ("C.UTF-8" and "POSIX" mean English)."""
    environ = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            return normalise_language(value) or SOURCE_LANGUAGE
    return None


def choose_language(*wishes: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The first wish that names a known language (strongest first: the account's own
    preference, --lang, CROUS_DESK_LANG, the configuration), else the locale, else English."""
    for wish in wishes:
        language = normalise_language(wish)
        if language:
            return language
    return language_from_environment(environ) or SOURCE_LANGUAGE


def set_language(language: str | None) -> None:
    """Switch every later call of :func:`_` to ``language`` ("fr"); ``None`` means English."""
    global _translation, _language
    language = normalise_language(language) or SOURCE_LANGUAGE
    _language = language
    _translation = catalogue(language)


def current_language() -> str:
    return _language


def catalogue(language: str) -> _gettext.NullTranslations:
    """The translations of ``language``: the compiled ``.mo`` when the build made one, else
    the committed ``.po`` compiled in memory; English (the source) translates nothing."""
    if language == SOURCE_LANGUAGE:
        return _gettext.NullTranslations()
    if language not in _loaded:
        folder = LOCALE_DIR / language / "LC_MESSAGES"
        mo, po = folder / f"{DOMAIN}.mo", folder / f"{DOMAIN}.po"
        if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
            with mo.open("rb") as handle:
                _loaded[language] = _gettext.GNUTranslations(handle)
        elif po.is_file():
            _loaded[language] = _gettext.GNUTranslations(io.BytesIO(compile_po(po)))
        else:  # an installation without this catalogue: English rather than a crash
            _loaded[language] = _gettext.NullTranslations()
    return _loaded[language]


def compile_po(po: Path) -> bytes:
    """The ``.mo`` bytes of a ``.po`` file (Babel; used by the build and by a source checkout)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        catalog = read_po(handle)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def _(message: str) -> str:
    return _translation.gettext(message) if message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` where English uses one word for two French ones ("missing": a document is
    "manquante", an item "manquant")."""
    return _translation.pgettext(context, message)
