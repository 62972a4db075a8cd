"""``crous-desk person export`` and ``crous-desk retention run``: a person's data on request,
and anonymised when its time is up (crous_desk.office.personal_data)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from crous_desk.base.config import Config
from crous_desk.base.i18n import _, ngettext
from crous_desk.cli.common import add_replace_option, existing_db, operator_desk


def add_parsers(commands: Any) -> None:
    only_db = argparse.ArgumentParser(add_help=False)
    only_db.add_argument(
        "--db",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help=_("the database: an SQLite file or a postgresql:// URL"),
    )
    person = commands.add_parser(
        "person", parents=[only_db], help=_("a person's data: export everything held about them")
    )
    actions = person.add_subparsers(dest="person_command", metavar="ACTION", required=True)
    export = actions.add_parser(
        "export",
        parents=[only_db],
        help=_("everything held about one student, as a JSON file (administrators)"),
    )
    which = export.add_mutually_exclusive_group(required=True)
    which.add_argument("--reservation", metavar="REF", help=_("a reservation of theirs"))
    which.add_argument("--ine", metavar="INE", help=_("their INE"))
    export.add_argument("--out", metavar="FILE.json", required=True)
    add_replace_option(export)

    retention = commands.add_parser(
        "retention", parents=[only_db], help=_("anonymise the people whose time is up")
    )
    steps = retention.add_subparsers(dest="retention_command", metavar="ACTION", required=True)
    run = steps.add_parser(
        "run",
        parents=[only_db],
        help=_(
            "anonymise, under the configuration's retention policy, the requests never "
            "accepted and the tenants who left long enough ago (administrators)"
        ),
    )
    run.add_argument(
        "--dry-run", action="store_true", help=_("list who would be anonymised; change nothing")
    )


def cmd_person(args: argparse.Namespace, config: Config) -> int:
    from crous_desk.office import personal_data

    existing_db(args, config)
    desk = operator_desk()
    student = personal_data.find_student(args.reservation, args.ine)
    out = Path(args.out)
    rows = personal_data.export_person(desk, student.id, out, replace=args.replace)
    print(ngettext("{out}: {n} row", "{out}: {n} rows", rows).format(out=out, n=rows))
    return 0


def cmd_retention(args: argparse.Namespace, config: Config) -> int:
    from crous_desk.office import personal_data

    existing_db(args, config)
    desk = operator_desk()
    found = personal_data.run_retention(
        desk,
        config.retention_request_days,
        config.retention_tenant_years,
        dry_run=args.dry_run,
    )
    for one in found:
        print(
            (_("would anonymise") if args.dry_run else _("anonymised"))
            + f" #{one.student_id} ({', '.join(one.references)}): "
            + (
                _("request ended {since}, kept until {until}")
                if one.rule == "request"
                else _("tenant until {since}, kept until {until}")
            ).format(since=one.since.isoformat(), until=one.until.isoformat())
        )
    if not found:
        print(_("nobody to anonymise"))
    elif not args.dry_run:
        print(
            ngettext("{n} person anonymised", "{n} people anonymised", len(found)).format(
                n=len(found)
            )
        )
    return 0


COMMANDS = {"person": cmd_person, "retention": cmd_retention}
