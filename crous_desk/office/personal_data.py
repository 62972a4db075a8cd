"""Personal data has a lifetime (GDPR; the CNIL's rental-management frame as a guide).

- **Access.** :func:`export_person` gives everything held about one student, in one
  machine-readable JSON file: their row, their reservations and every row that belongs to
  them (documents, inspections and their items, appointments, key log, loans, extension
  requests, departures, charges, money), their audit entries and their queued e-mails.
- **Retention.** :func:`due` finds the students whose time is up under the configuration's
  policy, :func:`run_retention` anonymises them: the name, e-mail, phone, INE, student
  number and the free texts about them go; what statistics need stays (home university,
  campus, year, semester, the stays' dates and statuses, rooms, key logs, money), and the
  audit chain stays whole — it refers to people by identifiers (personal values in audit
  entries are recorded as keyed digests, :func:`crous_desk.store.audit.redact`).

The defaults and why:

- ``retention_request_days = 365``: a request never accepted (refused, expired, cancelled,
  or never offered a room) is kept a year after the stay it asked for would have ended —
  long enough to answer the student and the university about that year's procedure.
- ``retention_tenant_years = 3``: a tenant's data is kept three years after the lease ended
  (or they left): actions arising from a residential lease prescribe in three years (loi du
  6 juillet 1989, art. 7-1), the period the CNIL's frame admits for keeping a former tenant's
  file in intermediate archiving.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from peewee import ForeignKeyField, Model

from crous_desk.base.errors import Problem, Refused
from crous_desk.base.files import safe_output
from crous_desk.base.i18n import _
from crous_desk.desk import permissions
from crous_desk.desk.action import Act, action
from crous_desk.desk.context import Desk
from crous_desk.outbox import forget_person
from crous_desk.rules.status import ReservationStatus
from crous_desk.store import search_index as search
from crous_desk.store.models import (
    ALL_MODELS,
    AuditLog,
    Departure,
    ExtensionRequest,
    Inspection,
    Reservation,
    Residence,
    Room,
    Staff,
    Student,
)
from crous_desk.store.outbox import OutboxMessage
from crous_desk.store.throttle import RetentionPass

ANONYMISED = "Anonymised #"
NEVER_ACCEPTED = (
    ReservationStatus.REQUESTED,
    ReservationStatus.PROPOSED,
    ReservationStatus.REFUSED,
    ReservationStatus.CANCELLED,
)
REFERENCE_DATA = (Staff, Residence, Room)  # not the student's: never exported with them


# -- access: everything about one student -------------------------------------------------------


def _jsonable(row: Model) -> dict[str, Any]:
    return {k: (v if isinstance(v, (int, float, bool, type(None), str)) else str(v))
            for k, v in row.__data__.items()}  # fmt: skip


def _rows_of(student: Student) -> dict[str, list[dict[str, Any]]]:
    """Every row that belongs to ``student``: followed through the foreign keys from them."""
    found: dict[type[Model], dict[int, Model]] = {Student: {student.id: student}}
    models = [m for m in ALL_MODELS if m not in (Student, *REFERENCE_DATA, AuditLog)]
    changed = True
    while changed:
        changed = False
        for model in models:
            for field in model._meta.fields.values():
                if not isinstance(field, ForeignKeyField) or field.rel_model not in found:
                    continue
                ids = list(found[field.rel_model])
                if not ids:
                    continue
                for row in model.select().where(field.in_(ids)):
                    bucket = found.setdefault(model, {})
                    if row.id not in bucket:
                        bucket[row.id] = row
                        changed = True
    return {
        model._meta.table_name: [_jsonable(rows[i]) for i in sorted(rows)]
        for model, rows in found.items()
    }


def person_data(desk: Desk, student_id: int) -> dict[str, Any]:
    """Everything held about the student (administrators)."""
    permissions.require(desk.actor, "person.data")
    student = Student.get_or_none(Student.id == student_id)
    if student is None:
        raise Refused(Problem("not_found", _("no student #{id}").format(id=student_id)))
    held = _rows_of(student)
    reservations = [r["id"] for r in held.get("reservation", [])]
    audit_rows = AuditLog.select().where(
        ((AuditLog.entity == "student") & (AuditLog.entity_id == student.id))
        | AuditLog.reservation_id.in_(reservations or [0])
    )
    held["audit_log"] = [_jsonable(r) for r in audit_rows.order_by(AuditLog.id)]
    messages = OutboxMessage.select().where(
        (OutboxMessage.student_id == student.id)
        | OutboxMessage.reservation_id.in_(reservations or [0])
    )
    held["outbox_message"] = [_jsonable(m) for m in messages.order_by(OutboxMessage.id)]
    return {
        "format": "crous-desk person export 1",
        "exported_at": desk.now().isoformat(),
        "student_id": student.id,
        "tables": held,
    }


def find_student(reference: str | None = None, ine: str | None = None) -> Student:
    """The student of a reservation reference, or of an INE; refused when there is none."""
    if reference:
        found = Reservation.get_or_none(Reservation.reference == reference.strip().upper())
        if found is not None:
            return Student.get_by_id(found.student_id)
        what = reference
    else:
        student = Student.get_or_none(Student.ine == (ine or "").strip().upper())
        if student is not None:
            return student
        what = ine or ""
    raise Refused(Problem("not_found", _("no student for {what!r}").format(what=what[:20])))


@action("person.export", needs="person.data")
def _record_export(act: Act, student_id: int, file: str) -> None:
    with act.change():
        act.audit("student", student_id, after={"file": file})


def export_person(desk: Desk, student_id: int, out: Path, *, replace: bool = False) -> int:
    """Write everything about the student to ``out`` (JSON); returns the number of rows."""
    data = person_data(desk, student_id)
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    with safe_output(out, replace=replace) as handle:
        handle.write(text.encode("utf-8"))
        _record_export(desk, student_id, out.name)  # the file appears with its audit row
    return sum(len(rows) for rows in data["tables"].values())


# -- retention ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    student_id: int
    references: tuple[str, ...]
    rule: str  # "request" | "tenant"
    since: date  # when the last stay (or request) ended
    until: date  # kept until then


def _ended(reservation: Reservation, departed: dict[int, datetime]) -> date:
    left = departed.get(reservation.id)
    return min(reservation.lease_end, left.date()) if left else reservation.lease_end


def due(today: date, request_days: int, tenant_years: int) -> list[Due]:
    """The students whose data is kept no longer, under the policy, oldest first."""
    stays: dict[int, list[Reservation]] = {}
    for r in Reservation.select().order_by(Reservation.id):
        stays.setdefault(r.student_id, []).append(r)
    departed = {
        d.reservation_id: d.departed_at
        for d in Departure.select().where(Departure.departed_at.is_null(False))
    }
    anonymised = {
        s.id for s in Student.select(Student.id).where(Student.last_name.startswith(ANONYMISED))
    }
    found = []
    for student_id, rows in stays.items():
        if student_id in anonymised:
            continue
        tenant = any(r.status not in NEVER_ACCEPTED for r in rows)
        if tenant and any(
            r.status in (ReservationStatus.ACCEPTED, ReservationStatus.CHECKED_IN) for r in rows
        ):
            continue  # still under way
        since = max(_ended(r, departed) for r in rows)
        kept = timedelta(days=round(365.25 * tenant_years) if tenant else request_days)
        until = since + kept
        if until < today:
            found.append(
                Due(
                    student_id,
                    tuple(r.reference for r in rows),
                    "tenant" if tenant else "request",
                    since,
                    until,
                )
            )
    return sorted(found, key=lambda d: (d.since, d.student_id))


@action("person.anonymise", needs="person.data")
def anonymise(act: Act, due_ones: list[Due]) -> int:
    """Anonymise each student: identifiers and free texts about them go, statistics stay."""
    with act.change():
        for one in due_ones:
            reservations = [
                r.id for r in Reservation.select().where(Reservation.student == one.student_id)
            ]
            Student.update(
                first_name="",
                last_name=f"{ANONYMISED}{one.student_id}",
                email="",
                phone="",
                ine=None,
                student_number=None,
                language=None,
                timezone=None,
            ).where(Student.id == one.student_id).execute()
            if reservations:
                Reservation.update(paid_by_name=None).where(
                    Reservation.id.in_(reservations)
                ).execute()
                _clear_inspections(reservations)
                ExtensionRequest.update(reason="", decision_note="").where(
                    ExtensionRequest.reservation.in_(reservations)
                ).execute()
                Departure.update(reason="").where(Departure.reservation.in_(reservations)).execute()
            forgotten = forget_person(one.student_id)
            for r in Reservation.select().where(Reservation.id.in_(reservations or [0])):
                search.index_reservation(r)
            act.audit(
                "student",
                one.student_id,
                after={
                    "rule": one.rule,
                    "ended": one.since.isoformat(),
                    "kept_until": one.until.isoformat(),
                    "reservations": list(one.references),
                    "messages_forgotten": forgotten,
                },
            )
    return len(due_ones)


def _clear_inspections(reservations: list[int]) -> None:
    """The tenant's name and forwarding address on their inspections, acknowledged ones
    included: the lock lets the retention's own pass through (migration 0007c)."""
    ids = [
        i.id
        for i in Inspection.select(Inspection.id).where(Inspection.reservation.in_(reservations))
    ]
    if not ids:
        return
    RetentionPass.insert_many([{"inspection_id": i} for i in ids]).execute()
    personal = {"tenant_name": None}
    if "forwarding_address" in Inspection._meta.fields:  # the état des lieux (issue 14)
        personal["forwarding_address"] = None
    Inspection.update(**personal).where(Inspection.id.in_(ids)).execute()
    RetentionPass.delete().where(RetentionPass.inspection_id.in_(ids)).execute()


def run_retention(
    desk: Desk, request_days: int, tenant_years: int, *, dry_run: bool = False
) -> list[Due]:
    """Anonymise every student whose time is up (or, dry, only say who)."""
    permissions.require(desk.actor, "person.data")
    found = due(desk.today(), request_days, tenant_years)
    if found and not dry_run:
        anonymise(desk, found)
    return found
