"""Staff accounts (passphrase hash, lockout, trusted OS login, scopes), the home university's
student number, and the audit log chained by hashes (existing entries are chained here).

The hash function is a frozen copy of crous_desk.audit.entry_hash as it was when this
migration was written: a later change there must not change what this migration computes.
"""

import hashlib
import json

from peewee import *

GENESIS = "0" * 64


def _entry_hash(row, prev_hash):
    (id_, at, actor, action, entity, entity_id, reservation_id, before, after) = row
    canonical = json.dumps(
        [id_, at, actor, action, entity, entity_id, reservation_id, before, after, prev_hash],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def up(migrator, db):
    class Staff(Model):
        class Meta:
            database = db
            table_name = "staff"

    migrator.migrate(
        migrator.add_column("staff", "passphrase_hash", TextField(null=True)),
        migrator.add_column("staff", "failed_sign_ins", IntegerField(default=0)),
        migrator.add_column("staff", "locked_until", TextField(null=True)),
        migrator.add_column("staff", "last_sign_in_at", TextField(null=True)),
        migrator.add_column("staff", "os_user", CharField(null=True)),
        migrator.add_index("staff", ("os_user",), unique=True),
        migrator.add_column("student", "student_number", CharField(null=True)),
        migrator.add_index("student", ("home_university", "student_number"), unique=True),
        migrator.add_column("audit_log", "prev_hash", TextField(null=True)),
        migrator.add_column("audit_log", "hash", TextField(null=True)),
    )

    class StaffScope(Model):
        staff = ForeignKeyField(Staff, on_delete="CASCADE")
        kind = CharField()
        value = CharField()

        class Meta:
            database = db
            table_name = "staff_scope"
            indexes = ((("staff", "kind", "value"), True),)

    db.create_tables([StaffScope])

    # Accounts from before roles had a scope keep working where they did: everywhere.
    default_kind = {"receptionist": "residence", "mobility_manager": "campus"}
    for staff_id, role in db.execute_sql("SELECT id, role FROM staff").fetchall():
        if role in default_kind:
            db.execute_sql(
                "INSERT INTO staff_scope (staff_id, kind, value) "
                f"VALUES ({db.param}, {db.param}, '*')",
                (staff_id, default_kind[role]),
            )

    # Chain the entries written before the chain existed, oldest first.
    is_sqlite = isinstance(db, SqliteDatabase)
    if is_sqlite:
        db.execute_sql("DROP TRIGGER IF EXISTS audit_log_no_update")
    else:  # PostgreSQL: only this transaction's own updates pass, and the trigger stays
        db.execute_sql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update")
    prev = GENESIS
    rows = db.execute_sql(
        "SELECT id, at, actor, action, entity, entity_id, reservation_id, before, after "
        "FROM audit_log ORDER BY id"
    ).fetchall()
    for row in rows:
        digest = _entry_hash(row, prev)
        db.execute_sql(
            f"UPDATE audit_log SET prev_hash = {db.param}, hash = {db.param} WHERE id = {db.param}",
            (prev, digest, row[0]),
        )
        prev = digest
    if is_sqlite:
        db.execute_sql(
            "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
        )
    else:
        db.execute_sql("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update")


def down(migrator, db):
    migrator.migrate(migrator.drop_table("staff_scope"))
    if isinstance(db, SqliteDatabase):
        db.execute_sql("DROP TRIGGER IF EXISTS audit_log_no_update")
    else:
        db.execute_sql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update")
    migrator.migrate(
        migrator.drop_column("audit_log", "hash"),
        migrator.drop_column("audit_log", "prev_hash"),
        migrator.drop_index("student", "student_home_university_student_number"),
        migrator.drop_column("student", "student_number"),
        migrator.drop_index("staff", "staff_os_user"),
        migrator.drop_column("staff", "os_user"),
        migrator.drop_column("staff", "last_sign_in_at"),
        migrator.drop_column("staff", "locked_until"),
        migrator.drop_column("staff", "failed_sign_ins"),
        migrator.drop_column("staff", "passphrase_hash"),
    )
    if isinstance(db, SqliteDatabase):
        db.execute_sql(
            "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
        )
    else:
        db.execute_sql("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update")
