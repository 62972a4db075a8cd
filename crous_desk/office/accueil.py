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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from peewee import CharField, DateField, Field

from crous_desk.base.errors import Problem, Refused, code_of
from crous_desk.base.i18n import _
from crous_desk.base.text import has_control
from crous_desk.desk import permissions
from crous_desk.desk.action import Act, action
from crous_desk.rules import accueil as rules
from crous_desk.rules.accueil import COLUMNS, MAX_TEXT, REQUIRED, AccueilRow, BadRow, Checked
from crous_desk.rules.status import ReservationStatus
from crous_desk.store import audit, bulk
from crous_desk.store import search_index as search
from crous_desk.store.models import Reservation, Student, db

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

_ACTION = "student.import"
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
    (nothing is written): the students the list names are read in a few statements."""
    return rules.check(text, known=lambda rows: _Known(rows).conflicts)


@dataclass(eq=False)
class _Stay:
    """A stay of a student the list names, as recorded or as the import leaves it."""

    id: int | None  # None: a new stay, not written yet
    reference: str
    lease_start: date
    lease_end: date
    status: str


@dataclass(eq=False)
class _Person:
    """A student the list names, as recorded or as the import leaves them."""

    id: int | None  # None: a new student, not written yet
    values: dict[str, Any]  # _STUDENT_FIELDS
    stays: list[_Stay] = field(default_factory=list)  # oldest first


_IDENTIFIERS = ("ine", "student_number", "home_university")  # what a student is matched by
_STAY_COLUMNS = ("id", "student", "reference", "lease_start", "lease_end", "status")


def _read(
    model: type[Student | Reservation],
    names: Sequence[str],
    key: str,
    values: Sequence[Any],
    order: str | None = None,
) -> Iterator[list[Any]]:
    """The ``names`` of the rows whose ``key`` is one of ``values``, as the model reads them:
    plain statements of a few hundred values each, the texts checked once a row (one
    generated query per row, or per chunk, costs more than the reading)."""
    fields = [model._meta.fields[name] for name in names]  # type: ignore[attr-defined]
    readers = [field.python_value for field in fields]
    texts = [n for n, field in enumerate(fields) if isinstance(field, CharField)]
    others = [(n, _reader(field)) for n, field in enumerate(fields) if n not in texts]
    columns = ", ".join(field.column_name for field in fields)
    where = model._meta.fields[key].column_name  # type: ignore[attr-defined]
    for chunk in bulk.chunks(values):
        sql = (
            f"SELECT {columns} FROM {model._meta.table_name} "  # type: ignore[attr-defined]
            f"WHERE {where} IN ({bulk.placeholders(len(chunk))})"
            + (f" ORDER BY {order}" if order else "")
        )
        for found in db.execute_sql(sql, list(chunk)).fetchall():
            row = list(found)
            if has_control("".join(row[n] for n in texts if isinstance(row[n], str))):
                # a hidden character: read as the fields read (shown as U+FFFD)
                yield [read(value) for read, value in zip(readers, row, strict=True)]
                continue
            for n, read in others:  # the texts are read as they are
                row[n] = read(row[n])
            yield row


def _reader(field: Field) -> Callable[[Any], Any]:
    """How ``field`` reads a value: a day stored as ISO text without a format search."""
    if not isinstance(field, DateField):
        return field.python_value

    def day(value: Any) -> Any:
        if isinstance(value, str) and len(value) == 10:
            return date.fromisoformat(value)
        return field.python_value(value)

    return day


class _Known:
    """The students a list names (by INE, or by university and student number), read in a few
    statements, with their stays when asked; kept as the import plans each row, so that a row
    matches what the rows above it leave, as importing them one by one would."""

    def __init__(self, rows: Sequence[AccueilRow], *, stays: bool = False) -> None:
        """``stays``: every detail of the students and their stays too (to plan an import),
        not only their identifiers (to check a list)."""
        names = _STUDENT_FIELDS if stays else _IDENTIFIERS
        self.by_ine: dict[str, _Person] = {}
        self.by_number: dict[tuple[str, str], _Person] = {}
        found: dict[int, _Person] = {}
        ines = sorted({row.ine for row in rows if row.ine})
        numbers = sorted({row.student_number for row in rows if row.student_number})
        for column, values in (("ine", ines), ("student_number", numbers)):
            for student_id, *recorded in _read(Student, ("id", *names), column, values):
                if student_id not in found:
                    found[student_id] = _Person(student_id, dict(zip(names, recorded, strict=True)))
        for person in found.values():
            self.add(person)
        if stays:
            for stay_id, student_id, *stay in _read(
                Reservation, _STAY_COLUMNS, "student", sorted(found), order="id"
            ):
                found[student_id].stays.append(_Stay(stay_id, *stay))

    def add(self, person: _Person) -> None:
        """Find ``person`` by their identifiers from now on."""
        values = person.values
        if values["ine"]:
            self.by_ine[values["ine"]] = person
        if values["student_number"]:
            self.by_number[(values["home_university"], values["student_number"])] = person

    def change(self, person: _Person, changes: dict[str, Any]) -> None:
        values = person.values
        if self.by_ine.get(values["ine"]) is person:
            del self.by_ine[values["ine"]]
        number = (values["home_university"], values["student_number"])
        if self.by_number.get(number) is person:  # type: ignore[arg-type]
            del self.by_number[number]  # type: ignore[arg-type]
        values.update(changes)
        self.add(person)

    def match(self, row: AccueilRow) -> tuple[_Person | None, list[str]]:
        """The student this row is about, and why it cannot be told (conflicting identifiers)."""
        by_ine = self.by_ine.get(row.ine) if row.ine else None
        by_number = (
            self.by_number.get((row.home_university, row.student_number))
            if row.student_number
            else None
        )
        if by_ine is not None and by_number is not None and by_ine is not by_number:
            return None, [
                Problem(
                    "identifiers_conflict",
                    _(
                        "INE {ine} and student number {number} belong to two different students"
                    ).format(ine=row.ine, number=row.student_number),
                )
            ]
        found = by_ine or by_number
        problems: list[str] = []
        if found is not None:
            ine, number = found.values["ine"], found.values["student_number"]
            if row.ine and ine and ine != row.ine:
                problems.append(
                    Problem(
                        "identifiers_conflict",
                        _("student number {number} is recorded with another INE ({ine})").format(
                            number=row.student_number, ine=ine
                        ),
                    )
                )
            if row.student_number and number and number != row.student_number:
                problems.append(
                    Problem(
                        "identifiers_conflict",
                        _("INE {ine} is recorded with another student number ({number})").format(
                            ine=row.ine, number=number
                        ),
                    )
                )
        return found, problems

    def conflicts(self, row: AccueilRow) -> list[str]:
        return self.match(row)[1]


def _row_problem(row: AccueilRow, code: str, reasons: Iterable[str]) -> Problem:
    return Problem(
        code, _("line {line}: {reasons}").format(line=row.line, reasons="; ".join(reasons))
    )


def _scope_check(act: Act) -> Callable[[AccueilRow, _Person | None], Problem | None]:
    """A manager imports their own students only: the student as recorded (matched by INE or
    student number) and as the row would make them — a row may neither rewrite another
    office's student nor hand one of theirs over to another office. The account is read once
    for the whole list."""
    grant = permissions.grant_of(act.actor)
    account = permissions.refusal(act.actor, act.needs)

    def problem(row: AccueilRow, person: _Person | None) -> Problem | None:
        if account:
            return _row_problem(row, "out_of_scope", [account])
        if grant.administrator:
            return None
        targets = [Student(campus=row.campus, home_university=row.home_university)]
        if person is not None:
            targets.insert(0, Student(id=person.id, **person.values))
        for target in targets:
            refused = permissions.scope_problem(grant, target)
            if refused:
                return _row_problem(row, "out_of_scope", [refused])
        return None

    return problem


# -- importing ----------------------------------------------------------------------------------


@dataclass
class _Plan:
    """What importing one row does, read before writing it."""

    row: AccueilRow
    person: _Person | None  # None: a new student
    wanted: dict[str, Any]  # the student's details, as the list gives them
    changes: dict[str, Any]  # those of a recorded student that differ
    move: _Stay | None  # a request not yet placed, whose dates change
    new_stay: bool

    @property
    def writes(self) -> bool:
        return self.person is None or bool(self.changes) or bool(self.move) or self.new_stay


def _plan(row: AccueilRow, person: _Person | None) -> _Plan:
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
    if person is None:
        return _Plan(row, None, wanted, {}, None, new_stay=True)
    changes = {k: v for k, v in wanted.items() if person.values[k] != v}
    stays = person.stays
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
    return _Plan(row, person, wanted, changes, move, new_stay)


@dataclass
class _Audit:
    """An audit row of the import, written once the rows it names have their ids."""

    action: str
    about: _Person | _Stay
    before: dict[str, Any] | None
    after: dict[str, Any]
    reference: bool = False  # a new stay's: known once written

    def entry(self) -> audit.Entry:
        if isinstance(self.about, _Person):
            return audit.Entry(self.action, "student", self.about.id, None, self.before, self.after)
        stay = self.about
        after = {**self.after, "reference": stay.reference} if self.reference else self.after
        return audit.Entry(self.action, "reservation", stay.id, stay.id, self.before, after)


@dataclass
class _Writes:
    """Every change of an import, planned row by row, written together."""

    people: list[tuple[_Person, dict[str, Any]]] = field(default_factory=list)  # as created
    updates: list[tuple[AccueilRow, _Person, dict[str, Any], dict[str, Any]]] = field(
        default_factory=list
    )  # row, student, before, changes
    stays: list[tuple[_Person, _Stay, date, date]] = field(default_factory=list)  # as created
    moves: list[tuple[AccueilRow, _Stay]] = field(default_factory=list)
    audits: list[_Audit] = field(default_factory=list)  # in the order of the rows
    reindex: list[_Stay] = field(default_factory=list)  # whose words may have changed


@action(_ACTION)
def apply(
    act: Act,
    rows: Iterable[AccueilRow],
    *,
    progress: Callable[[int, int], None] | None = None,
    source: str = "",
) -> ImportResult:
    """Write the checked rows, all of them or none.

    The students the list names and their stays are read in a few statements, every row is
    planned against them (and against what the rows above it change), then the changes are
    written together: new rows by one statement per table, the audit rows in one go, the
    search index once per changed reservation."""
    rows = list(rows)
    known = _Known(rows, stays=True)
    out_of_scope = _scope_check(act)
    for row in rows:  # every row against what is recorded: every problem at once
        person, problems = known.match(row)
        if problems:  # the file was checked; the database changed since
            act.check(_row_problem(row, "identifiers_conflict", problems))
        else:
            act.check(out_of_scope(row, person))
    result = ImportResult()
    writes = _Writes()
    for done, row in enumerate(rows, start=1):
        if act.refused:
            break
        # again, as the rows above leave it: an earlier row may change what this one matches
        person, problems = known.match(row)
        if problems:
            act.check(_row_problem(row, "identifiers_conflict", problems))
        else:
            act.check(out_of_scope(row, person))
            _plan_row(known, _plan(row, person), writes, result, source)
        if progress is not None and done % 50 == 0 and done < len(rows):
            progress(done, len(rows))
    if not act.refused and not writes.audits:
        return ImportResult(unchanged=len(rows))
    with act.change():
        _write(act, writes)
    if progress is not None and rows:
        progress(len(rows), len(rows))
    return result


def _plan_row(
    known: _Known, plan: _Plan, writes: _Writes, result: ImportResult, source: str
) -> None:
    """Note what ``plan`` writes, and leave ``known`` as it would be after it."""
    row, person = plan.row, plan.person
    if person is None:
        person = _Person(None, {**Student(**plan.wanted).__data__})
        person.values = {name: person.values.get(name) for name in _STUDENT_FIELDS}
        writes.people.append((person, dict(person.values)))
        known.add(person)
        writes.audits.append(
            _Audit(_ACTION, person, None, {**person.values, "source": source, "line": row.line})
        )
        result.students_created += 1
    elif plan.changes:
        before = {k: person.values[k] for k in plan.changes}
        writes.updates.append((row, person, before, plan.changes))
        known.change(person, plan.changes)
        writes.audits.append(
            _Audit(
                "student.update",
                person,
                before,
                {**plan.changes, "source": source, "line": row.line},
            )
        )
        writes.reindex.extend(person.stays)  # the name or INE the search finds
        result.students_updated += 1
    if plan.move is not None:
        stay = plan.move
        writes.moves.append((row, stay))
        before = {
            "lease_start": stay.lease_start.isoformat(),
            "lease_end": stay.lease_end.isoformat(),
        }
        stay.lease_start, stay.lease_end = row.arrival, row.departure
        moved = {"lease_start": row.arrival.isoformat(), "lease_end": row.departure.isoformat()}
        writes.audits.append(_Audit("reservation.dates", stay, before, {**moved, "source": source}))
        result.stays_updated += 1
    elif plan.new_stay:
        stay = _Stay(None, "", row.arrival, row.departure, ReservationStatus.REQUESTED)
        person.stays.append(stay)
        writes.stays.append((person, stay, row.arrival, row.departure))
        writes.reindex.append(stay)
        after: dict[str, Any] = {
            "status": stay.status,
            "lease_start": row.arrival.isoformat(),
            "lease_end": row.departure.isoformat(),
            "source": source,
            "line": row.line,
        }
        writes.audits.append(_Audit("reservation.create", stay, None, after, reference=True))
        result.stays_created += 1
    elif plan.person is not None and not plan.changes:
        result.unchanged += 1


def _write(act: Act, writes: _Writes) -> None:
    """Write every change planned, then its audit rows and search words."""
    ids = bulk.new_ids(Student, len(writes.people))
    for (person, _created), student_id in zip(writes.people, ids, strict=True):
        person.id = student_id
    bulk.insert(Student, ({"id": p.id, **created} for p, created in writes.people))
    for row, person, before, changes in writes.updates:
        updated = (
            Student.update(**changes)
            .where(Student.id == person.id, *(getattr(Student, k) == v for k, v in before.items()))
            .execute()
        )
        act.confirm(updated, _("line {line}: the student").format(line=row.line))
    references = _new_references(len(writes.stays))
    ids = bulk.new_ids(Reservation, len(writes.stays))
    created = []
    for (person, stay, start, end), stay_id, reference in zip(
        writes.stays, ids, references, strict=True
    ):
        stay.id, stay.reference = stay_id, reference
        created.append(
            {
                "id": stay_id,
                "reference": reference,
                "student": person.id,
                "lease_start": start,
                "lease_end": end,
                "status": ReservationStatus.REQUESTED,
                "created_at": act.now,
            }
        )
    bulk.insert(Reservation, created)
    for row, stay in writes.moves:
        moved = (
            Reservation.update(lease_start=row.arrival, lease_end=row.departure)
            .where(Reservation.id == stay.id, Reservation.status == ReservationStatus.REQUESTED)
            .execute()
        )
        act.confirm(moved, _("reservation {ref}").format(ref=stay.reference))
    search.index_reservations([stay.id for stay in writes.reindex if stay.id is not None])
    act.audit_many([entry.entry() for entry in writes.audits])


def _new_references(n: int) -> list[str]:
    """``n`` references, each unlike the others and every recorded one."""
    made: dict[str, None] = {}
    while len(made) < n:
        drawn = [
            "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))
            for _ in range(n - len(made))
        ]
        taken = {found for (found,) in _read(Reservation, ("reference",), "reference", drawn)}
        made.update((reference, None) for reference in drawn if reference not in taken)
    return list(made)


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
