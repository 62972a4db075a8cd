"""Departure: the rules (:mod:`crous_desk.rules.departure`), what the departure screen shows
(:mod:`.view`) and the desk's actions (:mod:`.actions`).

Scripts import these names from ``crous_desk.departure``; they stay here.
"""

from crous_desk.departure.actions import (
    DepartureResult,
    acknowledge_check_out,
    book_departure,
    charge_once,
    depart,
    mark_damaged,
    mark_same,
    next_opening,
    open_check_out,
)
from crous_desk.departure.view import (
    CheckOutItem,
    DepartureView,
    check_out_items,
    departure_view,
    held_sets,
)
from crous_desk.rules.departure import (
    DepartureFacts,
    appointment_problems,
    departure_blockers,
    early_departure_problems,
    is_early,
    show_opening,
)

__all__ = [
    "CheckOutItem",
    "DepartureFacts",
    "DepartureResult",
    "DepartureView",
    "acknowledge_check_out",
    "appointment_problems",
    "book_departure",
    "charge_once",
    "check_out_items",
    "depart",
    "departure_blockers",
    "departure_view",
    "early_departure_problems",
    "held_sets",
    "is_early",
    "mark_damaged",
    "mark_same",
    "next_opening",
    "open_check_out",
    "show_opening",
]
