"""The key handover: at the desk, in desk hours, once every condition of the rental file,
the payment and the check-in inspection is met — one key set, to one tenant at a time.

The busiest write of the desk (every arrival day, many desks at once), so it holds the write
lock for a few statements only: every fact the rules need is read before the lock (a few raw
statements, no model loaded row by row) and the rules decided on them; inside the lock the same
facts are read again and compared (any difference: decided again on what is read there), then
the key set and the reservation move only from the state they were read in (conditional
updates), the room is occupied, and the key log and the audit log get their line.
"""

from __future__ import annotations

from typing import Any

from crous_desk.base.i18n import _
from crous_desk.desk.action import Act, action
from crous_desk.desk.context import calendar_of
from crous_desk.keys.actions import log_key
from crous_desk.rules import handover
from crous_desk.rules.hours import DeskCalendar
from crous_desk.rules.rental_file import DocumentFacts
from crous_desk.rules.status import (
    InspectionKind,
    KeyEvent,
    KeyState,
    ReservationStatus,
    RoomStatus,
)
from crous_desk.store.models import Closure, Document, KeySet, Reservation, db

# The reservation, its residence's desk hours, the check-in inspection and the set at the desk.
_FACTS = (
    "SELECT r.status, r.proposal_sent_at, r.advance_cents, r.lease_start, r.lease_end, "
    "r.room_id, s.id, s.timezone, s.opening, "
    "EXISTS (SELECT 1 FROM inspection i WHERE i.reservation_id = r.id AND i.kind = {p} "
    "AND i.acknowledged_at IS NOT NULL), "
    "(SELECT k.id FROM key_set k WHERE k.room_id = r.room_id AND k.state = {p} "
    "ORDER BY k.label LIMIT 1) "
    "FROM reservation r LEFT JOIN room m ON m.id = r.room_id "
    "LEFT JOIN residence s ON s.id = m.residence_id WHERE r.id = {p}"
)
_DOCUMENTS = (
    "SELECT kind, received_at, verified_at, covers_from, covers_until, guarantor_kind, "
    "id_expires FROM document WHERE reservation_id = {p} ORDER BY id"
)
_CLOSURES = "SELECT first, last, reason FROM closure WHERE residence_id = {p} ORDER BY id"

Seen = tuple[Any, ...]  # what the rules were decided on: the facts' rows, as read


def set_to_hand_over(room_id: int) -> KeySet | None:
    """The key set a handover to this room's tenant gives: the first one at the desk."""
    return (
        KeySet.select()
        .where(KeySet.room == room_id, KeySet.state == KeyState.DESK)
        .order_by(KeySet.label)
        .first()
    )


def read_facts(act: Act, reservation_id: int) -> Seen:
    """The rows the handover's rules are decided on (three indexed statements)."""
    p = db.param
    facts = db.execute_sql(
        _FACTS.format(p=p), (InspectionKind.CHECK_IN.value, KeyState.DESK.value, reservation_id)
    ).fetchone()
    documents = db.execute_sql(_DOCUMENTS.format(p=p), (reservation_id,)).fetchall()
    residence_id = facts[6] if facts is not None and facts[6] is not None else None
    if residence_id is None and act.desk.residence is not None:
        residence_id = act.desk.residence.id  # not in a room: the desk's own hours
    closures = (
        db.execute_sql(_CLOSURES.format(p=p), (residence_id,)).fetchall()
        if residence_id is not None
        else []
    )
    return (facts, tuple(documents), tuple(closures))


def blockers_of(act: Act, seen: Seen) -> list[str]:
    """Every unmet condition of the handover, from the rows :func:`read_facts` read (the same
    rules as :func:`crous_desk.reservations.file.handover_blockers`)."""
    facts, documents, closures = seen
    if facts is None:
        return []  # deleted meanwhile: the caller loads it again and is refused
    status, sent, advance, start, end, room_id, residence_id, timezone, opening = facts[:9]
    checked_in, key_set_id = facts[9:]
    if residence_id is None and act.desk.residence is not None:
        timezone, opening = act.desk.residence.timezone, act.desk.residence.opening
    calendar = (
        calendar_of(
            timezone,
            opening,
            (
                (Closure.first.python_value(a), Closure.last.python_value(b), reason)
                for a, b, reason in closures
            ),
        )
        if timezone is not None
        else DeskCalendar()
    )
    return handover.handover_blockers(
        handover.facts_of_stay(
            act.now,
            calendar,
            status=status,
            proposal_sent_at=Reservation.proposal_sent_at.python_value(sent),
            advance_cents=advance,
            lease_start=Reservation.lease_start.python_value(start),
            lease_end=Reservation.lease_end.python_value(end),
            documents=_document_facts(documents),
            check_in_acknowledged=bool(checked_in),
            key_set_at_desk=room_id is not None and key_set_id is not None,
        )
    )


def _document_facts(rows: tuple[Any, ...]) -> dict[str, DocumentFacts]:
    day = Document.covers_from.python_value
    return {
        kind: DocumentFacts(
            kind=kind,
            received=received is not None,
            verified=verified is not None,
            covers_from=day(covers_from),
            covers_until=day(covers_until),
            guarantor_kind=guarantor,
            id_expires=day(expires),
        )
        for kind, received, verified, covers_from, covers_until, guarantor, expires in rows
    }


def _changed(statement: str, *params: Any) -> int:
    return int(db.execute_sql(statement.format(p=db.param), params).rowcount)


@action("keys.handover", target=Reservation, checks_first=True)
def hand_over_keys(act: Act, reservation: Reservation) -> KeySet:
    """Hand a key set of the room to the tenant, or refuse with every unmet condition.

    The key set moves only if it is still at the desk, and the reservation only if it is still
    accepted (conditional updates): two desks can never hand out one set.
    """
    seen = read_facts(act, reservation.id)
    act.check(blockers_of(act, seen))
    with act.change():
        now_seen = read_facts(act, reservation.id)
        if now_seen != seen:  # another desk changed something: decide again on what is here
            reservation = act.get(Reservation, reservation.id)
            act.in_scope(reservation)
            act.check(blockers_of(act, now_seen))
            if act.refused:
                act.refuse()
        facts = now_seen[0]
        room_id, key_set_id = facts[5], facts[10]
        what = _("this key set or reservation")
        act.confirm(0 if key_set_id is None else 1, what)
        act.confirm(
            _changed(
                "UPDATE key_set SET state = {p}, holder_id = {p} WHERE id = {p} AND state = {p}",
                KeyState.OUT.value,
                reservation.id,
                key_set_id,
                KeyState.DESK.value,
            ),
            what,
        )
        act.confirm(
            _changed(
                "UPDATE reservation SET status = {p}, keys_handed_at = {p} "
                "WHERE id = {p} AND status = {p}",
                ReservationStatus.CHECKED_IN.value,
                Reservation.keys_handed_at.db_value(act.now),
                reservation.id,
                ReservationStatus.ACCEPTED.value,
            ),
            what,
        )
        _changed("UPDATE room SET status = {p} WHERE id = {p}", RoomStatus.OCCUPIED.value, room_id)
        log_key(act, key_set_id, KeyEvent.HANDOVER, reservation=reservation)
        act.audit(
            "key_set",
            key_set_id,
            reservation=reservation,
            before={
                "state": KeyState.DESK,
                "holder": None,
                "reservation_status": ReservationStatus.ACCEPTED,
            },
            after={
                "state": KeyState.OUT,
                "holder": reservation.reference,
                "reservation_status": ReservationStatus.CHECKED_IN,
            },
        )
    return act.get(KeySet, key_set_id)
