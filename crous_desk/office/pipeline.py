"""The mobility manager's pipeline: each of their students from the "Accueil" form to departure.

form received → INE recorded → proposal sent (120 hours to answer) → accepted and paid /
refused / expired → rental file complete → arrived → departed. Students come by academic year
and semester (first semester: procedure at the end of June; second: in December). Only the
students in the actor's scope (campuses, home universities) are ever read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from peewee import JOIN, SQL, Case, Select, Value, fn

from crous_desk import rooms as tenancy
from crous_desk.base.errors import Problem
from crous_desk.base.i18n import _
from crous_desk.desk import permissions
from crous_desk.desk.action import Act, action
from crous_desk.desk.context import Desk, read_in_one_go
from crous_desk.rooms import ExtensionRow
from crous_desk.rules.ine import parse_ine
from crous_desk.rules.pipeline import (
    STEPS,
    Step,
    academic_year_of,
    step_label,
    step_of,
    step_short,
)
from crous_desk.rules.proposal import (
    PROPOSAL_WINDOW,
    effective_status,
    proposal_deadline,
    time_left,
)
from crous_desk.rules.reference import required_documents
from crous_desk.rules.rental_file import DocumentFacts, file_problems
from crous_desk.rules.status import ExtensionStatus, ReservationStatus
from crous_desk.store import search_index as search
from crous_desk.store.models import (
    Document,
    ExtensionRequest,
    Reservation,
    Residence,
    Room,
    Student,
    tuples,
)

__all__ = [  # the pipeline's steps are rules (crous_desk.rules.pipeline), read here too
    "DEADLINE_HORIZON",
    "PAGE",
    "STEPS",
    "Pipeline",
    "PipelineRow",
    "Step",
    "academic_year_of",
    "academic_years",
    "default_year",
    "pending_extensions",
    "pipeline",
    "record_ine",
    "search_key",
    "step_label",
    "step_of",
    "step_short",
]

DEADLINE_HORIZON = timedelta(hours=24)


@dataclass(frozen=True)
class PipelineRow:
    reservation_id: int
    reference: str
    student_id: int
    name: str
    ine: str
    student_number: str
    university: str
    campus: str
    academic_year: str
    semester: int
    status: str  # effective
    step: Step
    deadline: datetime | None  # the proposal's, while it is open
    time_left: timedelta | None
    residence: str
    room: str
    lease_start: date
    lease_end: date
    paid_by: str
    file_problems: tuple[str, ...]
    pending_extension: date | None


@dataclass
class Pipeline:
    now: datetime
    year: str | None
    semester: int | None
    rows: list[PipelineRow] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    due_soon: list[PipelineRow] = field(default_factory=list)  # deadlines within 24 h
    years: list[str] = field(default_factory=list)
    total: int = 0  # the rows of the step shown (every step: all of them), over every page
    offset: int = 0  # where ``rows`` starts among them


def _visible_students(desk: Desk):  # type: ignore[no-untyped-def]
    condition = permissions.student_filter(desk.actor)
    query = Student.select()
    return query.where(condition) if condition is not None else query


def academic_years(desk: Desk) -> list[str]:
    """The years the actor has students in, the latest first: the distinct years walked along
    their index in one statement, then one statement asking which of them the actor has
    students in (not a read of every student ever)."""
    every = [
        str(year)
        for (year,) in Reservation._meta.database.execute_sql(_YEARS).fetchall()
        if year is not None
    ]
    condition = permissions.student_filter(desk.actor)
    if condition is not None and every:
        mine = Select(
            columns=[
                fn.EXISTS(Student.select(Value(1)).where(Student.academic_year == year, condition))
                for year in every
            ]
        )
        (found,) = tuples(mine.bind(Reservation._meta.database))
        every = [year for year, has in zip(every, found, strict=True) if has]
    return sorted(every, reverse=True)


_YEARS = (  # each distinct year by one index seek (a skip scan)
    "WITH RECURSIVE years(year) AS ("
    " SELECT MIN(academic_year) FROM student"
    " UNION ALL"
    " SELECT (SELECT MIN(academic_year) FROM student WHERE academic_year > years.year)"
    " FROM years WHERE years.year IS NOT NULL"
    ") SELECT year FROM years"
)


def default_year(desk: Desk) -> str | None:
    years = academic_years(desk)
    current = academic_year_of(desk.today())
    if current in years or not years:
        return current if years else None
    return years[0]


PAGE = 200  # rows a screen reads at once: the counts cover every student, the rows one page


def _joined(*columns: Any) -> Any:
    return (
        Reservation.select(*columns)
        .join(Student)
        .switch(Reservation)
        .join(Room, JOIN.LEFT_OUTER)
        .join(Residence, JOIN.LEFT_OUTER)
    )


def _conditions(desk: Desk, year: str | None, semester: int | None) -> list[Any]:
    """The actor's students of ``year`` and ``semester``, as conditions on Student."""
    condition = permissions.student_filter(desk.actor)
    conditions = [condition] if condition is not None else []
    if year:
        conditions.append(Student.academic_year == year)
    if semester in (1, 2):
        conditions.append(Student.semester == semester)
    return conditions or [Student.id.is_null(False)]


def _base(desk: Desk, year: str | None, semester: int | None, *columns: Any) -> Any:
    """The actor's reservations (of ``year`` and ``semester``) as a select of ``columns``."""
    return _joined(*columns).where(*_conditions(desk, year, semester))


def _by_ids(ids: list[int]) -> list[Any]:
    """These reservations' rows (already in the actor's scope), in the order given."""
    found: dict[int, Any] = {}
    for chunk in _chunks(ids):
        query = _joined(*_columns()).where(Reservation.id.in_(chunk))
        found.update((r.id, r) for r in query.namedtuples())
    return [found[i] for i in ids if i in found]


def _columns() -> tuple[Any, ...]:
    return (
        Reservation.id,
        Reservation.reference,
        Reservation.status,
        Reservation.proposal_sent_at,
        Reservation.lease_start,
        Reservation.lease_end,
        Reservation.paid_by_name,
        Student.id.alias("student_id"),
        Student.first_name,
        Student.last_name,
        Student.ine,
        Student.student_number,
        Student.home_university,
        Student.campus,
        Student.academic_year,
        Student.semester,
        Room.number.alias("room"),
        Residence.name.alias("residence"),
    )


def _ordered(query: Any) -> Any:
    return query.order_by(Student.last_name, Student.first_name, Reservation.id)


def _has_ine() -> Any:
    return fn.COALESCE(Student.ine, "") != ""


def _step_where(step: str, now: datetime) -> Any:
    """The SQL condition of a step (accepted and file complete: every accepted reservation,
    the rental file sorts them)."""
    cutoff = now - PROPOSAL_WINDOW
    status = Reservation.status
    sent = Reservation.proposal_sent_at
    proposed = status == ReservationStatus.PROPOSED
    conditions: dict[str, Any] = {
        Step.FORM: (status == ReservationStatus.REQUESTED) & ~_has_ine(),
        Step.INE: (status == ReservationStatus.REQUESTED) & _has_ine(),
        Step.PROPOSED: proposed & (sent.is_null() | (sent > cutoff)),
        Step.EXPIRED: (status == ReservationStatus.EXPIRED) | (proposed & (sent <= cutoff)),
        Step.ACCEPTED: status == ReservationStatus.ACCEPTED,
        Step.FILE_COMPLETE: status == ReservationStatus.ACCEPTED,
        Step.ARRIVED: status == ReservationStatus.CHECKED_IN,
    }
    return conditions.get(step, status == step)


@read_in_one_go
def pipeline(
    desk: Desk,
    *,
    year: str | None = None,
    semester: int | None = None,
    step: str | None = None,
    text: str = "",
    limit: int | None = PAGE,
    offset: int = 0,
) -> Pipeline:
    """The actor's students (of ``year`` and ``semester``, when given) and where each stands:
    the counts per step and the deadlines of the next 24 hours over all of them, the rows one
    page (``limit`` rows from ``offset``, by name; ``limit=None`` for every row)."""
    permissions.require(desk.actor, "pipeline.view")
    now = desk.now()
    if text.strip():  # a typed text: its students are few, read and sorted here
        found = _matching(
            list(_ordered(_base(desk, year, semester, *_columns())).namedtuples()), text
        )
        every = _rows(desk, found, now)
        counts: dict[str, int] = {s: 0 for s in STEPS}
        for row in every:
            counts[row.step] += 1
        due = [row for row in every if _due(row)]
        chosen = [row for row in every if row.step == step] if step else every
        total = len(chosen)
        rows = chosen[offset : offset + limit] if limit is not None else chosen[offset:]
    else:
        counts = _counts(desk, year, semester, now)
        soon = _due_soon(desk, year, semester, now)
        end = offset + limit if limit is not None else None
        if step in (Step.ACCEPTED, Step.FILE_COMPLETE):
            ids = [rid for rid, each in _accepted(desk, year, semester, now) if each == step]
            total = len(ids)
            page = ids[offset:end]
        else:  # the page's ids by name (the reservations' own index), then their rows
            query = _ordered(
                Reservation.select(Reservation.id)
                .join(Student)
                .where(*_conditions(desk, year, semester))
            )
            if step:
                query = query.where(_step_where(step, now))
            total = counts[step] if step else sum(counts.values())
            page = [rid for (rid,) in _plain(query.limit(limit).offset(offset or None))]
        # the deadlines' rows and the page's, their files and extensions read together
        both = _rows(desk, soon + _by_ids(page), now)
        due, rows = both[: len(soon)], both[len(soon) :]
    return Pipeline(
        now=now,
        year=year,
        semester=semester,
        rows=rows,
        counts=counts,
        due_soon=sorted(due, key=lambda row: row.time_left or timedelta(0)),
        years=academic_years(desk),
        total=total,
        offset=offset,
    )


def _due(row: PipelineRow) -> bool:
    return row.time_left is not None and row.time_left <= DEADLINE_HORIZON


def _counts(desk: Desk, year: str | None, semester: int | None, now: datetime) -> dict[str, int]:
    """The count of each step, in SQL: one group per status, INE or not, proposal expired or
    not, and (accepted) every required document verified or not; the rules read the rental
    files of the last group only."""
    cutoff = now - PROPOSAL_WINDOW
    has_ine = Case(None, [(_has_ine(), 1)], 0)
    expired = Case(
        None,
        [
            (
                (Reservation.status == ReservationStatus.PROPOSED)
                & (Reservation.proposal_sent_at <= cutoff),
                1,
            )
        ],
        0,
    )
    required = [kind.code for kind in required_documents()]
    candidate = Case(  # the count of verified kinds asked of accepted stays only
        None,
        [
            (
                Reservation.status == ReservationStatus.ACCEPTED,
                Case(None, [(_verified_kinds(required) == len(required), 1)], 0),
            )
        ],
        0,
    )
    grouped = _base(
        desk, year, semester, Reservation.status, has_ine, expired, candidate, fn.COUNT(1)
    )
    counts: dict[str, int] = {s: 0 for s in STEPS}
    # by position: PostgreSQL does not see a parameterised expression as the same one twice
    by_position = grouped.group_by(SQL("1"), SQL("2"), SQL("3"), SQL("4"))
    to_check = 0
    for status, ine, late, maybe, n in tuples(by_position):
        if maybe:
            to_check += n
            continue
        shown = ReservationStatus.EXPIRED if late else status
        counts[step_of(shown, bool(ine), False)] += n
    if to_check:
        complete = sum(
            1
            for _rid, each in _accepted(desk, year, semester, now, only_candidates=True)
            if each == Step.FILE_COMPLETE
        )
        counts[Step.FILE_COMPLETE] += complete
        counts[Step.ACCEPTED] += to_check - complete
    return counts


def _verified_kinds(required: list[str]) -> Any:
    """How many of the required kinds a reservation has a verified document of."""
    return Document.select(fn.COUNT(Document.kind.distinct())).where(
        Document.reservation == Reservation.id,
        Document.verified_at.is_null(False),
        Document.kind.in_(required),
    )


def _accepted(
    desk: Desk,
    year: str | None,
    semester: int | None,
    now: datetime,
    *,
    only_candidates: bool = False,
) -> list[tuple[int, Step]]:
    """The accepted reservations by name, each with its step: its rental file complete or
    not. A file lacking a verified document of some required kind is not complete (the
    rules' first condition), counted in SQL; the rules read the others' documents."""
    required = [kind.code for kind in required_documents()]
    verified = _verified_kinds(required)
    query = _base(
        desk,
        year,
        semester,
        Reservation.id,
        Reservation.lease_start,
        Reservation.lease_end,
        verified,
    ).where(  # `|| ''`: through the students of the year, not every accepted stay ever
        Reservation.status.concat("") == ReservationStatus.ACCEPTED
    )
    if only_candidates:
        query = query.where(verified == len(required))
    found = _plain(_ordered(query))
    facts = _facts([row[0] for row in found if row[3] == len(required)])
    today = desk.today()
    return [
        (
            rid,
            Step.FILE_COMPLETE
            if rid in facts and not file_problems(facts[rid], _day(start), _day(end), today)
            else Step.ACCEPTED,
        )
        for rid, start, end, _count in found
    ]


def _facts(ids: list[int]) -> dict[int, dict[str, DocumentFacts]]:
    """The rental-file documents of these reservations, as the rules read them."""
    facts: dict[int, dict[str, DocumentFacts]] = {}
    for chunk in _chunks(ids):
        documents = Document.select(
            Document.reservation,
            Document.kind,
            Document.received_at.is_null(False),
            Document.verified_at.is_null(False),
            Document.covers_from,
            Document.covers_until,
            Document.guarantor_kind,
            Document.id_expires,
        ).where(Document.reservation.in_(chunk))
        for rid, kind, received, verified, covers_from, until, guarantor, expires in _plain(
            documents
        ):
            facts.setdefault(rid, {})[kind] = DocumentFacts(
                kind=kind,
                received=bool(received),
                verified=bool(verified),
                covers_from=_day(covers_from),
                covers_until=_day(until),
                guarantor_kind=guarantor,
                id_expires=_day(expires),
            )
    return facts


def _plain(query: Any) -> list[tuple[Any, ...]]:
    """A query's rows as the database gives them (no field conversion: values for rules
    only, never shown)."""
    return list(Reservation._meta.database.execute(query).fetchall())


def _day(value: Any) -> Any:
    """A day as SQLite stores it (text) or PostgreSQL gives it (a date)."""
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _due_soon(desk: Desk, year: str | None, semester: int | None, now: datetime) -> list[Any]:
    """The open proposals whose 120 hours end within the next 24."""
    sent = Reservation.proposal_sent_at
    query = _base(desk, year, semester, *_columns()).where(
        Reservation.status == ReservationStatus.PROPOSED,
        sent > now - PROPOSAL_WINDOW,
        sent <= now - PROPOSAL_WINDOW + DEADLINE_HORIZON,
    )
    return list(_ordered(query).namedtuples())


def _rows(desk: Desk, found: list[Any], now: datetime) -> list[PipelineRow]:
    """Where each of these reservations stands: their rental files and pending extensions
    read for them only."""
    ids = [r.id for r in found]
    facts = _facts(ids)
    pending: dict[int, date] = {}
    for chunk in _chunks(ids):
        extensions = (
            ExtensionRequest.select(ExtensionRequest.reservation, ExtensionRequest.requested_end)
            .where(
                ExtensionRequest.status == ExtensionStatus.PENDING,
                ExtensionRequest.reservation.in_(chunk),
            )
            .order_by(ExtensionRequest.requested_at, ExtensionRequest.id)
        )
        for rid, end in tuples(extensions):
            pending[rid] = end
    today = desk.today()
    rows = []
    for r in found:
        status = effective_status(r.status, r.proposal_sent_at, now)
        problems = tuple(file_problems(facts.get(r.id, {}), r.lease_start, r.lease_end, today))
        open_proposal = status == ReservationStatus.PROPOSED and r.proposal_sent_at is not None
        rows.append(
            PipelineRow(
                reservation_id=r.id,
                reference=r.reference,
                student_id=r.student_id,
                name=f"{r.first_name} {r.last_name}",
                ine=r.ine or "",
                student_number=r.student_number or "",
                university=r.home_university,
                campus=r.campus,
                academic_year=r.academic_year,
                semester=r.semester,
                status=status,
                step=step_of(status, bool(r.ine), not problems),
                deadline=proposal_deadline(r.proposal_sent_at) if open_proposal else None,
                time_left=time_left(r.proposal_sent_at, now) if open_proposal else None,
                residence=r.residence or "",
                room=r.room or "",
                lease_start=r.lease_start,
                lease_end=r.lease_end,
                paid_by=r.paid_by_name or "",
                file_problems=problems,
                pending_extension=pending.get(r.id),
            )
        )
    return rows


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)] or []


def _matching(found: list[Any], text: str) -> list[Any]:
    """Keep the reservations whose name, INE, reference or number holds every typed word
    (accents and case ignored)."""
    words = [search_key(w) for w in text.split()]
    kept = []
    for r in found:
        body = search_key(
            " ".join([r.first_name, r.last_name, r.ine or "", r.reference, r.student_number or ""])
        )
        if all(w in body for w in words):
            kept.append(r)
    return kept


def search_key(text: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _pending(desk: Desk, ids: set[int]) -> list[ExtensionRow]:
    rows = tenancy.extension_requests(desk, status=ExtensionStatus.PENDING)
    return [row for row in rows if row.reservation_id in ids]


def pending_extensions(desk: Desk) -> list[ExtensionRow]:
    """The extension requests of the actor's students that wait for a decision."""
    permissions.require(desk.actor, "extension.decide")
    condition = permissions.student_filter(desk.actor)
    query: Any = Reservation.select(Reservation.id).join(Student)
    if condition is not None:
        query = query.where(condition)
    return _pending(desk, {i for (i,) in query.tuples()})


# -- the manager's action -----------------------------------------------------------------------


@action("student.ine", needs="ine.record", target=Student)
def record_ine(act: Act, student: Student, text: str) -> Student:
    """Record (or correct) a student's INE, checked against the national shape."""
    try:
        ine = parse_ine(text)
    except ValueError as error:
        act.refuse(Problem("ine_invalid", str(error)))
    if ine == student.ine:
        return student
    taken = Student.select().where(Student.ine == ine, Student.id != student.id)
    if taken.exists():
        act.check(
            Problem(
                "ine_taken",
                _("the INE {ine} is already recorded for another student").format(ine=ine),
            )
        )
    with act.change():
        act.confirm(int(not taken.exists()), _("the INE {ine}").format(ine=ine))
        changed = (
            Student.update(ine=ine)
            .where(Student.id == student.id, Student.ine == student.ine)
            .execute()
        )
        act.confirm(changed, _("this student"))
        reservations = list(
            Reservation.select().where(Reservation.student == student).order_by(Reservation.id)
        )
        for reservation in reservations:
            search.index_reservation(reservation)
        act.audit(
            "student",
            student.id,
            reservation=reservations[-1] if reservations else None,
            before={"ine": student.ine},
            after={"ine": ine},
        )
    return Student.get_by_id(student.id)
