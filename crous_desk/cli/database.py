"""``crous-desk copy``, ``backup`` and ``restore``: moving a residence's database onto a server
(or back), and keeping copies of it while desks work."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from crous_desk.base.config import Config
from crous_desk.base.i18n import _, ngettext
from crous_desk.cli.common import db_path, progress_bar
from crous_desk.store.target import location, shown


def add_parsers(commands: Any) -> None:
    copy = commands.add_parser(
        "copy",
        help=_(
            "copy every row of one database into a new, empty one (an SQLite file onto a "
            "PostgreSQL server, or back), all or nothing"
        ),
    )
    copy.add_argument(
        "--from",
        dest="source",
        metavar="DB",
        required=True,
        help=_("the database copied: an SQLite file or a postgresql:// URL"),
    )
    copy.add_argument(
        "--to",
        dest="target",
        metavar="DB",
        required=True,
        help=_("the new, empty database: an SQLite file or a postgresql:// URL"),
    )

    backup = commands.add_parser(
        "backup",
        help=_(
            "back the database up while desks work (SQLite: an online copy, checked; "
            "PostgreSQL: pg_dump, custom format)"
        ),
    )
    backup.add_argument(
        "--db",
        metavar="DB",
        default=argparse.SUPPRESS,
        help=_("the database: an SQLite file or a postgresql:// URL"),
    )
    backup.add_argument("--out", metavar="FILE", required=True, help=_("the backup file to write"))

    restore = commands.add_parser(
        "restore",
        help=_("restore a backup into a new file, or into an empty PostgreSQL database"),
    )
    restore.add_argument("backup", metavar="FILE", help=_("the backup file"))
    restore.add_argument(
        "--db",
        metavar="DB",
        default=argparse.SUPPRESS,
        help=_("the database: an SQLite file or a postgresql:// URL"),
    )


def cmd_copy(args: argparse.Namespace, config: Config) -> int:
    from crous_desk.store.moving import copy_database

    source, target = location(args.source), location(args.target)
    report = copy_database(source, target, progress_bar(_("rows")))
    print(
        ngettext(
            "{source} → {target}: {rows} row copied in {tables} tables, {entries} audit "
            "entries, chain intact (head {head})",
            "{source} → {target}: {rows} rows copied in {tables} tables, {entries} audit "
            "entries, chain intact (head {head})",
            report.total,
        ).format(
            source=shown(source),
            target=shown(target),
            rows=report.total,
            tables=len(report.rows),
            entries=report.audit_entries,
            head=report.audit_head[:16],
        )
    )
    return 0


def cmd_backup(args: argparse.Namespace, config: Config) -> int:
    from crous_desk.store.backup import backup

    database = db_path(args, config)
    report = backup(database, Path(args.out))
    if report.audit_entries is not None:
        print(
            _(
                "{path}: backup written ({size} bytes), integrity ok, audit chain intact "
                "({entries} entries, head {head})"
            ).format(
                path=report.path,
                size=report.size,
                entries=report.audit_entries,
                head=(report.audit_head or "")[:16],
            )
        )
    else:
        print(
            _("{path}: pg_dump archive written ({size} bytes), readable").format(
                path=report.path, size=report.size
            )
        )
    return 0


def cmd_restore(args: argparse.Namespace, config: Config) -> int:
    from crous_desk.store.backup import restore

    target = db_path(args, config)
    entries, head = restore(Path(args.backup), target)
    print(
        _(
            "{backup} restored into {target}: audit chain intact ({entries} entries, head {head})"
        ).format(backup=args.backup, target=shown(target), entries=entries, head=head[:16]),
        file=sys.stdout,
    )
    return 0


COMMANDS = {"copy": cmd_copy, "backup": cmd_backup, "restore": cmd_restore}
