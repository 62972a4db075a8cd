"""How fast does a day's batch of slips come out? Not a test: run it by hand.

    python bench/slips.py [N]

Seeds a throw-away SQLite file with N accepted reservations (1,000 by default; half with an
appointment, rental files in every state), then times, in this one run:

- the baseline: reportlab writing an N-page PDF of empty pages;
- the slips: reading the N slips from the database (``slips_for``) and writing them into
  one PDF (``save_slips``), as ``crous-desk slips`` does.

It prints slips per second and how many times slower than the empty pages that is.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crous_desk.store.db import connect
from crous_desk.store.models import (
    Appointment,
    Document,
    Reservation,
    Residence,
    Room,
    Staff,
    Student,
    db,
)
from crous_desk.rules.reference import required_documents
from crous_desk.arrivals.slip_pdf import save_slips
from crous_desk.arrivals.slips import installation_secret, slips_for

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 10:00 in Paris
FIRST_NAMES = ["Łukasz", "Hélène", "Nguyễn", "Søren", "Şahin", "Zoé", "Dvořák", "Ana"]


def seed(n: int) -> list[int]:
    with db.atomic():
        staff = Staff.create(username="bench", display_name="Bench", created_at=NOW)
        residence = Residence.create(
            code="gaston-berger",
            name="Résidence Gaston Berger",
            crous_code="aix-marseille",
            address="Avenue Gaston Berger, 13100 Aix-en-Provence",
            desk_phone="04 42 93 47 00",
        )
        Room.insert_many(
            [
                {
                    "residence": residence.id,
                    "building": "B",
                    "number": f"B-{i:04d}",
                    "floor": i % 5,
                    "kind": "renovated",
                    "surface_m2": 12.0,
                    "rent_cents": 21000,
                }
                for i in range(n)
            ]
        ).execute()
        rooms = [r.id for r in Room.select(Room.id).order_by(Room.id)]
        Student.insert_many(
            [
                {
                    "first_name": FIRST_NAMES[i % len(FIRST_NAMES)],
                    "last_name": f"Østergaard-{i}",
                    "ine": f"{i:010d}A",
                }
                for i in range(n)
            ]
        ).execute()
        students = [s.id for s in Student.select(Student.id).order_by(Student.id)]
        Reservation.insert_many(
            [
                {
                    "reference": f"B{i:05d}",
                    "student": students[i],
                    "room": rooms[i],
                    "lease_start": date(2026, 11, 23),
                    "lease_end": date(2027, 6, 30),
                    "status": "accepted",
                    "advance_cents": 10000,
                    "created_at": NOW,
                }
                for i in range(n)
            ]
        ).execute()
        ids = [r.id for r in Reservation.select(Reservation.id).order_by(Reservation.id)]
        documents = []
        for i, rid in enumerate(ids):
            for k, kind in enumerate(required_documents()):
                if (i + k) % 3 == 0:
                    continue  # missing
                documents.append(
                    {
                        "reservation": rid,
                        "kind": kind.code,
                        "received_at": NOW,
                        "verified_at": NOW if (i + k) % 3 == 1 else None,
                        "verified_by": staff.id if (i + k) % 3 == 1 else None,
                        "covers_from": date(2026, 11, 1),
                        "covers_until": date(2027, 6, 30),
                        "guarantor_kind": "visale",
                        "id_expires": date(2030, 1, 1),
                    }
                )
        Document.insert_many(documents).execute()
        Appointment.insert_many(
            [
                {
                    "reservation": rid,
                    "residence": residence.id,
                    "starts_at": NOW + timedelta(minutes=30 * (i % 14)),
                    "ends_at": NOW + timedelta(minutes=30 * (i % 14) + 30),
                    "booked_at": NOW,
                    "booked_by": staff.id,
                }
                for i, rid in enumerate(ids)
                if i % 2 == 0
            ]
        ).execute()
    installation_secret()
    return ids


def empty_pages(n: int, path: Path) -> float:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    start = time.perf_counter()
    canvas = Canvas(str(path), pagesize=A4, invariant=True, pageCompression=1)
    for _ in range(n):
        canvas.showPage()
    canvas.save()
    return time.perf_counter() - start


def main(n: int = 1000) -> None:
    with tempfile.TemporaryDirectory(prefix="crous-desk-bench-") as tmp:
        folder = Path(tmp)
        connect(folder / "bench.db")
        ids = seed(n)
        save_slips(slips_for(ids[:1], NOW), folder / "warm.pdf")  # fonts registered, caches warm

        baseline = empty_pages(n, folder / "empty.pdf")

        start = time.perf_counter()
        slips = slips_for(ids, NOW)
        read = time.perf_counter() - start
        save_slips(slips, folder / "slips.pdf")
        total = time.perf_counter() - start
        size = (folder / "slips.pdf").stat().st_size
        db.close()

    print(f"empty pages : {n} pages in {baseline:.3f} s ({n / baseline:,.0f} pages/s)")
    print(
        f"slips       : {n} slips in {total:.3f} s ({n / total:,.0f} slips/s; "
        f"reading {read:.3f} s, drawing and writing {total - read:.3f} s; "
        f"{size / 1e6:.1f} MB)"
    )
    print(f"ratio       : a slip costs {total / baseline:.1f}× an empty page")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
