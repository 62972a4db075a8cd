"""The outbox of an administrator (F9): messages and their states, a failed one on its own and
sent again, a run from the screen; with no mail server it says nothing is sent. Other roles do
not see the key."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from crous_desk.base.clock import SystemClock
from crous_desk.base.config import Config
from crous_desk.reservations.proposal import send_proposal
from crous_desk.store.models import Reservation, Student
from crous_desk.store.outbox import MailState, OutboxMessage
from screens.app import make_app
from screens.outbox import OutboxScreen
from tests import factories
from tests.factories import MONDAY_10H
from tests.mail.conftest import SmtpServer, free_port, mail_config
from tests.tui.driving import cells, highlight, on_screen, until


def two_proposals() -> tuple[Reservation, Reservation]:
    """Two proposals in the outbox, one to a student with no address."""
    from crous_desk.base.clock import FixedClock
    from crous_desk.desk.context import Desk

    residence = factories.residence()
    desk = Desk(factories.staff(), FixedClock(MONDAY_10H), residence)
    made = []
    for first, room in (("Hélène", "B-200"), ("[bold]Zoé", "B-201")):
        r = factories.reservation(status="requested", first=first)
        Reservation.update(room=None).where(Reservation.id == r.id).execute()
        factories.room(residence, room)
        made.append(send_proposal(desk, r.id, room))
    Student.update(email="").where(Student.id == made[1].student_id).execute()
    OutboxMessage.update(recipient="").where(OutboxMessage.reservation_id == made[1].id).execute()
    return made[0], made[1]


def text_of(screen: OutboxScreen, widget: str) -> str:
    return str(screen.query_one(widget, Static).render())


async def test_the_outbox_with_no_server_says_nothing_is_sent(database, at_time):
    at_time(MONDAY_10H)
    two_proposals()
    admin = factories.staff("chef", role="administrator", scope=())
    app = make_app(admin, None, SystemClock(), mail_config(None))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        screen = await on_screen(pilot, OutboxScreen)
        table = screen.query_one("#outbox-messages", DataTable)
        await until(pilot, lambda: table.row_count == 2, "two messages")
        assert "nothing is sent" in text_of(screen, "#outbox-server")
        assert "queued 2" in text_of(screen, "#outbox-title")
        await pilot.press("s")  # a run: planned, not sent
        await until(pilot, lambda: OutboxMessage.select().count() == 2, "the run")
        assert {m.state for m in OutboxMessage.select()} == {MailState.QUEUED}


async def test_a_failure_on_its_own_and_sent_again(database, at_time):
    at_time(MONDAY_10H)
    good, bad = two_proposals()
    server = SmtpServer(free_port()).start()
    try:
        admin = factories.staff("chef", role="administrator", scope=())
        app = make_app(admin, None, SystemClock(), mail_config(server))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("f9")
            screen = await on_screen(pilot, OutboxScreen)
            assert "Mail goes through 127.0.0.1" in text_of(screen, "#outbox-server")
            await pilot.press("s")
            await until(pilot, lambda: "sent 1" in text_of(screen, "#outbox-title"), "sent")
            await pilot.press("f")  # the failures only
            table = screen.query_one("#outbox-messages", DataTable)
            failed = OutboxMessage.get(OutboxMessage.reservation_id == bad.id)
            await until(pilot, lambda: cells(table) == [str(failed.id)], "the failure alone")
            await highlight(pilot, table, str(failed.id))
            await until(
                pilot,
                lambda: "no e-mail address is recorded" in text_of(screen, "#outbox-detail"),
                "its reason",
            )
            await pilot.press("a")
            await until(
                pilot,
                lambda: OutboxMessage.get_by_id(failed.id).state == MailState.QUEUED,
                "queued again",
            )
            await pilot.press("f")
            await until(pilot, lambda: table.row_count == 2, "every message")
        assert len(server.arrived) == 1
        assert server.arrived[0].rcpt_tos == [Student.get_by_id(good.student_id).email]
    finally:
        server.stop()


async def test_only_an_administrator_has_the_outbox(database, at_time):
    at_time(MONDAY_10H)
    factories.residence()
    app = make_app(factories.staff(), None, SystemClock(), Config())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, OutboxScreen)


async def test_a_running_desk_sends_the_outbox(database, at_time):
    at_time(MONDAY_10H)
    good, _bad = two_proposals()
    server = SmtpServer(free_port()).start()
    try:
        config = mail_config(server, mail_interval_minutes=5)
        app = make_app(factories.staff(), None, SystemClock(), config)
        async with app.run_test(size=(80, 24)) as pilot:
            app.send_mail()  # what the timer calls every mail_interval_minutes
            await until(pilot, lambda: len(server.arrived) == 1, "the proposal delivered")
            assert app.mail_problem == ""
        assert server.arrived[0].rcpt_tos == [Student.get_by_id(good.student_id).email]
        broken = make_app(factories.staff(), None, SystemClock(), Config(smtp_host="127.0.0.1"))
        async with broken.run_test(size=(80, 24)) as pilot:
            broken.send_mail()  # no mail_from: the desk goes on, and keeps why
            await until(pilot, lambda: "mail_from" in broken.mail_problem, "the reason kept")
    finally:
        server.stop()
