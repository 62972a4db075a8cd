"""Reading inspections: each item as recorded and as its amendments left it, the damages of a
check-out against its check-in, and a room's inspection history.

An acknowledged inspection is locked: a correction is an amendment (a new row: item, new state
and/or remark, reason, staff, when), never an edit, and an item's effective state is its latest
amendment's.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from peewee import JOIN, fn

from crous_desk.desk import permissions
from crous_desk.desk.action import Act
from crous_desk.desk.context import Desk
from crous_desk.money.prices import prices_for
from crous_desk.rules import condition
from crous_desk.rules.condition import Damage
from crous_desk.rules.status import InspectionKind
from crous_desk.store.models import (
    Charge,
    Inspection,
    InspectionAmendment,
    InspectionItem,
    Reservation,
    Room,
    Staff,
    Student,
    tuples,
)


@dataclass(frozen=True)
class AmendmentRow:
    id: int
    at: datetime
    staff: str
    state: str | None
    remark: str | None
    reason: str


@dataclass(frozen=True)
class ItemView:
    """One checklist line: as recorded, and as it stands after its amendments."""

    item_id: int
    position: int
    label: str
    recorded_state: str | None
    recorded_remark: str
    state: str | None
    remark: str
    amendments: tuple[AmendmentRow, ...] = ()

    @property
    def amended(self) -> bool:
        return bool(self.amendments)


@dataclass(frozen=True)
class InspectionRow:
    """A line of a room's inspection history."""

    inspection_id: int
    kind: InspectionKind
    reservation_id: int
    reference: str
    tenant: str
    started_at: datetime
    started_by: str
    acknowledged_at: datetime | None
    amendments: int
    charged_cents: int  # damage charges recorded against this (check-out) inspection


def items(inspection_id: int) -> list[ItemView]:
    """The inspection's items in checklist order, each with its amendments applied."""
    rows = list(
        InspectionItem.select()
        .where(InspectionItem.inspection == inspection_id)
        .order_by(InspectionItem.position)
    )
    amendments: dict[int, list[InspectionAmendment]] = defaultdict(list)
    for a in (
        InspectionAmendment.select(InspectionAmendment, Staff)
        .join(Staff)
        .where(InspectionAmendment.inspection == inspection_id)
        .order_by(InspectionAmendment.id)
    ):
        amendments[a.item_id].append(a)
    views = []
    for item in rows:
        state, remark = item.state, item.remark
        history = []
        for a in amendments.get(item.id, []):
            if a.state is not None:
                state = a.state
            if a.remark is not None:
                remark = a.remark
            history.append(AmendmentRow(a.id, a.at, a.staff.username, a.state, a.remark, a.reason))
        views.append(
            ItemView(
                item_id=item.id,
                position=item.position,
                label=item.label,
                recorded_state=item.state,
                recorded_remark=item.remark,
                state=state,
                remark=remark,
                amendments=tuple(history),
            )
        )
    return views


def item_states(inspection_id: int) -> list[condition.ItemState]:
    """Each item's effective state, as the damage rule compares them."""
    return [condition.ItemState(v.position, v.label, v.state) for v in items(inspection_id)]


def latest(
    reservation: Reservation | int, kind: InspectionKind, room: Room | int | None = None
) -> Inspection | None:
    """The reservation's latest inspection of that kind (of ``room`` when told: a tenant who
    moved has inspections of two rooms)."""
    query = Inspection.select().where(
        Inspection.reservation == reservation, Inspection.kind == kind
    )
    if room is not None:
        query = query.where(Inspection.room == room)
    return query.order_by(Inspection.id.desc()).first()


def compare(check_out: Inspection) -> list[Damage]:
    """Every item of this check-out that is worse than at check-in, priced for its residence."""
    check_in = latest(check_out.reservation_id, InspectionKind.CHECK_IN, check_out.room_id)
    if check_in is None:
        return []
    prices = prices_for(check_out.room.residence_id)
    return condition.damages(
        item_states(check_in.id), item_states(check_out.id), prices.damage_cents
    )


def room_history(desk: Desk, room_id: int) -> list[InspectionRow]:
    """Every inspection of a room, newest first, with who did it and what it cost."""
    permissions.require(desk.actor, "room.view")
    reading = Act(desk, "room.view", "room.view")  # an action's scope check, for a read
    room = reading.get(Room, room_id)
    reading.in_scope(room)
    amended = dict(
        tuples(
            InspectionAmendment.select(
                InspectionAmendment.inspection, fn.COUNT(InspectionAmendment.id)
            )
            .join(Inspection)
            .where(Inspection.room == room)
            .group_by(InspectionAmendment.inspection)
        )
    )
    charged = dict(
        tuples(
            Charge.select(Charge.inspection, fn.SUM(Charge.amount_cents))
            .where(Charge.room == room, Charge.inspection.is_null(False))
            .group_by(Charge.inspection)
        )
    )
    rows = (
        Inspection.select(Inspection, Reservation, Student, Staff)
        .join(Reservation)
        .join(Student)
        .switch(Inspection)
        .join(Staff, JOIN.INNER, on=(Inspection.started_by == Staff.id))
        .where(Inspection.room == room)
        .order_by(Inspection.started_at.desc(), Inspection.id.desc())
    )
    return [
        InspectionRow(
            inspection_id=i.id,
            kind=InspectionKind(i.kind),
            reservation_id=i.reservation.id,
            reference=i.reservation.reference,
            tenant=i.reservation.student.full_name,
            started_at=i.started_at,
            started_by=i.started_by.username,
            acknowledged_at=i.acknowledged_at,
            amendments=int(amended.get(i.id, 0)),
            charged_cents=int(charged.get(i.id, 0) or 0),
        )
        for i in rows
    ]
