"""A tenant's move to another room during the stay: from, to, the two inspections, why, when
prepared and when done."""

from peewee import *


def up(migrator, db):
    class Staff(Model):
        class Meta:
            database = db
            table_name = "staff"

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

    class RoomMove(Model):
        reservation = ForeignKeyField(Reservation)
        from_room = ForeignKeyField(Room)
        to_room = ForeignKeyField(Room)
        check_out = ForeignKeyField(Inspection)
        check_in = ForeignKeyField(Inspection)
        reason = TextField()
        prepared_at = TextField()
        prepared_by = ForeignKeyField(Staff)
        moved_at = TextField(null=True)
        moved_by = ForeignKeyField(Staff, null=True)

        class Meta:
            database = db
            table_name = "room_move"

    db.create_tables([RoomMove])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("room_move"))
