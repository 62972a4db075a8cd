"""The room's condition compared between check-in and check-out: pure rules, no database.

States are ordered new > good > worn > damaged > missing. An item that ends a stay in a worse
state than it began is damage, charged the price of the state it ends in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from crous_desk.base.formats import money
from crous_desk.base.i18n import _
from crous_desk.rules.status import Condition

STATES = tuple(Condition)


def rank(state: str) -> int:
    """0 for new, 4 for missing; ValueError for a state that is not on the scale."""
    try:
        return STATES.index(state)
    except ValueError:
        raise ValueError(
            _("unknown state {state!r}: choose one of {states}").format(
                state=state, states=", ".join(STATES)
            )
        ) from None


def worse(before: str, after: str) -> bool:
    """True when ``after`` is a worse state than ``before`` (good → worn, worn → missing…)."""
    return rank(after) > rank(before)


@dataclass(frozen=True)
class ItemState:
    """One checklist line as the comparison needs it."""

    position: int
    label: str
    state: str | None


@dataclass(frozen=True)
class Damage:
    position: int
    label: str
    before: str
    after: str
    amount_cents: int

    @property
    def detail(self) -> str:
        return f"{self.before} → {self.after}"


def damages(
    check_in: Sequence[ItemState],
    check_out: Sequence[ItemState],
    price: Callable[[str, str], int],
) -> list[Damage]:
    """Every item that got worse, in checklist order, with ``price(label, state_reached)``.

    Items are matched by position and label; an item with no state on either side (no
    check-in inspection, or a line the check-in did not have) proves nothing and is skipped.
    """
    start = {(i.position, i.label): i.state for i in check_in}
    found = []
    for item in sorted(check_out, key=lambda i: i.position):
        before = start.get((item.position, item.label))
        if before is None or item.state is None:
            continue
        if worse(before, item.state):
            found.append(
                Damage(
                    position=item.position,
                    label=item.label,
                    before=before,
                    after=item.state,
                    amount_cents=price(item.label, item.state),
                )
            )
    return found


def total_cents(found: Sequence[Damage]) -> int:
    return sum(d.amount_cents for d in found)


def euros(cents: int) -> str:
    """12345 → "123.45 €", "123,45 €" in French (see crous_desk.base.formats.money)."""
    return money(cents)
