"""The outbox step of the desk's actions: a message is queued inside ``act.change()``, so it
commits with the change that causes it, or not at all; what the administrator reads of the
outbox; and how the retention of personal data forgets it. Composing and sending the mail is
``crous_desk.mail``, above every action."""

from crous_desk.outbox.queue import (
    Mail,
    appointment_mail,
    enqueue,
    proposal_mail,
    queue,
    student_mail,
)
from crous_desk.outbox.retention import forget_before, forget_person
from crous_desk.outbox.view import (
    AttemptRow,
    OutboxRow,
    attempts_of,
    outbox_counts,
    outbox_rows,
    send_again,
)
from crous_desk.store.outbox import MailKind, MailState

__all__ = [
    "AttemptRow",
    "Mail",
    "MailKind",
    "MailState",
    "OutboxRow",
    "appointment_mail",
    "attempts_of",
    "enqueue",
    "forget_before",
    "forget_person",
    "outbox_counts",
    "outbox_rows",
    "proposal_mail",
    "queue",
    "send_again",
    "student_mail",
]
