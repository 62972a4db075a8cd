"""Arrival appointments (one per reservation) and a key-value table of installation settings."""

from peewee import *


def up(migrator, db):
    class Residence(Model):
        class Meta:
            database = db
            table_name = "residence"

    class Reservation(Model):
        class Meta:
            database = db
            table_name = "reservation"

    class Staff(Model):
        class Meta:
            database = db
            table_name = "staff"

    class Appointment(Model):
        reservation = ForeignKeyField(Reservation, unique=True, on_delete="CASCADE")
        residence = ForeignKeyField(Residence)
        starts_at = TextField(index=True)
        ends_at = TextField()
        booked_at = TextField()
        booked_by = ForeignKeyField(Staff)

        class Meta:
            database = db
            table_name = "appointment"

    db.create_tables([Appointment])

    class Setting(Model):
        key = CharField(primary_key=True)
        value = TextField()

        class Meta:
            database = db
            table_name = "setting"

    db.create_tables([Setting])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("setting"))
    migrator.migrate(migrator.drop_table("appointment"))
