"""The CROUS proposal: a room offered to a request, answered within 120 hours — accepted with
the 100 € advance, or refused (the student then finds housing in the city)."""

from __future__ import annotations

from datetime import datetime

from crous_desk.base.errors import Problem
from crous_desk.base.i18n import _
from crous_desk.desk.action import Act, action
from crous_desk.outbox import proposal_mail, queue
from crous_desk.rules.proposal import (
    ADVANCE_CENTS,
    Advance,
    acceptance_problems,
    effective_status,
    format_instant,
    proposal_deadline,
    status_label,
)
from crous_desk.rules.reference import room_kinds
from crous_desk.rules.status import HOLDING, Payer, ReservationStatus, RoomStatus
from crous_desk.store import locks, search_index
from crous_desk.store.models import Reservation, Room, snapshot


def change_reservation(
    act: Act, reservation: Reservation, expected: ReservationStatus, **changes: object
) -> Reservation:
    """Change the reservation only from the status it was read in (else refused: another desk
    was first), with an audit row of the changed fields before and after."""
    before = snapshot(reservation, *changes)
    changed = (
        Reservation.update(**changes)
        .where(Reservation.id == reservation.id, Reservation.status == expected)
        .execute()
    )
    act.confirm(changed, _("this reservation"))
    fresh = Reservation.get_by_id(reservation.id)
    act.audit(
        "reservation",
        fresh.id,
        reservation=fresh,
        before=before,
        after=snapshot(fresh, *changes),
    )
    return fresh


def room_taken(room: Room, reservation: Reservation, now: datetime) -> list[str]:
    """Why ``room`` cannot be promised for ``reservation``'s days (empty when it can): first
    come, first served, as many students as the room holds.

    Inside the action's transaction: desks promising one room take turns from here (a lock of
    the room's promises), so the second one sees the first one's promise."""
    locks.hold("room-promise", room.id)
    places = 2 if room_kinds()[room.kind].couples else 1
    holders = [
        r
        for r in Reservation.select().where(
            Reservation.room == room,
            Reservation.id != reservation.id,
            Reservation.status.in_(HOLDING),
            Reservation.lease_start <= reservation.lease_end,
            Reservation.lease_end >= reservation.lease_start,
        )
        if effective_status(r.status, r.proposal_sent_at, now) != ReservationStatus.EXPIRED
    ]
    if len(holders) < places:
        return []
    first = holders[0]
    return [
        Problem(
            "room_promised",
            _("room {room} is already promised from {start} to {end} ({ref})").format(
                room=room.number,
                start=first.lease_start.strftime("%d/%m/%Y"),
                end=first.lease_end.strftime("%d/%m/%Y"),
                ref=first.reference,
            ),
        )
    ]


@action("proposal.send")
def send_proposal(
    act: Act, reservation_id: int, room_number: str, sent_at: datetime | None = None
) -> Reservation:
    """Record the CROUS proposal: a room of this residence is offered to a request, and the
    120-hour answer window starts at ``sent_at`` (now when not given)."""
    residence = act.desk.residence
    act.in_scope(residence)
    reservation = act.desk.reservation(reservation_id)
    sent = sent_at or act.now
    if residence is None:
        act.check(
            Problem("no_residence", _("open the desk of a residence to offer one of its rooms"))
        )
    if reservation.status != ReservationStatus.REQUESTED:
        status = effective_status(reservation.status, reservation.proposal_sent_at, act.now)
        act.check(
            Problem(
                "not_a_request",
                _("a proposal is sent for a request only (status: {status})").format(
                    status=status_label(status)
                ),
            )
        )
    if sent > act.now:
        act.check(Problem("sent_in_future", _("a proposal cannot be sent in the future")))
    room = None
    if residence is not None:
        number = "".join(room_number.split()).upper()
        room = Room.get_or_none(Room.residence == residence, Room.number == number)
        if room is None:
            act.check(
                Problem(
                    "no_such_room",
                    _("no room {room!r} at this residence").format(room=room_number[:20]),
                )
            )
        elif room.status == RoomStatus.OUT_OF_SERVICE:
            act.check(
                Problem(
                    "room_out_of_service",
                    _("room {room} is out of service").format(room=room.number),
                )
            )
        else:
            act.check(room_taken(room, reservation, act.now))
    with act.change():
        reservation = change_reservation(
            act,
            reservation,
            ReservationStatus.REQUESTED,
            room=room,
            status=ReservationStatus.PROPOSED,
            proposal_sent_at=sent,
        )
        search_index.index_reservation(reservation)
        queue(act, proposal_mail(reservation))  # the student's e-mail, with its deadline
    return reservation


@action("reservation.accept", needs="proposal.answer", target=Reservation)
def accept(
    act: Act,
    reservation: Reservation,
    payer_kind: str,
    payer_name: str = "",
    amount_cents: int = ADVANCE_CENTS,
) -> Reservation:
    """Record the 100 € advance and the acceptance, if the proposal is still open."""
    payer_name = act.text(payer_name, _("the payer's name"))
    advance = Advance(amount_cents, payer_kind, payer_name)
    act.check(
        acceptance_problems(reservation.status, reservation.proposal_sent_at, act.now, advance)
    )
    with act.change():
        third_party = payer_kind == Payer.THIRD_PARTY
        reservation = change_reservation(
            act,
            reservation,
            ReservationStatus.PROPOSED,
            status=ReservationStatus.ACCEPTED,
            answered_at=act.now,
            advance_cents=amount_cents,
            advance_paid_at=act.now,
            paid_by_kind=payer_kind,
            paid_by_name=payer_name if third_party else reservation.student.full_name,
        )
        if reservation.room_id:
            Room.update(status=RoomStatus.RESERVED).where(Room.id == reservation.room_id).execute()
    return reservation


@action("reservation.refuse", needs="proposal.answer", target=Reservation)
def refuse(act: Act, reservation: Reservation) -> Reservation:
    """Record that the student refused the proposal: the reservation ends there. Only an open
    proposal can be refused."""
    current = effective_status(reservation.status, reservation.proposal_sent_at, act.now)
    if current == ReservationStatus.EXPIRED:
        deadline = proposal_deadline(reservation.proposal_sent_at)
        act.check(
            Problem(
                "proposal_expired",
                _("the proposal expired on {when}: there is nothing left to refuse").format(
                    when=format_instant(deadline)
                ),
            )
        )
    elif current != ReservationStatus.PROPOSED:
        act.check(
            Problem(
                "no_open_proposal",
                _("there is no open proposal (status: {status})").format(
                    status=status_label(current)
                ),
            )
        )
    with act.change():
        reservation = change_reservation(
            act,
            reservation,
            ReservationStatus.PROPOSED,
            status=ReservationStatus.REFUSED,
            answered_at=act.now,
        )
    return reservation
