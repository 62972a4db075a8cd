"""``crous-desk mail``: one run of the outbox (for a timer), its state, sending a failed message
again, and the addresses staff mail goes to."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from crous_desk.base.config import Config
from crous_desk.base.i18n import _, ngettext
from crous_desk.cli.common import existing_db, fail, operator_desk, residence_by_code

EXIT_NOT_SENT = 3  # the messages wait in the outbox: no server configured, or none reached


def add_parsers(commands: Any) -> None:
    mail = commands.add_parser("mail", help=_("the e-mail outbox: send, status, again, address"))
    actions = mail.add_subparsers(dest="mail_command", metavar="ACTION", required=True)
    actions.add_parser(
        "send",
        help=_(
            "one run: queue the reminders and lists that are due, then send what waits "
            "(exit 3 when nothing could be sent: no server configured, or none reached)"
        ),
    )
    status = actions.add_parser("status", help=_("the outbox by state, and the failures"))
    status.add_argument("--all", action="store_true", help=_("every message, not the failures"))
    again = actions.add_parser("again", help=_("queue a failed message again"))
    again.add_argument("id", type=int, help=_("the message's number (mail status)"))
    address = actions.add_parser("address", help=_("where staff mail goes"))
    whose = address.add_subparsers(dest="address_of", metavar="WHOSE", required=True)
    residence = whose.add_parser(
        "residence", help=_("the desk's address and the residence manager's")
    )
    residence.add_argument("code")
    residence.add_argument("--desk", metavar="EMAIL", help=_("the desk's address ('' clears it)"))
    residence.add_argument(
        "--manager", metavar="EMAIL", help=_("the 17:00 list of keys goes there ('' clears it)")
    )
    staff = whose.add_parser("staff", help=_("a staff member's address (the morning list)"))
    staff.add_argument("username")
    staff.add_argument("email", help=_("the address ('' clears it)"))
    for parser in (mail, *actions.choices.values(), residence, staff):
        parser.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS)


def cmd_mail(args: argparse.Namespace, config: Config) -> int:
    from crous_desk.mail import set_residence_addresses, set_staff_address
    from crous_desk.outbox import send_again

    existing_db(args, config)
    command = args.mail_command
    if command == "send":
        return _send(config)
    if command == "status":
        return _status(config, every=args.all)
    desk = operator_desk()
    if command == "again":
        message = send_again(desk, args.id)
        print(_("message #{id} is queued again").format(id=message.id))
        return 0
    if args.address_of == "residence":
        residence = residence_by_code(args.code)
        fresh = set_residence_addresses(
            desk, residence.id, desk_email=args.desk, manager_email=args.manager
        )
        print(
            _("{code}: desk {desk}, manager {manager}").format(
                code=fresh.code, desk=fresh.email or "—", manager=fresh.manager_email or "—"
            )
        )
        return 0
    member = set_staff_address(desk, args.username, args.email)
    print(_("{user}: {email}").format(user=member.username, email=member.email or "—"))
    return 0


def _send(config: Config) -> int:
    from crous_desk.base.clock import SystemClock
    from crous_desk.mail import run_as_installation

    report = run_as_installation(config, SystemClock())
    if not report.configured:
        return fail(
            ngettext(
                "no mail server is configured (smtp_host): nothing is sent; {n} message waits "
                "in the outbox",
                "no mail server is configured (smtp_host): nothing is sent; {n} messages wait "
                "in the outbox",
                report.waiting,
            ).format(n=report.waiting),
            EXIT_NOT_SENT,
        )
    print(
        _(
            "mail: {planned} queued by the planner, {sent} sent, {retry} to try again, "
            "{failed} failed, {dropped} dropped; {waiting} waiting"
        ).format(
            planned=report.planned,
            sent=report.sent,
            retry=report.retry,
            failed=report.failed,
            dropped=report.dropped,
            waiting=report.waiting,
        )
    )
    if report.interrupted:
        print(
            ngettext(
                "{n} message was left half-sent by a stopped run: see mail status",
                "{n} messages were left half-sent by a stopped run: see mail status",
                report.interrupted,
            ).format(n=report.interrupted),
            file=sys.stderr,
        )
    if report.server_error:
        return fail(report.server_error, EXIT_NOT_SENT)
    return 0


def _status(config: Config, *, every: bool) -> int:
    from crous_desk.mail.settings import smtp_settings
    from crous_desk.outbox import outbox_counts, outbox_rows
    from crous_desk.outbox.view import kind_label, state_label

    desk = operator_desk()
    settings = smtp_settings(config)
    print(
        _("server: {server}").format(server=settings.describe())
        if settings
        else _("server: none configured (smtp_host): nothing is sent")
    )
    counts = outbox_counts(desk)
    print(", ".join(f"{state_label(state)} {n}" for state, n in counts.items()))
    tz = desk.calendar().tz
    for row in outbox_rows(desk, failures_only=not every):
        print(
            f"#{row.message_id}  {row.queued_at.astimezone(tz):%d/%m/%Y %H:%M}  "
            f"{kind_label(row.kind)}  {state_label(row.state)}  {row.recipient or '—'}  "
            f"{row.reference}  {row.last_error}".rstrip()
        )
    return 0


COMMANDS = {"mail": cmd_mail}
