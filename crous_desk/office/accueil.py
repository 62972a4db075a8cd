"""Importing the "Accueil" list: the exchange students a university sends, and their stays.

Every row is checked before anything is written; a bad row is reported with its line number
and every reason. Nothing is imported while a row is bad, unless the caller chooses to import
the good rows only (and gets the rejected ones back to write out). A student is matched by INE
or by the home university's own student number, so importing the same file again changes
nothing: a known student's changed details are updated (audited), a stay already recorded is
left as it is.

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
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from crous_desk.base.dates import parse_day
from crous_desk.base.errors import Refused
from crous_desk.base.i18n import _
from crous_desk.desk import permissions
from crous_desk.rules.ine import parse_ine
from crous_desk.store import audit
from crous_desk.store import search_index as search
from crous_desk.store.models import Reservation, Staff, Student, db, snapshot

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
_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,31}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_YEAR = re.compile(r"(\d{4})-(\d{4})")
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_STUDENT_FIELDS = (
    "first_name",
    "last_name",
    "ine",
    "student_number",
    "email",
    "phone",
    "home_university",
    "campus",
    "academic_year",
    "semester",
)
MAX_TEXT = 120


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


@dataclass
class ImportResult:
    students_created: int = 0
    students_updated: int = 0
    stays_created: int = 0
    stays_updated: int = 0
    unchanged: int = 0
    rejected: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.students_created + self.students_updated + self.stays_created + self.stays_updated
        )


# -- reading and checking -----------------------------------------------------------------------


def read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise Refused(
            _("cannot read {path}: {error}").format(path=path, error=error.strerror or error)
        ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Refused(
            _("{path} is not UTF-8 text: save the list as CSV UTF-8").format(path=path)
        ) from None


def _normalise(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def check(text: str) -> Checked:
    """Read the CSV text and check every row (nothing is written)."""
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise Refused(_("the file is empty: line 1 must name the columns")) from None
    except csv.Error as error:
        raise Refused(_("line 1: {error}").format(error=error)) from None
    names = [_normalise(h) for h in header]
    problems = []
    unknown = [h for h, n in zip(header, names, strict=True) if n not in COLUMNS]
    if unknown:
        problems.append(
            _("unknown column(s): {names} (known: {known})").format(
                names=", ".join(repr(u) for u in unknown), known=", ".join(COLUMNS)
            )
        )
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        problems.append(_("missing column(s): {names}").format(names=", ".join(missing)))
    if "ine" not in names and "student_number" not in names:
        problems.append(_("a column ine or student_number is needed to recognise students"))
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        problems.append(_("column(s) named twice: {names}").format(names=", ".join(duplicated)))
    if problems:
        raise Refused(*[_("line 1: {problem}").format(problem=p) for p in problems])
    checked = Checked(header=list(header))
    seen_ine: dict[str, int] = {}
    seen_number: dict[tuple[str, str], int] = {}
    end = reader.line_num
    while True:
        start = end + 1
        try:
            raw = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            checked.bad.append(BadRow(start, (str(error),), ()))
            break
        end = reader.line_num
        if not any(cell.strip() for cell in raw):
            continue  # a blank line
        row, reasons = _check_row(start, names, raw)
        if row is not None:
            if row.ine and row.ine in seen_ine:
                reasons.append(
                    _("INE {ine} is also on line {line}").format(
                        ine=row.ine, line=seen_ine[row.ine]
                    )
                )
            key = (row.home_university, row.student_number or "")
            if row.student_number and key in seen_number:
                reasons.append(
                    _("student number {number} is also on line {line}").format(
                        number=row.student_number, line=seen_number[key]
                    )
                )
            reasons.extend(_conflicts(row))
        if reasons or row is None:
            checked.bad.append(BadRow(start, tuple(reasons), tuple(raw)))
            continue
        if row.ine:
            seen_ine[row.ine] = start
        if row.student_number:
            seen_number[(row.home_university, row.student_number)] = start
        checked.good.append(row)
    return checked


def _check_row(line: int, names: list[str], raw: list[str]) -> tuple[AccueilRow | None, list[str]]:
    reasons: list[str] = []
    if len(raw) != len(names):
        return None, [_("{n} fields where the header names {m}").format(n=len(raw), m=len(names))]
    values = {n: v.strip() for n, v in zip(names, raw, strict=True)}
    for name, value in values.items():
        if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in value):
            reasons.append(_("{column} holds control characters").format(column=name))
            values[name] = ""
        elif len(value) > MAX_TEXT:
            reasons.append(
                _("{column} is longer than {n} characters").format(column=name, n=MAX_TEXT)
            )
    for name in REQUIRED:
        if not values.get(name):
            reasons.append(_("{column} is empty").format(column=name))
    ine: str | None = None
    if values.get("ine"):
        try:
            ine = parse_ine(values["ine"])
        except ValueError as error:
            reasons.append(str(error))
    number = values.get("student_number") or None
    if number is not None and not _NUMBER.fullmatch(number):
        reasons.append(
            _("student number {number!r}: letters, digits, '.', '_', '/' or '-' only").format(
                number=number[:40]
            )
        )
    if not values.get("ine") and not number:
        reasons.append(_("give the INE or the student number"))
    email = values.get("email", "")
    if email and not _EMAIL.fullmatch(email):
        reasons.append(_("{email!r} is not an e-mail address").format(email=email[:40]))
    semester = 0
    text = values.get("semester", "").upper().removeprefix("S")
    if values.get("semester"):
        if text in ("1", "2"):
            semester = int(text)
        else:
            reasons.append(
                _("semester {value!r}: 1 (June procedure) or 2 (December)").format(
                    value=values["semester"][:10]
                )
            )
    year = values.get("academic_year", "")
    match = _YEAR.fullmatch(year)
    if year and (match is None or int(match.group(2)) != int(match.group(1)) + 1):
        reasons.append(_("academic year {value!r}: write it as 2026-2027").format(value=year[:20]))
    days: dict[str, date] = {}
    for name in ("arrival", "departure"):
        if values.get(name):
            try:
                days[name] = parse_day(values[name])
            except ValueError as error:
                reasons.append(f"{name}: {error}")
    if len(days) == 2 and days["departure"] <= days["arrival"]:
        reasons.append(_("the departure must come after the arrival"))
    if match is not None and int(match.group(2)) == int(match.group(1)) + 1:
        # a stay of that academic year: from the summer before it to the summer after it
        first, last = date(int(match.group(1)), 6, 1), date(int(match.group(2)), 9, 30)
        for name, day in days.items():
            if not first <= day <= last:
                reasons.append(
                    _("{name} {day} is outside the academic year {year}").format(
                        name=name, day=day.strftime("%d/%m/%Y"), year=year
                    )
                )
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
            academic_year=year,
            semester=semester,
            arrival=days["arrival"],
            departure=days["departure"],
        ),
        [],
    )


def _match(row: AccueilRow) -> tuple[Student | None, list[str]]:
    """The student this row is about, and why it cannot be told (conflicting identifiers)."""
    by_ine = Student.get_or_none(Student.ine == row.ine) if row.ine else None
    by_number = (
        Student.get_or_none(
            Student.home_university == row.home_university,
            Student.student_number == row.student_number,
        )
        if row.student_number
        else None
    )
    if by_ine is not None and by_number is not None and by_ine.id != by_number.id:
        return None, [
            _("INE {ine} and student number {number} belong to two different students").format(
                ine=row.ine, number=row.student_number
            )
        ]
    found = by_ine or by_number
    problems = []
    if found is not None:
        if row.ine and found.ine and found.ine != row.ine:
            problems.append(
                _("student number {number} is recorded with another INE ({ine})").format(
                    number=row.student_number, ine=found.ine
                )
            )
        if (
            row.student_number
            and found.student_number
            and found.student_number != row.student_number
        ):
            problems.append(
                _("INE {ine} is recorded with another student number ({number})").format(
                    ine=row.ine, number=found.student_number
                )
            )
    return found, problems


def _conflicts(row: AccueilRow) -> list[str]:
    return _match(row)[1]


# -- importing ----------------------------------------------------------------------------------


def _new_reference() -> str:
    while True:
        reference = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))
        if not Reservation.select().where(Reservation.reference == reference).exists():
            return reference


def apply(
    by: Staff,
    now: datetime,
    rows: Iterable[AccueilRow],
    *,
    progress: Callable[[int, int], None] | None = None,
    source: str = "",
) -> ImportResult:
    """Write the checked rows in one transaction (all of them, or none)."""
    permissions.require(by, "student.import")
    rows = list(rows)
    result = ImportResult()
    with db.atomic():
        for done, row in enumerate(rows, start=1):
            _apply_row(by, now, row, result, source)
            if progress is not None and (done % 50 == 0 or done == len(rows)):
                progress(done, len(rows))
    return result


def _apply_row(
    by: Staff, now: datetime, row: AccueilRow, result: ImportResult, source: str
) -> None:
    student, problems = _match(row)
    if problems:  # the file was checked; the database changed since: refuse it all
        raise Refused(
            _("line {line}: {reasons}").format(line=row.line, reasons="; ".join(problems))
        )
    wanted: dict[str, Any] = {
        "first_name": row.first_name,
        "last_name": row.last_name,
        "email": row.email,
        "phone": row.phone,
        "home_university": row.home_university,
        "campus": row.campus,
        "academic_year": row.academic_year,
        "semester": row.semester,
    }
    if row.ine:
        wanted["ine"] = row.ine
    if row.student_number:
        wanted["student_number"] = row.student_number
    student_changed = False
    student_existed = student is not None
    if student is None:
        student = Student.create(**wanted)
        audit.record(
            by.username,
            now,
            "student.import",
            "student",
            student.id,
            after={**snapshot(student, *_STUDENT_FIELDS), "source": source, "line": row.line},
        )
        result.students_created += 1
    else:
        changes = {k: v for k, v in wanted.items() if getattr(student, k) != v}
        if changes:
            before = {k: getattr(student, k) for k in changes}
            Student.update(**changes).where(Student.id == student.id).execute()
            student = Student.get_by_id(student.id)
            audit.record(
                by.username,
                now,
                "student.update",
                "student",
                student.id,
                before=before,
                after={**changes, "source": source, "line": row.line},
            )
            result.students_updated += 1
            student_changed = True
    stays = list(
        Reservation.select().where(Reservation.student == student).order_by(Reservation.id)
    )
    if student_changed:  # the name or INE the search finds
        for r in stays:
            search.index_reservation(r)
    same = [r for r in stays if r.lease_start == row.arrival]
    waiting = [r for r in stays if r.status == "requested"]
    target: Reservation | None = (same or waiting or [None])[0]  # type: ignore[list-item]
    if same and same[0].lease_end == row.departure:
        pass  # this stay is recorded already
    elif target is not None and target.status == "requested":
        before = snapshot(target, "lease_start", "lease_end")
        Reservation.update(lease_start=row.arrival, lease_end=row.departure).where(
            Reservation.id == target.id
        ).execute()
        target = Reservation.get_by_id(target.id)
        audit.record(
            by.username,
            now,
            "reservation.dates",
            "reservation",
            target.id,
            reservation=target,
            before=before,
            after={**snapshot(target, "lease_start", "lease_end"), "source": source},
        )
        result.stays_updated += 1
        return
    elif not stays:
        reservation = Reservation.create(
            reference=_new_reference(),
            student=student,
            lease_start=row.arrival,
            lease_end=row.departure,
            status="requested",
            created_at=now,
        )
        search.index_reservation(reservation)
        audit.record(
            by.username,
            now,
            "reservation.create",
            "reservation",
            reservation.id,
            reservation=reservation,
            after={
                **snapshot(reservation, "reference", "status", "lease_start", "lease_end"),
                "source": source,
                "line": row.line,
            },
        )
        result.stays_created += 1
        return
    # else: a stay under way (proposed, accepted, arrived…) that the list does not move
    if not student_changed and student_existed:
        result.unchanged += 1


def write_rejected(path: Path, checked: Checked) -> None:
    """The rejected rows as they were read, with their line and reasons, for correction."""
    from crous_desk.office.exports import write_csv

    width = len(checked.header)
    write_csv(
        path,
        ["line", "reasons", *checked.header],
        (
            [bad.line, "; ".join(bad.reasons), *(list(bad.raw) + [""] * width)[:width]]
            for bad in checked.bad
        ),
    )
