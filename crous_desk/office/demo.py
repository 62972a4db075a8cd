"""A realistic, deterministic demo data set: three residences of the Aix-Marseille CROUS.

The same date gives the same data. Dates are relative to "today" in Paris, so there are always
arrivals due today, proposals about to expire, and tenants in every state.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from crous_desk.base.clock import PARIS, Clock
from crous_desk.base.errors import Refused
from crous_desk.base.i18n import _
from crous_desk.rules.reference import required_documents, room_kinds
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

RESIDENCES = [
    (
        "gaston-berger",
        "Résidence Gaston Berger",
        "Avenue Gaston Berger, 13100 Aix-en-Provence",
        "04 42 93 47 00",
    ),
    ("luminy", "Résidence de Luminy", "163 avenue de Luminy, 13009 Marseille", "04 91 26 83 00"),
    (
        "les-gazelles",
        "Résidence Les Gazelles",
        "Avenue Jules Isaac, 13100 Aix-en-Provence",
        "04 42 17 22 10",
    ),
]

FIRST_NAMES = [
    "Hélène",
    "Zoé",
    "Inès",
    "Léa",
    "Chloé",
    "Maëlle",
    "Noémie",
    "Jérôme",
    "François",
    "Loïc",
    "Anaïs",
    "Mathéo",
    "Clément",
    "Éloïse",
    "Gaëtan",
    "Océane",
    "Benoît",
    "Adèle",
    "Raphaël",
    "Joël",
    "João",
    "Sofía",
    "Łukasz",
    "Zoë",
    "Björn",
    "Aylin",
    "Mehmet",
    "Siobhán",
    "Ngozi",
    "Chiara",
    "Giulia",
    "Hiroshi",
    "Yuki",
    "Priya",
    "Dmitri",
    "Agnieszka",
    "Mónica",
    "Søren",
    "Ilkay",
    "Thảo",
    "Minh",
    "Amara",
    "Kwame",
    "Fatoumata",
    "Youssef",
    "Aïcha",
    "Mateo",
    "Valentina",
    "Emma",
    "Lukas",
    "Olivia",
    "Ahmed",
    "Wei",
    "Jiayi",
    "Sebastián",
    "Ana",
]
LAST_NAMES = [
    "Dupont",
    "Lefèvre",
    "Müller",
    "Nowak",
    "García Márquez",
    "O'Brien",
    "Núñez",
    "Kowalczyk",
    "Schröder",
    "Da Silva",
    "Nguyễn",
    "Østergaard",
    "Martin",
    "Bernard",
    "Moreau",
    "Fournier",
    "Girard",
    "Rousseau",
    "Bonnet",
    "Lemaître",
    "Faure",
    "Mercier",
    "Chevalier",
    "Gauthier",
    "Rossi",
    "Bianchi",
    "Fernández",
    "Petrov",
    "Yılmaz",
    "Diallo",
    "Traoré",
    "Mensah",
    "Okafor",
    "Tanaka",
    "Sato",
    "Kim",
    "Chen",
    "Wang",
    "Sharma",
    "Novák",
    "Dvořák",
    "Şahin",
    "Ó Súilleabháin",
    "van der Berg",
    "Jørgensen",
    "Ferreira",
    "Santos",
    "Kováč",
    "Håkansson",
    "Zieliński",
]
UNIVERSITIES = [
    ("Universidade de Lisboa", "Aix – Quartier des facultés"),
    ("Universität Heidelberg", "Luminy"),
    ("Università di Bologna", "Aix – Schuman"),
    ("University of Lagos", "Saint-Charles"),
    ("Jagiellonian University", "Luminy"),
    ("Universidad de Buenos Aires", "Saint-Charles"),
    ("University of Tokyo", "Château-Gombert"),
    ("Trinity College Dublin", "Aix – Schuman"),
    ("Københavns Universitet", "Luminy"),
    ("Boğaziçi University", "Aix – Quartier des facultés"),
]
KIND_MIX = (
    ["traditional"] * 8
    + ["renovated"] * 8
    + ["studio"] * 6
    + ["flat_t1", "flat_t2", "flat_t2", "flat_t3", "flat_t4", "flat_t5"]
)
RENT = {
    "traditional": 13300,
    "renovated": 21000,
    "studio": 23900,
    "flat_t1": 28000,
    "flat_t2": 34000,
    "flat_t3": 41000,
    "flat_t4": 47000,
    "flat_t5": 52000,
}
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
# Accounts beyond the desk's three receptionists: `crous-desk demo --user s.laurent` opens
# the mobility manager's workspace, `--user admin` the administrator's desk.
DEMO_ACCOUNTS = (
    (
        "s.laurent",
        "Sophie Laurent",
        "mobility_manager",
        (("campus", "Luminy"), ("campus", "Château-Gombert")),
    ),
    ("admin", "Administrateur CROUS", "administrator", ()),
)
STUDENTS = 300


def _instant(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def seed_demo(clock: Clock, students: int = STUDENTS) -> dict[str, int]:
    """Fill an empty database; refused (changing nothing) if it already holds residences."""
    if Residence.select().exists():
        raise Refused(_("the database is not empty: the demo data goes into an empty one"))
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
        rooms: list[Room] = []
        for code, name, address, phone in RESIDENCES:
            residence = Residence.create(
                code=code, name=name, crous_code="aix-marseille", address=address, desk_phone=phone
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
        _stay(Residence.get(Residence.code == RESIDENCES[0][0]), today, now, staff)
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
    )


def _ascii(text: str) -> str:
    import unicodedata

    table = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ı": "i", "ß": "ss"})
    text = text.translate(table)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


# Which state each demo student is in; the first few are the day's arrivals.
_PLANS = (
    ["arrival_ready"] * 3
    + ["arrival_file"] * 6
    + ["proposed_soon"] * 3
    + ["proposed"] * 8
    + ["expired"] * 3
    + ["accepted"] * 20
    + ["checked_in"] * 30
    + ["requested"] * 8
    + ["refused"] * 3
    + ["departed"] * 3
    + ["cancelled"] * 1
)


def _plan(n: int) -> str:
    if n == 0:
        return "arrival_file"
    return _PLANS[n % len(_PLANS)]


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
    status = {
        "arrival_ready": "accepted",
        "arrival_file": "accepted",
        "proposed_soon": "proposed",
        "expired": "proposed",
        "accepted": "accepted",
    }.get(plan, plan)
    sent = now - timedelta(hours=rng.randint(30, 100))
    if plan == "proposed_soon":
        sent = now - timedelta(hours=120) + timedelta(hours=rng.randint(2, 20))
    elif plan == "expired":
        sent = now - timedelta(hours=121 + rng.randint(0, 48))
    elif plan in ("arrival_ready", "arrival_file", "accepted", "checked_in", "departed", "refused"):
        sent = now - timedelta(days=rng.randint(20, 60))
    paid = status in ("accepted", "checked_in", "departed")
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
        if status in ("accepted", "checked_in", "departed", "refused")
        else None,
        advance_cents=10000 if paid else None,
        advance_paid_at=sent + timedelta(hours=20) if paid else None,
        paid_by_kind=("third_party" if third else "student") if paid else None,
        paid_by_name=(
            rng.choice(["Campus France", "Erasmus+ office", "M. et Mme " + student.last_name])
            if third
            else student.full_name
        )
        if paid
        else None,
        keys_handed_at=_instant(start, 10) if plan in ("checked_in", "departed") else None,
    )
    if room is not None and status in ("accepted", "checked_in"):
        room.status = "reserved" if status == "accepted" else "occupied"
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
        key_set.state, key_set.holder = "out", reservation
        key_set.save()
        KeyLog.create(
            key_set=key_set,
            reservation=reservation,
            action="handover",
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
            facts = {"guarantor_kind": "visale" if rng.random() < 0.6 else "physical"}
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
        kind="check_in",
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


def _stay(residence: Residence, today: date, now: datetime, staff: dict[str, Staff]) -> None:
    """The end of stays at the first residence: two departures due today (one with an
    appointment this afternoon when the desk is open then), an overstay, a key set lost
    yesterday, and an extension request waiting for a decision."""
    from crous_desk import rooms as tenancy
    from crous_desk.base.clock import FixedClock
    from crous_desk.departure import actions as departure
    from crous_desk.desk.context import Desk
    from crous_desk.keys import actions as keys
    from crous_desk.rules.hours import desk_status

    tenants = list(
        Reservation.select()
        .join(Room)
        .where(Room.residence == residence, Reservation.status == "checked_in")
        .order_by(Reservation.id)
        .limit(5)
    )
    if len(tenants) < 5:
        return
    leaving, booked, overstaying, careless, staying = tenants
    for reservation, end in (
        (leaving, today),
        (booked, today),
        (overstaying, today - timedelta(days=3)),
    ):
        Reservation.update(lease_end=end).where(Reservation.id == reservation.id).execute()
    desk = Desk(staff["accueil"], FixedClock(now), residence)
    afternoon = _instant(today, 15)
    if now < afternoon and desk_status(afternoon, desk.calendar()).is_open:
        departure.book_departure(desk, booked.id, afternoon)
    yesterday = Desk(staff["k.benali"], FixedClock(now - timedelta(days=1)), residence)
    lost = KeySet.get(KeySet.holder == careless.id)
    keys.declare_lost(yesterday, lost.id, note="lost on the campus, reported by phone")
    tenancy.request_extension(
        Desk(staff["m.martin"], FixedClock(now - timedelta(hours=5)), residence),
        staying.id,
        staying.lease_end + timedelta(days=61),
        "internship at the laboratory extended by two months",
    )
