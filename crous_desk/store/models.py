"""The stored facts. Queries a screen needs live here or in the services, never in a screen."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from peewee import (
    BooleanField,
    CharField,
    DatabaseProxy,
    DateField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from crous_desk.rules.status import ExtensionStatus, KeyState, ReservationStatus, RoomStatus
from crous_desk.store.fields import InstantField, ShownCharField, ShownTextField

db = DatabaseProxy()


class BaseModel(Model):
    id: Any  # peewee's implicit primary key, declared for the type checker

    class Meta:
        database = db
        legacy_table_names = False


class Staff(BaseModel):
    username = CharField(unique=True)
    display_name = ShownCharField()
    role = CharField(default="receptionist")  # receptionist | mobility_manager | administrator
    active = BooleanField(default=True)
    created_at = InstantField()
    # sign-in (crous_desk.auth): an scrypt hash with its own salt, never the passphrase
    passphrase_hash = TextField(null=True)
    failed_sign_ins = IntegerField(default=0)
    locked_until = InstantField(null=True)
    last_sign_in_at = InstantField(null=True)
    os_user = CharField(null=True, unique=True)  # the login trusted over SSH, when configured
    language = CharField(null=True)  # "fr" | "en": their own, over the desk's; None: the desk's
    email = CharField(null=True)  # a mobility manager's morning list of deadlines goes there
    scopes: Any


SCOPE_KINDS = ("residence", "campus", "university")


class StaffScope(BaseModel):
    """Where a staff member may act: residences (receptionist), campuses or home universities
    (mobility manager). The value "*" means every one of that kind."""

    staff = ForeignKeyField(Staff, backref="scopes", on_delete="CASCADE")
    kind = CharField()  # residence (a code) | campus | university
    value = CharField()
    staff_id: Any

    class Meta:
        indexes = ((("staff", "kind", "value"), True),)


class Residence(BaseModel):
    code = CharField(unique=True)
    name = ShownCharField()
    crous_code = CharField()  # key of the CROUS directory in data/crous.json
    address = ShownTextField()
    desk_phone = CharField()
    timezone = CharField(default="Europe/Paris")
    opening = CharField(default="09:00")  # the desk's opening hour, HH:MM, local time
    email = CharField(null=True)  # the desk's address: Reply-To of its mail, in its contacts
    manager_email = CharField(null=True)  # the residence manager: the 17:00 list of keys
    deposit_cents = IntegerField(null=True)  # the security deposit it asks (None: none)
    amendment_days = IntegerField(null=True)  # the window to complete a check-in (None: 10)
    heating_starts = CharField(null=True)  # MM-DD: the heating season's first day (None: 10-01)


class Closure(BaseModel):
    """A closure the residence declares; the desk is closed every day from first to last."""

    residence = ForeignKeyField(Residence, backref="closures", on_delete="CASCADE")
    first = DateField()
    last = DateField()
    reason = CharField(default="")


ROOM_STATUSES = tuple(RoomStatus)


class Room(BaseModel):
    residence = ForeignKeyField(Residence, backref="rooms")
    building = CharField()
    number = CharField()  # as written on the door, e.g. "B-112"
    floor = IntegerField()
    kind = CharField()  # key of data/room_kinds.json
    surface_m2 = FloatField()
    rent_cents = IntegerField()
    status = CharField(default=RoomStatus.AVAILABLE.value)
    meters = TextField(null=True)  # its own meters, "electricity,water_cold"; None: its kind's
    residence_id: Any

    class Meta:
        indexes = ((("residence", "number"), True),)


class Student(BaseModel):
    first_name = ShownCharField()
    last_name = ShownCharField()
    ine = CharField(null=True, unique=True)
    email = ShownCharField(default="")
    phone = ShownCharField(default="")
    home_university = ShownCharField(default="")
    campus = ShownCharField(default="")
    semester = IntegerField(default=1)  # 1: procedure at the end of June; 2: in December
    academic_year = CharField(default="")
    student_number = CharField(null=True)  # the home university's own number ("Accueil" list)
    language = CharField(null=True)  # fr | en: their mail's language (None: both, side by side)
    timezone = CharField(null=True)  # an IANA zone: deadlines are also shown in it

    class Meta:
        indexes = (
            (("home_university", "student_number"), True),
            (("academic_year", "campus"), False),  # a year's students, a campus's
        )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


RESERVATION_STATUSES = tuple(s for s in ReservationStatus if s != ReservationStatus.EXPIRED)


class Reservation(BaseModel):
    reference = CharField(unique=True)
    student = ForeignKeyField(Student, backref="reservations")
    room = ForeignKeyField(Room, backref="reservations", null=True)
    lease_start = DateField()
    lease_end = DateField()
    status = CharField(default=ReservationStatus.REQUESTED.value)
    proposal_sent_at = InstantField(null=True)
    answered_at = InstantField(null=True)
    advance_cents = IntegerField(null=True)
    advance_paid_at = InstantField(null=True)
    paid_by_kind = CharField(null=True)  # Payer
    paid_by_name = ShownCharField(null=True)
    keys_handed_at = InstantField(null=True)
    created_at = InstantField()

    class Meta:
        # the mail planner's questions, every few minutes: open proposals in their last 24
        # hours; accepted stays starting within a few days (crous_desk.mail.planning)
        indexes = (
            (("status", "proposal_sent_at"), False),
            (("status", "lease_start"), False),
            (("status", "lease_end"), False),  # the day's departures
        )

    # for the type checker: foreign-key ids and back-references peewee adds
    room_id: Any
    student_id: Any
    documents: Any
    inspections: Any
    key_sets: Any


class Document(BaseModel):
    """One document of the rental file: received, then verified by a staff member."""

    reservation = ForeignKeyField(Reservation, backref="documents", on_delete="CASCADE")
    kind = CharField()  # key of data/documents.json
    received_at = InstantField(null=True)
    verified_by = ForeignKeyField(Staff, null=True)
    verified_at = InstantField(null=True)
    covers_from = DateField(null=True)  # insurance
    covers_until = DateField(null=True)  # insurance
    guarantor_kind = CharField(null=True)  # Guarantor
    id_expires = DateField(null=True)  # identity document
    verified_by_id: Any
    reservation_id: Any

    class Meta:
        indexes = ((("reservation", "kind"), True),)


class Inspection(BaseModel):
    """A room-condition inspection, check-in or check-out; locked once the tenant acknowledges."""

    reservation = ForeignKeyField(Reservation, backref="inspections")
    room = ForeignKeyField(Room, backref="inspections")
    kind = CharField()  # InspectionKind
    started_at = InstantField()
    started_by = ForeignKeyField(Staff)
    acknowledged_at = InstantField(null=True)
    acknowledged_by = ForeignKeyField(Staff, null=True)
    tenant_name = ShownCharField(null=True)  # the tenant who acknowledged, as shown to them
    forwarding_address = TextField(null=True)  # check-out: the tenant's new address
    reservation_id: Any
    room_id: Any
    items: Any
    readings: Any
    keys: Any

    @property
    def locked(self) -> bool:
        return self.acknowledged_at is not None


class InspectionItem(BaseModel):
    inspection = ForeignKeyField(Inspection, backref="items", on_delete="CASCADE")
    position = IntegerField()
    label = CharField()
    state = CharField(null=True)  # new | good | worn | damaged | missing
    remark = ShownTextField(default="")

    class Meta:
        indexes = ((("inspection", "position"), True),)


KEY_STATES = tuple(KeyState)


class KeySet(BaseModel):
    room = ForeignKeyField(Room, backref="key_sets")
    label = CharField(unique=True)
    state = CharField(default=KeyState.DESK.value)
    holder = ForeignKeyField(Reservation, null=True, backref="key_sets")
    room_id: Any
    holder_id: Any


class KeyLog(BaseModel):
    key_set = ForeignKeyField(KeySet, backref="log")
    reservation = ForeignKeyField(Reservation, null=True, backref="key_log")
    action = CharField()  # handover | return | lost | replaced | retired
    at = InstantField(index=True)  # the key log, newest first
    staff = ForeignKeyField(Staff)
    note = ShownCharField(default="")
    key_set_id: Any
    reservation_id: Any


class AuditLog(BaseModel):
    """Append-only: triggers refuse UPDATE and DELETE on this table."""

    at = InstantField()
    actor = CharField()
    action = CharField()
    entity = CharField()
    entity_id = IntegerField(null=True)
    reservation_id = IntegerField(null=True, index=True)
    before = TextField(null=True)
    after = TextField(null=True)
    prev_hash = TextField(null=True)  # the hash of the entry before (crous_desk.audit)
    hash = TextField(null=True)  # sha256 of this entry and prev_hash
    mac = TextField(null=True)  # HMAC of hash under the key outside the database (anchor)


class Appointment(BaseModel):
    """A student's arrival appointment at the desk: at most one per reservation (a move
    rewrites it); the audit log keeps every earlier slot."""

    reservation = ForeignKeyField(
        Reservation, backref="appointments", unique=True, on_delete="CASCADE"
    )
    residence = ForeignKeyField(Residence, backref="appointments")
    starts_at = InstantField(index=True)
    ends_at = InstantField()
    booked_at = InstantField()
    booked_by = ForeignKeyField(Staff)
    reservation_id: Any
    residence_id: Any


class Setting(BaseModel):
    """Per-installation values every desk sharing the file must agree on (the slip secret)."""

    key = CharField(primary_key=True)
    value = TextField()


# -- the whole stay: departures, amendments, extensions, charges, loans, room status ---------


class InspectionAmendment(BaseModel):
    """A correction of an acknowledged inspection item: appended, never an edit of the item."""

    inspection = ForeignKeyField(Inspection, backref="amendments")
    item = ForeignKeyField(InspectionItem, backref="amendments")
    state = CharField(null=True)  # the corrected state; None keeps the state
    remark = TextField(null=True)  # the corrected remark; None keeps the remark
    reason = TextField()
    staff = ForeignKeyField(Staff, backref="+")
    at = InstantField()
    by_tenant = BooleanField(null=True, default=False)  # the tenant's report within the window
    inspection_id: Any
    item_id: Any


class Departure(BaseModel):
    """The end of a stay: the appointment at the desk, then the departure itself."""

    reservation = ForeignKeyField(Reservation, backref="departures", unique=True)
    appointment_at = InstantField(null=True, index=True)
    booked_by = ForeignKeyField(Staff, null=True, backref="+")
    booked_at = InstantField(null=True)
    departed_at = InstantField(null=True, index=True)
    closed_by = ForeignKeyField(Staff, null=True, backref="+")
    early = BooleanField(default=False)  # left before lease_end
    force_majeure = BooleanField(null=True)  # asked only for an early departure; yes: refundable
    reason = TextField(default="")
    damages_at = InstantField(null=True)  # when the check-out's damage list was charged
    open_balance_cents = IntegerField(null=True)  # closed with this balance, confirmed
    reservation_id: Any


EXTENSION_STATUSES = tuple(ExtensionStatus)


class ExtensionRequest(BaseModel):
    """A request to stay past the lease end; a staff member grants or refuses it."""

    reservation = ForeignKeyField(Reservation, backref="extension_requests")
    previous_end = DateField()
    requested_end = DateField()
    reason = TextField()
    requested_by = ForeignKeyField(Staff, backref="+")
    requested_at = InstantField()
    status = CharField(default=ExtensionStatus.PENDING.value, index=True)
    decided_by = ForeignKeyField(Staff, null=True, backref="+")
    decided_at = InstantField(null=True)
    decision_note = TextField(default="")
    reservation_id: Any
    decided_by_id: Any


class Charge(BaseModel):
    """Money owed for a damage or a lost key set. Append-only: a correction is a new row."""

    reservation = ForeignKeyField(Reservation, null=True, backref="charges")
    room = ForeignKeyField(Room, backref="charges")
    kind = CharField()  # damage | lost_key
    label = CharField()
    detail = CharField(default="")  # e.g. "good → damaged"
    amount_cents = IntegerField()
    inspection = ForeignKeyField(Inspection, null=True, backref="charges")
    item = ForeignKeyField(InspectionItem, null=True, backref="charges")
    key_set = ForeignKeyField(KeySet, null=True, backref="charges")
    at = InstantField()
    staff = ForeignKeyField(Staff, backref="+")
    reservation_id: Any
    item_id: Any


class KeyLoan(BaseModel):
    """A key set lent for a while (a contractor, a locked-out tenant), due back at ``due_at``."""

    key_set = ForeignKeyField(KeySet, backref="loans")
    reservation = ForeignKeyField(Reservation, null=True, backref="+")
    borrower = ShownCharField()
    lent_at = InstantField()
    lent_by = ForeignKeyField(Staff, backref="+")
    due_at = InstantField()
    returned_at = InstantField(null=True)
    returned_by = ForeignKeyField(Staff, null=True, backref="+")
    key_set_id: Any


class RoomStatusChange(BaseModel):
    """Each status change made by the stay's actions, with why (e.g. out of service: a leak)."""

    room = ForeignKeyField(Room, backref="status_changes")
    before = CharField()
    after = CharField()
    reason = TextField(default="")
    staff = ForeignKeyField(Staff, backref="+")
    at = InstantField()
    room_id: Any


class PriceOverride(BaseModel):
    """A residence's own price for a checklist item, a category, or the lost key set.

    ``item`` is a checklist label, a category code or "lost_key_set"; ``severity`` is the
    state reached at check-out (good, worn, damaged, missing), "" for the lost key set.
    """

    residence = ForeignKeyField(Residence, backref="price_overrides")
    item = CharField()
    severity = CharField(default="")
    amount_cents = IntegerField()
    set_by = ForeignKeyField(Staff, backref="+")
    set_at = InstantField()

    class Meta:
        indexes = ((("residence", "item", "severity"), True),)


class LedgerMovement(BaseModel):
    """One movement of a stay's money, in integer cents, signed: positive, the tenant owes
    more. Append-only (triggers): a mistake is reversed by a new movement naming it."""

    reservation = ForeignKeyField(Reservation, backref="movements")
    kind = CharField()  # crous_desk.rules.ledger.MovementKind
    amount_cents = IntegerField()
    label = CharField()
    note = TextField(default="")
    charge = ForeignKeyField(Charge, null=True, unique=True, backref="+")
    reverses = ForeignKeyField("self", null=True, unique=True, backref="+")
    at = InstantField()
    staff = ForeignKeyField(Staff, backref="+")
    reservation_id: Any
    reverses_id: Any
    charge_id: Any


class MeterReading(BaseModel):
    """A meter's index read at an inspection; locked with the inspection (triggers)."""

    inspection = ForeignKeyField(Inspection, backref="readings", on_delete="CASCADE")
    meter = CharField()  # crous_desk.rules.etat.meters()
    reading = CharField()  # as read off the dial, "012345.6"
    at = InstantField()
    staff = ForeignKeyField(Staff, backref="+")

    class Meta:
        indexes = ((("inspection", "meter"), True),)


class InspectionKey(BaseModel):
    """The keys handed over (check-in) or given back (check-out), by kind and number."""

    inspection = ForeignKeyField(Inspection, backref="keys", on_delete="CASCADE")
    kind = CharField()  # crous_desk.rules.etat.key_kinds()
    count = IntegerField()

    class Meta:
        indexes = ((("inspection", "kind"), True),)


class RoomMove(BaseModel):
    """A tenant moved to another room during the stay: prepared (the two inspections opened),
    then done in one action (keys, rooms, charges)."""

    reservation = ForeignKeyField(Reservation, backref="moves")
    from_room = ForeignKeyField(Room, backref="+")
    to_room = ForeignKeyField(Room, backref="+")
    check_out = ForeignKeyField(Inspection, backref="+")
    check_in = ForeignKeyField(Inspection, backref="+")
    reason = TextField()
    prepared_at = InstantField()
    prepared_by = ForeignKeyField(Staff, backref="+")
    moved_at = InstantField(null=True)
    moved_by = ForeignKeyField(Staff, null=True, backref="+")
    reservation_id: Any
    from_room_id: Any
    to_room_id: Any
    check_out_id: Any
    check_in_id: Any


ALL_MODELS: list[type[BaseModel]] = [
    Staff,
    StaffScope,
    Residence,
    Closure,
    Room,
    Student,
    Reservation,
    Document,
    Inspection,
    InspectionItem,
    KeySet,
    KeyLog,
    AuditLog,
    Appointment,
    Setting,
    InspectionAmendment,
    Departure,
    ExtensionRequest,
    Charge,
    KeyLoan,
    RoomStatusChange,
    PriceOverride,
    LedgerMovement,
    MeterReading,
    InspectionKey,
    RoomMove,
]


def snapshot(instance: Model, *fields: str) -> dict[str, Any]:
    """The named fields of a row as JSON-friendly values (foreign keys as ids), for audit."""
    out: dict[str, Any] = {}
    for name in fields:
        value = instance.__data__.get(name)
        if isinstance(value, (datetime, date)):
            value = value.isoformat()
        out[name] = value
    return out


def tuples(query: Any) -> list[tuple[Any, ...]]:
    """A query's rows as plain tuples (peewee's type hints see model instances there)."""
    return [tuple(row) for row in query.tuples()]
