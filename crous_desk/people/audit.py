"""Reading the audit log: who changed what, when, filtered; administrators only on screen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crous_desk.desk import permissions
from crous_desk.desk.context import Desk
from crous_desk.store.models import AuditLog, Reservation


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: int | None
    reservation_id: int | None
    reference: str
    before: str
    after: str
    prev_hash: str
    hash: str


def read(desk: Desk, /, **filters: Any) -> list[AuditRow]:
    """The audit log as the audit screen shows it: administrators only. A filter may name the
    staff member whose entries to show (``actor=``)."""
    permissions.require(desk.actor, "audit.view")
    return entries(**filters)


def entries(
    *,
    actor: str | None = None,
    reservation_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    action: str | None = None,
    limit: int | None = 500,
    newest_first: bool = True,
) -> list[AuditRow]:
    """Entries filtered by who, which reservation, and an interval [since, until)."""
    query = AuditLog.select()
    if actor:
        query = query.where(AuditLog.actor == actor)
    if reservation_id is not None:
        query = query.where(AuditLog.reservation_id == reservation_id)
    if since is not None:
        query = query.where(AuditLog.at >= since)
    if until is not None:
        query = query.where(AuditLog.at < until)
    if action:
        query = query.where(AuditLog.action.startswith(action))
    order = AuditLog.id.desc() if newest_first else AuditLog.id
    query = query.order_by(order)
    if limit is not None:
        query = query.limit(limit)
    rows = list(query)
    refs: dict[int, str] = dict(
        Reservation.select(Reservation.id, Reservation.reference)  # type: ignore[arg-type]
        .where(Reservation.id.in_({r.reservation_id for r in rows if r.reservation_id}))
        .tuples()
    )
    return [
        AuditRow(
            id=r.id,
            at=r.at,
            actor=r.actor,
            action=r.action,
            entity=r.entity,
            entity_id=r.entity_id,
            reservation_id=r.reservation_id,
            reference=refs.get(r.reservation_id or 0, ""),
            before=r.before or "",
            after=r.after or "",
            prev_hash=r.prev_hash or "",
            hash=r.hash or "",
        )
        for r in rows
    ]
