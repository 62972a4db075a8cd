"""Importing the "Accueil" list: the exchange students a university sends, and their stays.

Every row is checked before anything is written (crous_desk.rules.accueil reads the columns);
a bad row is reported with its line number and every reason. Nothing is imported while a row
is bad, unless the caller chooses to import the good rows only (and gets the rejected ones back
to write out). A student is matched by INE or by the home university's own student number, so
importing the same file again changes nothing: a known student's changed details are updated
(audited), a stay already recorded is left as it is. The import is all or nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crous_desk.base.errors import Problem, Refused, code_of
from crous_desk.base.i18n import _
from crous_desk.desk import permissions
from crous_desk.desk.action import Act, action
from crous_desk.rules import accueil as rules
from crous_desk.rules.accueil import COLUMNS, MAX_TEXT, REQUIRED, AccueilRow, BadRow, Checked
from crous_desk.rules.status import ReservationStatus
from crous_desk.store import search_index as search
from crous_desk.store.models import Reservation, Student, snapshot

__all__ = [  # the list's columns and rows are rules (crous_desk.rules.accueil), read here too
    "COLUMNS",
    "MAX_TEXT",
    "REQUIRED",
    "AccueilRow",
    "BadRow",
    "Checked",
    "ImportResult",
    "apply",
    "check",
    "read_text",
    "write_rejected",
]

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
    "language",
    "timezone",
)


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
            Problem(
                "unreadable",
                _("cannot read {path}: {error}").format(path=path, error=error.strerror or error),
            )
        ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Refused(
            Problem(
                "not_utf8",
                _("{path} is not UTF-8 text: save the list as CSV UTF-8").format(path=path),
            )
        ) from None


def check(text: str) -> Checked:
    """Read the CSV text and check every row, against the students already recorded too
    (nothing is written)."""
    return rules.check(text, conflicts=lambda row: _match(row)[1])


def _match(row: AccueilRow) -> tuple[Student | None, list[str]]:
    """The student this row is about, and why it cannot be told (conflicting identifiers)."""
    by_ine = _student("ine = ?", row.ine) if row.ine else None
    by_number = (
        _student(
            "home_university = ? AND student_number = ?", row.home_university, row.student_number
        )
        if row.student_number
        else None
    )
    if by_ine is not None and by_number is not None and by_ine.id != by_number.id:
        return None, [
            Problem(
                "identifiers_conflict",
                _("INE {ine} and student number {number} belong to two different students").format(
                    ine=row.ine, number=row.student_number
                ),
            )
        ]
    found = by_ine or by_number
    problems: list[str] = []
    if found is not None:
        if row.ine and found.ine and found.ine != row.ine:
            problems.append(
                Problem(
                    "identifiers_conflict",
                    _("student number {number} is recorded with another INE ({ine})").format(
                        number=row.student_number, ine=found.ine
                    ),
                )
            )
        if (
            row.student_number
            and found.student_number
            and found.student_number != row.student_number
        ):
            problems.append(
                Problem(
                    "identifiers_conflict",
                    _("INE {ine} is recorded with another student number ({number})").format(
                        ine=row.ine, number=found.student_number
                    ),
                )
            )
    return found, problems


def _student(condition: str, *params: Any) -> Student | None:
    """The student a unique key names: plain SQL, as each row of a list of thousands is looked
    up three times (checked, planned, written) and a new student is the usual case."""
    param = Student._meta.database.param
    query = Student.raw(f"SELECT * FROM student WHERE {condition.replace('?', param)}", *params)
    return next(iter(query), None)


def _row_problem(row: AccueilRow, code: str, reasons: Iterable[str]) -> Problem:
    return Problem(
        code, _("line {line}: {reasons}").format(line=row.line, reasons="; ".join(reasons))
    )


def _scope_problem(act: Act, row: AccueilRow, student: Student | None) -> Problem | None:
    """A manager imports their own students only: the student as recorded (matched by INE or
    student number) and as the row would make them — a row may neither rewrite another
    office's student nor hand one of theirs over to another office."""
    targets = [Student(campus=row.campus, home_university=row.home_university)]
    if student is not None:
        targets.insert(0, student)
    for target in targets:
        problem = permissions.refusal(act.actor, act.needs, target)
        if problem:
            return _row_problem(row, "out_of_scope", [problem])
    return None


# -- importing ----------------------------------------------------------------------------------


@dataclass
class _Plan:
    """What importing one row does, read before writing it."""

    row: AccueilRow
    student: Student | None  # None: a new student
    wanted: dict[str, Any]  # the student's details, as the list gives them
    changes: dict[str, Any]  # those of a recorded student that differ
    move: Reservation | None  # a request not yet placed, whose dates change
    new_stay: bool

    @property
    def writes(self) -> bool:
        return self.student is None or bool(self.changes) or bool(self.move) or self.new_stay


def _plan(row: AccueilRow, student: Student | None) -> _Plan:
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
    if row.language:
        wanted["language"] = row.language
    if row.timezone:
        wanted["timezone"] = row.timezone
    if student is None:
        return _Plan(row, None, wanted, {}, None, new_stay=True)
    changes = {k: v for k, v in wanted.items() if getattr(student, k) != v}
    stays = list(
        Reservation.select().where(Reservation.student == student).order_by(Reservation.id)
    )
    same = [r for r in stays if r.lease_start == row.arrival]
    waiting = [r for r in stays if r.status == ReservationStatus.REQUESTED]
    target = (same or waiting)[0] if same or waiting else None
    move, new_stay = None, False
    if same and same[0].lease_end == row.departure:
        pass  # this stay is recorded already
    elif target is not None and target.status == ReservationStatus.REQUESTED:
        move = target
    elif not stays:
        new_stay = True
    # else: a stay under way (proposed, accepted, arrived…) that the list does not move
    return _Plan(row, student, wanted, changes, move, new_stay)


@action("student.import")
def apply(
    act: Act,
    rows: Iterable[AccueilRow],
    *,
    progress: Callable[[int, int], None] | None = None,
    source: str = "",
) -> ImportResult:
    """Write the checked rows, all of them or none."""
    rows = list(rows)
    plans = []
    for row in rows:
        student, problems = _match(row)
        if problems:  # the file was checked; the database changed since
            act.check(_row_problem(row, "identifiers_conflict", problems))
        else:
            act.check(_scope_problem(act, row, student))
            plans.append(_plan(row, student))
    result = ImportResult()
    if not act.refused and not any(plan.writes for plan in plans):
        result.unchanged = len(rows)
        return result
    with act.change():
        for done, row in enumerate(rows, start=1):
            # read again: an earlier row of the list may have changed what this one matches
            student, problems = _match(row)
            if problems:
                act.refuse(_row_problem(row, "identifiers_conflict", problems))
            out_of_scope = _scope_problem(act, row, student)  # what an earlier row changed
            if out_of_scope:
                act.refuse(out_of_scope)
            _carry_out(act, _plan(row, student), result, source)
            if progress is not None and (done % 50 == 0 or done == len(rows)):
                progress(done, len(rows))
    return result


def _carry_out(act: Act, plan: _Plan, result: ImportResult, source: str) -> None:
    row = plan.row
    student = plan.student
    if student is None:
        student = Student.create(**plan.wanted)
        act.audit(
            "student",
            student.id,
            after={**snapshot(student, *_STUDENT_FIELDS), "source": source, "line": row.line},
        )
        result.students_created += 1
    elif plan.changes:
        student = _update_student(act, row, student, plan.changes, source)
        result.students_updated += 1
        for stay in Reservation.select().where(Reservation.student == student):
            search.index_reservation(stay)  # the name or INE the search finds
    if plan.move is not None:
        _move_stay(act, row, plan.move, source)
        result.stays_updated += 1
    elif plan.new_stay:
        _new_stay(act, row, student, source)
        result.stays_created += 1
    elif plan.student is not None and not plan.changes:
        result.unchanged += 1


def _update_student(
    act: Act, row: AccueilRow, student: Student, changes: dict[str, Any], source: str
) -> Student:
    before = {k: getattr(student, k) for k in changes}
    updated = (
        Student.update(**changes)
        .where(Student.id == student.id, *(getattr(Student, k) == v for k, v in before.items()))
        .execute()
    )
    act.confirm(updated, _("line {line}: the student").format(line=row.line))
    act.audit(
        "student",
        student.id,
        before=before,
        after={**changes, "source": source, "line": row.line},
        action="student.update",
    )
    return Student.get_by_id(student.id)


def _move_stay(act: Act, row: AccueilRow, stay: Reservation, source: str) -> None:
    """New dates for a request not yet placed."""
    before = snapshot(stay, "lease_start", "lease_end")
    moved = (
        Reservation.update(lease_start=row.arrival, lease_end=row.departure)
        .where(Reservation.id == stay.id, Reservation.status == ReservationStatus.REQUESTED)
        .execute()
    )
    act.confirm(moved, _("reservation {ref}").format(ref=stay.reference))
    stay = Reservation.get_by_id(stay.id)
    act.audit(
        "reservation",
        stay.id,
        reservation=stay,
        before=before,
        after={**snapshot(stay, "lease_start", "lease_end"), "source": source},
        action="reservation.dates",
    )


def _new_stay(act: Act, row: AccueilRow, student: Student, source: str) -> None:
    """A request for the row's stay: a reservation to place, found by the search box."""
    reservation = Reservation.create(
        reference=_new_reference(),
        student=student,
        lease_start=row.arrival,
        lease_end=row.departure,
        status=ReservationStatus.REQUESTED,
        created_at=act.now,
    )
    search.index_reservation(reservation)
    act.audit(
        "reservation",
        reservation.id,
        reservation=reservation,
        after={
            **snapshot(reservation, "reference", "status", "lease_start", "lease_end"),
            "source": source,
            "line": row.line,
        },
        action="reservation.create",
    )


def _new_reference() -> str:
    while True:
        reference = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))
        if not Reservation.select().where(Reservation.reference == reference).exists():
            return reference


def write_rejected(path: Path, checked: Checked, *, replace: bool = False) -> None:
    """The rejected rows as they were read, with their line, the stable code of each reason
    (for a script) and the reasons in the user's language (for a person), for correction."""
    from crous_desk.office.exports import write_csv

    width = len(checked.header)
    write_csv(
        path,
        ["line", "codes", "reasons", *checked.header],
        replace=replace,
        rows=(
            [
                bad.line,
                " ".join(code_of(reason) for reason in bad.reasons),
                "; ".join(bad.reasons),
                *(list(bad.raw) + [""] * width)[:width],
            ]
            for bad in checked.bad
        ),
    )
