"""Recording an inspection: opened with the room kind's checklist, one state and remark per
item, then acknowledged by the tenant — from then on locked (corrected only by amendments)."""

from __future__ import annotations

from crous_desk.base.errors import Problem
from crous_desk.base.i18n import _, ngettext
from crous_desk.desk.action import Act, action
from crous_desk.inspections.views import latest
from crous_desk.rules import etat
from crous_desk.rules.proposal import effective_status
from crous_desk.rules.reference import inspection_states, room_kinds
from crous_desk.rules.status import InspectionKind, ReservationStatus
from crous_desk.store.models import (
    Inspection,
    InspectionItem,
    InspectionKey,
    MeterReading,
    Reservation,
    Room,
    RoomMove,
    snapshot,
)


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
    *,
    room: Room | None = None,
    keys: dict[str, int] | None = None,
) -> Inspection:
    """A new inspection of ``room`` (the reservation's unless told) with ``lines`` (position,
    label, state) and the keys counted (the room kind's unless told)."""
    room = room or reservation.room
    assert room is not None
    inspection = Inspection.create(
        reservation=reservation, room=room, kind=kind, started_at=act.now, started_by=act.actor
    )
    InspectionItem.insert_many(
        [
            {"inspection": inspection.id, "position": p, "label": label, "state": state}
            for p, label, state in lines
        ]
    ).execute()
    counted = keys if keys is not None else etat.keys_of(room.kind)
    if counted:
        InspectionKey.insert_many(
            [{"inspection": inspection.id, "kind": k, "count": n} for k, n in counted.items()]
        ).execute()
    return inspection


def last_known_lines(room: Room) -> list[tuple[int, str, str | None]]:
    """The room kind's checklist, each item at its last known state: the room's latest
    acknowledged inspection as its amendments left it (None where nothing is known)."""
    from crous_desk.inspections.views import items

    checklist = room_kinds()[room.kind].checklist
    last = (
        Inspection.select()
        .where(Inspection.room == room, Inspection.acknowledged_at.is_null(False))
        .order_by(Inspection.acknowledged_at.desc(), Inspection.id.desc())
        .first()
    )
    known = {v.label: v.state for v in items(last.id)} if last is not None else {}
    return [(i, label, known.get(label)) for i, label in enumerate(checklist)]


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
    existing = latest(reservation, kind, room)
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
    lines = last_known_lines(room)  # a check-in starts from the room's last known state
    with act.change():
        inspection = create(act, reservation, kind, lines)
        act.audit(
            "inspection",
            inspection.id,
            reservation=reservation,
            after={
                "kind": kind,
                "room": room.number,
                "items": len(lines),
                "known": sum(1 for _p, _l, state in lines if state),
            },
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
    """The tenant acknowledges ``inspection``: every item has a state (a remark when damaged or
    missing), the room's meters are read, the keys counted, the new address given at
    check-out; then it locks."""
    if inspection.locked:
        act.check(Problem("already_acknowledged", _("this inspection is already acknowledged")))
    room = inspection.room
    act.check(
        etat.acknowledgement_problems(
            [
                etat.Element(i.label, i.state, i.remark)
                for i in inspection.items.order_by(InspectionItem.position)
            ],
            etat.meters_of(room.kind, room.meters),
            {r.meter: r.reading for r in inspection.readings},
            {k.kind: k.count for k in inspection.keys},
            # a move's check-out: the tenant's new address is the new room
            check_out=inspection.kind == InspectionKind.CHECK_OUT
            and not RoomMove.select().where(RoomMove.check_out == inspection.id).exists(),
            forwarding_address=inspection.forwarding_address,
        )
    )
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


def _open_problem(inspection: Inspection) -> Problem | None:
    if inspection.locked:
        return Problem(
            "inspection_locked", _("this inspection is acknowledged by the tenant and locked")
        )
    return None


@action("inspection.meter", needs="inspection.record", target=Inspection)
def record_meter(act: Act, inspection: Inspection, meter: str, reading: str) -> MeterReading:
    """A meter's index as read with the tenant; read again, it replaces the reading until the
    tenant acknowledges the inspection."""
    act.check(_open_problem(inspection))
    room = inspection.room
    cleaned, problem = etat.reading_problem(meter, etat.meters_of(room.kind, room.meters), reading)
    act.check(problem)
    with act.change():
        before = MeterReading.get_or_none(
            MeterReading.inspection == inspection, MeterReading.meter == meter
        )
        if before is not None:
            MeterReading.update(reading=cleaned, at=act.now, staff=act.actor).where(
                MeterReading.id == before.id
            ).execute()
        else:
            MeterReading.create(
                inspection=inspection, meter=meter, reading=cleaned, at=act.now, staff=act.actor
            )
        act.audit(
            "inspection",
            inspection.id,
            reservation=inspection.reservation_id,
            before={"meter": meter, "reading": before.reading} if before else None,
            after={"meter": meter, "reading": cleaned},
        )
    return MeterReading.get(MeterReading.inspection == inspection, MeterReading.meter == meter)


@action("inspection.keys", needs="inspection.record", target=Inspection)
def record_keys(act: Act, inspection: Inspection, kind: str, count: int) -> InspectionKey:
    """How many keys of a kind are handed over (check-in) or given back (check-out)."""
    act.check(_open_problem(inspection), etat.key_count_problem(kind, count))
    with act.change():
        before = InspectionKey.get_or_none(
            InspectionKey.inspection == inspection, InspectionKey.kind == kind
        )
        if before is not None:
            InspectionKey.update(count=count).where(InspectionKey.id == before.id).execute()
        else:
            InspectionKey.create(inspection=inspection, kind=kind, count=count)
        act.audit(
            "inspection",
            inspection.id,
            reservation=inspection.reservation_id,
            before={"keys": kind, "count": before.count} if before else None,
            after={"keys": kind, "count": count},
        )
    return InspectionKey.get(InspectionKey.inspection == inspection, InspectionKey.kind == kind)


@action("inspection.address", needs="inspection.record", target=Inspection)
def record_forwarding_address(act: Act, inspection: Inspection, address: str) -> Inspection:
    """The tenant's new address, given at check-out (Décret 2016-382)."""
    act.check(_open_problem(inspection))
    if inspection.kind != InspectionKind.CHECK_OUT:
        act.check(
            Problem("not_a_check_out", _("the new address is given at the check-out inspection"))
        )
    address = act.text(address, _("the new address"), required=True)
    with act.change():
        before = inspection.forwarding_address
        changed = (
            Inspection.update(forwarding_address=address)
            .where(Inspection.id == inspection.id, Inspection.acknowledged_at.is_null())
            .execute()
        )
        act.confirm(changed, _("this inspection"))
        act.audit(
            "inspection",
            inspection.id,
            reservation=inspection.reservation_id,
            before={"forwarding_address": before},
            after={"forwarding_address": address},
        )
    return Inspection.get_by_id(inspection.id)
