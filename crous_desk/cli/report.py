"""``crous-desk report inspection REF --out FILE.pdf``: the tenant's copy of an état des lieux
(the reservation's latest inspection, or the one of ``--kind``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from crous_desk.base.config import Config
from crous_desk.base.errors import Problem, Refused
from crous_desk.base.i18n import _
from crous_desk.cli.common import existing_db, is_the_database, operator_desk, residence_by_code


def add_parsers(commands: Any, common: argparse.ArgumentParser) -> None:
    report = commands.add_parser(
        "report",
        parents=[common],
        help=_("write the tenant's copy of an inspection (état des lieux) as a PDF"),
    )
    report.add_argument("what", choices=("inspection",))
    report.add_argument("reference", metavar="REF", help=_("the reservation reference"))
    report.add_argument("--out", metavar="FILE.pdf", required=True, help=_("the PDF to write"))
    report.add_argument(
        "--kind",
        choices=("check_in", "check_out"),
        help=_("which inspection (default: the latest)"),
    )


def cmd_report(args: argparse.Namespace, config: Config) -> int:
    from crous_desk.office.etat_report import inspection_for, save_report

    out = Path(args.out)
    path = existing_db(args, config)
    if is_the_database(out, path):
        raise Refused(
            Problem(
                "output_is_database",
                _("{out} is the database: name another file for the PDF").format(out=out),
            )
        )
    if out.is_file():
        with out.open("rb") as handle:
            if handle.read(5) != b"%PDF-":
                raise Refused(
                    Problem(
                        "output_not_pdf",
                        _("{out} exists and is not a PDF: it is left as it is").format(out=out),
                    )
                )
    code = getattr(args, "residence", None) or config.residence
    desk = operator_desk(residence_by_code(code) if code else None)
    inspection = inspection_for(desk, args.reference, args.kind)
    save_report(desk, inspection.id, out)
    print(
        _("{out}: the {kind} report of {ref}").format(
            out=out,
            kind=_("check-in") if inspection.kind == "check_in" else _("check-out"),
            ref=inspection.reservation.reference,
        )
    )
    return 0


COMMANDS = {"report": cmd_report}
