"""The mail server and the sender, from the configuration; the password from a file or the
environment, never from the configuration text. No server configured: nothing is sent, and the
outbox still fills."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.utils import parseaddr
from pathlib import Path

from crous_desk.base.config import Config
from crous_desk.base.errors import Problem, Refused
from crous_desk.base.i18n import _

PASSWORD_ENV = "CROUS_DESK_SMTP_PASSWORD"
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
TIMEOUT_S = 30.0
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # starttls | tls | none
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: str | None = None
    timeout: float = TIMEOUT_S

    def describe(self) -> str:
        return f"{self.host}:{self.port} ({self.security})"


def address_problem(address: str) -> str | None:
    """Why ``address`` cannot receive mail (None when it can)."""
    text = address.strip()
    if not text:
        return Problem("no_address", _("no e-mail address is recorded"))
    if not _ADDRESS.fullmatch(text) or ".." in text or len(text) > 254:
        return Problem(
            "bad_address", _("{address!r} is not an e-mail address").format(address=text[:60])
        )
    return None


def smtp_settings(config: Config) -> SmtpSettings | None:
    """The server mail goes through; None when none is configured (``smtp_host``)."""
    if not config.smtp_host:
        return None
    password = os.environ.get(PASSWORD_ENV)
    if password is None and config.smtp_password_file:
        path = Path(config.smtp_password_file)
        try:
            password = path.read_text(encoding="utf-8").strip("\r\n")
        except (OSError, UnicodeDecodeError) as error:
            raise Refused(
                Problem(
                    "smtp_password_unreadable",
                    _("smtp_password_file {path}: cannot read it ({error})").format(
                        path=path, error=getattr(error, "strerror", None) or error
                    ),
                )
            ) from None
    if config.smtp_user and not password:
        raise Refused(
            Problem(
                "smtp_no_password",
                _(
                    "smtp_user is set but there is no password: name a file with "
                    "smtp_password_file, or set {env}"
                ).format(env=PASSWORD_ENV),
            )
        )
    return SmtpSettings(
        host=config.smtp_host,
        port=config.smtp_port or DEFAULT_PORTS[config.smtp_security],
        security=config.smtp_security,
        user=config.smtp_user,
        password=password if config.smtp_user else None,
        ca_file=config.smtp_ca_file,
    )


def sender(config: Config) -> Address:
    """The From address of every message (``mail_from``)."""
    if not config.mail_from:
        raise Refused(
            Problem(
                "no_mail_from",
                _('set mail_from in the configuration, e.g. "CROUS <noreply@example.org>"'),
            )
        )
    name, address = parseaddr(config.mail_from)
    problem = address_problem(address)
    if problem:
        raise Refused(Problem("bad_mail_from", f"mail_from: {problem}"))
    user, _at, domain = address.partition("@")
    return Address(display_name=name, username=user, domain=domain)
