"""Is the desk fast at the size of a whole CROUS? Not a test: run it by hand.

    python bench/scale.py [--sizes 10000 100000 1000000] [--runs 5] [--only search,version]

For each size, takes the file of ``bench/generate.py`` (built once, cached under
/tmp/crous-bench/) and measures, in this one run, each figure beside its baseline, the median
of ``--runs`` runs:

- search: ``Desk.search`` at a receptionist's desk, p50 and p95 over every run, for one letter,
  a short prefix, a full name, two names, an INE, a reference, a room and an e-mail; baseline:
  a LIKE scan of the students for the same text (and an exact lookup by a unique index for the
  INE and the reference). Goal: p95 <= 2 ms at every size, and p50 below the LIKE scan's at
  1 M, the size the issue sets it at (on a smaller file ``LIKE … LIMIT 50`` stops at the first
  hits of a few pages: the comparison is printed there as information, not judged).
- screens: the data work (CPU) of the desk's day, the manager's pipeline (the current year),
  the key log, the rooms and the audit list; baseline: one raw SQL statement reading the same
  kind of rows. Goal: <= 50 ms.
- writes: one re-index, a ticked document and a handover (wall, a transaction each);
  baseline the same at the smallest size. Goal: within 2x of the smallest file.
- rebuild_index: seconds per 100,000 reservations (linear: the same at every size).
- audit verify (CPU) against reading and hashing the rows. Goal: within 1.5x.
- version: ``crous-desk --version`` and ``--help`` (wall) against ``python -c pass``. Goal:
  <= 0.15 s. This and the start-up first compile crous-desk's modules to bytecode, as an
  installed package has them (an editable checkout under PYTHONDONTWRITEBYTECODE has none).

The figures are printed and written to ``bench/results/scale.json`` (merged by size, so that
runs of different sizes add up) and ``bench/results/scale.md`` (the table the README quotes).

With ``--server postgresql://…`` (a database where others may be created) the same measures
run on PostgreSQL: each size's file is copied once (``crous-desk copy``) into a database of
that server, ``crous_bench_scale_<size>``, kept for the next runs (``--fresh`` copies it
again); times are wall-clock there (the work is in the server's process, not this one's) and
the figures go to ``scale-postgresql.json`` / ``.md``.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
VENV_BIN = Path(sys.executable).parent


SERVER: str | None = None  # --server: the measures run on PostgreSQL


def cpu_clock(clock: Callable[[], float]) -> Callable[[], float]:
    """The clock of a CPU measure: this process's CPU on a file, the wall on a server."""
    return time.perf_counter if SERVER else clock


class _Raw:
    """The baselines' raw SQL on either backend: ``?`` and ``?N`` placeholders."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def execute(self, sql: str, params: Any = ()) -> Any:
        if SERVER:
            import re

            if re.search(r"\?\d", sql):
                named = {f"p{i + 1}": v for i, v in enumerate(params)}
                return self.connection.execute(re.sub(r"\?(\d)", r"%(p\1)s", sql), named)
            return self.connection.execute(sql.replace("?", "%s"), params)
        return self.connection.execute(sql, params)


def raw_connection() -> _Raw:
    from crous_desk.store.models import db

    return _Raw(db.connection())


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[k]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def timed(fn: Callable[[], Any], repeat: int, clock: Callable[[], float] = time.perf_counter) -> list[float]:
    out = []
    for _ in range(repeat):
        t = clock()
        fn()
        out.append(clock() - t)
    return out


class Bench:
    def __init__(self, size: int, path: Path, info: dict[str, Any], runs: int) -> None:
        self.size = size
        self.path = path
        self.info = info
        self.runs = runs
        self.rows: list[dict[str, Any]] = []

    def row(self, group: str, what: str, value: float, unit: str, baseline: str,
            base: float | None, goal: str, met: bool | None, **extra: Any) -> None:
        if SERVER:  # wall-clock there: the work is in the server's process
            unit = unit.replace(" CPU", " wall")
        row = {"group": group, "what": what, "value": value, "unit": unit,
               "baseline": baseline, "baseline_value": base, "goal": goal, "met": met, **extra}
        self.rows.append(row)
        mark = {True: "met", False: "NOT MET", None: "-"}[met]
        shown = f"{value:g} {unit}"
        if "p95" in extra:
            shown += f" (p95 {extra['p95']:g})"
        if "statements" in extra:
            shown += f" ({extra['statements']} stmts)"
        based = f"{base:g}" if base is not None else ""
        print(f"  {group:<9} {what:<34} {shown:<26} | {baseline} {based} | {goal}: {mark}",
              flush=True)


def open_file(path: Path) -> Any:
    from crous_desk.store.db import connect

    return connect(path)


def close_file(database: Any) -> None:
    from crous_desk.store.models import db

    database.close()
    db.initialize(None)


def the_desk(residence_code: str | None = "gaston-berger", user: str = "accueil") -> Any:
    from crous_desk.base.clock import FixedClock
    from crous_desk.services import Desk
    from crous_desk.store.models import Residence, Staff

    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 10:00 in Paris: the built day
    residence = Residence.get(Residence.code == residence_code) if residence_code else None
    return Desk(Staff.get(Staff.username == user), FixedClock(now), residence)


# -- search -----------------------------------------------------------------------------------

ISSUE_SIZE = 1_000_000  # the size issue 9 sets the search goal at
SEARCH_GOAL = (f"p95 <= 2 ms at every size; p50 < LIKE at {ISSUE_SIZE:,} "
               "(below it, LIKE shown for information only)")


def bench_search(b: Bench) -> None:
    from crous_desk.store.models import db

    database = open_file(b.path)
    try:
        desk = the_desk()
        c = raw_connection()
        here = desk.residence.id
        ine, ref, email = c.execute(
            "SELECT s.ine, r.reference, s.email FROM reservation r JOIN student s "
            "ON s.id = r.student_id JOIN room m ON m.id = r.room_id WHERE m.residence_id = ? "
            "AND r.status = 'checked_in' AND s.ine IS NOT NULL ORDER BY r.id DESC LIMIT 1",
            (here,),
        ).fetchone()
        room = c.execute(
            "SELECT number FROM room WHERE residence_id = ? ORDER BY id LIMIT 1 OFFSET 111",
            (here,),
        ).fetchone()[0]
        # the same question without the index: the desk's reservations (and the requests not
        # yet placed) whose name, INE, e-mail, reference or room begins with the first term
        like = (
            "SELECT r.id FROM reservation r JOIN student s ON s.id = r.student_id "
            "LEFT JOIN room m ON m.id = r.room_id WHERE COALESCE(m.residence_id, 0) IN (0, ?2) "
            "AND (s.first_name LIKE ?1 OR s.last_name LIKE ?1 OR s.email LIKE ?1 "
            "OR s.ine LIKE ?1 OR r.reference LIKE ?1 OR m.number LIKE ?1) LIMIT 50"
        )
        queries = [
            ("one letter", "a", None),
            ("a short prefix", "hel", None),
            ("a full name", "dupont", None),
            ("two names", "helene dupont", None),
            ("INE", ine, ("SELECT id FROM student WHERE ine = ?", (ine,))),
            ("reference", ref, ("SELECT id FROM reservation WHERE reference = ?", (ref,))),
            ("room", room, None),
            ("e-mail", email, None),
        ]
        repeat = 40
        for label, text, exact in queries:
            assert desk.search(text), (label, text)
            for _ in range(5):
                desk.search(text)
            samples: list[float] = []
            walls: list[float] = []
            base_samples: list[float] = []
            exact_samples: list[float] = []
            first = text.split()[0]
            for _ in range(b.runs):
                gc.collect()
                samples += timed(lambda: desk.search(text), repeat, cpu_clock(time.thread_time))
                walls += timed(lambda: desk.search(text), repeat)
                base_samples += timed(
                    lambda: c.execute(like, (f"{first}%", here)).fetchall(),
                    max(3, repeat // 8),
                    cpu_clock(time.thread_time),
                )
                if exact:
                    exact_samples += timed(lambda: c.execute(*exact).fetchall(), repeat)
            p50, p95 = _ms(_pct(samples, 0.5)), _ms(_pct(samples, 0.95))
            base = _ms(_pct(base_samples, 0.5))
            # the issue's goal is at its size: on a smaller file LIKE ... LIMIT 50 stops at the
            # first hits of a few pages, and the comparison is shown, not judged
            faster = p50 < base if b.size >= ISSUE_SIZE else True
            b.row("search", f"{label} ({text})", p50, "ms CPU p50", "LIKE scan p50", base,
                  SEARCH_GOAL, p95 <= 2 and faster, p95=p95, faster_than_like=p50 < base,
                  wall_p50=_ms(_pct(walls, 0.5)), wall_p95=_ms(_pct(walls, 0.95)),
                  **({"exact_lookup_ms": _ms(_pct(exact_samples, 0.5))} if exact else {}))
        admin = the_desk(None, "admin")
        for label, text in (("every residence: one letter", "a"),
                            ("every residence: a full name", "dupont")):
            samples = []
            for _ in range(b.runs):
                samples += timed(lambda: admin.search(text), repeat, cpu_clock(time.thread_time))
            b.row("search", label, _ms(_pct(samples, 0.5)), "ms CPU p50", "(information)", None,
                  "p95 <= 2 ms", _ms(_pct(samples, 0.95)) <= 2, p95=_ms(_pct(samples, 0.95)))
    finally:
        close_file(database)


# -- screens' data work ------------------------------------------------------------------------


def bench_screens(b: Bench) -> None:
    from crous_desk.keys.inventory import key_log
    from crous_desk.office.pipeline import default_year, pipeline
    from crous_desk.office.today import home
    from crous_desk.people.audit import read as audit_read
    from crous_desk.store.models import db

    database = open_file(b.path)
    try:
        desk = the_desk()
        manager = the_desk(None, "s.laurent")
        admin = the_desk(None, "admin")
        c = raw_connection()
        rooms_view = _rooms_view()
        today = "2026-11-23"
        screens = [
            ("today at the desk", lambda: home(desk),
             "SELECT r.id, s.last_name, m.number FROM reservation r JOIN student s ON s.id = "
             "r.student_id JOIN room m ON m.id = r.room_id WHERE m.residence_id = 1 AND "
             f"r.status = 'accepted' AND r.lease_start <= '{today}' AND r.lease_end >= '{today}'"),
            ("manager pipeline", lambda: pipeline(manager, year=default_year(manager)),
             "SELECT r.id, s.last_name FROM reservation r JOIN student s ON s.id = r.student_id "
             "WHERE s.academic_year = '2026-2027' AND s.campus = 'Luminy' "
             "ORDER BY s.last_name LIMIT 500"),
            ("key log", lambda: key_log(desk),
             "SELECT k.id, k.at FROM key_log k ORDER BY k.at DESC LIMIT 500"),
            ("rooms", lambda: rooms_view(desk),
             "SELECT id, number, status FROM room WHERE residence_id = 1 ORDER BY number"),
            ("audit list", lambda: audit_read(admin),
             "SELECT * FROM audit_log ORDER BY id DESC LIMIT 500"),
        ]
        for label, work, raw in screens:
            work()
            statements = count_statements(work)
            samples: list[float] = []
            base: list[float] = []
            for _ in range(b.runs):
                gc.collect()
                samples += timed(work, 3, cpu_clock(time.process_time))
                base += timed(lambda: c.execute(raw).fetchall(), 3, cpu_clock(time.process_time))
            value = _ms(statistics.median(samples))
            b.row("screens", label, value, "ms CPU", "raw SQL", _ms(statistics.median(base)),
                  "<= 50 ms", value <= 50, statements=statements)
    finally:
        close_file(database)


def count_statements(work: Callable[[], Any]) -> int:
    """How many statements one call of ``work`` sends to the database (a round trip each on
    a server)."""
    from crous_desk.store.models import db

    database = db.obj
    run = database.execute_sql
    count = [0]

    def counted(*args: Any, **kwargs: Any) -> Any:
        count[0] += 1
        return run(*args, **kwargs)

    database.execute_sql = counted
    try:
        work()
    finally:
        del database.execute_sql
    return count[0]


def _rooms_view() -> Callable[[Any], Any]:
    from crous_desk.rooms.status import rooms

    return lambda desk: rooms(desk)


# -- writes -------------------------------------------------------------------------------------


def bench_writes(b: Bench) -> None:
    from crous_desk.store import search_index
    from crous_desk.store.models import Document, Reservation, db

    database = open_file(b.path)
    try:
        c = raw_connection()
        ids = [r for (r,) in c.execute(
            "SELECT id FROM reservation ORDER BY id DESC LIMIT 200").fetchall()]
        samples: list[float] = []
        docs: list[float] = []
        for _ in range(b.runs):
            for rid in ids[:40]:
                reservation = Reservation.get_by_id(rid)
                student = reservation.student
                student.email = student.email.replace("@", ".x@", 1)  # a changed e-mail
                with db.atomic() as transaction:  # undone: the cached file stays as built
                    t = time.perf_counter()
                    student.save()
                    search_index.index_reservation(Reservation.get_by_id(rid))
                    samples.append(time.perf_counter() - t)
                    transaction.rollback()
            for rid in ids[40:80]:
                with db.atomic() as transaction:
                    t = time.perf_counter()
                    Document.update(received_at=datetime.now(UTC)).where(
                        Document.reservation == rid, Document.kind == "identity").execute()
                    docs.append(time.perf_counter() - t)
                    transaction.rollback()
        b.row("writes", "one re-index (wall)", _ms(statistics.median(samples)), "ms", "", None,
              "within 2x of the smallest file", None)
        b.row("writes", "a ticked document (wall)", _ms(statistics.median(docs)), "ms", "", None,
              "within 2x of the smallest file", None)
        handovers = _handovers(b.runs * 20)
        b.row("writes", "a handover (wall)", _ms(statistics.median(handovers)), "ms", "", None,
              "within 2x of the smallest file", None, p95=_ms(_pct(handovers, 0.95)))
    finally:
        close_file(database)


def _handovers(n: int) -> list[float]:
    """``n`` key handovers through the desk action, each to a reservation made ready for its
    keys (a new room and set, the file verified, the check-in acknowledged) in a transaction
    undone afterwards: the cached file stays as built. The audit key and anchors go to a
    folder of their own (the first audited change makes them)."""
    import os
    import tempfile

    from crous_desk.rules.reference import required_documents
    from crous_desk.store import anchor
    from crous_desk.store.models import db

    desk = the_desk()
    c = raw_connection()
    at = "2026-11-23T09:00:00.000000+00:00"
    kinds = [k.code for k in required_documents()]
    keys = tempfile.mkdtemp(prefix="crous-desk-bench-keys-")
    saved = {k: os.environ.get(k) for k in ("CROUS_DESK_AUDIT_KEY", "CROUS_DESK_AUDIT_ANCHORS")}
    os.environ["CROUS_DESK_AUDIT_KEY"] = f"{keys}/audit-key"
    os.environ["CROUS_DESK_AUDIT_ANCHORS"] = f"{keys}/audit-anchors"
    anchor.forget_cached_keys()
    times: list[float] = []
    try:
        for i in range(n):
            with db.atomic() as transaction:
                room = c.execute(
                    "INSERT INTO room (residence_id, building, number, floor, kind, surface_m2, "
                    "rent_cents, status) VALUES (?, 'Z', ?, 1, 'renovated', 12.0, 21000, "
                    "'reserved') RETURNING id", (desk.residence.id, f"Z-bench-{i}")).fetchone()[0]
                c.execute("INSERT INTO key_set (room_id, label, state) VALUES (?, ?, 'desk')",
                          (room, f"BENCH/Z-{i}/1"))
                student = c.execute(
                    "INSERT INTO student (first_name, last_name, email, phone, home_university, "
                    "campus, semester, academic_year) VALUES ('Zoé', 'Bench', '', '', 'U', 'C', "
                    "1, '2026-2027') RETURNING id").fetchone()[0]
                rid = c.execute(
                    "INSERT INTO reservation (reference, student_id, room_id, lease_start, "
                    "lease_end, status, proposal_sent_at, advance_cents, advance_paid_at, "
                    "paid_by_kind, created_at) VALUES (?, ?, ?, '2026-11-23', '2027-06-30', "
                    "'accepted', ?, 10000, ?, 'student', ?) RETURNING id",
                    (f"ZB{i:04d}", student, room, at, at, at)).fetchone()[0]
                for kind in kinds:
                    c.execute(
                        "INSERT INTO document (reservation_id, kind, received_at, verified_by_id, "
                        "verified_at, covers_from, covers_until, guarantor_kind, id_expires) "
                        "VALUES (?, ?, ?, 1, ?, '2026-11-23', '2027-06-30', 'visale', "
                        "'2030-01-01')", (rid, kind, at, at))
                c.execute(
                    "INSERT INTO inspection (reservation_id, room_id, kind, started_at, "
                    "started_by_id, acknowledged_at, acknowledged_by_id, tenant_name) "
                    "VALUES (?, ?, 'check_in', ?, 1, ?, 1, 'Zoé')", (rid, room, at, at))
                t = time.perf_counter()
                desk.hand_over_keys(rid)
                times.append(time.perf_counter() - t)
                transaction.rollback()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        anchor.forget_cached_keys()
    return times


def bench_rebuild(b: Bench) -> None:
    from crous_desk.store import search_index
    from crous_desk.store.models import db

    database = open_file(b.path)
    try:
        with db.atomic() as transaction:  # undone: the cached file stays as built
            t, cpu = time.perf_counter(), time.process_time()
            search_index.rebuild_index()
            seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
            transaction.rollback()
        b.row("writes", "rebuild_index per 100k reservations",
              round(cpu / b.size * 100_000, 2), "s CPU", "", None,
              "linear: the same at every size", None, total_cpu_s=round(cpu, 1),
              total_wall_s=round(seconds, 1))
    finally:
        close_file(database)


# -- start-up ----------------------------------------------------------------------------------


def _start(*args: str) -> tuple[float, float]:
    t = time.time()
    done = subprocess.run([sys.executable, str(HERE / "startup.py"), *args], check=True,
                          capture_output=True, text=True)
    line = json.loads(done.stdout.strip().splitlines()[-1])
    return line["at"] - t, line["peak_mib"]


def demo_file() -> Path:
    path = generate.CACHE / "demo.db"
    if not path.exists():
        generate.CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run([str(VENV_BIN / "crous-desk"), "seed-demo", "--db", str(path)],
                       check=True, capture_output=True)
    return path


def _as_installed() -> None:
    """crous-desk's modules compiled to bytecode once, as ``pip install`` leaves an installed
    package (and as Textual, the baseline, already is): an editable checkout run with
    PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module from source at each start,
    which no installed desk does."""
    root = HERE.parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(root / "crous_desk"),
                    str(root / "screens")], check=True, capture_output=True)


def bench_startup(b: Bench) -> None:
    _as_installed()
    runs = max(3, b.runs)
    for label, path in (("the demo", demo_file()), ("this file", b.path)):
        _start("desk", str(path))  # warm the page cache
        ours = [_start("desk", str(path)) for _ in range(runs)]
        bare = [_start("bare") for _ in range(runs)]
        t, m = statistics.median(x[0] for x in ours), statistics.median(x[1] for x in ours)
        bt, bm = statistics.median(x[0] for x in bare), statistics.median(x[1] for x in bare)
        b.row("startup", f"start-up to first frame, {label} (wall)", round(t, 2), "s",
              "bare Textual app", round(bt, 2), "<= 1.3x", t <= 1.3 * bt, ratio=round(t / bt, 2))
        b.row("startup", f"peak memory at first frame, {label}", m, "MiB",
              "bare Textual app", bm, "<= 1.5x", m <= 1.5 * bm, ratio=round(m / bm, 2))


# -- keystroke to rows on screen -----------------------------------------------------------------


def bench_keystroke(b: Bench) -> None:
    def run(*extra: str) -> list[float]:
        out = subprocess.run([sys.executable, str(HERE / "keystroke.py"), str(b.path), *extra],
                             check=True, capture_output=True, text=True).stdout
        return list(json.loads(out.strip().splitlines()[-1]))

    ours: list[float] = []
    stub: list[float] = []
    for _ in range(max(1, min(3, b.runs))):
        ours += run()
        stub += run("stub")
    p95, base = round(_pct(ours, 0.95), 1), round(_pct(stub, 0.95), 1)
    b.row("keystroke", "keystroke -> rows on screen p95 (Pilot, 80x24)", p95, "ms",
          "same screen, search stubbed, p95", base, "<= stubbed + 33 ms", p95 <= base + 33,
          p50=round(_pct(ours, 0.5), 1), stub_p50=round(_pct(stub, 0.5), 1), keys=len(ours))


# -- import ------------------------------------------------------------------------------------


def accueil_csv(path: Path, rows: int) -> None:
    import random

    rng = random.Random(7)
    lines = ["student_number;ine;last_name;first_name;email;home_university;campus;"
             "academic_year;semester;arrival;departure"]
    for n in range(rows):
        first = rng.choice(generate.FIRSTS)
        last = rng.choice(generate.LASTS)
        ine = generate._ine(900_000 + n) if n % 3 else ""
        lines.append(
            f"B{n:07d};{ine};{last};{first};{generate._ascii(first)}.{n}@example.org;"
            f"Universität Heidelberg;Luminy;2026-2027;{1 + n % 2};"
            f"{1 + n % 28:02d}/01/2027;30/06/2027"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def bench_import(b: Bench) -> None:
    """10,000 Accueil rows into the demo file, then the same file again (nothing changes)."""
    import shutil
    import sqlite3
    import tempfile

    rows = 10_000
    exe = str(VENV_BIN / "crous-desk")
    env = {**os.environ, "LANG": "C.UTF-8"}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        csv = folder / "accueil.csv"
        accueil_csv(csv, rows)
        demo = folder / "demo.db"
        subprocess.run([exe, "seed-demo", "--db", str(demo)], check=True, capture_output=True,
                       env=env)
        first, again, raw = [], [], []
        for run in range(max(1, min(3, b.runs))):
            db_file = folder / f"run{run}.db"
            shutil.copy(demo, db_file)
            for times in (first, again):
                t = time.perf_counter()
                done = subprocess.run([exe, "import-accueil", str(csv), "--db", str(db_file)],
                                      capture_output=True, env=env, text=True)
                times.append(time.perf_counter() - t)
                assert done.returncode == 0, done.stderr[-500:]
            raw_file = folder / f"raw{run}.db"
            shutil.copy(demo, raw_file)
            t = time.perf_counter()
            _raw_import(raw_file, csv)
            raw.append(time.perf_counter() - t)
        base = round(statistics.median(raw), 2)
        value = round(statistics.median(first), 2)
        b.row("import", f"import {rows:,} Accueil rows into the demo (wall)", value, "s",
              "raw sqlite3 import", base, "<= 5 s", value <= 5)
        value = round(statistics.median(again), 2)
        b.row("import", "the same file again, unchanged (wall)", value, "s",
              "raw sqlite3 import", base, "<= 2 s", value <= 2)


def _raw_import(path: Path, csv: Path) -> None:
    import sqlite3

    with sqlite3.connect(path) as c:
        lines = csv.read_text(encoding="utf-8").splitlines()[1:]
        now = datetime.now(UTC).isoformat()
        for n, line in enumerate(lines):
            number, ine, last, first, email, university, campus, year, sem, start, end = \
                line.split(";")
            cur = c.execute(
                "INSERT INTO student (first_name, last_name, ine, email, phone, "
                "home_university, campus, semester, academic_year, student_number) "
                "VALUES (?, ?, ?, ?, '', ?, ?, ?, ?, ?)",
                (first, last, ine or None, email, university, campus, int(sem), year, number))
            c.execute(
                "INSERT INTO reservation (reference, student_id, lease_start, lease_end, status, "
                "created_at) VALUES (?, ?, ?, ?, 'requested', ?)",
                (f"R{n:05d}", cur.lastrowid, start, end, now))


# -- handovers ---------------------------------------------------------------------------------


def bench_handover(b: Bench) -> None:
    """``bench/handover.py``: 16 desks x 200 attempts on one file, beside raw transactions."""
    out = subprocess.run([sys.executable, str(HERE / "handover.py")], check=True,
                         capture_output=True, text=True).stdout
    found = json.loads(out.strip().splitlines()[-1])
    ours, raw = found["handovers"], found["raw"]
    clean = ours["locked"] == 0 and ours["doubles"] == 0 and ours["error"] == 0
    b.row("handover", "16 desks x 200 handover attempts on one file", ours["per_second"],
          "handovers/s", "raw IMMEDIATE transactions", raw["per_second"],
          ">= 1,000/s, 0 locked, 0 double", ours["per_second"] >= 1000 and clean,
          p95_ms=ours["p95_ms"], locked=ours["locked"], doubles=ours["doubles"],
          refused=ours["refused"], raw_p95_ms=raw["p95_ms"])


# -- slips ---------------------------------------------------------------------------------------


def bench_slips(b: Bench) -> None:
    """``bench/slips.py``: 1,000 slips into one PDF against 1,000 empty pages, in a child."""
    import re

    values, bases = [], []
    for _ in range(max(1, min(3, b.runs))):
        out = subprocess.run([sys.executable, str(HERE / "slips.py"), "1000"], check=True,
                             capture_output=True, text=True).stdout
        bases.append(float(re.search(r"\(([\d,]+) pages/s\)", out)[1].replace(",", "")))
        values.append(float(re.search(r"\(([\d,]+) slips/s", out)[1].replace(",", "")))
    value = statistics.median(values)
    b.row("slips", "slips into one PDF (1,000)", value, "slips/s", "empty pages",
          statistics.median(bases), ">= 300 slips/s", value >= 300)


# -- audit verify --------------------------------------------------------------------------------


def bench_audit(b: Bench) -> None:
    from crous_desk.store.audit import verify_chain
    from crous_desk.store.models import db

    database = open_file(b.path)
    try:
        c = raw_connection()

        def read_and_hash() -> None:
            for row in c.execute("SELECT id, at, actor, action, entity, entity_id, "
                                 "reservation_id, before, after, prev_hash, hash FROM audit_log "
                                 "ORDER BY id"):
                hashlib.sha256(json.dumps(row[:10], ensure_ascii=False, default=str,
                                          separators=(",", ":")).encode()).hexdigest()

        runs = max(1, min(b.runs, 3))
        ours = timed(lambda: verify_chain(), runs, time.process_time)
        base = timed(read_and_hash, runs, time.process_time)
        value, basev = round(statistics.median(ours), 2), round(statistics.median(base), 2)
        b.row("audit", "audit verify", value, "s CPU", "reading and hashing the rows", basev,
              "<= 1.5x baseline", value <= 1.5 * basev, ratio=round(value / basev, 2),
              entries=b.info["counts"]["audit_log"])
    finally:
        close_file(database)


# -- the command line ----------------------------------------------------------------------------


def bench_version(b: Bench) -> None:
    _as_installed()
    exe = str(VENV_BIN / "crous-desk")
    env = {**os.environ, "LANG": "C.UTF-8"}

    def run(*cmd: str) -> None:
        subprocess.run(cmd, check=True, capture_output=True, env=env)

    base = timed(lambda: run(sys.executable, "-c", "pass"), 3 * b.runs)
    for flag in ("--version", "--help"):
        run(exe, flag)
        ours = timed(lambda: run(exe, flag), 3 * b.runs)
        value = round(statistics.median(ours), 3)
        b.row("cli", f"crous-desk {flag} (wall)", value, "s", "python -c pass",
              round(statistics.median(base), 3), "<= 0.15 s", value <= 0.15)


MEASURES: dict[str, Callable[[Bench], None]] = {
    "search": bench_search,
    "keystroke": bench_keystroke,
    "screens": bench_screens,
    "writes": bench_writes,
    "rebuild": bench_rebuild,
    "audit": bench_audit,
    "version": bench_version,
    "import": bench_import,
    "startup": bench_startup,
    "slips": bench_slips,
    "handover": bench_handover,
}
# measures that do not depend on the file's size: run with the first size only
ONCE = {"version", "import", "slips", "handover"}


def within_twice(results: dict[str, Any]) -> None:
    """The writes' goal: each within 2x of the same write on the smallest file measured."""
    sizes = sorted(results["sizes"], key=int)
    for what in ("one re-index (wall)", "a ticked document (wall)", "a handover (wall)"):
        first = [r for r in results["sizes"][sizes[0]]["rows"] if r["what"] == what]
        if not first:
            continue
        for size in sizes:
            for r in results["sizes"][size]["rows"]:
                if r["what"] == what:
                    r["baseline"] = f"the same at {int(sizes[0]):,}"
                    r["baseline_value"] = first[0]["value"]
                    r["met"] = r["value"] <= 2 * first[0]["value"]


def write_results(results: dict[str, Any]) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"scale{SUFFIX}.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    sizes = sorted(results["sizes"], key=int)
    lines = [
        f"Measured {results['when']} on {results['machine']} — `python bench/scale.py` "
        "(medians; p95 where shown).",
        "",
        "| what | " + " | ".join(f"{int(s):,}" for s in sizes) + " | baseline (same run) | goal |",
        "| --- | " + " | ".join("---" for _ in sizes) + " | --- | --- |",
    ]
    order: list[tuple[str, str]] = []
    for s in sizes:
        for row in results["sizes"][s]["rows"]:
            key = (row["group"], row["what"].split(" (")[0] if row["group"] == "search"
                   else row["what"])
            if key not in order:
                order.append(key)
    for group, what in order:
        cells, bases, goal = [], [], ""
        for s in sizes:
            match = [r for r in results["sizes"][s]["rows"] if r["group"] == group and (
                r["what"] == what or r["what"].startswith(what + " ("))]
            if not match:
                cells.append("")
                bases.append("")
                continue
            r = match[0]
            cell = f"{r['value']:g}" + (f" / p95 {r['p95']:g}" if "p95" in r else "")
            cell += {True: " ✓", False: " ✗", None: ""}[r["met"]]
            if r.get("faster_than_like") is False and int(s) < ISSUE_SIZE:
                cell += " (LIKE faster here: information)"
            cells.append(cell)
            bases.append(f"{r['baseline_value']:g}" if r["baseline_value"] is not None else "")
            goal = r["goal"]
            unit = r["unit"]
        base_label = match[0]["baseline"] if match else ""
        lines.append(f"| {what} ({unit}) | " + " | ".join(cells) +
                     f" | {base_label} {' / '.join(b for b in bases if b)} | {goal} |")
    (RESULTS / f"scale{SUFFIX}.md").write_text("\n".join(lines) + "\n")


SUFFIX = ""


def on_server(url: str, size: int, file: Path, fresh: bool) -> str:
    """The database of this size on the server, copied from the file once."""
    import psycopg

    from crous_desk.store.moving import copy_database

    name = f"crous_bench_scale_{size}"
    target = url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and not fresh:
            return target
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    t = time.perf_counter()
    report = copy_database(file, target)
    with psycopg.connect(target, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    print(f"  copied onto {name}: {report.total:,} rows in {time.perf_counter() - t:.0f} s",
          flush=True)
    return target


def main() -> None:
    global SERVER, SUFFIX
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", help="a postgresql:// URL: run the measures there")
    parser.add_argument("--fresh", action="store_true", help="copy onto the server again")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default=",".join(MEASURES))
    args = parser.parse_args()
    if args.server:
        SERVER, SUFFIX = args.server, "-postgresql"
    path = RESULTS / f"scale{SUFFIX}.json"
    results = json.loads(path.read_text()) if path.exists() else {"sizes": {}}
    results["when"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    results["machine"] = f"{os.cpu_count()} cores, Python {platform.python_version()}, " \
        f"SQLite {__import__('sqlite3').sqlite_version}" + (f", PostgreSQL on {SERVER}" if SERVER else "")
    for size in args.sizes:
        file, info = generate.cached(size)
        print(f"{size:,} reservations: {file} ({info['size_mb']} MiB, built in "
              f"{info['seconds']} s)", flush=True)
        where: Any = on_server(SERVER, size, file, args.fresh) if SERVER else file
        b = Bench(size, where, info, args.runs)
        for name in args.only.split(","):
            if name in ONCE and size != args.sizes[0]:
                continue
            MEASURES[name](b)
        kept = results["sizes"].get(str(size), {"rows": []})["rows"]
        fresh = {(r["group"], r["what"].split(" (")[0]) for r in b.rows}
        rows = [r for r in kept if (r["group"], r["what"].split(" (")[0]) not in fresh]
        results["sizes"][str(size)] = {"file": info, "rows": rows + b.rows}
        within_twice(results)
        write_results(results)
    print(f"written: {RESULTS / f'scale{SUFFIX}.json'}, {RESULTS / f'scale{SUFFIX}.md'}")


if __name__ == "__main__":
    main()
