"""The ledger of a stay: every movement of money, in integer cents, appended and never edited
(triggers refuse it), a mistake reversed by a movement naming it; the balance; the advance
paid at acceptance shown beside it (it counts towards the first rent). The rules are in
:mod:`crous_desk.rules.ledger`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from peewee import fn

from crous_desk.base.errors import Problem
from crous_desk.base.i18n import _
from crous_desk.desk.action import Act, action
from crous_desk.desk.context import Desk
from crous_desk.rules import ledger as rules
from crous_desk.rules.ledger import MovementKind
from crous_desk.rules.proposal import status_label
from crous_desk.rules.status import ReservationStatus
from crous_desk.store.models import (
    Charge,
    Departure,
    LedgerMovement,
    Reservation,
    Staff,
)

# the stays that have money: a proposal accepted with its advance, lived in, or ended
WITH_MONEY = (ReservationStatus.ACCEPTED, ReservationStatus.CHECKED_IN, ReservationStatus.DEPARTED)


@dataclass(frozen=True)
class MovementRow:
    id: int
    at: datetime
    kind: str
    label: str
    note: str
    amount_cents: int  # signed: positive, the tenant owes more
    staff: str
    reverses: int | None
    reversed_by: int | None


@dataclass(frozen=True)
class Statement:
    reservation_id: int
    reference: str
    tenant: str
    advance_cents: int | None  # paid at acceptance; counts towards the first rent
    advance_paid_at: datetime | None
    advance_payer: str
    deposit_asked_cents: int | None
    movements: list[MovementRow]
    balance_cents: int

    @property
    def deposit_held_cents(self) -> int:
        """The deposit received and not reversed (what the residence holds as deposit)."""
        deposits = {m.id for m in self.movements if m.kind == MovementKind.DEPOSIT}
        return -sum(
            m.amount_cents for m in self.movements if m.id in deposits or m.reverses in deposits
        )


def post(
    act: Act,
    reservation: Reservation | int,
    kind: MovementKind,
    amount_cents: int,
    label: str,
    *,
    note: str = "",
    charge: Charge | None = None,
    reverses: LedgerMovement | None = None,
) -> LedgerMovement:
    """Append one movement (``amount_cents`` signed) and audit it, inside ``act.change()``."""
    movement = LedgerMovement.create(
        reservation=reservation,
        kind=kind,
        amount_cents=amount_cents,
        label=label,
        note=note,
        charge=charge,
        reverses=reverses,
        at=act.now,
        staff=act.actor,
    )
    act.audit(
        "ledger_movement",
        movement.id,
        reservation=reservation,
        after={
            "kind": str(kind),
            "amount_cents": amount_cents,
            "label": label,
            "note": note,
            "charge": charge.id if charge else None,
            "reverses": reverses.id if reverses else None,
        },
        action="ledger.post",
    )
    return movement


def post_charge(act: Act, charge: Charge) -> LedgerMovement | None:
    """A damage or lost-key charge of a stay enters its ledger (inside ``act.change()``)."""
    if charge.reservation_id is None or charge.amount_cents == 0:
        return None
    kind = MovementKind.LOST_KEY if charge.kind == MovementKind.LOST_KEY else MovementKind.DAMAGE
    return post(
        act,
        charge.reservation_id,
        kind,
        charge.amount_cents,
        charge.label,
        note=charge.detail,
        charge=charge,
    )


def balance_of(reservation: Reservation | int) -> int:
    total = (
        LedgerMovement.select(fn.SUM(LedgerMovement.amount_cents))
        .where(LedgerMovement.reservation == reservation)
        .scalar()
    )
    return int(total or 0)


def movements(reservation: Reservation | int) -> list[MovementRow]:
    rows = list(
        LedgerMovement.select(LedgerMovement, Staff)
        .join(Staff, on=(LedgerMovement.staff == Staff.id))
        .where(LedgerMovement.reservation == reservation)
        .order_by(LedgerMovement.id)
    )
    reversed_by = {m.reverses_id: m.id for m in rows if m.reverses_id is not None}
    return [
        MovementRow(
            id=m.id,
            at=m.at,
            kind=m.kind,
            label=m.label,
            note=m.note,
            amount_cents=m.amount_cents,
            staff=m.staff.username,
            reverses=m.reverses_id,
            reversed_by=reversed_by.get(m.id),
        )
        for m in rows
    ]


def statement_of(reservation: Reservation) -> Statement:
    rows = movements(reservation)
    room = reservation.room
    payer = reservation.paid_by_name or ""
    if reservation.paid_by_kind == "student" or (reservation.advance_cents and not payer):
        payer = reservation.student.full_name
    return Statement(
        reservation_id=reservation.id,
        reference=reservation.reference,
        tenant=reservation.student.full_name,
        advance_cents=reservation.advance_cents,
        advance_paid_at=reservation.advance_paid_at,
        advance_payer=payer,
        deposit_asked_cents=room.residence.deposit_cents if room else None,
        movements=rows,
        balance_cents=rules.balance(rules.Line(m.id, m.amount_cents) for m in rows),
    )


def statement(desk: Desk, reservation_id: int) -> Statement:
    """The stay's money as the file, the departure screen and the report show it."""
    return statement_of(desk.reservation(reservation_id))


def _money_problem(reservation: Reservation) -> Problem | None:
    if reservation.status in WITH_MONEY:
        return None
    return Problem(
        "no_stay_money",
        _("money is recorded for an accepted, current or ended stay, not a {status} one").format(
            status=status_label(reservation.status)
        ),
    )


@action("ledger.record", target=Reservation)
def record_movement(
    act: Act, reservation: Reservation, kind: str, amount_cents: int, *, note: str = ""
) -> LedgerMovement:
    """The desk records a deposit received, a payment by the tenant or a refund paid out."""
    act.check(_money_problem(reservation))
    if kind not in rules.RECORDED_BY_HAND:
        act.refuse(
            Problem(
                "unknown_movement",
                _("the desk records a deposit, a payment or a refund, not {kind!r}").format(
                    kind=kind
                ),
            )
        )
    movement_kind = MovementKind(kind)
    cents, problem = rules.amount_problem(amount_cents)
    act.check(problem)
    note = act.text(note, _("a note"), required=movement_kind == MovementKind.REFUND)
    current = balance_of(reservation)
    if movement_kind == MovementKind.DEPOSIT:
        asked = reservation.room.residence.deposit_cents if reservation.room else None
        if not asked:
            act.check(Problem("no_deposit_asked", _("this residence asks no security deposit")))
        elif statement_of(reservation).deposit_held_cents > 0:
            act.check(Problem("deposit_held", _("the security deposit is already received")))
    if movement_kind == MovementKind.REFUND and cents is not None:
        departure = Departure.get_or_none(Departure.reservation == reservation)
        act.check(
            rules.refund_problem(
                cents,
                current,
                early=bool(departure and departure.early),
                force_majeure=departure.force_majeure if departure else None,
            )
        )
    with act.change():
        assert cents is not None
        return post(
            act,
            reservation,
            movement_kind,
            rules.signed(movement_kind, cents),
            rules.kind_label(movement_kind),
            note=note,
        )


@action("ledger.reverse", needs="ledger.record", target=Reservation)
def reverse_movement(
    act: Act, reservation: Reservation, movement_id: int, *, reason: str
) -> LedgerMovement:
    """Cancel a movement by its opposite, naming it: the ledger is never rewritten."""
    movement = LedgerMovement.get_or_none(
        LedgerMovement.id == movement_id, LedgerMovement.reservation == reservation
    )
    if movement is None:
        act.refuse(
            Problem(
                "not_found",
                _("no movement #{id} in this stay's ledger").format(id=movement_id),
            )
        )
    reason = act.text(reason, _("the reason for the reversal"), required=True)
    already = LedgerMovement.select().where(LedgerMovement.reverses == movement).exists()
    act.check(rules.reversal_problem(movement.kind, already))
    with act.change():
        return post(
            act,
            reservation,
            MovementKind.REVERSAL,
            -movement.amount_cents,
            _("reversal of #{id}: {label}").format(id=movement.id, label=movement.label),
            note=reason,
            reverses=movement,
        )
