"""The handover holds the write lock for a few statements: its checks are read before the lock,
read again inside it and compared, and decided again when another desk changed something in
between — the same refusals as when everything was read under the lock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

import peewee
import pytest
import time_machine

from crous_desk.base.clock import FixedClock
from crous_desk.base.errors import Refused
from crous_desk.desk.action import Act
from crous_desk.keys import handover
from crous_desk.reservations.file import handover_blockers
from crous_desk.services import Desk
from crous_desk.store.models import (
    AuditLog,
    Closure,
    Document,
    Inspection,
    KeyLog,
    KeySet,
    Reservation,
    Staff,
    db,
)
from tests import factories
from tests.factories import FRIDAY_17H, MONDAY_10H
from tests.unit.test_services import acknowledge_check_in


@pytest.fixture(autouse=True)
def _frozen(database: peewee.Database) -> Iterator[None]:
    with time_machine.travel(MONDAY_10H, tick=False):
        factories.staff("accueil")
        factories.residence()
        yield


def desk_at(when: datetime) -> Desk:
    return Desk(factories.staff("accueil"), FixedClock(when), factories.residence())


def ready() -> Reservation:
    r = factories.reservation(documents="verified")
    acknowledge_check_in(desk_at(MONDAY_10H), r)
    return r


def unverify(r: Reservation) -> None:
    Document.update(verified_at=None, verified_by=None).where(
        Document.reservation == r, Document.kind == "insurance"
    ).execute()


# Each: how to spoil a ready reservation. The lean reading must give exactly the reasons the
# reservation file gives (crous_desk.reservations.file.handover_blockers).
SPOIL: dict[str, Callable[[Reservation], Any]] = {
    "nothing": lambda r: None,
    "insurance unverified": unverify,
    "insurance too short": lambda r: (
        Document.update(covers_until=date(2027, 1, 1))
        .where(Document.reservation == r, Document.kind == "insurance")
        .execute()
    ),
    "a document gone": lambda r: (
        Document.delete().where(Document.reservation == r, Document.kind == "school").execute()
    ),
    "advance unpaid": lambda r: (
        Reservation.update(advance_cents=None).where(Reservation.id == r.id).execute()
    ),
    "already handed": lambda r: (
        Reservation.update(status="checked_in").where(Reservation.id == r.id).execute()
    ),
    "proposed and expired": lambda r: (
        Reservation.update(status="proposed", proposal_sent_at=MONDAY_10H - timedelta(days=6))
        .where(Reservation.id == r.id)
        .execute()
    ),
    "lease not started": lambda r: (
        Reservation.update(lease_start=date(2026, 12, 1)).where(Reservation.id == r.id).execute()
    ),
    "lease ended": lambda r: (
        Reservation.update(lease_end=date(2026, 11, 1)).where(Reservation.id == r.id).execute()
    ),
    "no set at the desk": lambda r: (
        KeySet.update(state="lost").where(KeySet.room == r.room_id).execute()
    ),
    "check-in not acknowledged": lambda r: (
        Inspection.delete().where(Inspection.reservation == r).execute()
    ),
    "closed today": lambda r: Closure.create(
        residence=factories.residence(), first=date(2026, 11, 23), last=date(2026, 11, 24)
    ),
}


@pytest.mark.parametrize("when", [MONDAY_10H, FRIDAY_17H], ids=["open", "closed"])
@pytest.mark.parametrize("spoil", list(SPOIL), ids=list(SPOIL))
def test_the_lean_reading_gives_the_reservation_file_s_reasons(spoil: str, when: datetime) -> None:
    r = ready()
    SPOIL[spoil](r)
    desk = desk_at(when)
    expected = handover_blockers(desk, Reservation.get_by_id(r.id), when)
    act = Act(desk, "keys.handover", "keys.handover")
    assert handover.blockers_of(act, handover.read_facts(act, r.id)) == expected
    assert (expected == []) == (spoil == "nothing" and when == MONDAY_10H)


def test_a_reservation_not_in_a_room_is_read_on_the_desk_s_hours() -> None:
    r = ready()
    Reservation.update(room=None).where(Reservation.id == r.id).execute()
    for when in (MONDAY_10H, FRIDAY_17H):
        desk = desk_at(when)
        act = Act(desk, "keys.handover", "keys.handover")
        expected = handover_blockers(desk, Reservation.get_by_id(r.id), when)
        assert handover.blockers_of(act, handover.read_facts(act, r.id)) == expected


def meanwhile(monkeypatch: pytest.MonkeyPatch, change: Callable[[], Any]) -> None:
    """Another desk makes ``change`` after the checks were read, before the write lock."""
    read = handover.read_facts
    calls = []

    def read_then_change(act: Act, reservation_id: int) -> Any:
        seen = read(act, reservation_id)
        if not calls:
            change()
        calls.append(1)
        return seen

    monkeypatch.setattr(handover, "read_facts", read_then_change)


def nothing_written(r: Reservation, audit_before: int) -> None:
    assert Reservation.get_by_id(r.id).status == "accepted"
    assert KeySet.get(KeySet.room == r.room_id).state == "desk"
    assert KeyLog.select().count() == 0
    assert AuditLog.select().count() == audit_before


def test_a_document_unticked_meanwhile_refuses_with_the_rule_s_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    r = ready()
    audit_before = AuditLog.select().count()
    meanwhile(monkeypatch, lambda: unverify(r))
    with pytest.raises(Refused) as refused:
        desk_at(MONDAY_10H).hand_over_keys(r.id)
    assert refused.value.reasons == ("rental file — Insurance: received, not verified yet",)
    nothing_written(r, audit_before)


def test_keys_handed_by_another_desk_meanwhile_are_not_handed_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    r = ready()
    audit_before = AuditLog.select().count()

    def other_desk() -> None:
        KeySet.update(state="out", holder=r.id).where(KeySet.room == r.room_id).execute()
        Reservation.update(status="checked_in").where(Reservation.id == r.id).execute()

    meanwhile(monkeypatch, other_desk)
    with pytest.raises(Refused) as refused:
        desk_at(MONDAY_10H).hand_over_keys(r.id)
    assert refused.value.codes == ("keys_already_handed", "key_set_not_at_desk")
    assert KeyLog.select().count() == 0
    assert AuditLog.select().count() == audit_before


def test_an_account_disabled_meanwhile_can_no_longer_hand_over(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    r = ready()
    audit_before = AuditLog.select().count()
    meanwhile(
        monkeypatch,
        lambda: Staff.update(active=False).where(Staff.username == "accueil").execute(),
    )
    with pytest.raises(Refused) as refused:
        desk_at(MONDAY_10H).hand_over_keys(r.id)
    assert refused.value.codes == ("account_disabled",)
    nothing_written(r, audit_before)


def statements_of_one_handover(r: Reservation) -> tuple[list[str], list[str]]:
    """The statements a handover runs before the write lock and inside it (SQLite's trace)."""
    before: list[str] = []
    inside: list[str] = []
    connection = db.connection()
    where = [before]

    def trace(statement: str) -> None:
        if statement.startswith("BEGIN"):
            where[0] = inside
        where[0].append(statement)
        if statement.startswith(("COMMIT", "ROLLBACK")):
            where[0] = []

    connection.set_trace_callback(trace)
    try:
        desk_at(MONDAY_10H).hand_over_keys(r.id)
    finally:
        connection.set_trace_callback(None)
    return before, inside


@pytest.mark.sqlite_only  # SQLite's trace of statements and its query plans
def test_the_write_lock_is_held_for_a_few_indexed_statements() -> None:
    r = ready()
    before, inside = statements_of_one_handover(r)
    assert inside[0] == "BEGIN IMMEDIATE" and inside[-1] == "COMMIT"
    assert len(inside) <= 14, inside
    assert not [s for s in before if not s.startswith("SELECT")], before  # only reads
    for statement in inside[1:-1]:
        plan = " ".join(
            str(row[-1]) for row in db.execute_sql(f"EXPLAIN QUERY PLAN {statement}").fetchall()
        )
        scans = [w for w in plan.split("SCAN ")[1:] if not w.startswith("audit_log")]
        assert not scans, (statement, plan)  # audit_log: its last row, by its primary key
    assert Reservation.get_by_id(r.id).status == "checked_in"
