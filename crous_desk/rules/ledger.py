"""The money of a stay, without a database: the kinds of movement, which way each counts, the
balance, reading an amount typed in euros, and when a refund may be made.

Amounts are integer cents. A movement is never edited: a mistake is reversed by a movement of
the opposite amount that names it. The balance is what the tenant owes the residence (positive)
or what the residence owes the tenant (negative):

- the 100 € advance paid at acceptance counts towards the first rent: it is shown, but the
  rent itself is not kept here, so it is not in the balance;
- a security deposit received is money the residence holds for the tenant (it lowers the
  balance); damage and lost-key charges raise it; a payment by the tenant lowers it; a refund
  paid out to the tenant raises it back towards zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from crous_desk.base.errors import Problem
from crous_desk.base.formats import money
from crous_desk.base.i18n import _

MAX_CENTS = 10_000_000  # 100,000 €: far above any deposit, charge or refund


class MovementKind(StrEnum):
    DEPOSIT = "deposit"  # the security deposit received (credit)
    DAMAGE = "damage"  # a damage found at check-out (debit)
    LOST_KEY = "lost_key"  # a lost key set (debit)
    PAYMENT = "payment"  # the tenant pays what they owe (credit)
    REFUND = "refund"  # money paid back to the tenant (debit)
    REVERSAL = "reversal"  # cancels one earlier movement (its opposite)


# the sign each kind's amount carries in the balance (reversal: the opposite of its movement)
SIGN: dict[MovementKind, int] = {
    MovementKind.DEPOSIT: -1,
    MovementKind.DAMAGE: 1,
    MovementKind.LOST_KEY: 1,
    MovementKind.PAYMENT: -1,
    MovementKind.REFUND: 1,
}

# what the desk records by hand (damage and lost keys come from the check-out and the keys)
RECORDED_BY_HAND = (MovementKind.DEPOSIT, MovementKind.PAYMENT, MovementKind.REFUND)


def kind_label(kind: str) -> str:
    labels: dict[str, str] = {
        MovementKind.DEPOSIT: _("security deposit received"),
        MovementKind.DAMAGE: _("damage"),
        MovementKind.LOST_KEY: _("lost key set"),
        MovementKind.PAYMENT: _("payment by the tenant"),
        MovementKind.REFUND: _("refund to the tenant"),
        MovementKind.REVERSAL: _("reversal"),
    }
    return labels.get(kind, kind)


def signed(kind: MovementKind, cents: int) -> int:
    """The amount as the balance counts it, for a movement of ``cents`` (positive)."""
    return SIGN[kind] * cents


@dataclass(frozen=True)
class Line:
    """A movement as the balance needs it: its signed amount, and what it reverses."""

    id: int
    amount_cents: int  # signed: positive, the tenant owes more
    reverses: int | None = None


def balance(lines: Iterable[Line]) -> int:
    return sum(line.amount_cents for line in lines)


def parse_euros(text: str) -> tuple[int | None, Problem | None]:
    """ "12,50", "12.50 €", "45" → cents; a clear problem for anything else (never negative,
    never more than two decimals, never zero)."""
    cleaned = text.replace("€", "").replace(" ", "").replace("\u00a0", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None, Problem(
            "amount_invalid",
            _("{text!r} is not an amount in euros (e.g. 45 or 12.50)").format(text=text[:20]),
        )
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        return None, Problem(
            "amount_invalid", _("an amount is in euros and cents, e.g. 12.50 (two decimals)")
        )
    return amount_problem(int(value * 100))


def amount_problem(cents: int) -> tuple[int | None, Problem | None]:
    """The amount of a movement: integer cents, above zero, at most 100,000 €."""
    if isinstance(cents, bool) or not isinstance(cents, int):
        return None, Problem("amount_invalid", _("an amount is a whole number of cents"))
    if cents <= 0 or cents > MAX_CENTS:
        return None, Problem(
            "amount_invalid",
            _("an amount is above 0 and at most {max}").format(max=money(MAX_CENTS)),
        )
    return cents, None


def refund_problem(
    cents: int, balance_cents: int, *, early: bool, force_majeure: bool | None
) -> Problem | None:
    """A refund pays back what the residence holds for the tenant (a negative balance). More
    than that is rent paid back, which an early departure gets only for force majeure."""
    owed_to_tenant = max(0, -balance_cents)
    if cents <= owed_to_tenant:
        return None
    if early and force_majeure:
        return None
    if early:
        return Problem(
            "refund_not_force_majeure",
            _(
                "an early departure is refunded only for force majeure: at most {owed} "
                "(what the residence holds for the tenant)"
            ).format(owed=money(owed_to_tenant)),
        )
    return Problem(
        "refund_too_much",
        _("the residence holds {owed} for the tenant: a refund cannot be more").format(
            owed=money(owed_to_tenant)
        ),
    )


def reversal_problem(kind: str, already_reversed: bool) -> Problem | None:
    if kind == MovementKind.REVERSAL:
        return Problem(
            "reverse_reversal", _("a reversal is not reversed: record the movement again")
        )
    if already_reversed:
        return Problem("already_reversed", _("this movement is already reversed"))
    return None


def open_balance_problem(balance_cents: int, confirmed: bool) -> Problem | None:
    """Closing a stay with money still owed, either way, needs the desk's confirmation."""
    if balance_cents == 0 or confirmed:
        return None
    if balance_cents > 0:
        text = _("the tenant still owes {amount}: confirm to close the stay with it open")
    else:
        text = _("the residence still owes the tenant {amount}: confirm to close the stay")
    return Problem("open_balance", text.format(amount=money(abs(balance_cents))))
