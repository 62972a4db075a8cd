"""Inspections: recording one (:mod:`.record`), reading them (:mod:`.views`), correcting an
acknowledged one (:mod:`.amend`) and the damage ledger of a check-out (:mod:`.damages`).

Screens and scripts use these names from ``crous_desk.inspections``; they stay here.
"""

from crous_desk.inspections.amend import amend_item
from crous_desk.inspections.damages import charge_damages
from crous_desk.inspections.record import acknowledge_inspection, open_inspection, set_item
from crous_desk.inspections.views import (
    AmendmentRow,
    InspectionRow,
    ItemView,
    compare,
    item_states,
    items,
    latest,
    room_history,
)

__all__ = [
    "AmendmentRow",
    "InspectionRow",
    "ItemView",
    "acknowledge_inspection",
    "amend_item",
    "charge_damages",
    "compare",
    "item_states",
    "items",
    "latest",
    "open_inspection",
    "room_history",
    "set_item",
]
