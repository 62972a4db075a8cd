"""The message as MIME (plain text and HTML, attachments) and its way to a real SMTP server:
STARTTLS or TLS, a login when configured, one recipient per message.

Failures come back in two kinds: :class:`Temporary` (the server is down, busy, or said 4xx:
try again later, nothing was accepted) and :class:`Permanent` (the server refused this
message for good, 5xx: an unknown or invalid address — sending it again would fail again).
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from crous_desk.base.i18n import _
from crous_desk.mail.letter import Letter, clean
from crous_desk.mail.settings import SmtpSettings


class Temporary(Exception):
    """Not sent this time; the next attempt may succeed."""


class Unreachable(Temporary):
    """The server cannot be reached or will not let us in: nothing else is tried this run."""


class Permanent(Exception):
    """Refused for good by the server: not tried again."""


def mime(
    letter: Letter,
    *,
    sender: Address,
    from_name: str,
    recipient: str,
    recipient_name: str,
    reply_to: Address | None,
    message_id: str,
    at: datetime,
    languages: tuple[str, ...],
) -> EmailMessage:
    """The message exactly as it goes out: one To, never a Cc or a Bcc."""
    msg = EmailMessage(policy=policy.SMTP)
    msg["Subject"] = clean(letter.subject)
    msg["From"] = Address(clean(from_name), sender.username, sender.domain)
    user, _at, domain = recipient.partition("@")
    msg["To"] = Address(clean(recipient_name), user, domain)
    if reply_to is not None:
        msg["Reply-To"] = reply_to
    msg["Date"] = format_datetime(at)
    msg["Message-ID"] = message_id
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(letter.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(letter.html, subtype="html", charset="utf-8", cte="quoted-printable")
    for attachment in letter.attachments:
        msg.add_attachment(
            attachment.data,
            maintype=attachment.maintype,
            subtype=attachment.subtype,
            filename=attachment.filename,
            params=attachment.params,
        )
    msg["Content-Language"] = ", ".join(languages)  # last: set_content moves Content-* headers
    return msg


class Connection:
    """One session with the server for a whole run, opened at the first message."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def _context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if self.settings.ca_file:
            context.load_verify_locations(cafile=self.settings.ca_file)
        return context

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        try:
            smtp: smtplib.SMTP
            if s.security == "tls":
                smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=self._context())
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
                if s.security == "starttls":
                    smtp.starttls(context=self._context())
            if s.user:
                smtp.login(s.user, s.password or "")
        except smtplib.SMTPAuthenticationError as error:
            raise Unreachable(
                _("the server {server} refused the login of {user}: {error}").format(
                    server=s.describe(), user=s.user, error=_said(error)
                )
            ) from None
        except smtplib.SMTPNotSupportedError as error:
            raise Unreachable(
                _("the server {server} does not support this: {error}").format(
                    server=s.describe(), error=error
                )
            ) from None
        except (OSError, smtplib.SMTPException) as error:
            raise Unreachable(
                _("cannot reach the mail server {server}: {error}").format(
                    server=s.describe(), error=_said(error)
                )
            ) from None
        return smtp

    def send(self, msg: EmailMessage, sender: str, recipient: str) -> str:
        """Hand ``msg`` to the server for ``recipient`` alone; what the server said."""
        if self._smtp is None:
            self._smtp = self._open()
        try:
            refused = self._smtp.send_message(msg, from_addr=sender, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as error:
            code, said = next(iter(error.recipients.values()))
            raise _by_code(
                code,
                _("the server refused the address {address}: {said}").format(
                    address=recipient, said=_text(said)
                ),
            ) from None
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
            raise _by_code(
                error.smtp_code,
                _("the server refused the message: {said}").format(said=_text(error.smtp_error)),
            ) from None
        except (OSError, smtplib.SMTPException) as error:
            self._smtp = None  # the session is gone: the next message opens another
            raise Temporary(
                _("the connection to {server} broke while sending: {error}").format(
                    server=self.settings.describe(), error=_said(error)
                )
            ) from None
        if refused:  # pragma: no cover - one recipient: refused means SMTPRecipientsRefused
            raise Permanent(str(refused))
        return _("accepted by {server}").format(server=self.settings.describe())

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self._smtp = None


def _text(said: bytes | str) -> str:
    return (said.decode("utf-8", "replace") if isinstance(said, bytes) else said).strip()


def _said(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {_text(error.smtp_error)}"
    if isinstance(error, socket.timeout):
        return _("no answer in time")
    return str(error) or type(error).__name__


def _by_code(code: int, text: str) -> Exception:
    return Permanent(f"{code} {text}") if 500 <= code < 600 else Temporary(f"{code} {text}")
