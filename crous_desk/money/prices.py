"""Damage and lost-key prices: the list shipped in data/damage_prices.json, and a residence's own.

A residence's prices are rows of ``price_override`` (residence, item, severity), not a JSON blob
on the residence: each price is then set by someone at some time (audited), a unique index keeps
one price per item and severity, and the shipped list stays the fallback for everything else.
``item`` is a checklist label, a category code (see the JSON) or ``lost_key_set``; ``severity``
is the state an item reaches at check-out (good, worn, damaged, missing), "" for the key set.

Lookup for an item that ends in a state: the residence's price for that label, then for its
category; then the shipped price for the label, then for its category. The residence's word wins
over the shipped list at every level.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from crous_desk.base.errors import Refused
from crous_desk.base.i18n import _
from crous_desk.desk import permissions
from crous_desk.desk.context import Desk
from crous_desk.rules.condition import STATES
from crous_desk.rules.reference import _load
from crous_desk.store import audit
from crous_desk.store.models import PriceOverride, Residence, db, snapshot

SEVERITIES = STATES[1:]  # a state one can get worse into: good, worn, damaged, missing
LOST_KEY_SET = "lost_key_set"
OTHER = "other"


@dataclass(frozen=True)
class PriceList:
    categories: Mapping[str, Mapping[str, int]]
    item_category: Mapping[str, str]
    item_prices: Mapping[str, Mapping[str, int]]
    lost_key_set_default: int
    overrides: Mapping[tuple[str, str], int] = field(default_factory=dict)

    def category(self, label: str) -> str:
        return self.item_category.get(label, OTHER)

    def damage_cents(self, label: str, state: str) -> int:
        """The price of ``label`` ending a stay in ``state``."""
        category = self.category(label)
        for found in (
            self.overrides.get((label, state)),
            self.overrides.get((category, state)),
            self.item_prices.get(label, {}).get(state),
            self.categories.get(category, {}).get(state),
        ):
            if found is not None:
                return found
        return 0

    def lost_key_set_cents(self) -> int:
        return self.overrides.get((LOST_KEY_SET, ""), self.lost_key_set_default)

    def with_overrides(self, overrides: Mapping[tuple[str, str], int]) -> PriceList:
        return PriceList(
            self.categories,
            self.item_category,
            self.item_prices,
            self.lost_key_set_default,
            dict(overrides),
        )


@cache
def default_prices() -> PriceList:
    data = _load("damage_prices.json")
    return PriceList(
        categories={
            code: {s: int(c[s]) for s in SEVERITIES} for code, c in data["categories"].items()
        },
        item_category=dict(data["items"]),
        item_prices={
            label: {s: int(p[s]) for s in SEVERITIES if s in p}
            for label, p in data["item_prices"].items()
        },
        lost_key_set_default=int(data["lost_key_set_cents"]),
    )


def prices_for(residence: Residence | int | None) -> PriceList:
    """The shipped list with the residence's own prices on top."""
    base = default_prices()
    if residence is None:
        return base
    rows = PriceOverride.select().where(PriceOverride.residence == residence)
    return base.with_overrides({(r.item, r.severity): r.amount_cents for r in rows})


def price_problems(item: str, severity: str, amount_cents: int | None) -> list[str]:
    """Why this price cannot be set (empty when it can)."""
    base = default_prices()
    problems = []
    if item == LOST_KEY_SET:
        if severity:
            problems.append(_("the lost key set has one price, with no severity"))
    else:
        if item not in base.item_category and item not in base.categories:
            problems.append(
                _("{item!r} is neither a checklist item nor a price category").format(item=item)
            )
        if severity not in SEVERITIES:
            problems.append(
                _("the severity is the state reached at check-out: one of {states}").format(
                    states=", ".join(SEVERITIES)
                )
            )
    if amount_cents is not None and (
        not isinstance(amount_cents, int) or isinstance(amount_cents, bool) or amount_cents < 0
    ):
        problems.append(_("a price is a whole number of cents, 0 or more"))
    return problems


def set_price(desk: Desk, item: str, severity: str, amount_cents: int | None) -> None:
    """Set (or, with ``None``, remove) the desk's residence's own price for an item."""
    permissions.require(desk.actor, "price.set", desk.residence)
    residence = desk.residence
    problems = price_problems(item, severity, amount_cents)
    if residence is None:
        problems.insert(0, _("prices belong to a residence: open the desk of one"))
    if problems:
        raise Refused(*problems)
    assert residence is not None
    now = desk.now()
    with db.atomic():
        row = PriceOverride.get_or_none(
            PriceOverride.residence == residence,
            PriceOverride.item == item,
            PriceOverride.severity == severity,
        )
        before = snapshot(row, "amount_cents") if row else None
        if amount_cents is None:
            if row is None:
                return
            PriceOverride.delete().where(PriceOverride.id == row.id).execute()
            entity_id = row.id
        elif row is None:
            row = PriceOverride.create(
                residence=residence,
                item=item,
                severity=severity,
                amount_cents=amount_cents,
                set_by=desk.actor,
                set_at=now,
            )
            entity_id = row.id
        else:
            PriceOverride.update(amount_cents=amount_cents, set_by=desk.actor, set_at=now).where(
                PriceOverride.id == row.id
            ).execute()
            entity_id = row.id
        audit.record(
            desk.actor.username,
            now,
            "price.set" if amount_cents is not None else "price.clear",
            "price_override",
            entity_id,
            before={"item": item, "severity": severity, **(before or {})},
            after={"item": item, "severity": severity, "amount_cents": amount_cents},
        )
