"""The CROUS proposal: answered within 120 hours of being sent, or expired at that instant.

Acceptance requires the 100 € rent advance, paid by the student or by a named third party.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from crous_desk.base.clock import require_aware
from crous_desk.base.errors import Problem
from crous_desk.base.formats import money
from crous_desk.base.i18n import _
from crous_desk.rules.status import Payer, ReservationStatus

PROPOSAL_WINDOW = timedelta(hours=120)
ADVANCE_CENTS = 100_00
PAYER_KINDS = tuple(Payer)


def proposal_deadline(sent_at: datetime) -> datetime:
    # In UTC: adding hours to a Paris wall-clock time would give 119 or 121 real hours
    # across a daylight-saving change.
    return require_aware(sent_at).astimezone(UTC) + PROPOSAL_WINDOW


def proposal_expired(sent_at: datetime, at: datetime) -> bool:
    """Expired from the 120th hour on, whatever any screen did or did not do."""
    return require_aware(at) >= proposal_deadline(sent_at)


def time_left(sent_at: datetime, at: datetime) -> timedelta:
    return max(timedelta(0), proposal_deadline(sent_at) - require_aware(at))


def effective_status(status: str, sent_at: datetime | None, at: datetime) -> str:
    """The stored status, except that an unanswered proposal past its window reads "expired"."""
    if (
        status == ReservationStatus.PROPOSED
        and sent_at is not None
        and proposal_expired(sent_at, at)
    ):
        return ReservationStatus.EXPIRED
    return status


@dataclass(frozen=True)
class Advance:
    """The rent advance as recorded: amount, and who paid it."""

    amount_cents: int
    payer_kind: str
    payer_name: str = ""


def acceptance_problems(
    status: str, sent_at: datetime | None, at: datetime, advance: Advance | None
) -> list[str]:
    """Why the proposal cannot be accepted now (empty when it can)."""
    problems: list[str] = []
    current = effective_status(status, sent_at, at)
    if current == ReservationStatus.EXPIRED:
        assert sent_at is not None
        problems.append(
            Problem(
                "proposal_expired",
                _("the proposal expired on {when} (120 hours after it was sent)").format(
                    when=format_instant(proposal_deadline(sent_at))
                ),
            )
        )
    elif current != ReservationStatus.PROPOSED:
        problems.append(
            Problem(
                "no_open_proposal",
                _("there is no open proposal (status: {status})").format(
                    status=status_label(current)
                ),
            )
        )
    if advance is None:
        problems.append(Problem("advance_missing", _("the 100 € rent advance is not recorded")))
    else:
        if advance.amount_cents < ADVANCE_CENTS:
            problems.append(
                Problem(
                    "advance_short",
                    _("the rent advance is {paid}; 100 € are required").format(
                        paid=money(advance.amount_cents)
                    ),
                )
            )
        if advance.payer_kind not in PAYER_KINDS:
            problems.append(
                Problem(
                    "payer_missing", _("say who paid the advance: the student or a third party")
                )
            )
        elif advance.payer_kind == Payer.THIRD_PARTY and not advance.payer_name.strip():
            problems.append(
                Problem("payer_name_missing", _("name the third party who paid the advance"))
            )
    return problems


def format_instant(at: datetime) -> str:
    from crous_desk.base.clock import PARIS

    return at.astimezone(PARIS).strftime("%d/%m/%Y %H:%M")


def status_label(status: str) -> str:
    labels: dict[str, str] = {
        ReservationStatus.REQUESTED: _("requested"),
        ReservationStatus.PROPOSED: _("proposal sent"),
        ReservationStatus.EXPIRED: _("expired"),
        ReservationStatus.ACCEPTED: _("accepted"),
        ReservationStatus.REFUSED: _("refused"),
        ReservationStatus.CHECKED_IN: _("keys handed"),
        ReservationStatus.DEPARTED: _("departed"),
        ReservationStatus.CANCELLED: _("cancelled"),
    }
    return labels.get(status, status)
