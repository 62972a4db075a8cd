"""Keys: where every set is, who held which set when, and the desk's actions on them.

A set moves only by a conditional update (it moves from the state and holder it was read with)
inside one write-locked transaction, which also writes a key-log row naming the staff member and
an audit row with before and after. Taking a set back and lending one are bound to the desk (desk
hours); declaring a set lost, retiring one or adding one are not. The first handover is
``Desk.hand_over_keys``; :func:`reissue` hands a set to a tenant who already lives here.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from peewee import JOIN, fn

from crous_desk.base.errors import Refused
from crous_desk.base.i18n import _
from crous_desk.desk import permissions
from crous_desk.desk.context import Desk
from crous_desk.desk.stay import (
    closed_problem,
    day_bounds,
    record,
    refuse_if,
    scope_problem,
    text_problem,
)
from crous_desk.money.prices import prices_for
from crous_desk.reservations.search import find_reference
from crous_desk.rules.proposal import format_instant, status_label
from crous_desk.rules.rental_file import fmt
from crous_desk.store.models import (
    Charge,
    KeyLoan,
    KeyLog,
    KeySet,
    Reservation,
    Room,
    Staff,
    Student,
    db,
)

LOCATIONS = ("desk", "tenant", "loan", "lost", "retired")


@dataclass(frozen=True)
class KeySetRow:
    """One key set and where it is now."""

    key_set_id: int
    label: str
    room_id: int
    room: str
    state: str  # desk | out | lost | retired
    location: str  # desk | tenant | loan | lost | retired
    reservation_id: int | None
    reference: str
    holder: str  # the tenant's name, or the borrower; "" when nobody holds it
    due_at: datetime | None  # when a lent set is due back
    since: datetime | None  # the set's last key-log entry


@dataclass(frozen=True)
class KeyLogRow:
    id: int
    at: datetime
    action: str  # handover | return | lost | replaced | retired | added | loan
    key_set_id: int
    label: str
    room: str
    reservation_id: int | None
    reference: str
    tenant: str
    staff: str
    staff_name: str
    note: str


@dataclass(frozen=True)
class KeyOut:
    """A set that is out and should not be (the 17:00 closing, the home screen)."""

    key_set_id: int
    label: str
    room: str
    reason: str  # departed | not_a_tenant | lease_ended | lease_ends_today | loan_overdue | nobody
    message: str
    reservation_id: int | None
    reference: str
    holder: str
    due_at: datetime | None


@dataclass(frozen=True)
class LostKey:
    lost: KeySet
    replacement: KeySet
    charge: Charge | None


# -- where the keys are -------------------------------------------------------------------------


def _rooms_in_scope(desk: Desk, room_id: int | None = None) -> list[object]:
    where: list[object] = []
    if desk.residence is not None:
        where.append(Room.residence == desk.residence)
    if room_id is not None:
        where.append(Room.id == room_id)
    return where or [Room.id.is_null(False)]  # every room (peewee refuses an empty where)


def _holders(ids: Collection[int]) -> dict[int, Reservation]:
    if not ids:
        return {}
    rows = Reservation.select(Reservation, Student).join(Student).where(Reservation.id.in_(ids))
    return {r.id: r for r in rows}


def _open_loans(key_set_ids: Collection[int]) -> dict[int, KeyLoan]:
    if not key_set_ids:
        return {}
    rows = KeyLoan.select().where(KeyLoan.key_set.in_(key_set_ids), KeyLoan.returned_at.is_null())
    return {loan.key_set_id: loan for loan in rows}


def inventory(
    desk: Desk, *, room_id: int | None = None, states: Collection[str] | None = None
) -> list[KeySetRow]:
    """Every key set of the desk's residence (or of one room), by room then label."""
    permissions.require(desk.actor, "keys.view", desk.residence)
    query = KeySet.select(KeySet, Room).join(Room).where(*_rooms_in_scope(desk, room_id))
    if states:
        query = query.where(KeySet.state.in_(list(states)))
    sets = list(query.order_by(Room.number, KeySet.label))
    ids = [k.id for k in sets]
    holders = _holders({k.holder_id for k in sets if k.holder_id})
    loans = _open_loans([k.id for k in sets if k.state == "out"])
    latest = (
        KeyLog.select(fn.MAX(KeyLog.id)).where(KeyLog.key_set.in_(ids)).group_by(KeyLog.key_set)
    )
    since = {log.key_set_id: log.at for log in KeyLog.select().where(KeyLog.id.in_(latest))}
    rows = []
    for k in sets:
        holder = holders.get(k.holder_id) if k.holder_id else None
        loan = loans.get(k.id)
        if k.state == "out":
            location = "loan" if loan is not None else "tenant"
        else:
            location = k.state
        rows.append(
            KeySetRow(
                key_set_id=k.id,
                label=k.label,
                room_id=k.room.id,
                room=k.room.number,
                state=k.state,
                location=location,
                reservation_id=holder.id if holder else None,
                reference=holder.reference if holder else "",
                holder=loan.borrower if loan else (holder.student.full_name if holder else ""),
                due_at=loan.due_at if loan else None,
                since=since.get(k.id),
            )
        )
    return rows


def key_log(
    desk: Desk,
    *,
    room_id: int | None = None,
    reservation_id: int | None = None,
    student_id: int | None = None,
    staff_id: int | None = None,
    key_set_id: int | None = None,
    first_day: date | None = None,
    last_day: date | None = None,
    limit: int = 500,
) -> list[KeyLogRow]:
    """The key log, newest first, filtered by room, tenant, staff member and local days."""
    permissions.require(desk.actor, "keys.view", desk.residence)
    query = (
        KeyLog.select(KeyLog, KeySet, Room, Staff, Reservation, Student)
        .join(KeySet)
        .join(Room)
        .switch(KeyLog)
        .join(Staff)
        .switch(KeyLog)
        .join(Reservation, JOIN.LEFT_OUTER)
        .join(Student, JOIN.LEFT_OUTER)
        .where(*_rooms_in_scope(desk, room_id))
    )
    if reservation_id is not None:
        query = query.where(KeyLog.reservation == reservation_id)
    if student_id is not None:
        query = query.where(Reservation.student == student_id)
    if staff_id is not None:
        query = query.where(KeyLog.staff == staff_id)
    if key_set_id is not None:
        query = query.where(KeyLog.key_set == key_set_id)
    start, end = day_bounds(desk, first_day, last_day)
    if start is not None:
        query = query.where(KeyLog.at >= start)
    if end is not None:
        query = query.where(KeyLog.at < end)
    rows = []
    for log in query.order_by(KeyLog.at.desc(), KeyLog.id.desc()).limit(limit):
        reservation = log.reservation if log.reservation_id else None
        rows.append(
            KeyLogRow(
                id=log.id,
                at=log.at,
                action=log.action,
                key_set_id=log.key_set.id,
                label=log.key_set.label,
                room=log.key_set.room.number,
                reservation_id=reservation.id if reservation else None,
                reference=reservation.reference if reservation else "",
                tenant=reservation.student.full_name if reservation else "",
                staff=log.staff.username,
                staff_name=log.staff.display_name,
                note=log.note,
            )
        )
    return rows


def _out_problems(desk: Desk, at: datetime, *, due_today: bool) -> list[KeyOut]:
    permissions.require(desk.actor, "keys.view", desk.residence)
    tz = desk.calendar().tz
    day = at.astimezone(tz).date()
    sets = list(
        KeySet.select(KeySet, Room)
        .join(Room)
        .where(KeySet.state == "out", *_rooms_in_scope(desk))
        .order_by(Room.number, KeySet.label)
    )
    holders = _holders({k.holder_id for k in sets if k.holder_id})
    loans = _open_loans([k.id for k in sets])
    found = []
    for k in sets:
        holder = holders.get(k.holder_id) if k.holder_id else None
        loan = loans.get(k.id)
        name = loan.borrower if loan else (holder.student.full_name if holder else "")
        reason = message = None
        if loan is not None and loan.due_at <= at:
            reason = "loan_overdue"
            message = _("lent to {who}, due back {when}").format(
                who=loan.borrower, when=format_instant(loan.due_at)
            )
        elif holder is None and loan is None:
            reason, message = "nobody", _("out, with no tenant or loan recorded")
        elif holder is not None and holder.status == "departed":
            reason = "departed"
            message = _("{who} has departed").format(who=holder.student.full_name)
        elif holder is not None and holder.status != "checked_in":
            reason = "not_a_tenant"
            message = _("{who} is not a tenant (reservation {status})").format(
                who=holder.student.full_name, status=status_label(holder.status)
            )
        elif holder is not None and holder.lease_end < day:
            reason = "lease_ended"
            message = _("the lease of {who} ended on {day}").format(
                who=holder.student.full_name, day=fmt(holder.lease_end)
            )
        elif due_today and holder is not None and holder.lease_end == day and loan is None:
            reason = "lease_ends_today"
            message = _("the lease of {who} ends today").format(who=holder.student.full_name)
        if reason is None or message is None:
            continue
        found.append(
            KeyOut(
                key_set_id=k.id,
                label=k.label,
                room=k.room.number,
                reason=reason,
                message=message,
                reservation_id=holder.id if holder else None,
                reference=holder.reference if holder else "",
                holder=name,
                due_at=loan.due_at if loan else None,
            )
        )
    return found


def keys_to_return(desk: Desk, at: datetime | None = None) -> list[KeyOut]:
    """Sets out that should be back by now: departed or ended tenants, overdue loans."""
    return _out_problems(desk, at or desk.now(), due_today=False)


def closing_check(desk: Desk) -> list[KeyOut]:
    """The 17:00 round: every set out that should not stay out tonight.

    Read at today's closing (or now, when later): loans due by then, tenants who have departed
    or whose lease has ended, and tenants whose lease ends today and still hold their keys.
    """
    now = desk.now()
    calendar = desk.calendar()
    closing = calendar.closes_at(now.astimezone(calendar.tz).date())
    return _out_problems(desk, max(now, closing), due_today=True)


# -- actions ------------------------------------------------------------------------------------


def _key_set(key_set_id: int) -> KeySet:
    found = KeySet.get_or_none(KeySet.id == key_set_id)
    if found is None:
        raise Refused(_("no key set #{id}").format(id=key_set_id))
    return found


def _move(key_set: KeySet, **changes: object) -> None:
    """Move the set only from the state and holder it was read with; else nothing changes."""
    holder_is = (
        KeySet.holder.is_null() if key_set.holder_id is None else KeySet.holder == key_set.holder_id
    )
    moved = (
        KeySet.update(**changes)
        .where(KeySet.id == key_set.id, KeySet.state == key_set.state, holder_is)
        .execute()
    )
    if moved != 1:
        raise Refused(
            _("another desk changed key set {label} just now; look again").format(
                label=key_set.label
            )
        )


def _state_problem(key_set: KeySet, allowed: Collection[str], doing: str) -> str | None:
    if key_set.state in allowed:
        return None
    states = {
        "desk": _("at the desk"),
        "out": _("out"),
        "lost": _("lost"),
        "retired": _("retired"),
    }
    return _("key set {label} is {state}: {doing} is not possible").format(
        label=key_set.label, state=states.get(key_set.state, key_set.state), doing=doing
    )


def return_set(desk: Desk, key_set: KeySet, now: datetime, *, note: str, action: str) -> None:
    """Move an out set back to the desk, close its loan, log and audit it (no rule checked:
    the caller has checked them in the same transaction)."""
    holder_id = key_set.holder_id
    loan = _open_loans([key_set.id]).get(key_set.id)
    _move(key_set, state="desk", holder=None)
    if loan is not None:
        KeyLoan.update(returned_at=now, returned_by=desk.actor).where(
            KeyLoan.id == loan.id, KeyLoan.returned_at.is_null()
        ).execute()
    KeyLog.create(
        key_set=key_set,
        reservation=holder_id,
        action="return",
        at=now,
        staff=desk.actor,
        note=note,
    )
    record(
        desk,
        now,
        action,
        "key_set",
        key_set.id,
        reservation=holder_id,
        before={"state": "out", "holder": holder_id, "loan": loan.id if loan else None},
        after={"state": "desk", "holder": None},
    )


def take_back(
    desk: Desk, key_set_id: int, *, from_reservation: int | None = None, note: str = ""
) -> KeySet:
    """The set comes back to the desk (desk hours); an open loan of it is closed.

    ``from_reservation``: the holder the desk saw; if the set is no longer with them (another
    desk took it back and handed it on), nothing changes.
    """
    permissions.require(desk.actor, "keys.return")
    now = desk.now()
    with db.atomic():
        key_set = _key_set(key_set_id)
        room = key_set.room
        note, note_problem = text_problem(note, _("a note"), required=False)
        state_problem = _state_problem(key_set, ("out",), _("taking it back"))
        holder_problem = None
        if state_problem is None and from_reservation not in (None, key_set.holder_id):
            holder_problem = _("key set {label} is no longer with that tenant; look again").format(
                label=key_set.label
            )
        refuse_if(
            [
                scope_problem(desk, room),
                closed_problem(desk, room.residence, _("keys are taken back")),
                state_problem,
                holder_problem,
                note_problem,
            ]
        )
        return_set(desk, key_set, now, note=note, action="keys.return")
    return KeySet.get_by_id(key_set_id)


def _next_label(key_set: KeySet) -> str:
    """The room's next set label: "GAS/B-112/1" is replaced by "GAS/B-112/3" if /2 exists."""
    labels = {k.label for k in KeySet.select(KeySet.label).where(KeySet.room == key_set.room_id)}
    base, _sep, last = key_set.label.rpartition("/")
    if not base or not last.isdigit():
        base = key_set.label
    numbers = [
        int(label.rpartition("/")[2])
        for label in labels
        if label.rpartition("/")[0] == base and label.rpartition("/")[2].isdigit()
    ]
    n = max(numbers, default=0) + 1
    while True:
        candidate = f"{base}/{n}"
        if not KeySet.select().where(KeySet.label == candidate).exists():
            return candidate
        n += 1


def declare_lost(desk: Desk, key_set_id: int, *, note: str = "") -> LostKey:
    """The set is blocked as lost, a replacement set for the room is made (at the desk), and
    whoever held it is charged the lost-key price of the residence."""
    permissions.require(desk.actor, "keys.manage")
    now = desk.now()
    with db.atomic():
        key_set = _key_set(key_set_id)
        room = key_set.room
        note, note_problem = text_problem(note, _("a note"), required=False)
        refuse_if(
            [
                scope_problem(desk, room),
                _state_problem(key_set, ("desk", "out"), _("declaring it lost")),
                note_problem,
            ]
        )
        was_out = key_set.state == "out"
        before = {"state": key_set.state, "holder": key_set.holder_id}
        holder = Reservation.get_by_id(key_set.holder_id) if key_set.holder_id else None
        loan = _open_loans([key_set.id]).get(key_set.id) if was_out else None
        _move(key_set, state="lost", holder=None)
        replacement = KeySet.create(room=room, label=_next_label(key_set), state="desk")
        KeyLog.create(
            key_set=key_set,
            reservation=holder,
            action="lost",
            at=now,
            staff=desk.actor,
            note=note,
        )
        KeyLog.create(
            key_set=replacement,
            reservation=None,
            action="replaced",
            at=now,
            staff=desk.actor,
            note=_("replaces {label}").format(label=key_set.label),
        )
        charge = None
        if was_out:
            who = loan.borrower if loan else (holder.student.full_name if holder else "")
            charge = Charge.create(
                reservation=holder,
                room=room,
                kind="lost_key",
                label=_("lost key set {label}").format(label=key_set.label),
                detail=who,
                amount_cents=prices_for(room.residence_id).lost_key_set_cents(),
                key_set=key_set,
                at=now,
                staff=desk.actor,
            )
        record(
            desk,
            now,
            "keys.lost",
            "key_set",
            key_set.id,
            reservation=holder,
            before=before,
            after={
                "state": "lost",
                "holder": None,
                "replacement": replacement.label,
                "charge_cents": charge.amount_cents if charge else None,
            },
        )
    return LostKey(KeySet.get_by_id(key_set.id), replacement, charge)


def retire(desk: Desk, key_set_id: int, reason: str) -> KeySet:
    """Take a set out of use for good (worn, lock changed, found after a replacement)."""
    permissions.require(desk.actor, "keys.manage")
    now = desk.now()
    with db.atomic():
        key_set = _key_set(key_set_id)
        reason, reason_problem = text_problem(reason, _("the reason"), required=True)
        refuse_if(
            [
                scope_problem(desk, key_set.room),
                _state_problem(key_set, ("desk", "lost"), _("retiring it")),
                reason_problem,
            ]
        )
        before = key_set.state
        _move(key_set, state="retired", holder=None)
        KeyLog.create(key_set=key_set, action="retired", at=now, staff=desk.actor, note=reason)
        record(
            desk,
            now,
            "keys.retire",
            "key_set",
            key_set.id,
            before={"state": before},
            after={"state": "retired", "reason": reason},
        )
    return KeySet.get_by_id(key_set_id)


def add_key_set(desk: Desk, room_id: int, *, note: str = "") -> KeySet:
    """A new set for a room (a spare, or after a retirement), kept at the desk."""
    permissions.require(desk.actor, "keys.manage")
    now = desk.now()
    with db.atomic():
        room = Room.get_or_none(Room.id == room_id)
        if room is None:
            raise Refused(_("no room #{id}").format(id=room_id))
        note, note_problem = text_problem(note, _("a note"), required=False)
        refuse_if([scope_problem(desk, room), note_problem])
        last = KeySet.select().where(KeySet.room == room).order_by(KeySet.id.desc()).first()
        if last is not None:
            label = _next_label(last)
        else:
            code = room.residence.code[:3].upper()
            label = _next_label(KeySet(room=room, label=f"{code}/{room.number}/0"))
        key_set = KeySet.create(room=room, label=label, state="desk")
        KeyLog.create(key_set=key_set, action="added", at=now, staff=desk.actor, note=note)
        record(
            desk,
            now,
            "keys.add",
            "key_set",
            key_set.id,
            after={"label": label, "room": room.number},
        )
    return key_set


def lend(
    desk: Desk,
    key_set_id: int,
    borrower: str,
    due_at: datetime,
    *,
    reservation_id: int | None = None,
) -> KeyLoan:
    """Lend a set from the desk until ``due_at`` (desk hours): a contractor, a locked-out tenant."""
    permissions.require(desk.actor, "keys.manage")
    now = desk.now()
    with db.atomic():
        key_set = _key_set(key_set_id)
        room = key_set.room
        borrower, borrower_problem = text_problem(borrower, _("the borrower"), required=False)
        problems = [
            scope_problem(desk, room),
            closed_problem(desk, room.residence, _("keys are lent")),
            _state_problem(key_set, ("desk",), _("lending it")),
            borrower_problem,
        ]
        reservation = None
        if reservation_id is not None:
            reservation = desk.reservation(reservation_id)
            if reservation.status != "checked_in" or reservation.room_id != room.id:
                problems.append(
                    _("a set is lent to a tenant of room {room} only").format(room=room.number)
                )
            borrower = borrower or reservation.student.full_name
        if not borrower and borrower_problem is None:
            problems.append(_("name the borrower"))
        if due_at.tzinfo is None or due_at <= now:
            problems.append(_("the loan must be due back later than now"))
        refuse_if(problems)
        _move(key_set, state="out", holder=reservation)
        loan = KeyLoan.create(
            key_set=key_set,
            reservation=reservation,
            borrower=borrower,
            lent_at=now,
            lent_by=desk.actor,
            due_at=due_at,
        )
        KeyLog.create(
            key_set=key_set,
            reservation=reservation,
            action="loan",
            at=now,
            staff=desk.actor,
            note=_("lent to {who} until {when}").format(who=borrower, when=format_instant(due_at)),
        )
        record(
            desk,
            now,
            "keys.lend",
            "key_set",
            key_set.id,
            reservation=reservation,
            before={"state": "desk", "holder": None},
            after={
                "state": "out",
                "holder": reservation.id if reservation else None,
                "borrower": borrower,
                "due_at": due_at.isoformat(),
            },
        )
    return loan


def reissue(desk: Desk, key_set_id: int, reservation_id: int) -> KeySet:
    """Hand a set from the desk to a tenant who already lives here (after a loss), desk hours."""
    permissions.require(desk.actor, "keys.handover")
    now = desk.now()
    with db.atomic():
        key_set = _key_set(key_set_id)
        reservation = desk.reservation(reservation_id)
        room = key_set.room
        today = desk.today(room.residence)
        problems = [
            scope_problem(desk, room),
            closed_problem(desk, room.residence, _("keys are handed over")),
            _state_problem(key_set, ("desk",), _("handing it over")),
        ]
        if reservation.status != "checked_in":
            problems.append(
                _("only a tenant who lives here gets a set this way (reservation {status})").format(
                    status=status_label(reservation.status)
                )
            )
        if KeySet.select().where(KeySet.holder == reservation.id, KeySet.state == "out").exists():
            problems.append(
                _("{who} already holds a key set: one set per tenant").format(
                    who=reservation.student.full_name
                )
            )
        if reservation.room_id != room.id:
            problems.append(
                _("key set {label} is not for this tenant's room").format(label=key_set.label)
            )
        if reservation.lease_end < today:
            problems.append(_("the lease ended on {day}").format(day=fmt(reservation.lease_end)))
        refuse_if(problems)
        _move(key_set, state="out", holder=reservation)
        KeyLog.create(
            key_set=key_set,
            reservation=reservation,
            action="handover",
            at=now,
            staff=desk.actor,
            note=_("set handed to a tenant already living here"),
        )
        record(
            desk,
            now,
            "keys.reissue",
            "key_set",
            key_set.id,
            reservation=reservation,
            before={"state": "desk", "holder": None},
            after={"state": "out", "holder": reservation.reference},
        )
    return KeySet.get_by_id(key_set_id)


def tenants_without_keys(room_id: int) -> list[Reservation]:
    """Tenants living in the room who hold no key set (after a loss): who a set is reissued to."""
    holding = KeySet.select(KeySet.holder).where(
        KeySet.room == room_id, KeySet.state == "out", KeySet.holder.is_null(False)
    )
    return list(
        Reservation.select()
        .where(
            Reservation.room == room_id,
            Reservation.status == "checked_in",
            Reservation.id.not_in(holding),
        )
        .order_by(Reservation.id)
    )


def key_log_for(
    desk: Desk,
    *,
    room: str = "",
    tenant: str = "",
    staff: str = "",
    first_day: str = "",
    last_day: str = "",
) -> list[KeyLogRow]:
    """The key log filtered by what a person types: a room number, a tenant's reservation
    reference, a staff username, and days as dd/mm/yyyy. Unknown values are refused."""
    from crous_desk.base.dates import parse_day

    problems: list[str] = []
    room_id = reservation_id = staff_id = None
    first = last = None
    if room.strip():
        found_room = Room.get_or_none(Room.number == room.strip().upper(), *_rooms_in_scope(desk))
        if found_room is None:
            problems.append(_("no room {room!r} at this desk").format(room=room.strip()))
        else:
            room_id = found_room.id
    if tenant.strip():
        found = find_reference(desk, tenant)
        if found is None:
            problems.append(_("no reservation {ref!r} at this desk").format(ref=tenant.strip()))
        else:
            reservation_id = found.id
    if staff.strip():
        member = Staff.get_or_none(Staff.username == staff.strip())
        if member is None:
            problems.append(_("no staff member {name!r}").format(name=staff.strip()))
        else:
            staff_id = member.id
    for text, slot in ((first_day, "first"), (last_day, "last")):
        if text.strip():
            try:
                day = parse_day(text)
            except ValueError as error:
                problems.append(str(error))
                continue
            if slot == "first":
                first = day
            else:
                last = day
    if problems:
        raise Refused(*problems)
    return key_log(
        desk,
        room_id=room_id,
        reservation_id=reservation_id,
        staff_id=staff_id,
        first_day=first,
        last_day=last,
    )
