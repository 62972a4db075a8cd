"""The key handover: at the desk, in desk hours, once every condition of the rental file,
the payment and the check-in inspection is met — one key set, to one tenant at a time."""

from __future__ import annotations

from crous_desk.base.i18n import _
from crous_desk.desk.action import Act, action
from crous_desk.keys.actions import log_key
from crous_desk.reservations.file import handover_blockers
from crous_desk.rules.status import KeyEvent, KeyState, ReservationStatus, RoomStatus
from crous_desk.store.models import KeySet, Reservation, Room


def set_to_hand_over(room_id: int) -> KeySet | None:
    """The key set a handover to this room's tenant gives: the first one at the desk."""
    return (
        KeySet.select()
        .where(KeySet.room == room_id, KeySet.state == KeyState.DESK)
        .order_by(KeySet.label)
        .first()
    )


@action("keys.handover", target=Reservation)
def hand_over_keys(act: Act, reservation: Reservation) -> KeySet:
    """Hand a key set of the room to the tenant, or refuse with every unmet condition.

    The key set moves only if it is still at the desk, and the reservation only if it is still
    accepted (conditional updates): two desks can never hand out one set.
    """
    act.check(handover_blockers(act.desk, reservation, act.now))
    with act.change():
        key_set = set_to_hand_over(reservation.room_id)
        what = _("this key set or reservation")
        act.confirm(0 if key_set is None else 1, what)
        assert key_set is not None  # confirm refused otherwise
        moved = (
            KeySet.update(state=KeyState.OUT, holder=reservation)
            .where(KeySet.id == key_set.id, KeySet.state == KeyState.DESK)
            .execute()
        )
        act.confirm(moved, what)
        handed = (
            Reservation.update(status=ReservationStatus.CHECKED_IN, keys_handed_at=act.now)
            .where(
                Reservation.id == reservation.id, Reservation.status == ReservationStatus.ACCEPTED
            )
            .execute()
        )
        act.confirm(handed, what)
        Room.update(status=RoomStatus.OCCUPIED).where(Room.id == reservation.room_id).execute()
        log_key(act, key_set, KeyEvent.HANDOVER, reservation=reservation)
        act.audit(
            "key_set",
            key_set.id,
            reservation=reservation,
            before={
                "state": KeyState.DESK,
                "holder": None,
                "reservation_status": ReservationStatus.ACCEPTED,
            },
            after={
                "state": KeyState.OUT,
                "holder": reservation.reference,
                "reservation_status": ReservationStatus.CHECKED_IN,
            },
        )
    return KeySet.get_by_id(key_set.id)
