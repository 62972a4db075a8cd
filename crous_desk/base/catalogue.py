"""The French catalogue's workflow, in one command (Babel underneath)::

    python -m crous_desk.base.catalogue update   # extract every message, merge into the .po
    python -m crous_desk.base.catalogue check    # each untranslated message, with where it is
    python -m crous_desk.base.catalogue compile DIR   # the .mo files, as the wheel ships them

``update`` reads the sources (``crous_desk/``, ``screens/``, keywords ``_``, ``N_``,
``ngettext``), keeps every translation already made, marks new messages untranslated and old
ones obsolete. ``check`` is what tests/unit/test_catalogue.py runs: it names each message
without French (msgid and source line) and each translation whose placeholders ({name},
%s…) differ from the English. The same as a ``pybabel`` line: ``babel.cfg`` at the root.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from crous_desk.base.i18n import DOMAIN, LANGUAGES, LOCALE_DIR, SOURCE_LANGUAGE, compile_po

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("crous_desk", "screens", "data")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
METHODS = [("**.py", "python"), ("**.json", "crous_desk.base.catalogue:extract_labels")]
# the words of the reference data that a person reads (shown through _() where displayed)
LABEL_KEYS = {"label", "short", "checklist"}


def extract_labels(
    fileobj: Any, keywords: object, comment_tags: object, options: object
) -> Iterator[tuple[int, str, str, list[str]]]:
    """A Babel extraction method for data/*.json: every "label", "short" and checklist item."""
    text = fileobj.read().decode("utf-8")

    def walk(value: object) -> Iterator[str]:
        if isinstance(value, dict):
            for key, inner in value.items():
                if key in LABEL_KEYS and isinstance(inner, str):
                    yield inner
                elif key in LABEL_KEYS and isinstance(inner, list):
                    yield from (item for item in inner if isinstance(item, str))
                else:
                    yield from walk(inner)
        elif isinstance(value, list):
            for inner in value:
                yield from walk(inner)

    for label in dict.fromkeys(walk(json.loads(text))):
        line = next(
            (
                n
                for n, row in enumerate(text.splitlines(), 1)
                if json.dumps(label, ensure_ascii=False) in row
            ),
            1,
        )
        yield line, "_", label, []


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def translated_languages() -> list[str]:
    return [language for language in LANGUAGES if language != SOURCE_LANGUAGE]


def extract(root: Path = ROOT) -> Catalog:
    """Every message of the sources, with where each is used."""
    template = Catalog(project="crous-desk", domain=DOMAIN)
    for source in SOURCES:
        folder = root / source
        for filename, lineno, message, comments, context in extract_from_dir(
            folder,
            method_map=METHODS,
            keywords=KEYWORDS,
            comment_tags=("TRANSLATORS:",),
            strip_comment_tags=True,
        ):
            template.add(
                message,
                locations=[(f"{source}/{filename}", lineno)],
                auto_comments=comments,
                context=context,
                flags=("python-brace-format",) if _braces(message) else (),
            )
    return template


def _braces(message: str | tuple[str, ...]) -> bool:
    texts = message if isinstance(message, tuple) else (message,)
    return any(BRACE.search(text) for text in texts)


def read(language: str) -> Catalog:
    with po_path(language).open("rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


def write(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        # Sorted by message, locations without line numbers: a change elsewhere in a file, or two
        # branches adding messages, does not rewrite the whole catalogue.
        write_po(
            handle, catalog, width=100, sort_output=True, include_lineno=False, omit_header=False
        )


def update(root: Path = ROOT) -> dict[str, int]:
    """Merge the sources' messages into each .po; the count of messages without translation."""
    template = extract(root)
    missing: dict[str, int] = {}
    for language in translated_languages():
        path = po_path(language)
        if path.is_file():
            catalog = read(language)
        else:
            catalog = Catalog(locale=language, domain=DOMAIN, project="crous-desk")
        catalog.update(template, no_fuzzy_matching=True)
        _header(catalog, language)
        catalog.obsolete.clear()  # a message gone from the sources leaves the catalogue
        write(catalog, path)
        missing[language] = sum(1 for m in catalog if m.id and not _done(m))
    return missing


STABLE_DATE = datetime(2026, 1, 1, tzinfo=UTC)

# gettext's classic French rule (0 and 1 singular), not CLDR's three forms
PLURAL_FORMS = {"fr": "nplurals=2; plural=(n > 1);"}


def _header(catalog: Catalog, language: str) -> None:
    catalog.creation_date = STABLE_DATE  # no date churn in the header between updates
    catalog.fuzzy = False  # a fuzzy header is left out of the .mo, and its plural rule with it
    catalog.project, catalog.version = "crous-desk", "1"
    catalog.copyright_holder = "crous-desk"
    catalog.msgid_bugs_address = ""
    catalog.last_translator = "crous-desk"
    catalog.language_team = f"crous-desk {language}"
    if language in PLURAL_FORMS:
        catalog.mime_headers = [("Plural-Forms", PLURAL_FORMS[language])]


# -- checking -------------------------------------------------------------------------------

BRACE = re.compile(r"\{[^{}]*\}")
PERCENT = re.compile(r"%(?:\([a-z_]+\))?[-#0 +]*\d*(?:\.\d+)?[sdrif%]")


def placeholders(text: str) -> list[str]:
    """The parts of a message that the program fills in: {name}, {n}, %s, %(prog)s…"""
    return BRACE.findall(text) + [p for p in PERCENT.findall(text) if p != "%%"]


@dataclass(frozen=True)
class Fault:
    msgid: str
    where: str
    why: str

    def __str__(self) -> str:
        return f"{self.where}: {self.why}: {self.msgid!r}"


def _strings(message: Message) -> tuple[str, ...]:
    string = message.string
    return tuple(string) if isinstance(string, (tuple, list)) else (string or "",)


def _done(message: Message) -> bool:
    return not message.fuzzy and all(_strings(message))


def faults(catalog: Catalog, template: Catalog | None = None) -> Iterator[Fault]:
    """Each message of ``template`` (the sources) that ``catalog`` does not translate, and
    each translation that drops, adds or changes a placeholder."""
    template = template if template is not None else extract()
    for wanted in template:
        if not wanted.id:
            continue
        ids: tuple[str, ...] = (
            tuple(wanted.id) if isinstance(wanted.id, (tuple, list)) else (wanted.id,)
        )
        where = ", ".join(f"{file}:{line}" for file, line in wanted.locations)
        have = catalog.get(wanted.id, context=wanted.context)
        if have is None or not _done(have):
            yield Fault(
                ids[0], where, "no translation" if have is None or not have.fuzzy else "fuzzy"
            )
            continue
        strings = _strings(have)
        english = set(placeholders(ids[-1]))  # a plural's forms all say what the plural says
        for text in strings:
            if set(placeholders(text)) != english:
                yield Fault(
                    ids[0],
                    where,
                    f"placeholders {sorted(set(placeholders(text)))} instead of {sorted(english)}",
                )


def compile_all(out: Path) -> list[Path]:
    """Write ``<out>/<lang>/LC_MESSAGES/crous_desk.mo`` for each catalogue (the build's step)."""
    written = []
    for language in translated_languages():
        target = out / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(compile_po(po_path(language)))
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["update"]:
        for language, missing in update().items():
            print(f"{po_path(language).relative_to(ROOT)}: messages to translate: {missing}")
        return 0
    if args[:1] == ["check"]:
        found = [f for language in translated_languages() for f in faults(read(language))]
        for fault in found:
            print(fault)
        return 1 if found else 0
    if args[:1] == ["compile"] and len(args) == 2:
        for path in compile_all(Path(args[1])):
            print(path)
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
