"""Recording an inspection: opened with the room kind's checklist, one state and remark per
item, then acknowledged by the tenant — from then on locked (corrected only by amendments)."""

from __future__ import annotations

from crous_desk.base.errors import Problem
from crous_desk.base.i18n import _, ngettext
from crous_desk.desk.action import Act, action
from crous_desk.inspections.views import latest
from crous_desk.rules.proposal import effective_status
from crous_desk.rules.reference import inspection_states, room_kinds
from crous_desk.rules.status import InspectionKind, ReservationStatus
from crous_desk.store.models import Inspection, InspectionItem, Reservation, snapshot


def state_problem(state: str | None) -> Problem | None:
    if state is None or state in inspection_states():
        return None
    return Problem(
        "unknown_state",
        _("unknown state {state!r}: choose one of {states}").format(
            state=state, states=", ".join(inspection_states())
        ),
    )


def create(
    act: Act,
    reservation: Reservation,
    kind: InspectionKind,
    lines: list[tuple[int, str, str | None]],
) -> Inspection:
    """A new inspection of the reservation's room with ``lines`` (position, label, state)."""
    room = reservation.room
    inspection = Inspection.create(
        reservation=reservation, room=room, kind=kind, started_at=act.now, started_by=act.actor
    )
    InspectionItem.insert_many(
        [
            {"inspection": inspection.id, "position": p, "label": label, "state": state}
            for p, label, state in lines
        ]
    ).execute()
    return inspection


@action("inspection.open", needs="inspection.record", target=Reservation)
def open_inspection(
    act: Act, reservation: Reservation, kind: str = InspectionKind.CHECK_IN
) -> Inspection:
    """The open inspection of that kind, or a new one with the room kind's checklist."""
    room = reservation.room
    if room is None:
        act.refuse(Problem("no_room", _("this reservation has no room yet")))
    if kind not in list(InspectionKind):
        act.refuse(Problem("unknown_kind", _("no inspection of kind {kind!r}").format(kind=kind)))
    kind = InspectionKind(kind)
    existing = latest(reservation, kind)
    if existing is not None:
        return existing
    status = effective_status(reservation.status, reservation.proposal_sent_at, act.now)
    if kind == InspectionKind.CHECK_IN and status not in (
        ReservationStatus.ACCEPTED,
        ReservationStatus.CHECKED_IN,
    ):
        act.check(
            Problem(
                "not_accepted",
                _("the check-in inspection needs an accepted reservation"),
            )
        )
    checklist = room_kinds()[room.kind].checklist
    with act.change():
        inspection = create(
            act, reservation, kind, [(i, label, None) for i, label in enumerate(checklist)]
        )
        act.audit(
            "inspection",
            inspection.id,
            reservation=reservation,
            after={"kind": kind, "room": room.number, "items": len(checklist)},
        )
    return inspection


def change_item(
    act: Act, item: InspectionItem, state: str | None, remark: str | None
) -> InspectionItem:
    """Record a state and/or a remark on an item of an inspection not yet acknowledged."""
    act.check(state_problem(state))
    if remark is not None:
        remark = act.text(remark, _("a remark"))
    if item.inspection.locked:
        act.check(
            Problem(
                "inspection_locked", _("this inspection is acknowledged by the tenant and locked")
            )
        )
    with act.change():
        before = snapshot(item, "state", "remark")
        if state is not None:
            item.state = state
        if remark is not None:
            item.remark = remark
        item.save()
        act.audit(
            "inspection_item",
            item.id,
            reservation=item.inspection.reservation_id,
            before={"label": item.label, **before},
            after={"label": item.label, **snapshot(item, "state", "remark")},
            action="inspection.item",
        )
    return item


@action("inspection.item", needs="inspection.record", target=InspectionItem)
def set_item(
    act: Act, item: InspectionItem, state: str | None = None, remark: str | None = None
) -> InspectionItem:
    """The state (new, good, worn, damaged, missing) and/or the remark of one item."""
    return change_item(act, item, state, remark)


def acknowledge(act: Act, inspection: Inspection) -> Inspection:
    """The tenant acknowledges ``inspection``: every item has a state, and it locks."""
    if inspection.locked:
        act.check(Problem("already_acknowledged", _("this inspection is already acknowledged")))
    unset = [
        _(i.label) for i in inspection.items.order_by(InspectionItem.position) if i.state is None
    ]
    if unset:
        shown = ", ".join(unset[:3]) + ("…" if len(unset) > 3 else "")
        act.check(
            Problem(
                "items_without_state",
                ngettext(
                    "{n} item has no state yet: {items}",
                    "{n} items have no state yet: {items}",
                    len(unset),
                ).format(n=len(unset), items=shown),
            )
        )
    with act.change():
        tenant = inspection.reservation.student.full_name
        changed = (
            Inspection.update(
                acknowledged_at=act.now, acknowledged_by=act.actor, tenant_name=tenant
            )
            .where(Inspection.id == inspection.id, Inspection.acknowledged_at.is_null())
            .execute()
        )
        act.confirm(changed, _("this inspection"))
        act.audit(
            "inspection",
            inspection.id,
            reservation=inspection.reservation_id,
            after={"kind": inspection.kind, "tenant": tenant},
            action="inspection.acknowledge",
        )
    return Inspection.get_by_id(inspection.id)


@action("inspection.acknowledge", needs="inspection.record", target=Inspection)
def acknowledge_inspection(act: Act, inspection: Inspection) -> Inspection:
    """The tenant acknowledges the inspection; from then on it is locked."""
    return acknowledge(act, inspection)
