"""A residence's damage and lost-key prices: the shipped list (crous_desk.rules.prices) with
the residence's own on top.

A residence's prices are rows of ``price_override`` (residence, item, severity), not a JSON blob
on the residence: each price is then set by someone at some time (audited), a unique index keeps
one price per item and severity, and the shipped list stays the fallback for everything else.
"""

from __future__ import annotations

from crous_desk.base.errors import Problem
from crous_desk.base.i18n import _
from crous_desk.desk.action import Act, action
from crous_desk.rules.prices import (
    LOST_KEY_SET,
    OTHER,
    SEVERITIES,
    PriceList,
    default_prices,
    price_problems,
)
from crous_desk.store.models import PriceOverride, Residence, snapshot

__all__ = [
    "LOST_KEY_SET",
    "OTHER",
    "SEVERITIES",
    "PriceList",
    "default_prices",
    "price_problems",
    "prices_for",
    "set_price",
]


def prices_for(residence: Residence | int | None) -> PriceList:
    """The shipped list with the residence's own prices on top."""
    base = default_prices()
    if residence is None:
        return base
    rows = PriceOverride.select().where(PriceOverride.residence == residence)
    return base.with_overrides({(r.item, r.severity): r.amount_cents for r in rows})


def _own_price(residence: Residence, item: str, severity: str) -> PriceOverride | None:
    return PriceOverride.get_or_none(
        PriceOverride.residence == residence,
        PriceOverride.item == item,
        PriceOverride.severity == severity,
    )


@action("price.set")
def set_price(act: Act, item: str, severity: str, amount_cents: int | None) -> None:
    """Set (or, with ``None``, remove) the desk's residence's own price for an item."""
    residence = act.desk.residence
    if residence is None:
        act.check(Problem("no_residence", _("prices belong to a residence: open the desk of one")))
    else:
        act.in_scope(residence)
    act.check(price_problems(item, severity, amount_cents))
    row = _own_price(residence, item, severity) if residence else None
    if amount_cents is None and row is None:
        return  # no price of its own to remove (or refused with the problems above)
    what = _("the price of {item}").format(item=item)
    with act.change():
        assert residence is not None  # else refused
        before = snapshot(row, "amount_cents") if row else {}
        if row is None:
            act.confirm(0 if _own_price(residence, item, severity) else 1, what)
            row = PriceOverride.create(
                residence=residence,
                item=item,
                severity=severity,
                amount_cents=amount_cents,
                set_by=act.actor,
                set_at=act.now,
            )
        else:
            unchanged = (PriceOverride.id == row.id) & (
                PriceOverride.amount_cents == row.amount_cents
            )
            if amount_cents is None:
                changed = PriceOverride.delete().where(unchanged).execute()
            else:
                changed = (
                    PriceOverride.update(
                        amount_cents=amount_cents, set_by=act.actor, set_at=act.now
                    )
                    .where(unchanged)
                    .execute()
                )
            act.confirm(changed, what)
        act.audit(
            "price_override",
            row.id,
            before={"item": item, "severity": severity, **before},
            after={"item": item, "severity": severity, "amount_cents": amount_cents},
            action=None if amount_cents is not None else "price.clear",
        )
