"""Kept importable for scripts written against earlier versions: see
crous_desk.arrivals.appointments (the slot rules themselves: crous_desk.rules.slots)."""

from crous_desk.arrivals.appointments import (
    SEARCH_DAYS,
    Slot,
    SlotPolicy,
    appointment_slot,
    book_appointment,
    bookable,
    cancel_appointment,
    current_appointment,
    day_slots,
    free_places,
    next_free_slot,
    slot_at,
    slot_problems,
    taken_places,
)

__all__ = [
    "SEARCH_DAYS",
    "Slot",
    "SlotPolicy",
    "appointment_slot",
    "book_appointment",
    "bookable",
    "cancel_appointment",
    "current_appointment",
    "day_slots",
    "free_places",
    "next_free_slot",
    "slot_at",
    "slot_problems",
    "taken_places",
]
