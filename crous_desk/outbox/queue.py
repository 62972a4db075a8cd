"""Queueing a message: one row of the outbox, written in the transaction of its cause.

Each message has a key that names its occasion (the proposal sent at that instant, the
appointment booked at that instant, the closing list of that day…): queueing the same occasion
again adds nothing, so a planner that runs twice, or two desks that plan at once, never make
two messages of one.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crous_desk.desk.action import Act
from crous_desk.rules.proposal import proposal_deadline
from crous_desk.store.models import Appointment, Reservation
from crous_desk.store.outbox import MailKind, MailState, OutboxMessage


@dataclass(frozen=True)
class Mail:
    """A message to queue: what it is, to whom (one address), and about which rows."""

    key: str
    kind: MailKind
    recipient: str
    recipient_name: str = ""
    language: str | None = None
    student_id: int | None = None
    reservation_id: int | None = None
    residence_id: int | None = None
    staff_id: int | None = None
    facts: dict[str, Any] = field(default_factory=dict)


def enqueue(mail: Mail, at: datetime, by: str) -> OutboxMessage | None:
    """Write ``mail`` to the outbox, due at once; None when its occasion is already there.
    Called inside the caller's write transaction: it commits or rolls back with it."""
    if OutboxMessage.select().where(OutboxMessage.key == mail.key).exists():
        return None
    return OutboxMessage.create(
        key=mail.key,
        kind=mail.kind,
        state=MailState.QUEUED,
        recipient=mail.recipient.strip(),
        recipient_name=mail.recipient_name,
        language=mail.language,
        student_id=mail.student_id,
        reservation_id=mail.reservation_id,
        residence_id=mail.residence_id,
        staff_id=mail.staff_id,
        facts=json.dumps(mail.facts, ensure_ascii=False, sort_keys=True),
        token=secrets.token_hex(12),
        queued_at=at,
        queued_by=by,
        next_attempt_at=at,
    )


def queue(act: Act, mail: Mail) -> OutboxMessage | None:
    """The outbox step of an action: inside ``act.change()``, so that the message is sent
    only if the change commits."""
    if not act.changing:
        raise RuntimeError("mail is queued inside act.change(): with its change, or not at all")
    return enqueue(mail, act.now, act.actor.username)


def student_mail(
    kind: MailKind, reservation: Reservation, occasion: str, facts: dict[str, Any]
) -> Mail:
    """A message to the reservation's student, in their language (both when unknown)."""
    student = reservation.student
    room = reservation.room
    return Mail(
        key=f"{kind}:{reservation.id}:{occasion}",
        kind=kind,
        recipient=(student.email or "").strip(),
        recipient_name=student.full_name,
        language=student.language,
        student_id=student.id,
        reservation_id=reservation.id,
        residence_id=room.residence_id if room is not None else None,
        facts=facts,
    )


def proposal_mail(reservation: Reservation) -> Mail:
    """The proposal, with the instant its 120 hours end (as the desk shows it)."""
    sent = reservation.proposal_sent_at
    return student_mail(
        MailKind.PROPOSAL,
        reservation,
        sent.isoformat(),
        {
            "sent_at": sent.isoformat(),
            "deadline": proposal_deadline(sent).isoformat(),
            "room": reservation.room.number if reservation.room is not None else "",
        },
    )


def appointment_mail(reservation: Reservation, appointment: Appointment, moved: bool) -> Mail:
    """The arrival appointment booked or moved; its invitation's sequence counts the earlier
    ones, so that a calendar replaces the old slot with the new one."""
    earlier = (
        OutboxMessage.select()
        .where(
            OutboxMessage.kind == MailKind.APPOINTMENT,
            OutboxMessage.reservation_id == reservation.id,
        )
        .count()
    )
    return student_mail(
        MailKind.APPOINTMENT,
        reservation,
        f"{appointment.booked_at.isoformat()}/{appointment.starts_at.isoformat()}",
        {
            "starts_at": appointment.starts_at.isoformat(),
            "ends_at": appointment.ends_at.isoformat(),
            "moved": moved,
            "sequence": earlier,
        },
    )
