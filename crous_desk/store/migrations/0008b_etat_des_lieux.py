"""The état des lieux as the law asks: meter readings and the keys handed over (by kind and
number) per inspection, locked with it; the tenant's forwarding address at check-out; a room's
own meters; each residence's window to complete a check-in (days, the heating season's first
day); an amendment reported by the tenant."""

from peewee import *

LOCKED = "this inspection is acknowledged and locked"

# PostgreSQL: the readings and keys of an acknowledged inspection are locked with it.
PG_PART_LOCKED = f"""
CREATE OR REPLACE FUNCTION crous_desk_inspection_part_locked() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    inspection_ref integer;
BEGIN
    IF TG_OP = 'INSERT' THEN
        inspection_ref := NEW.inspection_id;
    ELSE
        inspection_ref := OLD.inspection_id;
    END IF;
    IF (SELECT acknowledged_at FROM inspection WHERE id = inspection_ref) IS NOT NULL THEN
        RAISE EXCEPTION USING MESSAGE = '{LOCKED}', ERRCODE = 'restrict_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$
"""


def up(migrator, db):
    class Staff(Model):
        class Meta:
            database = db
            table_name = "staff"

    class Inspection(Model):
        class Meta:
            database = db
            table_name = "inspection"

    class MeterReading(Model):
        inspection = ForeignKeyField(Inspection, on_delete="CASCADE")
        meter = CharField()
        reading = CharField()
        at = TextField()
        staff = ForeignKeyField(Staff)

        class Meta:
            database = db
            table_name = "meter_reading"
            indexes = ((("inspection", "meter"), True),)

    class InspectionKey(Model):
        inspection = ForeignKeyField(Inspection, on_delete="CASCADE")
        kind = CharField()
        count = IntegerField()

        class Meta:
            database = db
            table_name = "inspection_key"
            indexes = ((("inspection", "kind"), True),)

    migrator.migrate(
        # nullable: a NOT NULL column makes SQLite's migrator rebuild the table, which would
        # drop its triggers (inspection_amendment is append-only); None reads as the default
        migrator.add_column("residence", "amendment_days", IntegerField(null=True)),
        migrator.add_column("residence", "heating_starts", CharField(null=True)),
        migrator.add_column("room", "meters", TextField(null=True)),
        migrator.add_column("inspection", "forwarding_address", TextField(null=True)),
        migrator.add_column("inspection_amendment", "by_tenant", BooleanField(null=True)),
    )
    db.create_tables([MeterReading, InspectionKey])
    if isinstance(db, SqliteDatabase):
        for table in ("meter_reading", "inspection_key"):
            for verb, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD")):
                db.execute_sql(
                    f"CREATE TRIGGER {table}_locked_{verb.lower()} BEFORE {verb} ON {table} "
                    f"WHEN (SELECT acknowledged_at FROM inspection WHERE id = {row}.inspection_id)"
                    f" IS NOT NULL BEGIN SELECT RAISE(ABORT, '{LOCKED}'); END"
                )
    else:
        db.execute_sql(PG_PART_LOCKED)
        for table in ("meter_reading", "inspection_key"):
            db.execute_sql(
                f"CREATE TRIGGER {table}_locked BEFORE INSERT OR UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION crous_desk_inspection_part_locked()"
            )


def down(migrator, db):
    if isinstance(db, SqliteDatabase):
        for table in ("meter_reading", "inspection_key"):
            for verb in ("insert", "update", "delete"):
                db.execute_sql(f"DROP TRIGGER IF EXISTS {table}_locked_{verb}")
    else:
        for table in ("meter_reading", "inspection_key"):
            db.execute_sql(f"DROP TRIGGER IF EXISTS {table}_locked ON {table}")
    migrator.migrate(migrator.drop_table("inspection_key"))
    migrator.migrate(migrator.drop_table("meter_reading"))
    if not isinstance(db, SqliteDatabase):
        db.execute_sql("DROP FUNCTION IF EXISTS crous_desk_inspection_part_locked()")
    migrator.migrate(
        migrator.drop_column("inspection_amendment", "by_tenant"),
        migrator.drop_column("inspection", "forwarding_address"),
        migrator.drop_column("room", "meters"),
        migrator.drop_column("residence", "heating_starts"),
        migrator.drop_column("residence", "amendment_days"),
    )
