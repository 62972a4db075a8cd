"""The money of a stay: a ledger of movements per reservation (integer cents, append-only:
triggers refuse UPDATE and DELETE, and an amount that is not a whole non-zero number of cents);
the security deposit a residence asks; the balance a stay was closed with. The damage and
lost-key charges already recorded enter the ledger."""

from peewee import *


def up(migrator, db):
    class Staff(Model):
        class Meta:
            database = db
            table_name = "staff"

    class Reservation(Model):
        class Meta:
            database = db
            table_name = "reservation"

    class Charge(Model):
        class Meta:
            database = db
            table_name = "charge"

    class LedgerMovement(Model):
        reservation = ForeignKeyField(Reservation)
        kind = CharField()
        amount_cents = IntegerField()
        label = CharField()
        note = TextField(default="")
        charge = ForeignKeyField(Charge, null=True, unique=True)
        reverses = ForeignKeyField("self", null=True, unique=True)
        at = TextField()
        staff = ForeignKeyField(Staff)

        class Meta:
            database = db
            table_name = "ledger_movement"

    migrator.migrate(
        migrator.add_column("residence", "deposit_cents", IntegerField(null=True)),
        migrator.add_column("departure", "open_balance_cents", IntegerField(null=True)),
    )
    db.create_tables([LedgerMovement])
    db.execute_sql(
        "INSERT INTO ledger_movement "
        "(reservation_id, kind, amount_cents, label, note, charge_id, at, staff_id) "
        "SELECT reservation_id, kind, amount_cents, label, detail, id, at, staff_id "
        "FROM charge WHERE reservation_id IS NOT NULL AND amount_cents <> 0 ORDER BY id"
    )
    if isinstance(db, SqliteDatabase):
        for verb in ("UPDATE", "DELETE"):
            db.execute_sql(
                f"CREATE TRIGGER ledger_movement_no_{verb.lower()} BEFORE {verb} "
                "ON ledger_movement "
                "BEGIN SELECT RAISE(ABORT, 'the ledger_movement table is append-only'); END"
            )
        db.execute_sql(
            "CREATE TRIGGER ledger_movement_whole_cents BEFORE INSERT ON ledger_movement "
            "WHEN typeof(NEW.amount_cents) <> 'integer' OR NEW.amount_cents = 0 "
            "BEGIN SELECT RAISE(ABORT, 'a ledger amount is a whole non-zero number of cents'); "
            "END"
        )
    elif isinstance(db, PostgresqlDatabase):
        db.execute_sql(
            "CREATE FUNCTION ledger_movement_append_only() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'the ledger_movement table is append-only'; END $$ "
            "LANGUAGE plpgsql"
        )
        db.execute_sql(
            "CREATE TRIGGER ledger_movement_append_only BEFORE UPDATE OR DELETE "
            "ON ledger_movement FOR EACH ROW EXECUTE FUNCTION ledger_movement_append_only()"
        )
        db.execute_sql(
            "ALTER TABLE ledger_movement ADD CONSTRAINT ledger_movement_not_zero "
            "CHECK (amount_cents <> 0)"
        )


def down(migrator, db):
    if isinstance(db, SqliteDatabase):
        for name in ("no_update", "no_delete", "whole_cents"):
            db.execute_sql(f"DROP TRIGGER IF EXISTS ledger_movement_{name}")
    elif isinstance(db, PostgresqlDatabase):
        db.execute_sql("DROP TRIGGER IF EXISTS ledger_movement_append_only ON ledger_movement")
        db.execute_sql("DROP FUNCTION IF EXISTS ledger_movement_append_only()")
    migrator.migrate(migrator.drop_table("ledger_movement"))
    migrator.migrate(
        migrator.drop_column("departure", "open_balance_cents"),
        migrator.drop_column("residence", "deposit_cents"),
    )
