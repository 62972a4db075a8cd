"""Reading the "Accueil" list (CSV): the header, then every row checked on its own and against
the rows above it. Plain rules on text: what the database already holds is asked through
``conflicts`` (see crous_desk.office.accueil, which imports the rows).

Columns (header on line 1, any order, case and spaces ignored; ``;`` or ``,`` separated)::

    student_number  the home university's number (required when there is no INE)
    ine             the national student number, 11 characters (optional)
    last_name, first_name                                   (required)
    email, phone                                            (optional)
    home_university                                         (required)
    campus                                                  (optional)
    academic_year   e.g. 2026-2027                          (required)
    semester        1 (procedure at the end of June) or 2 (December)   (required)
    arrival, departure   the stay, dd/mm/yyyy or yyyy-mm-dd (required; departure after arrival)
    language        fr or en: the language of the student's e-mails (optional; both when unknown)
    timezone        the student's zone, e.g. America/Montreal: deadlines shown in it (optional)
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from crous_desk.base.dates import parse_day
from crous_desk.base.errors import Problem, Refused
from crous_desk.base.i18n import _, ngettext
from crous_desk.base.text import has_control
from crous_desk.rules.ine import parse_ine

COLUMNS = (
    "student_number",
    "ine",
    "last_name",
    "first_name",
    "email",
    "phone",
    "home_university",
    "campus",
    "academic_year",
    "semester",
    "arrival",
    "departure",
    "language",
    "timezone",
)
REQUIRED = (
    "last_name",
    "first_name",
    "home_university",
    "academic_year",
    "semester",
    "arrival",
    "departure",
)
MAX_TEXT = 120
_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,31}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_YEAR = re.compile(r"(\d{4})-(\d{4})")


@dataclass(frozen=True)
class AccueilRow:
    line: int
    student_number: str | None
    ine: str | None
    first_name: str
    last_name: str
    email: str
    phone: str
    home_university: str
    campus: str
    academic_year: str
    semester: int
    arrival: date
    departure: date
    language: str | None = None  # None: not given (what is recorded stays)
    timezone: str | None = None


LANGUAGES = {"fr": "fr", "français": "fr", "francais": "fr", "en": "en", "english": "en"}


def _language_and_zone(values: dict[str, str], reasons: list[str]) -> tuple[str | None, str | None]:
    """The student's language (fr or en) and zone (an IANA name), when the row gives them."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    language = zone = None
    if values.get("language"):
        language = LANGUAGES.get(values["language"].lower())
        if language is None:
            reasons.append(
                Problem(
                    "language_invalid",
                    _("language {value!r}: fr or en").format(value=values["language"][:20]),
                )
            )
    if values.get("timezone"):
        try:
            zone = ZoneInfo(values["timezone"]).key
        except (ZoneInfoNotFoundError, ValueError):
            reasons.append(
                Problem(
                    "timezone_invalid",
                    _("time zone {value!r}: a name such as America/Montreal").format(
                        value=values["timezone"][:40]
                    ),
                )
            )
    return language, zone


@dataclass(frozen=True)
class BadRow:
    line: int
    reasons: tuple[str, ...]
    raw: tuple[str, ...]  # the row as read, to write it out again

    def describe(self) -> str:
        return _("line {line}: {reasons}").format(line=self.line, reasons="; ".join(self.reasons))


@dataclass
class Checked:
    header: list[str]
    good: list[AccueilRow] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)


Conflicts = Callable[[AccueilRow], list[str]]


def _no_conflicts(row: AccueilRow) -> list[str]:
    return []


def _normalise(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def _header_problems(header: list[str], names: list[str]) -> list[str]:
    problems = []
    unknown = [h for h, n in zip(header, names, strict=True) if n not in COLUMNS]
    if unknown:
        problems.append(
            ngettext(
                "unknown column: {names} (known: {known})",
                "unknown columns: {names} (known: {known})",
                len(unknown),
            ).format(names=", ".join(repr(u) for u in unknown), known=", ".join(COLUMNS))
        )
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        problems.append(
            ngettext("missing column: {names}", "missing columns: {names}", len(missing)).format(
                names=", ".join(missing)
            )
        )
    if "ine" not in names and "student_number" not in names:
        problems.append(
            Problem(
                "identifier_column_missing",
                _("a column ine or student_number is needed to recognise students"),
            )
        )
    counts = Counter(names)  # not names.count() per column: 100,000 columns stay instant
    duplicated = sorted(n for n, count in counts.items() if count > 1)
    if duplicated:
        problems.append(
            ngettext(
                "column named twice: {names}", "columns named twice: {names}", len(duplicated)
            ).format(names=", ".join(duplicated))
        )
    return [Problem("accueil_header", _("line 1: {problem}").format(problem=p)) for p in problems]


def check(
    text: str,
    conflicts: Conflicts = _no_conflicts,
    *,
    known: Callable[[list[AccueilRow]], Conflicts] | None = None,
) -> Checked:
    """Read the CSV text and check every row (nothing is written); ``conflicts`` tells why a
    row cannot be told apart from the students already recorded. ``known``, given every row
    read at once, gives that ``conflicts`` (one look-up for the whole list, not one a row)."""
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise Refused(
            Problem("accueil_empty", _("the file is empty: line 1 must name the columns"))
        ) from None
    except csv.Error as error:
        raise Refused(Problem("accueil_csv", _("line 1: {error}").format(error=error))) from None
    names = [_normalise(h) for h in header]
    problems = _header_problems(header, names)
    if problems:
        raise Refused(*problems)
    read: list[tuple[int, list[str], AccueilRow | None, list[str]]] = []
    unreadable: BadRow | None = None
    end = reader.line_num
    while True:
        start = end + 1
        try:
            raw = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            unreadable = BadRow(start, (Problem("accueil_csv", str(error)),), ())
            break
        end = reader.line_num
        if not any(cell.strip() for cell in raw):
            continue  # a blank line
        read.append((start, raw, *check_row(start, names, raw)))
    if known is not None:
        conflicts = known([row for _start, _raw, row, _reasons in read if row is not None])
    checked = Checked(header=list(header))
    seen_ine: dict[str, int] = {}
    seen_number: dict[tuple[str, str], int] = {}
    for start, raw, row, reasons in read:
        if row is not None:
            if row.ine and row.ine in seen_ine:
                reasons.append(
                    Problem(
                        "ine_twice",
                        _("INE {ine} is also on line {line}").format(
                            ine=row.ine, line=seen_ine[row.ine]
                        ),
                    )
                )
            key = (row.home_university, row.student_number or "")
            if row.student_number and key in seen_number:
                reasons.append(
                    Problem(
                        "student_number_twice",
                        _("student number {number} is also on line {line}").format(
                            number=row.student_number, line=seen_number[key]
                        ),
                    )
                )
            reasons.extend(conflicts(row))
        if reasons or row is None:
            checked.bad.append(BadRow(start, tuple(reasons), tuple(raw)))
            continue
        if row.ine:
            seen_ine[row.ine] = start
        if row.student_number:
            seen_number[(row.home_university, row.student_number)] = start
        checked.good.append(row)
    if unreadable is not None:
        checked.bad.append(unreadable)
    return checked


def _text_problems(values: dict[str, str]) -> list[str]:
    """Control characters and overlong cells (such a cell is emptied), then empty required ones."""
    reasons: list[str] = []
    clean = not has_control("".join(values.values()))  # the usual row: one look at all cells
    for name, value in values.items():
        if not clean and has_control(value):  # escapes, bidi overrides, zero-width spaces
            reasons.append(
                Problem(
                    "text_control_characters",
                    _("{column} holds control characters").format(column=name),
                )
            )
            values[name] = ""
        elif len(value) > MAX_TEXT:
            reasons.append(
                Problem(
                    "text_too_long",
                    _("{column} is longer than {n} characters").format(column=name, n=MAX_TEXT),
                )
            )
    for name in REQUIRED:
        if not values.get(name):
            reasons.append(Problem("text_required", _("{column} is empty").format(column=name)))
    return reasons


def _identity(values: dict[str, str], reasons: list[str]) -> tuple[str | None, str | None, str]:
    """The INE, the student number and the e-mail, with why any of them is refused."""
    ine: str | None = None
    if values.get("ine"):
        try:
            ine = parse_ine(values["ine"])
        except ValueError as error:
            reasons.append(Problem("ine_invalid", str(error)))
    number = values.get("student_number") or None
    if number is not None and not _NUMBER.fullmatch(number):
        reasons.append(
            Problem(
                "student_number_invalid",
                _("student number {number!r}: letters, digits, '.', '_', '/' or '-' only").format(
                    number=number[:40]
                ),
            )
        )
    if not values.get("ine") and not number:
        reasons.append(Problem("identifier_required", _("give the INE or the student number")))
    email = values.get("email", "")
    if email and not _EMAIL.fullmatch(email):
        reasons.append(
            Problem(
                "email_invalid", _("{email!r} is not an e-mail address").format(email=email[:40])
            )
        )
    return ine, number, email


def _semester(values: dict[str, str], reasons: list[str]) -> int:
    text = values.get("semester", "").upper().removeprefix("S")
    if not values.get("semester"):
        return 0
    if text in ("1", "2"):
        return int(text)
    reasons.append(
        Problem(
            "semester_invalid",
            _("semester {value!r}: 1 (June procedure) or 2 (December)").format(
                value=values["semester"][:10]
            ),
        )
    )
    return 0


def _stay(values: dict[str, str], reasons: list[str]) -> dict[str, date]:
    """The arrival and departure days, within the row's academic year."""
    year = values.get("academic_year", "")
    match = _YEAR.fullmatch(year)
    sound_year = match is not None and int(match.group(2)) == int(match.group(1)) + 1
    if year and not sound_year:
        reasons.append(
            Problem(
                "academic_year_invalid",
                _("academic year {value!r}: write it as 2026-2027").format(value=year[:20]),
            )
        )
    days: dict[str, date] = {}
    for name in ("arrival", "departure"):
        if values.get(name):
            try:
                days[name] = parse_day(values[name])
            except ValueError as error:
                reasons.append(Problem("date_invalid", f"{name}: {error}"))
    if len(days) == 2 and days["departure"] <= days["arrival"]:
        reasons.append(
            Problem("departure_before_arrival", _("the departure must come after the arrival"))
        )
    if match is not None and sound_year:
        # a stay of that academic year: from the summer before it to the summer after it
        first, last = date(int(match.group(1)), 6, 1), date(int(match.group(2)), 9, 30)
        for name, day in days.items():
            if not first <= day <= last:
                reasons.append(
                    Problem(
                        "outside_academic_year",
                        _("{name} {day} is outside the academic year {year}").format(
                            name=name, day=day.strftime("%d/%m/%Y"), year=year
                        ),
                    )
                )
    return days


def check_row(line: int, names: list[str], raw: list[str]) -> tuple[AccueilRow | None, list[str]]:
    """One row as read under the header ``names``: the row, or every reason it is refused."""
    if len(raw) != len(names):
        return None, [
            Problem(
                "row_width",
                _("{n} fields where the header names {m}").format(n=len(raw), m=len(names)),
            )
        ]
    values = {n: v.strip() for n, v in zip(names, raw, strict=True)}
    reasons = _text_problems(values)
    ine, number, email = _identity(values, reasons)
    semester = _semester(values, reasons)
    days = _stay(values, reasons)
    language, zone = _language_and_zone(values, reasons)
    if reasons:
        return None, reasons
    return (
        AccueilRow(
            line=line,
            student_number=number,
            ine=ine,
            first_name=values["first_name"],
            last_name=values["last_name"],
            email=email,
            phone=values.get("phone", ""),
            home_university=values["home_university"],
            campus=values.get("campus", ""),
            academic_year=values.get("academic_year", ""),
            semester=semester,
            arrival=days["arrival"],
            departure=days["departure"],
            language=language,
            timezone=zone,
        ),
        [],
    )
