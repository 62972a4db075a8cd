"""The desk's actions on key sets: take one back, declare one lost, retire, add, lend, reissue.

A set moves only by a conditional update (from the state and holder it was read with), and each
move writes a key-log row naming the staff member and an audit row with before and after.
Taking a set back, lending one and reissuing one are bound to the desk (desk hours); declaring a
set lost, retiring one or adding one are not. The first handover is
:func:`crous_desk.keys.handover.hand_over_keys`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from crous_desk.base.errors import Problem
from crous_desk.base.i18n import _
from crous_desk.base.text import text_problem
from crous_desk.desk.action import Act, action
from crous_desk.keys.inventory import open_loans
from crous_desk.money.ledger import post_charge
from crous_desk.money.prices import prices_for
from crous_desk.rules.keys import (
    ReissueFacts,
    key_state_problem,
    loan_problems,
    one_set_per_tenant,
    reissue_problems,
)
from crous_desk.rules.proposal import format_instant
from crous_desk.rules.status import ChargeKind, KeyEvent, KeyState, ReservationStatus
from crous_desk.store import locks
from crous_desk.store.models import Charge, KeyLoan, KeyLog, KeySet, Reservation, Room, db


@dataclass(frozen=True)
class LostKey:
    lost: KeySet
    replacement: KeySet
    charge: Charge | None


# -- sub-steps shared by the actions (and by the departure) -----------------------------------


def move_set(act: Act, key_set: KeySet, **changes: object) -> None:
    """Move the set only from the state and holder it was read with; else refused (another
    desk moved it in between)."""
    holder_is = (
        KeySet.holder.is_null() if key_set.holder_id is None else KeySet.holder == key_set.holder_id
    )
    moved = (
        KeySet.update(**changes)
        .where(KeySet.id == key_set.id, KeySet.state == key_set.state, holder_is)
        .execute()
    )
    act.confirm(moved, _("key set {label}").format(label=key_set.label))


_LOG = (
    "INSERT INTO key_log (key_set_id, reservation_id, action, at, staff_id, note) VALUES ({params})"
)


def log_key(
    act: Act,
    key_set: KeySet | int,
    event: KeyEvent,
    *,
    reservation: Reservation | int | None = None,
    note: str = "",
) -> None:
    """One line of the key log: what happened to the set, for whom, by whom, when (one raw
    statement: it is written under the write lock)."""
    db.execute_sql(
        _LOG.format(params=", ".join([db.param] * 6)),
        (
            key_set.id if isinstance(key_set, KeySet) else key_set,
            reservation.id if isinstance(reservation, Reservation) else reservation,
            KeyLog.action.db_value(event),
            KeyLog.at.db_value(act.now),
            act.actor.id,
            KeyLog.note.db_value(note),
        ),
    )


def return_set(act: Act, key_set: KeySet, *, note: str, action: str = "keys.return") -> None:
    """Move an out set back to the desk, close its loan, log and audit it (inside
    ``act.change()``: the caller has checked its rules)."""
    holder_id = key_set.holder_id
    loan = open_loans([key_set.id]).get(key_set.id)
    move_set(act, key_set, state=KeyState.DESK, holder=None)
    if loan is not None:
        closed = (
            KeyLoan.update(returned_at=act.now, returned_by=act.actor)
            .where(KeyLoan.id == loan.id, KeyLoan.returned_at.is_null())
            .execute()
        )
        act.confirm(closed, _("the loan of key set {label}").format(label=key_set.label))
    log_key(act, key_set, KeyEvent.RETURN, reservation=holder_id, note=note)
    act.audit(
        "key_set",
        key_set.id,
        reservation=holder_id,
        before={"state": KeyState.OUT, "holder": holder_id, "loan": loan.id if loan else None},
        after={"state": KeyState.DESK, "holder": None},
        action=action,
    )


def next_label(key_set: KeySet) -> str:
    """The room's next set label: "GAS/B-112/1" is replaced by "GAS/B-112/3" if /2 exists.

    Inside the changing transaction: two desks adding sets to one room at once take turns
    (a lock of the room's labels), so they never pick the same label."""
    locks.hold("key-labels", key_set.room_id)
    labels = {k.label for k in KeySet.select(KeySet.label).where(KeySet.room == key_set.room_id)}
    base, _sep, last = key_set.label.rpartition("/")
    if not base or not last.isdigit():
        base = key_set.label
    numbers = [
        int(label.rpartition("/")[2])
        for label in labels
        if label.rpartition("/")[0] == base and label.rpartition("/")[2].isdigit()
    ]
    n = max(numbers, default=0) + 1
    while KeySet.select().where(KeySet.label == f"{base}/{n}").exists():
        n += 1
    return f"{base}/{n}"


# -- the actions ------------------------------------------------------------------------------


@action("keys.return", target=KeySet)
def take_back(
    act: Act, key_set: KeySet, *, from_reservation: int | None = None, note: str = ""
) -> KeySet:
    """The set comes back to the desk (desk hours); an open loan of it is closed.

    ``from_reservation``: the holder the desk saw; if the set is no longer with them (another
    desk took it back and handed it on), nothing changes.
    """
    act.desk_open(key_set.room.residence, _("keys are taken back"))
    state = key_state_problem(key_set.label, key_set.state, {KeyState.OUT}, _("taking it back"))
    act.check(state)
    if state is None and from_reservation not in (None, key_set.holder_id):
        act.check(
            Problem(
                "not_with_that_tenant",
                _("key set {label} is no longer with that tenant; look again").format(
                    label=key_set.label
                ),
            )
        )
    note = act.text(note, _("a note"))
    with act.change():
        return_set(act, key_set, note=note)
    return KeySet.get_by_id(key_set.id)


def lost_charge_cents(key_set: KeySet) -> int | None:
    """What declaring this set lost would charge its holder: the residence's lost-key price
    when the set is out, nothing when it was lost at the desk."""
    if key_set.state != KeyState.OUT:
        return None
    return prices_for(key_set.room.residence_id).lost_key_set_cents()


@action("keys.lost", needs="keys.manage", target=KeySet)
def declare_lost(act: Act, key_set: KeySet, *, note: str = "") -> LostKey:
    """The set is blocked as lost, a replacement set for the room is made (at the desk), and
    whoever held it is charged the lost-key price of the residence."""
    room = key_set.room
    act.check(
        key_state_problem(
            key_set.label, key_set.state, {KeyState.DESK, KeyState.OUT}, _("declaring it lost")
        )
    )
    note = act.text(note, _("a note"))
    with act.change():
        was_out = key_set.state == KeyState.OUT
        amount = lost_charge_cents(key_set)  # read before the set moves
        before = {"state": key_set.state, "holder": key_set.holder_id}
        holder = Reservation.get_by_id(key_set.holder_id) if key_set.holder_id else None
        loan = open_loans([key_set.id]).get(key_set.id) if was_out else None
        move_set(act, key_set, state=KeyState.LOST, holder=None)
        replacement = KeySet.create(room=room, label=next_label(key_set), state=KeyState.DESK)
        log_key(act, key_set, KeyEvent.LOST, reservation=holder, note=note)
        log_key(
            act,
            replacement,
            KeyEvent.REPLACED,
            note=_("replaces {label}").format(label=key_set.label),
        )
        charge = None
        if amount is not None:
            charge = Charge.create(
                reservation=holder,
                room=room,
                kind=ChargeKind.LOST_KEY,
                label=_("lost key set {label}").format(label=key_set.label),
                detail=loan.borrower if loan else (holder.student.full_name if holder else ""),
                amount_cents=amount,
                key_set=key_set,
                at=act.now,
                staff=act.actor,
            )
        act.audit(
            "key_set",
            key_set.id,
            reservation=holder,
            before=before,
            after={
                "state": KeyState.LOST,
                "holder": None,
                "replacement": replacement.label,
                "charge_cents": charge.amount_cents if charge else None,
            },
        )
        if charge is not None:
            post_charge(act, charge)
    return LostKey(KeySet.get_by_id(key_set.id), replacement, charge)


@action("keys.retire", needs="keys.manage", target=KeySet)
def retire(act: Act, key_set: KeySet, reason: str) -> KeySet:
    """Take a set out of use for good (worn, lock changed, found after a replacement)."""
    act.check(
        key_state_problem(
            key_set.label, key_set.state, {KeyState.DESK, KeyState.LOST}, _("retiring it")
        )
    )
    reason = act.text(reason, _("the reason"), required=True)
    with act.change():
        move_set(act, key_set, state=KeyState.RETIRED, holder=None)
        log_key(act, key_set, KeyEvent.RETIRED, note=reason)
        act.audit(
            "key_set",
            key_set.id,
            before={"state": key_set.state},
            after={"state": KeyState.RETIRED, "reason": reason},
        )
    return KeySet.get_by_id(key_set.id)


@action("keys.add", needs="keys.manage", target=Room)
def add_key_set(act: Act, room: Room, *, note: str = "") -> KeySet:
    """A new set for a room (a spare, or after a retirement), kept at the desk."""
    note = act.text(note, _("a note"))
    with act.change():
        last = KeySet.select().where(KeySet.room == room).order_by(KeySet.id.desc()).first()
        if last is None:  # the room's first set: "GAS/B-112/1"
            last = KeySet(room=room, label=f"{room.residence.code[:3].upper()}/{room.number}/0")
        key_set = KeySet.create(room=room, label=next_label(last), state=KeyState.DESK)
        log_key(act, key_set, KeyEvent.ADDED, note=note)
        act.audit("key_set", key_set.id, after={"label": key_set.label, "room": room.number})
    return key_set


@action("keys.lend", needs="keys.manage", target=KeySet)
def lend(
    act: Act,
    key_set: KeySet,
    borrower: str,
    due_at: datetime,
    *,
    reservation_id: int | None = None,
) -> KeyLoan:
    """Lend a set from the desk until ``due_at`` (desk hours): a contractor, a locked-out tenant."""
    room = key_set.room
    act.desk_open(room.residence, _("keys are lent"))
    act.check(key_state_problem(key_set.label, key_set.state, {KeyState.DESK}, _("lending it")))
    borrower, borrower_problem = text_problem(borrower, _("the borrower"))
    act.check(borrower_problem)
    reservation = None
    if reservation_id is not None:
        reservation = act.get(Reservation, reservation_id)
        act.in_scope(reservation)
        if reservation.status != ReservationStatus.CHECKED_IN or reservation.room_id != room.id:
            act.check(
                Problem(
                    "not_a_tenant_of_room",
                    _("a set is lent to a tenant of room {room} only").format(room=room.number),
                )
            )
        borrower = borrower or reservation.student.full_name
    named = bool(borrower) or borrower_problem is not None  # a refused name is said as such
    act.check(loan_problems(named, due_at, act.now))
    with act.change():
        move_set(act, key_set, state=KeyState.OUT, holder=reservation)
        loan = KeyLoan.create(
            key_set=key_set,
            reservation=reservation,
            borrower=borrower,
            lent_at=act.now,
            lent_by=act.actor,
            due_at=due_at,
        )
        log_key(
            act,
            key_set,
            KeyEvent.LOAN,
            reservation=reservation,
            note=_("lent to {who} until {when}").format(who=borrower, when=format_instant(due_at)),
        )
        act.audit(
            "key_set",
            key_set.id,
            reservation=reservation,
            before={"state": KeyState.DESK, "holder": None},
            after={
                "state": KeyState.OUT,
                "holder": reservation.id if reservation else None,
                "borrower": borrower,
                "due_at": due_at.isoformat(),
            },
        )
    return loan


def _holds_a_set(reservation: Reservation) -> bool:
    return (
        KeySet.select()
        .where(KeySet.holder == reservation.id, KeySet.state == KeyState.OUT)
        .exists()
    )


@action("keys.reissue", needs="keys.handover", target=KeySet)
def reissue(act: Act, key_set: KeySet, reservation_id: int) -> KeySet:
    """Hand a set from the desk to a tenant who already lives here (after a loss), desk hours."""
    reservation = act.get(Reservation, reservation_id)
    act.in_scope(reservation)
    residence = key_set.room.residence
    act.desk_open(residence, _("keys are handed over"))
    act.check(
        key_state_problem(key_set.label, key_set.state, {KeyState.DESK}, _("handing it over"))
    )
    tenant = reservation.student.full_name
    act.check(
        reissue_problems(
            ReissueFacts(
                label=key_set.label,
                tenant=tenant,
                status=reservation.status,
                holds_a_set=_holds_a_set(reservation),
                same_room=reservation.room_id == key_set.room_id,
                lease_end=reservation.lease_end,
                today=act.now.astimezone(act.desk.calendar(residence).tz).date(),
            )
        )
    )
    with act.change():
        if _holds_a_set(reservation):  # one set per tenant: no condition on the set says it
            act.refuse(one_set_per_tenant(tenant))
        move_set(act, key_set, state=KeyState.OUT, holder=reservation)
        log_key(
            act,
            key_set,
            KeyEvent.HANDOVER,
            reservation=reservation,
            note=_("set handed to a tenant already living here"),
        )
        act.audit(
            "key_set",
            key_set.id,
            reservation=reservation,
            before={"state": KeyState.DESK, "holder": None},
            after={"state": KeyState.OUT, "holder": reservation.reference},
        )
    return KeySet.get_by_id(key_set.id)
