"""Where an exchange student stands, from the "Accueil" form to departure, and which academic
year a day belongs to: the mobility manager's pipeline, as rules on plain values."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from crous_desk.base.i18n import _
from crous_desk.rules.status import ReservationStatus


class Step(StrEnum):
    """A step of the pipeline, in the order a student goes through them (then the ends)."""

    FORM = "form"
    INE = "ine"
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    FILE_COMPLETE = "file_complete"
    ARRIVED = "arrived"
    DEPARTED = "departed"
    REFUSED = "refused"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


STEPS = tuple(Step)


def step_label(step: str) -> str:
    labels: dict[str, str] = {
        Step.FORM: _("Form received"),
        Step.INE: _("INE recorded"),
        Step.PROPOSED: _("Proposal sent"),
        Step.ACCEPTED: _("Accepted, paid"),
        Step.FILE_COMPLETE: _("File complete"),
        Step.ARRIVED: _("Arrived"),
        Step.DEPARTED: _("Departed"),
        Step.REFUSED: _("Refused"),
        Step.EXPIRED: _("Expired"),
        Step.CANCELLED: _("Cancelled"),
    }
    return labels.get(step, step)


def step_short(step: str) -> str:
    """A label short enough for the counts line of an 80-column screen."""
    labels: dict[str, str] = {
        Step.FORM: _("Form"),
        Step.INE: _("INE"),
        Step.PROPOSED: _("Sent"),
        Step.ACCEPTED: _("Paid"),
        Step.FILE_COMPLETE: _("File ok"),
        Step.ARRIVED: _("Arrived"),
        Step.DEPARTED: _("Left"),
        Step.REFUSED: _("Refused"),
        Step.EXPIRED: _("Expired"),
        Step.CANCELLED: _("Cancelled"),
    }
    return labels.get(step, step)


def step_of(status: str, has_ine: bool, file_complete: bool) -> Step:
    """Where a reservation stands; ``status`` is the effective one (expired included)."""
    if status == ReservationStatus.REQUESTED:
        return Step.INE if has_ine else Step.FORM
    if status == ReservationStatus.ACCEPTED:
        return Step.FILE_COMPLETE if file_complete else Step.ACCEPTED
    if status == ReservationStatus.CHECKED_IN:
        return Step.ARRIVED
    return Step(status) if status in STEPS else Step.FORM


def academic_year_of(day: date) -> str:
    """The academic year a day belongs to: from September (the June procedure of the first
    semester already prepares it) — 2026-2027 runs from July 2026 to June 2027."""
    first = day.year if day.month >= 7 else day.year - 1
    return f"{first}-{first + 1}"
