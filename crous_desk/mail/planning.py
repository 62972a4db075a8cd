"""The messages that no desk action causes, queued when their time comes: the reminder 24
hours before an unanswered proposal expires, the documents still missing some days before the
lease starts, the 17:00 list of keys to the residence manager, the morning list of deadlines to
each mobility manager.

Each has the key of its occasion (this proposal's reminder, this residence's list of this
day…), so planning as often as one likes — every run of ``crous-desk mail send``, every desk —
queues each one once. An occasion whose list is empty queues nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from crous_desk.base.clock import PARIS
from crous_desk.desk.action import write_transaction
from crous_desk.desk.context import Desk, residence_calendar
from crous_desk.keys import closing_check
from crous_desk.mail.compose import deadline_lines
from crous_desk.outbox import Mail, enqueue, student_mail
from crous_desk.rules.proposal import PROPOSAL_WINDOW, proposal_deadline
from crous_desk.rules.rental_file import DocumentFacts, missing_documents
from crous_desk.rules.status import ReservationStatus, Role
from crous_desk.store.models import Document, Reservation, Residence, Room, Staff, Student
from crous_desk.store.outbox import MailKind, OutboxMessage

PLANNER = "crous-desk mail"
REMINDER_BEFORE = timedelta(hours=24)

DeskFor = Callable[[Residence | None, datetime], Desk]


def _queued(key: str) -> bool:
    return bool(OutboxMessage.select().where(OutboxMessage.key == key).exists())


def plan_reminders(now: datetime) -> list[Mail]:
    """Open proposals in their last 24 hours that have not had their reminder."""
    query = (
        Reservation.select(Reservation, Student, Room)
        .join(Student)
        .switch(Reservation)
        .join(Room)
        .where(
            Reservation.status == ReservationStatus.PROPOSED,
            Reservation.proposal_sent_at > now - PROPOSAL_WINDOW,
            Reservation.proposal_sent_at <= now - PROPOSAL_WINDOW + REMINDER_BEFORE,
        )
    )
    return [
        student_mail(
            MailKind.REMINDER,
            r,
            r.proposal_sent_at.isoformat(),
            {
                "sent_at": r.proposal_sent_at.isoformat(),
                "deadline": proposal_deadline(r.proposal_sent_at).isoformat(),
            },
        )
        for r in query
    ]


def _facts(reservation_ids: list[int]) -> dict[int, dict[str, DocumentFacts]]:
    facts: dict[int, dict[str, DocumentFacts]] = {}
    for d in Document.select().where(Document.reservation.in_(reservation_ids)):
        facts.setdefault(d.reservation_id, {})[d.kind] = DocumentFacts(
            kind=d.kind,
            received=d.received_at is not None,
            verified=d.verified_at is not None,
            covers_from=d.covers_from,
            covers_until=d.covers_until,
            guarantor_kind=d.guarantor_kind,
            id_expires=d.id_expires,
        )
    return facts


def plan_documents(now: datetime, days: int) -> list[Mail]:
    """Accepted stays starting within ``days`` days whose rental file is not complete."""
    today = now.astimezone(PARIS).date()
    candidates = list(
        Reservation.select(Reservation, Student, Room)
        .join(Student)
        .switch(Reservation)
        .join(Room)
        .where(
            Reservation.status == ReservationStatus.ACCEPTED,
            Reservation.lease_start >= today,
            Reservation.lease_start <= today + timedelta(days=days),
        )
        .order_by(Reservation.id)
    )
    candidates = [
        r for r in candidates if not _queued(f"{MailKind.DOCUMENTS}:{r.id}:{r.lease_start}")
    ]
    facts = _facts([r.id for r in candidates])
    mails = []
    for r in candidates:
        missing = missing_documents(facts.get(r.id, {}), r.lease_start, r.lease_end, r.lease_start)
        if missing:
            mails.append(
                student_mail(
                    MailKind.DOCUMENTS,
                    r,
                    r.lease_start.isoformat(),
                    {"lease_start": r.lease_start.isoformat(), "missing": missing},
                )
            )
    return mails


def plan_closing(now: datetime, desk_for: DeskFor) -> list[Mail]:
    """After 17:00 on a day the desk opened: each residence manager's list of the keys that
    should be back, when there is one."""
    mails = []
    residences = Residence.select().where(
        Residence.manager_email.is_null(False), Residence.manager_email != ""
    )
    for residence in residences:
        calendar = residence_calendar(residence)
        day: date = now.astimezone(calendar.tz).date()
        closing = calendar.closes_at(day)
        key = f"{MailKind.CLOSING}:{residence.id}:{day.isoformat()}"
        if calendar.closed_reason(day) is not None or now < closing or _queued(key):
            continue
        if not closing_check(desk_for(residence, closing)):
            continue
        mails.append(
            Mail(
                key=key,
                kind=MailKind.CLOSING,
                recipient=residence.manager_email or "",
                residence_id=residence.id,
                facts={"day": day.isoformat()},
            )
        )
    return mails


def plan_deadlines(now: datetime, morning_hour: int) -> list[Mail]:
    """From ``morning_hour`` (Paris time), once a day: each mobility manager with an address
    gets their students whose proposal expires within the next 24 hours, when there are some."""
    local = now.astimezone(PARIS)
    if local.time() < time(morning_hour):
        return []
    day = local.date()
    mails = []
    managers = Staff.select().where(
        Staff.role == Role.MANAGER,
        Staff.active == True,  # noqa: E712 - a peewee condition
        Staff.email.is_null(False),
        Staff.email != "",
    )
    for staff in managers:
        key = f"{MailKind.DEADLINES}:{staff.id}:{day.isoformat()}"
        if _queued(key) or not deadline_lines(staff, now, now):
            continue
        mails.append(
            Mail(
                key=key,
                kind=MailKind.DEADLINES,
                recipient=staff.email or "",
                recipient_name=staff.display_name,
                staff_id=staff.id,
                facts={"at": now.isoformat()},
            )
        )
    return mails


def plan(now: datetime, desk_for: DeskFor, *, documents_days: int, morning_hour: int) -> int:
    """Queue every timed message whose time has come; how many were queued. What is due is
    read first, without the write lock; the short write transaction queues each one unless a
    desk planning at the same time was first."""
    mails = [
        *plan_reminders(now),
        *plan_documents(now, documents_days),
        *plan_closing(now, desk_for),
        *plan_deadlines(now, morning_hour),
    ]
    if not mails:
        return 0
    with write_transaction():
        return sum(enqueue(mail, now, PLANNER) is not None for mail in mails)
