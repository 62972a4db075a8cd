"""The command line in the desk's language: which language (decided before the parser is
built, so ``--help`` is translated too) and argparse's own words.

argparse translates its words ("usage: ", "options", "the following arguments are
required: %s"…) through the module-level ``argparse._`` and ``argparse.ngettext`` (gettext's
global domain, which a source checkout without a compiled catalogue cannot serve): while the
parser works, :func:`argparse_speaks` points them at the desk's catalogue, then puts them back.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from crous_desk.base.i18n import LANGUAGES, N_, _, choose_language, ngettext

# argparse's words that a desk user can meet (Python 3.11–3.13), extracted for the catalogue
ARGPARSE_TEXTS = (
    N_("usage: "),
    N_("options"),
    N_("positional arguments"),
    N_("show this help message and exit"),
    N_("show program's version number and exit"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("not allowed with argument %s"),
    N_("one of the arguments %s is required"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("ignored explicit argument %r"),
    N_("unexpected option string: %s"),
)


def language_option(argv: Sequence[str]) -> str | None:
    """The value of ``--lang`` in ``argv``, read before the parser (which it translates)."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def command_line_language(argv: Sequence[str], configured: str | None = None) -> str:
    """--lang, else CROUS_DESK_LANG, else the configuration, else the locale, else English."""
    return choose_language(language_option(argv), os.environ.get("CROUS_DESK_LANG"), configured)


def add_language_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=argparse.SUPPRESS,
        help=_(
            "the language of the desk: fr or en (default: CROUS_DESK_LANG, the configuration, "
            "then the terminal's locale: LC_ALL, LC_MESSAGES, LANG)"
        ),
    )


@contextmanager
def argparse_speaks() -> Iterator[None]:
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = _, ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]
