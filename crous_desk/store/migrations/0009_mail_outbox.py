"""The e-mail outbox and its attempts; the addresses mail goes to (the desk, the residence
manager, a staff member) and a student's language and time zone."""

from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("staff", "email", CharField(null=True)),
        migrator.add_column("residence", "email", CharField(null=True)),
        migrator.add_column("residence", "manager_email", CharField(null=True)),
        migrator.add_column("student", "language", CharField(null=True)),
        migrator.add_column("student", "timezone", CharField(null=True)),
    )

    class OutboxMessage(Model):
        key = CharField(unique=True)
        kind = CharField()
        state = CharField(default="queued")
        recipient = CharField()
        recipient_name = CharField(default="")
        language = CharField(null=True)
        student_id = IntegerField(null=True, index=True)
        reservation_id = IntegerField(null=True, index=True)
        residence_id = IntegerField(null=True)
        staff_id = IntegerField(null=True)
        facts = TextField(default="{}")
        subject = TextField(default="")
        token = CharField(unique=True)
        queued_at = TextField(index=True)
        queued_by = CharField()
        next_attempt_at = TextField()
        attempts = IntegerField(default=0)
        claim = CharField(null=True)
        claimed_at = TextField(null=True)
        sent_at = TextField(null=True)
        last_error = TextField(default="")

        class Meta:
            database = db
            table_name = "outbox_message"
            indexes = ((("state", "next_attempt_at"), False),)

    class OutboxAttempt(Model):
        message = ForeignKeyField(OutboxMessage, on_delete="CASCADE")
        at = TextField()
        outcome = CharField()
        detail = TextField(default="")

        class Meta:
            database = db
            table_name = "outbox_attempt"

    db.create_tables([OutboxMessage, OutboxAttempt])
    # what the mail planner asks every few minutes, answered from an index at a million rows
    # (IF NOT EXISTS: another migration may have made the same one)
    db.execute_sql(
        'CREATE INDEX IF NOT EXISTS "reservation_status_proposal_sent_at" '
        'ON "reservation" ("status", "proposal_sent_at")'
    )
    db.execute_sql(
        'CREATE INDEX IF NOT EXISTS "reservation_status_lease_start" '
        'ON "reservation" ("status", "lease_start")'
    )


def down(migrator, db):
    db.execute_sql('DROP INDEX IF EXISTS "reservation_status_lease_start"')
    db.execute_sql('DROP INDEX IF EXISTS "reservation_status_proposal_sent_at"')
    migrator.migrate(migrator.drop_table("outbox_attempt"))
    migrator.migrate(migrator.drop_table("outbox_message"))
    migrator.migrate(
        migrator.drop_column("student", "timezone"),
        migrator.drop_column("student", "language"),
        migrator.drop_column("residence", "manager_email"),
        migrator.drop_column("residence", "email"),
        migrator.drop_column("staff", "email"),
    )
