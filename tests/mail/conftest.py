"""A real SMTP server (aiosmtpd) on a loopback port, with what arrived read back as parsed
messages; STARTTLS, TLS and a login when asked; the desk's world for the mail tests."""

from __future__ import annotations

import email
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from crous_desk.base.clock import FixedClock
from crous_desk.base.config import Config
from crous_desk.desk.context import Desk
from crous_desk.store.models import Residence, Student
from tests import factories
from tests.factories import MONDAY_10H

USER, PASSWORD = "crous-desk", "s3cret pass phrase"


@dataclass
class Arrived:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes

    @property
    def raw_headers(self) -> bytes:
        return self.raw.split(b"\r\n\r\n", 1)[0]


@dataclass
class Handler:
    """Keeps every message; refuses the recipients listed in ``refuse`` (550) or ``later``
    (451), as a real server would."""

    arrived: list[Arrived] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    later: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        if address in self.later:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.original_content, policy=policy.default)
        self.arrived.append(
            Arrived(envelope.mail_from, list(envelope.rcpt_tos), parsed, envelope.original_content)  # type: ignore[arg-type]
        )
        return "250 2.0.0 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpServer:
    """An aiosmtpd server on 127.0.0.1 that can be stopped and started again on its port."""

    def __init__(self, port: int, **kwargs: Any) -> None:
        self.port = port
        self.kwargs = kwargs
        self.handler = Handler()
        self.controller: Controller | None = None

    def start(self) -> SmtpServer:
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, **self.kwargs
        )
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def arrived(self) -> list[Arrived]:
        return self.handler.arrived


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port()).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (openssl), trusted by the test's smtp_ca_file."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def tls_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certificate[0]), str(certificate[1]))
    return context


def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:  # type: ignore[no-untyped-def]
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login.decode() == USER
        and auth_data.password.decode() == PASSWORD
    )
    return AuthResult(success=ok, handled=False)


def mail_config(server: SmtpServer | None, **values: Any) -> Config:
    base: dict[str, Any] = {
        "mail_from": "CROUS Aix-Marseille <ne-pas-repondre@crous-aix-marseille.fr>",
    }
    if server is not None:
        base |= {"smtp_host": "127.0.0.1", "smtp_port": server.port, "smtp_security": "none"}
    return Config(**(base | values))


class World:
    """A residence with its addresses, a receptionist's desk, an administrator, a clock."""

    def __init__(self) -> None:
        self.residence = factories.residence()
        Residence.update(
            email="accueil.gaston-berger@crous-aix-marseille.fr",
            manager_email="gestion.gaston-berger@crous-aix-marseille.fr",
        ).where(Residence.id == self.residence.id).execute()
        self.residence = Residence.get_by_id(self.residence.id)
        self.clock = FixedClock(MONDAY_10H)
        self.desk = Desk(factories.staff(), self.clock, self.residence)
        self.admin = factories.staff("admin", role="administrator", scope=())

    def at(self, delta: timedelta) -> FixedClock:
        self.clock = FixedClock(MONDAY_10H + delta)
        self.desk = Desk(self.desk.actor, self.clock, self.residence)
        return self.clock

    def desk_for(self, residence: Residence | None, at: Any) -> Desk:
        return Desk(self.admin, FixedClock(at), residence)


@pytest.fixture
def world(database: Any) -> World:
    return World()


def student_of(reservation: Any) -> Student:
    return Student.get_by_id(reservation.student_id)
