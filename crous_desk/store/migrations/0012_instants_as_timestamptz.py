"""On PostgreSQL, instants are ``timestamptz`` columns (an SQLite file keeps its fixed-width
UTC text, which sorts the same), the ledger refuses changes as the other append-only tables
do (an integrity error, TRUNCATE included), retention may clear a name on an acknowledged
inspection it marked (as migration 0007c allows on SQLite), and a room's surface a double (peewee's FLOAT is a 4-byte
REAL there: 12.3 m² would come back as 12.300000190734863). Aware datetimes are read and
written as before."""

from peewee import PostgresqlDatabase

INSTANTS = {
    "staff": ("created_at", "locked_until", "last_sign_in_at"),
    "reservation": (
        "proposal_sent_at",
        "answered_at",
        "advance_paid_at",
        "keys_handed_at",
        "created_at",
    ),
    "document": ("received_at", "verified_at"),
    "inspection": ("started_at", "acknowledged_at"),
    "key_log": ("at",),
    "audit_log": ("at",),
    "appointment": ("starts_at", "ends_at", "booked_at"),
    "inspection_amendment": ("at",),
    "departure": ("appointment_at", "booked_at", "departed_at", "damages_at"),
    "extension_request": ("requested_at", "decided_at"),
    "charge": ("at",),
    "key_loan": ("lent_at", "due_at", "returned_at"),
    "room_status_change": ("at",),
    "price_override": ("set_at",),
    "outbox_message": ("queued_at", "next_attempt_at", "claimed_at", "sent_at"),
    "outbox_attempt": ("at",),
    "ledger_movement": ("at",),
    "sign_in_failure": ("wait_until",),
    "meter_reading": ("at",),
    "room_move": ("prepared_at", "moved_at"),
}

# retention may clear a person's name on an acknowledged inspection it marked in
# retention_pass (migration 0007c does it for SQLite); the rest of the lock as in 0004
INSPECTION_LOCKED = """
CREATE OR REPLACE FUNCTION crous_desk_inspection_locked() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'inspection' THEN
        IF OLD.acknowledged_at IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM retention_pass WHERE inspection_id = OLD.id
        ) THEN
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

# as migration 0004 made it (down)
INSPECTION_LOCKED_AS_IT_WAS = """
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

# the ledger (migration 0008) refuses like the other append-only tables: the same error code
# (an integrity error, not a bare exception), and TRUNCATE too
LEDGER_REFUSES = (
    "CREATE OR REPLACE FUNCTION ledger_movement_append_only() RETURNS trigger AS $$ BEGIN "
    "RAISE EXCEPTION USING MESSAGE = 'the ledger_movement table is append-only', "
    "ERRCODE = 'restrict_violation'; END $$ LANGUAGE plpgsql"
)
LEDGER_AS_IT_WAS = (
    "CREATE OR REPLACE FUNCTION ledger_movement_append_only() RETURNS trigger AS $$ BEGIN "
    "RAISE EXCEPTION 'the ledger_movement table is append-only'; END $$ "
    "LANGUAGE plpgsql"
)

# the text the SQLite file holds, e.g. 2026-11-23T09:00:00.000000+00:00
TEXT_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'


def _on_server(db):
    return isinstance(db, PostgresqlDatabase)


def up(migrator, db):
    if not _on_server(db):
        return
    for table, columns in INSTANTS.items():
        changes = ", ".join(
            f'ALTER COLUMN "{c}" TYPE timestamptz USING "{c}"::timestamptz' for c in columns
        )
        db.execute_sql(f'ALTER TABLE "{table}" {changes}')
    db.execute_sql('ALTER TABLE "room" ALTER COLUMN "surface_m2" TYPE double precision')
    db.execute_sql(LEDGER_REFUSES)
    db.execute_sql(
        "CREATE TRIGGER ledger_movement_no_truncate BEFORE TRUNCATE ON ledger_movement "
        "FOR EACH STATEMENT "
        "EXECUTE FUNCTION crous_desk_refuse('the ledger_movement table is append-only')"
    )
    db.execute_sql(INSPECTION_LOCKED)


def down(migrator, db):
    if not _on_server(db):
        return
    db.execute_sql('ALTER TABLE "room" ALTER COLUMN "surface_m2" TYPE real')
    db.execute_sql("DROP TRIGGER IF EXISTS ledger_movement_no_truncate ON ledger_movement")
    db.execute_sql(LEDGER_AS_IT_WAS)
    db.execute_sql(INSPECTION_LOCKED_AS_IT_WAS)
    for table, columns in INSTANTS.items():
        changes = ", ".join(
            f'ALTER COLUMN "{c}" TYPE text '
            f"USING to_char(\"{c}\" AT TIME ZONE 'UTC', '{TEXT_FORMAT}')"
            for c in columns
        )
        db.execute_sql(f'ALTER TABLE "{table}" {changes}')
