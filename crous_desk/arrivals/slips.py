"""Arrival slips: what the slip of a reservation says, and the arrivals of a day. The code
the desk scans back is in ``payload``, the page itself in ``slip_pdf``, saving and printing
in ``output``; their names stay importable from here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from peewee import JOIN

from crous_desk.arrivals.appointments import Slot, appointment_slot
from crous_desk.arrivals.output import atomic_output, default_slip_dir, print_pdf, save_and_print
from crous_desk.arrivals.payload import (
    EXAMPLE_PAYLOAD,
    PAYLOAD_PREFIX,
    QUIET_ZONE,
    SECRET_KEY,
    check_code,
    find_payload,
    installation_secret,
    make_payload,
    qr_half_blocks,
    qr_matrix,
    read_payload,
)
from crous_desk.base.errors import Problem, Refused
from crous_desk.base.i18n import _
from crous_desk.desk import permissions
from crous_desk.desk.context import Desk, residence_calendar
from crous_desk.rules.hours import Closure as DeskClosure
from crous_desk.rules.hours import DeskCalendar
from crous_desk.rules.reference import CrousOffice, crous_directory
from crous_desk.rules.rental_file import DocumentFacts, known_problem, missing_documents
from crous_desk.rules.status import ReservationStatus
from crous_desk.store.models import Appointment, Document, Reservation, Residence, Room, Student

__all__ = [
    "EXAMPLE_PAYLOAD",
    "PAYLOAD_PREFIX",
    "QUIET_ZONE",
    "SECRET_KEY",
    "Arrival",
    "MissingDocument",
    "Slip",
    "arrivals_on",
    "atomic_output",
    "check_code",
    "default_slip_dir",
    "desk_slips",
    "find_payload",
    "installation_secret",
    "make_payload",
    "print_pdf",
    "qr_half_blocks",
    "qr_matrix",
    "read_payload",
    "save_and_print",
    "slips_for",
]


Missing = Literal["missing", "unverified", "not_valid"]


@dataclass(frozen=True)
class MissingDocument:
    code: str
    why: Missing  # unverified: received, not checked; not_valid: does not count


@dataclass(frozen=True)
class Slip:
    reference: str
    payload: str
    student_name: str
    ine: str
    room: str
    residence_name: str
    residence_address: str
    desk_phone: str
    opening: time
    tz: ZoneInfo
    crous: CrousOffice | None
    lease_start: date
    lease_end: date
    appointment: Slot | None
    arrival_day: date
    missing: tuple[MissingDocument, ...]
    closures: tuple[DeskClosure, ...]  # declared closures from the arrival day on


def desk_slips(desk: Desk, reservation_ids: Sequence[int]) -> list[Slip]:
    """The slips a staff member prints from the app: residence staff, their own residences."""
    permissions.require(desk.actor, "slip.print")
    for reservation_id in reservation_ids:
        permissions.require(desk.actor, "slip.print", desk.reservation(reservation_id))
    return slips_for(reservation_ids, desk.now())


def slips_for(reservation_ids: Sequence[int], now: datetime) -> list[Slip]:
    """The slips of these reservations, in this order, read with a handful of queries."""
    if not reservation_ids:
        return []
    rows = {
        r.id: r
        for r in Reservation.select(Reservation, Student, Room, Residence)
        .join(Student)
        .switch(Reservation)
        .join(Room, JOIN.LEFT_OUTER)
        .join(Residence, JOIN.LEFT_OUTER)
        .where(Reservation.id.in_(list(reservation_ids)))
    }
    facts: dict[int, dict[str, DocumentFacts]] = {}
    for doc in Document.select().where(Document.reservation.in_(list(reservation_ids))):
        facts.setdefault(doc.reservation_id, {})[doc.kind] = DocumentFacts(
            kind=doc.kind,
            received=doc.received_at is not None,
            verified=doc.verified_at is not None,
            covers_from=doc.covers_from,
            covers_until=doc.covers_until,
            guarantor_kind=doc.guarantor_kind,
            id_expires=doc.id_expires,
        )
    appointments = {
        a.reservation_id: a
        for a in Appointment.select().where(Appointment.reservation.in_(list(reservation_ids)))
    }
    secret = installation_secret()
    calendars: dict[int, DeskCalendar] = {}
    slips = []
    for rid in reservation_ids:
        reservation = rows.get(rid)
        if reservation is None:
            raise Refused(Problem("not_found", _("no reservation #{id}").format(id=rid)))
        room = reservation.room
        if room is None:
            raise Refused(
                Problem(
                    "no_room",
                    _("reservation {ref} has no room yet: there is no slip to print").format(
                        ref=reservation.reference
                    ),
                )
            )
        residence = room.residence
        if residence.id not in calendars:
            calendars[residence.id] = residence_calendar(residence)
        calendar = calendars[residence.id]
        appointment = appointments.get(rid)
        slot = appointment_slot(appointment, calendar) if appointment else None
        today = now.astimezone(calendar.tz).date()
        if slot:
            arrival = slot.start.date()
        else:  # the first working day of the desk from the lease start (or today)
            arrival = calendar.first_open_day(max(reservation.lease_start, today))
        docs = facts.get(rid, {})
        student = reservation.student
        slips.append(
            Slip(
                reference=reservation.reference,
                payload=make_payload(reservation.reference, secret),
                student_name=student.full_name,
                ine=student.ine or "—",
                room=room.number,
                residence_name=residence.name,
                residence_address=residence.address,
                desk_phone=residence.desk_phone,
                opening=calendar.opening,
                tz=calendar.tz,
                crous=crous_directory().get(residence.crous_code),
                lease_start=reservation.lease_start,
                lease_end=reservation.lease_end,
                appointment=slot,
                arrival_day=arrival,
                missing=tuple(
                    _missing(code, docs.get(code), reservation, arrival)
                    for code in missing_documents(
                        docs, reservation.lease_start, reservation.lease_end, arrival
                    )
                ),
                closures=tuple(
                    sorted(
                        (c for c in calendar.closures if c.last >= arrival), key=lambda c: c.first
                    )
                )[:3],
            )
        )
    return slips


def _missing(
    code: str, facts: DocumentFacts | None, reservation: Reservation, arrival: date
) -> MissingDocument:
    if facts is None or not facts.received:
        return MissingDocument(code, "missing")
    if not facts.verified and not known_problem(
        facts, code, reservation.lease_start, reservation.lease_end, arrival
    ):
        return MissingDocument(code, "unverified")  # else: what was read already fails
    return MissingDocument(code, "not_valid")


@dataclass(frozen=True)
class Arrival:
    reservation_id: int
    reference: str
    by: Literal["appointment", "lease_start"]


def arrivals_on(day: date, residence_id: int | None = None) -> list[Arrival]:
    """The arrivals of ``day`` (in each residence's zone): accepted reservations with an
    appointment that day, in time order, then those whose lease starts that day and who
    have no appointment at all, by name."""
    arrivals: list[Arrival] = []
    window = (
        Appointment.select(Appointment, Reservation, Residence)
        .join(Reservation)
        .switch(Appointment)
        .join(Residence)
        .where(
            Appointment.starts_at
            >= datetime.combine(day - timedelta(days=1), time(), ZoneInfo("UTC")),
            Appointment.starts_at
            < datetime.combine(day + timedelta(days=2), time(), ZoneInfo("UTC")),
            Reservation.status == ReservationStatus.ACCEPTED,
        )
        .order_by(Appointment.starts_at, Reservation.reference)
    )
    if residence_id is not None:
        window = window.where(Appointment.residence == residence_id)
    for appointment in window:
        if appointment.starts_at.astimezone(ZoneInfo(appointment.residence.timezone)).date() == day:
            r = appointment.reservation
            arrivals.append(Arrival(r.id, r.reference, "appointment"))
    by_lease = (
        Reservation.select(Reservation.id, Reservation.reference)
        .join(Student)
        .switch(Reservation)
        .join(Room)
        .switch(Reservation)
        .join(Appointment, JOIN.LEFT_OUTER, on=(Appointment.reservation == Reservation.id))
        .where(
            Reservation.status == ReservationStatus.ACCEPTED,
            Reservation.lease_start == day,
            Appointment.id.is_null(),
        )
        .order_by(Student.last_name, Student.first_name, Reservation.reference)
    )
    if residence_id is not None:
        by_lease = by_lease.where(Room.residence == residence_id)
    arrivals.extend(Arrival(r.id, r.reference, "lease_start") for r in by_lease)
    return arrivals
