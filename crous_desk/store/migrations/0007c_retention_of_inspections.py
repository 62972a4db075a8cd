"""Retention may clear a person's name and address on an acknowledged inspection.

An acknowledged inspection is locked (migration 0004): the trigger refused every update. The
retention of personal data (crous_desk.office.personal_data) must clear the tenant's name and
forwarding address all the same, years after the stay; it marks the inspections it clears in
``retention_pass`` inside its own transaction, and the lock lets exactly those through."""

from peewee import *

LOCKED = (
    "CREATE TRIGGER inspection_acknowledged_locked BEFORE UPDATE ON inspection "
    "WHEN OLD.acknowledged_at IS NOT NULL{unless} "
    "BEGIN SELECT RAISE(ABORT, 'this inspection is acknowledged and locked'); END"
)
UNLESS = " AND NOT EXISTS (SELECT 1 FROM retention_pass WHERE inspection_id = OLD.id)"


def up(migrator, db):
    class RetentionPass(Model):
        inspection_id = IntegerField(primary_key=True)

        class Meta:
            database = db
            table_name = "retention_pass"

    db.create_tables([RetentionPass])
    if isinstance(db, SqliteDatabase):
        db.execute_sql("DROP TRIGGER IF EXISTS inspection_acknowledged_locked")
        db.execute_sql(LOCKED.format(unless=UNLESS))


def down(migrator, db):
    if isinstance(db, SqliteDatabase):
        db.execute_sql("DROP TRIGGER IF EXISTS inspection_acknowledged_locked")
        db.execute_sql(LOCKED.format(unless=""))
    db.execute_sql('DROP TABLE IF EXISTS "retention_pass"')
