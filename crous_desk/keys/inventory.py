"""Where the keys are: every set of the desk's residence and who holds it, the key log (who
held which set when, and who handed it), and the sets out that should be back at the desk."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from peewee import JOIN, fn

from crous_desk.base.dates import parse_day
from crous_desk.base.errors import Problem, Refused
from crous_desk.base.i18n import _
from crous_desk.desk import permissions
from crous_desk.desk.context import Desk, read_in_one_go
from crous_desk.reservations.search import find_reference
from crous_desk.rules.keys import OutFacts, OutReason, out_reason
from crous_desk.rules.status import KeyEvent, KeyLocation, KeyState, ReservationStatus
from crous_desk.store.models import (
    KeyLoan,
    KeyLog,
    KeySet,
    Reservation,
    Room,
    Staff,
    Student,
    tuples,
)


@dataclass(frozen=True)
class KeySetRow:
    """One key set and where it is now."""

    key_set_id: int
    label: str
    room_id: int
    room: str
    state: KeyState
    location: KeyLocation
    reservation_id: int | None
    reference: str
    holder: str  # the tenant's name, or the borrower; "" when nobody holds it
    due_at: datetime | None  # when a lent set is due back
    since: datetime | None  # the set's last key-log entry


@dataclass(frozen=True)
class KeyLogRow:
    id: int
    at: datetime
    action: KeyEvent
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
    reason: OutReason
    message: str
    reservation_id: int | None
    reference: str
    holder: str
    due_at: datetime | None


def rooms_in_scope(desk: Desk, room_id: int | None = None) -> list[object]:
    """The conditions on Room for the desk's residence (and one room, when given)."""
    where: list[object] = desk.rooms_where()
    if room_id is not None:
        where.append(Room.id == room_id)
    return where or [Room.id.is_null(False)]  # every room (peewee refuses an empty where)


def _holders(ids: Collection[int]) -> dict[int, Reservation]:
    if not ids:
        return {}
    rows = Reservation.select(Reservation, Student).join(Student).where(Reservation.id.in_(ids))
    return {r.id: r for r in rows}


def open_loans(key_set_ids: Collection[int]) -> dict[int, KeyLoan]:
    """The loan not yet returned of each of these sets that is lent, by key set id."""
    if not key_set_ids:
        return {}
    rows = KeyLoan.select().where(KeyLoan.key_set.in_(key_set_ids), KeyLoan.returned_at.is_null())
    return {loan.key_set_id: loan for loan in rows}


def inventory(
    desk: Desk, *, room_id: int | None = None, states: Collection[str] | None = None
) -> list[KeySetRow]:
    """Every key set of the desk's residence (or of one room), by room then label."""
    permissions.require(desk.actor, "keys.view", desk.residence)
    query = KeySet.select(KeySet, Room).join(Room).where(*rooms_in_scope(desk, room_id))
    if states:
        query = query.where(KeySet.state.in_(list(states)))
    sets = list(query.order_by(Room.number, KeySet.label))
    ids = [k.id for k in sets]
    holders = _holders({k.holder_id for k in sets if k.holder_id})
    loans = open_loans([k.id for k in sets if k.state == KeyState.OUT])
    latest = (
        KeyLog.select(fn.MAX(KeyLog.id)).where(KeyLog.key_set.in_(ids)).group_by(KeyLog.key_set)
    )
    since = {log.key_set_id: log.at for log in KeyLog.select().where(KeyLog.id.in_(latest))}
    rows = []
    for k in sets:
        holder = holders.get(k.holder_id) if k.holder_id else None
        loan = loans.get(k.id)
        if k.state == KeyState.OUT:
            location = KeyLocation.LOAN if loan is not None else KeyLocation.TENANT
        else:
            location = KeyLocation(k.state)
        rows.append(
            KeySetRow(
                key_set_id=k.id,
                label=k.label,
                room_id=k.room.id,
                room=k.room.number,
                state=KeyState(k.state),
                location=location,
                reservation_id=holder.id if holder else None,
                reference=holder.reference if holder else "",
                holder=loan.borrower if loan else (holder.student.full_name if holder else ""),
                due_at=loan.due_at if loan else None,
                since=since.get(k.id),
            )
        )
    return rows


@read_in_one_go
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
        KeyLog.select(
            KeyLog.id,
            KeyLog.at,
            KeyLog.action,
            KeySet.id,
            KeySet.label,
            Room.number,
            Reservation.id,
            Reservation.reference,
            Student.first_name,
            Student.last_name,
            Staff.username,
            Staff.display_name,
            KeyLog.note,
        )
        .join(KeySet)
        .join(Room)
        .switch(KeyLog)
        .join(Staff)
        .switch(KeyLog)
        .join(Reservation, JOIN.LEFT_OUTER)
        .join(Student, JOIN.LEFT_OUTER)
    )
    if desk.residence is not None or room_id is not None:
        # read newest first along the index on ``at``, keeping the rows of the residence's few
        # key sets (a list held in memory): "+ 0" keeps the database from going through the
        # key sets instead, which would read and sort every handover the residence ever made
        sets = KeySet.select(KeySet.id).join(Room).where(*rooms_in_scope(desk, room_id))
        query = query.where((KeyLog.key_set + 0).in_(sets))
    if reservation_id is not None:
        query = query.where(KeyLog.reservation == reservation_id)
    if student_id is not None:
        query = query.where(Reservation.student == student_id)
    if staff_id is not None:
        query = query.where(KeyLog.staff == staff_id)
    if key_set_id is not None:
        query = query.where(KeyLog.key_set == key_set_id)
    start, end = desk.day_bounds(first_day, last_day)
    if start is not None:
        query = query.where(KeyLog.at >= start)
    if end is not None:
        query = query.where(KeyLog.at < end)
    rows = []
    ordered = query.order_by(KeyLog.at.desc(), KeyLog.id.desc()).limit(limit)
    for (
        log_id,
        at,
        action,
        set_id,
        label,
        room,
        held_by,
        reference,
        first,
        last,
        username,
        display_name,
        note,
    ) in tuples(ordered):  # plain rows: the log is read 500 lines at a time
        rows.append(
            KeyLogRow(
                id=log_id,
                at=at,
                action=KeyEvent(action),
                key_set_id=set_id,
                label=label,
                room=room,
                reservation_id=held_by,
                reference=reference or "",
                tenant=f"{first} {last}" if held_by else "",
                staff=username,
                staff_name=display_name,
                note=note,
            )
        )
    return rows


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
    problems: list[str] = []
    room_id = reservation_id = staff_id = None
    if room.strip():
        found_room = Room.get_or_none(Room.number == room.strip().upper(), *rooms_in_scope(desk))
        if found_room is None:
            problems.append(
                Problem(
                    "no_such_room",
                    _("no room {room!r} at this desk").format(room=room.strip()),
                    about="room",
                )
            )
        else:
            room_id = found_room.id
    if tenant.strip():
        found = find_reference(desk, tenant)
        if found is None:
            problems.append(
                Problem(
                    "no_such_reservation",
                    _("no reservation {ref!r} at this desk").format(ref=tenant.strip()),
                    about="tenant",
                )
            )
        else:
            reservation_id = found.id
    if staff.strip():
        member = Staff.get_or_none(Staff.username == staff.strip())
        if member is None:
            problems.append(
                Problem(
                    "no_such_staff",
                    _("no staff member {name!r}").format(name=staff.strip()),
                    about="staff",
                )
            )
        else:
            staff_id = member.id
    days: list[date | None] = []
    for about, text in (("first_day", first_day), ("last_day", last_day)):
        day = None
        if text.strip():
            try:
                day = parse_day(text)
            except ValueError as error:
                problems.append(Problem("not_a_date", str(error), about=about))
        days.append(day)
    if problems:
        raise Refused(*problems)
    return key_log(
        desk,
        room_id=room_id,
        reservation_id=reservation_id,
        staff_id=staff_id,
        first_day=days[0],
        last_day=days[1],
    )


def _out_problems(desk: Desk, at: datetime, *, due_today: bool) -> list[KeyOut]:
    permissions.require(desk.actor, "keys.view", desk.residence)
    day = at.astimezone(desk.calendar().tz).date()
    sets = list(
        KeySet.select(KeySet, Room)
        .join(Room)
        .where(KeySet.state == KeyState.OUT, *rooms_in_scope(desk))
        .order_by(Room.number, KeySet.label)
    )
    holders = _holders({k.holder_id for k in sets if k.holder_id})
    loans = open_loans([k.id for k in sets])
    found = []
    for k in sets:
        holder = holders.get(k.holder_id) if k.holder_id else None
        loan = loans.get(k.id)
        facts = OutFacts(
            loan_borrower=loan.borrower if loan else None,
            loan_due_at=loan.due_at if loan else None,
            tenant=holder.student.full_name if holder else None,
            status=holder.status if holder else None,
            lease_end=holder.lease_end if holder else None,
        )
        why = out_reason(facts, at, day, due_today=due_today)
        if why is None:
            continue
        reason, message = why
        found.append(
            KeyOut(
                key_set_id=k.id,
                label=k.label,
                room=k.room.number,
                reason=reason,
                message=message,
                reservation_id=holder.id if holder else None,
                reference=holder.reference if holder else "",
                holder=loan.borrower if loan else (holder.student.full_name if holder else ""),
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


def tenants_without_keys(room_id: int) -> list[Reservation]:
    """Tenants living in the room who hold no key set (after a loss): who a set is reissued to."""
    holding = KeySet.select(KeySet.holder).where(
        KeySet.room == room_id, KeySet.state == KeyState.OUT, KeySet.holder.is_null(False)
    )
    return list(
        Reservation.select()
        .where(
            Reservation.room == room_id,
            Reservation.status == ReservationStatus.CHECKED_IN,
            Reservation.id.not_in(holding),
        )
        .order_by(Reservation.id)
    )
