"""The damage ledger of a check-out: every item worse than at check-in is charged at the
residence's price, and a later correction of either inspection is charged as the difference —
a new row, so the ledger is never rewritten."""

from __future__ import annotations

from crous_desk.base.i18n import _
from crous_desk.desk.action import Act
from crous_desk.inspections.views import compare
from crous_desk.money.ledger import post_charge
from crous_desk.rules.status import ChargeKind
from crous_desk.store.models import Charge, Inspection, InspectionItem


def charge_damages(
    act: Act, check_out: Inspection, *, positions: set[int] | None = None
) -> list[Charge]:
    """Bring the check-out's damage charges in line with its damage list (for ``positions``,
    or every item), inside ``act.change()``; audited as "departure.damages" when it charges."""
    owed = {d.position: d for d in compare(check_out)}
    checked = {
        i.position: i
        for i in InspectionItem.select().where(InspectionItem.inspection == check_out.id)
    }
    recorded: dict[int, int] = {}
    for charge in Charge.select().where(
        Charge.inspection == check_out.id, Charge.kind == ChargeKind.DAMAGE
    ):
        recorded[charge.item_id] = recorded.get(charge.item_id, 0) + charge.amount_cents
    created = []
    for position, item in sorted(checked.items()):
        if positions is not None and position not in positions:
            continue
        damage = owed.get(position)
        already = recorded.get(item.id)
        delta = (damage.amount_cents if damage else 0) - (already or 0)
        if delta == 0:
            continue
        detail = damage.detail if damage else _("no longer worse than at check-in")
        charge = Charge.create(
            reservation=check_out.reservation_id,
            room=check_out.room,
            kind=ChargeKind.DAMAGE,
            label=item.label,
            detail=detail if already is None else _("correction: {detail}").format(detail=detail),
            amount_cents=delta,
            inspection=check_out,
            item=item,
            at=act.now,
            staff=act.actor,
        )
        created.append(charge)
    if created:
        act.audit(
            "inspection",
            check_out.id,
            reservation=check_out.reservation_id,
            after={
                "charges": [
                    {"label": c.label, "detail": c.detail, "amount_cents": c.amount_cents}
                    for c in created
                ]
            },
            action="departure.damages",
        )
        for charge in created:
            post_charge(act, charge)
    return created
