"""The reservation file: everything one screen shows about a reservation, read in one go, and
what still stands between the tenant and the keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from peewee import JOIN, fn

from crous_desk.base.i18n import _
from crous_desk.desk.context import Desk
from crous_desk.rules import handover
from crous_desk.rules.proposal import effective_status, proposal_deadline, time_left
from crous_desk.rules.reference import document_kinds
from crous_desk.rules.rental_file import DocumentFacts, document_problem, file_problems
from crous_desk.rules.status import InspectionKind, KeyState, ReservationStatus
from crous_desk.store import audit
from crous_desk.store.models import (
    AuditLog,
    Departure,
    Document,
    Inspection,
    KeySet,
    LedgerMovement,
    Reservation,
    Residence,
    Room,
    Staff,
    Student,
)


@dataclass
class DocumentRow:
    kind: str
    label: str
    required: bool
    received_at: datetime | None
    verified_by: str | None
    verified_at: datetime | None
    facts: DocumentFacts
    problem: str | None


@dataclass
class ReservationFile:
    """Everything the reservation screen shows, read in one go."""

    reservation: Reservation
    student: Student
    room: Room | None
    residence: Residence | None
    status: str
    deadline: datetime | None
    time_left: timedelta | None
    documents: list[DocumentRow]
    file_problems: list[str]
    inspections: list[Inspection]
    key_sets: list[KeySet]
    history: list[AuditLog]
    blockers: list[str] = field(default_factory=list)
    departure: Departure | None = None  # its appointment, and how the stay ended
    balance_cents: int = 0  # the stay's ledger (crous_desk.money.ledger): + the tenant owes


def facts_of(doc: Document) -> DocumentFacts:
    return DocumentFacts(
        kind=doc.kind,
        received=doc.received_at is not None,
        verified=doc.verified_at is not None,
        covers_from=doc.covers_from,
        covers_until=doc.covers_until,
        guarantor_kind=doc.guarantor_kind,
        id_expires=doc.id_expires,
    )


def document_facts(reservation: Reservation | int) -> dict[str, DocumentFacts]:
    """The facts recorded for each document of the rental file, by kind."""
    return {
        d.kind: facts_of(d) for d in Document.select().where(Document.reservation == reservation)
    }


def handover_blockers(
    desk: Desk, reservation: Reservation, now: datetime | None = None
) -> list[str]:
    """Every condition of the key handover still unmet (empty: the keys may be handed over)."""
    room = reservation.room
    checked_in = (
        Inspection.select()
        .where(
            Inspection.reservation == reservation,
            Inspection.kind == InspectionKind.CHECK_IN,
            Inspection.acknowledged_at.is_null(False),
        )
        .exists()
    )
    at_desk = (
        room is not None
        and KeySet.select().where(KeySet.room == room, KeySet.state == KeyState.DESK).exists()
    )
    return blockers_from(
        desk, reservation, now or desk.now(), document_facts(reservation), checked_in, at_desk
    )


def blockers_from(
    desk: Desk,
    reservation: Reservation,
    now: datetime,
    documents: dict[str, DocumentFacts],
    check_in_acknowledged: bool,
    key_set_at_desk: bool,
) -> list[str]:
    """:func:`handover_blockers` from facts already read (a list reads them for all its rows
    at once): its documents, whether its check-in is acknowledged, a key set at the desk."""
    room = reservation.room
    residence = room.residence if room else desk.residence
    facts = handover.facts_of_stay(
        now,
        desk.calendar(residence),
        status=reservation.status,
        proposal_sent_at=reservation.proposal_sent_at,
        advance_cents=reservation.advance_cents,
        lease_start=reservation.lease_start,
        lease_end=reservation.lease_end,
        documents=documents,
        check_in_acknowledged=check_in_acknowledged,
        key_set_at_desk=key_set_at_desk,
    )
    return handover.handover_blockers(facts)


def _document_rows(reservation: Reservation, today: date) -> tuple[list[DocumentRow], list[str]]:
    docs = {
        d.kind: d
        for d in Document.select(Document, Staff)
        .join(Staff, JOIN.LEFT_OUTER)
        .where(Document.reservation == reservation)
    }
    facts = {k: facts_of(d) for k, d in docs.items()}
    start, end = reservation.lease_start, reservation.lease_end
    rows = []
    for kind in document_kinds().values():
        d = docs.get(kind.code)
        f = facts.get(kind.code, DocumentFacts(kind=kind.code))
        rows.append(
            DocumentRow(
                kind=kind.code,
                label=_(kind.short),
                required=kind.required,
                received_at=d.received_at if d else None,
                verified_by=d.verified_by.display_name if d and d.verified_by else None,
                verified_at=d.verified_at if d else None,
                facts=f,
                problem=document_problem(f, kind.code, start, end, today)
                if kind.required
                else None,
            )
        )
    return rows, file_problems(facts, start, end, today)


def file_view(desk: Desk, reservation_id: int) -> ReservationFile:
    """The reservation file as the actor may see it."""
    reservation = desk.reservation(reservation_id)
    room = reservation.room
    residence = room.residence if room else None
    now = desk.now()
    today = desk.today(residence)
    status = effective_status(reservation.status, reservation.proposal_sent_at, now)
    sent = reservation.proposal_sent_at
    documents, problems = _document_rows(reservation, today)
    return ReservationFile(
        reservation=reservation,
        student=reservation.student,
        room=room,
        residence=residence,
        status=status,
        deadline=proposal_deadline(sent) if sent else None,
        time_left=time_left(sent, now) if status == ReservationStatus.PROPOSED and sent else None,
        documents=documents,
        file_problems=problems,
        inspections=list(reservation.inspections.order_by(Inspection.started_at)),
        key_sets=list(KeySet.select().where(KeySet.room == room).order_by(KeySet.label))
        if room
        else [],
        history=audit.history(reservation.id),
        blockers=handover_blockers(desk, reservation, now)
        if status in (ReservationStatus.ACCEPTED, ReservationStatus.PROPOSED)
        else [],
        departure=Departure.get_or_none(Departure.reservation == reservation.id),
        balance_cents=int(
            LedgerMovement.select(fn.SUM(LedgerMovement.amount_cents))
            .where(LedgerMovement.reservation == reservation)
            .scalar()
            or 0
        ),
    )
