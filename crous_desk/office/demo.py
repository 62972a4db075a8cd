"""A realistic, deterministic demo data set: three residences of the Aix-Marseille CROUS.

The same date gives the same data. Dates are relative to "today" in Paris, so there are always
arrivals due today, proposals about to expire, and tenants in every state.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from crous_desk.base.clock import PARIS, Clock
from crous_desk.base.errors import Problem, Refused
from crous_desk.base.i18n import _
from crous_desk.office.demo_data import (
    ALPHABET,
    DEMO_ACCOUNTS,
    FIRST_NAMES,
    KIND_MIX,
    LAST_NAMES,
    PLANS,
    RENT,
    RESIDENCES,
    STUDENTS,
    UNIVERSITIES,
)
from crous_desk.office.demo_stay import end_of_stays
from crous_desk.rules.reference import required_documents, room_kinds
from crous_desk.rules.status import (
    Guarantor,
    InspectionKind,
    KeyEvent,
    KeyState,
    Payer,
    ReservationStatus,
    RoomStatus,
)
from crous_desk.store import audit
from crous_desk.store import search_index as search
from crous_desk.store.models import (
    Document,
    Inspection,
    InspectionItem,
    KeyLog,
    KeySet,
    Reservation,
    Residence,
    Room,
    Staff,
    StaffScope,
    Student,
    db,
)


def _instant(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def seed_demo(clock: Clock, students: int = STUDENTS) -> dict[str, int]:
    """Fill an empty database; refused (changing nothing) if it already holds residences."""
    if Residence.select().exists():
        raise Refused(
            Problem(
                "database_not_empty",
                _("the database is not empty: the demo data goes into an empty one"),
            )
        )
    now = clock.now()
    today = now.astimezone(PARIS).date()
    rng = random.Random(20261)
    with db.atomic():
        staff = {
            "accueil": Staff.create(username="accueil", display_name="Accueil", created_at=now),
            "m.martin": Staff.create(
                username="m.martin", display_name="Martine Martin", created_at=now
            ),
            "k.benali": Staff.create(
                username="k.benali", display_name="Karim Benali", created_at=now
            ),
        }
        for member in staff.values():  # the desk's receptionists work at every residence
            StaffScope.create(staff=member, kind="residence", value="*")
        for username, name, role, scopes in DEMO_ACCOUNTS:
            staff[username] = Staff.create(
                username=username, display_name=name, role=role, created_at=now
            )
            for kind, value in scopes:
                StaffScope.create(staff=staff[username], kind=kind, value=value)
        # the mobility manager's morning list of deadlines goes there
        Staff.update(email="sophie.laurent@univ-demo.example.org").where(
            Staff.username == "s.laurent"
        ).execute()
        rooms: list[Room] = []
        for code, name, address, phone in RESIDENCES:
            residence = Residence.create(
                code=code,
                name=name,
                crous_code="aix-marseille",
                address=address,
                desk_phone=phone,
                email=f"accueil.{code}@crous-demo.example.org",  # the mail's Reply-To
                manager_email=f"gestion.{code}@crous-demo.example.org",  # the 17:00 keys
            )
            rooms.extend(_rooms(residence, rng))
        free = list(rooms)
        rng.shuffle(free)
        references: set[str] = set()
        counts: dict[str, int] = {}
        for n in range(students):
            student = _student(n, rng)
            plan = _plan(n)
            room = free.pop() if plan != "requested" and free else None
            if n == 0:  # the guided demo: Hélène Dupont arrives today at the first residence
                room = next(
                    r
                    for r in free
                    if r.residence.code == RESIDENCES[0][0] and r.kind == "renovated"
                )
                free.remove(room)
            if room is None:  # every room is promised: first come, first served, still a request
                plan = "requested"
            reservation = _reservation(student, room, plan, today, now, rng, references, staff)
            if plan == "requested" and n % 2 == 0:  # the manager still has these INEs to record
                Student.update(ine=None).where(Student.id == student.id).execute()
                reservation = Reservation.get_by_id(reservation.id)
            counts[plan] = counts.get(plan, 0) + 1
            search.index_reservation(reservation)
        end_of_stays(Residence.get(Residence.code == RESIDENCES[0][0]), today, now, staff)
        audit.record(
            "accueil",
            now,
            "demo.seed",
            "database",
            None,
            after={"students": students, "rooms": len(rooms), **counts},
        )
    return counts


def _rooms(residence: Residence, rng: random.Random) -> list[Room]:
    rooms = []
    for building in "ABC":
        for floor in range(0, 4):
            for door in range(1, 6):
                kind = KIND_MIX[(ord(building) * 7 + floor * 5 + door * 3) % len(KIND_MIX)]
                info = room_kinds()[kind]
                room = Room.create(
                    residence=residence,
                    building=building,
                    number=f"{building}-{floor}{door:02d}",
                    floor=floor,
                    kind=kind,
                    surface_m2=float(max(info.min_m2, info.typical_m2 + rng.randint(-2, 3))),
                    rent_cents=RENT[kind],
                )
                sets = 2 if info.couples else 1
                for i in range(1, sets + 1):
                    KeySet.create(
                        room=room, label=f"{residence.code[:3].upper()}/{room.number}/{i}"
                    )
                rooms.append(room)
    return rooms


def _student(n: int, rng: random.Random) -> Student:
    if n == 0:
        first, last = "Hélène", "Dupont"
    else:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    university, campus = UNIVERSITIES[n % len(UNIVERSITIES)]
    digits = f"{rng.randrange(10**9):09d}"
    ine = (
        (digits + str(rng.randrange(10)) + rng.choice("ABCDEFGHJK"))
        if n % 2
        else (digits + rng.choice("ABCDEFGHJK") + rng.choice("ABCDEFGHJK"))
    )
    ascii_last = "".join(c for c in _ascii(last).lower() if c.isalnum())
    return Student.create(
        first_name=first,
        last_name=last,
        ine=ine,
        email=f"{_ascii(first).lower()}.{ascii_last}{n}@example.org",
        phone=f"+33 6 {rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)} "
        f"{rng.randrange(10, 99)}",
        home_university=university,
        campus=campus,
        semester=1 + n % 2,
        academic_year="2026-2027",
        # their e-mails: French, English, or both side by side when unknown (Hélène: unknown)
        language=(None, "fr", "en")[n % 3],
        timezone=_ZONES[n % len(_ZONES)],
    )


# the students' own zones (None: not known, the e-mails give Paris time only)
_ZONES = (None, "Europe/Berlin", None, "America/Montreal", "Asia/Tokyo", None, "Europe/Lisbon")


def _ascii(text: str) -> str:
    import unicodedata

    table = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ı": "i", "ß": "ss"})
    text = text.translate(table)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _plan(n: int) -> str:
    if n == 0:
        return "arrival_file"
    return PLANS[n % len(PLANS)]


def _reservation(
    student: Student,
    room: Room | None,
    plan: str,
    today: date,
    now: datetime,
    rng: random.Random,
    references: set[str],
    staff: dict[str, Staff],
) -> Reservation:
    while True:
        reference = "".join(rng.choice(ALPHABET) for _ in range(6))
        if reference not in references:
            references.add(reference)
            break
    if plan.startswith("arrival"):
        start = today
    elif plan in ("checked_in",):
        start = today - timedelta(days=rng.randint(10, 80))
    elif plan == "departed":
        start = today - timedelta(days=200)
    else:
        start = today + timedelta(days=rng.randint(1, 40))
    end = (
        start + timedelta(days=150 + rng.randint(0, 30))
        if plan != "departed"
        else (today - timedelta(days=rng.randint(1, 20)))
    )
    status = ReservationStatus(
        {
            "arrival_ready": ReservationStatus.ACCEPTED,
            "arrival_file": ReservationStatus.ACCEPTED,
            "proposed_soon": ReservationStatus.PROPOSED,
            "expired": ReservationStatus.PROPOSED,
        }.get(plan, plan)
    )
    sent = now - timedelta(hours=rng.randint(30, 100))
    if plan == "proposed_soon":
        sent = now - timedelta(hours=120) + timedelta(hours=rng.randint(2, 20))
    elif plan == "expired":
        sent = now - timedelta(hours=121 + rng.randint(0, 48))
    elif plan in ("arrival_ready", "arrival_file", "accepted", "checked_in", "departed", "refused"):
        sent = now - timedelta(days=rng.randint(20, 60))
    paid = status in (
        ReservationStatus.ACCEPTED,
        ReservationStatus.CHECKED_IN,
        ReservationStatus.DEPARTED,
    )
    third = paid and rng.random() < 0.25
    reservation = Reservation.create(
        reference=reference,
        student=student,
        room=room,
        lease_start=start,
        lease_end=end,
        status=status,
        created_at=sent - timedelta(days=3),
        proposal_sent_at=None if plan == "requested" else sent,
        answered_at=sent + timedelta(hours=20)
        if status
        in (
            ReservationStatus.ACCEPTED,
            ReservationStatus.CHECKED_IN,
            ReservationStatus.DEPARTED,
            ReservationStatus.REFUSED,
        )
        else None,
        advance_cents=10000 if paid else None,
        advance_paid_at=sent + timedelta(hours=20) if paid else None,
        paid_by_kind=(Payer.THIRD_PARTY if third else Payer.STUDENT) if paid else None,
        paid_by_name=(
            rng.choice(["Campus France", "Erasmus+ office", "M. et Mme " + student.last_name])
            if third
            else student.full_name
        )
        if paid
        else None,
        keys_handed_at=_instant(start, 10) if plan in ("checked_in", "departed") else None,
    )
    if room is not None and status in (ReservationStatus.ACCEPTED, ReservationStatus.CHECKED_IN):
        room.status = (
            RoomStatus.RESERVED if status == ReservationStatus.ACCEPTED else RoomStatus.OCCUPIED
        )
        room.save()
    _documents(reservation, plan, now, rng, staff)
    if plan in ("arrival_ready", "checked_in", "departed") and room is not None:
        _inspection(
            reservation,
            room,
            min(_instant(start, 9, 30), now - timedelta(minutes=40)),
            staff["m.martin"],
            rng,
        )
    if plan == "checked_in" and room is not None:
        key_set = KeySet.select().where(KeySet.room == room).order_by(KeySet.label).first()
        key_set.state, key_set.holder = KeyState.OUT, reservation
        key_set.save()
        KeyLog.create(
            key_set=key_set,
            reservation=reservation,
            action=KeyEvent.HANDOVER,
            at=_instant(start, 10),
            staff=staff["m.martin"],
        )
    return reservation


def _documents(
    reservation: Reservation, plan: str, now: datetime, rng: random.Random, staff: dict[str, Staff]
) -> None:
    if plan in ("requested", "proposed", "proposed_soon", "expired", "refused", "cancelled"):
        return
    complete = plan in ("arrival_ready", "checked_in", "departed")
    received_at = now - timedelta(days=rng.randint(2, 15))
    for i, kind in enumerate(required_documents()):
        if plan == "accepted" and rng.random() < 0.3:
            continue  # not uploaded yet
        verified = complete or (plan == "accepted" and rng.random() < 0.5)
        facts: dict[str, object] = {}
        if kind.code == "insurance":
            short = plan == "arrival_file" and reservation.student_id % 3 == 1
            facts = {
                "covers_from": reservation.lease_start - timedelta(days=3),
                "covers_until": reservation.lease_end - timedelta(days=45)
                if short
                else reservation.lease_end + timedelta(days=30),
            }
        elif kind.code == "guarantor":
            facts = {
                "guarantor_kind": Guarantor.VISALE if rng.random() < 0.6 else Guarantor.PHYSICAL
            }
        elif kind.code == "identity":
            facts = {"id_expires": reservation.lease_end + timedelta(days=rng.randint(100, 2000))}
        Document.create(
            reservation=reservation,
            kind=kind.code,
            received_at=received_at + timedelta(hours=i),
            verified_by=staff["k.benali"] if verified else None,
            verified_at=received_at + timedelta(days=1) if verified else None,
            **facts,
        )


def _inspection(
    reservation: Reservation, room: Room, at: datetime, by: Staff, rng: random.Random
) -> None:
    inspection = Inspection.create(
        reservation=reservation,
        room=room,
        kind=InspectionKind.CHECK_IN,
        started_at=at,
        started_by=by,
        acknowledged_at=at + timedelta(minutes=20),
        acknowledged_by=by,
        tenant_name=reservation.student.full_name,
    )
    rows = []
    for position, label in enumerate(room_kinds()[room.kind].checklist):
        state = rng.choices(["new", "good", "worn", "damaged"], [2, 10, 3, 1])[0]
        remark = (
            ""
            if state in ("new", "good")
            else rng.choice(
                ["scratches", "small stain", "loose hinge", "paint chipped", "to be checked"]
            )
        )
        rows.append(
            {
                "inspection": inspection.id,
                "position": position,
                "label": label,
                "state": state,
                "remark": remark,
            }
        )
    InspectionItem.insert_many(rows).execute()
