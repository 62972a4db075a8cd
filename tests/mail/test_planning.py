"""The timed messages: each queued when its time comes, once, and only to its recipient — the
reminder of an unanswered proposal, the missing documents, the 17:00 keys to the residence
manager, the morning deadlines to each mobility manager (their own students only)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from crous_desk.base.clock import PARIS
from crous_desk.mail import run
from crous_desk.reservations.proposal import accept, send_proposal
from crous_desk.store.models import KeySet, Reservation, Staff, Student
from crous_desk.store.outbox import MailKind, MailState, OutboxMessage
from tests import factories
from tests.factories import MONDAY_10H
from tests.mail.conftest import SmtpServer, World, mail_config
from tests.mail.test_smtp_delivery import flat, parts, request


def kinds() -> list[str]:
    return [m.kind for m in OutboxMessage.select().order_by(OutboxMessage.id)]


def test_the_reminder_goes_24_hours_before_an_unanswered_proposal_expires(
    world: World, smtp: SmtpServer
) -> None:
    r = request(world, language="en")
    send_proposal(world.desk, r.id, "B-200")
    config = mail_config(smtp)
    run(config, world.clock, world.desk_for)
    world.at(timedelta(hours=95, minutes=59))  # 24 h and a minute before the deadline
    assert run(config, world.clock, world.desk_for).planned == 0
    world.at(timedelta(hours=96))
    assert run(config, world.clock, world.desk_for).planned == 1
    world.at(timedelta(hours=100))
    assert run(config, world.clock, world.desk_for).planned == 0  # once
    assert kinds() == ["proposal", "reminder"]
    reminder = smtp.arrived[-1].message
    assert reminder["Subject"].strip() == (  # (a folded header keeps its fold space)
        f"Reminder: housing proposal {r.reference} expires on 28/11/2026 10:00 (Paris time)"
    )
    assert "Less than 24 hours are left" in flat(parts(reminder)["text/plain"].get_content())


def test_an_answered_proposal_gets_no_reminder_and_one_answered_meanwhile_is_dropped(
    world: World, smtp: SmtpServer
) -> None:
    answered, late = request(world), request(world, "B-201", first="Zoé")
    send_proposal(world.desk, answered.id, "B-200")
    send_proposal(world.desk, late.id, "B-201")
    accept(world.desk, answered.id, "student")
    world.at(timedelta(hours=97))
    config = mail_config(None)  # planned, not sent
    assert run(config, world.clock, world.desk_for).planned == 1
    reminder = OutboxMessage.get(OutboxMessage.kind == MailKind.REMINDER)
    assert reminder.reservation_id == late.id
    accept(world.desk, late.id, "student")  # answered before the reminder went
    report = run(mail_config(smtp), world.clock, world.desk_for)
    assert report.dropped == 3  # the two proposals' letters too: both answered before they went
    assert OutboxMessage.get_by_id(reminder.id).state == MailState.DROPPED
    assert "no longer open (accepted)" in OutboxMessage.get_by_id(reminder.id).last_error
    assert smtp.arrived == []


def test_missing_documents_a_set_number_of_days_before_the_lease(
    world: World, smtp: SmtpServer
) -> None:
    lease = date(2026, 12, 3)  # ten days after Monday 23/11
    incomplete = factories.reservation(documents="received", lease_start=lease, first="Inès")
    factories.reservation(documents="verified", lease_start=lease, first="Zoé")
    config = mail_config(smtp, mail_documents_days=7)
    assert run(config, world.clock, world.desk_for).planned == 0  # ten days before
    world.at(timedelta(days=3))  # seven days before
    assert run(config, world.clock, world.desk_for).planned == 1
    world.at(timedelta(days=4))
    assert run(config, world.clock, world.desk_for).planned == 0  # once per lease start
    [arrived] = smtp.arrived
    assert arrived.rcpt_tos == [Student.get_by_id(incomplete.student_id).email]
    assert "5 documents missing before 03/12/2026" in arrived.message["Subject"]


def tenant_out_of_lease(world: World, room: str, lease_end: date, first: str) -> Reservation:
    r = factories.reservation(
        status="checked_in",
        room_=factories.room(world.residence, room),
        lease_start=date(2026, 9, 1),
        lease_end=lease_end,
        first=first,
    )
    KeySet.update(state="out", holder=r).where(KeySet.room == r.room_id).execute()
    return r


def test_the_closing_list_goes_to_the_residence_manager_after_17h_on_a_working_day(
    world: World, smtp: SmtpServer
) -> None:
    tenant_out_of_lease(world, "E-1", date(2026, 11, 23), "Hélène")  # lease ends today
    tenant_out_of_lease(world, "E-2", date(2026, 12, 31), "Zoé")  # may keep hers
    config = mail_config(smtp)
    assert run(config, world.clock, world.desk_for).planned == 0  # 10:00
    world.at(timedelta(hours=7))  # 17:00 Paris
    assert run(config, world.clock, world.desk_for).planned == 1
    world.at(timedelta(hours=9))
    assert run(config, world.clock, world.desk_for).planned == 0  # once a day
    [arrived] = smtp.arrived
    assert arrived.rcpt_tos == ["gestion.gaston-berger@crous-aix-marseille.fr"]
    text = flat(parts(arrived.message)["text/plain"].get_content())
    assert "GAS/E-1/1" in text and "lease ends today" in text and "bail finissant" in text
    assert "E-2" not in text
    assert "1 key set to get back, 23/11/2026 17:00" in arrived.message["Subject"]
    # the audit log's head, anchored outside the database (issue 13, point 6)
    assert "Audit log anchor (keep it): " in text and " head=" in text
    # Saturday: the desk is closed, no list
    world.at(timedelta(days=5, hours=8))
    assert run(config, world.clock, world.desk_for).planned == 0


def manager_with(address: str, *scope: tuple[str, str]) -> Staff:
    staff = factories.manager(address.split("@")[0], *scope)
    Staff.update(email=address).where(Staff.id == staff.id).execute()
    return Staff.get_by_id(staff.id)


def test_each_mobility_manager_gets_only_their_students_deadlines_each_morning(
    world: World, smtp: SmtpServer
) -> None:
    luminy = manager_with("m.durand@univ-amu.fr", ("campus", "Luminy"))
    manager_with("s.laurent@univ-amu.fr", ("campus", "Aix"))  # nobody of theirs is due
    factories.manager("no.address", ("campus", "*"))  # no address: no mail
    mine, other = request(world), request(world, "B-201", first="Zoé")
    Student.update(campus="Luminy").where(Student.id == mine.student_id).execute()
    Student.update(campus="Marseille").where(Student.id == other.student_id).execute()
    sent = MONDAY_10H - timedelta(hours=100)  # expires Tuesday 24/11 at 06:00 Paris
    for r, room in ((mine, "B-200"), (other, "B-201")):
        send_proposal(world.desk, r.id, room, sent)
    config = mail_config(smtp, mail_morning_hour=8)
    world.clock = world.at(-timedelta(hours=3))  # 07:00 Paris: too early
    run(config, world.clock, world.desk_for)
    assert MailKind.DEADLINES not in kinds()
    world.at(-timedelta(hours=1, minutes=30))  # 08:30
    run(config, world.clock, world.desk_for)
    world.at(timedelta(hours=2))
    run(config, world.clock, world.desk_for)
    lists = [a for a in smtp.arrived if "within 24 hours" in a.message["Subject"]]
    assert [a.rcpt_tos for a in lists] == [["m.durand@univ-amu.fr"]]
    text = flat(parts(lists[0].message)["text/plain"].get_content())
    assert mine.reference in text and "24/11/2026 06:00" in text
    assert other.reference not in text and "Zoé" not in text  # another office's student
    assert lists[0].message["To"].addresses[0].display_name == luminy.display_name


def test_every_message_has_one_recipient(world: World, smtp: SmtpServer) -> None:
    """Whatever the kind, the envelope names one address, the one the outbox row names."""
    test_the_closing_list_goes_to_the_residence_manager_after_17h_on_a_working_day(world, smtp)
    rows: Any = OutboxMessage.select().where(OutboxMessage.state == MailState.SENT)
    by_address = {m.recipient for m in rows}
    assert all(len(a.rcpt_tos) == 1 for a in smtp.arrived)
    assert {a.rcpt_tos[0] for a in smtp.arrived} == by_address
    assert datetime(2026, 11, 23, 17, tzinfo=PARIS) > MONDAY_10H


def test_what_is_no_longer_true_when_its_turn_comes_is_dropped_with_why(
    world: World, smtp: SmtpServer
) -> None:
    from crous_desk.arrivals.appointments import book_appointment, cancel_appointment
    from crous_desk.rules.slots import SlotPolicy
    from crous_desk.store.models import Document

    # an appointment cancelled before its letter went
    booked = factories.reservation(documents="verified", first="Inès")
    book_appointment(world.desk, booked.id, MONDAY_10H + timedelta(days=1), SlotPolicy())
    cancel_appointment(world.desk, booked.id)
    # missing documents planned, then the file completed
    late = factories.reservation(documents="received", lease_start=date(2026, 11, 25))
    run(mail_config(None), world.clock, world.desk_for)
    Document.update(verified_at=MONDAY_10H, verified_by=world.admin).where(
        Document.reservation == late.id
    ).execute()
    # keys out at 17:00, every one back before the list went
    tenant = tenant_out_of_lease(world, "E-9", date(2026, 11, 20), "Zoé")
    world.at(timedelta(hours=7, minutes=5))
    run(mail_config(None), world.clock, world.desk_for)
    KeySet.update(state="desk", holder=None).where(KeySet.room == tenant.room_id).execute()
    # a manager's list planned, then the account disabled
    manager = manager_with("m.durand@univ-amu.fr")
    due = request(world, "B-300", first="Léa")
    send_proposal(world.desk, due.id, "B-300", MONDAY_10H - timedelta(hours=100))
    run(mail_config(None), world.clock, world.desk_for)
    Staff.update(active=False).where(Staff.id == manager.id).execute()
    run(mail_config(smtp), world.clock, world.desk_for)
    why = {
        m.kind: m.last_error
        for m in OutboxMessage.select().where(OutboxMessage.state == MailState.DROPPED)
    }
    assert why == {
        "appointment": "the appointment was cancelled",
        "documents": "the rental file is complete now",
        "closing": "every key set is back",
        "deadlines": "the mobility manager's account is gone or disabled",
    }
