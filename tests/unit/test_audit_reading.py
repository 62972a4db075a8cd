"""Reading the audit log: the reader is one person, the actor filtered on may be another."""

from __future__ import annotations

import pytest

from crous_desk.base.clock import FixedClock
from crous_desk.base.errors import Refused
from crous_desk.desk.context import Desk
from crous_desk.people import audit
from tests import factories, tenants


def test_an_administrator_reads_one_persons_entries(database) -> None:
    first = tenants.tenant(factories.room(number="B-101"))
    tenants.tenant(factories.room(number="B-102"), first="Ana")
    admin = Desk(
        factories.staff("chef", role="administrator", scope=()), FixedClock(factories.MONDAY_10H)
    )
    rows = audit.read(admin, actor="m.martin")
    assert {r.actor for r in rows} == {"m.martin"}
    assert [r.action for r in rows] == ["keys.handover", "keys.handover"]
    one = audit.read(admin, actor="m.martin", reservation_id=first.id)
    assert [r.reference for r in one] == [first.reference]
    assert audit.read(admin, actor="nobody") == []


def test_only_an_administrator_reads_the_audit_log(database) -> None:
    tenants.tenant(factories.room(number="B-101"))
    with pytest.raises(Refused):
        audit.read(
            Desk(factories.staff("accueil"), FixedClock(factories.MONDAY_10H)), actor="m.martin"
        )
