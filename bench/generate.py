"""A realistic file of N reservations, as a regional CROUS keeps them. Not a test.

    python bench/generate.py --reservations 1000000 [--out PATH] [--force]

Builds an SQLite file through the project's real migrated schema (``crous_desk.store.db
.connect``: every migration, trigger and index), then fills it with bulk inserts in one big
transaction: residences (one per 25,000 reservations, 3 at least, 40 at most) of 300 rooms
each with their key sets; students with names from everywhere, accents and all, drawn with a
Zipf-like weight (a few names are common: Dupont, Martin, Hélène…); the current academic year
(about 1.25 reservations per room, in every status: requested, proposed and about to expire,
expired, accepted — some arriving today with an appointment —, refused, checked in, departed,
cancelled) and every past year before it (departed, refused, cancelled); the five documents of
each accepted stay; the key log (handovers and returns); the audit log, chained by hashes as
``crous_desk.store.audit`` chains it (``audit verify`` accepts it); then the search index,
rebuilt by ``crous_desk.store.search_index.rebuild_index`` (the real code, timed).

Files are cached: ``/tmp/crous-bench/desk-N.db`` with ``desk-N.json`` beside it (the day the
file was built for, the counts, how long it took); a second run reuses them (``--force``
builds again). The same N gives the same file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crous_desk.base.clock import PARIS  # noqa: E402
from crous_desk.office.demo_data import (  # noqa: E402
    ALPHABET,
    FIRST_NAMES,
    KIND_MIX,
    LAST_NAMES,
    RENT,
    UNIVERSITIES,
)
from crous_desk.rules.reference import required_documents, room_kinds  # noqa: E402
from crous_desk.store import search_index  # noqa: E402
from crous_desk.store.audit import GENESIS  # noqa: E402
from crous_desk.store.db import connect  # noqa: E402
from crous_desk.store.models import db  # noqa: E402

# shared by default; CROUS_BENCH_CACHE keeps a branch's files apart from another's migrations
CACHE = Path(os.environ.get("CROUS_BENCH_CACHE", "/tmp/crous-bench"))
TODAY = date(2026, 11, 23)  # a Monday: the desk is open, arrivals are due
ROOMS_PER_RESIDENCE = 300
_FORMAT = "%Y-%m-%dT%H:%M:%S.%f+00:00"

MORE_FIRST = (
    "Marie Camille Manon Sarah Julie Laura Pauline Mathilde Lucie Clara Juliette Alice Louise "
    "Jeanne Margaux Élise Émilie Céline Amélie Aurélie Mélanie Valérie Cécile Hélèna Thomas "
    "Lucas Hugo Théo Nathan Louis Maxime Antoine Alexandre Quentin Julien Nicolas Paul Arthur "
    "Baptiste Romain Guillaume Pierre Étienne Jérémy Grégoire Timothée Félix Noé Gabriel "
    "Mohamed Yassine Karim Sofiane Rayan Bilal Mariam Fatima Khadija Amine Omar Ibrahim Moussa "
    "Aminata Seydou Oumar Awa Kofi Ama Chinedu Adaeze Tunde Ana María José Lucía Carmen Pablo "
    "Javier Diego Alejandro Inés Martina Francesca Alessandro Lorenzo Matteo Sofia Giorgio "
    "Anna Katarzyna Piotr Tomasz Małgorzata Paweł Jan Eva Jakub Tereza Ondřej Zuzana Ľubomír "
    "Oliver Jack Harry Charlotte Amelia George Emily Sophie Hannah Lena Jonas Leon Felix Mia "
    "Nils Ingrid Astrid Sigríður Björk Eero Aino Mikko Ilse Pieter Daan Sanne Bram Ioana "
    "Andrei Elena Mihai Dimitra Giorgos Nikos Ayşe Mustafa Emre Zeynep Elif Olga Ivan Sergei "
    "Natalia Oksana Taras Yerlan Aigerim Li Na Xiaoming Yan Hao Mei Sakura Haruto Ji-woo "
    "Min-jun Seo-yeon Anh Linh Trang Dũng Arjun Ananya Rohan Deepika Siddharth Kavya Nadia"
).split()
MORE_LAST = (
    "Durand Leroy Roux David Bertrand Morel Simon Laurent Lefebvre Michel Garcia Thomas Robert "
    "Richard Petit Dubois Blanc Guérin Boyer Garnier Lambert Fontaine Rousseau Vincent Muller "
    "Lefèvre Faure André Mercier Blanchard Guerin Boucher Roussel Gauthier Perrin Morin Mathieu "
    "Clément Gaillard Nicolas Henry Masson Marchand Duval Denis Dumont Marie Lemoine Noël "
    "Meyer Dufour Meunier Brun Blanchet Giraud Joly Rivière Lucas Brunet Gaillot Barbier "
    "Arnaud Martínez Gérard Roche Renard Schmitt Roy Leroux Colin Vidal Caron Picard Roger "
    "Fabre Aubert Lemoine Renaud Dumas Lacroix Olivier Philippe Bourgeois Pierre Benoît "
    "Rey Leclerc Payet Rolland Leclercq Guillaume Lecomte López González Rodríguez Pérez "
    "Sánchez Ramírez Torres Flores Rivera Gómez Díaz Cruz Morales Ortiz Gutiérrez Castillo "
    "Esposito Romano Colombo Ricci Marino Greco Bruno Gallo Conti Costa Giordano Mancini "
    "Lombardi Moretti Barbieri Fontana Santoro Schmidt Schneider Fischer Weber Wagner Becker "
    "Hoffmann Schäfer Koch Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann "
    "Kowalski Wiśniewski Wójcik Kamiński Lewandowski Dąbrowski Mazur Krawczyk Piotrowski "
    "Grabowski Nováková Svoboda Černý Procházka Kučera Veselý Horák Němec Pokorný Marek "
    "Smith Jones Williams Brown Taylor Davies Evans Wilson Murphy Walsh Byrne Ryan "
    "O'Connor O'Sullivan McCarthy Andersen Nielsen Hansen Pedersen Larsen Johansson "
    "Karlsson Nilsson Eriksson Virtanen Korhonen Mäkinen Jansen de Vries van Dijk Bakker "
    "Popescu Ionescu Papadopoulos Nikolaidis Öztürk Kaya Demir Çelik Aydın Ivanov Smirnov "
    "Kuznetsov Popov Shevchenko Kovalenko Bondarenko Nurlanov Zhang Liu Yang Huang Zhao Wu "
    "Zhou Xu Sun Suzuki Takahashi Watanabe Itō Yamamoto Nakamura Park Lee Choi Jung Kang Trần "
    "Lê Phạm Hoàng Huỳnh Patel Singh Kumar Gupta Reddy Iyer Nair Ndiaye Diop Sow Fall Ba "
    "Camara Keïta Cissé Coulibaly Koné Touré Mbaye Nkemelu Adeyemi Okonkwo Boateng Owusu "
    "Ben Salah Benali Bouzid Haddad Mansour Khalil Nasser Saïdi Belkacem El Amrani Alaoui"
).split()
FIRSTS = list(dict.fromkeys([*FIRST_NAMES, *MORE_FIRST]))
LASTS = list(dict.fromkeys([*LAST_NAMES[:1], "Martin", *LAST_NAMES[1:], *MORE_LAST]))
DOMAINS = ("etu.univ-amu.fr", "gmail.com", "outlook.com", "uni-heidelberg.de", "unibo.it",
           "yahoo.fr", "ulisboa.pt", "tcd.ie", "student.ku.dk", "icloud.com")
STATUSES_NOW = (  # the current academic year: (plan, weight)
    ("requested", 10), ("proposed", 5), ("proposed_soon", 2), ("expired", 2), ("accepted", 14),
    ("arrival_today", 2), ("refused", 4), ("checked_in", 52), ("departed", 5), ("cancelled", 4),
)
STATUSES_PAST = (("departed", 86), ("refused", 7), ("cancelled", 4), ("expired", 3))


def _weights(n: int) -> list[float]:
    return [1 / (i + 3) ** 0.9 for i in range(n)]  # a few names are common, most are rare


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_FORMAT)


def _paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def _reference(n: int) -> str:
    base = len(ALPHABET)
    value = (n * 7_368_787 + 12_345) % base**6  # a bijection: 7368787 is prime to 31
    chars = []
    for _ in range(6):
        value, digit = divmod(value, base)
        chars.append(ALPHABET[digit])
    return "".join(chars)


def _ine(n: int) -> str:
    digits = f"{(n * 104_729 + 7) % 10**9:09d}"  # a bijection below 10**9
    letters = "ABCDEFGHJK"
    if n % 2:
        return digits + str(n % 10) + letters[n // 7 % 10]
    return digits + letters[n // 3 % 10] + letters[n // 11 % 10]


def _ascii(text: str) -> str:
    return "".join(search_index.words(text))


class Builder:
    """Rows gathered in lists, written with executemany in big batches."""

    def __init__(self, connection: Any, n: int, today: date) -> None:
        self.c = connection
        self.n = n
        self.today = today
        self.rng = random.Random(n)
        self.now = _paris(today, 10)
        self.counts: dict[str, int] = {}
        self.audit_rows: list[tuple[Any, ...]] = []
        self.audit_id = 0
        self.prev_hash = GENESIS

    def insert(self, table: str, columns: str, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        marks = ", ".join("?" * len(columns.split(",")))
        self.c.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
        self.counts[table] = self.counts.get(table, 0) + len(rows)

    def audit(
        self, at: datetime, actor: str, action: str, entity: str, entity_id: int | None,
        reservation_id: int | None, after: dict[str, Any],
    ) -> None:
        self.audit_id += 1
        stored = (
            self.audit_id, _instant(at), actor, action, entity, entity_id, reservation_id, None,
            json.dumps(after, ensure_ascii=False, sort_keys=True, default=str),
        )
        canonical = json.dumps([*stored, self.prev_hash], ensure_ascii=False,
                               separators=(",", ":"))
        digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
        self.audit_rows.append((*stored, self.prev_hash, digest))
        self.prev_hash = digest
        if len(self.audit_rows) >= 50_000:
            self.flush_audit()

    def flush_audit(self) -> None:
        self.insert(
            "audit_log",
            "id, at, actor, action, entity, entity_id, reservation_id, before, after, "
            "prev_hash, hash",
            self.audit_rows,
        )
        self.audit_rows = []


def build(path: Path, n: int, today: date = TODAY) -> dict[str, Any]:
    started = time.perf_counter()
    database = connect(path)
    connection = database.connection()
    b = Builder(connection, n, today)
    rng = b.rng
    now = b.now
    year = today.year if today.month >= 8 else today.year - 1
    residences = max(3, min(40, -(-n // 25_000)))
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("PRAGMA cache_size=-400000")
    connection.execute("BEGIN IMMEDIATE")
    # -- staff: the desk's receptionists, a manager, an administrator ----------------------
    staff = [("accueil", "Accueil", "receptionist"), ("admin", "Administratrice", "administrator"),
             ("s.laurent", "Sophie Laurent", "mobility_manager"),
             ("k.benali", "Karim Benali", "receptionist")]
    b.insert("staff", "username, display_name, role, active, created_at, failed_sign_ins",
             [(u, name, role, 1, _instant(now - timedelta(days=4000)), 0)
              for u, name, role in staff])
    b.insert("staff_scope", "staff_id, kind, value",
             [(1, "residence", "*"), (3, "campus", "Luminy"), (4, "residence", "*")])
    # -- residences, rooms, key sets -------------------------------------------------------
    kinds = room_kinds()
    rooms: list[tuple[int, int, str, str]] = []  # id, residence id, number, kind
    for r in range(1, residences + 1):
        code = "gaston-berger" if r == 1 else f"residence-{r:02d}"
        name = "Résidence Gaston Berger" if r == 1 else f"Résidence n° {r} « Les Érables »"
        b.insert("residence",
                 "code, name, crous_code, address, desk_phone, timezone, opening, email",
                 [(code, name, "aix-marseille", f"{r} avenue de l'Université, 13100 Aix",
                   "04 42 93 47 00", "Europe/Paris", "09:00", f"accueil.{code}@crous.example")])
        for i in range(ROOMS_PER_RESIDENCE):
            building = "ABCDEF"[i // 60]
            floor = i % 60 // 12
            number = f"{building}-{floor}{i % 12 + 1:02d}"
            kind = KIND_MIX[(i * 7 + r) % len(KIND_MIX)]
            rooms.append((len(rooms) + 1, r, number, kind))
    b.insert("room", "residence_id, building, number, floor, kind, surface_m2, rent_cents, status",
             [(res, num[0], num, int(num[2]), kind, float(kinds[kind].typical_m2), RENT[kind],
               "available") for _id, res, num, kind in rooms])
    key_sets: dict[int, int] = {}  # room id -> its first key set's id
    sets = []
    for room_id, res, num, kind in rooms:
        key_sets[room_id] = len(sets) + 1
        for k in range(1, (2 if kinds[kind].couples else 1) + 1):
            sets.append((room_id, f"R{res:02d}/{num}/{k}", "desk"))
    b.insert("key_set", "room_id, label, state", sets)
    # -- students and reservations ---------------------------------------------------------
    current = min(n, int(len(rooms) * 1.25))
    first_w, last_w = _weights(len(FIRSTS)), _weights(len(LASTS))
    firsts = rng.choices(FIRSTS, first_w, k=n)
    lasts = rng.choices(LASTS, last_w, k=n)
    firsts[n - current], lasts[n - current] = "Hélène", "Dupont"  # the current year's first
    plans_now = rng.choices([p for p, _ in STATUSES_NOW], [w for _, w in STATUSES_NOW], k=current)
    plans_past = rng.choices([p for p, _ in STATUSES_PAST], [w for _, w in STATUSES_PAST],
                             k=n - current)
    free = [r[0] for r in rooms]
    rng.shuffle(free)
    room_of = {r[0]: r for r in rooms}
    documents = [k.code for k in required_documents()]
    students: list[tuple[Any, ...]] = []
    reservations: list[tuple[Any, ...]] = []
    docs: list[tuple[Any, ...]] = []
    key_log: list[tuple[Any, ...]] = []
    appointments: list[tuple[Any, ...]] = []
    holders: list[tuple[int, int]] = []  # (reservation, room) holding keys now
    occupied: set[int] = set()

    def flush() -> None:
        b.insert("student", "first_name, last_name, ine, email, phone, home_university, campus, "
                 "semester, academic_year, student_number, language", students)
        b.insert("reservation", "reference, student_id, room_id, lease_start, lease_end, status, "
                 "proposal_sent_at, answered_at, advance_cents, advance_paid_at, paid_by_kind, "
                 "keys_handed_at, created_at", reservations)
        b.insert("document", "reservation_id, kind, received_at, verified_by_id, verified_at, "
                 "covers_from, covers_until, guarantor_kind, id_expires", docs)
        b.insert("key_log", "key_set_id, reservation_id, action, at, staff_id, note", key_log)
        b.insert("appointment", "reservation_id, residence_id, starts_at, ends_at, booked_at, "
                 "booked_by_id", appointments)
        for rows in (students, reservations, docs, key_log, appointments):
            rows.clear()

    for i in range(n):
        rid = i + 1
        past = n - current  # the past years come first, oldest first, as a file grows
        is_current = i >= past
        plan = plans_now[i - past] if is_current else plans_past[i]
        back = 0 if is_current else min(25, 1 + (past - 1 - i) // max(1, int(len(rooms) * 1.1)))
        y = year - back
        semester = 1 + (i % 3 == 0)
        first, last = firsts[i], lasts[i]
        university, campus = UNIVERSITIES[i % len(UNIVERSITIES)]
        email = f"{_ascii(first)}.{_ascii(last)}{rid}@{DOMAINS[i % len(DOMAINS)]}"
        ine = _ine(rid) if plan != "requested" or i % 2 else None
        students.append((first, last, ine, email, f"+33 6 {i % 90 + 10} {i % 89 + 10} 00 00",
                         university, campus, semester, f"{y}-{y + 1}", f"S{rid:08d}",
                         (None, "fr", "en")[i % 3]))
        start = date(y, 9, 1) if semester == 1 else date(y + 1, 1, 15)
        start += timedelta(days=rng.randint(-20, 20))
        end = date(y + 1, 6, 30) + timedelta(days=rng.randint(-15, 15))
        if is_current and plan in ("requested", "proposed", "proposed_soon", "expired",
                                   "accepted"):
            start = today + timedelta(days=rng.randint(1, 60))
        if plan == "arrival_today":
            start = today
        if is_current and plan == "checked_in":
            start = today - timedelta(days=rng.randint(10, 80))
        if is_current and plan == "departed":
            start = today - timedelta(days=rng.randint(90, 120))
        if plan == "departed" and is_current:
            end = today - timedelta(days=rng.randint(1, 40))
        sent = _paris(start, 10) - timedelta(days=rng.randint(20, 60))
        if is_current and plan in ("proposed",):
            sent = now - timedelta(hours=rng.randint(30, 100))
        elif is_current and plan == "proposed_soon":
            sent = now - timedelta(hours=120) + timedelta(hours=rng.randint(2, 20))
        elif plan == "expired":
            sent = now - timedelta(hours=121 + rng.randint(0, 48)) if is_current else sent
        elif is_current:
            sent = min(sent, now - timedelta(days=rng.randint(6, 30)))
        room = None
        holding = is_current and plan in ("proposed", "proposed_soon", "accepted",
                                          "arrival_today", "checked_in")
        if holding and free:
            room = free.pop()
        elif plan in ("departed", "refused", "cancelled", "expired") and plan != "requested":
            room = rooms[rng.randrange(len(rooms))][0] if plan == "departed" or i % 2 else None
        if holding and room is None:
            plan = "requested"
        status = {"proposed_soon": "proposed", "expired": "proposed",
                  "arrival_today": "accepted"}.get(plan, plan)
        if plan == "expired" and not is_current:
            status = "proposed"
        if plan == "requested":
            room = None
        created = sent - timedelta(days=rng.randint(5, 40))
        paid = status in ("accepted", "checked_in", "departed")
        answered = sent + timedelta(hours=rng.randint(2, 100)) if status not in (
            "requested", "proposed") else None
        handed = _paris(start, 11, rng.randint(0, 50)) if status in ("checked_in", "departed") \
            else None
        reservations.append((
            _reference(rid), rid, room, start.isoformat(), end.isoformat(), status,
            _instant(sent) if status != "requested" else None,
            _instant(answered) if answered else None,
            10_000 if paid else None, _instant(answered) if paid and answered else None,
            "student" if paid else None, _instant(handed) if handed else None, _instant(created),
        ))
        actor = "s.laurent"
        b.audit(created, actor, "accueil.import", "reservation", rid, rid,
                {"reference": _reference(rid), "status": "requested"})
        if status != "requested":
            b.audit(sent, "accueil", "proposal.send", "reservation", rid, rid,
                    {"room_id": room, "status": "proposed"})
        if answered:
            b.audit(answered, actor, "proposal.answer", "reservation", rid, rid, {"status": status})
        if paid:
            for d, kind in enumerate(documents):
                received = _paris(start, 9) - timedelta(days=rng.randint(3, 30))
                verified = status != "accepted" or (d + i) % 3 != 0
                if is_current and status == "accepted" and (i + d) % 5 == 0:
                    continue  # still missing from the file
                docs.append((
                    rid, kind, _instant(received), 4 if verified else None,
                    _instant(received + timedelta(hours=3)) if verified else None,
                    start.isoformat() if kind == "insurance" else None,
                    end.isoformat() if kind == "insurance" else None,
                    "visale" if kind == "guarantor" else None,
                    (end + timedelta(days=400)).isoformat() if kind == "identity" else None,
                ))
        if handed and room is not None:
            key = key_sets[room]
            key_log.append((key, rid, "handover", _instant(handed), 4, ""))
            b.audit(handed, "k.benali", "keys.handover", "key_set", key, rid, {"state": "out"})
            if status == "departed":
                back_at = _paris(end, 10, rng.randint(0, 59))
                key_log.append((key, rid, "return", _instant(back_at), 4, ""))
                b.audit(back_at, "k.benali", "keys.return", "key_set", key, rid,
                        {"state": "desk"})
            elif room not in occupied:
                holders.append((rid, room))
                occupied.add(room)
        if is_current and status == "accepted" and room is not None and i % 2 == 0:
            slot = _paris(start, 9 + i % 7, 30 * (i % 2))
            appointments.append((rid, room_of[room][1], _instant(slot),
                                 _instant(slot + timedelta(minutes=30)),
                                 _instant(now - timedelta(days=3)), 1))
        if len(reservations) >= 50_000:
            flush()
    flush()
    b.flush_audit()
    for rid, room in holders:
        connection.execute(
            "UPDATE key_set SET state = 'out', holder_id = ? WHERE id = ?", (rid, key_sets[room])
        )
    connection.execute(
        "UPDATE room SET status = 'occupied' WHERE id IN (SELECT room_id FROM reservation "
        "WHERE status = 'checked_in')"
    )
    connection.execute(
        "UPDATE room SET status = 'reserved' WHERE status = 'available' AND id IN "
        "(SELECT room_id FROM reservation WHERE status IN ('proposed', 'accepted'))"
    )
    loaded = time.perf_counter()
    indexed = search_index.rebuild_index(database)
    index_s = time.perf_counter() - loaded
    connection.execute("COMMIT")
    connection.execute("PRAGMA synchronous=NORMAL")  # no ANALYZE: a desk's file has no stats
    database.close()
    db.initialize(None)
    b.counts["search_word"] = indexed
    return {
        "reservations": n,
        "today": today.isoformat(),
        "residences": residences,
        "rooms": len(rooms),
        "current_year": current,
        "counts": b.counts,
        "audit_head": b.prev_hash,
        "seconds": round(time.perf_counter() - started, 1),
        "rebuild_index_seconds": round(index_s, 2),
        "size_mb": round(path.stat().st_size / 2**20, 1),
    }


def cached(n: int, force: bool = False, out: Path | None = None) -> tuple[Path, dict[str, Any]]:
    """The file of ``n`` reservations, built once and kept under /tmp/crous-bench."""
    path = out or CACHE / f"desk-{n}.db"
    meta = path.with_suffix(".json")
    if not force and path.exists() and meta.exists():
        info = json.loads(meta.read_text())
        if not info.get("without_stats"):  # built by an earlier version, which ran ANALYZE
            import sqlite3

            with sqlite3.connect(path) as connection:
                connection.execute("DROP TABLE IF EXISTS sqlite_stat1")
                connection.execute("DROP TABLE IF EXISTS sqlite_stat4")
            info["without_stats"] = True
            meta.write_text(json.dumps(info, indent=2))
        return path, info
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in (path, meta, Path(f"{path}-wal"), Path(f"{path}-shm")):
        old.unlink(missing_ok=True)
    info = build(path, n)
    info["without_stats"] = True
    meta.write_text(json.dumps(info, indent=2))
    return path, info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reservations", "-n", type=int, default=10_000)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    path, info = cached(args.reservations, args.force, args.out)
    print(path)
    print(json.dumps(info, indent=2))


if __name__ == "__main__":
    main()
