"""What issue 13's safeguards cost one desk action. Not a test: run it by hand.

    python bench/trust.py [N]

On a throw-away SQLite file, times N audited desk actions (a residence's price set and
cleared, ``price.set``) in this one run, medians of 5 rounds:

- the baseline: the same action with the write-lock probe turned off and no audit key
  (what an action cost before: one IMMEDIATE transaction, one hash-chained audit row);
- with the safeguards: the probe (is another desk holding the lock?) and the audit row's
  HMAC under the key outside the database.

It prints milliseconds per action and the ratio to the baseline.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crous_desk.base.clock import FixedClock
from crous_desk.desk import action as action_module
from crous_desk.desk.context import Desk
from crous_desk.money.prices import set_price
from crous_desk.store import anchor
from crous_desk.store.db import connect
from crous_desk.store.models import Residence, Staff, StaffScope

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 10:00 in Paris


def actions(desk: Desk, n: int) -> float:
    start = time.perf_counter()
    for i in range(n // 2):
        set_price(desk, "Floor", "damaged", 9000 + i)
        set_price(desk, "Floor", "damaged", None)
    return (time.perf_counter() - start) / (2 * (n // 2)) * 1000


def main(n: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="crous-desk-bench-"))
    connect(folder / "desk.db")
    admin = Staff.create(username="bench", display_name="Bench", created_at=NOW, role="administrator")
    StaffScope.create(staff=admin, kind="residence", value="*")
    residence = Residence.create(
        code="luminy", name="Luminy", crous_code="aix-marseille", address="1 rue X", desk_phone="0"
    )
    desk = Desk(admin, FixedClock(NOW), residence)
    probe = action_module.write_lock_busy
    baseline, guarded = [], []
    for _round in range(5):
        action_module.write_lock_busy = lambda: False  # type: ignore[assignment]
        key_path = anchor.key_path
        anchor.key_path = lambda: None  # type: ignore[assignment]
        anchor.forget_cached_keys()
        baseline.append(actions(desk, n))
        action_module.write_lock_busy = probe
        anchor.key_path = key_path
        anchor.forget_cached_keys()
        guarded.append(actions(desk, n))
    b, g = statistics.median(baseline), statistics.median(guarded)
    print(f"{n} actions per round, medians of 5 rounds")
    print(f"baseline (no probe, no key):      {b:.3f} ms per action")
    print(f"with the probe and the audit MAC: {g:.3f} ms per action  ({g / b:.2f}x)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 400)
