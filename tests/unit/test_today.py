"""The desk's home data: today's arrivals and their readiness, departures, proposals about to
expire, overstays and keys to get back — for the desk's residence, on Paris's day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import peewee
import pytest
import time_machine

from crous_desk import keys
from crous_desk import rooms as tenancy
from crous_desk.departure import actions as departure
from crous_desk.office import today
from tests import factories
from tests.factories import MONDAY_10H
from tests.tenants import addressed, desk_at, ready, tenant

NOV_2 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
MONDAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _frozen(database: peewee.Database) -> Iterator[None]:
    with time_machine.travel(MONDAY_10H, tick=False):
        for username in ("accueil", "m.martin", "k.benali"):
            factories.staff(username)
        factories.residence()
        yield


def test_the_home_screen_data_of_a_monday_morning() -> None:
    ready_one = ready(factories.room(number="A-001"), first="Ana")
    missing = factories.reservation(room_=factories.room(number="A-002"), first="Bruno")
    arrived = tenant(factories.room(number="A-003"), first="Chloé")
    late = factories.reservation(
        room_=factories.room(number="A-004"),
        first="Dara",
        lease_start=MONDAY - timedelta(days=7),
        documents="verified",
    )
    proposed = factories.reservation(
        room_=factories.room(number="A-005"),
        first="Emil",
        status="proposed",
        sent_at=MONDAY_10H - timedelta(hours=115),
        documents="none",
    )
    factories.reservation(  # expired proposal for today: not an arrival any more
        room_=factories.room(number="A-006"),
        first="Fanny",
        status="proposed",
        sent_at=MONDAY_10H - timedelta(hours=121),
        documents="none",
    )
    factories.reservation(  # still 30 hours to answer: not "within 24 hours"
        room_=factories.room(number="A-007"),
        first="Gil",
        status="proposed",
        sent_at=MONDAY_10H - timedelta(hours=90),
        lease_start=MONDAY + timedelta(days=10),
        documents="none",
    )
    leaving = tenant(
        factories.room(number="B-001"),
        first="Hugo",
        lease_start=date(2026, 11, 2),
        lease_end=MONDAY,
        at=NOV_2,
    )
    booked = tenant(
        factories.room(number="B-002"),
        first="Inès",
        lease_start=date(2026, 11, 2),
        at=NOV_2,
    )
    departure.book_departure(desk_at(MONDAY_10H), booked.id, MONDAY_10H + timedelta(hours=5))
    overstaying = tenant(
        factories.room(number="B-003"),
        first="Jules",
        lease_start=date(2026, 11, 2),
        lease_end=date(2026, 11, 20),
        at=NOV_2,
    )
    tenancy.request_extension(desk_at(MONDAY_10H), overstaying.id, date(2026, 12, 18), "exams")
    luminy = factories.residence("luminy", "Résidence de Luminy")
    ready(factories.room(luminy, number="A-001"), first="Karl")  # another residence

    home = today.home(desk_at(MONDAY_10H))

    assert home.day == MONDAY
    assert home.desk.is_open
    by_id = {a.reservation_id: a for a in home.arrivals}
    assert set(by_id) == {ready_one.id, missing.id, arrived.id, late.id, proposed.id}
    assert [a.room for a in home.arrivals] == ["A-004", "A-001", "A-002", "A-003", "A-005"]
    a = by_id[ready_one.id]
    assert (a.paid, a.file_complete, a.inspection_done, a.key_set_ready, a.ready) == (
        True,
        True,
        True,
        True,
        True,
    )
    m = by_id[missing.id]
    assert (m.paid, m.file_complete, m.inspection_done, m.key_set_ready, m.ready) == (
        True,
        False,
        False,
        True,
        False,
    )
    assert "rental file — Insurance: received, not verified yet" in m.blockers
    assert "no check-in inspection acknowledged by the tenant" in m.blockers
    assert by_id[arrived.id].checked_in and not by_id[arrived.id].ready
    assert by_id[late.id].late
    assert by_id[proposed.id].status == "proposed"
    assert not by_id[proposed.id].paid

    assert [(d.reservation_id, d.keys_out) for d in home.departures] == [
        (booked.id, 1),  # the appointment first
        (leaving.id, 1),
    ]
    assert home.departures[0].appointment_at == MONDAY_10H + timedelta(hours=5)
    assert home.departures[1].check_out == "none"

    assert [(p.reservation_id, p.time_left) for p in home.expiring] == [
        (proposed.id, timedelta(hours=5))
    ]
    assert [o.reservation_id for o in home.overstays] == [overstaying.id]
    assert [(k.reservation_id, k.reason) for k in home.keys_to_return] == [
        (overstaying.id, "lease_ended")
    ]
    assert home.pending_extensions == 1


def test_a_departure_done_today_stays_on_the_list_as_done() -> None:
    leaving = tenant(
        factories.room(number="B-001"), lease_start=date(2026, 11, 2), lease_end=MONDAY, at=NOV_2
    )
    desk = desk_at(MONDAY_10H)
    departure.acknowledge_check_out(
        desk, addressed(desk, departure.open_check_out(desk, leaving.id).id)
    )
    departure.depart(desk, leaving.id)
    (done,) = today.home(desk_at(MONDAY_10H + timedelta(hours=1))).departures
    assert (done.departed, done.check_out, done.keys_out) == (True, "acknowledged", 0)
    assert today.home(desk_at(MONDAY_10H + timedelta(days=1))).departures == []


def test_the_day_is_the_residence_s_not_the_machine_s() -> None:
    tuesday = MONDAY + timedelta(days=1)
    arriving = ready(factories.room(), lease_start=tuesday)
    # 23:30 UTC Monday: Tuesday 00:30 in Paris, still Monday 18:30 on this New York machine
    home = today.home(desk_at(datetime(2026, 11, 23, 23, 30, tzinfo=UTC)))
    assert home.day == tuesday
    assert [a.reservation_id for a in home.arrivals] == [arriving.id]
    assert not home.desk.is_open
    assert "the desk is closed" in home.arrivals[0].blockers[0]
    assert today.home(desk_at(datetime(2026, 11, 23, 22, 30, tzinfo=UTC))).arrivals == []


def test_keys_to_return_include_an_overdue_loan() -> None:
    key_set_id = keys.inventory(desk_at(MONDAY_10H), room_id=factories.room().id)[0].key_set_id
    keys.lend(desk_at(MONDAY_10H), key_set_id, "Durand", MONDAY_10H + timedelta(hours=1))
    assert today.home(desk_at(MONDAY_10H)).keys_to_return == []
    (overdue,) = today.home(desk_at(MONDAY_10H + timedelta(hours=2))).keys_to_return
    assert (overdue.reason, overdue.holder) == ("loan_overdue", "Durand")


class _Statements:
    """The statements the database runs while counted."""

    def __init__(self, database: peewee.Database, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sql: list[str] = []
        run = database.execute_sql

        def counted(sql: str, params: object = None, *args: object, **kwargs: object) -> object:
            self.sql.append(sql)
            return run(sql, params, *args, **kwargs)

        monkeypatch.setattr(database, "execute_sql", counted)

    def during(self, read: object) -> int:
        self.sql.clear()
        assert callable(read)
        read()
        return len(self.sql)


def _a_day(first: int, last: int) -> None:
    """Arrivals of each kind (ready, missing a document, arrived) and departures, numbered."""
    for i in range(first, last):
        ready(factories.room(number=f"A-1{i:02d}"), first=f"Ready{i}")
        factories.reservation(room_=factories.room(number=f"A-2{i:02d}"), first=f"Missing{i}")
        tenant(factories.room(number=f"A-3{i:02d}"), first=f"Arrived{i}")
        tenant(
            factories.room(number=f"B-1{i:02d}"),
            first=f"Leaving{i}",
            lease_start=date(2026, 11, 2),
            lease_end=MONDAY,
            at=NOV_2,
        )


def test_the_home_screen_reads_as_many_statements_for_one_row_as_for_many(
    database: peewee.Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each fact of the day is read for every row at once, and the account and the desk hours
    once: on a server every statement is a round trip."""
    statements = _Statements(database, monkeypatch)
    _a_day(0, 1)
    few = statements.during(lambda: today.home(desk_at(MONDAY_10H)))
    _a_day(1, 4)
    home = today.home(desk_at(MONDAY_10H))
    assert (len(home.arrivals), len(home.departures)) == (12, 4)
    assert statements.during(lambda: today.home(desk_at(MONDAY_10H))) == few
    grants = [sql for sql in statements.sql if "staff_scope" in sql]
    closures = [sql for sql in statements.sql if 'FROM "closure"' in sql]
    assert (len(grants), len(closures)) == (1, 1)
