"""The état des lieux as the law asks (Décret 2016-382, loi 89-462 art. 3-2): meter readings
where the room has its own meters, the keys handed over by kind and number, a remark for what
is damaged or missing, the new address at check-out; then the window to complete a check-in
(10 days, a residence's own; the heating items during the first month of the heating season),
as dated amendments, refused after it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import peewee
import pytest

from crous_desk import departure, inspections
from crous_desk.base.errors import Refused
from crous_desk.inspections.etat import etat_of
from crous_desk.inspections.record import record_forwarding_address, record_keys, record_meter
from crous_desk.rules import etat
from crous_desk.store.models import (
    Inspection,
    InspectionAmendment,
    InspectionItem,
    InspectionKey,
    MeterReading,
    Residence,
    Room,
)
from tests import factories
from tests.factories import MONDAY_10H
from tests.tenants import FRIDAY_10H, desk_at, dump, tenant

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def _db(database) -> Iterator[None]:
    yield


# -- the pure rules ------------------------------------------------------------------------------


def test_a_room_has_its_kinds_meters_unless_it_says_its_own() -> None:
    assert etat.meters_of("traditional", None) == ()
    assert etat.meters_of("studio", None) == ("electricity",)
    assert etat.meters_of("traditional", "electricity,water_hot") == ("electricity", "water_hot")
    assert etat.meters_of("studio", "") == ()
    assert etat.meter_list_problem("electricity, gas, electricity") == ("electricity,gas", None)
    assert etat.meter_list_problem("-") == ("", None)
    assert etat.meter_list_problem("steam")[1].code == "unknown_meter"


@pytest.mark.parametrize(("typed", "kept"), [("012345.6", "012345.6"), (" 42,125 ", "42.125")])
def test_a_reading_is_the_digits_on_the_dial(typed: str, kept: str) -> None:
    assert etat.reading_problem("electricity", ("electricity",), typed) == (kept, None)


@pytest.mark.parametrize("typed", ["", "12a", "-3", "1.2345", "1e5", "12345678901"])
def test_a_reading_that_is_not_one_is_refused(typed: str) -> None:
    assert etat.reading_problem("electricity", ("electricity",), typed)[1].code == (
        "reading_invalid"
    )


def test_the_heating_month_is_the_first_one_the_tenant_lives_through() -> None:
    assert etat.heating_month(date(2026, 9, 1), "10-01") == (date(2026, 10, 1), date(2026, 11, 1))
    assert etat.heating_month(date(2026, 10, 15), "10-01") == (date(2026, 10, 1), date(2026, 11, 1))
    assert etat.heating_month(date(2026, 11, 23), "10-01") == (date(2027, 10, 1), date(2027, 11, 1))
    assert etat.heating_month(date(2027, 1, 10), "10-15") == (
        date(2027, 10, 15),
        date(2027, 11, 15),
    )
    assert etat.heating_start_problem("02-29").code == "heating_start_invalid"
    assert etat.heating_start_problem("10-01") is None


def test_the_window_ends_at_midnight_after_the_tenth_day_in_paris() -> None:
    win = etat.window(datetime(2026, 11, 23, 9, 0, tzinfo=UTC), 10, "10-01", PARIS)
    assert win.ends_at == datetime(2026, 12, 4, 0, 0, tzinfo=PARIS)
    assert win.open_for(datetime(2026, 12, 3, 22, 59, tzinfo=UTC), heating=False)
    assert not win.open_for(datetime(2026, 12, 3, 23, 0, tzinfo=UTC), heating=False)
    september = etat.window(datetime(2026, 9, 1, 8, 0, tzinfo=UTC), 10, "10-01", PARIS)
    assert september.open_for(datetime(2026, 10, 20, 8, 0, tzinfo=UTC), heating=True)
    assert not september.open_for(datetime(2026, 10, 20, 8, 0, tzinfo=UTC), heating=False)
    assert september.end_for(True) == datetime(2026, 11, 1, 0, 0, tzinfo=PARIS)


def test_what_the_acknowledgement_still_lacks_is_said_all_at_once() -> None:
    problems = etat.acknowledgement_problems(
        [etat.Element("Desk", "damaged", " "), etat.Element("Chair", "good", "")],
        ("electricity",),
        {},
        {"room_key": 0},
        check_out=True,
        forwarding_address=None,
    )
    assert [p.code for p in problems] == [
        "remark_required",
        "meter_unread",
        "no_keys_counted",
        "no_forwarding_address",
    ]
    assert "Desk" in problems[0] and "Electricity meter" in problems[1]


# -- recording it --------------------------------------------------------------------------------


def test_a_studio_check_in_with_meters_keys_and_remarks() -> None:
    room = factories.room(number="S-301", kind="studio")
    r = factories.reservation(room_=room, documents="verified")
    desk = desk_at(MONDAY_10H)
    inspection = desk.open_inspection(r.id)
    assert {k.kind: k.count for k in inspection.keys} == {
        "room_key": 2,
        "mailbox_key": 1,
        "badge": 1,
    }
    for item in inspection.items:
        desk.set_item(item.id, state="good")
    desk_item = InspectionItem.get(inspection=inspection, label="Desk")
    desk.set_item(desk_item.id, state="damaged")
    with pytest.raises(Refused) as refused:
        desk.acknowledge_inspection(inspection.id)
    assert refused.value.codes == ("remark_required", "meter_unread")
    with pytest.raises(Refused) as refused:
        record_meter(desk, inspection.id, "gas", "12")
    assert refused.value.codes == ("no_such_meter",)
    record_meter(desk, inspection.id, "electricity", "01234")
    record_meter(desk, inspection.id, "electricity", "012345,6")  # read again, before ack.
    record_keys(desk, inspection.id, "badge", 2)
    with pytest.raises(Refused) as refused:
        record_keys(desk, inspection.id, "crowbar", 99)
    assert refused.value.codes == ("unknown_key_kind",)
    with pytest.raises(Refused) as refused:
        record_forwarding_address(desk, inspection.id, "1 rue X")
    assert refused.value.codes == ("not_a_check_out",)
    desk.set_item(desk_item.id, remark="scratch on the top")
    desk.acknowledge_inspection(inspection.id)
    view = etat_of(Inspection.get_by_id(inspection.id))
    assert [(m.meter, m.reading, m.unit) for m in view.readings] == [
        ("electricity", "012345.6", "kWh")
    ]
    assert [(k.kind, k.count) for k in view.keys] == [
        ("room_key", 2),
        ("mailbox_key", 1),
        ("badge", 2),
    ]
    assert view.window_ends_at == datetime(2026, 12, 4, 0, 0, tzinfo=PARIS)
    with pytest.raises(Refused) as refused:
        record_meter(desk, inspection.id, "electricity", "999")
    assert refused.value.codes == ("inspection_locked",)
    with pytest.raises(peewee.IntegrityError, match="locked"):
        MeterReading.update(reading="0").execute()
    with pytest.raises(peewee.IntegrityError, match="locked"):
        InspectionKey.delete().execute()


def test_a_room_with_its_own_meters_needs_them_read() -> None:
    room = factories.room(number="B-120")
    Room.update(meters="water_hot").where(Room.id == room.id).execute()
    r = factories.reservation(room_=Room.get_by_id(room.id), documents="verified")
    desk = desk_at(MONDAY_10H)
    inspection = desk.open_inspection(r.id)
    for item in inspection.items:
        desk.set_item(item.id, state="good")
    with pytest.raises(Refused, match="Hot water meter"):
        desk.acknowledge_inspection(inspection.id)


def test_the_check_out_asks_the_new_address_and_copies_the_keys() -> None:
    r = tenant()
    desk = desk_at(FRIDAY_10H)
    check_out = departure.open_check_out(desk, r.id)
    assert {k.kind: k.count for k in check_out.keys} == {"room_key": 1, "badge": 1}
    with pytest.raises(Refused) as refused:
        departure.acknowledge_check_out(desk, check_out.id)
    assert refused.value.codes == ("no_forwarding_address",)
    with pytest.raises(Refused) as refused:
        record_forwarding_address(desk, check_out.id, "  ")
    assert refused.value.codes == ("text_required",)
    record_forwarding_address(desk, check_out.id, "Calle Mayor 5, 28013 Madrid, España")
    departure.acknowledge_check_out(desk, check_out.id)
    assert etat_of(Inspection.get_by_id(check_out.id)).forwarding_address.startswith("Calle")


# -- the window ----------------------------------------------------------------------------------


def test_the_tenant_completes_the_check_in_within_ten_days_never_after() -> None:
    r = tenant()  # checked in Monday 23/11/2026 10:00 Paris
    check_in = inspections.latest(r.id, "check_in")
    floor = InspectionItem.get(inspection=check_in, label="Floor")
    on_day_ten = datetime(2026, 12, 3, 16, 0, tzinfo=UTC)  # Thursday 17:00 Paris
    inspections.amend_item(
        desk_at(on_day_ten),
        floor.id,
        state="worn",
        remark="stain under the bed",
        reason="the tenant's report",
        by_tenant=True,
    )
    (amendment,) = InspectionAmendment.select()
    assert (amendment.by_tenant, amendment.at) == (True, on_day_ten)
    assert InspectionItem.get_by_id(floor.id).state == "good"  # never an edit
    before = dump()
    with pytest.raises(Refused) as refused:
        inspections.amend_item(
            desk_at(datetime(2026, 12, 4, 8, 0, tzinfo=UTC)),
            floor.id,
            state="damaged",
            reason="later",
        )
    assert refused.value.codes == ("amendment_window_closed",)
    assert "03/12/2026 23:59" in str(refused.value)
    assert dump() == before


def test_a_residence_sets_its_own_window_and_the_heating_items_keep_theirs() -> None:
    residence = factories.residence()
    Residence.update(amendment_days=3, heating_starts="12-01").where(
        Residence.id == residence.id
    ).execute()
    r = tenant()
    check_in = inspections.latest(r.id, "check_in")
    floor = InspectionItem.get(inspection=check_in, label="Floor")
    heater = InspectionItem.get(inspection=check_in, label="Heater")
    day_five = MONDAY_10H + timedelta(days=5)
    with pytest.raises(Refused) as refused:
        inspections.amend_item(desk_at(day_five), floor.id, state="worn", reason="late")
    assert refused.value.codes == ("amendment_window_closed",)
    december = datetime(2026, 12, 15, 9, 0, tzinfo=UTC)  # first month of the heating season
    inspections.amend_item(
        desk_at(december), heater.id, state="worn", reason="heats badly", by_tenant=True
    )
    with pytest.raises(Refused) as refused:
        inspections.amend_item(
            desk_at(datetime(2027, 1, 2, 9, 0, tzinfo=UTC)),
            heater.id,
            state="damaged",
            remark="cold",
            reason="later still",
        )
    assert refused.value.codes == ("amendment_window_closed",)
    assert etat_of(check_in).heating_until == datetime(2027, 1, 1, 0, 0, tzinfo=PARIS)
