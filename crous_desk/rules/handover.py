"""Key handover: every condition, checked together, each unmet one said in plain words."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from crous_desk.base.errors import Problem, code_of
from crous_desk.base.i18n import _
from crous_desk.rules.hours import DeskCalendar, DeskStatus, closed_problem, desk_status
from crous_desk.rules.proposal import ADVANCE_CENTS, effective_status, status_label
from crous_desk.rules.rental_file import DocumentFacts, file_problems, fmt
from crous_desk.rules.status import ReservationStatus


@dataclass(frozen=True)
class HandoverFacts:
    desk: DeskStatus
    status: str  # the effective reservation status
    advance_paid: bool
    file_problems: list[str] = field(default_factory=list)
    lease_start: date | None = None
    lease_end: date | None = None
    today: date | None = None
    check_in_acknowledged: bool = False
    key_set_at_desk: bool = False


def facts_of_stay(
    now: datetime,
    calendar: DeskCalendar,
    *,
    status: str,
    proposal_sent_at: datetime | None,
    advance_cents: int | None,
    lease_start: date,
    lease_end: date,
    documents: dict[str, DocumentFacts],
    check_in_acknowledged: bool,
    key_set_at_desk: bool,
) -> HandoverFacts:
    """The facts the handover is decided on, from what is recorded of a stay at ``now``, in
    the desk hours of its residence (``calendar``)."""
    today = now.astimezone(calendar.tz).date()
    return HandoverFacts(
        desk=desk_status(now, calendar),
        status=effective_status(status, proposal_sent_at, now),
        advance_paid=(advance_cents or 0) >= ADVANCE_CENTS,
        file_problems=file_problems(documents, lease_start, lease_end, today),
        lease_start=lease_start,
        lease_end=lease_end,
        today=today,
        check_in_acknowledged=check_in_acknowledged,
        key_set_at_desk=key_set_at_desk,
    )


def handover_blockers(facts: HandoverFacts) -> list[str]:
    """Every unmet condition of the key handover; empty when the keys may be handed over."""
    blockers: list[str] = []
    if not facts.desk.is_open:
        blockers.append(
            closed_problem(
                facts.desk,
                _(
                    "the desk is closed: keys are handed over Monday to Friday before 17:00 "
                    "({status})"
                ),
            )
        )
    if facts.status == ReservationStatus.CHECKED_IN:
        blockers.append(Problem("keys_already_handed", _("the keys have already been handed over")))
    elif facts.status != ReservationStatus.ACCEPTED:
        blockers.append(
            Problem(
                "not_accepted",
                _("the reservation is not accepted (status: {status})").format(
                    status=status_label(facts.status)
                ),
            )
        )
    if not facts.advance_paid:
        blockers.append(Problem("advance_not_paid", _("the 100 € rent advance is not paid")))
    blockers.extend(
        Problem(code_of(p), _("rental file — {problem}").format(problem=p))
        for p in facts.file_problems
    )
    if facts.lease_start and facts.today and facts.today < facts.lease_start:
        blockers.append(
            Problem(
                "lease_not_started",
                _("the lease starts on {day}").format(day=fmt(facts.lease_start)),
            )
        )
    if facts.lease_end and facts.today and facts.today > facts.lease_end:
        blockers.append(
            Problem("lease_ended", _("the lease ended on {day}").format(day=fmt(facts.lease_end)))
        )
    if not facts.check_in_acknowledged:
        blockers.append(
            Problem(
                "check_in_not_acknowledged", _("no check-in inspection acknowledged by the tenant")
            )
        )
    if not facts.key_set_at_desk:
        blockers.append(Problem("key_set_not_at_desk", _("no key set of this room is at the desk")))
    return blockers
