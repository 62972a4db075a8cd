"""Inspections once the tenant has acknowledged them: locked, corrected only by amendments.

An amendment is a new row (item, new state and/or remark, reason, staff, when); the item as
acknowledged never changes (a trigger refuses it), and the effective state of an item is its
latest amendment's. Each room keeps its inspection history. The damage ledger of a check-out is
kept here too, since a correction of either inspection can change what is owed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from peewee import JOIN, fn

from crous_desk.base.errors import Refused
from crous_desk.base.i18n import _
from crous_desk.desk import permissions
from crous_desk.desk.context import Desk
from crous_desk.desk.stay import record, refuse_if, scope_problem, text_problem, tuples
from crous_desk.money.prices import prices_for
from crous_desk.rules.condition import Damage, ItemState, damages
from crous_desk.rules.reference import inspection_states
from crous_desk.store.models import (
    Charge,
    Departure,
    Inspection,
    InspectionAmendment,
    InspectionItem,
    Reservation,
    Room,
    Staff,
    Student,
    db,
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
    kind: str  # check_in | check_out
    reservation_id: int
    reference: str
    tenant: str
    started_at: datetime
    started_by: str
    acknowledged_at: datetime | None
    amendments: int
    charged_cents: int  # damage charges recorded against this (check-out) inspection


@dataclass(frozen=True)
class InspectionView:
    inspection: Inspection
    items: list[ItemView]
    damages: list[Damage]  # a check-out compared with its check-in; empty for a check-in


def _inspection(inspection_id: int) -> Inspection:
    found = Inspection.get_or_none(Inspection.id == inspection_id)
    if found is None:
        raise Refused(_("no such inspection"))
    return found


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


def item_states(inspection_id: int) -> list[ItemState]:
    return [ItemState(v.position, v.label, v.state) for v in items(inspection_id)]


def latest(reservation_id: int, kind: str) -> Inspection | None:
    return (
        Inspection.select()
        .where(Inspection.reservation == reservation_id, Inspection.kind == kind)
        .order_by(Inspection.id.desc())
        .first()
    )


def compare(check_out: Inspection) -> list[Damage]:
    """Every item of this check-out that is worse than at check-in, priced for its residence."""
    check_in = latest(check_out.reservation_id, "check_in")
    if check_in is None:
        return []
    prices = prices_for(check_out.room.residence_id)
    return damages(item_states(check_in.id), item_states(check_out.id), prices.damage_cents)


def inspection_view(inspection_id: int) -> InspectionView:
    inspection = _inspection(inspection_id)
    return InspectionView(
        inspection=inspection,
        items=items(inspection.id),
        damages=compare(inspection) if inspection.kind == "check_out" else [],
    )


def room_history(desk: Desk, room_id: int) -> list[InspectionRow]:
    """Every inspection of a room, newest first, with who did it and what it cost."""
    permissions.require(desk.actor, "room.view")
    room = Room.get_or_none(Room.id == room_id)
    if room is None:
        raise Refused(_("no room #{id}").format(id=room_id))
    refuse_if([scope_problem(desk, room)])
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
            kind=i.kind,
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


def amend_item(
    desk: Desk,
    item_id: int,
    *,
    reason: str,
    state: str | None = None,
    remark: str | None = None,
) -> InspectionAmendment:
    """Correct an item of an acknowledged inspection: a new amendment, never an edit."""
    permissions.require(desk.actor, "inspection.record")
    now = desk.now()
    with db.atomic():
        item = InspectionItem.get_or_none(InspectionItem.id == item_id)
        if item is None:
            raise Refused(_("no such inspection item"))
        inspection = item.inspection
        problems = [scope_problem(desk, inspection.room)]
        if not inspection.locked:
            problems.append(_("this inspection is not acknowledged yet: change the item itself"))
        if state is not None and state not in inspection_states():
            problems.append(
                _("unknown state {state!r}: choose one of {states}").format(
                    state=state, states=", ".join(inspection_states())
                )
            )
        reason, reason_problem = text_problem(
            reason, _("the reason for the correction"), required=True
        )
        problems.append(reason_problem)
        if remark is not None:
            remark, remark_problem = text_problem(remark, _("a remark"), required=False)
            problems.append(remark_problem)
        current = next(v for v in items(inspection.id) if v.item_id == item.id)
        if state is None and remark is None:
            problems.append(_("give the corrected state or remark"))
        elif (state is None or state == current.state) and (
            remark is None or remark == current.remark
        ):
            problems.append(_("this correction changes nothing"))
        refuse_if(problems)
        amendment = InspectionAmendment.create(
            inspection=inspection,
            item=item,
            state=state,
            remark=remark,
            reason=reason,
            staff=desk.actor,
            at=now,
        )
        record(
            desk,
            now,
            "inspection.amend",
            "inspection_item",
            item.id,
            reservation=inspection.reservation_id,
            before={"label": item.label, "state": current.state, "remark": current.remark},
            after={
                "label": item.label,
                "state": state if state is not None else current.state,
                "remark": remark if remark is not None else current.remark,
                "reason": reason,
            },
        )
        departure = Departure.get_or_none(Departure.reservation == inspection.reservation_id)
        check_out = latest(inspection.reservation_id, "check_out")
        if (
            departure is not None
            and departure.damages_at is not None
            and check_out is not None
            and check_out.locked
        ):
            charge_damages(desk, check_out, now, positions={item.position})
    return amendment


def charge_damages(
    desk: Desk, check_out: Inspection, now: datetime, *, positions: set[int] | None = None
) -> list[Charge]:
    """Bring the check-out's damage charges in line with its damage list (for ``positions``,
    or every item): each difference is a new charge row, so the ledger is never rewritten."""
    owed = {d.position: d for d in compare(check_out)}
    checked = {
        i.position: i
        for i in InspectionItem.select().where(InspectionItem.inspection == check_out.id)
    }
    recorded: dict[int, int] = {}
    for charge in Charge.select().where(Charge.inspection == check_out.id, Charge.kind == "damage"):
        recorded[charge.item_id] = recorded.get(charge.item_id, 0) + charge.amount_cents
    created = []
    for position, item in sorted(checked.items()):
        if positions is not None and position not in positions:
            continue
        damage = owed.get(position)
        already = recorded.get(item.id)
        delta = (damage.amount_cents if damage else 0) - (already or 0)
        if delta == 0:
            continue
        correction = already is not None
        detail = damage.detail if damage else _("no longer worse than at check-in")
        created.append(
            Charge.create(
                reservation=check_out.reservation_id,
                room=check_out.room,
                kind="damage",
                label=item.label,
                detail=_("correction: {detail}").format(detail=detail) if correction else detail,
                amount_cents=delta,
                inspection=check_out,
                item=item,
                at=now,
                staff=desk.actor,
            )
        )
    if created:
        record(
            desk,
            now,
            "departure.damages",
            "inspection",
            check_out.id,
            reservation=check_out.reservation_id,
            after={
                "charges": [
                    {"label": c.label, "detail": c.detail, "amount_cents": c.amount_cents}
                    for c in created
                ]
            },
        )
    return created
