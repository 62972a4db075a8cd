"""What arrives at a real SMTP server: the proposal with its deadline, the appointment with its
slip (whose QR code decodes) and its invitation (read by a real iCalendar parser), headers and
accented names encoded, one recipient per message; STARTTLS, TLS and a login."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address
from pathlib import Path
from typing import Any

import icalendar
import pytest

from crous_desk.arrivals.appointments import book_appointment
from crous_desk.arrivals.payload import installation_secret, make_payload
from crous_desk.mail import run
from crous_desk.reservations.proposal import send_proposal
from crous_desk.rules.slots import SlotPolicy
from crous_desk.store.models import Reservation, Room, Student
from crous_desk.store.outbox import MailState, OutboxMessage
from tests import factories
from tests.mail.conftest import (
    PASSWORD,
    USER,
    SmtpServer,
    World,
    authenticator,
    free_port,
    mail_config,
    tls_context,
)

PARIS_TUESDAY_10H = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def request(
    world: World, room: str = "B-200", first: str = "Hélène", **student: Any
) -> Reservation:
    """A request waiting for its proposal (of ``room``, made if need be), for a student with
    these details."""
    r = factories.reservation(status="requested", first=first, last="Dupont-Ørsted")
    Reservation.update(room=None, proposal_sent_at=None).where(Reservation.id == r.id).execute()
    if student:
        Student.update(**student).where(Student.id == r.student_id).execute()
    if not Room.select().where(Room.number == room).exists():
        factories.room(world.residence, room)
    return Reservation.get_by_id(r.id)


def flat(text: str) -> str:
    """The text with its wrapping undone (lines are wrapped at 72 columns)."""
    return " ".join(text.split())


def parts(message: Any) -> dict[str, Any]:
    found = {}
    for part in message.walk():
        if part.get_content_maintype() != "multipart":
            found[part.get_content_type()] = part
    return found


def test_the_proposal_arrives_with_its_deadline_in_paris_and_in_the_students_zone(
    world: World, smtp: SmtpServer
) -> None:
    r = request(world, language="en", timezone="America/Montreal")
    send_proposal(world.desk, r.id, "B-200")
    report = run(mail_config(smtp), world.clock, world.desk_for)
    assert (report.sent, report.failed, report.waiting) == (1, 0, 0)
    [arrived] = smtp.arrived
    message = arrived.message
    student = Student.get_by_id(r.student_id)
    # one recipient, in the envelope and in the headers: no Cc, no Bcc
    assert arrived.rcpt_tos == [student.email]
    assert message["Cc"] is None and message["Bcc"] is None
    to: Address = message["To"].addresses[0]
    assert (to.display_name, to.addr_spec) == ("Hélène Dupont-Ørsted", student.email)
    # on the wire: 7-bit headers, the accented name encoded (RFC 2047)
    assert arrived.raw_headers.isascii()
    assert b"To: =?utf-8?q?H=C3=A9l=C3=A8ne_Dupont-=C3=98rsted?= <" in arrived.raw_headers
    assert message["From"].addresses[0].display_name == "Résidence Gaston Berger"
    assert message["From"].addresses[0].addr_spec == "ne-pas-repondre@crous-aix-marseille.fr"
    assert message["Reply-To"].addresses[0].addr_spec == (
        "accueil.gaston-berger@crous-aix-marseille.fr"
    )
    assert message["Content-Language"] == "en"
    # the 120 hours end on Saturday 28/11/2026 at 10:00 in Paris, 04:00 in Montreal
    assert "28/11/2026 10:00 (Paris time)" in message["Subject"]
    text = flat(parts(message)["text/plain"].get_content())
    html = parts(message)["text/html"].get_content()
    assert "28/11/2026 10:00 (Paris time), Saturday 28 November 2026" in text
    assert "28/11/2026 04:00 (America/Montreal, UTC−05:00)" in text
    assert "B-200" in text and "100 €" in text and "from 23/11/2026 to 30/04/2027" in text
    assert "04 42 93 47 00" in text and "accueil.gaston-berger@crous-aix-marseille.fr" in text
    assert "Vous avez" not in text  # English only: the student's language is known
    assert "28/11/2026 10:00" in html and "<table>" in html
    sent = OutboxMessage.get()
    assert sent.state == MailState.SENT and sent.attempts == 1
    assert message["Message-ID"] == f"<{sent.token}.{sent.id}@crous-aix-marseille.fr>"


def test_without_a_known_language_french_and_english_side_by_side(
    world: World, smtp: SmtpServer
) -> None:
    r = request(world)  # no language, no zone
    send_proposal(world.desk, r.id, "B-200")
    run(mail_config(smtp), world.clock, world.desk_for)
    message = smtp.arrived[0].message
    text = flat(parts(message)["text/plain"].get_content())
    assert message["Content-Language"] == "fr, en"
    assert text.index("[Français]") < text.index("Vous avez 120 heures") < text.index("[English]")
    assert text.index("[English]") < text.index("You have 120 hours")
    assert "28/11/2026 10:00 (heure de Paris), samedi 28 novembre 2026" in text
    assert "Your time" not in text and "Chez vous" not in text  # no zone: Paris only
    assert message["Subject"].startswith("Proposition de logement CROUS")
    assert " / CROUS housing proposal" in message["Subject"]


def book(world: World, r: Reservation, start: datetime) -> None:
    book_appointment(world.desk, r.id, start, SlotPolicy())


def test_the_appointment_brings_the_slip_whose_qr_decodes_and_an_invitation(
    world: World, smtp: SmtpServer, tmp_path: Path
) -> None:
    r = factories.reservation(documents="received", first="Łukasz", last="Nguyễn")
    Student.update(language="fr").where(Student.id == r.student_id).execute()
    book(world, r, PARIS_TUESDAY_10H)
    run(mail_config(smtp), world.clock, world.desk_for)
    # (the lease starts today and the file is not complete: that letter goes too)
    [arrived] = [a for a in smtp.arrived if "Rendez-vous" in a.message["Subject"]]
    found = parts(arrived.message)
    assert "Rendez-vous d'arrivée confirmé : 24/11/2026 à 10:00" in arrived.message["Subject"]
    text = flat(found["text/plain"].get_content())
    assert "mardi 24 novembre 2026, de 10:00 à 10:30 (heure de Paris)" in text
    assert "reçu, pas encore vérifié" in text  # documents received, not checked yet
    pdf = found["application/pdf"]
    assert pdf.get_filename() == f"slip-{r.reference}.pdf"
    (tmp_path / "slip.pdf").write_bytes(pdf.get_content())
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", "slip.pdf", "slip"],
        cwd=tmp_path, check=True,
    )  # fmt: skip
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(tmp_path / "slip.png")],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert decoded == [make_payload(r.reference, installation_secret())]
    invitation = found["text/calendar"]
    assert invitation.get_param("method") == "REQUEST"
    calendar = icalendar.Calendar.from_ical(invitation.get_content())
    [event] = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == PARIS_TUESDAY_10H
    assert event.decoded("DTEND") == PARIS_TUESDAY_10H + timedelta(minutes=30)
    assert str(event["LOCATION"]).startswith("Résidence Gaston Berger, Avenue Gaston Berger")
    assert str(event["ATTENDEE"]) == f"mailto:{Student.get_by_id(r.student_id).email}"
    assert event["ATTENDEE"].params["CN"] == "Łukasz Nguyễn"
    assert int(event["SEQUENCE"]) == 0
    first_uid = str(event["UID"])

    # moved: a second message, the same event (UID) at a later SEQUENCE, the new slot
    book(world, r, PARIS_TUESDAY_10H + timedelta(hours=2))
    run(mail_config(smtp), world.clock, world.desk_for)
    moved = smtp.arrived[-1].message
    assert "déplacé" in moved["Subject"]
    [event] = icalendar.Calendar.from_ical(parts(moved)["text/calendar"].get_content()).walk(
        "VEVENT"
    )
    assert str(event["UID"]) == first_uid and int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == PARIS_TUESDAY_10H + timedelta(hours=2)


def test_an_appointment_moved_before_its_message_went_sends_only_the_new_slot(
    world: World, smtp: SmtpServer
) -> None:
    r = factories.reservation(documents="verified")
    book(world, r, PARIS_TUESDAY_10H)
    book(world, r, PARIS_TUESDAY_10H + timedelta(hours=1))
    report = run(mail_config(smtp), world.clock, world.desk_for)
    assert (report.sent, report.dropped) == (1, 1)
    assert "11:00" in smtp.arrived[0].message["Subject"]
    dropped = OutboxMessage.get(OutboxMessage.state == MailState.DROPPED)
    assert "moved again" in dropped.last_error


def test_an_invalid_address_fails_once_with_its_reason(world: World, smtp: SmtpServer) -> None:
    r = request(world, email="helene.dupont@@example")
    send_proposal(world.desk, r.id, "B-200")
    config = mail_config(smtp)
    assert run(config, world.clock, world.desk_for).failed == 1
    world.at(timedelta(hours=1))
    assert run(config, world.clock, world.desk_for).failed == 0  # not tried again
    message = OutboxMessage.get()
    assert message.state == MailState.FAILED and message.attempts == 1
    assert message.last_error == "'helene.dupont@@example' is not an e-mail address"
    assert [t.outcome for t in message.tries] == ["failed"]
    assert smtp.arrived == []


def test_an_address_the_server_refuses_fails_once_with_what_it_said(
    world: World, smtp: SmtpServer
) -> None:
    r = request(world, email="nobody@example.org")
    smtp.handler.refuse.add("nobody@example.org")
    send_proposal(world.desk, r.id, "B-200")
    config = mail_config(smtp)
    run(config, world.clock, world.desk_for)
    world.at(timedelta(hours=3))
    run(config, world.clock, world.desk_for)
    message = OutboxMessage.get()
    assert message.state == MailState.FAILED and message.attempts == 1
    assert message.last_error.startswith("550 the server refused the address nobody@example.org")
    assert "User unknown" in message.last_error


def test_a_server_that_says_later_is_tried_again_after_a_wait(
    world: World, smtp: SmtpServer
) -> None:
    r = request(world)
    student = Student.get_by_id(r.student_id)
    smtp.handler.later.add(student.email)
    send_proposal(world.desk, r.id, "B-200")
    config = mail_config(smtp)
    assert run(config, world.clock, world.desk_for).retry == 1
    message = OutboxMessage.get()
    assert message.state == MailState.QUEUED and message.attempts == 1
    assert message.next_attempt_at == monday(minutes=1)
    assert message.last_error.startswith("451")
    smtp.handler.later.clear()
    assert run(config, world.clock, world.desk_for).sent == 0  # not yet due
    world.at(timedelta(minutes=1))
    assert run(config, world.clock, world.desk_for).sent == 1
    assert [t.outcome for t in OutboxMessage.get().tries] == ["retry", "sent"]


def monday(**delta: int) -> datetime:
    return factories.MONDAY_10H + timedelta(**delta)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_starttls_and_tls_with_a_login_whose_password_is_in_a_file_or_the_environment(
    world: World,
    certificate: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    security: str,
) -> None:
    context = tls_context(certificate)
    kwargs: dict[str, Any] = {
        "authenticator": authenticator,
        "auth_required": True,
        "auth_require_tls": True,
    }
    if security == "starttls":
        kwargs |= {"tls_context": context, "require_starttls": True}
    else:  # aiosmtpd does not count implicit TLS as TLS for AUTH: the socket is TLS anyway
        kwargs |= {"ssl_context": context, "auth_require_tls": False}
    server = SmtpServer(free_port(), **kwargs).start()
    try:
        values: dict[str, Any] = {
            "smtp_security": security,
            "smtp_user": USER,
            "smtp_ca_file": str(certificate[0]),
        }
        if security == "starttls":
            secret = tmp_path / "smtp-password"
            secret.write_text(PASSWORD + "\n")
            values["smtp_password_file"] = str(secret)
        else:
            monkeypatch.setenv("CROUS_DESK_SMTP_PASSWORD", PASSWORD)
        r = request(world)
        send_proposal(world.desk, r.id, "B-200")
        report = run(mail_config(server, **values), world.clock, world.desk_for)
        assert report.sent == 1, OutboxMessage.get().last_error
        assert len(server.arrived) == 1
    finally:
        server.stop()


def test_a_wrong_password_is_a_server_problem_and_the_message_waits(
    world: World, certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = SmtpServer(
        free_port(),
        tls_context=tls_context(certificate),
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
    ).start()
    try:
        monkeypatch.setenv("CROUS_DESK_SMTP_PASSWORD", "not it")
        r = request(world)
        send_proposal(world.desk, r.id, "B-200")
        config = mail_config(
            server,
            smtp_security="starttls",
            smtp_user=USER,
            smtp_ca_file=str(certificate[0]),
        )
        report = run(config, world.clock, world.desk_for)
        assert (report.sent, report.retry) == (0, 1)
        assert "refused the login of crous-desk" in report.server_error
        assert OutboxMessage.get().state == MailState.QUEUED
    finally:
        server.stop()
