"""Every status a row can be in, named once. Each is a ``StrEnum``: stored as its plain value,
equal to that string, and checked by mypy where a function says which one it takes."""

from __future__ import annotations

from enum import StrEnum


class ReservationStatus(StrEnum):
    REQUESTED = "requested"  # "Accueil" form received, no proposal yet
    PROPOSED = "proposed"  # proposal sent; expires 120 h later if unanswered
    ACCEPTED = "accepted"  # accepted with the 100 € advance
    REFUSED = "refused"
    CHECKED_IN = "checked_in"  # keys handed over
    DEPARTED = "departed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # never stored: a proposal past its 120 hours (effective_status)


# a room is promised to these (an expired proposal aside)
HOLDING = (ReservationStatus.PROPOSED, ReservationStatus.ACCEPTED, ReservationStatus.CHECKED_IN)


class RoomStatus(StrEnum):
    AVAILABLE = "available"
    RESERVED = "reserved"
    OCCUPIED = "occupied"
    TO_INSPECT = "to_inspect"
    OUT_OF_SERVICE = "out_of_service"


class KeyState(StrEnum):
    DESK = "desk"
    OUT = "out"
    LOST = "lost"
    RETIRED = "retired"


class KeyLocation(StrEnum):
    """Where a set is, as a person says it: an out set is with its tenant or lent."""

    DESK = "desk"
    TENANT = "tenant"
    LOAN = "loan"
    LOST = "lost"
    RETIRED = "retired"


class KeyEvent(StrEnum):
    """What a key-log row records."""

    HANDOVER = "handover"
    RETURN = "return"
    LOST = "lost"
    REPLACED = "replaced"
    RETIRED = "retired"
    ADDED = "added"
    LOAN = "loan"


class InspectionKind(StrEnum):
    CHECK_IN = "check_in"
    CHECK_OUT = "check_out"


class Condition(StrEnum):
    """The state of one inspected item, best first."""

    NEW = "new"
    GOOD = "good"
    WORN = "worn"
    DAMAGED = "damaged"
    MISSING = "missing"


class ExtensionStatus(StrEnum):
    PENDING = "pending"
    GRANTED = "granted"
    REFUSED = "refused"


class Payer(StrEnum):
    STUDENT = "student"
    THIRD_PARTY = "third_party"


class Guarantor(StrEnum):
    VISALE = "visale"
    PHYSICAL = "physical"


class ChargeKind(StrEnum):
    DAMAGE = "damage"
    LOST_KEY = "lost_key"


class Role(StrEnum):
    RECEPTIONIST = "receptionist"
    MANAGER = "mobility_manager"
    ADMINISTRATOR = "administrator"
