"""The damage and lost-key price list, without a database: the list shipped in
data/damage_prices.json, with a residence's own prices on top (read by crous_desk.money).

``item`` is a checklist label, a category code (see the JSON) or ``lost_key_set``;
``severity`` is the state an item reaches at check-out (good, worn, damaged, missing), "" for
the key set. Lookup for an item that ends in a state: the residence's price for that label,
then for its category; then the shipped price for the label, then for its category. The
residence's word wins over the shipped list at every level.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from crous_desk.base.errors import Problem
from crous_desk.base.i18n import _
from crous_desk.rules.condition import STATES
from crous_desk.rules.reference import _load

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
    """The list shipped with the package (read once)."""
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


def price_problems(item: str, severity: str, amount_cents: int | None) -> list[str]:
    """Why this price cannot be set (empty when it can)."""
    base = default_prices()
    problems: list[str] = []
    if item == LOST_KEY_SET:
        if severity:
            problems.append(
                Problem("price_severity", _("the lost key set has one price, with no severity"))
            )
    else:
        if item not in base.item_category and item not in base.categories:
            problems.append(
                Problem(
                    "unknown_price_item",
                    _("{item!r} is neither a checklist item nor a price category").format(
                        item=item
                    ),
                )
            )
        if severity not in SEVERITIES:
            problems.append(
                Problem(
                    "unknown_severity",
                    _("the severity is the state reached at check-out: one of {states}").format(
                        states=", ".join(SEVERITIES)
                    ),
                )
            )
    if amount_cents is not None and (
        not isinstance(amount_cents, int) or isinstance(amount_cents, bool) or amount_cents < 0
    ):
        problems.append(Problem("bad_price", _("a price is a whole number of cents, 0 or more")))
    return problems
