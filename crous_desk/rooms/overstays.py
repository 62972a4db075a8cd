"""Overstays: no one stays past the lease end, so a tenant still checked in after it is
listed for the desk to follow up (with their keys and any extension they asked for)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from peewee import fn

from crous_desk.desk import permissions
from crous_desk.desk.context import Desk
from crous_desk.rules.status import ExtensionStatus, KeyState, ReservationStatus
from crous_desk.rules.tenancy import overstaying
from crous_desk.store.models import ExtensionRequest, KeySet, Reservation, Room, Student, tuples


@dataclass(frozen=True)
class Overstay:
    reservation_id: int
    reference: str
    name: str
    room: str
    lease_end: date
    days_over: int
    keys_out: int
    pending_extension: date | None  # the end a pending extension request asks for


def overstays(desk: Desk) -> list[Overstay]:
    """Tenants still checked in after their lease end, longest overstay first."""
    permissions.require(desk.actor, "room.view", desk.residence)
    today = desk.today()
    query = (
        Reservation.select(Reservation, Student, Room)
        .join(Student)
        .switch(Reservation)
        .join(Room)
        .where(Reservation.status == ReservationStatus.CHECKED_IN, Reservation.lease_end < today)
    )
    for condition in desk.rooms_where():
        query = query.where(condition)
    found = list(query.order_by(Reservation.lease_end, Room.number))
    ids = [r.id for r in found]
    pending = {
        e.reservation_id: e.requested_end
        for e in ExtensionRequest.select().where(
            ExtensionRequest.reservation.in_(ids),
            ExtensionRequest.status == ExtensionStatus.PENDING,
        )
    }
    held = dict(
        tuples(
            KeySet.select(KeySet.holder, fn.COUNT(KeySet.id))
            .where(KeySet.holder.in_(ids), KeySet.state == KeyState.OUT)
            .group_by(KeySet.holder)
        )
    )
    return [
        Overstay(
            reservation_id=r.id,
            reference=r.reference,
            name=r.student.full_name,
            room=r.room.number if r.room else "",
            lease_end=r.lease_end,
            days_over=(today - r.lease_end).days,
            keys_out=int(held.get(r.id, 0)),
            pending_extension=pending.get(r.id),
        )
        for r in found
        if overstaying(ReservationStatus(r.status), r.lease_end, today)
    ]
