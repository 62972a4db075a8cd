"""The outbox: a message is queued with its change or not at all, kept while no server is
configured or reachable, sent once when it is back, each attempt recorded; forgotten with the
person it is about."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from crous_desk.base.clock import FixedClock
from crous_desk.base.errors import Problem, Refused
from crous_desk.desk.action import Act, action
from crous_desk.desk.context import Desk
from crous_desk.mail import backoff, run
from crous_desk.mail.sending import CLAIM_TIMEOUT, MAX_ATTEMPTS, claim, due
from crous_desk.outbox import (
    Mail,
    MailKind,
    forget_before,
    forget_person,
    outbox_counts,
    outbox_rows,
    queue,
    send_again,
)
from crous_desk.reservations.proposal import send_proposal
from crous_desk.store.models import Reservation, Student
from crous_desk.store.outbox import MailState, OutboxAttempt, OutboxMessage
from tests import factories
from tests.factories import MONDAY_10H
from tests.mail.conftest import SmtpServer, World, mail_config
from tests.mail.test_smtp_delivery import request


@action("proposal.send")
def _queue_then_fail(act: Act, key: str) -> None:
    with act.change():
        act.audit("thing", None)
        queue(act, Mail(key, MailKind.PROPOSAL, "someone@example.org"))
        raise Refused(Problem("late", "another desk was first"))


def test_a_message_is_queued_with_its_change_or_not_at_all(world: World) -> None:
    r = request(world)
    with pytest.raises(Refused):
        send_proposal(world.desk, r.id, "Z-999")  # refused: no such room, nothing queued
    assert OutboxMessage.select().count() == 0
    with pytest.raises(Refused):
        _queue_then_fail(world.desk, "rolled-back")  # queued, then the change rolled back
    assert OutboxMessage.select().count() == 0
    send_proposal(world.desk, r.id, "B-200")
    [message] = OutboxMessage.select()
    assert (message.kind, message.state, message.reservation_id) == ("proposal", "queued", r.id)
    assert message.queued_by == "accueil" and message.next_attempt_at == MONDAY_10H


def test_queueing_outside_a_change_is_a_programming_error(world: World) -> None:
    @action("proposal.send")
    def outside(act: Act) -> None:
        queue(act, Mail("k", MailKind.PROPOSAL, "a@example.org"))

    with pytest.raises(RuntimeError, match=r"inside act\.change"):
        outside(world.desk)


def test_with_no_server_the_outbox_fills_and_says_nothing_is_sent(world: World) -> None:
    r = request(world)
    send_proposal(world.desk, r.id, "B-200")
    report = run(mail_config(None), world.clock, world.desk_for)
    assert not report.configured and report.sent == 0 and report.waiting == 1
    assert OutboxMessage.get().state == MailState.QUEUED
    assert OutboxMessage.get().attempts == 0  # no server: no attempt either


def test_a_server_down_loses_nothing_and_sends_nothing_twice_once_back(world: World) -> None:
    for n in range(3):
        r = factories.reservation(status="requested", first=f"Élève{n}")
        Reservation.update(room=None).where(Reservation.id == r.id).execute()
        factories.room(world.residence, f"C-{n}")
        send_proposal(world.desk, r.id, f"C-{n}")
    server = SmtpServer(0)
    from tests.mail.conftest import free_port

    server.port = free_port()  # nobody listens there yet
    config = mail_config(server)
    report = run(config, world.clock, world.desk_for)
    assert (report.sent, report.retry, report.waiting) == (0, 3, 3)
    assert "cannot reach the mail server 127.0.0.1" in report.server_error
    for message in OutboxMessage.select():
        assert message.attempts == 1 and message.next_attempt_at == MONDAY_10H + backoff(1)
        assert [t.outcome for t in message.tries] == ["retry"]
    server.start()
    try:
        world.at(timedelta(minutes=1))
        assert run(config, world.clock, world.desk_for).sent == 3
        world.at(timedelta(hours=2))
        assert run(config, world.clock, world.desk_for).sent == 0
        assert len(server.arrived) == 3
        assert sorted(a.rcpt_tos[0] for a in server.arrived) == sorted(
            Student.get_by_id(m.student_id).email for m in OutboxMessage.select()
        )
        assert {m.state for m in OutboxMessage.select()} == {MailState.SENT}
    finally:
        server.stop()


def test_the_wait_doubles_up_to_six_hours_and_then_the_message_fails(world: World) -> None:
    assert [backoff(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert backoff(30) == timedelta(hours=6)
    r = request(world)
    send_proposal(world.desk, r.id, "B-200")
    OutboxMessage.update(attempts=MAX_ATTEMPTS - 1).execute()
    server = SmtpServer(0)
    from tests.mail.conftest import free_port

    server.port = free_port()
    report = run(mail_config(server), world.clock, world.desk_for)
    message = OutboxMessage.get()
    assert report.failed == 1 and message.state == MailState.FAILED
    assert message.last_error.startswith(f"gave up after {MAX_ATTEMPTS} attempts")


def test_two_runs_at_once_send_each_message_once(world: World, smtp: SmtpServer) -> None:
    for n in range(6):
        r = factories.reservation(status="requested", first=f"Élève{n}")
        Reservation.update(room=None).where(Reservation.id == r.id).execute()
        factories.room(world.residence, f"D-{n}")
        send_proposal(world.desk, r.id, f"D-{n}")
    config = mail_config(smtp)
    reports = []
    start = threading.Barrier(2)

    def one() -> None:
        start.wait()
        reports.append(run(config, world.clock, world.desk_for))

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.sent for r in reports) == 6
    assert len(smtp.arrived) == 6
    assert OutboxAttempt.select().count() == 6


def test_a_claimed_message_is_not_claimed_again(world: World) -> None:
    r = request(world)
    send_proposal(world.desk, r.id, "B-200")
    [message_id] = due(MONDAY_10H)
    assert claim(message_id, "run-a", MONDAY_10H) is not None
    assert claim(message_id, "run-b", MONDAY_10H) is None
    assert due(MONDAY_10H) == []


def test_a_run_that_stopped_mid_send_leaves_it_for_the_administrator(
    world: World, smtp: SmtpServer
) -> None:
    r = request(world)
    send_proposal(world.desk, r.id, "B-200")
    [message_id] = due(MONDAY_10H)
    claim(message_id, "a-run-that-died", MONDAY_10H)
    config = mail_config(smtp)
    world.at(CLAIM_TIMEOUT / 2)
    assert run(config, world.clock, world.desk_for).interrupted == 0  # maybe still sending
    world.at(CLAIM_TIMEOUT + timedelta(minutes=1))
    report = run(config, world.clock, world.desk_for)
    assert (report.interrupted, report.sent) == (1, 0)  # not sent again by itself
    message = OutboxMessage.get()
    assert message.state == MailState.FAILED and "may have been delivered" in message.last_error
    admin = Desk(world.admin, world.clock)
    send_again(admin, message.id)  # the administrator decides
    assert run(config, world.clock, world.desk_for).sent == 1
    assert [t.outcome for t in OutboxMessage.get().tries] == ["interrupted", "sent"]


def test_only_a_failed_message_is_sent_again_and_only_by_an_administrator(
    world: World, smtp: SmtpServer
) -> None:
    r = request(world)
    send_proposal(world.desk, r.id, "B-200")
    run(mail_config(smtp), world.clock, world.desk_for)
    message = OutboxMessage.get()
    with pytest.raises(Refused) as refused:
        send_again(Desk(world.admin, world.clock), message.id)
    assert refused.value.codes == ("not_failed",)
    with pytest.raises(Refused) as refused:
        send_again(world.desk, message.id)
    assert refused.value.codes == ("not_permitted",)
    with pytest.raises(Refused) as refused:
        send_again(Desk(world.admin, world.clock), 999)
    assert refused.value.codes == ("not_found",)


def test_the_administrator_reads_the_outbox_and_its_failures(
    world: World, smtp: SmtpServer
) -> None:
    good = request(world)
    send_proposal(world.desk, good.id, "B-200")
    bad = factories.reservation(status="requested", first="Zoé")
    Reservation.update(room=None).where(Reservation.id == bad.id).execute()
    Student.update(email="").where(Student.id == bad.student_id).execute()
    factories.room(world.residence, "B-201")
    send_proposal(world.desk, bad.id, "B-201")
    run(mail_config(smtp), world.clock, world.desk_for)
    admin = Desk(world.admin, world.clock)
    assert outbox_counts(admin) == {
        "queued": 0, "sending": 0, "sent": 1, "failed": 1, "dropped": 0,
    }  # fmt: skip
    [failure] = outbox_rows(admin, failures_only=True)
    assert (failure.reference, failure.last_error) == (
        bad.reference,
        "no e-mail address is recorded",
    )
    assert [row.state for row in outbox_rows(admin)] == ["failed", "sent"]
    with pytest.raises(Refused):
        outbox_rows(world.desk)  # a receptionist does not read the outbox


def test_retention_forgets_a_persons_messages_and_old_ones(world: World, smtp: SmtpServer) -> None:
    kept, forgotten = request(world), request(world, "B-201", first="Zoé")
    send_proposal(world.desk, kept.id, "B-200")
    send_proposal(world.desk, forgotten.id, "B-201")
    run(mail_config(smtp), world.clock, world.desk_for)
    assert forget_person(forgotten.student_id) == 1
    assert [m.reservation_id for m in OutboxMessage.select()] == [kept.id]
    assert OutboxAttempt.select().count() == 1  # the forgotten one's attempts went with it
    # a message still waiting is kept, whatever its age; one done with goes
    later = request(world, "B-202")
    send_proposal(world.desk, later.id, "B-202")
    assert forget_before(MONDAY_10H + timedelta(days=400)) == 1
    assert [m.reservation_id for m in OutboxMessage.select()] == [later.id]
    assert forget_before(MONDAY_10H) == 0
    with pytest.raises(ValueError):
        forget_before(MONDAY_10H.replace(tzinfo=None))


def test_a_key_names_one_occasion_queued_once(world: World) -> None:
    from crous_desk.outbox import enqueue

    mail = Mail("closing:1:2026-11-23", MailKind.CLOSING, "gestion@example.org")
    assert enqueue(mail, MONDAY_10H, "test") is not None
    assert enqueue(mail, MONDAY_10H, "test") is None
    assert OutboxMessage.select().count() == 1
    clock = FixedClock(MONDAY_10H)
    assert clock.now() == MONDAY_10H
