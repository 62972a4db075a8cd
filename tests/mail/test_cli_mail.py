"""``crous-desk proposal send`` then ``crous-desk mail send``, as a timer would run them, to a
real SMTP server on a loopback port: the deadline the desk shows is the one that arrives; an
appointment brings its slip and invitation; with the server stopped nothing is lost, and once
it is back nothing is sent twice. Without a server, the command says nothing is sent."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crous_desk.arrivals.appointments import book_appointment
from crous_desk.base.clock import SystemClock
from crous_desk.desk.context import Desk
from crous_desk.reservations.proposal import accept
from crous_desk.rules.proposal import format_instant
from crous_desk.rules.slots import SlotPolicy
from crous_desk.services import Desk as Services
from crous_desk.store.db import connect
from crous_desk.store.models import Reservation, Residence, Staff, Student
from crous_desk.store.models import db as proxy
from crous_desk.store.outbox import MailState, OutboxMessage
from tests import factories
from tests.mail.conftest import SmtpServer, free_port
from tests.mail.test_smtp_delivery import flat, parts

CROUS_DESK = str(Path(sys.executable).parent / "crous-desk")


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CROUS_DESK, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, dict[str, str], str]:
    """A database with a residence (its addresses set), a free room and a request; and the
    environment of a command with a configuration naming a mail server on ``port``."""
    path = tmp_path / "desk.db"
    connect(path)
    try:
        residence = factories.residence()
        Residence.update(email="accueil@crous-aix-marseille.fr").execute()
        factories.room(residence, "B-200")
        r = factories.reservation(status="requested", first="Hélène", last="Dupont")
        Reservation.update(room=None, proposal_sent_at=None).where(Reservation.id == r.id).execute()
        Student.update(language="fr").execute()
        reference = r.reference
    finally:
        proxy.obj.close()
        proxy.initialize(None)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROUS_DESK")}
    env |= {"CROUS_DESK_CONFIG": str(tmp_path / "config.toml"), "TZ": "America/New_York"}
    return path, env, reference


def configure(env: dict[str, str], port: int | None) -> None:
    lines = ['mail_from = "CROUS Aix-Marseille <ne-pas-repondre@crous-aix-marseille.fr>"']
    if port is not None:
        lines += ['smtp_host = "127.0.0.1"', f"smtp_port = {port}", 'smtp_security = "none"']
    Path(env["CROUS_DESK_CONFIG"]).write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_proposal_send_then_mail_send_delivers_the_deadline_the_desk_shows(
    setup: tuple[Path, dict[str, str], str],
) -> None:
    path, env, reference = setup
    server = SmtpServer(free_port()).start()
    try:
        configure(env, server.port)
        sent = cli(
            "proposal", "send", reference, "--room", "b-200", "--residence", "gaston-berger",
            "--db", str(path), env=env,
        )  # fmt: skip
        assert sent.returncode == 0, sent.stderr
        mailed = cli("mail", "send", "--db", str(path), env=env)
        assert mailed.returncode == 0, mailed.stderr
        assert "1 sent" in mailed.stdout
        # what the desk shows for this reservation
        connect(path)
        try:
            r = Reservation.get(Reservation.reference == reference)
            admin = factories.staff("admin", role="administrator", scope=())
            shown = format_instant(Services(admin, SystemClock()).file_view(r.id).deadline)
        finally:
            proxy.obj.close()
            proxy.initialize(None)
        assert f"by {shown} (Paris time)" in sent.stdout
        [arrived] = server.arrived
        assert shown in arrived.message["Subject"]
        text = flat(parts(arrived.message)["text/plain"].get_content())
        assert f"Date limite : {shown} (heure de Paris)" in text
    finally:
        server.stop()


def test_a_stopped_server_loses_nothing_and_nothing_goes_twice_once_it_is_back(
    setup: tuple[Path, dict[str, str], str],
) -> None:
    path, env, reference = setup
    port = free_port()
    configure(env, port)
    # an accepted stay books its arrival appointment: the slip and the invitation are queued
    connect(path)
    try:
        r = Reservation.get(Reservation.reference == reference)
        Reservation.update(
            room=factories.room(Residence.get(), "B-300"),
            status="proposed",
            proposal_sent_at=datetime.now(UTC) - timedelta(hours=1),
        ).where(Reservation.id == r.id).execute()
        desk = Desk(factories.staff(), SystemClock(), Residence.get())
        accept(desk, r.id, "student")
        start = next_slot()
        Reservation.update(
            lease_start=start.date(), lease_end=start.date() + timedelta(days=120)
        ).where(Reservation.id == r.id).execute()
        book_appointment(desk, r.id, start, SlotPolicy())
        assert Staff.select().count() >= 1
    finally:
        proxy.obj.close()
        proxy.initialize(None)
    down = cli("mail", "send", "--db", str(path), env=env)
    assert down.returncode == 3
    assert "cannot reach the mail server 127.0.0.1" in down.stderr
    server = SmtpServer(port)
    try:
        # still down a second time: nothing lost (the message waits, two attempts recorded)
        connect(path)
        try:
            OutboxMessage.update(next_attempt_at=datetime.now(UTC)).execute()
        finally:
            proxy.obj.close()
            proxy.initialize(None)
        assert cli("mail", "send", "--db", str(path), env=env).returncode == 3
        server.start()
        for _ in range(2):
            connect(path)
            try:
                OutboxMessage.update(next_attempt_at=datetime.now(UTC)).where(
                    OutboxMessage.state == MailState.QUEUED
                ).execute()
            finally:
                proxy.obj.close()
                proxy.initialize(None)
            back = cli("mail", "send", "--db", str(path), env=env)
            assert back.returncode == 0, back.stderr
        appointments = [a for a in server.arrived if "Rendez-vous" in a.message["Subject"]]
        assert len(appointments) == 1  # sent once, not again on the next run
        found = parts(appointments[0].message)
        assert found["application/pdf"].get_filename() == f"slip-{reference}.pdf"
        assert "BEGIN:VEVENT" in found["text/calendar"].get_content()
        connect(path)
        try:
            message = OutboxMessage.get(OutboxMessage.kind == "appointment")
            assert message.state == MailState.SENT
            assert [t.outcome for t in message.tries] == ["retry", "retry", "sent"]
        finally:
            proxy.obj.close()
            proxy.initialize(None)
    finally:
        server.stop()


def next_slot() -> datetime:
    """A slot of the desk's next working day, at 10:00 Paris (so the test runs any day)."""
    from crous_desk.desk.context import residence_calendar

    calendar = residence_calendar(Residence.get())
    today = SystemClock().now().astimezone(calendar.tz).date()
    day = calendar.first_open_day(today + timedelta(days=1))
    return calendar.opens_at(day) + timedelta(hours=1)


def test_with_no_mail_server_the_command_says_nothing_is_sent(
    setup: tuple[Path, dict[str, str], str],
) -> None:
    path, env, reference = setup
    configure(env, None)
    sent = cli(
        "proposal", "send", reference, "--room", "B-200", "--residence", "gaston-berger",
        "--db", str(path), env=env,
    )  # fmt: skip
    assert sent.returncode == 0, sent.stderr
    mailed = cli("mail", "send", "--db", str(path), env=env)
    assert mailed.returncode == 3
    assert mailed.stderr.strip() == (
        "crous-desk: no mail server is configured (smtp_host): nothing is sent; "
        "1 message waits in the outbox"
    )
    status = cli("mail", "status", "--all", "--db", str(path), env=env)
    assert status.returncode == 0, status.stderr
    assert "server: none configured (smtp_host): nothing is sent" in status.stdout
    assert "queued 1" in status.stdout and reference in status.stdout
