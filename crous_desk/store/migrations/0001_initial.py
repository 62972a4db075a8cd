"""The first schema: residences, rooms, students, reservations, documents, inspections, keys, audit."""

from peewee import *


def up(migrator, db):
    class AuditLog(Model):
        at = TextField()
        actor = CharField()
        action = CharField()
        entity = CharField()
        entity_id = IntegerField(null=True)
        reservation_id = IntegerField(index=True, null=True)
        before = TextField(null=True)
        after = TextField(null=True)

        class Meta:
            database = db
            table_name = "audit_log"

    db.create_tables([AuditLog])

    class Residence(Model):
        code = CharField(unique=True)
        name = CharField()
        crous_code = CharField()
        address = TextField()
        desk_phone = CharField()
        timezone = CharField(default="Europe/Paris")
        opening = CharField(default="09:00")

        class Meta:
            database = db
            table_name = "residence"

    db.create_tables([Residence])

    class Closure(Model):
        residence = ForeignKeyField(Residence, on_delete="CASCADE")
        first = DateField()
        last = DateField()
        reason = CharField(default="")

        class Meta:
            database = db
            table_name = "closure"

    db.create_tables([Closure])

    class Student(Model):
        first_name = CharField()
        last_name = CharField()
        ine = CharField(unique=True, null=True)
        email = CharField(default="")
        phone = CharField(default="")
        home_university = CharField(default="")
        campus = CharField(default="")
        semester = IntegerField(default=1)
        academic_year = CharField(default="")

        class Meta:
            database = db
            table_name = "student"

    db.create_tables([Student])

    class Room(Model):
        residence = ForeignKeyField(Residence)
        building = CharField()
        number = CharField()
        floor = IntegerField()
        kind = CharField()
        surface_m2 = FloatField()
        rent_cents = IntegerField()
        status = CharField(default="available")

        class Meta:
            database = db
            table_name = "room"
            indexes = ((("residence", "number"), True),)

    db.create_tables([Room])

    class Reservation(Model):
        reference = CharField(unique=True)
        student = ForeignKeyField(Student)
        room = ForeignKeyField(Room, null=True)
        lease_start = DateField()
        lease_end = DateField()
        status = CharField(default="requested")
        proposal_sent_at = TextField(null=True)
        answered_at = TextField(null=True)
        advance_cents = IntegerField(null=True)
        advance_paid_at = TextField(null=True)
        paid_by_kind = CharField(null=True)
        paid_by_name = CharField(null=True)
        keys_handed_at = TextField(null=True)
        created_at = TextField()

        class Meta:
            database = db
            table_name = "reservation"

    db.create_tables([Reservation])

    class Staff(Model):
        username = CharField(unique=True)
        display_name = CharField()
        role = CharField(default="receptionist")
        active = BooleanField(default=True)
        created_at = TextField()

        class Meta:
            database = db
            table_name = "staff"

    db.create_tables([Staff])

    class Document(Model):
        reservation = ForeignKeyField(Reservation, on_delete="CASCADE")
        kind = CharField()
        received_at = TextField(null=True)
        verified_by = ForeignKeyField(Staff, null=True)
        verified_at = TextField(null=True)
        covers_from = DateField(null=True)
        covers_until = DateField(null=True)
        guarantor_kind = CharField(null=True)
        id_expires = DateField(null=True)

        class Meta:
            database = db
            table_name = "document"
            indexes = ((("reservation", "kind"), True),)

    db.create_tables([Document])

    class Inspection(Model):
        reservation = ForeignKeyField(Reservation)
        room = ForeignKeyField(Room)
        kind = CharField()
        started_at = TextField()
        started_by = ForeignKeyField(Staff)
        acknowledged_at = TextField(null=True)
        acknowledged_by = ForeignKeyField(Staff, null=True)
        tenant_name = CharField(null=True)

        class Meta:
            database = db
            table_name = "inspection"

    db.create_tables([Inspection])

    class InspectionItem(Model):
        inspection = ForeignKeyField(Inspection, on_delete="CASCADE")
        position = IntegerField()
        label = CharField()
        state = CharField(null=True)
        remark = TextField(default="")

        class Meta:
            database = db
            table_name = "inspection_item"
            indexes = ((("inspection", "position"), True),)

    db.create_tables([InspectionItem])

    class KeySet(Model):
        room = ForeignKeyField(Room)
        label = CharField(unique=True)
        state = CharField(default="desk")
        holder = ForeignKeyField(Reservation, null=True)

        class Meta:
            database = db
            table_name = "key_set"

    db.create_tables([KeySet])

    class KeyLog(Model):
        key_set = ForeignKeyField(KeySet)
        reservation = ForeignKeyField(Reservation, null=True)
        action = CharField()
        at = TextField()
        staff = ForeignKeyField(Staff)
        note = CharField(default="")

        class Meta:
            database = db
            table_name = "key_log"

    db.create_tables([KeyLog])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("key_log"))
    migrator.migrate(migrator.drop_table("key_set"))
    migrator.migrate(migrator.drop_table("inspection_item"))
    migrator.migrate(migrator.drop_table("inspection"))
    migrator.migrate(migrator.drop_table("document"))
    migrator.migrate(migrator.drop_table("staff"))
    migrator.migrate(migrator.drop_table("reservation"))
    migrator.migrate(migrator.drop_table("room"))
    migrator.migrate(migrator.drop_table("student"))
    migrator.migrate(migrator.drop_table("closure"))
    migrator.migrate(migrator.drop_table("residence"))
    migrator.migrate(migrator.drop_table("audit_log"))
