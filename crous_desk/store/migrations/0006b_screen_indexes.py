"""Indexes for the screens' questions on a file of a million reservations: the key log newest
first, the day's departures (lease ends, appointments, departures), the pending extension
requests, and a year's students."""

INDEXES = (
    ("keylog_at", "key_log", "at"),
    ("departure_appointment_at", "departure", "appointment_at"),
    ("departure_departed_at", "departure", "departed_at"),
    ("reservation_status_lease_end", "reservation", "status, lease_end"),
    ("extensionrequest_status", "extension_request", "status"),
    ("student_academic_year_campus", "student", "academic_year, campus"),
)


def up(migrator, db):
    for name, table, columns in INDEXES:
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({columns})')


def down(migrator, db):
    for name, _table, _columns in INDEXES:
        db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
