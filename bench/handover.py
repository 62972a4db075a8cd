"""Sixteen desks handing over keys on one file at once. Not a test: run it by hand.

    python bench/handover.py [--desks 16] [--attempts 200] [--load]

Builds a throw-away file with ``desks * attempts / 2`` reservations ready for their keys
(accepted, paid, five documents verified, check-in inspection acknowledged, one key set at the
desk), then starts ``--desks`` processes (spawned: nothing shared but the file), each making
``--attempts`` handover attempts; every reservation is attempted by two desks, so half the
attempts must win and half be refused. Measures, in this one run:

- the handovers: ``hand_over_keys`` through the desk action, handovers per second, the p95 of
  one attempt, refusals, "database is locked" errors, and double issues (a key set handed
  twice, a reservation with two handovers) read back from the file;
- the baseline: the same processes running raw ``BEGIN IMMEDIATE`` transactions (one
  conditional UPDATE each) on the same kind of file.

``--load`` runs two busy processes beside them (the machine loaded). Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 10:00 in Paris: the desk is open
_FORMAT = "%Y-%m-%dT%H:%M:%S.%f+00:00"


def seed(path: Path, count: int, desks: int) -> list[int]:
    from crous_desk.rules.reference import required_documents
    from crous_desk.store.db import connect
    from crous_desk.store.models import db

    database = connect(path)
    c = database.connection()
    at = NOW.strftime(_FORMAT)
    start, end = date(2026, 11, 23).isoformat(), date(2027, 6, 30).isoformat()
    c.execute("BEGIN IMMEDIATE")
    for i in range(desks + 1):
        c.execute(
            "INSERT INTO staff (username, display_name, role, active, created_at, "
            "failed_sign_ins) VALUES (?, ?, 'receptionist', 1, ?, 0)",
            (f"desk{i}", f"Desk {i}", at),
        )
        c.execute(
            "INSERT INTO staff_scope (staff_id, kind, value) VALUES (?, 'residence', '*')",
            (i + 1,),
        )
    c.execute(
        "INSERT INTO residence (code, name, crous_code, address, desk_phone, timezone, opening) "
        "VALUES ('gaston-berger', 'Résidence Gaston Berger', 'aix-marseille', 'Aix', "
        "'04 42 93 47 00', 'Europe/Paris', '09:00')"
    )
    kinds = [k.code for k in required_documents()]
    for n in range(1, count + 1):
        c.execute(
            "INSERT INTO room (residence_id, building, number, floor, kind, surface_m2, "
            "rent_cents, status) VALUES (1, 'B', ?, 1, 'renovated', 12.0, 21000, 'reserved')",
            (f"B-{n:04d}",),
        )
        c.execute(
            "INSERT INTO key_set (room_id, label, state) VALUES (?, ?, 'desk')", (n, f"K/{n}")
        )
        c.execute(
            "INSERT INTO student (first_name, last_name, ine, email, phone, home_university, "
            "campus, semester, academic_year) VALUES ('Hélène', ?, ?, '', '', 'U', 'C', 1, "
            "'2026-2027')",
            (f"Dupont {n}", f"{n:010d}A"),
        )
        c.execute(
            "INSERT INTO reservation (reference, student_id, room_id, lease_start, lease_end, "
            "status, proposal_sent_at, advance_cents, advance_paid_at, paid_by_kind, created_at)"
            " VALUES (?, ?, ?, ?, ?, 'accepted', ?, 10000, ?, 'student', ?)",
            (f"H{n:05d}", n, n, start, end, at, at, at),
        )
        for kind in kinds:
            c.execute(
                "INSERT INTO document (reservation_id, kind, received_at, verified_by_id, "
                "verified_at, covers_from, covers_until, guarantor_kind, id_expires) "
                "VALUES (?, ?, ?, 1, ?, ?, ?, 'visale', '2030-01-01')",
                (n, kind, at, at, start, end),
            )
        c.execute(
            "INSERT INTO inspection (reservation_id, room_id, kind, started_at, started_by_id, "
            "acknowledged_at, acknowledged_by_id, tenant_name) "
            "VALUES (?, ?, 'check_in', ?, 1, ?, 1, 'Hélène')",
            (n, n, at, at),
        )
    c.execute("COMMIT")
    database.close()
    db.initialize(None)
    return list(range(1, count + 1))


def desk_worker(path: str, index: int, ids: list[int], raw: bool, barrier: Any, out: Any) -> None:
    from crous_desk.base.clock import FixedClock
    from crous_desk.base.errors import Refused
    from crous_desk.services import Desk
    from crous_desk.store.db import connect
    from crous_desk.store.models import Residence, Staff

    database = connect(path)
    desk = Desk(
        Staff.get(Staff.username == f"desk{index}"),
        FixedClock(NOW),
        Residence.get(Residence.code == "gaston-berger"),
    )
    connection = database.connection()
    times, outcomes = [], {"ok": 0, "refused": 0, "locked": 0, "error": 0}
    # An open desk shows its hours (the header): the holiday tables (~0.1 s of imports) are
    # loaded when it opens, not by its first handover.
    desk.desk_status()
    barrier.wait()
    began = time.perf_counter()
    for rid in ids:
        t = time.perf_counter()
        try:
            if raw:
                connection.execute("BEGIN IMMEDIATE")
                changed = connection.execute(
                    "UPDATE key_set SET state = 'out', holder_id = ? "
                    "WHERE room_id = ? AND state = 'desk'",
                    (rid, rid),
                ).rowcount
                connection.execute("COMMIT")
                outcomes["ok" if changed else "refused"] += 1
            else:
                desk.hand_over_keys(rid)
                outcomes["ok"] += 1
        except Refused:
            outcomes["refused"] += 1
        except Exception as error:  # counted, the run goes on
            outcomes["locked" if "locked" in str(error).lower() else "error"] += 1
            if raw:
                connection.execute("ROLLBACK")
        times.append(time.perf_counter() - t)
    out.put((index, time.perf_counter() - began, times, outcomes))


def busy(stop: Any) -> None:
    while not stop.is_set():
        sum(i * i for i in range(10_000))


def run(path: Path, desks: int, attempts: int, raw: bool, load: bool) -> dict[str, Any]:
    count = desks * attempts // 2
    ids = seed(path, count, desks)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(desks)
    out = context.Queue()
    stop = context.Event()
    loaders = [context.Process(target=busy, args=(stop,)) for _ in range(2 if load else 0)]
    for p in loaders:
        p.start()
    workers = []
    for i in range(desks):
        # desk i and desk i + desks/2 share their reservations, in opposite orders
        half = i % (desks // 2)
        mine = ids[half * attempts : (half + 1) * attempts]
        if i >= desks // 2:
            mine = mine[::-1]
        workers.append(
            context.Process(target=desk_worker, args=(str(path), i, mine, raw, barrier, out))
        )
    for w in workers:
        w.start()
    results = [out.get(timeout=600) for _ in workers]
    for w in workers:
        w.join()
    stop.set()
    for p in loaders:
        p.join()
    elapsed = max(r[1] for r in results)
    times = sorted(t for r in results for t in r[2])
    totals = {k: sum(r[3][k] for r in results) for k in ("ok", "refused", "locked", "error")}
    doubles = 0
    if not raw:
        import sqlite3

        with sqlite3.connect(path) as c:
            doubles = c.execute(
                "SELECT count(*) FROM (SELECT reservation_id FROM key_log "
                "WHERE action = 'handover' GROUP BY reservation_id HAVING count(*) > 1)"
            ).fetchone()[0]
            doubles += c.execute(
                "SELECT count(*) FROM (SELECT key_set_id FROM key_log "
                "WHERE action = 'handover' GROUP BY key_set_id HAVING count(*) > 1)"
            ).fetchone()[0]
    return {
        "per_second": round(totals["ok"] / elapsed, 1),
        "attempts_per_second": round(len(times) / elapsed, 1),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))] * 1000, 3),
        "p50_ms": round(statistics.median(times) * 1000, 3),
        "doubles": doubles,
        **totals,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--desks", type=int, default=16)
    parser.add_argument("--attempts", type=int, default=200)
    parser.add_argument("--load", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="crous-desk-handover-") as tmp:
        ours = run(Path(tmp) / "desk.db", args.desks, args.attempts, False, args.load)
        raw = run(Path(tmp) / "raw.db", args.desks, args.attempts, True, args.load)
    print(json.dumps({"handovers": ours, "raw": raw}))


if __name__ == "__main__":
    main()
