"""One run of the outbox: plan what is due, then send each queued message whose time has
come, one at a time.

Never twice: a message is claimed (a conditional update, in a short write transaction) before
the server hears of it, so two runs — a timer and a desk — never both send it; once the server
accepted it, it is ``sent`` for good. The network is never talked to under the write lock.
A run that stops between the server's answer and recording it leaves the message ``sending``:
the next run, past :data:`CLAIM_TIMEOUT`, marks it failed ("may have been delivered") rather
than risk sending it twice, and an administrator decides (send it again from the outbox).

A server that is down, or says "later" (4xx), costs an attempt and a wait that doubles each
time (:func:`backoff`), up to :data:`MAX_ATTEMPTS`; a refusal for good (5xx: an unknown
address) or an address that is not one fails at once, with its reason.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address

from crous_desk.base.clock import Clock
from crous_desk.base.config import Config
from crous_desk.base.i18n import _
from crous_desk.desk.action import write_transaction
from crous_desk.mail.compose import DeskFor, Dropped, compose, languages_of
from crous_desk.mail.planning import plan
from crous_desk.mail.settings import SmtpSettings, address_problem, sender, smtp_settings
from crous_desk.mail.transport import Connection, Permanent, Temporary, Unreachable, mime
from crous_desk.store.models import Residence
from crous_desk.store.outbox import MailState, OutboxAttempt, OutboxMessage

MAX_ATTEMPTS = 20  # with the doubling wait, a little over three days of trying
MAX_WAIT = timedelta(hours=6)
CLAIM_TIMEOUT = timedelta(minutes=15)  # far longer than a send can take (30 s timeouts)
BATCH = 500


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 1, 2, 4, 8… minutes, at most 6 h."""
    return min(timedelta(minutes=2 ** max(0, min(attempts - 1, 20))), MAX_WAIT)


@dataclass
class RunReport:
    configured: bool = True
    planned: int = 0
    sent: int = 0
    retry: int = 0
    failed: int = 0
    dropped: int = 0
    interrupted: int = 0
    waiting: int = 0  # still queued after the run (later attempts, or no server)
    server_error: str = ""


def due(now: datetime, limit: int = BATCH) -> list[int]:
    query = (
        OutboxMessage.select(OutboxMessage.id)
        .where(OutboxMessage.state == MailState.QUEUED, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    return [m.id for m in query]


def waiting() -> int:
    return int(OutboxMessage.select().where(OutboxMessage.state == MailState.QUEUED).count())


def claim(message_id: int, run: str, now: datetime) -> OutboxMessage | None:
    """Take the message for this run, or None when another run was first."""
    with write_transaction():
        taken = (
            OutboxMessage.update(state=MailState.SENDING, claim=run, claimed_at=now)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.state == MailState.QUEUED,
                OutboxMessage.next_attempt_at <= now,
            )
            .execute()
        )
        return OutboxMessage.get_by_id(message_id) if taken == 1 else None


def record(
    message: OutboxMessage, run: str, outcome: str, detail: str, now: datetime, subject: str = ""
) -> str:
    """One attempt and its result; the message's next state. Returns the state it is left in."""
    attempts = message.attempts + (outcome != "dropped")
    state = {
        "sent": MailState.SENT,
        "failed": MailState.FAILED,
        "dropped": MailState.DROPPED,
        "interrupted": MailState.FAILED,
    }.get(outcome, MailState.QUEUED)
    if outcome == "retry" and attempts >= MAX_ATTEMPTS:
        state = MailState.FAILED
        detail = _("gave up after {n} attempts: {detail}").format(n=attempts, detail=detail)
    changes: dict[str, object] = {
        "state": state,
        "attempts": attempts,
        "claim": None,
        "last_error": "" if state == MailState.SENT else detail,
    }
    if subject:
        changes["subject"] = subject
    if state == MailState.SENT:
        changes["sent_at"] = now
    if state == MailState.QUEUED:
        changes["next_attempt_at"] = now + backoff(attempts)
    with write_transaction():
        OutboxAttempt.create(message=message.id, at=now, outcome=outcome, detail=detail)
        OutboxMessage.update(**changes).where(
            OutboxMessage.id == message.id, OutboxMessage.claim == run
        ).execute()
    return state


def recover_interrupted(now: datetime) -> int:
    """Messages left ``sending`` by a run that stopped: failed, never sent again by itself."""
    stale = list(
        OutboxMessage.select().where(
            OutboxMessage.state == MailState.SENDING,
            OutboxMessage.claimed_at < now - CLAIM_TIMEOUT,
        )
    )
    reason = _(
        "the run sending it stopped before the server's answer was recorded: it may have been "
        "delivered; send it again if the recipient did not get it"
    )
    for message in stale:
        record(message, message.claim or "", "interrupted", reason, now)
    return len(stale)


class _Run:
    def __init__(self, config: Config, clock: Clock, desk_for: DeskFor, settings: SmtpSettings):
        self.clock = clock
        self.desk_for = desk_for
        self.sender: Address = sender(config)
        self.from_name = self.sender.display_name or "crous-desk"
        self.connection = Connection(settings)
        self.token = secrets.token_hex(8)
        self.report = RunReport()

    def one(self, message: OutboxMessage) -> None:
        now = self.clock.now()
        report = self.report
        if report.server_error:  # unreachable: every message waits, each attempt recorded
            self._count(record(message, self.token, "retry", report.server_error, now))
            return
        problem = address_problem(message.recipient)
        if problem:
            report.failed += 1
            record(message, self.token, "failed", problem, now)
            return
        try:
            letter, residence = compose(message, now, self.desk_for, self.sender.addr_spec)
        except Dropped as dropped:
            report.dropped += 1
            record(message, self.token, "dropped", str(dropped), now)
            return
        msg = mime(
            letter,
            sender=self.sender,
            from_name=residence.name if residence is not None else self.from_name,
            recipient=message.recipient,
            recipient_name=message.recipient_name,
            reply_to=_reply_to(residence),
            message_id=f"<{message.token}.{message.id}@{self.sender.domain}>",
            at=now,
            languages=languages_of(message),
        )
        try:
            said = self.connection.send(msg, self.sender.addr_spec, message.recipient)
        except Unreachable as error:
            report.server_error = str(error)
            self._count(record(message, self.token, "retry", str(error), now, letter.subject))
        except Temporary as error:
            self._count(record(message, self.token, "retry", str(error), now, letter.subject))
        except Permanent as error:
            report.failed += 1
            record(message, self.token, "failed", str(error), now, letter.subject)
        else:
            report.sent += 1
            record(message, self.token, "sent", said, self.clock.now(), letter.subject)

    def _count(self, state: str) -> None:
        if state == MailState.FAILED:
            self.report.failed += 1
        else:
            self.report.retry += 1


def _reply_to(residence: Residence | None) -> Address | None:
    if residence is None or not residence.email or address_problem(residence.email):
        return None
    user, _at, domain = residence.email.strip().partition("@")
    return Address(residence.name, user, domain)


def run(config: Config, clock: Clock, desk_for: DeskFor, *, limit: int = BATCH) -> RunReport:
    """Plan what is due, then send what is queued (if a server is configured)."""
    now = clock.now()
    planned = plan(
        now, desk_for, documents_days=config.mail_documents_days,
        morning_hour=config.mail_morning_hour,
    )  # fmt: skip
    interrupted = recover_interrupted(now)
    settings = smtp_settings(config)
    if settings is None:
        return RunReport(
            configured=False, planned=planned, interrupted=interrupted, waiting=waiting()
        )
    work = _Run(config, clock, desk_for, settings)
    work.report.planned = planned
    work.report.interrupted = interrupted
    try:
        for message_id in due(now, limit):
            message = claim(message_id, work.token, clock.now())
            if message is not None:
                work.one(message)
    finally:
        work.connection.close()
    work.report.waiting = waiting()
    return work.report
