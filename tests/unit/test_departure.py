"""Departure: an appointment within desk hours, a check-out inspection that starts from the
check-in one, every item that got worse charged from the price list, keys back, the reservation
closed and the room to inspect; acknowledged inspections locked and corrected by amendments."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import peewee
import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from crous_desk import departure, inspections
from crous_desk import rooms as tenancy
from crous_desk.base.errors import Refused
from crous_desk.money import prices
from crous_desk.money.ledger import balance_of
from crous_desk.rules.condition import STATES, Damage, ItemState, damages, euros, rank, worse
from crous_desk.rules.reference import inspection_states, room_kinds
from crous_desk.store.models import (
    Charge,
    Departure,
    Inspection,
    InspectionAmendment,
    InspectionItem,
    KeyLog,
    KeySet,
    LedgerMovement,
    Reservation,
    Room,
    RoomStatusChange,
)
from tests import factories
from tests.factories import FRIDAY_17H, MONDAY_10H
from tests.tenants import FRIDAY_10H, SATURDAY_10H, addressed, desk_at, dump, last_audit, tenant

LEASE_END_FRIDAY = date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _frozen(database: peewee.Database) -> Iterator[None]:
    with time_machine.travel(MONDAY_10H, tick=False):
        for username in ("accueil", "m.martin", "k.benali"):
            factories.staff(username)
        factories.residence()
        yield


# --- the rules, without a database -----------------------------------------------------------


def test_the_state_scale_is_the_one_shipped_with_the_checklists() -> None:
    assert inspection_states() == STATES == ("new", "good", "worn", "damaged", "missing")


def test_worse_follows_new_good_worn_damaged_missing() -> None:
    assert worse("good", "damaged")
    assert worse("new", "good")
    assert worse("damaged", "missing")
    assert not worse("worn", "good")
    assert not worse("good", "good")
    with pytest.raises(ValueError, match="unknown state 'broken'"):
        worse("good", "broken")


state = st.sampled_from(STATES)


@given(state, state, state)
def test_worse_is_a_strict_order(a: str, b: str, c: str) -> None:
    assert not worse(a, a)
    assert not (worse(a, b) and worse(b, a))
    if worse(a, b) and worse(b, c):
        assert worse(a, c)
    assert worse(a, b) == (rank(b) > rank(a))


@given(st.lists(st.tuples(state, state), max_size=12))
def test_damages_lists_exactly_the_items_that_got_worse(pairs: list[tuple[str, str]]) -> None:
    check_in = [ItemState(i, f"item {i}", a) for i, (a, _b) in enumerate(pairs)]
    check_out = [ItemState(i, f"item {i}", b) for i, (_a, b) in enumerate(pairs)]
    found = damages(check_in, check_out, lambda label, s: 100 * rank(s))
    assert [d.position for d in found] == [i for i, (a, b) in enumerate(pairs) if rank(b) > rank(a)]
    assert all(d.amount_cents == 100 * rank(d.after) for d in found)
    assert damages(check_in, check_in, lambda label, s: 1) == []


def test_damages_skips_lines_the_check_in_does_not_have() -> None:
    check_in = [ItemState(0, "Desk", "good")]
    check_out = [ItemState(0, "Desk", "damaged"), ItemState(1, "Chair", "missing")]
    assert damages(check_in, check_out, lambda label, s: 7) == [
        Damage(0, "Desk", "good", "damaged", 7)
    ]


def test_euros() -> None:
    assert euros(6000) == "60.00 €"
    assert euros(-5005) == "-50.05 €"


# --- the price list --------------------------------------------------------------------------


def test_every_checklist_item_has_a_price_category() -> None:
    listed = prices.default_prices()
    labels = {label for kind in room_kinds().values() for label in kind.checklist}
    unpriced = {label for label in labels if label not in listed.item_category}
    assert not unpriced
    assert set(listed.item_category.values()) <= set(listed.categories)


def test_shipped_prices_never_fall_as_the_state_gets_worse() -> None:
    listed = prices.default_prices()
    for table in [*listed.categories.values(), *listed.item_prices.values()]:
        amounts = [table[s] for s in prices.SEVERITIES if s in table]
        assert amounts == sorted(amounts)
        assert table.get("good", 0) == 0  # new → good is normal wear


def test_a_residence_price_wins_over_the_shipped_list_at_every_level() -> None:
    shipped = prices.default_prices()
    assert shipped.damage_cents("Desk", "damaged") == 6000  # furniture, damaged
    assert shipped.damage_cents("Chair", "damaged") == 3000  # the chair's own shipped price
    by_category = shipped.with_overrides({("furniture", "damaged"): 4000})
    assert by_category.damage_cents("Desk", "damaged") == 4000
    assert by_category.damage_cents("Chair", "damaged") == 4000
    by_label = shipped.with_overrides({("furniture", "damaged"): 4000, ("Desk", "damaged"): 9000})
    assert by_label.damage_cents("Desk", "damaged") == 9000
    assert by_label.damage_cents("Wardrobe", "damaged") == 4000
    assert (
        shipped.damage_cents("Something new", "missing") == shipped.categories["other"]["missing"]
    )


def test_set_price_is_audited_and_refuses_nonsense() -> None:
    desk = desk_at(MONDAY_10H)
    prices.set_price(desk, "Desk", "damaged", 9000)
    assert prices.prices_for(factories.residence()).damage_cents("Desk", "damaged") == 9000
    assert json.loads(last_audit("price.set").after)["amount_cents"] == 9000
    prices.set_price(desk, "Desk", "damaged", None)
    assert prices.prices_for(factories.residence()).damage_cents("Desk", "damaged") == 6000
    before = dump()
    with pytest.raises(Refused) as refused:
        prices.set_price(desk, "Jacuzzi", "broken", -1)
    assert len(refused.value.reasons) == 3
    assert dump() == before


# --- the appointment -------------------------------------------------------------------------


def test_a_departure_appointment_within_desk_hours_is_booked() -> None:
    r = tenant(lease_end=LEASE_END_FRIDAY)
    at = datetime(2026, 11, 27, 14, 30, tzinfo=UTC)  # Friday 15:30 Paris
    booked = departure.book_departure(desk_at(MONDAY_10H, "k.benali"), r.id, at)
    assert booked.appointment_at == at
    assert booked.booked_by.username == "k.benali"
    assert last_audit("departure.book").reservation_id == r.id


@pytest.mark.parametrize(
    ("at", "words"),
    [
        (SATURDAY_10H, "the next opening is Monday 30/11/2026 09:00"),
        (FRIDAY_17H, "the next opening is Monday 30/11/2026 09:00"),
        (
            datetime(2026, 11, 25, 6, 0, tzinfo=UTC),
            "the next opening is Wednesday 25/11/2026 09:00",
        ),
    ],
)
def test_an_appointment_outside_desk_hours_is_refused_with_the_next_opening(
    at: datetime, words: str
) -> None:
    r = tenant()
    before = dump()
    with pytest.raises(Refused, match=words):
        departure.book_departure(desk_at(MONDAY_10H), r.id, at)
    assert dump() == before
    assert departure.next_opening(desk_at(MONDAY_10H), at, r.id).strftime("%d/%m/%Y %H:%M") in words


def test_an_appointment_in_the_past_or_after_the_lease_end_is_refused() -> None:
    r = tenant(lease_end=LEASE_END_FRIDAY)
    with pytest.raises(Refused) as refused:
        departure.book_departure(
            desk_at(FRIDAY_10H), r.id, datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
        )
    assert refused.value.reasons == (
        "the lease ends on 27/11/2026: a later departure needs a granted extension",
    )
    with pytest.raises(Refused, match="already passed"):
        departure.book_departure(desk_at(FRIDAY_10H), r.id, MONDAY_10H + timedelta(hours=1))
    with pytest.raises(Refused, match="needs a time zone"):
        departure.book_departure(desk_at(FRIDAY_10H), r.id, datetime(2026, 11, 27, 15, 0))


# --- the check-out inspection ----------------------------------------------------------------


def test_the_check_out_starts_as_a_copy_of_the_check_in_each_item_same() -> None:
    r = tenant(states={"Desk": "worn", "Chair": "new"})
    desk = desk_at(FRIDAY_10H)
    check_in = inspections.latest(r.id, "check_in")
    assert check_in is not None
    chair = InspectionItem.get(inspection=check_in, label="Chair")
    inspections.amend_item(desk, chair.id, state="good", reason="chair scratched, not new")

    check_out = departure.open_check_out(desk, r.id)
    view = departure.departure_view(desk, r.id)
    assert [(i.label, i.state) for i in view.items] == [
        (label, {"Desk": "worn", "Chair": "good"}.get(label, "good"))
        for label in room_kinds()["renovated"].checklist
    ]
    assert all(i.same for i in view.items)
    assert view.damages == []
    assert departure.open_check_out(desk, r.id).id == check_out.id  # opened once

    desk_item = next(i for i in view.items if i.label == "Desk")
    desk.set_item(desk_item.item_id, state="missing", remark="not found")
    assert not next(i for i in departure.departure_view(desk, r.id).items if i.label == "Desk").same
    departure.mark_same(desk, desk_item.item_id)
    assert InspectionItem.get_by_id(desk_item.item_id).state == "worn"


def test_a_departure_with_one_damaged_item_lists_it_with_its_amount() -> None:
    r = tenant(factories.room(number="B-112"), lease_end=LEASE_END_FRIDAY)
    key_set = KeySet.get(KeySet.room == r.room_id)
    desk = desk_at(FRIDAY_10H, "k.benali")
    departure.book_departure(desk, r.id, FRIDAY_10H + timedelta(minutes=30))
    check_out = departure.open_check_out(desk, r.id)
    item = InspectionItem.get(inspection=check_out, label="Desk")
    desk.set_item(item.id, state="damaged", remark="burn mark")

    found = departure.acknowledge_check_out(desk, addressed(desk, check_out.id))
    assert found == [Damage(item.position, "Desk", "good", "damaged", 6000)]
    assert Inspection.get_by_id(check_out.id).locked
    (charge,) = Charge.select()
    assert (charge.kind, charge.label, charge.detail, charge.amount_cents) == (
        "damage",
        "Desk",
        "good → damaged",
        6000,
    )
    assert (charge.reservation_id, charge.item_id, charge.staff.username) == (
        r.id,
        item.id,
        "k.benali",
    )

    with pytest.raises(Refused) as refused:
        departure.depart(desk, r.id)
    assert refused.value.codes == ("open_balance",)
    assert "60.00 €" in str(refused.value)
    result = departure.depart(desk, r.id, accept_open_balance=True)
    assert result.keys_returned == [key_set.label]
    assert result.damage_cents == 6000
    assert result.balance_cents == 6000
    assert Departure.get(Departure.reservation == r.id).open_balance_cents == 6000
    got = Reservation.get_by_id(r.id)
    assert got.status == "departed"
    assert KeySet.get_by_id(key_set.id).state == "desk"
    assert KeyLog.select().where(KeyLog.action == "return").get().staff.username == "k.benali"
    assert Room.get_by_id(r.room_id).status == "to_inspect"
    left = Departure.get(Departure.reservation == r.id)
    assert (left.departed_at, left.early, left.force_majeure) == (FRIDAY_10H, False, None)
    assert Charge.select().count() == 1  # charged once, at the acknowledgement
    entry = last_audit("departure.close")
    assert json.loads(entry.after)["damage_cents"] == 6000
    assert json.loads(entry.before)["status"] == "checked_in"

    # the room is made ready by an explicit action
    tenancy.room_ready(desk, r.room_id, note="cleaned, desk top replaced")
    assert Room.get_by_id(r.room_id).status == "available"
    assert [
        (c.before, c.after) for c in RoomStatusChange.select().order_by(RoomStatusChange.id)
    ] == [
        ("occupied", "to_inspect"),
        ("to_inspect", "available"),
    ]


def test_an_early_departure_records_force_majeure_and_its_reason() -> None:
    r = tenant()  # lease until 30/04/2027
    desk = desk_at(FRIDAY_10H)
    check_out = departure.open_check_out(desk, r.id)
    departure.acknowledge_check_out(desk, addressed(desk, check_out.id))
    before = dump()
    with pytest.raises(Refused) as refused:
        departure.depart(desk, r.id)
    assert refused.value.reasons == (
        "the lease ends on 30/04/2027: say whether this early departure is force majeure "
        "(refund possible) or not (no refund)",
        "give the reason for the early departure",
    )
    assert dump() == before
    departure.depart(desk, r.id, force_majeure=True, reason="hospitalised at home")
    left = Departure.get(Departure.reservation == r.id)
    assert (left.early, left.force_majeure, left.reason) == (True, True, "hospitalised at home")


def test_an_early_departure_without_force_majeure_is_recorded_as_no_refund() -> None:
    r = tenant()
    desk = desk_at(FRIDAY_10H)
    departure.acknowledge_check_out(desk, addressed(desk, departure.open_check_out(desk, r.id).id))
    departure.depart(desk, r.id, force_majeure=False, reason="found a flat in town")
    left = Departure.get(Departure.reservation == r.id)
    assert (left.early, left.force_majeure) == (True, False)


def test_force_majeure_is_refused_for_a_departure_at_the_lease_end() -> None:
    r = tenant(lease_end=LEASE_END_FRIDAY)
    desk = desk_at(FRIDAY_10H)
    departure.acknowledge_check_out(desk, addressed(desk, departure.open_check_out(desk, r.id).id))
    with pytest.raises(Refused, match="force majeure applies to early departures"):
        departure.depart(desk, r.id, force_majeure=True, reason="x")


def test_a_departure_outside_desk_hours_or_before_the_check_out_changes_nothing() -> None:
    r = tenant(lease_end=LEASE_END_FRIDAY)
    before = dump()
    with pytest.raises(Refused) as refused:
        departure.depart(desk_at(FRIDAY_17H), r.id)
    assert [reason.split(":")[0] for reason in refused.value.reasons] == [
        "the desk is closed",
        "the check-out inspection is not acknowledged by the tenant yet",
    ]
    assert "opens Monday 09:00" in refused.value.reasons[0]
    assert dump() == before


def test_a_departure_is_refused_twice_and_for_a_student_who_never_lived_here() -> None:
    r = tenant(lease_end=LEASE_END_FRIDAY)
    desk = desk_at(FRIDAY_10H)
    departure.acknowledge_check_out(desk, addressed(desk, departure.open_check_out(desk, r.id).id))
    departure.depart(desk, r.id)
    with pytest.raises(Refused, match="already departed"):
        departure.depart(desk, r.id)
    accepted = factories.reservation(first="Zoé")
    with pytest.raises(Refused, match="only a tenant who lives here departs"):
        departure.depart(desk, accepted.id)
    with pytest.raises(Refused, match="for a tenant who lives here"):
        departure.open_check_out(desk, accepted.id)


def test_a_check_out_acknowledged_the_plain_way_is_still_charged_at_departure() -> None:
    r = tenant(lease_end=LEASE_END_FRIDAY)
    desk = desk_at(FRIDAY_10H)
    check_out = departure.open_check_out(desk, r.id)
    desk.set_item(
        InspectionItem.get(inspection=check_out, label="Heater").id,
        state="missing",
        remark="not found",
    )
    desk.acknowledge_inspection(addressed(desk, check_out.id))  # not acknowledge_check_out
    assert Charge.select().count() == 0
    departure.depart(desk, r.id, accept_open_balance=True)
    (charge,) = Charge.select()
    assert (charge.label, charge.amount_cents) == ("Heater", 25000)


def test_a_co_tenant_still_living_in_the_flat_keeps_it_occupied() -> None:
    flat = factories.room(kind="flat_t2", key_sets=2)
    leaving = tenant(flat, first="Ana", lease_end=LEASE_END_FRIDAY)
    tenant(flat, first="Bruno")
    desk = desk_at(FRIDAY_10H)
    departure.acknowledge_check_out(
        desk, addressed(desk, departure.open_check_out(desk, leaving.id).id)
    )
    result = departure.depart(desk, leaving.id)
    assert result.room_status == "occupied"
    assert Room.get_by_id(flat.id).status == "occupied"
    assert KeySet.select().where(KeySet.room == flat, KeySet.state == "out").count() == 1


# --- locked inspections and amendments -------------------------------------------------------


def test_an_acknowledged_inspection_is_locked_even_against_a_direct_update() -> None:
    r = tenant()
    check_in = inspections.latest(r.id, "check_in")
    assert check_in is not None
    item = InspectionItem.get(inspection=check_in, label="Floor")
    with pytest.raises(Refused, match="locked"):
        desk_at(MONDAY_10H).set_item(item.id, state="damaged")
    with pytest.raises(peewee.IntegrityError, match="locked"):
        InspectionItem.update(state="damaged").where(InspectionItem.id == item.id).execute()
    with pytest.raises(peewee.IntegrityError, match="locked"):
        Inspection.update(acknowledged_at=None).where(Inspection.id == check_in.id).execute()
    assert InspectionItem.get_by_id(item.id).state == "good"


def test_a_correction_is_an_amendment_never_an_edit() -> None:
    r = tenant()
    check_in = inspections.latest(r.id, "check_in")
    assert check_in is not None
    item = InspectionItem.get(inspection=check_in, label="Floor")
    later = MONDAY_10H + timedelta(hours=1)
    inspections.amend_item(
        desk_at(later, "k.benali"),
        item.id,
        state="worn",
        remark="stain by the window",
        reason="missed at check-in",
    )
    assert InspectionItem.get_by_id(item.id).state == "good"  # the row as acknowledged
    view = next(v for v in inspections.items(check_in.id) if v.item_id == item.id)
    assert (view.recorded_state, view.state, view.remark) == ("good", "worn", "stain by the window")
    (amendment,) = view.amendments
    assert (amendment.staff, amendment.at, amendment.reason) == (
        "k.benali",
        later,
        "missed at check-in",
    )
    assert json.loads(last_audit("inspection.amend").before)["state"] == "good"
    with pytest.raises(peewee.IntegrityError, match="append-only"):
        InspectionAmendment.update(reason="x").execute()


def test_an_amendment_is_refused_with_every_reason_and_changes_nothing() -> None:
    r = factories.reservation()
    desk = desk_at(MONDAY_10H)
    open_one = desk.open_inspection(r.id)
    item = open_one.items.order_by(InspectionItem.position).first()
    before = dump()
    with pytest.raises(Refused) as refused:
        inspections.amend_item(desk, item.id, state="broken", reason=" ")
    assert set(refused.value.reasons) == {
        "this inspection is not acknowledged yet: change the item itself",
        "unknown state 'broken': choose one of new, good, worn, damaged, missing",
        "the reason for the correction is required",
    }
    assert dump() == before


def test_an_amendment_that_changes_nothing_is_refused() -> None:
    r = tenant()
    check_in = inspections.latest(r.id, "check_in")
    assert check_in is not None
    item = InspectionItem.get(inspection=check_in, label="Floor")
    with pytest.raises(Refused, match="changes nothing"):
        inspections.amend_item(desk_at(MONDAY_10H), item.id, state="good", reason="sure")
    with pytest.raises(Refused, match="give the corrected state or remark"):
        inspections.amend_item(desk_at(MONDAY_10H), item.id, reason="sure")


def test_correcting_a_check_out_after_the_departure_records_the_difference() -> None:
    r = tenant(lease_end=LEASE_END_FRIDAY)
    desk = desk_at(FRIDAY_10H)
    check_out = departure.open_check_out(desk, r.id)
    item = InspectionItem.get(inspection=check_out, label="Desk")
    desk.set_item(item.id, state="damaged", remark="broken leg")
    departure.acknowledge_check_out(desk, addressed(desk, check_out.id))
    departure.depart(desk, r.id, accept_open_balance=True)
    inspections.amend_item(
        desk_at(FRIDAY_10H + timedelta(hours=1), "k.benali"),
        item.id,
        state="worn",
        reason="only scratched, after cleaning",
    )
    charges = [(c.detail, c.amount_cents) for c in Charge.select().order_by(Charge.id)]
    assert charges == [("good → damaged", 6000), ("correction: good → worn", -5000)]
    assert sum(amount for _detail, amount in charges) == 1000  # furniture, worn
    ledger = [(m.kind, m.amount_cents, m.charge_id) for m in LedgerMovement.select()]
    assert [(kind, cents) for kind, cents, _c in ledger] == [("damage", 6000), ("damage", -5000)]
    assert all(charge_id is not None for _k, _c, charge_id in ledger)
    assert balance_of(r.id) == 1000


def test_a_room_keeps_its_inspection_history() -> None:
    room = factories.room(number="B-140")
    first = tenant(room, first="Ana", lease_end=LEASE_END_FRIDAY)
    desk = desk_at(FRIDAY_10H)
    check_out = departure.open_check_out(desk, first.id)
    desk.set_item(
        InspectionItem.get(inspection=check_out, label="Curtains").id,
        state="missing",
        remark="not found",
    )
    departure.acknowledge_check_out(desk, addressed(desk, check_out.id))
    departure.depart(desk, first.id, accept_open_balance=True)
    tenancy.room_ready(desk, room.id)
    check_in = inspections.latest(first.id, "check_in")
    assert check_in is not None
    inspections.amend_item(
        desk,
        InspectionItem.get(inspection=check_in, label="Floor").id,
        remark="old stain",
        reason="noted late",
    )
    history = inspections.room_history(desk, room.id)
    assert [(h.kind, h.tenant, h.amendments, h.charged_cents) for h in history] == [
        ("check_out", "Ana Dupont", 0, 6000),
        ("check_in", "Ana Dupont", 1, 0),
    ]
    luminy = factories.residence("luminy", "Résidence de Luminy")
    with pytest.raises(Refused, match="another residence"):
        inspections.room_history(desk_at(FRIDAY_10H, residence=luminy), room.id)
