"""Each audit entry's HMAC under a key kept outside the database (crous_desk.store.anchor)."""

from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column("audit_log", "mac", TextField(null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("audit_log", "mac"))
