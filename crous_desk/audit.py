"""The append-only audit log: who changed what, when, with the values before and after."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from .models import AuditLog, Reservation


def record(
    actor: str,
    at: datetime,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    reservation: Reservation | int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLog:
    """Append one entry; call it inside the transaction that makes the change."""
    reservation_id = reservation.id if isinstance(reservation, Reservation) else reservation
    return AuditLog.create(
        at=at,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=entity_id,
        reservation_id=reservation_id,
        before=_dump(before),
        after=_dump(after),
    )


def _dump(values: dict[str, Any] | None) -> str | None:
    if values is None:
        return None
    return json.dumps(values, ensure_ascii=False, sort_keys=True, default=str)


def history(reservation_id: int, limit: int = 200) -> list[AuditLog]:
    return list(
        AuditLog.select()
        .where(AuditLog.reservation_id == reservation_id)
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .limit(limit)
    )
