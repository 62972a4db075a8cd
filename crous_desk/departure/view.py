"""What the departure screen shows: the check-out item by item against the check-in, what it
costs, the keys the tenant still holds, and what stops the departure now."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from crous_desk.desk.action import Act
from crous_desk.desk.context import Desk
from crous_desk.inspections import views as inspections
from crous_desk.money.ledger import balance_of
from crous_desk.rules.condition import Damage, total_cents
from crous_desk.rules.departure import DepartureFacts, departure_blockers, is_early
from crous_desk.rules.status import InspectionKind, KeyState
from crous_desk.store.models import Departure, Inspection, KeySet, Reservation


@dataclass(frozen=True)
class CheckOutItem:
    item_id: int
    position: int
    label: str
    check_in_state: str | None
    check_in_remark: str
    state: str | None
    remark: str
    same: bool  # still at its check-in state
    amount_cents: int | None  # the charge when it got worse


@dataclass
class DepartureView:
    reservation: Reservation
    room: str
    lease_end: date
    today: date
    early: bool
    appointment_at: datetime | None
    departed_at: datetime | None
    check_out: Inspection | None
    items: list[CheckOutItem]
    damages: list[Damage]
    damage_cents: int
    keys_held: list[str]
    blockers: list[str] = field(default_factory=list)
    balance_cents: int = 0  # the stay's ledger, with the check-out's damages once charged


def held_sets(reservation: Reservation) -> list[KeySet]:
    """The key sets the tenant holds, by label."""
    return list(
        KeySet.select()
        .where(KeySet.holder == reservation, KeySet.state == KeyState.OUT)
        .order_by(KeySet.label)
    )


def check_out_items(check_out: Inspection, damages: list[Damage]) -> list[CheckOutItem]:
    """Each check-out item beside its check-in state, and what it costs when it got worse."""
    check_in = inspections.latest(
        check_out.reservation_id, InspectionKind.CHECK_IN, check_out.room_id
    )
    start = {v.position: v for v in inspections.items(check_in.id)} if check_in else {}
    owed = {d.position: d.amount_cents for d in damages}
    rows = []
    for v in inspections.items(check_out.id):
        before = start.get(v.position)
        before_state = before.state if before and before.label == v.label else None
        rows.append(
            CheckOutItem(
                item_id=v.item_id,
                position=v.position,
                label=v.label,
                check_in_state=before_state,
                check_in_remark=before.remark if before else "",
                state=v.state,
                remark=v.remark,
                same=v.state is not None and v.state == before_state,
                amount_cents=owed.get(v.position),
            )
        )
    return rows


def departure_view(desk: Desk, reservation_id: int) -> DepartureView:
    reservation = desk.reservation(reservation_id)
    room = reservation.room
    if room is not None:
        Act(desk, "room.view", "room.view").in_scope(room)  # an action's scope check, for a read
    residence = room.residence if room else desk.residence
    today = desk.today(residence)
    departure = Departure.get_or_none(Departure.reservation == reservation)
    check_out = inspections.latest(reservation, InspectionKind.CHECK_OUT, reservation.room_id)
    found = inspections.compare(check_out) if check_out else []
    blockers = departure_blockers(
        DepartureFacts(
            desk=desk.desk_status(residence),
            status=reservation.status,
            check_out_acknowledged=check_out is not None and check_out.locked,
        )
    )
    return DepartureView(
        reservation=reservation,
        room=room.number if room else "",
        lease_end=reservation.lease_end,
        today=today,
        early=is_early(today, reservation.lease_end),
        appointment_at=departure.appointment_at if departure else None,
        departed_at=departure.departed_at if departure else None,
        check_out=check_out,
        items=check_out_items(check_out, found) if check_out else [],
        damages=found,
        damage_cents=total_cents(found),
        keys_held=[k.label for k in held_sets(reservation)],
        blockers=blockers,
        balance_cents=balance_of(reservation)
        + (total_cents(found) if departure is None or departure.damages_at is None else 0),
    )
