"""The whole stay: inspection amendments, departures, extension requests, charges, key loans,
room status changes and per-residence prices; an acknowledged inspection and the ledgers are
locked by triggers (a correction is a new row, never an edit)."""

from peewee import *

# PostgreSQL: an acknowledged inspection is not changed, nor its items changed or deleted.
PG_ITEM_LOCKED = """
CREATE OR REPLACE FUNCTION crous_desk_inspection_locked() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'inspection' THEN
        IF OLD.acknowledged_at IS NOT NULL THEN
            RAISE EXCEPTION USING MESSAGE = 'this inspection is acknowledged and locked',
                ERRCODE = 'restrict_violation';
        END IF;
    ELSIF (SELECT acknowledged_at FROM inspection WHERE id = OLD.inspection_id) IS NOT NULL THEN
        RAISE EXCEPTION USING MESSAGE = 'this inspection is acknowledged and locked',
            ERRCODE = 'restrict_violation';
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

    class Residence(Model):
        class Meta:
            database = db
            table_name = "residence"

    class Room(Model):
        class Meta:
            database = db
            table_name = "room"

    class Reservation(Model):
        class Meta:
            database = db
            table_name = "reservation"

    class Inspection(Model):
        class Meta:
            database = db
            table_name = "inspection"

    class InspectionItem(Model):
        class Meta:
            database = db
            table_name = "inspection_item"

    class KeySet(Model):
        class Meta:
            database = db
            table_name = "key_set"

    class InspectionAmendment(Model):
        inspection = ForeignKeyField(Inspection)
        item = ForeignKeyField(InspectionItem)
        state = CharField(null=True)
        remark = TextField(null=True)
        reason = TextField()
        staff = ForeignKeyField(Staff)
        at = TextField()

        class Meta:
            database = db
            table_name = "inspection_amendment"

    class Departure(Model):
        reservation = ForeignKeyField(Reservation, unique=True)
        appointment_at = TextField(null=True)
        booked_by = ForeignKeyField(Staff, null=True)
        booked_at = TextField(null=True)
        departed_at = TextField(null=True)
        closed_by = ForeignKeyField(Staff, null=True)
        early = BooleanField(default=False)
        force_majeure = BooleanField(null=True)
        reason = TextField(default="")
        damages_at = TextField(null=True)

        class Meta:
            database = db
            table_name = "departure"

    class ExtensionRequest(Model):
        reservation = ForeignKeyField(Reservation)
        previous_end = DateField()
        requested_end = DateField()
        reason = TextField()
        requested_by = ForeignKeyField(Staff)
        requested_at = TextField()
        status = CharField(default="pending")
        decided_by = ForeignKeyField(Staff, null=True)
        decided_at = TextField(null=True)
        decision_note = TextField(default="")

        class Meta:
            database = db
            table_name = "extension_request"

    class Charge(Model):
        reservation = ForeignKeyField(Reservation, null=True)
        room = ForeignKeyField(Room)
        kind = CharField()
        label = CharField()
        detail = CharField(default="")
        amount_cents = IntegerField()
        inspection = ForeignKeyField(Inspection, null=True)
        item = ForeignKeyField(InspectionItem, null=True)
        key_set = ForeignKeyField(KeySet, null=True)
        at = TextField()
        staff = ForeignKeyField(Staff)

        class Meta:
            database = db
            table_name = "charge"

    class KeyLoan(Model):
        key_set = ForeignKeyField(KeySet)
        reservation = ForeignKeyField(Reservation, null=True)
        borrower = CharField()
        lent_at = TextField()
        lent_by = ForeignKeyField(Staff)
        due_at = TextField()
        returned_at = TextField(null=True)
        returned_by = ForeignKeyField(Staff, null=True)

        class Meta:
            database = db
            table_name = "key_loan"

    class RoomStatusChange(Model):
        room = ForeignKeyField(Room)
        before = CharField()
        after = CharField()
        reason = TextField(default="")
        staff = ForeignKeyField(Staff)
        at = TextField()

        class Meta:
            database = db
            table_name = "room_status_change"

    class PriceOverride(Model):
        residence = ForeignKeyField(Residence)
        item = CharField()
        severity = CharField(default="")
        amount_cents = IntegerField()
        set_by = ForeignKeyField(Staff)
        set_at = TextField()

        class Meta:
            database = db
            table_name = "price_override"
            indexes = ((("residence", "item", "severity"), True),)

    db.create_tables(
        [
            InspectionAmendment,
            Departure,
            ExtensionRequest,
            Charge,
            KeyLoan,
            RoomStatusChange,
            PriceOverride,
        ]
    )

    if isinstance(db, SqliteDatabase):
        # An acknowledged inspection is locked: its items never change (amend instead), and
        # the acknowledgement itself is never taken back.
        db.execute_sql(
            "CREATE TRIGGER inspection_item_locked_update BEFORE UPDATE ON inspection_item "
            "WHEN (SELECT acknowledged_at FROM inspection WHERE id = OLD.inspection_id) "
            "IS NOT NULL "
            "BEGIN SELECT RAISE(ABORT, 'this inspection is acknowledged and locked'); END"
        )
        db.execute_sql(
            "CREATE TRIGGER inspection_item_locked_delete BEFORE DELETE ON inspection_item "
            "WHEN (SELECT acknowledged_at FROM inspection WHERE id = OLD.inspection_id) "
            "IS NOT NULL "
            "BEGIN SELECT RAISE(ABORT, 'this inspection is acknowledged and locked'); END"
        )
        db.execute_sql(
            "CREATE TRIGGER inspection_acknowledged_locked BEFORE UPDATE ON inspection "
            "WHEN OLD.acknowledged_at IS NOT NULL "
            "BEGIN SELECT RAISE(ABORT, 'this inspection is acknowledged and locked'); END"
        )
        for table in ("inspection_amendment", "charge", "key_log"):
            for verb in ("UPDATE", "DELETE"):
                db.execute_sql(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'the {table} table is append-only'); END"
                )
    else:
        # the same refusals on PostgreSQL (crous_desk_refuse is made by migration 0002)
        db.execute_sql(PG_ITEM_LOCKED)
        for verb in ("UPDATE", "DELETE"):
            db.execute_sql(
                f"CREATE TRIGGER inspection_item_locked_{verb.lower()} BEFORE {verb} "
                "ON inspection_item FOR EACH ROW EXECUTE FUNCTION crous_desk_inspection_locked()"
            )
        db.execute_sql(
            "CREATE TRIGGER inspection_acknowledged_locked BEFORE UPDATE ON inspection "
            "FOR EACH ROW EXECUTE FUNCTION crous_desk_inspection_locked()"
        )
        for table in ("inspection_amendment", "charge", "key_log"):
            for verb, each in (("UPDATE", "ROW"), ("DELETE", "ROW"), ("TRUNCATE", "STATEMENT")):
                db.execute_sql(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"FOR EACH {each} "
                    f"EXECUTE FUNCTION crous_desk_refuse('the {table} table is append-only')"
                )


def down(migrator, db):
    if isinstance(db, SqliteDatabase):
        for table in ("inspection_amendment", "charge", "key_log"):
            for verb in ("update", "delete"):
                db.execute_sql(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
        db.execute_sql("DROP TRIGGER IF EXISTS inspection_acknowledged_locked")
        db.execute_sql("DROP TRIGGER IF EXISTS inspection_item_locked_delete")
        db.execute_sql("DROP TRIGGER IF EXISTS inspection_item_locked_update")
    else:
        for table in ("inspection_amendment", "charge", "key_log"):
            for verb in ("update", "delete", "truncate"):
                db.execute_sql(f"DROP TRIGGER IF EXISTS {table}_no_{verb} ON {table}")
        db.execute_sql("DROP TRIGGER IF EXISTS inspection_acknowledged_locked ON inspection")
        db.execute_sql("DROP TRIGGER IF EXISTS inspection_item_locked_delete ON inspection_item")
        db.execute_sql("DROP TRIGGER IF EXISTS inspection_item_locked_update ON inspection_item")
        db.execute_sql("DROP FUNCTION IF EXISTS crous_desk_inspection_locked()")
    for table in (
        "price_override",
        "room_status_change",
        "key_loan",
        "charge",
        "extension_request",
        "departure",
        "inspection_amendment",
    ):
        migrator.migrate(migrator.drop_table(table))
