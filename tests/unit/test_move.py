"""Moving a tenant to another room: prepared (the check-out of the old room from its check-in,
the check-in of the new one from its last known state), then done in one action at the desk —
keys back and handed, damages charged, rooms' statuses, the lease unchanged unless decided —
or refused with every reason and nothing changed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from crous_desk import departure
from crous_desk.base.errors import Refused
from crous_desk.departure.history import room_record
from crous_desk.departure.move import move_room, pending_move, prepare_move
from crous_desk.inspections.views import room_history
from crous_desk.money.ledger import movements
from crous_desk.store.models import (
    Inspection,
    InspectionItem,
    KeySet,
    Reservation,
    Room,
    RoomMove,
)
from tests import factories
from tests.tenants import (
    FRIDAY_10H,
    SATURDAY_10H,
    desk_at,
    dump,
    last_audit,
    read_meters,
    tenant,
)


@pytest.fixture(autouse=True)
def _db(database) -> Iterator[None]:
    yield


def walk_both(desk, move: RoomMove) -> None:
    """The tenant walks both rooms: the old desk got a burn mark, the new room is fine."""
    check_out = Inspection.get_by_id(move.check_out_id)
    burnt = InspectionItem.get(inspection=check_out, label="Desk")
    desk.set_item(burnt.id, state="damaged", remark="burn mark")
    departure.acknowledge_check_out(desk, check_out.id)
    check_in = Inspection.get_by_id(move.check_in_id)
    for item in check_in.items:
        if item.state is None:
            desk.set_item(item.id, state="good")
    read_meters(desk, check_in.id)
    desk.acknowledge_inspection(check_in.id)


def test_a_move_is_refused_with_every_reason_and_changes_nothing() -> None:
    r = tenant(factories.room(number="B-101"))
    factories.room(number="B-102", key_sets=0)
    desk = desk_at(FRIDAY_10H)
    accepted = factories.reservation(first="Zoé")
    before = dump()
    with pytest.raises(Refused) as refused:
        prepare_move(desk, r.id, "b-102", reason=" ")
    assert refused.value.codes == ("text_required", "no_key_set_at_desk")
    with pytest.raises(Refused) as refused:
        prepare_move(desk, r.id, "B-101", reason="noise")
    assert set(refused.value.codes) == {"same_room", "room_not_available", "no_key_set_at_desk"}
    with pytest.raises(Refused) as refused:
        prepare_move(desk, r.id, "Z-999", reason="noise")
    assert refused.value.codes == ("no_such_room",)
    with pytest.raises(Refused) as refused:
        move_room(desk, r.id)
    assert refused.value.codes == ("no_move_prepared",)
    with pytest.raises(Refused) as refused:
        prepare_move(desk, accepted.id, "B-102", reason="noise")
    assert "not_a_tenant" in refused.value.codes
    assert dump() == before


def test_a_tenant_moves_in_one_action_within_desk_hours() -> None:
    old = factories.room(number="B-101")
    new = factories.room(number="B-102", kind="studio")
    r = tenant(old)
    desk = desk_at(FRIDAY_10H)
    move = prepare_move(desk, r.id, "B-102", reason="noise from the street")
    assert prepare_move(desk, r.id, "B-102", reason="again").id == move.id  # already prepared
    check_out = Inspection.get_by_id(move.check_out_id)
    assert check_out.room_id == old.id and check_out.kind == "check_out"
    assert {i.state for i in check_out.items} == {"good"}  # from its check-in
    before = dump()
    with pytest.raises(Refused) as refused:
        move_room(desk, r.id)
    assert refused.value.codes == ("inspection_not_acknowledged", "inspection_not_acknowledged")
    assert dump() == before

    walk_both(desk, move)
    with pytest.raises(Refused) as refused:
        move_room(desk_at(SATURDAY_10H), r.id)
    assert refused.value.codes == ("desk_closed",)

    result = move_room(desk, r.id)
    assert result.keys_returned == ["GAS/B-101/1"] and result.key_handed == "GAS/B-102/1"
    assert result.damage_cents == 6000
    moved = Reservation.get_by_id(r.id)
    assert (moved.room_id, moved.lease_end, moved.status) == (new.id, r.lease_end, "checked_in")
    assert Room.get_by_id(old.id).status == "to_inspect"
    assert Room.get_by_id(new.id).status == "occupied"
    assert KeySet.get(KeySet.label == "GAS/B-101/1").state == "desk"
    assert KeySet.get(KeySet.label == "GAS/B-102/1").holder_id == r.id
    assert [(m.kind, m.amount_cents) for m in movements(r.id)] == [("damage", 6000)]
    assert RoomMove.get_by_id(move.id).moved_at == FRIDAY_10H
    assert pending_move(r.id) is None
    assert last_audit("stay.move").entity == "reservation"

    # the old room's history shows the move out; the departure starts from the new room
    history = [(h.kind, h.reference) for h in room_history(desk, old.id)]
    assert ("check_out", r.reference) in history
    later = desk_at(FRIDAY_10H + timedelta(days=3))
    leaving = departure.open_check_out(later, r.id)
    assert leaving.room_id == new.id
    assert {i.state for i in leaving.items} == {"good"}


def test_the_lease_changes_only_when_decided() -> None:
    r = tenant(factories.room(number="B-101"))
    factories.room(number="B-102")
    desk = desk_at(FRIDAY_10H)
    move = prepare_move(desk, r.id, "B-102", reason="a bigger room")
    walk_both(desk, move)
    with pytest.raises(Refused) as refused:
        move_room(desk, r.id, lease_end=date(2026, 1, 1))
    assert refused.value.codes == ("lease_end_invalid",)
    move_room(desk, r.id, lease_end=date(2027, 6, 30))
    assert Reservation.get_by_id(r.id).lease_end == date(2027, 6, 30)


def test_the_rooms_history_and_the_next_check_in_from_its_last_known_state() -> None:
    old = factories.room(number="B-101")
    factories.room(number="B-102")
    r = tenant(old)
    desk = desk_at(FRIDAY_10H)
    move = prepare_move(desk, r.id, "B-102", reason="noise")
    walk_both(desk, move)
    move_room(desk, r.id)
    record = room_record(desk, old.id)
    kinds = [(e.what, e.detail) for e in record.events]
    assert ("move", "moved out to B-102 — noise") in kinds
    assert any(what == "keys" and "keys back: GAS/B-101/1" in d for what, d in kinds)
    assert any(what == "keys" and "keys handed: GAS/B-101/1" in d for what, d in kinds)
    (charge,) = [e for e in record.events if e.what == "charge"]
    assert (charge.amount_cents, charge.tenant) == (6000, "Hélène Dupont")
    assert dict(record.last_known)["Desk"] == "damaged"
    new_record = room_record(desk, Room.get(Room.number == "B-102").id)
    assert ("move", "moved in from B-101 — noise") in [
        (e.what, e.detail) for e in new_record.events
    ]

    # the next student's check-in of B-101 starts from what the room was last seen as
    from crous_desk.rooms import room_ready

    room_ready(desk, old.id)
    nxt = factories.reservation(first="Zoé", room_=old, documents="verified")
    check_in = desk.open_inspection(nxt.id)
    states = {i.label: (i.state, i.remark) for i in check_in.items}
    assert states["Desk"] == ("damaged", "") and states["Floor"] == ("good", "")


def test_a_tenant_who_moved_leaves_today_with_no_check_out_of_the_new_room_yet() -> None:
    from crous_desk.office import today

    r = tenant(factories.room(number="B-101"), lease_end=date(2026, 11, 27))
    factories.room(number="B-102")
    desk = desk_at(FRIDAY_10H)
    move = prepare_move(desk, r.id, "B-102", reason="a leak")
    walk_both(desk, move)
    move_room(desk, r.id)
    (leaving,) = today.departures(desk)
    assert (leaving.reservation_id, leaving.check_out) == (r.id, "none")
