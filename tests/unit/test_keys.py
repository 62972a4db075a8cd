"""Keys: the inventory says where every set is, the log says who held which set when and who
handed it; taking a set back follows desk hours; a lost set is blocked, replaced and charged."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import peewee
import pytest
import time_machine

from crous_desk import keys
from crous_desk.base.errors import Refused
from crous_desk.desk.action import Act
from crous_desk.money import prices
from crous_desk.store.models import Charge, KeyLoan, KeyLog, KeySet, Reservation
from tests import factories
from tests.factories import FRIDAY_17H, MONDAY_10H
from tests.tenants import SATURDAY_10H, counts, desk_at, dump, last_audit, ready, tenant


@pytest.fixture(autouse=True)
def _frozen(database: peewee.Database) -> Iterator[None]:
    with time_machine.travel(MONDAY_10H, tick=False):
        for username in ("accueil", "m.martin", "k.benali"):
            factories.staff(username)
        factories.residence()
        yield


def the_set(r: Reservation) -> KeySet:
    return KeySet.get(KeySet.room == r.room_id)


# --- where the keys are ----------------------------------------------------------------------


def test_the_inventory_says_where_every_set_is() -> None:
    at_desk = factories.room(number="B-101")
    hélène = tenant(factories.room(number="B-102"))
    lost_room = factories.room(number="B-103")
    loaned = factories.room(number="B-104")
    other = factories.residence("luminy", "Résidence de Luminy")
    factories.room(other, number="B-101")  # same door number, another residence
    desk = desk_at(MONDAY_10H)
    keys.declare_lost(desk, KeySet.get(KeySet.room == lost_room).id)
    due = MONDAY_10H + timedelta(hours=3)
    keys.lend(desk, KeySet.get(KeySet.room == loaned).id, "Plomberie Durand", due)

    rows = keys.inventory(desk)
    where = {row.label: (row.room, row.location, row.holder, row.reference) for row in rows}
    assert where == {
        "GAS/B-101/1": ("B-101", "desk", "", ""),
        "GAS/B-102/1": ("B-102", "tenant", "Hélène Dupont", hélène.reference),
        "GAS/B-103/1": ("B-103", "lost", "", ""),
        "GAS/B-103/2": ("B-103", "desk", "", ""),
        "GAS/B-104/1": ("B-104", "loan", "Plomberie Durand", ""),
    }
    loan_row = next(r for r in rows if r.location == "loan")
    assert loan_row.due_at == due
    assert next(r for r in rows if r.location == "tenant").since == MONDAY_10H
    assert [r.label for r in keys.inventory(desk, room_id=at_desk.id)] == ["GAS/B-101/1"]
    assert {r.label for r in keys.inventory(desk, states=["lost", "out"])} == {
        "GAS/B-102/1",
        "GAS/B-103/1",
        "GAS/B-104/1",
    }


# --- taking a set back -----------------------------------------------------------------------


def test_take_back_puts_the_set_at_the_desk_with_a_log_and_an_audit_row() -> None:
    r = tenant()
    key_set = the_set(r)
    later = MONDAY_10H + timedelta(hours=2)
    got = keys.take_back(desk_at(later, "k.benali"), key_set.id, from_reservation=r.id)

    assert (got.state, got.holder_id) == ("desk", None)
    entries = list(KeyLog.select().where(KeyLog.key_set == key_set).order_by(KeyLog.id))
    assert [(e.action, e.reservation_id, e.staff.username) for e in entries] == [
        ("handover", r.id, "m.martin"),
        ("return", r.id, "k.benali"),
    ]
    assert entries[-1].at == later
    entry = last_audit("keys.return")
    assert (entry.actor, entry.entity_id, entry.reservation_id) == ("k.benali", key_set.id, r.id)
    assert json.loads(entry.before)["state"] == "out"
    assert json.loads(entry.before)["holder"] == r.id
    assert json.loads(entry.after) == {"state": "desk", "holder": None}


@pytest.mark.parametrize(
    ("when", "opens"),
    [
        (FRIDAY_17H, "Desk closed — opens Monday 09:00"),
        (SATURDAY_10H, "Desk closed — opens Monday 09:00"),
        (datetime(2026, 12, 25, 10, 0, tzinfo=UTC), "Desk closed — opens Monday 09:00"),  # Friday
        (datetime(2026, 11, 24, 7, 30, tzinfo=UTC), "Desk closed — opens today 09:00"),  # 08:30
    ],
)
def test_a_key_return_outside_desk_hours_is_refused_and_changes_nothing(
    when: datetime, opens: str
) -> None:
    r = tenant()
    key_set = the_set(r)
    before = dump()
    with pytest.raises(Refused) as refused:
        keys.take_back(desk_at(when), key_set.id)
    (reason,) = refused.value.reasons
    assert "the desk is closed: keys are taken back only at the desk" in reason
    assert opens in reason
    assert dump() == before
    assert (KeySet.get_by_id(key_set.id).state, KeySet.get_by_id(key_set.id).holder_id) == (
        "out",
        r.id,
    )


def test_a_refused_return_gives_every_reason_at_once() -> None:
    key_set = KeySet.get(KeySet.room == factories.room())
    before = counts()
    with pytest.raises(Refused) as refused:
        keys.take_back(desk_at(FRIDAY_17H), key_set.id, note="bad\x1b[31m")
    text = str(refused.value)
    assert len(refused.value.reasons) == 3
    assert "desk is closed" in text
    assert "is at the desk: taking it back is not possible" in text
    assert "control or invisible" in text
    assert counts() == before


def test_take_back_from_a_tenant_who_no_longer_holds_the_set_is_refused() -> None:
    flat = factories.room(kind="flat_t2", key_sets=1)
    first = tenant(flat, first="Ana")
    second = ready(flat, first="Zoé")
    key_set = the_set(first)
    desk = desk_at(MONDAY_10H)
    keys.take_back(desk, key_set.id, from_reservation=first.id)
    desk.hand_over_keys(second.id)
    before = dump()
    with pytest.raises(Refused, match="no longer with that tenant"):
        keys.take_back(desk, key_set.id, from_reservation=first.id)
    assert dump() == before


def test_a_set_moves_only_from_the_state_it_was_read_in() -> None:
    r = tenant()
    stale = the_set(r)
    KeySet.update(state="desk", holder=None).where(KeySet.id == stale.id).execute()
    before = dump()
    act = Act(desk_at(MONDAY_10H), "keys.lost", "keys.manage")
    with pytest.raises(Refused, match="another desk changed key set"):
        keys.move_set(act, stale, state="lost")
    assert dump() == before


def test_another_residence_s_keys_are_not_this_desk_s() -> None:
    luminy = factories.residence("luminy", "Résidence de Luminy")
    r = tenant(factories.room(luminy, number="L-001"))
    with pytest.raises(Refused, match="belongs to another residence"):
        keys.take_back(desk_at(MONDAY_10H), the_set(r).id)
    assert keys.inventory(desk_at(MONDAY_10H)) == []
    assert len(keys.inventory(desk_at(MONDAY_10H, residence=luminy))) == 1


# --- lost keys -------------------------------------------------------------------------------


def test_a_lost_set_is_blocked_replaced_and_charged_and_the_log_says_who_and_when() -> None:
    r = tenant(factories.room(number="B-112"))
    lost = the_set(r)
    when = SATURDAY_10H  # declaring a loss is not bound to the desk
    result = keys.declare_lost(desk_at(when, "k.benali"), lost.id, note="lost in the metro")

    old = KeySet.get_by_id(lost.id)
    assert (old.state, old.holder_id) == ("lost", None)
    new = KeySet.get_by_id(result.replacement.id)
    assert (new.label, new.state, new.holder_id, new.room_id) == (
        "GAS/B-112/2",
        "desk",
        None,
        r.room_id,
    )
    charge = Charge.get()
    assert (charge.kind, charge.reservation_id, charge.amount_cents, charge.key_set_id) == (
        "lost_key",
        r.id,
        prices.default_prices().lost_key_set_cents(),
        lost.id,
    )
    assert charge.amount_cents == 4500
    assert (charge.staff.username, charge.at) == ("k.benali", when)

    log = {
        (e.key_set_id, e.action): e
        for e in KeyLog.select().where(KeyLog.at == when).order_by(KeyLog.id)
    }
    assert set(log) == {(lost.id, "lost"), (new.id, "replaced")}
    assert log[lost.id, "lost"].reservation_id == r.id
    assert log[lost.id, "lost"].staff.username == "k.benali"
    assert log[lost.id, "lost"].note == "lost in the metro"
    assert log[new.id, "replaced"].note == "replaces GAS/B-112/1"
    rows = keys.key_log(desk_at(when), reservation_id=r.id)
    assert [(row.action, row.staff, row.at) for row in rows] == [
        ("lost", "k.benali", when),
        ("handover", "m.martin", MONDAY_10H),
    ]
    audit = last_audit("keys.lost")
    assert json.loads(audit.before) == {"state": "out", "holder": r.id}
    assert json.loads(audit.after)["replacement"] == "GAS/B-112/2"

    # the tenant comes to the desk on Monday and gets the replacement
    monday = MONDAY_10H + timedelta(days=7)
    given = keys.reissue(desk_at(monday), new.id, r.id)
    assert (given.state, given.holder_id) == ("out", r.id)
    assert keys.key_log(desk_at(monday), key_set_id=new.id)[0].action == "handover"


def test_a_residence_s_own_lost_key_price_is_charged() -> None:
    r = tenant()
    desk = desk_at(MONDAY_10H)
    prices.set_price(desk, "lost_key_set", "", 6000)
    assert keys.declare_lost(desk, the_set(r).id).charge is not None
    assert Charge.get().amount_cents == 6000


def test_a_set_lost_at_the_desk_is_replaced_without_a_charge() -> None:
    key_set = KeySet.get(KeySet.room == factories.room(number="B-120"))
    result = keys.declare_lost(desk_at(MONDAY_10H), key_set.id)
    assert result.charge is None
    assert Charge.select().count() == 0
    assert result.replacement.label == "GAS/B-120/2"


def test_a_lost_or_retired_set_cannot_be_lost_again() -> None:
    key_set = KeySet.get(KeySet.room == factories.room())
    desk = desk_at(MONDAY_10H)
    keys.declare_lost(desk, key_set.id)
    before = dump()
    with pytest.raises(Refused, match="is lost: declaring it lost is not possible"):
        keys.declare_lost(desk, key_set.id)
    assert dump() == before


# --- retire, add, lend, reissue --------------------------------------------------------------


def test_retire_needs_a_reason_and_a_set_that_is_not_out() -> None:
    r = tenant()
    desk = desk_at(MONDAY_10H)
    before = dump()
    with pytest.raises(Refused) as refused:
        keys.retire(desk, the_set(r).id, "  ")
    assert set(refused.value.reasons) == {
        "key set GAS/B-001/1 is out: retiring it is not possible",
        "the reason is required",
    }
    assert dump() == before

    spare = keys.add_key_set(desk, r.room_id, note="spare from the locksmith")
    assert spare.label == "GAS/B-001/2"
    retired = keys.retire(desk, spare.id, "worn out")
    assert retired.state == "retired"
    assert keys.key_log(desk, key_set_id=spare.id)[0].note == "worn out"


def test_a_loan_is_desk_bound_due_later_and_closed_by_the_return() -> None:
    key_set = KeySet.get(KeySet.room == factories.room())
    desk = desk_at(MONDAY_10H)
    before = dump()
    with pytest.raises(Refused) as refused:
        keys.lend(desk_at(FRIDAY_17H), key_set.id, "", FRIDAY_17H - timedelta(hours=1))
    assert len(refused.value.reasons) == 3  # desk closed, no borrower, due in the past
    assert dump() == before

    loan = keys.lend(desk, key_set.id, "Plomberie Durand", MONDAY_10H + timedelta(hours=2))
    assert KeySet.get_by_id(key_set.id).state == "out"
    keys.take_back(desk_at(MONDAY_10H + timedelta(hours=1), "k.benali"), key_set.id)
    closed = KeyLoan.get_by_id(loan.id)
    assert closed.returned_at == MONDAY_10H + timedelta(hours=1)
    assert closed.returned_by.username == "k.benali"


def test_reissue_is_for_a_tenant_of_that_room_only() -> None:
    r = tenant()
    other_room = factories.room()
    spare = KeySet.get(KeySet.room == other_room)
    with pytest.raises(Refused, match="not for this tenant's room"):
        keys.reissue(desk_at(MONDAY_10H), spare.id, r.id)
    stranger = factories.reservation(room_=other_room, first="Zoé")
    with pytest.raises(Refused, match="only a tenant who lives here"):
        keys.reissue(desk_at(MONDAY_10H), spare.id, stranger.id)


# --- the key log -----------------------------------------------------------------------------


def test_the_key_log_filters_by_room_tenant_staff_and_paris_days() -> None:
    first = tenant(factories.room(number="B-201"), first="Ana")
    second = tenant(factories.room(number="B-202"), first="Zoé")
    # Tuesday 00:30 in Paris is still Monday 18:30 in New York (the machine's zone)
    tuesday_night = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
    keys.declare_lost(desk_at(tuesday_night, "k.benali"), the_set(first).id)
    desk = desk_at(tuesday_night)

    def actions(**filters: object) -> list[tuple[str, str]]:
        return [(row.label, row.action) for row in keys.key_log(desk, **filters)]  # type: ignore[arg-type]

    assert actions(room_id=second.room_id) == [("GAS/B-202/1", "handover")]
    assert actions(reservation_id=first.id) == [
        ("GAS/B-201/1", "lost"),
        ("GAS/B-201/1", "handover"),
    ]
    assert actions(student_id=second.student_id) == [("GAS/B-202/1", "handover")]
    assert actions(staff_id=factories.staff("k.benali").id) == [
        ("GAS/B-201/2", "replaced"),
        ("GAS/B-201/1", "lost"),
    ]
    tuesday = date(2026, 11, 24)
    assert actions(first_day=tuesday) == [("GAS/B-201/2", "replaced"), ("GAS/B-201/1", "lost")]
    assert actions(last_day=tuesday - timedelta(days=1)) == [
        ("GAS/B-202/1", "handover"),
        ("GAS/B-201/1", "handover"),
    ]
    row = keys.key_log(desk, reservation_id=first.id)[-1]
    assert (row.tenant, row.staff, row.staff_name, row.room) == (
        "Ana Dupont",
        "m.martin",
        "M.Martin",
        "B-201",
    )


def test_the_key_log_is_append_only(database: peewee.Database) -> None:
    r = tenant()
    entry = KeyLog.get(KeyLog.reservation == r.id)
    with pytest.raises(peewee.IntegrityError, match="append-only"):
        KeyLog.update(staff=factories.staff("k.benali")).where(KeyLog.id == entry.id).execute()
    with pytest.raises(peewee.IntegrityError, match="append-only"):
        KeyLog.delete().where(KeyLog.id == entry.id).execute()
    assert KeyLog.get_by_id(entry.id).staff.username == "m.martin"


# --- the 17:00 closing -----------------------------------------------------------------------


def test_the_closing_lists_every_set_that_should_not_stay_out_tonight() -> None:
    nov_2 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday, 10:00 Paris
    staying = tenant(factories.room(number="B-301"), first="Ana")
    ended = tenant(
        factories.room(number="B-302"),
        first="Bea",
        lease_start=date(2026, 11, 2),
        lease_end=date(2026, 11, 20),
        at=nov_2,
    )
    ends_today = tenant(
        factories.room(number="B-303"),
        first="Cleo",
        lease_start=date(2026, 11, 2),
        lease_end=date(2026, 11, 23),
        at=nov_2,
    )
    gone = tenant(factories.room(number="B-304"), first="Dan")
    Reservation.update(status="departed").where(Reservation.id == gone.id).execute()
    desk = desk_at(MONDAY_10H)
    keys.lend(
        desk,
        KeySet.get(KeySet.room == factories.room(number="B-305")).id,
        "Durand",
        MONDAY_10H + timedelta(hours=2),
    )
    keys.lend(
        desk,
        KeySet.get(KeySet.room == factories.room(number="B-306")).id,
        "Leroy",
        MONDAY_10H + timedelta(days=1),
    )

    at_noon = desk_at(MONDAY_10H + timedelta(hours=2, minutes=30))
    closing = {(k.room, k.reason) for k in keys.closing_check(at_noon)}
    assert closing == {
        ("B-302", "lease_ended"),
        ("B-303", "lease_ends_today"),
        ("B-304", "departed"),
        ("B-305", "loan_overdue"),
    }
    now = {(k.room, k.reason) for k in keys.keys_to_return(desk)}  # 10:00: the loan is not due
    assert now == {("B-302", "lease_ended"), ("B-304", "departed")}
    messages = {k.room: k.message for k in keys.closing_check(at_noon)}
    assert messages["B-302"] == "the lease of Bea Dupont ended on 20/11/2026"
    assert messages["B-305"] == "lent to Durand, due back 23/11/2026 12:00"
    assert staying.id not in {k.reservation_id for k in keys.closing_check(at_noon)}
    assert ended.id in {k.reservation_id for k in keys.closing_check(at_noon)}
    assert ends_today.id in {k.reservation_id for k in keys.closing_check(at_noon)}


def test_reissue_refuses_a_second_set_to_a_tenant_who_holds_one(database) -> None:
    """A couple's flat has two sets: one tenant never takes both."""
    room = factories.room(number="F-201", kind="flat_t2", key_sets=2)
    res = tenant(room)
    spare = KeySet.get(KeySet.room == room, KeySet.state == "desk")
    with pytest.raises(Refused, match="already holds a key set"):
        keys.reissue(desk_at(MONDAY_10H + timedelta(hours=1)), spare.id, res.id)
    assert KeySet.get_by_id(spare.id).state == "desk"
