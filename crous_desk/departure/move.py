"""Moving a tenant to another room during the stay.

First the move is prepared (:func:`prepare_move`): the check-out inspection of the room they
leave (from its check-in, each item "same") and the check-in inspection of the room they go to
(from that room's last known state) are opened, to be walked with the tenant and acknowledged
as any other. Then :func:`move_room` does the rest in one action, at the desk in desk hours —
or refuses with every reason and changes nothing: the keys of the old room back, a key set of
the new one handed, the old room's damages charged to the stay's ledger, the old room to
inspect and the new one occupied, the reservation in its new room; the lease is unchanged
unless the desk decides a new end. The file and both rooms' histories show it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from peewee import fn

from crous_desk.base.errors import Problem
from crous_desk.base.i18n import _
from crous_desk.departure.view import held_sets
from crous_desk.desk.action import Act, action
from crous_desk.desk.context import Desk
from crous_desk.inspections.damages import charge_damages
from crous_desk.inspections.record import create, last_known_lines
from crous_desk.inspections.views import items, latest
from crous_desk.keys.actions import log_key, move_set, return_set
from crous_desk.rooms.status import change_room_status
from crous_desk.rules.proposal import status_label
from crous_desk.rules.status import (
    HOLDING,
    InspectionKind,
    KeyEvent,
    KeyState,
    ReservationStatus,
    RoomStatus,
)
from crous_desk.rules.tenancy import room_status_label
from crous_desk.store.models import (
    Charge,
    Inspection,
    InspectionKey,
    KeySet,
    Reservation,
    Room,
    RoomMove,
    RoomStatusChange,
    snapshot,
)


def pending_move(reservation: Reservation | int) -> RoomMove | None:
    return (
        RoomMove.select()
        .where(RoomMove.reservation == reservation, RoomMove.moved_at.is_null())
        .order_by(RoomMove.id.desc())
        .first()
    )


def _tenant_problem(reservation: Reservation) -> Problem | None:
    if reservation.status == ReservationStatus.CHECKED_IN and reservation.room_id is not None:
        return None
    return Problem(
        "not_a_tenant",
        _("only a tenant who lives here moves to another room (status: {status})").format(
            status=status_label(reservation.status)
        ),
    )


def _room_problems(reservation: Reservation, room: Room | None, number: str) -> list[Problem]:
    if room is None:
        return [Problem("no_such_room", _("no room {room} in this residence").format(room=number))]
    found = []
    if room.id == reservation.room_id:
        found.append(
            Problem("same_room", _("the tenant already lives in {room}").format(room=number))
        )
    if room.status != RoomStatus.AVAILABLE:
        found.append(
            Problem(
                "room_not_available",
                _("room {room} is not available (status: {status})").format(
                    room=number, status=room_status_label(room.status)
                ),
            )
        )
    others = (
        Reservation.select()
        .where(
            Reservation.room == room,
            Reservation.status.in_([str(s) for s in HOLDING]),
            Reservation.id != reservation.id,
            Reservation.lease_start <= reservation.lease_end,
            Reservation.lease_end >= reservation.lease_start,
        )
        .exists()
    )
    if others:
        found.append(
            Problem(
                "room_promised",
                _("room {room} is promised to another student during this stay").format(
                    room=number
                ),
            )
        )
    if not KeySet.select().where(KeySet.room == room, KeySet.state == KeyState.DESK).exists():
        found.append(
            Problem(
                "no_key_set_at_desk",
                _("no key set of room {room} is at the desk").format(room=number),
            )
        )
    return found


@action("stay.move", target=Reservation)
def prepare_move(act: Act, reservation: Reservation, room_number: str, *, reason: str) -> RoomMove:
    """Open the two inspections of a move: the check-out of the room left, the check-in of the
    room given (same residence). Preparing again returns the move already prepared."""
    act.check(_tenant_problem(reservation))
    reason = act.text(reason, _("the reason for the move"), required=True)
    already = pending_move(reservation)
    if already is not None and not act.problems:
        return already
    residence = reservation.room.residence_id if reservation.room else None
    number = room_number.strip().upper()
    room = Room.get_or_none(Room.residence == residence, Room.number == number)
    act.check(_room_problems(reservation, room, number))
    with act.change():
        old = reservation.room
        assert room is not None and old is not None
        check_in = latest(reservation, InspectionKind.CHECK_IN, old.id)
        if check_in is not None:
            lines = [(v.position, v.label, v.state) for v in items(check_in.id)]
            keys = {
                k.kind: k.count
                for k in InspectionKey.select().where(InspectionKey.inspection == check_in)
            }
        else:
            lines, keys = last_known_lines(old), {}
        leaving = create(act, reservation, InspectionKind.CHECK_OUT, lines, keys=keys or None)
        arriving = create(
            act, reservation, InspectionKind.CHECK_IN, last_known_lines(room), room=room
        )
        move = RoomMove.create(
            reservation=reservation,
            from_room=old,
            to_room=room,
            check_out=leaving,
            check_in=arriving,
            reason=reason,
            prepared_at=act.now,
            prepared_by=act.actor,
        )
        act.audit(
            "room_move",
            move.id,
            reservation=reservation,
            after={
                "from": old.number,
                "to": room.number,
                "check_out": leaving.id,
                "check_in": arriving.id,
                "reason": reason,
            },
            action="stay.move.prepare",
        )
    return move


@dataclass(frozen=True)
class MoveResult:
    move: RoomMove
    keys_returned: list[str]
    key_handed: str
    damage_cents: int


@action("stay.move", target=Reservation)
def move_room(act: Act, reservation: Reservation, *, lease_end: date | None = None) -> MoveResult:
    """Move the tenant into the room of the prepared move, in one action: refused with every
    reason, or done entirely."""
    act.check(_tenant_problem(reservation))
    move = pending_move(reservation)
    if move is None:
        act.refuse(Problem("no_move_prepared", _("prepare the move first: the room, and why (m)")))
    room: Room = move.to_room
    act.desk_open(room.residence, _("keys are handed over"))
    for inspection, which in (
        (move.check_out, _("the check-out of room {room}").format(room=move.from_room.number)),
        (move.check_in, _("the check-in of room {room}").format(room=room.number)),
    ):
        if not Inspection.get_by_id(inspection.id).locked:
            act.check(
                Problem(
                    "inspection_not_acknowledged",
                    _("{which} is not acknowledged by the tenant yet").format(which=which),
                )
            )
    act.check(_room_problems(reservation, room, room.number))
    if lease_end is not None and lease_end <= reservation.lease_start:
        act.check(Problem("lease_end_invalid", _("the lease cannot end before it starts")))
    with act.change():
        old: Room = move.from_room
        returned = []
        for key_set in held_sets(reservation):
            if key_set.room_id == old.id:
                return_set(act, key_set, note=_("move to {room}").format(room=room.number))
                returned.append(key_set.label)
        key_set = (
            KeySet.select()
            .where(KeySet.room == room, KeySet.state == KeyState.DESK)
            .order_by(KeySet.label)
            .first()
        )
        act.confirm(
            0 if key_set is None else 1, _("a key set of room {room}").format(room=room.number)
        )
        move_set(act, key_set, state=KeyState.OUT, holder=reservation)
        log_key(
            act,
            key_set,
            KeyEvent.HANDOVER,
            reservation=reservation,
            note=_("move from {room}").format(room=old.number),
        )
        before = snapshot(reservation, "room", "lease_end")
        changes: dict[str, object] = {"room": room}
        if lease_end is not None:
            changes["lease_end"] = lease_end
        moved = (
            Reservation.update(**changes)
            .where(
                Reservation.id == reservation.id,
                Reservation.room == old.id,
                Reservation.status == ReservationStatus.CHECKED_IN,
            )
            .execute()
        )
        act.confirm(moved, _("this reservation"))
        charge_damages(act, Inspection.get_by_id(move.check_out.id))  # any not charged yet
        damage_cents = int(
            Charge.select(fn.SUM(Charge.amount_cents))
            .where(Charge.inspection == move.check_out_id)
            .scalar()
            or 0
        )
        co_tenant = (
            Reservation.select()
            .where(
                Reservation.room == old,
                Reservation.status == ReservationStatus.CHECKED_IN,
                Reservation.id != reservation.id,
            )
            .exists()
        )
        if not co_tenant and old.status != RoomStatus.OUT_OF_SERVICE:
            change_room_status(
                act,
                old,
                RoomStatus.TO_INSPECT,
                _("move of {ref}").format(ref=reservation.reference),
            )
        occupied = (
            Room.update(status=RoomStatus.OCCUPIED)
            .where(Room.id == room.id, Room.status == RoomStatus.AVAILABLE)
            .execute()
        )
        act.confirm(occupied, _("room {room}").format(room=room.number))
        RoomStatusChange.create(
            room=room,
            before=RoomStatus.AVAILABLE,
            after=RoomStatus.OCCUPIED,
            reason=_("move of {ref}").format(ref=reservation.reference),
            staff=act.actor,
            at=act.now,
        )
        done = (
            RoomMove.update(moved_at=act.now, moved_by=act.actor)
            .where(RoomMove.id == move.id, RoomMove.moved_at.is_null())
            .execute()
        )
        act.confirm(done, _("this move"))
        act.audit(
            "reservation",
            reservation.id,
            reservation=reservation,
            before=before,
            after={
                **snapshot(Reservation.get_by_id(reservation.id), "room", "lease_end"),
                "from": old.number,
                "to": room.number,
                "keys_returned": returned,
                "key_handed": key_set.label,
                "damage_cents": damage_cents,
            },
        )
    return MoveResult(RoomMove.get_by_id(move.id), returned, key_set.label, damage_cents)


@dataclass(frozen=True)
class MoveLine:
    id: int
    from_room: str
    to_room: str
    reason: str
    prepared_at: datetime
    moved_at: datetime | None
    check_out_id: int
    check_in_id: int
    check_out_locked: bool
    check_in_locked: bool


def moves_of(desk: Desk, reservation_id: int) -> list[MoveLine]:
    """The reservation's moves, the pending one last."""
    reservation = desk.reservation(reservation_id)
    rows = RoomMove.select().where(RoomMove.reservation == reservation).order_by(RoomMove.id)
    out = []
    for m in rows:
        check_out = Inspection.get_by_id(m.check_out_id)
        check_in = Inspection.get_by_id(m.check_in_id)
        out.append(
            MoveLine(
                id=m.id,
                from_room=m.from_room.number,
                to_room=m.to_room.number,
                reason=m.reason,
                prepared_at=m.prepared_at,
                moved_at=m.moved_at,
                check_out_id=check_out.id,
                check_in_id=check_in.id,
                check_out_locked=check_out.locked,
                check_in_locked=check_in.locked,
            )
        )
    return out
