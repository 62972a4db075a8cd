"""A room's history: every inspection, amendment, charge and tenant (keys handed and given
back, moves in and out), newest first, and the room's last known state item by item — the
state the next check-in starts from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from crous_desk.base.i18n import _
from crous_desk.desk.action import Act
from crous_desk.desk.context import Desk
from crous_desk.inspections.record import last_known_lines
from crous_desk.inspections.views import InspectionRow, room_history
from crous_desk.rules.condition import euros
from crous_desk.rules.status import KeyEvent
from crous_desk.store.models import (
    Charge,
    Inspection,
    InspectionAmendment,
    InspectionItem,
    KeyLog,
    KeySet,
    Reservation,
    Room,
    RoomMove,
    Student,
)


@dataclass(frozen=True)
class RoomEvent:
    at: datetime
    what: str  # inspection | amendment | charge | keys | move
    reference: str
    tenant: str
    detail: str
    amount_cents: int | None = None


@dataclass(frozen=True)
class RoomRecord:
    room: Room
    inspections: list[InspectionRow]
    events: list[RoomEvent]
    last_known: list[tuple[str, str | None]]  # (label, state) the next check-in starts from


def room_record(desk: Desk, room_id: int) -> RoomRecord:
    """What happened in the room, for the actor's residences."""
    inspections = room_history(desk, room_id)  # checks the permission and the scope
    reading = Act(desk, "room.view", "room.view")
    room = reading.get(Room, room_id)
    events: list[RoomEvent] = []
    for row in inspections:
        kind = _("check-in") if row.kind == "check_in" else _("check-out")
        state = (
            _("acknowledged {when}").format(when=row.acknowledged_at.strftime("%d/%m/%Y"))
            if row.acknowledged_at
            else _("not acknowledged")
        )
        events.append(
            RoomEvent(row.started_at, "inspection", row.reference, row.tenant, f"{kind} · {state}")
        )
    for a in (
        InspectionAmendment.select(InspectionAmendment, InspectionItem, Inspection)
        .join(InspectionItem, on=(InspectionAmendment.item == InspectionItem.id))
        .switch(InspectionAmendment)
        .join(Inspection, on=(InspectionAmendment.inspection == Inspection.id))
        .where(Inspection.room == room)
    ):
        r = Reservation.get_by_id(a.inspection.reservation_id)
        change = ", ".join(p for p in (a.state or "", a.remark or "") if p)
        who = _("the tenant's report") if a.by_tenant else _("desk correction")
        events.append(
            RoomEvent(
                a.at,
                "amendment",
                r.reference,
                r.student.full_name,
                f"{_(a.item.label)}: {change} — {a.reason} ({who})",
            )
        )
    for c in Charge.select().where(Charge.room == room):
        payer = Reservation.get_or_none(Reservation.id == c.reservation_id)
        label = _(c.label) if c.kind == "damage" else c.label
        events.append(
            RoomEvent(
                c.at,
                "charge",
                payer.reference if payer else "",
                payer.student.full_name if payer else "",
                f"{label} {c.detail}".strip(),
                c.amount_cents,
            )
        )
    for log in (
        KeyLog.select(KeyLog, KeySet, Reservation, Student)
        .join(KeySet)
        .switch(KeyLog)
        .join(Reservation)
        .join(Student)
        .where(
            KeySet.room == room,
            KeyLog.action.in_([str(KeyEvent.HANDOVER), str(KeyEvent.RETURN)]),
        )
    ):
        text = (
            _("keys handed: {label}")
            if log.action == KeyEvent.HANDOVER
            else _("keys back: {label}")
        ).format(label=log.key_set.label)
        if log.note:
            text += f" ({log.note})"
        holder = log.reservation
        if holder is not None:  # the inner join: always there
            events.append(
                RoomEvent(log.at, "keys", holder.reference, holder.student.full_name, text)
            )
    for m in RoomMove.select().where(
        ((RoomMove.from_room == room) | (RoomMove.to_room == room))
        & RoomMove.moved_at.is_null(False)
    ):
        r = Reservation.get_by_id(m.reservation_id)
        text = (
            _("moved out to {room}").format(room=m.to_room.number)
            if m.from_room_id == room.id
            else _("moved in from {room}").format(room=m.from_room.number)
        )
        events.append(
            RoomEvent(m.moved_at, "move", r.reference, r.student.full_name, f"{text} — {m.reason}")
        )
    events.sort(key=lambda e: e.at, reverse=True)
    return RoomRecord(
        room=room,
        inspections=inspections,
        events=events,
        last_known=[(label, state) for _p, label, state in last_known_lines(room)],
    )


def describe_amount(event: RoomEvent) -> str:
    return euros(event.amount_cents) if event.amount_cents is not None else ""
