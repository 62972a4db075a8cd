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

from peewee import JOIN, fn

from crous_desk import rooms as tenancy
from crous_desk.base.errors import Problem
from crous_desk.base.i18n import _
from crous_desk.desk import permissions
from crous_desk.desk.action import Act, action
from crous_desk.desk.context import Desk
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
from crous_desk.rules.proposal import effective_status, proposal_deadline, time_left
from crous_desk.rules.rental_file import DocumentFacts, file_problems
from crous_desk.rules.status import ExtensionStatus, ReservationStatus
from crous_desk.store import search_index as search
from crous_desk.store.models import Document, Reservation, Residence, Room, Student, tuples

__all__ = [  # the pipeline's steps are rules (crous_desk.rules.pipeline), read here too
    "DEADLINE_HORIZON",
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


def _visible_students(desk: Desk):  # type: ignore[no-untyped-def]
    condition = permissions.student_filter(desk.actor)
    query = Student.select()
    return query.where(condition) if condition is not None else query


def academic_years(desk: Desk) -> list[str]:
    """The years the actor has students in, the latest first: one index seek per year (not a
    read of every student ever)."""
    condition = permissions.student_filter(desk.actor)
    years = []
    year: Any = ""
    while True:
        year = (
            Student.select(fn.MIN(Student.academic_year))
            .where(Student.academic_year > year)
            .scalar()
        )
        if year is None:
            break
        mine = Student.select().where(Student.academic_year == year)
        if condition is None or mine.where(condition).exists():
            years.append(str(year))
    return sorted(years, reverse=True)


def default_year(desk: Desk) -> str | None:
    years = academic_years(desk)
    current = academic_year_of(desk.today())
    if current in years or not years:
        return current if years else None
    return years[0]


def pipeline(
    desk: Desk,
    *,
    year: str | None = None,
    semester: int | None = None,
    step: str | None = None,
    text: str = "",
) -> Pipeline:
    """The actor's students (of ``year`` and ``semester``, when given) and where each stands."""
    permissions.require(desk.actor, "pipeline.view")
    now = desk.now()
    condition = permissions.student_filter(desk.actor)
    query = (
        Reservation.select(  # plain rows: a cohort is thousands of them
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
        .join(Student)
        .switch(Reservation)
        .join(Room, JOIN.LEFT_OUTER)
        .join(Residence, JOIN.LEFT_OUTER)
    )
    if condition is not None:
        query = query.where(condition)
    if year:
        query = query.where(Student.academic_year == year)
    if semester in (1, 2):
        query = query.where(Student.semester == semester)
    ordered: Any = query.order_by(Student.last_name, Student.first_name, Reservation.id)
    found: list[Any] = list(ordered.namedtuples())
    if text.strip():
        found = _matching(found, text)
    ids = [r.id for r in found]
    facts: dict[int, dict[str, DocumentFacts]] = {}
    for chunk in _chunks(ids):
        documents = Document.select(
            Document.reservation,
            Document.kind,
            Document.received_at,
            Document.verified_at,
            Document.covers_from,
            Document.covers_until,
            Document.guarantor_kind,
            Document.id_expires,
        ).where(Document.reservation.in_(chunk))
        for rid, kind, received, verified, covers_from, until, guarantor, expires in tuples(
            documents
        ):
            facts.setdefault(rid, {})[kind] = DocumentFacts(
                kind=kind,
                received=received is not None,
                verified=verified is not None,
                covers_from=covers_from,
                covers_until=until,
                guarantor_kind=guarantor,
                id_expires=expires,
            )
    pending = {row.reservation_id: row.requested_end for row in _pending(desk, set(ids))}
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
    counts: dict[str, int] = {s: 0 for s in STEPS}
    for row in rows:
        counts[row.step] += 1
    due = sorted(
        (row for row in rows if row.time_left is not None and row.time_left <= DEADLINE_HORIZON),
        key=lambda row: row.time_left or timedelta(0),
    )
    if step:
        rows = [row for row in rows if row.step == step]
    return Pipeline(
        now=now,
        year=year,
        semester=semester,
        rows=rows,
        counts=counts,
        due_soon=due,
        years=academic_years(desk),
    )


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
