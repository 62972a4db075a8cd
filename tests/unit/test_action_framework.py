"""The one way to write a desk action (crous_desk.desk.action), held to its promises with small
actions written here: permission first, the target loaded and its scope checked, every problem
gathered before anything changes, one transaction (a refusal or an error rolls back audit rows
too), and no change without an audit row."""

from __future__ import annotations

import pytest

from crous_desk.base.clock import FixedClock
from crous_desk.base.errors import Refused
from crous_desk.desk.action import Act, action, needs
from crous_desk.desk.context import Desk
from crous_desk.store.models import AuditLog, ExtensionRequest, InspectionItem, Room
from tests import factories, tenants
from tests.factories import MONDAY_10H


@action("room.status", target=Room)
def rename(act: Act, room: Room, floor: int, *, note: str = "", refuse: str = "") -> Room:
    """A small action on a room: every problem gathered, then one change, audited."""
    note = act.text(note, "the note", required=True)
    act.desk_open(room.residence, "rooms are renamed")
    act.check(None, [refuse or None, (None,)], "" if floor >= 0 else "the floor is below zero")
    with act.change():
        changed = Room.update(floor=floor).where(Room.id == room.id, Room.floor == room.floor)
        act.confirm(changed.execute(), f"room {room.number}")
        act.audit("room", room.id, before={"floor": room.floor}, after={"floor": floor})
    return Room.get_by_id(room.id)


def desk(at=MONDAY_10H, username="accueil", residence=None, **staff) -> Desk:
    return Desk(factories.staff(username, **staff), FixedClock(at), residence)


def audit_count() -> int:
    return AuditLog.select().count()


def test_the_action_changes_and_audits_once(database) -> None:
    room = factories.room(number="B-101")
    renamed = rename(desk(), room.id, 3, note="new plan")
    assert renamed.floor == 3
    entry = AuditLog.select().order_by(AuditLog.id.desc()).get()
    assert (entry.action, entry.actor, entry.entity, entry.entity_id) == (
        "room.status",
        "accueil",
        "room",
        room.id,
    )
    assert needs(rename) == "room.status" and rename.action_name == "room.status"


@pytest.mark.bare_refusal
def test_every_problem_is_given_at_once_and_nothing_changes(database) -> None:
    room = factories.room(number="B-101")
    before = audit_count()
    with pytest.raises(Refused) as refused:
        rename(desk(tenants.SATURDAY_10H), room.id, -1, note="", refuse="not today")
    assert refused.value.codes == ("text_required", "desk_closed", "refused", "refused")
    assert refused.value.reasons[2:] == ("not today", "the floor is below zero")
    assert "rooms are renamed only at the desk" in refused.value.reasons[1]
    assert Room.get_by_id(room.id).floor == 1 and audit_count() == before


def test_a_missing_row_is_refused_at_once(database) -> None:
    with pytest.raises(Refused) as refused:
        rename(desk(), 999, 2, note="x")
    assert refused.value.codes == ("not_found",)
    assert refused.value.reasons == ("no room #999",)


def test_the_permission_comes_before_anything_else(database) -> None:
    room = factories.room(number="B-101")
    manager = desk(username="m.durand", role="mobility_manager", scope=(("campus", "*"),))
    with pytest.raises(Refused) as refused:
        rename(manager, room.id, -1, note="")  # the other problems are not even looked at
    assert len(refused.value.reasons) == 1 and "mobility manager" in refused.value.reasons[0]


def test_a_room_of_another_residence_is_out_of_this_desks_scope(database) -> None:
    elsewhere = factories.residence("saint-jerome", "Résidence Saint-Jérôme")
    room = factories.room(elsewhere, number="C-101")
    with pytest.raises(Refused) as refused:
        rename(desk(residence=factories.residence()), room.id, 2, note="x")
    assert refused.value.codes == ("other_residence",)
    assert Room.get_by_id(room.id).floor == 1


def test_a_change_another_desk_made_first_is_refused_and_rolled_back(database) -> None:
    room = factories.room(number="B-101")

    @action("room.status", target=Room)
    def twice(act: Act, room: Room) -> None:
        with act.change():
            act.audit("room", room.id, after={"first": True})
            act.confirm(0, f"room {room.number}")  # the second write found nothing to change

    before = audit_count()
    with pytest.raises(Refused) as refused:
        twice(desk(), room.id)
    assert refused.value.codes == ("changed_meanwhile",)
    assert refused.value.reasons == ("another desk changed room B-101 just now; look again",)
    assert audit_count() == before  # the audit row went with the transaction


def test_a_change_without_an_audit_row_is_a_programming_error(database) -> None:
    room = factories.room(number="B-101")

    @action("room.status", target=Room)
    def silent(act: Act, room: Room) -> None:
        with act.change():
            Room.update(floor=7).where(Room.id == room.id).execute()

    @action("room.status", target=Room)
    def early(act: Act, room: Room) -> None:
        act.audit("room", room.id)

    with pytest.raises(RuntimeError, match="without an audit row"):
        silent(desk(), room.id)
    assert Room.get_by_id(room.id).floor == 1  # rolled back
    with pytest.raises(RuntimeError, match=r"inside act\.change"):
        early(desk(), room.id)


@pytest.mark.bare_refusal
def test_problems_noted_without_a_change_still_refuse(database) -> None:
    room = factories.room(number="B-101")

    @action("room.view", target=Room)
    def look(act: Act, room: Room) -> str:
        act.check("nothing to see")
        return room.number

    with pytest.raises(Refused, match="nothing to see"):
        look(desk(), room.id)


def test_an_unknown_permission_is_refused_when_the_action_is_written() -> None:
    with pytest.raises(ValueError, match=r"unknown permission 'rooms\.paint'"):
        action("rooms.paint")


def test_the_scope_of_an_inspection_item_and_an_extension_is_their_rooms(database) -> None:
    """Rows that are not rooms are placed by the room they belong to."""
    elsewhere = factories.residence("saint-jerome", "Résidence Saint-Jérôme")
    tenant = tenants.tenant(factories.room(elsewhere, number="C-101"))
    item = InspectionItem.select().first()
    request = ExtensionRequest.create(
        reservation=tenant,
        requested_at=MONDAY_10H,
        requested_by=factories.staff(),
        previous_end=tenant.lease_end,
        requested_end=tenant.lease_end,
        reason="exams",
    )
    here = desk(residence=factories.residence())

    @action("inspection.record", target=InspectionItem)
    def touch_item(act: Act, item: InspectionItem) -> None:
        pass

    @action("extension.request", target=ExtensionRequest)
    def touch_request(act: Act, request: ExtensionRequest) -> None:
        pass

    for touch, row in ((touch_item, item), (touch_request, request)):
        with pytest.raises(Refused) as refused:
            touch(here, row.id)
        assert refused.value.reasons == ("room C-101 belongs to another residence",)
        touch(desk(residence=elsewhere), row.id)  # the desk of its residence may
