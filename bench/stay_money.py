"""Does the money of a stay cost the same at 10 k and at 1 M reservations? Not a test.

    python bench/stay_money.py [--sizes 10000 100000] [--runs 200]

Takes the file of ``bench/generate.py`` (cached under /tmp/crous-bench-stay-money/), copies it,
migrates
the copy (the ledger's tables and triggers), gives every lived-in stay a deposit, a payment
and, one in five, a damage (bulk inserts), then measures in this one run, medians of
``--runs``:

- balance: ``money.ledger.balance_of`` of one stay (what the file and the departure screen
  add) against the baseline, the reservation read by its primary key;
- statement: ``money.ledger.statement`` (the ledger screen) against the same baseline;
- export: ``office.exports.ledger_table`` per 1,000 stays (the stays of the desk's residence).

It prints one line per figure: the median, the baseline and their ratio.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402

from crous_desk.base.clock import FixedClock  # noqa: E402
from crous_desk.money import ledger  # noqa: E402
from crous_desk.office.exports import ledger_table  # noqa: E402
from crous_desk.services import Desk  # noqa: E402
from crous_desk.store.db import connect  # noqa: E402
from crous_desk.store.models import (  # noqa: E402
    LedgerMovement,
    Reservation,
    Residence,
    Staff,
    db,
)

WORK = Path("/tmp/crous-bench-stay-money")


def median(fn: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def fill(staff_id: int) -> int:
    """A deposit, a payment and one damage in five for every lived-in stay."""
    ids = [
        r.id
        for r in Reservation.select(Reservation.id).where(
            Reservation.status.in_(["checked_in", "departed"])
        )
    ]
    rng = random.Random(14)
    rows = []
    at = "2026-11-23T09:00:00.000000+00:00"
    for rid in ids:
        rows.append((rid, "deposit", -30000, "security deposit received", at, staff_id))
        rows.append((rid, "payment", -4500, "payment by the tenant", at, staff_id))
        if rng.random() < 0.2:
            rows.append((rid, "damage", 6000, "Desk", at, staff_id))
    with db.atomic():
        for start in range(0, len(rows), 5000):
            LedgerMovement.insert_many(
                rows[start : start + 5000],
                fields=[
                    LedgerMovement.reservation,
                    LedgerMovement.kind,
                    LedgerMovement.amount_cents,
                    LedgerMovement.label,
                    LedgerMovement.at,
                    LedgerMovement.staff,
                ],
            ).execute()
    return len(ids)


def one_size(n: int, runs: int) -> None:
    # its own cache: the shared one may hold files of another branch's schema
    source, _info = generate.cached(n, out=WORK / "generated" / f"desk-{n}.db")
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"desk-{n}.db"
    shutil.copyfile(source, path)
    database = connect(path)
    try:
        staff = Staff.select().first()
        stays = fill(staff.id)
        residence = Residence.select().first()
        desk = Desk(staff, FixedClock(generate._paris(generate.TODAY, 10)), residence)
        some = [
            r.id
            for r in Reservation.select(Reservation.id)
            .where(Reservation.status == "checked_in")
            .limit(50)
        ]
        picks = iter(some * (runs // len(some) + 1))
        base = median(lambda: Reservation.get_by_id(next(picks)), runs)
        picks = iter(some * (runs // len(some) + 1))
        balance = median(lambda: ledger.balance_of(next(picks)), runs)
        picks = iter(some * (runs // len(some) + 1))
        statement = median(lambda: ledger.statement(desk, next(picks)), runs)
        t = time.perf_counter()
        table = ledger_table(desk)
        export = (time.perf_counter() - t) / max(1, len(table.rows)) * 1000
        print(f"{n:>9} reservations, {stays} stays with money")
        print(f"  balance    {balance * 1e3:8.3f} ms  baseline {base * 1e3:8.3f} ms  x{balance / base:5.2f}")
        print(f"  statement  {statement * 1e3:8.3f} ms  baseline {base * 1e3:8.3f} ms  x{statement / base:5.2f}")
        print(f"  export     {export * 1e3:8.3f} ms per 1,000 stays ({len(table.rows)} rows)")
    finally:
        database.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    for n in args.sizes:
        one_size(n, args.runs)


if __name__ == "__main__":
    main()
