"""Search gives the same answers on an SQLite file and on a PostgreSQL server (issue 10, point
2): one corpus, built the same way on both, and every kind of question the search box takes —
names in any order, without accents or case, prefixes, INE, reference, room, e-mail — asked at
desks of different scopes. Runs in both passes of the suite: in the SQLite one against the
machine's server when it answers (tests/server.py, ``comparison_server``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import time_machine

from crous_desk.base.clock import FixedClock
from crous_desk.services import Desk
from crous_desk.store import search_index
from crous_desk.store.db import Target, close, connect
from crous_desk.store.models import Reservation, Student
from crous_desk.store.models import db as proxy
from tests import factories
from tests.factories import MONDAY_10H
from tests.server import TestServer, comparison_server

# first name, last name, e-mail, residence ("" for a request not placed in a room yet), room,
# status, campus, lease start
CORPUS = [
    ("Hélène", "Dupont", "helene.dupont@etu.univ-amu.fr", "gaston", "B-112", "accepted"),
    ("Helene", "Dupond", "h.dupond@example.org", "gaston", "B-113", "checked_in"),
    ("HÉLÈNE", "DUPONT-MARTIN", "hdm@example.org", "luminy", "A-112", "accepted"),
    ("Jean-Pierre", "Martin", "jp.martin@example.org", "gaston", "B-114", "proposed"),
    ("Jean", "Pierre", "jean.pierre@example.org", "gaston", "B-201", "accepted"),
    ("Zoë", "Lefèvre", "zoe.lefevre@example.org", "luminy", "A-113", "checked_in"),
    ("Zoe", "Lefevre", "zoe.l@example.org", "gaston", "B-202", "departed"),
    ("Łukasz", "Østergaard", "lukasz.o@uni-heidelberg.de", "gaston", "B-203", "accepted"),
    ("Siobhán", "O'Brien", "s.obrien@tcd.ie", "luminy", "A-201", "accepted"),
    ("Maëlys", "d'Artagnan", "maelys@example.org", "gaston", "C-001", "requested"),
    ("Nguyễn", "Văn An", "van.an@example.org", "", "", "requested"),
    ("Ana", "Anaïs", "ana.anais@example.org", "", "", "requested"),
    ("Aurélie", "Ângelo", "aurelie.angelo@example.org", "luminy", "A-202", "accepted"),
    ("Ali", "Ben Salah", "ali.bensalah@example.org", "gaston", "B-112B", "accepted"),
    ("François", "Duval", "FRANCOIS.DUVAL@EXAMPLE.ORG", "gaston", "B-12", "proposed"),
    ("Émile", "Zola", "emile@zola.fr", "luminy", "A-12", "departed"),
    ("Ines", "Dupont", "ines.dupont@example.org", "luminy", "A-203", "cancelled"),
    ("Hélène", "Marchand", "helene.m@example.org", "gaston", "B-301", "accepted"),
]
CAMPUSES = ("Luminy", "Aix", "Marseille Centre")


def seed() -> list[Reservation]:
    """The corpus: the same rows, in the same order, with the same ids on either backend."""
    homes = {
        "gaston": factories.residence(),
        "luminy": factories.residence("luminy", "Résidence de Luminy"),
    }
    made = []
    for n, (first, last, email, home, number, status) in enumerate(CORPUS):
        room = factories.room(homes[home or "gaston"], number or f"Z-{n:03d}")
        reservation = factories.reservation(
            first=first,
            last=last,
            room_=room,
            status=status,
            lease_start=date(2026, 9 + n % 4, 1 + n),
            ine=f"{70_000_000 + 7 * n:09d}{'ABCDEFGHJK'[n % 10]}",
        )
        Student.update(email=email, campus=CAMPUSES[n % 3]).where(
            Student.id == reservation.student_id
        ).execute()
        if not home:  # a request not placed in a room yet
            Reservation.update(room=None).where(Reservation.id == reservation.id).execute()
        made.append(Reservation.get_by_id(reservation.id))
        search_index.index_reservation(made[-1])
    return made


def questions(made: list[Reservation]) -> list[str]:
    helene, *_ = made
    students = [r.student for r in made]
    return [
        # names: any order, any case, accents or not, prefixes
        "helene dupont",
        "Dupont Hélène",
        "HELENE",
        "hélène",
        "hel dup",
        "dup",
        "du",
        "d",
        "a",
        "jean pierre",
        "jean-pierre",
        "pierre jean",
        "martin",
        "zoe",
        "ZOË LEFÈVRE",
        "lefev",
        "lukasz",
        "Łukasz ostergaard",
        "oster",
        "o'brien",
        "obrien",
        "brien",
        "siobhan",
        "d'artagnan",
        "artagnan",
        "maelys",
        "nguyen",
        "van an",
        "an",
        "ana",
        "anais",
        "angelo",
        "ben salah",
        "salah ali",
        "francois",
        "emile zola",
        "ines",
        "dupont martin",
        "dupont-martin",
        "helene marchand",
        "nobody here",
        "zz",
        # INE: whole, in lower case, a prefix
        students[0].ine,
        students[0].ine.lower(),
        students[5].ine,
        students[0].ine[:6],
        # reference: whole, in lower case, spaced as a scanner may, a prefix
        helene.reference,
        helene.reference.lower(),
        " ".join(helene.reference),
        made[10].reference,
        helene.reference[:3],
        # room: as written, in lower case, spaced, a prefix
        "B-112",
        "b-112",
        "b 112",
        "B-112B",
        "B-1",
        "A-2",
        "c-001",
        # e-mail: whole, in upper case, a prefix, a domain
        students[0].email,
        students[0].email.upper(),
        "francois.duval@example.org",
        "zoe.",
        "example.org",
        "tcd",
        # nothing to search
        "",
        "  ",
        "*",
        "'",
        '"hel"',
        "OR",
    ]


def answers(target: Target) -> dict[tuple[str, str], list[str]]:
    """On ``target``: the corpus built, each question asked at each desk; what each found (the
    references, in the order shown)."""
    database = connect(target)
    try:
        with time_machine.travel(MONDAY_10H, tick=False):
            made = seed()
            gaston, luminy = made[0].room.residence, made[2].room.residence
            clock = FixedClock(MONDAY_10H)
            everywhere = factories.staff("accueil")
            only_luminy = factories.staff("l.accueil", scope=(("residence", "luminy"),))
            manager = factories.manager("m.durand", ("campus", "Luminy"), ("campus", "Aix"))
            desks = {
                "gaston": Desk(everywhere, clock, gaston),
                "luminy": Desk(everywhere, clock, luminy),
                "every residence": Desk(everywhere, clock, None),
                "a receptionist of luminy": Desk(only_luminy, clock, None),
                "a manager of two campuses": Desk(manager, clock, None),
            }
            return {
                (label, text): [row.reference for row in desk.search(text)]
                for text in questions(made)
                for label, desk in desks.items()
            }
    finally:
        close(database)
        proxy.initialize(None)


@pytest.fixture
def server_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """A new migrated database of its own on the comparison server, dropped after the test."""
    server: TestServer = comparison_server()
    monkeypatch.setenv("CROUS_DESK_AUDIT_KEY", str(tmp_path / "audit-key"))
    monkeypatch.setenv("CROUS_DESK_AUDIT_ANCHORS", str(tmp_path / "audit-anchors"))
    url = server.create(migrated=True)
    yield url
    server.drop(url)


def test_search_finds_the_same_on_sqlite_and_postgresql(tmp_path: Path, server_database: str):
    on_file = answers(tmp_path / "desk.db")
    on_server = answers(server_database)
    assert on_file.keys() == on_server.keys()
    differ = {
        asked: {"sqlite": on_file[asked], "postgresql": on_server[asked]}
        for asked in on_file
        if on_file[asked] != on_server[asked]
    }
    assert not differ, differ
    # the comparison is about real answers: most questions find someone, some find nobody, and
    # the desks' scopes make a difference
    found = [asked for asked, refs in on_file.items() if refs]
    assert len(found) > len(on_file) // 2
    assert on_file[("gaston", "helene dupont")][0] == "T00001"
    assert on_file[("luminy", "helene dupont")] == ["T00003"]
    assert on_file[("gaston", "nobody here")] == []
    assert on_file[("gaston", "B-112")] != on_file[("luminy", "B-112")]
