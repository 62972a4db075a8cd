"""The outbox: every e-mail the desk sends is first a row here, written in the transaction of
the change that causes it, then sent by a separate run (``crous-desk mail send`` or a running
desk), each attempt recorded.

A message names the rows it is about by id (no foreign keys: the retention of personal data
deletes a person's messages without being blocked, and an outbox row never blocks deleting a
reservation). What the change said is kept in ``facts`` (JSON: the deadline, the slot…); the
text itself is composed when it is sent.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from peewee import CharField, ForeignKeyField, IntegerField, TextField

from crous_desk.store.fields import InstantField
from crous_desk.store.models import BaseModel


class MailKind(StrEnum):
    PROPOSAL = "proposal"  # the CROUS proposal and its 120-hour deadline
    REMINDER = "reminder"  # 24 hours before an unanswered proposal expires
    APPOINTMENT = "appointment"  # the arrival appointment booked or moved: slip + invitation
    DOCUMENTS = "documents"  # documents still missing, some days before the lease starts
    CLOSING = "closing"  # to the residence manager: the 17:00 list of keys that should be back
    DEADLINES = "deadlines"  # to a mobility manager, each morning: deadlines within 24 hours


class MailState(StrEnum):
    QUEUED = "queued"  # waiting for its next attempt (next_attempt_at)
    SENDING = "sending"  # claimed by a run that is talking to the server
    SENT = "sent"  # the server accepted it: never sent again
    FAILED = "failed"  # given up, with the reason (an administrator may send it again)
    DROPPED = "dropped"  # no longer true when its turn came (answered, moved): not sent


class OutboxMessage(BaseModel):
    key = CharField(unique=True)  # one message per occasion: queueing it twice adds nothing
    kind = CharField()  # MailKind
    state = CharField(default=MailState.QUEUED.value)
    recipient = CharField()  # the one address it goes to ("" when none is known)
    recipient_name = CharField(default="")
    language = CharField(null=True)  # fr | en; None: French and English side by side
    student_id = IntegerField(null=True, index=True)  # the person it is about or sent to
    reservation_id = IntegerField(null=True, index=True)
    residence_id = IntegerField(null=True)
    staff_id = IntegerField(null=True)  # a staff recipient
    facts = TextField(default="{}")  # JSON: what the change said (deadline, slot, day…)
    subject = TextField(default="")  # as last composed
    token = CharField(unique=True)  # the stable part of its Message-ID
    queued_at = InstantField(index=True)
    queued_by = CharField()
    next_attempt_at = InstantField()
    attempts = IntegerField(default=0)
    claim = CharField(null=True)  # the run that is sending it
    claimed_at = InstantField(null=True)
    sent_at = InstantField(null=True)
    last_error = TextField(default="")
    tries: Any

    class Meta:
        table_name = "outbox_message"
        indexes = ((("state", "next_attempt_at"), False),)


class OutboxAttempt(BaseModel):
    """One attempt to send a message, and what came of it."""

    message = ForeignKeyField(OutboxMessage, backref="tries", on_delete="CASCADE")
    at = InstantField()
    outcome = CharField()  # sent | retry | failed | interrupted | dropped
    detail = TextField(default="")
    message_id: Any

    class Meta:
        table_name = "outbox_attempt"


MODELS: list[type[BaseModel]] = [OutboxMessage, OutboxAttempt]
