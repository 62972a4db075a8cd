"""The outbox follows the retention of personal data: a person's messages go with the person,
and every message goes once it is older than the retention period.

Both functions write without a transaction of their own: the retention run calls them inside
its write transaction (``crous_desk.desk.action.write_transaction``), so the messages go with
the rest of the person's data, or stay with it. The texts themselves are never stored (they are
composed when sent), so deleting the rows forgets everything the outbox knew.
"""

from __future__ import annotations

from datetime import datetime

from crous_desk.base.clock import require_aware
from crous_desk.store.models import Reservation
from crous_desk.store.outbox import MailState, OutboxAttempt, OutboxMessage


def _delete(condition: object) -> int:
    doomed = OutboxMessage.select(OutboxMessage.id).where(condition)  # type: ignore[arg-type]
    OutboxAttempt.delete().where(OutboxAttempt.message.in_(doomed)).execute()
    return int(OutboxMessage.delete().where(condition).execute())  # type: ignore[arg-type]


def forget_person(student_id: int) -> int:
    """Delete every message sent to, or about, the student (their reservations included),
    with its attempts; returns how many messages went. The staff lists (closing keys, morning
    deadlines) name students only in their text, which is not stored."""
    reservations = Reservation.select(Reservation.id).where(Reservation.student == student_id)
    return _delete(
        (OutboxMessage.student_id == student_id) | OutboxMessage.reservation_id.in_(reservations)
    )


def forget_before(cutoff: datetime) -> int:
    """Delete the messages queued before ``cutoff`` that are done with (sent, failed or
    dropped), with their attempts; returns how many went. A message still waiting is kept."""
    require_aware(cutoff)
    return _delete(
        (OutboxMessage.queued_at < cutoff)
        & OutboxMessage.state.in_([MailState.SENT, MailState.FAILED, MailState.DROPPED])
    )
