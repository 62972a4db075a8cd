"""The command line's administration: the "Accueil" import, CSV exports, the audit chain and the
search index. They act as the command-line account ``os:<login>`` (see crous_desk.people.staff;
the staff accounts themselves are crous_desk.cli.staff).

Exit status: 0 done; 1 refused (one line per reason on stderr, nothing written); 2 bad usage;
3 done in part (``import-accueil --skip-invalid`` rejected rows, written to a file).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crous_desk.base.config import Config
from crous_desk.base.errors import Problem, Refused
from crous_desk.base.i18n import _, ngettext
from crous_desk.cli.common import (
    add_replace_option,
    existing_db,
    is_the_database,
    operator_desk,
    option_day,
    progress_bar,
    residence_by_code,
)
from crous_desk.store.target import shown

if TYPE_CHECKING:
    from crous_desk.office.accueil import ImportResult

EXIT_PARTIAL = 3


def add_parsers(commands: Any, common: argparse.ArgumentParser) -> None:
    only_db = argparse.ArgumentParser(add_help=False)
    only_db.add_argument(
        "--db",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help=_("the database: an SQLite file or a postgresql:// URL"),
    )
    imports = commands.add_parser(
        "import-accueil",
        parents=[only_db],
        help=_("import the Accueil list (CSV): students and their stays"),
    )
    imports.add_argument("file", metavar="FILE.csv")
    imports.add_argument(
        "--skip-invalid",
        action="store_true",
        help=_("import the good rows and write the rejected ones to a file (exit 3)"),
    )
    imports.add_argument(
        "--rejected",
        metavar="FILE.csv",
        help=_("where --skip-invalid writes the rejected rows (default: FILE.rejected.csv)"),
    )
    add_replace_option(imports)

    export = commands.add_parser(
        "export",
        parents=[common],
        help=_("write a CSV export: pipeline, arrivals, keylog, audit, ledger"),
    )
    export.add_argument("kind", choices=("pipeline", "arrivals", "keylog", "audit", "ledger"))
    export.add_argument("--out", metavar="FILE.csv", required=True)
    add_replace_option(export)
    export.add_argument("--year", metavar="YYYY-YYYY", help=_("pipeline: the academic year"))
    export.add_argument("--semester", type=int, choices=(1, 2), help=_("pipeline: the semester"))
    export.add_argument("--date", metavar="YYYY-MM-DD", help=_("arrivals: the day (today)"))
    export.add_argument("--from", dest="first", metavar="YYYY-MM-DD", help=_("first day"))
    export.add_argument("--to", dest="last", metavar="YYYY-MM-DD", help=_("last day"))
    export.add_argument("--actor", metavar="USERNAME", help=_("audit: one person's entries"))

    auditing = commands.add_parser("audit", parents=[only_db], help=_("the audit log"))
    audit_actions = auditing.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = audit_actions.add_parser(
        "verify",
        parents=[only_db],
        help=_("check the hash chain: exit 0 when intact, 1 and the first broken entry otherwise"),
    )
    verify.add_argument(
        "--anchor",
        metavar="FILE",
        help=_(
            "hold the log against this anchor log (default: the installation's, "
            "DATABASE.audit-anchors)"
        ),
    )
    audit_actions.add_parser(
        "anchor",
        parents=[only_db],
        help=_("verify the log, then append its head (entries and hash) to the anchor log"),
    )
    commands.add_parser(
        "reindex",
        parents=[only_db],
        help=_("rebuild the search index from the reservations (administrators)"),
    )


# -- import -------------------------------------------------------------------------------------


def cmd_import_accueil(args: argparse.Namespace, config: Config) -> int:
    from crous_desk.office import accueil

    source = Path(args.file)
    text = accueil.read_text(source)
    path = existing_db(args, config)
    checked = accueil.check(text)
    rejected_path = Path(args.rejected) if args.rejected else source.with_suffix(".rejected.csv")
    bad, total = len(checked.bad), len(checked.bad) + len(checked.good)
    if checked.bad and not args.skip_invalid:
        _report_bad(source, checked.bad)
        print(
            "crous-desk: "
            + ngettext(
                "nothing imported: {n} bad row of {total}; correct it, or import the good rows "
                "with --skip-invalid",
                "nothing imported: {n} bad rows of {total}; correct them, or import the good "
                "rows with --skip-invalid",
                bad,
            ).format(n=bad, total=total),
            file=sys.stderr,
        )
        return 1
    if checked.bad:
        if is_the_database(rejected_path, path) or rejected_path.resolve() == source.resolve():
            raise Refused(
                Problem("output_is_input", _("--rejected names the database or the list itself"))
            )
        accueil.write_rejected(rejected_path, checked, replace=args.replace)
    result = accueil.apply(
        operator_desk(),
        checked.good,
        progress=progress_bar(_("rows")) if len(checked.good) >= 200 else None,
        source=source.name,
    )
    print(f"{source.name}: {_imported(result)}")
    if checked.bad:
        _report_bad(source, checked.bad)
        print(
            "crous-desk: "
            + ngettext(
                "{n} row rejected, written to {path}", "{n} rows rejected, written to {path}", bad
            ).format(n=bad, path=rejected_path),
            file=sys.stderr,
        )
        return EXIT_PARTIAL
    return 0


def _report_bad(source: Path, bad: list[Any]) -> None:
    for row in bad:
        print(f"crous-desk: {source.name}: {row.describe()}", file=sys.stderr)


def _imported(result: ImportResult) -> str:
    """What an import did, e.g. "3 new students, 0 updated, 3 new stays, …"."""
    created, updated = result.students_created, result.students_updated
    stays, moved = result.stays_created, result.stays_updated
    parts = (
        (ngettext("{n} new student", "{n} new students", created), created),
        (_("{n} updated"), updated),
        (ngettext("{n} new stay", "{n} new stays", stays), stays),
        (ngettext("{n} stay with new dates", "{n} stays with new dates", moved), moved),
        (_("{n} unchanged"), result.unchanged),
    )
    return ", ".join(text.format(n=n) for text, n in parts)


# -- export -------------------------------------------------------------------------------------


def cmd_export(args: argparse.Namespace, config: Config) -> int:
    from crous_desk.office import exports

    out = Path(args.out)
    first, last = option_day(args.first, "--from"), option_day(args.last, "--to")
    if first and last and first > last:
        raise Refused(
            Problem(
                "dates_order",
                _("--from {first} is after --to {last}").format(first=first, last=last),
            )
        )
    year = getattr(args, "year", None)
    if year is not None:
        parts = year.split("-")
        if not (
            len(parts) == 2
            and all(p.isdigit() and len(p) == 4 for p in parts)
            and int(parts[1]) == int(parts[0]) + 1
        ):
            raise Refused(
                Problem(
                    "academic_year_invalid",
                    _("--year {year!r}: write the academic year as 2026-2027").format(
                        year=year[:20]
                    ),
                )
            )
    day = option_day(args.date, "--date")
    path = existing_db(args, config)
    if is_the_database(out, path):
        raise Refused(
            Problem(
                "output_is_database",
                _("{out} is the database: name another file for the CSV").format(out=out),
            )
        )
    code = getattr(args, "residence", None) or config.residence
    desk = operator_desk(residence_by_code(code) if code else None)
    filters: dict[str, Any] = {}
    if args.kind == "pipeline":
        filters = {"year": args.year, "semester": args.semester}
    elif args.kind == "arrivals":
        filters = {"day": day}
    elif args.kind == "keylog":
        filters = {"first_day": first, "last_day": last}
    elif args.kind == "audit":
        since, until = desk.day_bounds(first, last)
        filters = {"actor": args.actor, "since": since, "until": until}
    count = exports.export(desk, args.kind, out, replace=args.replace, **filters)
    print(ngettext("{out}: {n} row", "{out}: {n} rows", count).format(out=out, n=count))
    return 0


# -- audit and search index --------------------------------------------------------------------


def cmd_audit(args: argparse.Namespace, config: Config) -> int:
    from crous_desk.base.clock import SystemClock
    from crous_desk.store import audit

    existing_db(args, config)
    if args.audit_command == "anchor":
        report, line = audit.anchor_now(SystemClock().now())
        if line is not None:
            print(line)
            return 0
    else:
        anchors = Path(args.anchor) if args.anchor else None
        if anchors is not None and not anchors.is_file():
            raise Refused(
                Problem("no_anchor_log", _("{path}: no such anchor log").format(path=anchors))
            )
        report = audit.verify_chain(progress_bar(_("entries")), anchors=anchors)
        if report.intact:
            print(
                _("audit log intact: {n} entries; head {head}").format(
                    n=report.entries, head=report.head
                )
                + (
                    " "
                    + ngettext(
                        "(signed; held against {n} anchor)",
                        "(signed; held against {n} anchors)",
                        report.anchors,
                    ).format(n=report.anchors)
                    if report.signed
                    else ""
                )
            )
            return 0
    if report.intact:  # anchor: a log without a key yet (nothing was recorded since)
        raise Refused(
            Problem(
                "no_audit_key", _("no audit key yet: nothing to anchor before the first change")
            )
        )
    if report.broken_id is None:
        print(
            _("crous-desk: the audit log cannot be trusted: {reason}").format(reason=report.reason),
            file=sys.stderr,
        )
    else:
        print(
            _("crous-desk: audit log broken at entry #{id}: {reason}").format(
                id=report.broken_id, reason=report.reason
            ),
            file=sys.stderr,
        )
    return 1


def cmd_reindex(args: argparse.Namespace, config: Config) -> int:
    """Rebuild the search index (after a bulk load, or when the search box misses files)."""
    from crous_desk.office.setup import reindex

    path = existing_db(args, config)
    count = reindex(operator_desk())
    print(
        ngettext(
            "{path}: search index rebuilt ({n} reservation)",
            "{path}: search index rebuilt ({n} reservations)",
            count,
        ).format(path=shown(path), n=count)
    )
    return 0


COMMANDS = {
    "import-accueil": cmd_import_accueil,
    "export": cmd_export,
    "audit": cmd_audit,
    "reindex": cmd_reindex,
}
