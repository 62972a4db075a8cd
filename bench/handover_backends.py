"""How many key handovers a second do 16 desks get, on an SQLite file and on a PostgreSQL
server? Not a test: run it by hand.

    python bench/handover_backends.py [--server postgresql://postgres@127.0.0.1:5432/postgres]
                             [--desks 16] [--each 15] [--runs 3]

One data set is built once on an SQLite file (a residence, one room with one key set per
handover, each with a ready file: documents verified, check-in acknowledged), then, for each
backend (the file; a throwaway database on the server, made by ``crous-desk copy`` and
dropped at the end), each run starts from a fresh copy of it and releases ``--desks``
separate processes together (a barrier), each handing over the keys of its own ``--each``
reservations, one action each (its checks, the conditional update of the key set, the key
log, the audit chain).

The baseline is the same processes committing bare write transactions (one row inserted in a
table of their own, no check, no audit), as many, on the same database: what the backend
itself allows. Printed: medians over the runs of handovers/s and bare transactions/s, their
ratio, and the p50/p95 latency of one handover.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

MONDAY_10H = "2026-11-23T09:00:00+00:00"


def seed(path: Path, count: int, desks: int) -> list[int]:
    """The data set: ``count`` ready reservations, each with its own room and key set (made
    as the tests make them: tests/factories.py)."""
    from crous_desk.store.db import close, connect
    from crous_desk.store.models import db
    from tests import factories
    from tests.test_key_race import ready_reservation

    database = connect(path)
    with db.atomic():
        factories.residence()
        for i in range(desks):
            factories.staff(f"desk{i}")
        db.execute_sql("CREATE TABLE bench_bare (desk INTEGER, i INTEGER)")
    ids = []
    for n in range(count):
        room = factories.room(number=f"B-{n:04d}", kind="renovated", key_sets=1)
        ids.append(ready_reservation(room, f"Banc{n}").id)
    close(database)
    db.initialize(None)
    return ids


def worker(target: str, index: int, work: list[int], bare: bool, barrier: Any, out: Any) -> None:
    from datetime import datetime

    from crous_desk.base.clock import FixedClock
    from crous_desk.services import Desk
    from crous_desk.store.db import connect
    from crous_desk.store.models import Residence, Staff, db

    connect(target)
    desk = Desk(
        Staff.get(Staff.username == f"desk{index}"),
        FixedClock(datetime.fromisoformat(MONDAY_10H)),
        Residence.get(Residence.code == "gaston-berger"),
    )
    insert = f"INSERT INTO bench_bare (desk, i) VALUES ({db.param}, {db.param})"
    times: list[float] = []
    failed = 0
    barrier.wait()
    for i, reservation_id in enumerate(work):
        started = time.perf_counter()
        try:
            if bare:
                with db.atomic():
                    db.execute_sql(insert, (index, i))
            else:
                desk.hand_over_keys(reservation_id)
        except Exception:
            failed += 1
        times.append(time.perf_counter() - started)
    out.put((index, times, failed))


def one_run(target: str, ids: list[int], desks: int, bare: bool) -> tuple[float, list[float], int]:
    context = mp.get_context("spawn")
    barrier = context.Barrier(desks + 1)
    out = context.Queue()
    each = len(ids) // desks
    processes = [
        context.Process(
            target=worker,
            args=(target, i, ids[i * each : (i + 1) * each], bare, barrier, out),
        )
        for i in range(desks)
    ]
    for p in processes:
        p.start()
    barrier.wait()
    started = time.perf_counter()
    results = [out.get(timeout=600) for _ in processes]
    elapsed = time.perf_counter() - started
    for p in processes:
        p.join(timeout=60)
    latencies = [t for _, times, _ in results for t in times]
    failed = sum(f for _, _, f in results)
    return len(latencies) / elapsed, latencies, failed


class Backend:
    """Fresh copies of the seeded file, on a file or on a server."""

    def __init__(self, seeded: Path, server: str | None, work: Path) -> None:
        self.seeded, self.server, self.work = seeded, server, work
        self.made: list[str] = []
        self.name = "PostgreSQL" if server else "SQLite"

    def fresh(self) -> str:
        if self.server is None:
            copy = self.work / f"run-{secrets.token_hex(3)}.db"
            shutil.copyfile(self.seeded, copy)
            return str(copy)
        import psycopg

        from crous_desk.store.moving import copy_database

        name = f"crous_bench_{secrets.token_hex(4)}"
        with psycopg.connect(self.server, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.made.append(name)
        url = self.server.rsplit("/", 1)[0] + "/" + name
        with psycopg.connect(url, autocommit=True) as conn:  # not a table of the desk's
            conn.execute("CREATE TABLE bench_bare (desk INTEGER, i INTEGER)")
        copy_database(self.seeded, url)
        return url

    def clean(self) -> None:
        if self.server is None:
            return
        import psycopg

        with psycopg.connect(self.server, autocommit=True) as conn:
            for name in self.made:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", help="a postgresql:// URL where databases may be created")
    parser.add_argument("--desks", type=int, default=16)
    parser.add_argument("--each", type=int, default=15, help="handovers per desk and run")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="crous-bench-handover-"))
    try:
        seeded = work / "seeded.db"
        started = time.perf_counter()
        ids = seed(seeded, args.desks * args.each, args.desks)
        print(f"seeded {len(ids)} ready reservations in {time.perf_counter() - started:.1f} s")
        backends = [Backend(seeded, None, work)]
        if args.server:
            backends.append(Backend(seeded, args.server, work))
        for backend in backends:
            handovers, bares, latencies, failures = [], [], [], 0
            try:
                for _ in range(args.runs):
                    rate, times, failed = one_run(backend.fresh(), ids, args.desks, bare=False)
                    handovers.append(rate)
                    latencies += times
                    failures += failed
                    rate, _, failed = one_run(backend.fresh(), ids, args.desks, bare=True)
                    bares.append(rate)
                    failures += failed
            finally:
                backend.clean()
            h, b = statistics.median(handovers), statistics.median(bares)
            print(
                f"{backend.name:<10} {args.desks} desks: {h:7.1f} handovers/s | baseline "
                f"{b:7.1f} bare transactions/s | ratio {h / b:.3f} | one handover p50 "
                f"{pct(latencies, 0.5) * 1000:.0f} ms, p95 {pct(latencies, 0.95) * 1000:.0f} ms"
                f" | failed {failures}",
                flush=True,
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
