"""The database itself refuses what must never change, on SQLite and on PostgreSQL alike: every
forbidden UPDATE and DELETE (and TRUNCATE, which skips row triggers on PostgreSQL; and an
INSERT into an acknowledged inspection's meter readings or keys) is tried straight in SQL, as
someone with a database console would, and refused; nothing changes."""

from __future__ import annotations

from typing import Any

import peewee
import pytest

from crous_desk.store import audit
from crous_desk.store.locks import on_server
from crous_desk.store.models import (
    AuditLog,
    Charge,
    Inspection,
    InspectionAmendment,
    InspectionItem,
    InspectionKey,
    KeyLog,
    LedgerMovement,
    MeterReading,
)
from tests import factories
from tests.factories import MONDAY_10H


@pytest.fixture
def rows(database: peewee.Database) -> dict[str, int]:
    """One row of each guarded kind: audit, key log, charge, amendment, an acknowledged
    inspection with its item, and an inspection still open with its item."""
    staff = factories.staff()
    reservation = factories.reservation(documents="none")
    room = reservation.room
    key_set = room.key_sets[0]
    with database.atomic():
        entry = audit.record("accueil", MONDAY_10H, "test", "room", room.id)
        locked = Inspection.create(
            reservation=reservation,
            room=room,
            kind="check_in",
            started_at=MONDAY_10H,
            started_by=staff,
        )
        locked_item = InspectionItem.create(inspection=locked, position=1, label="Floor")
        reading = MeterReading.create(
            inspection=locked, meter="electricity", reading="012345.6", at=MONDAY_10H, staff=staff
        )
        keys = InspectionKey.create(inspection=locked, kind="door", count=2)
        Inspection.update(acknowledged_at=MONDAY_10H, acknowledged_by=staff).where(
            Inspection.id == locked.id
        ).execute()
        open_ = Inspection.create(
            reservation=reservation,
            room=room,
            kind="check_out",
            started_at=MONDAY_10H,
            started_by=staff,
        )
        open_item = InspectionItem.create(inspection=open_, position=1, label="Floor")
        log = KeyLog.create(
            key_set=key_set, reservation=reservation, action="handover", at=MONDAY_10H, staff=staff
        )
        charge = Charge.create(
            reservation=reservation,
            room=room,
            kind="damage",
            label="Floor",
            amount_cents=5000,
            at=MONDAY_10H,
            staff=staff,
        )
        movement = LedgerMovement.create(
            reservation=reservation,
            kind="charge",
            amount_cents=5000,
            label="Floor",
            charge=charge,
            at=MONDAY_10H,
            staff=staff,
        )
        amendment = InspectionAmendment.create(
            inspection=locked,
            item=locked_item,
            state="worn",
            reason="seen",
            staff=staff,
            at=MONDAY_10H,
        )
    return {
        "audit_log": entry.id,
        "key_log": log.id,
        "charge": charge.id,
        "ledger_movement": movement.id,
        "inspection_amendment": amendment.id,
        "inspection": locked.id,
        "inspection_item": locked_item.id,
        "meter_reading": reading.id,
        "inspection_key": keys.id,
        "open_inspection": open_.id,
        "open_item": open_item.id,
    }


FORBIDDEN = [
    ("audit_log", "UPDATE audit_log SET actor = 'mallory' WHERE id = {id}", "append-only"),
    ("audit_log", "UPDATE audit_log SET hash = NULL WHERE id = {id}", "append-only"),
    ("audit_log", "DELETE FROM audit_log WHERE id = {id}", "append-only"),
    ("audit_log", "DELETE FROM audit_log", "append-only"),
    ("key_log", "UPDATE key_log SET note = 'never' WHERE id = {id}", "append-only"),
    ("key_log", "DELETE FROM key_log WHERE id = {id}", "append-only"),
    ("charge", "UPDATE charge SET amount_cents = 0 WHERE id = {id}", "append-only"),
    ("charge", "DELETE FROM charge WHERE id = {id}", "append-only"),
    (
        "ledger_movement",
        "UPDATE ledger_movement SET amount_cents = 1 WHERE id = {id}",
        "append-only",
    ),
    ("ledger_movement", "DELETE FROM ledger_movement WHERE id = {id}", "append-only"),
    (
        "inspection_amendment",
        "UPDATE inspection_amendment SET reason = 'x' WHERE id = {id}",
        "append-only",
    ),
    ("inspection_amendment", "DELETE FROM inspection_amendment WHERE id = {id}", "append-only"),
    ("inspection", "UPDATE inspection SET acknowledged_at = NULL WHERE id = {id}", "locked"),
    ("inspection", "UPDATE inspection SET tenant_name = 'x' WHERE id = {id}", "locked"),
    ("inspection_item", "UPDATE inspection_item SET state = 'damaged' WHERE id = {id}", "locked"),
    ("inspection_item", "UPDATE inspection_item SET remark = 'x' WHERE id = {id}", "locked"),
    ("inspection_item", "DELETE FROM inspection_item WHERE id = {id}", "locked"),
    ("meter_reading", "UPDATE meter_reading SET reading = '0' WHERE id = {id}", "locked"),
    ("meter_reading", "DELETE FROM meter_reading WHERE id = {id}", "locked"),
    (
        "inspection",
        "INSERT INTO meter_reading (inspection_id, meter, reading, at, staff_id) "
        "SELECT id, 'water', '1', started_at, started_by_id FROM inspection WHERE id = {id}",
        "locked",
    ),
    ("inspection_key", "UPDATE inspection_key SET count = 1 WHERE id = {id}", "locked"),
    ("inspection_key", "DELETE FROM inspection_key WHERE id = {id}", "locked"),
    (
        "inspection",
        "INSERT INTO inspection_key (inspection_id, kind, count) VALUES ({id}, 'mailbox', 1)",
        "locked",
    ),
]


def contents(database: peewee.Database) -> dict[str, list[Any]]:
    out = {}
    for model in (
        AuditLog,
        KeyLog,
        Charge,
        LedgerMovement,
        InspectionAmendment,
        Inspection,
        InspectionItem,
        MeterReading,
        InspectionKey,
    ):
        out[model._meta.table_name] = list(model.select().order_by(model.id).tuples())
    return out


@pytest.mark.parametrize(("table", "sql", "says"), FORBIDDEN, ids=[s for _, s, _ in FORBIDDEN])
def test_a_forbidden_change_is_refused_by_the_database(
    database: peewee.Database, rows: dict[str, int], table: str, sql: str, says: str
) -> None:
    before = contents(database)
    with pytest.raises(peewee.IntegrityError, match=says), database.atomic():
        database.execute_sql(sql.format(id=rows[table]))
    assert contents(database) == before


@pytest.mark.parametrize(
    "table", ["audit_log", "key_log", "charge", "ledger_movement", "inspection_amendment"]
)
def test_emptying_an_append_only_table_is_refused(
    database: peewee.Database, rows: dict[str, int], table: str
) -> None:
    before = contents(database)
    # SQLite has no TRUNCATE: its DELETE without WHERE fires the row triggers
    sql = f"TRUNCATE {table} CASCADE" if on_server() else f"DELETE FROM {table}"
    with pytest.raises(peewee.IntegrityError, match="append-only"), database.atomic():
        database.execute_sql(sql)
    assert contents(database) == before


def test_an_inspection_not_yet_acknowledged_may_change(
    database: peewee.Database, rows: dict[str, int]
) -> None:
    """The lock is the acknowledgement, not the table: an open inspection is recorded freely."""
    database.execute_sql(
        f"UPDATE inspection_item SET state = 'good' WHERE id = {rows['open_item']}"
    )
    database.execute_sql(
        f"UPDATE inspection SET acknowledged_at = started_at WHERE id = {rows['open_inspection']}"
    )
    assert InspectionItem.get_by_id(rows["open_item"]).state == "good"
    assert Inspection.get_by_id(rows["open_inspection"]).locked
    with pytest.raises(peewee.IntegrityError, match="locked"), database.atomic():
        database.execute_sql(f"DELETE FROM inspection_item WHERE id = {rows['open_item']}")
