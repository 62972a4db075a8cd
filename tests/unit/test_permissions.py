"""Who may do what, where: every role × every action through the real service call, and the
scopes (a receptionist's residences, a manager's students). The expected table is written out
here, not read from crous_desk.permissions, so a change of the matrix has to change this test."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crous_desk import keys, mail, outbox
from crous_desk import rooms as tenancy
from crous_desk.arrivals import appointments, slips
from crous_desk.base.clock import PARIS, FixedClock
from crous_desk.base.errors import Refused
from crous_desk.departure import actions as departure
from crous_desk.departure import move
from crous_desk.desk import permissions
from crous_desk.money import ledger, prices
from crous_desk.office import accueil, exports, personal_data, pipeline, setup
from crous_desk.people import audit, staff
from crous_desk.services import Desk
from crous_desk.store.models import (
    ExtensionRequest,
    KeySet,
    Reservation,
    Residence,
    Staff,
    Student,
)
from tests import factories
from tests.factories import MONDAY_10H

R, M, A = "receptionist", "mobility_manager", "administrator"
EXPECTED = {
    "reservation.view": {R, M, A},
    "document.verify": {R, A},
    "proposal.send": {R, A},
    "proposal.answer": {R, M, A},
    "ine.record": {M, A},
    "inspection.record": {R, A},
    "keys.view": {R, A},
    "keys.handover": {R, A},
    "keys.return": {R, A},
    "keys.manage": {R, A},
    "appointment.book": {R, A},
    "slip.print": {R, A},
    "departure.manage": {R, A},
    "room.view": {R, A},
    "room.status": {R, A},
    "price.set": {R, A},
    "extension.request": {R, M, A},
    "extension.decide": {M, A},
    "pipeline.view": {M, A},
    "student.import": {M, A},
    "export.pipeline": {M, A},
    "export.arrivals": {R, A},
    "export.keylog": {R, A},
    "export.audit": {A},
    "audit.view": {A},
    "staff.manage": {A},
    "residence.manage": {A},
    "mail.view": {A},
    "mail.manage": {A},
    "ledger.record": {R, A},
    "export.ledger": {R, A},
    "person.data": {A},
    "stay.move": {R, A},
}


def test_the_matrix_names_every_action() -> None:
    assert set(permissions.MATRIX) == set(EXPECTED)
    assert {a: set(r) for a, r in permissions.MATRIX.items()} == EXPECTED


class World:
    """One residence, a tenant, an accepted arrival, an open proposal, a pending extension."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.residence = factories.residence()
        self.room = factories.room(number="B-101", key_sets=2)
        self.accepted = factories.reservation(room_=self.room, documents="verified")
        self.proposed = factories.reservation(
            first="Zoé", status="proposed", sent_at=MONDAY_10H - timedelta(hours=2)
        )
        self.tenant = factories.reservation(first="Inès", status="checked_in")
        KeySet.update(state="out", holder=self.tenant).where(
            KeySet.room == self.tenant.room_id
        ).execute()
        self.request = ExtensionRequest.create(
            reservation=self.tenant,
            previous_end=self.tenant.lease_end,
            requested_end=self.tenant.lease_end + timedelta(days=30),
            reason="internship",
            requested_by=factories.staff(),
            requested_at=MONDAY_10H,
        )
        self.n = 0

    def file(self, name: str) -> Path:
        self.n += 1
        return self.tmp / f"{self.n}-{name}"


def account(role: str) -> Staff:
    scope = {R: (("residence", "*"),), M: (("campus", "*"),), A: ()}[role]
    return factories.staff(f"the-{role}", role=role, scope=scope)


def desk_for(role: str, residence: Residence | None) -> Desk:
    return Desk(account(role), FixedClock(MONDAY_10H), None if role == M else residence)


CALLS: dict[str, Callable[[Desk, World], Any]] = {
    "reservation.view": lambda d, w: d.file_view(w.accepted.id),
    "document.verify": lambda d, w: d.verify_document(w.accepted.id, "info_form"),
    "proposal.answer": lambda d, w: d.refuse(w.proposed.id),
    "ine.record": lambda d, w: pipeline.record_ine(d, w.proposed.student_id, "0123456789Z"),
    "inspection.record": lambda d, w: d.open_inspection(w.accepted.id),
    "keys.view": lambda d, w: keys.inventory(d),
    "keys.handover": lambda d, w: d.hand_over_keys(w.accepted.id),
    "keys.return": lambda d, w: keys.take_back(d, KeySet.get(KeySet.holder == w.tenant.id).id),
    "keys.manage": lambda d, w: keys.add_key_set(d, w.room.id),
    "appointment.book": lambda d, w: appointments.bookable(d, w.accepted.id),
    "slip.print": lambda d, w: slips.desk_slips(d, [w.accepted.id]),
    "departure.manage": lambda d, w: departure.book_departure(
        d, w.tenant.id, datetime(2026, 11, 24, 15, 0, tzinfo=PARIS)
    ),
    "room.view": lambda d, w: tenancy.rooms(d),
    "room.status": lambda d, w: tenancy.set_out_of_service(d, w.room.id, "a leak"),
    "price.set": lambda d, w: prices.set_price(d, "Desk", "damaged", 9000),
    "extension.request": lambda d, w: tenancy.request_extension(
        d, w.accepted.id, date(2027, 6, 30), "second semester"
    ),
    "extension.decide": lambda d, w: tenancy.decide_extension(d, w.request.id, grant=False),
    "pipeline.view": lambda d, w: pipeline.pipeline(d),
    "student.import": lambda d, w: accueil.apply(d, []),
    "export.pipeline": lambda d, w: exports.export(d, "pipeline", w.file("p.csv")),
    "export.arrivals": lambda d, w: exports.export(
        d, "arrivals", w.file("a.csv"), day=date(2026, 11, 23)
    ),
    "export.keylog": lambda d, w: exports.export(d, "keylog", w.file("k.csv")),
    "export.audit": lambda d, w: exports.export(d, "audit", w.file("au.csv")),
    "audit.view": lambda d, w: audit.read(d),
    "staff.manage": lambda d, w: staff.staff_rows(d),
    "proposal.send": lambda d, w: d.send_proposal(w.accepted.id, w.room.number),
    "residence.manage": lambda d, w: setup.declare_closure(
        d, w.residence.id, "24/12/2026", "26/12/2026", "Christmas"
    ),
    "mail.view": lambda d, w: outbox.outbox_rows(d),
    "mail.manage": lambda d, w: mail.set_residence_addresses(
        d, w.residence.id, manager_email="gestion@example.org"
    ),
    "ledger.record": lambda d, w: ledger.record_movement(d, w.tenant.id, "payment", 4500),
    "export.ledger": lambda d, w: exports.export(d, "ledger", w.file("l.csv")),
    "person.data": lambda d, w: personal_data.person_data(d, w.accepted.student_id),
    "stay.move": lambda d, w: move.prepare_move(d, w.tenant.id, "B-101", reason="noise"),
}


def test_every_action_has_a_call() -> None:
    assert set(CALLS) == set(EXPECTED)


@pytest.mark.parametrize("role", [R, M, A])
@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_role_by_action(database, tmp_path: Path, role: str, action: str) -> None:
    world = World(tmp_path)
    desk = desk_for(role, world.residence)
    expected = role in EXPECTED[action]
    assert permissions.allowed(desk.actor, action) is expected
    refusal = f"a {permissions.role_label(role)} cannot"
    if expected:
        try:
            CALLS[action](desk, world)
        except Refused as refused:  # another rule may refuse; never the role
            assert refusal not in str(refused)
    else:
        with pytest.raises(Refused, match=refusal):
            CALLS[action](desk, world)


def test_a_disabled_account_can_do_nothing_more(database) -> None:
    r = factories.reservation(documents="received")
    desk = Desk(factories.staff(), FixedClock(MONDAY_10H), factories.residence())
    Staff.update(active=False).where(Staff.id == desk.actor.id).execute()
    with pytest.raises(Refused, match="the account accueil is disabled"):
        desk.verify_document(r.id, "info_form")


def test_one_reading_reads_the_account_once_and_the_next_one_reads_it_again(database) -> None:
    """A screen's data is read with the account as it was when the reading began; a change
    of the account is seen by the next reading (and by every check outside one)."""
    desk = Desk(factories.staff(), FixedClock(MONDAY_10H), factories.residence())
    with desk.reading():
        assert permissions.grant_of(desk.actor).active
        Staff.update(active=False).where(Staff.id == desk.actor.id).execute()
        assert permissions.grant_of(desk.actor).active  # the reading's, read at its start
        tenancy.rooms(desk)  # a reading inside a reading: the same one
    assert not permissions.grant_of(desk.actor).active
    with pytest.raises(Refused, match="the account accueil is disabled"):
        tenancy.rooms(desk)


# -- scopes -------------------------------------------------------------------------------------


@pytest.fixture
def two_residences(database) -> dict[str, Any]:
    gaston = factories.residence()
    luminy = factories.residence("luminy", "Résidence de Luminy")
    here = factories.reservation(first="Hélène", room_=factories.room(gaston, "B-101"))
    there = factories.reservation(first="Zoé", room_=factories.room(luminy, "L-201"))
    Student.update(campus="Luminy", home_university="Universität Heidelberg").where(
        Student.id == there.student_id
    ).execute()
    Student.update(campus="Aix", home_university="Universidade de Lisboa").where(
        Student.id == here.student_id
    ).execute()
    return {"gaston": gaston, "luminy": luminy, "here": here, "there": there}


def test_a_receptionist_sees_only_their_residences(two_residences: dict[str, Any]) -> None:
    gaston, here, there = (two_residences[k] for k in ("gaston", "here", "there"))
    member = factories.staff("r.gaston", scope=(("residence", "gaston-berger"),))
    desk = Desk(member, FixedClock(MONDAY_10H), None)  # even a desk opened on no residence
    assert [row.name for row in desk.search("dupont")] == ["Hélène Dupont"]
    assert desk.find_reference(there.reference) is None
    with pytest.raises(Refused, match=f"reservation {there.reference} is not in your residences"):
        desk.file_view(there.id)
    with pytest.raises(Refused, match="room L-201 is not in your residences"):
        keys.add_key_set(desk, there.room_id)
    desk.file_view(here.id)
    # the desk of such a receptionist opens on one of their residences, never another
    assert permissions.desk_residence(member, None) == gaston
    with pytest.raises(Refused, match="not one of your residences"):
        permissions.desk_residence(member, two_residences["luminy"])


def test_a_manager_sees_only_their_students(two_residences: dict[str, Any]) -> None:
    here, there = two_residences["here"], two_residences["there"]
    member = factories.manager("m.luminy", ("campus", "Luminy"))
    desk = Desk(member, FixedClock(MONDAY_10H), None)
    assert [row.name for row in desk.search("dupont")] == ["Zoé Dupont"]
    assert [row.name for row in pipeline.pipeline(desk).rows] == ["Zoé Dupont"]
    with pytest.raises(Refused, match=f"reservation {here.reference} is not one of your students'"):
        desk.file_view(here.id)
    with pytest.raises(Refused, match="Hélène Dupont is not one of your students"):
        pipeline.record_ine(desk, here.student_id, "0123456789Z")
    desk.file_view(there.id)
    by_university = factories.manager("m.lisboa", ("university", "Universidade de Lisboa"))
    other = Desk(by_university, FixedClock(MONDAY_10H), None)
    assert [row.name for row in other.search("dupont")] == ["Hélène Dupont"]
    assert permissions.desk_residence(member, two_residences["gaston"]) is None


def test_a_manager_decides_the_extensions_of_their_students_only(
    two_residences: dict[str, Any],
) -> None:
    here, there = two_residences["here"], two_residences["there"]
    requests = {}
    for r in (here, there):
        Reservation.update(status="checked_in").where(Reservation.id == r.id).execute()
        requests[r.id] = tenancy.request_extension(
            Desk(factories.staff(), FixedClock(MONDAY_10H), None),
            r.id,
            r.lease_end + timedelta(days=10),
            "exams",
        )
    desk = Desk(factories.manager("m.luminy", ("campus", "Luminy")), FixedClock(MONDAY_10H))
    assert [row.reservation_id for row in tenancy.extension_requests(desk)] == [there.id]
    assert [row.reservation_id for row in pipeline.pending_extensions(desk)] == [there.id]
    with pytest.raises(Refused, match="not one of your students'"):
        tenancy.decide_extension(desk, requests[here.id].id, grant=True)
    tenancy.decide_extension(desk, requests[there.id].id, grant=True)
