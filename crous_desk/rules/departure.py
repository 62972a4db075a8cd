"""Departure: when an appointment may be booked, what stops a tenant from leaving now, and what
an early departure must say — the rules alone, read from facts the caller gathered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from crous_desk.base.errors import Problem
from crous_desk.base.i18n import _
from crous_desk.rules.hours import DeskStatus, closed_problem, weekday_name
from crous_desk.rules.proposal import status_label
from crous_desk.rules.rental_file import fmt
from crous_desk.rules.status import ReservationStatus


def is_early(day: date, lease_end: date) -> bool:
    """Leaving before the lease end: no refund, unless force majeure."""
    return day < lease_end


def show_opening(at: datetime) -> str:
    return f"{weekday_name(at.date())} {at:%d/%m/%Y %H:%M}"


def appointment_problems(
    at: datetime,
    status_then: DeskStatus,
    now: datetime,
    *,
    reservation_status: str,
    lease_end: date,
    today: date,
) -> list[str]:
    """Why a departure appointment cannot be booked at ``at`` (empty when it can)."""
    problems: list[str] = []
    if reservation_status != ReservationStatus.CHECKED_IN:
        problems.append(
            Problem(
                "not_a_tenant",
                _("only a tenant who lives here books a departure (status: {status})").format(
                    status=status_label(reservation_status)
                ),
            )
        )
    if at < now:
        problems.append(Problem("time_passed", _("this time has already passed")))
    if not status_then.is_open:
        assert status_then.next_open is not None
        problems.append(
            Problem(
                "desk_closed_then",
                _("the desk is closed then ({why}): the next opening is {when}").format(
                    why=status_then.reason, when=show_opening(status_then.next_open)
                ),
            )
        )
    if status_then.at.date() > lease_end and today <= lease_end:
        problems.append(
            Problem(
                "after_lease_end",
                _("the lease ends on {day}: a later departure needs a granted extension").format(
                    day=fmt(lease_end)
                ),
            )
        )
    return problems


@dataclass(frozen=True)
class DepartureFacts:
    desk: DeskStatus
    status: str  # the reservation's status
    check_out_acknowledged: bool


def departure_blockers(facts: DepartureFacts) -> list[str]:
    """What stops the departure now, whatever is answered about an early departure."""
    problems: list[str] = []
    if not facts.desk.is_open:
        problems.append(
            closed_problem(
                facts.desk,
                _(
                    "the desk is closed: keys are taken back only at the desk, Monday to Friday "
                    "before 17:00 ({status})"
                ),
            )
        )
    if facts.status == ReservationStatus.DEPARTED:
        problems.append(Problem("already_departed", _("this tenant has already departed")))
    elif facts.status != ReservationStatus.CHECKED_IN:
        problems.append(
            Problem(
                "not_a_tenant",
                _("only a tenant who lives here departs (status: {status})").format(
                    status=status_label(facts.status)
                ),
            )
        )
    if not facts.check_out_acknowledged:
        problems.append(
            Problem(
                "check_out_not_acknowledged",
                _("the check-out inspection is not acknowledged by the tenant yet"),
            )
        )
    return problems


def early_departure_problems(
    early: bool, lease_end: date, force_majeure: bool | None, reason: str
) -> list[str]:
    """An early departure says whether it is force majeure, and why; an on-time one does not."""
    if not early:
        if force_majeure is not None:
            return [
                Problem(
                    "not_early",
                    _("the stay ends at its lease end: force majeure applies to early departures"),
                )
            ]
        return []
    problems: list[str] = []
    if force_majeure is None:
        problems.append(
            Problem(
                "force_majeure_unanswered",
                _(
                    "the lease ends on {day}: say whether this early departure is force majeure "
                    "(refund possible) or not (no refund)"
                ).format(day=fmt(lease_end)),
            )
        )
    if not reason:
        problems.append(
            Problem("early_reason_required", _("give the reason for the early departure"))
        )
    return problems
