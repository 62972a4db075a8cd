"""Free text is data with limits, and a stay cannot be stretched to the year 9999."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from crous_desk import rooms as tenancy
from crous_desk.base.errors import Refused
from crous_desk.store.models import ExtensionRequest, Reservation
from tests import factories
from tests.factories import MONDAY_10H
from tests.tenants import desk_at, tenant


def test_a_payer_name_with_terminal_escapes_is_refused(database) -> None:
    res = factories.reservation(
        status="proposed", paid=False, sent_at=MONDAY_10H - timedelta(hours=10)
    )
    with pytest.raises(Refused, match="control"):
        desk_at(MONDAY_10H).accept(res.id, "third_party", "\x1b[31mEvil\x07")
    assert Reservation.get_by_id(res.id).status == "proposed"


def test_a_remark_of_a_whole_document_is_refused(database) -> None:
    res = factories.reservation(documents="verified")
    desk = desk_at(MONDAY_10H)
    item = desk.open_inspection(res.id).items.first()
    with pytest.raises(Refused, match="too long"):
        desk.set_item(item.id, remark="x" * 100_000)


def test_an_extension_moves_the_lease_end_by_a_year_at_most(database) -> None:
    res = tenant(factories.room(number="B-777"))
    desk = desk_at(MONDAY_10H)
    with pytest.raises(Refused, match="a year at most"):
        tenancy.request_extension(desk, res.id, date(9999, 12, 31), "forever")
    assert ExtensionRequest.select().count() == 0
    tenancy.request_extension(desk, res.id, res.lease_end + timedelta(days=60), "one more term")
    assert ExtensionRequest.select().count() == 1
