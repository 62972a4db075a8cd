"""Each staff member's own interface language ("fr", "en"; NULL: the desk's)."""

from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column("staff", "language", CharField(null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("staff", "language"))
