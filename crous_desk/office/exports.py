"""CSV exports: the pipeline, a day's arrivals, the key log and the audit log.

Names and remarks are data typed by people; a spreadsheet would run a cell that starts with
``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) as a formula. Every text cell that
starts so is written with a leading apostrophe (``'=HYPERLINK(...)``): the cell shows the text
and runs nothing. The file is UTF-8 with a byte-order mark (Excel then reads the accents right),
comma-separated, and appears only once complete. Each export is recorded in the audit log.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from peewee import fn

from crous_desk import keys
from crous_desk.arrivals.slips import arrivals_on, atomic_output
from crous_desk.base.clock import PARIS
from crous_desk.base.errors import Problem, Refused
from crous_desk.base.files import output_problem
from crous_desk.base.i18n import _
from crous_desk.desk import permissions
from crous_desk.desk.action import Act, action
from crous_desk.desk.context import Desk
from crous_desk.money import ledger
from crous_desk.office.pipeline import pipeline, step_label
from crous_desk.people import audit as audit_log
from crous_desk.rules.rental_file import file_problems
from crous_desk.store.models import (
    Departure,
    LedgerMovement,
    Reservation,
    Residence,
    Room,
    Student,
    tuples,
)

KINDS = ("pipeline", "arrivals", "keylog", "audit", "ledger")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str | int:
    """One cell: numbers as they are, instants in Paris time, text guarded against formulas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(PARIS).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    replace: bool = False,
    done: Callable[[int], None] | None = None,
) -> int:
    """Write the rows under ``header`` (a file that exists is refused unless ``replace``);
    returns how many rows were written. ``done(count)`` runs once every row is written, before
    the file appears: if it fails, no file appears."""
    count = 0
    with atomic_output(path, replace=replace) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        writer = csv.writer(text)
        writer.writerow(header)
        for row in rows:
            writer.writerow([csv_cell(v) for v in row])
            count += 1
        text.flush()
        text.detach()
        if done is not None:
            done(count)
    return count


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: list[tuple[Any, ...]]


# -- the tables ---------------------------------------------------------------------------------


def pipeline_table(desk: Desk, *, year: str | None = None, semester: int | None = None) -> Table:
    permissions.require(desk.actor, "export.pipeline")
    found = pipeline(desk, year=year, semester=semester, limit=None)
    header = (
        "reference",
        "first_name",
        "last_name",
        "ine",
        "student_number",
        "home_university",
        "campus",
        "academic_year",
        "semester",
        "step",
        "status",
        "proposal_deadline",
        "hours_left",
        "residence",
        "room",
        "lease_start",
        "lease_end",
        "advance_paid_by",
        "file_missing",
        "extension_requested_until",
    )
    names = {
        s.id: (s.first_name, s.last_name)
        for s in Student.select(Student.id, Student.first_name, Student.last_name).where(
            Student.id.in_({r.student_id for r in found.rows})
        )
    }
    rows = [
        (
            r.reference,
            *names.get(r.student_id, ("", "")),
            r.ine,
            r.student_number,
            r.university,
            r.campus,
            r.academic_year,
            r.semester,
            step_label(r.step),
            r.status,
            r.deadline,
            int(r.time_left.total_seconds() // 3600) if r.time_left is not None else None,
            r.residence,
            r.room,
            r.lease_start,
            r.lease_end,
            r.paid_by,
            "; ".join(r.file_problems),
            r.pending_extension,
        )
        for r in found.rows
    ]
    return Table(header, rows)


def arrivals_table(desk: Desk, day: date) -> Table:
    permissions.require(desk.actor, "export.arrivals", desk.residence)
    from crous_desk.arrivals.appointments import current_appointment
    from crous_desk.reservations.file import facts_of as _facts

    arrivals = arrivals_on(day, desk.residence.id if desk.residence else None)
    by_id = {
        r.id: r
        for r in Reservation.select(Reservation, Student, Room, Residence)
        .join(Student)
        .switch(Reservation)
        .join(Room)
        .join(Residence)
        .where(Reservation.id.in_([a.reservation_id for a in arrivals]))
    }
    visible = {r.id for r in permissions.visible(desk.actor, list(by_id.values()))}
    header = (
        "day",
        "appointment",
        "by",
        "reference",
        "first_name",
        "last_name",
        "ine",
        "residence",
        "room",
        "lease_start",
        "lease_end",
        "file_complete",
        "file_missing",
    )
    rows = []
    for a in arrivals:
        r = by_id.get(a.reservation_id)
        if r is None or r.id not in visible or r.room is None:
            continue
        appointment = current_appointment(r.id) if a.by == "appointment" else None
        facts = {d.kind: _facts(d) for d in r.documents}
        problems = file_problems(facts, r.lease_start, r.lease_end, day)
        rows.append(
            (
                day,
                appointment.starts_at.astimezone(PARIS).strftime("%H:%M") if appointment else "",
                a.by,
                r.reference,
                r.student.first_name,
                r.student.last_name,
                r.student.ine,
                r.room.residence.name,
                r.room.number,
                r.lease_start,
                r.lease_end,
                not problems,
                "; ".join(problems),
            )
        )
    return Table(header, rows)


def keylog_table(
    desk: Desk, *, first_day: date | None = None, last_day: date | None = None
) -> Table:
    permissions.require(desk.actor, "export.keylog", desk.residence)
    found = keys.key_log(desk, first_day=first_day, last_day=last_day, limit=1_000_000)
    header = (
        "at",
        "action",
        "key_set",
        "room",
        "reference",
        "tenant",
        "staff",
        "staff_name",
        "note",
    )
    rows = [
        (
            r.at,
            r.action,
            r.label,
            r.room,
            r.reference,
            r.tenant,
            r.staff,
            r.staff_name,
            r.note,
        )
        for r in reversed(found)  # oldest first, as a ledger reads
    ]
    return Table(header, rows)


def audit_table(
    desk: Desk,
    *,
    actor: str | None = None,
    reservation_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Table:
    permissions.require(desk.actor, "export.audit")
    found = audit_log.entries(
        actor=actor,
        reservation_id=reservation_id,
        since=since,
        until=until,
        limit=None,
        newest_first=False,
    )
    header = (
        "id",
        "at",
        "actor",
        "action",
        "entity",
        "entity_id",
        "reference",
        "before",
        "after",
        "prev_hash",
        "hash",
    )
    rows = [
        (
            e.id,
            e.at,
            e.actor,
            e.action,
            e.entity,
            e.entity_id,
            e.reference,
            e.before,
            e.after,
            e.prev_hash,
            e.hash,
        )
        for e in found
    ]
    return Table(header, rows)


def _euros(cents: int | None) -> Decimal | None:
    """Cents as a decimal a spreadsheet reads as a number: -4500 → -45.00."""
    return None if cents is None else Decimal(cents).scaleb(-2)


def ledger_table(desk: Desk) -> Table:
    """Each stay with money (accepted, current or ended) of the desk's residence, or of the
    actor's residences: the advance, what its ledger holds by kind, and the balance."""
    permissions.require(desk.actor, "export.ledger", desk.residence)
    stays_of = Reservation.status.in_([str(s) for s in ledger.WITH_MONEY])
    if desk.residence is not None:  # from the residence's rooms (an index), not every stay
        stays_of &= Reservation.room.in_(
            Room.select(Room.id).where(Room.residence == desk.residence)
        )
    grant = permissions.grant_of(desk.actor)
    if not grant.administrator and not grant.scope.every_residence:
        stays_of &= Reservation.room.in_(
            Room.select(Room.id)
            .join(Residence)
            .where(Residence.code.in_(sorted(grant.scope.residences)))
        )
    # plain rows, not models, and one grouped query each (not a million ids in IN lists)
    stays = tuples(
        Reservation.select(
            Reservation.id,
            Reservation.reference,
            Student.first_name,
            Student.last_name,
            Residence.code,
            Room.number,
            Reservation.status,
            Reservation.lease_start,
            Reservation.lease_end,
            Reservation.advance_cents,
        )
        .join(Student)
        .switch(Reservation)
        .join(Room)
        .join(Residence)
        .where(stays_of)
        .order_by(Residence.code, Reservation.lease_start, Reservation.reference)
    )
    sums: dict[int, dict[str, int]] = {}
    counts: dict[int, int] = {}
    for reservation_id, kind, total, n in tuples(
        LedgerMovement.select(
            LedgerMovement.reservation,
            LedgerMovement.kind,
            fn.SUM(LedgerMovement.amount_cents),
            fn.COUNT(LedgerMovement.id),
        )
        .join(Reservation)
        .where(stays_of)
        .group_by(LedgerMovement.reservation, LedgerMovement.kind)
    ):
        sums.setdefault(reservation_id, {})[kind] = int(total or 0)
        counts[reservation_id] = counts.get(reservation_id, 0) + int(n)
    closed: dict[int, int | None] = dict(
        tuples(
            Departure.select(Departure.reservation, Departure.open_balance_cents)
            .join(Reservation)
            .where(stays_of, Departure.open_balance_cents.is_null(False))
        )
    )
    header = (
        "reference",
        "tenant",
        "residence",
        "room",
        "status",
        "lease_start",
        "lease_end",
        "advance_eur",
        "deposit_eur",
        "damage_eur",
        "lost_key_eur",
        "payments_eur",
        "refunds_eur",
        "reversals_eur",
        "balance_eur",
        "movements",
        "closed_with_balance_eur",
    )
    rows = []
    for rid, ref, first, last, code, number, status, start, end, advance in stays:
        by_kind = sums.get(rid, {})
        rows.append(
            (
                ref,
                f"{first} {last}",
                code,
                number,
                status,
                start,
                end,
                _euros(advance),
                _euros(-by_kind.get("deposit", 0)),
                _euros(by_kind.get("damage", 0)),
                _euros(by_kind.get("lost_key", 0)),
                _euros(-by_kind.get("payment", 0)),
                _euros(by_kind.get("refund", 0)),
                _euros(by_kind.get("reversal", 0)),
                _euros(sum(by_kind.values())),
                counts.get(rid, 0),
                _euros(closed.get(rid)),
            )
        )
    return Table(header, rows)


# -- writing ------------------------------------------------------------------------------------


def export(desk: Desk, kind: str, out: Path, *, replace: bool = False, **filters: Any) -> int:
    """Write the ``kind`` export to ``out`` (CSV); returns the number of rows. Audited.

    The rows are read and the file written outside the write lock (an export can be long and
    other desks keep working); the audit row is then written by the desk action
    ``export.<kind>`` before the file appears (a busy database: no file, no row). A file that
    exists at ``out`` is refused unless ``replace``."""
    builders: dict[str, Callable[..., Table]] = {
        "pipeline": pipeline_table,
        "arrivals": arrivals_table,
        "keylog": keylog_table,
        "audit": audit_table,
        "ledger": ledger_table,
    }
    if kind not in builders:
        raise Refused(
            Problem(
                "unknown_export",
                _("unknown export {kind!r}: choose one of {kinds}").format(
                    kind=kind, kinds=", ".join(KINDS)
                ),
            )
        )
    problem = output_problem(out, replace=replace)
    if problem:  # before the rows are read
        raise Refused(problem)
    if kind == "arrivals" and filters.get("day") is None:
        filters["day"] = desk.today()
    table = builders[kind](desk, **filters)
    said = {k: str(v) for k, v in filters.items() if v is not None}
    return write_csv(  # the file appears only once its audit row is written
        out,
        table.header,
        table.rows,
        replace=replace,
        done=lambda count: _RECORDED[kind](desk, out.name, count, said),
    )


def _recorded(kind: str) -> Callable[[Desk, str, int, dict[str, str]], None]:
    @action(f"export.{kind}")
    def record(act: Act, file: str, rows: int, filters: dict[str, str]) -> None:
        """The export in the audit log: who wrote how many rows of what, to which file."""
        with act.change():
            act.audit("export", None, after={"rows": rows, "file": file, **filters})

    return record


_RECORDED = {kind: _recorded(kind) for kind in KINDS}


def default_name(kind: str, now: datetime) -> str:
    return f"{kind}-{now.astimezone(PARIS):%Y%m%d-%H%M}.csv"
