"""The e-mails a residence sends: each message of the outbox (``crous_desk.outbox``, queued
with the change that causes it) composed in the student's language — French and English side
by side when it is unknown — as plain text and HTML, with the slip and the invitation for an
arrival appointment; the timed ones planned (reminders, missing documents, the 17:00 keys, the
managers' morning deadlines); and sent through a real SMTP server, once each.

It sits above every desk action, so that composing may use them all (the slip, the keys still
out); the queueing step itself is low, in ``crous_desk.outbox``.
"""

from crous_desk.mail.addresses import set_residence_addresses, set_staff_address
from crous_desk.mail.sending import MAX_ATTEMPTS, RunReport, backoff, run
from crous_desk.mail.settings import SmtpSettings, address_problem, smtp_settings
from crous_desk.mail.system import installation_desk, run_as_installation

__all__ = [
    "MAX_ATTEMPTS",
    "RunReport",
    "SmtpSettings",
    "address_problem",
    "backoff",
    "installation_desk",
    "run",
    "run_as_installation",
    "set_residence_addresses",
    "set_staff_address",
    "smtp_settings",
]
