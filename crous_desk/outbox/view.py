"""The outbox as an administrator reads it: every message with its state and attempts, the
failures first when asked, and sending a failed message again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from peewee import fn

from crous_desk.base.errors import Problem
from crous_desk.base.i18n import _
from crous_desk.desk import permissions
from crous_desk.desk.action import Act, action
from crous_desk.desk.context import Desk
from crous_desk.store.models import Reservation, snapshot, tuples
from crous_desk.store.outbox import MailKind, MailState, OutboxAttempt, OutboxMessage

SHOWN = 300


@dataclass(frozen=True)
class OutboxRow:
    message_id: int
    kind: str
    state: str
    recipient: str
    recipient_name: str
    subject: str
    reference: str
    queued_at: datetime
    queued_by: str
    attempts: int
    next_attempt_at: datetime
    sent_at: datetime | None
    last_error: str


@dataclass(frozen=True)
class AttemptRow:
    at: datetime
    outcome: str
    detail: str


def kind_label(kind: str) -> str:
    labels: dict[str, str] = {
        MailKind.PROPOSAL: _("proposal"),
        MailKind.REMINDER: _("reminder"),
        MailKind.APPOINTMENT: _("appointment"),
        MailKind.DOCUMENTS: _("missing documents"),
        MailKind.CLOSING: _("17:00 keys"),
        MailKind.DEADLINES: _("deadlines"),
    }
    return labels.get(kind, kind)


def state_label(state: str) -> str:
    labels: dict[str, str] = {
        MailState.QUEUED: _("queued"),
        MailState.SENDING: _("sending"),
        MailState.SENT: _("sent"),
        MailState.FAILED: _("failed"),
        MailState.DROPPED: _("dropped"),
    }
    return labels.get(state, state)


def outbox_rows(desk: Desk, *, failures_only: bool = False, limit: int = SHOWN) -> list[OutboxRow]:
    """The latest messages, newest first (only the failed ones when asked)."""
    permissions.require(desk.actor, "mail.view")
    query = OutboxMessage.select().order_by(OutboxMessage.id.desc()).limit(limit)
    if failures_only:
        query = query.where(OutboxMessage.state == MailState.FAILED)
    messages = list(query)
    ids = {m.reservation_id for m in messages if m.reservation_id}
    references: dict[int, str] = dict(
        tuples(
            Reservation.select(Reservation.id, Reservation.reference).where(
                Reservation.id.in_(sorted(ids))
            )
        )
    )
    return [
        OutboxRow(
            message_id=m.id,
            kind=m.kind,
            state=m.state,
            recipient=m.recipient,
            recipient_name=m.recipient_name,
            subject=m.subject,
            reference=references.get(m.reservation_id or 0, ""),
            queued_at=m.queued_at,
            queued_by=m.queued_by,
            attempts=m.attempts,
            next_attempt_at=m.next_attempt_at,
            sent_at=m.sent_at,
            last_error=m.last_error,
        )
        for m in messages
    ]


def outbox_counts(desk: Desk) -> dict[str, int]:
    """How many messages are in each state (every state named, zero included)."""
    permissions.require(desk.actor, "mail.view")
    counts = {state.value: 0 for state in MailState}
    query = OutboxMessage.select(OutboxMessage.state, fn.COUNT(OutboxMessage.id)).group_by(
        OutboxMessage.state
    )
    for state, n in tuples(query):
        counts[state] = n
    return counts


def attempts_of(desk: Desk, message_id: int) -> list[AttemptRow]:
    """Every attempt to send one message, oldest first."""
    permissions.require(desk.actor, "mail.view")
    return [
        AttemptRow(a.at, a.outcome, a.detail)
        for a in OutboxAttempt.select()
        .where(OutboxAttempt.message == message_id)
        .order_by(OutboxAttempt.id)
    ]


@action("mail.send_again", needs="mail.manage")
def send_again(act: Act, message_id: int) -> OutboxMessage:
    """Queue a failed (or dropped) message again, due at once: after an address was corrected,
    or when a run stopped before the server's answer was recorded and the recipient did not
    get it."""
    message = OutboxMessage.get_or_none(OutboxMessage.id == message_id)
    if message is None:
        act.refuse(Problem("not_found", _("no message #{id} in the outbox").format(id=message_id)))
    if message.state not in (MailState.FAILED, MailState.DROPPED):
        act.check(
            Problem(
                "not_failed",
                _("message #{id} is {state}: only a failed message is sent again").format(
                    id=message.id, state=state_label(message.state)
                ),
            )
        )
    with act.change():
        before = snapshot(message, "state", "next_attempt_at")
        changed = (
            OutboxMessage.update(state=MailState.QUEUED, next_attempt_at=act.now, claim=None)
            .where(OutboxMessage.id == message.id, OutboxMessage.state == message.state)
            .execute()
        )
        act.confirm(changed, _("message #{id}").format(id=message.id))
        fresh = OutboxMessage.get_by_id(message.id)
        act.audit(
            "outbox_message",
            fresh.id,
            reservation=fresh.reservation_id,
            before=before,
            after=snapshot(fresh, "state", "next_attempt_at"),
        )
    return fresh
