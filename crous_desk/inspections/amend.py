"""Correcting an acknowledged inspection: an amendment (a new row: item, new state and/or
remark, reason, staff, when), never an edit — the item as acknowledged never changes (a trigger
refuses it). A correction after the departure's damages were charged is charged too."""

from __future__ import annotations

from datetime import timedelta

from crous_desk.base.errors import Problem
from crous_desk.base.i18n import _, ngettext
from crous_desk.desk.action import Act, action
from crous_desk.inspections.damages import charge_damages
from crous_desk.inspections.etat import window_of
from crous_desk.inspections.record import state_problem
from crous_desk.inspections.views import items, latest
from crous_desk.rules import etat
from crous_desk.rules.proposal import format_instant
from crous_desk.rules.status import InspectionKind
from crous_desk.store.models import Departure, InspectionAmendment, InspectionItem


@action("inspection.amend", needs="inspection.record", target=InspectionItem)
def amend_item(
    act: Act,
    item: InspectionItem,
    *,
    reason: str,
    state: str | None = None,
    remark: str | None = None,
    by_tenant: bool = False,
) -> InspectionAmendment:
    """Correct an item of an acknowledged inspection: a new amendment, never an edit. A
    check-in is completed only within its window (the residence's days after it; the heating
    items also during the first month of the heating season); ``by_tenant``: the tenant
    reported it."""
    inspection = item.inspection
    win = window_of(inspection)
    if win is not None:
        heating = item.label in etat.heating_items()
        act.check(
            etat.window_problem(
                win, act.now, heating, format_instant(win.end_for(heating) - timedelta(minutes=1))
            )
        )
    if not inspection.locked:
        act.check(
            Problem(
                "not_acknowledged",
                _("this inspection is not acknowledged yet: change the item itself"),
            )
        )
    act.check(state_problem(state))
    reason = act.text(reason, _("the reason for the correction"), required=True)
    if remark is not None:
        remark = act.text(remark, _("a remark"))
    current = next(v for v in items(inspection.id) if v.item_id == item.id)
    if state is None and remark is None:
        act.check(Problem("nothing_to_correct", _("give the corrected state or remark")))
    elif (state is None or state == current.state) and (remark is None or remark == current.remark):
        act.check(Problem("correction_changes_nothing", _("this correction changes nothing")))
    new_state = state if state is not None else current.state
    new_remark = remark if remark is not None else current.remark
    if new_state in etat.NEEDS_REMARK and not (new_remark or "").strip():
        act.check(
            Problem(
                "remark_required",
                ngettext(
                    "a damaged or missing element needs a remark: {items}",
                    "damaged or missing elements need a remark: {items}",
                    1,
                ).format(items=_(item.label)),
            )
        )
    with act.change():
        amendment = InspectionAmendment.create(
            inspection=inspection,
            item=item,
            state=state,
            remark=remark,
            reason=reason,
            staff=act.actor,
            at=act.now,
            by_tenant=by_tenant,
        )
        act.audit(
            "inspection_item",
            item.id,
            reservation=inspection.reservation_id,
            before={"label": item.label, "state": current.state, "remark": current.remark},
            after={
                "label": item.label,
                "state": state if state is not None else current.state,
                "remark": remark if remark is not None else current.remark,
                "reason": reason,
                "by_tenant": by_tenant,
            },
        )
        departure = Departure.get_or_none(Departure.reservation == inspection.reservation_id)
        check_out = latest(inspection.reservation_id, InspectionKind.CHECK_OUT, inspection.room_id)
        if (
            departure is not None
            and departure.damages_at is not None
            and check_out is not None
            and check_out.locked
        ):
            charge_damages(act, check_out, positions={item.position})
    return amendment
