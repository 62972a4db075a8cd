"""Tenancy: overstays, extension requests (a granted one moves the lease end and re-opens the
insurance check), and the room's status through the stay."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime

import peewee
import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from crous_desk import tenancy
from crous_desk.base.errors import Refused
from crous_desk.departure import actions as departure
from crous_desk.rules.rental_file import file_problems
from crous_desk.store.models import ROOM_STATUSES, ExtensionRequest, Reservation, Room
from tests import factories
from tests.factories import MONDAY_10H
from tests.tenants import (
    FRIDAY_10H,
    LEASE_END,
    addressed,
    desk_at,
    dump,
    last_audit,
    manager_at,
    tenant,
)

NOV_2 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday 2 November, 10:00 Paris
NEW_END = date(2027, 6, 30)


@pytest.fixture(autouse=True)
def _frozen(database: peewee.Database) -> Iterator[None]:
    with time_machine.travel(MONDAY_10H, tick=False):
        for username in ("accueil", "m.martin", "k.benali"):
            factories.staff(username)
        factories.residence()
        yield


def overstayer(number: str = "B-150", first: str = "Bea") -> Reservation:
    return tenant(
        factories.room(number=number),
        first=first,
        lease_start=date(2026, 11, 2),
        lease_end=date(2026, 11, 20),
        at=NOV_2,
    )


# --- overstays -------------------------------------------------------------------------------


def test_a_tenant_still_here_after_the_lease_end_is_an_overstay() -> None:
    late = overstayer()
    tenant(factories.room(number="B-151"), first="Ana")  # lease until April
    overstays = tenancy.overstays(desk_at(MONDAY_10H))
    assert [(o.reservation_id, o.room, o.days_over, o.keys_out) for o in overstays] == [
        (late.id, "B-150", 3, 1)
    ]
    # on the lease end day itself the tenant may still be here
    assert tenancy.overstays(desk_at(datetime(2026, 11, 20, 15, 0, tzinfo=UTC))) == []


def test_overstaying_is_read_on_the_residence_s_day() -> None:
    assert tenancy.overstaying("checked_in", date(2026, 11, 20), date(2026, 11, 21))
    assert not tenancy.overstaying("checked_in", date(2026, 11, 20), date(2026, 11, 20))
    assert not tenancy.overstaying("departed", date(2026, 11, 20), date(2026, 11, 21))
    overstayer()
    # 23:30 UTC on the 20th is already the 21st in Paris (and still the 20th in New York)
    assert len(tenancy.overstays(desk_at(datetime(2026, 11, 20, 23, 30, tzinfo=UTC)))) == 1
    assert tenancy.overstays(desk_at(datetime(2026, 11, 20, 22, 30, tzinfo=UTC))) == []


# --- extensions ------------------------------------------------------------------------------


def test_a_granted_extension_moves_the_lease_end_and_re_opens_the_insurance_check() -> None:
    r = tenant()  # insurance covers exactly 23/11/2026 – 30/04/2027
    manager = desk_at(MONDAY_10H, "m.martin")
    facts = manager.document_facts(r)
    assert file_problems(facts, r.lease_start, r.lease_end, MONDAY_10H.date()) == []

    request = tenancy.request_extension(manager, r.id, NEW_END, "second semester added")
    assert (request.status, request.previous_end, request.requested_end) == (
        "pending",
        LEASE_END,
        NEW_END,
    )
    decision = tenancy.decide_extension(manager_at(MONDAY_10H), request.id, grant=True)

    got = Reservation.get_by_id(r.id)
    assert got.lease_end == NEW_END == decision.lease_end
    assert decision.file_problems == [
        "Insurance: cover ends 30/04/2027, before the lease end 30/06/2027"
    ]
    assert manager.file_view(r.id).file_problems == decision.file_problems
    decided = ExtensionRequest.get_by_id(request.id)
    assert (decided.status, decided.decided_by.username, decided.decided_at) == (
        "granted",
        "m.durand",
        MONDAY_10H,
    )
    entry = last_audit("extension.grant")
    assert json.loads(entry.before)["lease_end"] == "2027-04-30"
    assert json.loads(entry.after)["lease_end"] == "2027-06-30"

    # the insurer sends a new certificate: the file is complete again
    manager.verify_document(
        r.id, "insurance", covers_from=r.lease_start, covers_until=date(2027, 7, 31)
    )
    assert manager.file_view(r.id).file_problems == []


def test_a_refused_extension_leaves_the_lease_alone() -> None:
    r = tenant()
    desk = desk_at(MONDAY_10H)
    request = tenancy.request_extension(desk, r.id, NEW_END, "internship")
    manager = manager_at(MONDAY_10H)
    decision = tenancy.decide_extension(manager, request.id, grant=False, note="room re-let")
    assert decision.lease_end == LEASE_END == Reservation.get_by_id(r.id).lease_end
    assert ExtensionRequest.get_by_id(request.id).status == "refused"
    with pytest.raises(Refused, match="already decided"):
        tenancy.decide_extension(manager, request.id, grant=True)
    with pytest.raises(Refused, match="a receptionist cannot decide extension requests"):
        tenancy.decide_extension(desk, request.id, grant=True)


def test_an_extension_request_is_refused_with_every_reason() -> None:
    r = tenant()
    desk = desk_at(MONDAY_10H)
    tenancy.request_extension(desk, r.id, NEW_END, "internship")
    before = dump()
    with pytest.raises(Refused) as refused:
        tenancy.request_extension(desk, r.id, date(2027, 3, 1), "")
    assert set(refused.value.reasons) == {
        "the reason is required",
        "the new end must be after the current lease end, 30/04/2027",
        "an extension request is already waiting for a decision",
    }
    assert dump() == before
    refused_one = factories.reservation(first="Zoé", status="refused", documents="none")
    with pytest.raises(Refused, match="only an accepted reservation or a tenant"):
        tenancy.request_extension(desk, refused_one.id, NEW_END, "x")


def test_an_extension_is_not_granted_over_the_next_student_s_stay() -> None:
    room = factories.room(kind="traditional")
    r = tenant(room)
    nxt = factories.reservation(
        first="Zoé", room_=room, lease_start=date(2027, 5, 15), lease_end=date(2027, 12, 15)
    )
    desk = desk_at(MONDAY_10H)
    request = tenancy.request_extension(desk, r.id, NEW_END, "internship")
    manager = manager_at(MONDAY_10H)
    before = dump()
    with pytest.raises(Refused, match="is held by Zoé Dupont from 15/05/2027"):
        tenancy.decide_extension(manager, request.id, grant=True)
    assert dump() == before
    assert nxt.id


def test_a_granted_extension_ends_an_overstay() -> None:
    late = overstayer()
    desk = desk_at(MONDAY_10H)
    request = tenancy.request_extension(desk, late.id, date(2026, 12, 18), "exams moved")
    assert tenancy.overstays(desk)[0].pending_extension == date(2026, 12, 18)
    tenancy.decide_extension(manager_at(MONDAY_10H), request.id, grant=True)
    assert tenancy.overstays(desk) == []
    rows = tenancy.extension_requests(desk, status=None)
    assert [(row.name, row.status, row.decided_by) for row in rows] == [
        ("Bea Dupont", "granted", "m.durand")
    ]


# --- the room's status -----------------------------------------------------------------------


@given(st.sampled_from(ROOM_STATUSES), st.sampled_from(ROOM_STATUSES))
def test_the_transition_table_names_every_refusal(before: str, after: str) -> None:
    problem = tenancy.transition_problem("B-112", before, after)
    assert (problem is None) == (after in tenancy.ROOM_TRANSITIONS[before])
    if problem:
        assert problem.startswith("room B-112 is ")


def test_an_occupied_room_is_never_put_out_of_service_or_made_ready() -> None:
    assert tenancy.transition_problem("B-1", "occupied", "out_of_service")
    assert tenancy.transition_problem("B-1", "occupied", "available")
    assert tenancy.transition_problem("B-1", "available", "occupied")  # keys make it occupied


def test_out_of_service_is_set_and_lifted_with_a_reason() -> None:
    room = factories.room(number="C-010")
    desk = desk_at(MONDAY_10H)
    before = dump()
    with pytest.raises(Refused, match="the reason is required"):
        tenancy.set_out_of_service(desk, room.id, "")
    assert dump() == before
    tenancy.set_out_of_service(desk, room.id, "water leak in the shower")
    (row,) = tenancy.rooms(desk, status="out_of_service")
    assert (row.number, row.status_reason) == ("C-010", "water leak in the shower")
    assert json.loads(last_audit("room.status").after) == {
        "status": "out_of_service",
        "reason": "water leak in the shower",
    }
    tenancy.back_in_service(desk, room.id, note="plumber came")
    assert Room.get_by_id(room.id).status == "available"
    occupied = tenant().room
    with pytest.raises(Refused, match="is occupied: it cannot become out of service"):
        tenancy.set_out_of_service(desk, occupied.id, "leak")


def test_a_room_is_made_ready_only_after_a_departure_and_goes_to_the_next_student() -> None:
    room = factories.room()
    r = tenant(room, lease_end=date(2026, 11, 27))
    desk = desk_at(FRIDAY_10H)
    with pytest.raises(Refused, match="only a room to inspect is made ready"):
        tenancy.room_ready(desk, room.id)
    departure.acknowledge_check_out(desk, addressed(desk, departure.open_check_out(desk, r.id).id))
    departure.depart(desk, r.id)
    factories.reservation(
        first="Zoé", room_=room, lease_start=date(2027, 1, 4), lease_end=date(2027, 6, 30)
    )
    assert tenancy.room_ready(desk, room.id).status == "reserved"


def test_the_rooms_query_filters_by_status_kind_and_building() -> None:
    factories.room(number="A-001", kind="traditional")
    factories.room(number="A-002", kind="studio")
    factories.room(number="B-001", kind="studio")
    r = tenant(factories.room(number="B-002", kind="studio"), first="Ana")
    factories.room(factories.residence("luminy", "Résidence de Luminy"), number="A-003")
    desk = desk_at(MONDAY_10H)
    assert [row.number for row in tenancy.rooms(desk)] == ["A-001", "A-002", "B-001", "B-002"]
    assert [row.number for row in tenancy.rooms(desk, kind="studio", building="B")] == [
        "B-001",
        "B-002",
    ]
    (occupied,) = tenancy.rooms(desk, status="occupied")
    assert (occupied.number, occupied.tenants, occupied.keys_out, occupied.keys_at_desk) == (
        "B-002",
        ("Ana Dupont",),
        1,
        0,
    )
    assert occupied.kind_label == "Studio T1 with kitchenette"
    assert r.id


def test_the_rooms_list_names_its_rooms_by_their_conditions_not_by_a_list_of_ids(
    database: peewee.Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """However many rooms, each statement of the list carries a few parameters (a residence's
    hundreds of room ids are slow to build and to send to a server)."""
    for n in range(40):
        factories.room(number=f"A-{n:03d}")
    tenant(factories.room(number="B-001"), first="Ana")
    counts: list[int] = []
    run = database.execute_sql

    def counted(sql: str, params: object = None, *args: object, **kwargs: object) -> object:
        counts.append(len(params or ()))  # type: ignore[arg-type]
        return run(sql, params, *args, **kwargs)

    monkeypatch.setattr(database, "execute_sql", counted)
    rows = tenancy.rooms(desk_at(MONDAY_10H))
    assert len(rows) == 41 and rows[-1].tenants == ("Ana Dupont",) and rows[-1].keys_out == 1
    assert counts and max(counts) < 10, counts
