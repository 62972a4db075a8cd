"""Keys: which move a key set's state allows, who may get a set, and which sets should not be
out — the rules alone, read from facts the caller gathered."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from crous_desk.base.errors import Problem
from crous_desk.base.i18n import _
from crous_desk.rules.proposal import format_instant, status_label
from crous_desk.rules.rental_file import fmt
from crous_desk.rules.status import KeyState, ReservationStatus


def key_state_label(state: str) -> str:
    labels: dict[str, str] = {
        KeyState.DESK: _("at the desk"),
        KeyState.OUT: _("out"),
        KeyState.LOST: _("lost"),
        KeyState.RETIRED: _("retired"),
    }
    return labels.get(state, state)


def key_state_problem(
    label: str, state: str, allowed: Collection[KeyState], doing: str
) -> Problem | None:
    """Why key set ``label``, being ``state``, cannot be ``doing`` (None when it can). The code
    names the state it is in: ``key_set_at_desk``, ``key_set_out``, ``key_set_lost``…"""
    if state in allowed:
        return None
    code = "key_set_at_desk" if state == KeyState.DESK else f"key_set_{state}"
    return Problem(
        code,
        _("key set {label} is {state}: {doing} is not possible").format(
            label=label, state=key_state_label(state), doing=doing
        ),
    )


def loan_problems(borrower_named: bool, due_at: datetime, now: datetime) -> list[str]:
    """A loan names its borrower and is due back later than now (an aware instant)."""
    problems: list[str] = []
    if not borrower_named:
        problems.append(Problem("borrower_required", _("name the borrower")))
    if due_at.tzinfo is None or due_at <= now:
        problems.append(Problem("due_not_later", _("the loan must be due back later than now")))
    return problems


def one_set_per_tenant(tenant: str) -> Problem:
    return Problem(
        "one_set_per_tenant",
        _("{who} already holds a key set: one set per tenant").format(who=tenant),
    )


@dataclass(frozen=True)
class ReissueFacts:
    """A set of the desk handed to a tenant who already lives here (after a loss)."""

    label: str  # the key set's
    tenant: str
    status: str  # the reservation's
    holds_a_set: bool
    same_room: bool
    lease_end: date
    today: date


def reissue_problems(facts: ReissueFacts) -> list[str]:
    """Why the set cannot go to this tenant (empty when it can)."""
    problems: list[str] = []
    if facts.status != ReservationStatus.CHECKED_IN:
        problems.append(
            Problem(
                "not_a_tenant",
                _("only a tenant who lives here gets a set this way (reservation {status})").format(
                    status=status_label(facts.status)
                ),
            )
        )
    if facts.holds_a_set:
        problems.append(one_set_per_tenant(facts.tenant))
    if not facts.same_room:
        problems.append(
            Problem(
                "other_room",
                _("key set {label} is not for this tenant's room").format(label=facts.label),
            )
        )
    if facts.lease_end < facts.today:
        problems.append(
            Problem(
                "lease_ended",
                _("the lease ended on {day}").format(day=fmt(facts.lease_end)),
            )
        )
    return problems


class OutReason(StrEnum):
    """Why a set that is out should be back at the desk."""

    LOAN_OVERDUE = "loan_overdue"
    NOBODY = "nobody"
    DEPARTED = "departed"
    NOT_A_TENANT = "not_a_tenant"
    LEASE_ENDED = "lease_ended"
    LEASE_ENDS_TODAY = "lease_ends_today"


@dataclass(frozen=True)
class OutFacts:
    """One set that is out: its open loan, if lent, and the reservation holding it, if any."""

    loan_borrower: str | None  # None: not lent
    loan_due_at: datetime | None
    tenant: str | None  # None: no reservation holds it
    status: str | None
    lease_end: date | None


def out_reason(
    facts: OutFacts, at: datetime, day: date, *, due_today: bool
) -> tuple[OutReason, str] | None:
    """Why the set should be back at ``at`` (``day`` at the desk), and how to say it; None when
    it may stay out. ``due_today``: a lease ending today counts (the 17:00 round)."""
    lent = facts.loan_borrower is not None
    if lent and facts.loan_due_at is not None and facts.loan_due_at <= at:
        return OutReason.LOAN_OVERDUE, _("lent to {who}, due back {when}").format(
            who=facts.loan_borrower, when=format_instant(facts.loan_due_at)
        )
    if facts.tenant is None:
        return None if lent else (OutReason.NOBODY, _("out, with no tenant or loan recorded"))
    if facts.status == ReservationStatus.DEPARTED:
        return OutReason.DEPARTED, _("{who} has departed").format(who=facts.tenant)
    if facts.status != ReservationStatus.CHECKED_IN:
        return OutReason.NOT_A_TENANT, _("{who} is not a tenant (reservation {status})").format(
            who=facts.tenant, status=status_label(facts.status or "")
        )
    if facts.lease_end is not None and facts.lease_end < day:
        return OutReason.LEASE_ENDED, _("the lease of {who} ended on {day}").format(
            who=facts.tenant, day=fmt(facts.lease_end)
        )
    if due_today and facts.lease_end == day and not lent:
        return OutReason.LEASE_ENDS_TODAY, _("the lease of {who} ends today").format(
            who=facts.tenant
        )
    return None
