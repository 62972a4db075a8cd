"""What does a run of ``crous-desk mail send`` cost when nothing is due? Not a test: run it
by hand.

    python bench/mail_plan.py [N]

Seeds a throw-away SQLite file with N reservations (100,000 by default) in every status, none
of them due for a message, then times, in this one run (medians of 5):

- the baseline: ``SELECT sum(length(status)) FROM reservation`` (one pass over the rows);
- the planner: every query a run makes to find the reminders, missing documents, closing
  lists and morning lists that are due (``crous_desk.mail.planning``), queueing nothing.

It prints both and their ratio: about 1 or more would mean the planner reads the whole
table; the indexes of migration 0009 keep it to the rows that are due.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crous_desk.base.clock import FixedClock
from crous_desk.desk.context import Desk
from crous_desk.mail.planning import plan
from crous_desk.store.db import connect
from crous_desk.store.models import Residence, Room, Staff, db

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 10:00 in Paris
STATUSES = ("requested", "accepted", "checked_in", "departed", "refused", "cancelled")


def seed(n: int) -> Staff:
    residence = Residence.create(
        code="bench", name="Bench", crous_code="aix-marseille", address="x", desk_phone="0",
        manager_email="gestion@example.org",
    )  # fmt: skip
    room = Room.create(
        residence=residence, building="A", number="A-1", floor=0, kind="studio",
        surface_m2=18, rent_cents=30000,
    )  # fmt: skip
    admin = Staff.create(username="admin", display_name="Admin", role="administrator",
                         created_at=NOW)  # fmt: skip
    stamp = NOW.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    with db.atomic():
        db.execute_sql(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "INSERT INTO student (first_name, last_name, email, phone, home_university, campus, "
            "semester, academic_year) SELECT 'F' || i, 'L' || i, 's' || i || '@example.org', "
            "'', 'U', 'C', 1, '2025-2026' FROM n",
            (n,),
        )
        for k, status in enumerate(STATUSES):
            db.execute_sql(
                "INSERT INTO reservation (reference, student_id, room_id, lease_start, lease_end,"
                " status, proposal_sent_at, created_at) SELECT 'R' || id, id, ?, ?, ?, ?, ?, ? "
                "FROM student WHERE id % ? = ?",
                (room.id, date(2025, 9, 1).isoformat(), date(2026, 6, 30).isoformat(), status,
                 (NOW - timedelta(days=300)).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00"), stamp,
                 len(STATUSES), k),
            )  # fmt: skip
    return admin


def median_ms(fn: object, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as folder:
        connect(Path(folder) / "bench.db")
        admin = seed(n)
        after_closing = NOW + timedelta(hours=8)  # 18:00 Paris: every list is looked for

        def desk_for(residence: Residence | None, at: datetime) -> Desk:
            return Desk(admin, FixedClock(at), residence)

        baseline = median_ms(
            lambda: db.execute_sql("SELECT sum(length(status)) FROM reservation").fetchone()
        )
        planner = median_ms(
            lambda: plan(after_closing, desk_for, documents_days=7, morning_hour=8)
        )
        print(f"{n:,} reservations")
        print(f"baseline (read every row):  {baseline:8.1f} ms")
        print(f"planner (nothing due):      {planner:8.1f} ms  ({planner / baseline:.2f}x)")


if __name__ == "__main__":
    main()
