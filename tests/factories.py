"""Small builders for test data: a residence with rooms and keys, and reservations in any state."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from crous_desk.rules.reference import required_documents
from crous_desk.store import search_index as search
from crous_desk.store.models import (
    Document,
    KeySet,
    Reservation,
    Residence,
    Room,
    Staff,
    StaffScope,
    Student,
)

# A Monday inside desk hours, Paris time (UTC+1 in November): 10:00 Paris.
MONDAY_10H = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
# A Friday at 17:00 Paris (16:00 UTC).
FRIDAY_17H = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)


def staff(
    username: str = "accueil",
    at: datetime = MONDAY_10H,
    *,
    role: str = "receptionist",
    scope: tuple[tuple[str, str], ...] = (("residence", "*"),),
) -> Staff:
    """A staff account; by default a receptionist of every residence (as the desk was before
    accounts had scopes)."""
    found = Staff.get_or_none(Staff.username == username)
    if found is not None:
        return found
    member = Staff.create(
        username=username, display_name=username.title(), created_at=at, role=role
    )
    for kind, value in scope:
        StaffScope.create(staff=member, kind=kind, value=value)
    return member


def manager(username: str = "m.durand", *scope: tuple[str, str]) -> Staff:
    """A mobility manager following the students of ``scope`` (by default every student)."""
    return staff(username, role="mobility_manager", scope=scope or (("campus", "*"),))


def residence(code: str = "gaston-berger", name: str = "Résidence Gaston Berger") -> Residence:
    found = Residence.get_or_none(Residence.code == code)
    return found or Residence.create(
        code=code,
        name=name,
        crous_code="aix-marseille",
        address="Avenue Gaston Berger, 13100 Aix-en-Provence",
        desk_phone="04 42 93 47 00",
    )


def room(
    res: Residence | None = None,
    number: str | None = None,
    kind: str = "renovated",
    key_sets: int = 1,
) -> Room:
    res = res or residence()
    number = number or f"B-{Room.select().count() + 1:03d}"
    r = Room.create(
        residence=res,
        building=number.split("-")[0],
        number=number,
        floor=1,
        kind=kind,
        surface_m2=12.0,
        rent_cents=21000,
    )
    for i in range(1, key_sets + 1):
        KeySet.create(room=r, label=f"{res.code[:3].upper()}/{number}/{i}")
    return r


def reservation(
    *,
    first: str = "Hélène",
    last: str = "Dupont",
    room_: Room | None = None,
    status: str = "accepted",
    lease_start: date = date(2026, 11, 23),
    lease_end: date = date(2027, 4, 30),
    sent_at: datetime | None = None,
    paid: bool | None = None,
    documents: str = "received",  # "none" | "received" | "verified"
    verifier: Staff | None = None,
    at: datetime = MONDAY_10H,
    ine: str | None = None,
) -> Reservation:
    n = Student.select().count() + 1
    student = Student.create(
        first_name=first, last_name=last, ine=ine or f"{n:010d}A", email=f"student{n}@example.org"
    )
    room_ = room_ or room()
    paid = status in ("accepted", "checked_in") if paid is None else paid
    sent_at = sent_at or (at - timedelta(days=30))
    reference = f"T{n:05d}"[-6:]
    res = Reservation.create(
        reference=reference,
        student=student,
        room=room_,
        lease_start=lease_start,
        lease_end=lease_end,
        status=status,
        proposal_sent_at=sent_at,
        advance_cents=10000 if paid else None,
        advance_paid_at=sent_at if paid else None,
        paid_by_kind="student" if paid else None,
        created_at=sent_at,
    )
    if documents != "none":
        who = verifier or staff("k.benali", at)
        for kind in required_documents():
            facts: dict[str, object] = {}
            if kind.code == "insurance":
                facts = {"covers_from": lease_start, "covers_until": lease_end}
            elif kind.code == "guarantor":
                facts = {"guarantor_kind": "visale"}
            elif kind.code == "identity":
                facts = {"id_expires": lease_end + timedelta(days=365)}
            verified = documents == "verified"
            Document.create(
                reservation=res,
                kind=kind.code,
                received_at=at - timedelta(days=5),
                verified_by=who if verified else None,
                verified_at=at - timedelta(days=4) if verified else None,
                **facts,
            )
    search.index_reservation(res)
    return res
