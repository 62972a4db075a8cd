"""Builders for the stay's tests: tenants who got their keys through the real desk actions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from crous_desk.base.clock import FixedClock
from crous_desk.services import Desk
from crous_desk.store.models import ALL_MODELS, AuditLog, InspectionItem, Reservation, Room, db
from tests import factories
from tests.factories import MONDAY_10H

LEASE_START = date(2026, 11, 23)
LEASE_END = date(2027, 4, 30)
# Saturday 28 November 2026, 10:00 Paris: the desk is closed (weekend).
SATURDAY_10H = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
# Friday 27 November 2026, 10:00 Paris.
FRIDAY_10H = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def desk_at(when: datetime, username: str = "accueil", residence: Any = None) -> Desk:
    return Desk(factories.staff(username), FixedClock(when), residence or factories.residence())


def manager_at(when: datetime, username: str = "m.durand") -> Desk:
    """The mobility manager's desk (every student in scope): they decide extensions."""
    return Desk(factories.manager(username), FixedClock(when), None)


def ready(
    room: Room | None = None,
    *,
    first: str = "Hélène",
    last: str = "Dupont",
    lease_start: date = LEASE_START,
    lease_end: date = LEASE_END,
    at: datetime = MONDAY_10H,
    states: Mapping[str, str] | None = None,
) -> Reservation:
    """An accepted reservation, file complete, check-in inspection acknowledged (all "good"
    unless ``states`` says otherwise for a label)."""
    r = factories.reservation(
        first=first,
        last=last,
        room_=room,
        documents="verified",
        lease_start=lease_start,
        lease_end=lease_end,
        at=at,
    )
    desk = desk_at(at, residence=r.room.residence)
    inspection = desk.open_inspection(r.id)
    for item in inspection.items.order_by(InspectionItem.position):
        state = (states or {}).get(item.label, "good")
        remark = "as found" if state in ("damaged", "missing") else None
        desk.set_item(item.id, state=state, remark=remark)
    read_meters(desk, inspection.id)
    desk.acknowledge_inspection(inspection.id)
    return r


def tenant(
    room: Room | None = None,
    *,
    first: str = "Hélène",
    last: str = "Dupont",
    lease_start: date = LEASE_START,
    lease_end: date = LEASE_END,
    at: datetime = MONDAY_10H,
    states: Mapping[str, str] | None = None,
) -> Reservation:
    """A tenant who got the keys at ``at`` through Desk.hand_over_keys."""
    r = ready(
        room,
        first=first,
        last=last,
        lease_start=lease_start,
        lease_end=lease_end,
        at=at,
        states=states,
    )
    desk_at(at, "m.martin", residence=r.room.residence).hand_over_keys(r.id)
    return Reservation.get_by_id(r.id)


def addressed(
    desk: Desk, inspection_id: int, address: str = "12 rue de la Paix, 75002 Paris"
) -> int:
    """The check-out ``inspection_id`` with the tenant's new address given and the meters read
    (as the law asks)."""
    from crous_desk.inspections.record import record_forwarding_address

    record_forwarding_address(desk, inspection_id, address)
    read_meters(desk, inspection_id)
    return inspection_id


def read_meters(desk: Desk, inspection_id: int, reading: str = "001234.5") -> None:
    """Every meter of the inspection's room read."""
    from crous_desk.inspections.record import record_meter
    from crous_desk.rules import etat
    from crous_desk.store.models import Inspection

    room = Inspection.get_by_id(inspection_id).room
    for meter in etat.meters_of(room.kind, room.meters):
        record_meter(desk, inspection_id, meter, reading)


def counts() -> dict[str, int]:
    found = {model.__name__: model.select().count() for model in ALL_MODELS}
    found["search_index"] = db.execute_sql("SELECT count(*) FROM search_word").fetchone()[0]
    return found


def dump() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table: a refused action must leave this identical."""
    return {
        model.__name__: [
            dict(row.__data__) for row in model.select().order_by(model._meta.primary_key)
        ]
        for model in ALL_MODELS
    }


def last_audit(action: str | None = None) -> AuditLog:
    query = AuditLog.select()
    if action:
        query = query.where(AuditLog.action == action)
    return query.order_by(AuditLog.id.desc()).get()


def days(n: int) -> timedelta:
    return timedelta(days=n)
