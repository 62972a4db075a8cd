"""The SQLite file: created and migrated on first use, kept across upgrades, safe to share,
and instants stored in UTC, aware on the way back."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import peewee
import pytest
from playhouse.schema_diff import diff_models

from crous_desk.store import outbox
from crous_desk.store import search_index as search
from crous_desk.store.db import BUSY_TIMEOUT_MS, connect, pending, upgrade
from crous_desk.store.db import MIGRATIONS as MIGRATION_DIR
from crous_desk.store.models import ALL_MODELS, Document, Reservation, Staff
from crous_desk.store.models import db as proxy
from tests import factories
from tests.factories import MONDAY_10H

# Every numbered migration in the package, in order (each issue's number is reserved, so a
# gap is normal); the first ones must be there whatever is added later.
MIGRATIONS = sorted(p.stem for p in MIGRATION_DIR.glob("[0-9]*.py"))
assert MIGRATIONS[:5] == [
    "0001_initial",
    "0002_search_and_append_only_audit",
    "0003_arrival_appointments_and_settings",
    "0004_stay",
    "0005_staff_accounts_and_audit_chain",
]


def test_a_new_file_is_created_and_migrated(db_path: Path) -> None:
    assert not db_path.exists()
    database = connect(db_path)
    try:
        assert db_path.exists()
        assert pending(database) == []
        assert upgrade(database) == []  # nothing left to apply
        applied = [name for (name,) in database.execute_sql("SELECT name FROM schema_migration")]
        assert sorted(applied) == MIGRATIONS
    finally:
        database.close()
        proxy.initialize(None)


def test_without_migrating_every_migration_is_pending(db_path: Path) -> None:
    database = connect(db_path, migrate=False)
    try:
        assert pending(database) == MIGRATIONS
    finally:
        database.close()
        proxy.initialize(None)


def test_the_models_match_the_migrated_schema(database: peewee.Database) -> None:
    difference = diff_models(database, [*ALL_MODELS, *outbox.MODELS])
    assert not difference, difference


def all_counts(database: peewee.Database) -> dict[str, int]:
    counts = {m.__name__: m.select().count() for m in [*ALL_MODELS, *outbox.MODELS]}
    counts["search_index"] = database.execute_sql("SELECT count(*) FROM search_word").fetchone()[0]
    return counts


def test_reopening_a_file_keeps_every_row(db_path: Path) -> None:
    database = connect(db_path)
    r = factories.reservation(documents="verified")
    factories.reservation(first="Zoé", last="Martin", status="proposed", documents="none")
    before = all_counts(database)
    rows_before = [dict(x.__data__) for x in Reservation.select().order_by(Reservation.id)]
    assert before["Reservation"] == 2 and before["Document"] == 5
    database.close()
    proxy.initialize(None)

    again = connect(db_path)
    try:
        assert pending(again) == []
        assert all_counts(again) == before
        assert [dict(x.__data__) for x in Reservation.select().order_by(Reservation.id)] == (
            rows_before
        )
        assert search.search("helene dupont") == [r.id]
    finally:
        again.close()
        proxy.initialize(None)


def test_wal_foreign_keys_and_busy_timeout(database: peewee.Database) -> None:
    def pragma(name: str) -> object:
        return database.execute_sql(f"PRAGMA {name}").fetchone()[0]

    assert pragma("journal_mode") == "wal"
    assert pragma("foreign_keys") == 1
    assert pragma("busy_timeout") == BUSY_TIMEOUT_MS >= 5000
    # the WAL mode is a property of the file: a plain connection sees it too
    plain = sqlite3.connect(database.database)
    try:
        assert plain.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        plain.close()


def test_foreign_keys_are_enforced(database: peewee.Database) -> None:
    with pytest.raises(peewee.IntegrityError):
        Document.create(reservation=123_456, kind="school")
    assert Document.select().count() == 0


# --- instants --------------------------------------------------------------------------------


def test_a_naive_datetime_is_refused_and_nothing_is_written(database: peewee.Database) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Staff.create(username="x", display_name="X", created_at=datetime(2026, 11, 23, 10, 0))
    assert Staff.select().count() == 0


def test_instants_come_back_aware_in_utc(database: peewee.Database) -> None:
    tokyo = datetime(2026, 11, 23, 18, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # 09:00 UTC
    staff = Staff.create(username="x", display_name="X", created_at=tokyo)
    got = Staff.get_by_id(staff.id).created_at
    assert got == tokyo
    assert got.tzinfo is UTC
    assert got == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    (raw,) = database.execute_sql("SELECT created_at FROM staff").fetchone()
    assert raw == "2026-11-23T09:00:00.000000+00:00"


def test_instants_compare_as_instants_whatever_zone_they_were_written_in(
    database: peewee.Database,
) -> None:
    # 17:00 in Tokyo (08:00 UTC) is before 10:00 in Paris (09:00 UTC); wall-clock text would not be.
    tokyo_evening = datetime(2026, 11, 23, 17, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    paris_morning = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
    early = factories.reservation(sent_at=tokyo_evening, documents="none")
    late = factories.reservation(first="Zoé", sent_at=paris_morning, documents="none")
    ordered = [
        r.id for r in Reservation.select().order_by(Reservation.proposal_sent_at, Reservation.id)
    ]
    assert ordered == [early.id, late.id]
    cutoff = MONDAY_10H - timedelta(minutes=30)  # 08:30 UTC, between the two
    before = Reservation.select().where(Reservation.proposal_sent_at < cutoff)
    assert [r.id for r in before] == [early.id]
