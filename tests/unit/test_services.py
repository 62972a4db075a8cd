"""The desk's actions on a real SQLite file: each checks its rule, records who did it, and a
refused action changes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import peewee
import pytest
import time_machine

from crous_desk.base.clock import FixedClock
from crous_desk.base.errors import Refused
from crous_desk.services import Desk
from crous_desk.store.models import (
    ALL_MODELS,
    AuditLog,
    Document,
    Inspection,
    InspectionItem,
    KeyLog,
    KeySet,
    Reservation,
    Room,
    db,
)
from tests import factories
from tests.factories import FRIDAY_17H, MONDAY_10H
from tests.tenants import read_meters

LEASE_START = date(2026, 11, 23)
LEASE_END = date(2027, 4, 30)

GOOD_FACTS: dict[str, dict[str, Any]] = {
    "insurance": {"covers_from": LEASE_START, "covers_until": LEASE_END},
    "info_form": {},
    "guarantor": {"guarantor_kind": "physical"},
    "school": {},
    "identity": {"id_expires": date(2030, 1, 31)},
}


@pytest.fixture(autouse=True)
def _frozen(database: peewee.Database) -> Iterator[None]:
    """The wall clock, should anything read it, says Monday 10:00 Paris too; the staff exist."""
    with time_machine.travel(MONDAY_10H, tick=False):
        for username in ("accueil", "m.martin", "k.benali"):
            factories.staff(username)
        factories.residence()
        yield


def desk_at(when: datetime, username: str = "accueil") -> Desk:
    return Desk(factories.staff(username), FixedClock(when), factories.residence())


def counts() -> dict[str, int]:
    found = {model.__name__: model.select().count() for model in ALL_MODELS}
    found["search_index"] = db.execute_sql("SELECT count(*) FROM search_word").fetchone()[0]
    return found


def row(model: type[peewee.Model], id_: int) -> dict[str, Any]:
    return dict(model.get_by_id(id_).__data__)


def last_audit() -> AuditLog:
    return AuditLog.select().order_by(AuditLog.id.desc()).get()


# --- documents -------------------------------------------------------------------------------


def test_verify_records_who_and_when_with_an_audit_row() -> None:
    r = factories.reservation(documents="received")
    doc_before = Document.get(reservation=r, kind="insurance")
    desk = desk_at(MONDAY_10H, "m.martin")
    desk.verify_document(r.id, "insurance", covers_from=LEASE_START, covers_until=LEASE_END)

    doc = Document.get(reservation=r, kind="insurance")
    assert doc.verified_by.username == "m.martin"
    assert doc.verified_at == MONDAY_10H
    assert doc.verified_at.utcoffset() == timedelta(0)
    assert doc.received_at == doc_before.received_at  # received earlier: kept
    assert (doc.covers_from, doc.covers_until) == (LEASE_START, LEASE_END)

    entry = last_audit()
    assert (entry.actor, entry.action, entry.entity, entry.entity_id) == (
        "m.martin",
        "document.verify",
        "document",
        doc.id,
    )
    assert entry.reservation_id == r.id
    assert entry.at == MONDAY_10H
    before, after = json.loads(entry.before), json.loads(entry.after)
    assert before["kind"] == after["kind"] == "insurance"
    assert before["verified_by"] is None and before["verified_at"] is None
    assert after["verified_by"] == factories.staff("m.martin").id
    assert after["verified_at"].startswith("2026-11-23T09:00:00")


def test_verify_a_document_never_received_marks_it_received_now() -> None:
    r = factories.reservation(documents="none")
    desk_at(MONDAY_10H).verify_document(r.id, "school")
    doc = Document.get(reservation=r, kind="school")
    assert doc.received_at == MONDAY_10H
    assert doc.verified_by.username == "accueil"


def test_ticking_documents_is_allowed_when_the_desk_is_closed() -> None:
    r = factories.reservation(documents="received")
    desk_at(FRIDAY_17H).verify_document(r.id, "school")
    assert Document.get(reservation=r, kind="school").verified_at == FRIDAY_17H


def test_unverify_clears_who_and_when_and_is_audited() -> None:
    r = factories.reservation(documents="received")
    desk = desk_at(MONDAY_10H)
    desk.verify_document(r.id, "school")
    later = desk_at(MONDAY_10H + timedelta(hours=1), "m.martin")
    later.unverify_document(r.id, "school")

    doc = Document.get(reservation=r, kind="school")
    assert doc.verified_by is None and doc.verified_at is None
    assert doc.received_at is not None  # still received
    entry = last_audit()
    assert (entry.actor, entry.action, entry.entity_id) == ("m.martin", "document.unverify", doc.id)
    assert entry.at == MONDAY_10H + timedelta(hours=1)
    before, after = json.loads(entry.before), json.loads(entry.after)
    assert before["verified_by"] == factories.staff("accueil").id
    assert before["verified_at"] is not None
    assert after["verified_by"] is None and after["verified_at"] is None


def test_unverify_is_refused_once_the_keys_are_handed_over() -> None:
    r = factories.reservation(status="checked_in", documents="verified")
    before = counts()
    with pytest.raises(Refused, match="rental file is closed"):
        desk_at(MONDAY_10H).unverify_document(r.id, "school")
    assert Document.get(reservation=r, kind="school").verified_at is not None
    assert counts() == before


@pytest.mark.parametrize(
    ("kind", "facts", "words"),
    [
        ("insurance", {}, "enter the first and last day it covers"),
        ("insurance", {"covers_from": LEASE_START}, "enter the first and last day it covers"),
        (
            "insurance",
            {"covers_from": LEASE_END, "covers_until": LEASE_START},
            "the cover ends before it starts",
        ),
        ("guarantor", {}, "VISALE or a physical guarantor"),
        ("guarantor", {"guarantor_kind": "uncle"}, "VISALE or a physical guarantor"),
        ("identity", {}, "enter its expiry date"),
        ("passport", {}, "unknown document kind"),
    ],
)
def test_verify_with_bad_facts_is_refused_and_changes_nothing(
    kind: str, facts: dict[str, Any], words: str
) -> None:
    r = factories.reservation(documents="received")
    existing = Document.get_or_none(reservation=r, kind=kind)
    doc_before = dict(existing.__data__) if existing else None
    before = counts()
    with pytest.raises(Refused, match=words):
        desk_at(MONDAY_10H).verify_document(r.id, kind, **facts)
    assert counts() == before
    if existing is not None:
        assert row(Document, existing.id) == doc_before


# --- proposal --------------------------------------------------------------------------------


def proposed(sent_at: datetime) -> Reservation:
    return factories.reservation(status="proposed", sent_at=sent_at, paid=False, documents="none")


def test_accept_within_the_window_records_the_advance() -> None:
    sent = MONDAY_10H - timedelta(hours=120) + timedelta(microseconds=1)
    r = proposed(sent)
    desk_at(MONDAY_10H).accept(r.id, "third_party", "  Campus France ")
    got = Reservation.get_by_id(r.id)
    assert got.status == "accepted"
    assert got.advance_cents == 100_00
    assert got.paid_by_kind == "third_party"
    assert got.paid_by_name == "Campus France"
    assert got.answered_at == MONDAY_10H
    assert Room.get_by_id(r.room_id).status == "reserved"
    assert last_audit().action == "reservation.accept"


def test_accept_by_the_student_records_their_name() -> None:
    r = proposed(MONDAY_10H - timedelta(hours=2))
    desk_at(MONDAY_10H).accept(r.id, "student")
    assert Reservation.get_by_id(r.id).paid_by_name == "Hélène Dupont"


@pytest.mark.parametrize("late", [timedelta(0), timedelta(microseconds=1), timedelta(days=3)])
def test_accept_is_refused_from_the_120th_hour_and_changes_nothing(late: timedelta) -> None:
    r = proposed(MONDAY_10H - timedelta(hours=120) - late)
    row_before = row(Reservation, r.id)
    before = counts()
    with pytest.raises(Refused, match="expired"):
        desk_at(MONDAY_10H).accept(r.id, "student")
    assert row(Reservation, r.id) == row_before
    assert counts() == before
    assert Room.get_by_id(r.room_id).status == "available"


@pytest.mark.parametrize(
    ("payer_kind", "payer_name", "amount", "words"),
    [
        ("third_party", "   ", 100_00, "name the third party"),
        ("parents", "", 100_00, "say who paid"),
        ("student", "", 50_00, "100 € are required"),
    ],
)
def test_accept_without_a_proper_advance_is_refused(
    payer_kind: str, payer_name: str, amount: int, words: str
) -> None:
    r = proposed(MONDAY_10H - timedelta(hours=1))
    row_before = row(Reservation, r.id)
    before = counts()
    with pytest.raises(Refused, match=words):
        desk_at(MONDAY_10H).accept(r.id, payer_kind, payer_name, amount)
    assert row(Reservation, r.id) == row_before
    assert counts() == before


# --- key handover ----------------------------------------------------------------------------


def key_set_of(r: Reservation) -> KeySet:
    return KeySet.get(KeySet.room == r.room_id)


def test_handover_on_friday_at_five_lists_every_unmet_condition_and_changes_nothing() -> None:
    r = factories.reservation(documents="received")
    ks_before = row(KeySet, key_set_of(r).id)
    r_before = row(Reservation, r.id)
    before = counts()
    with pytest.raises(Refused) as refused:
        desk_at(FRIDAY_17H).hand_over_keys(r.id)
    assert refused.value.reasons == (
        "the desk is closed: keys are handed over Monday to Friday before 17:00 "
        "(Desk closed — opens Monday 09:00)",
        "rental file — Insurance: received, not verified yet",
        "rental file — Signed CROUS form: received, not verified yet",
        "rental file — Guarantor: received, not verified yet",
        "rental file — School certificate: received, not verified yet",
        "rental file — Identity document: received, not verified yet",
        "no check-in inspection acknowledged by the tenant",
    )
    ks = key_set_of(r)
    assert ks.state == "desk" and ks.holder is None
    assert row(KeySet, ks.id) == ks_before
    assert row(Reservation, r.id) == r_before
    assert Reservation.get_by_id(r.id).status == "accepted"
    assert KeyLog.select().count() == 0
    assert counts() == before


def test_handover_with_a_ready_file_is_still_refused_when_the_desk_is_closed() -> None:
    r = factories.reservation(documents="verified")
    acknowledge_check_in(desk_at(MONDAY_10H), r)
    before = counts()
    with pytest.raises(Refused) as refused:
        desk_at(FRIDAY_17H).hand_over_keys(r.id)
    assert len(refused.value.reasons) == 1
    assert "desk is closed" in refused.value.reasons[0]
    assert counts() == before
    assert key_set_of(r).state == "desk"


def acknowledge_check_in(desk: Desk, r: Reservation) -> Inspection:
    inspection = desk.open_inspection(r.id)
    for item in inspection.items:
        desk.set_item(item.id, state="good")
    read_meters(desk, inspection.id)
    return desk.acknowledge_inspection(inspection.id)


def test_the_full_arrival_hands_the_keys_to_the_tenant() -> None:
    r = factories.reservation(documents="received")
    desk = desk_at(MONDAY_10H, "m.martin")
    for kind, facts in GOOD_FACTS.items():
        desk.verify_document(r.id, kind, **facts)
    assert "no check-in inspection acknowledged by the tenant" in desk.handover_blockers(r.id)
    inspection = desk.open_inspection(r.id)
    items = list(inspection.items)
    assert len(items) == 20  # the renovated room's checklist
    for item in items:
        desk.set_item(item.id, state="good", remark="")
    desk.acknowledge_inspection(inspection.id)
    assert desk.handover_blockers(r.id) == []

    handed = desk.hand_over_keys(r.id)

    ks = key_set_of(r)
    assert ks.id == handed.id
    assert ks.state == "out"
    assert ks.holder_id == r.id
    log = list(KeyLog.select())
    assert len(log) == 1
    assert log[0].key_set_id == ks.id
    assert log[0].reservation_id == r.id
    assert log[0].action == "handover"
    assert log[0].staff.username == "m.martin"
    assert log[0].at == MONDAY_10H
    got = Reservation.get_by_id(r.id)
    assert got.status == "checked_in"
    assert got.keys_handed_at == MONDAY_10H
    assert Room.get_by_id(r.room_id).status == "occupied"
    entry = last_audit()
    assert (entry.actor, entry.action, entry.entity_id) == ("m.martin", "keys.handover", ks.id)

    # the same keys cannot be handed twice
    before = counts()
    with pytest.raises(Refused, match="already been handed over"):
        desk.hand_over_keys(r.id)
    assert counts() == before


def test_a_shared_key_set_goes_to_one_tenant_only() -> None:
    flat = factories.room(kind="flat_t2", key_sets=1)
    first = factories.reservation(room_=flat, documents="verified")
    second = factories.reservation(first="Zoé", last="Martin", room_=flat, documents="verified")
    desk = desk_at(MONDAY_10H)
    acknowledge_check_in(desk, first)
    acknowledge_check_in(desk, second)
    desk.hand_over_keys(first.id)
    before = counts()
    with pytest.raises(Refused) as refused:
        desk.hand_over_keys(second.id)
    assert refused.value.reasons == ("no key set of this room is at the desk",)
    assert counts() == before
    assert Reservation.get_by_id(second.id).status == "accepted"
    assert key_set_of(first).holder_id == first.id


# --- inspections -----------------------------------------------------------------------------


def test_an_acknowledged_inspection_is_locked() -> None:
    r = factories.reservation(documents="verified")
    desk = desk_at(MONDAY_10H)
    inspection = acknowledge_check_in(desk, r)
    got = Inspection.get_by_id(inspection.id)
    assert got.locked
    assert got.tenant_name == "Hélène Dupont"
    item = got.items.order_by(InspectionItem.position).first()
    item_before = row(InspectionItem, item.id)
    before = counts()
    with pytest.raises(Refused, match="locked"):
        desk.set_item(item.id, state="damaged")
    with pytest.raises(Refused, match="locked"):
        desk.set_item(item.id, remark="scratched")
    with pytest.raises(Refused, match="already acknowledged"):
        desk.acknowledge_inspection(inspection.id)
    assert row(InspectionItem, item.id) == item_before
    assert counts() == before


def test_acknowledge_with_unset_items_is_refused() -> None:
    r = factories.reservation(documents="verified")
    desk = desk_at(MONDAY_10H)
    inspection = desk.open_inspection(r.id)
    items = list(inspection.items.order_by(InspectionItem.position))
    for item in items[:-2]:
        desk.set_item(item.id, state="good")
    before = counts()
    with pytest.raises(Refused, match="2 item"):
        desk.acknowledge_inspection(inspection.id)
    assert not Inspection.get_by_id(inspection.id).locked
    assert counts() == before


@pytest.mark.parametrize(
    "remark",
    ["\x1b[31mred", "stain\x1b]0;pwned\x07", "a\x00b", "\x9b31m", "tab\there", "line\nbreak"],
)
def test_remarks_with_control_characters_are_refused(remark: str) -> None:
    r = factories.reservation(documents="verified")
    desk = desk_at(MONDAY_10H)
    item = desk.open_inspection(r.id).items.first()
    item_before = row(InspectionItem, item.id)
    before = counts()
    with pytest.raises(Refused, match="control or invisible"):
        desk.set_item(item.id, state="worn", remark=remark)
    assert row(InspectionItem, item.id) == item_before
    assert counts() == before


def test_remarks_are_kept_as_typed_markup_included() -> None:
    r = factories.reservation(documents="verified")
    desk = desk_at(MONDAY_10H)
    item = desk.open_inspection(r.id).items.first()
    desk.set_item(item.id, state="worn", remark="  [bold]tache[/bold] d'encre — côté fenêtre ")
    assert InspectionItem.get_by_id(item.id).remark == "[bold]tache[/bold] d'encre — côté fenêtre"


def test_an_unknown_state_is_refused() -> None:
    r = factories.reservation(documents="verified")
    desk = desk_at(MONDAY_10H)
    item = desk.open_inspection(r.id).items.first()
    with pytest.raises(Refused, match="unknown state"):
        desk.set_item(item.id, state="fine")
    assert InspectionItem.get_by_id(item.id).state is None


def test_check_in_inspection_needs_an_accepted_reservation() -> None:
    r = proposed(MONDAY_10H - timedelta(hours=1))
    before = counts()
    with pytest.raises(Refused, match="accepted reservation"):
        desk_at(MONDAY_10H).open_inspection(r.id)
    assert counts() == before


# --- the audit log ---------------------------------------------------------------------------


def test_the_audit_log_refuses_update_and_delete() -> None:
    r = factories.reservation(documents="received")
    desk_at(MONDAY_10H).verify_document(r.id, "school")
    entry = last_audit()
    snapshot = row(AuditLog, entry.id)
    with pytest.raises(peewee.IntegrityError, match="append-only"):
        AuditLog.update(actor="someone else").where(AuditLog.id == entry.id).execute()
    with pytest.raises(peewee.IntegrityError, match="append-only"):
        AuditLog.delete().where(AuditLog.id == entry.id).execute()
    with pytest.raises(peewee.IntegrityError, match="append-only"):
        db.execute_sql("DELETE FROM audit_log")
    assert row(AuditLog, entry.id) == snapshot
    assert AuditLog.select().count() >= 1


def test_every_change_is_audited_with_its_instant() -> None:
    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    r = factories.reservation(documents="received")
    n = AuditLog.select().count()
    desk_at(start).verify_document(r.id, "school")
    desk_at(start + timedelta(minutes=5)).unverify_document(r.id, "school")
    entries = list(AuditLog.select().where(AuditLog.id > n).order_by(AuditLog.id))
    assert [(e.action, e.at) for e in entries] == [
        ("document.verify", start),
        ("document.unverify", start + timedelta(minutes=5)),
    ]


def test_remark_with_an_invisible_direction_override_is_refused(database):
    from crous_desk.base.clock import FixedClock
    from crous_desk.base.errors import Refused
    from crous_desk.services import Desk, ensure_staff
    from crous_desk.store.models import InspectionItem

    res = factories.reservation(documents="verified")
    desk = Desk(ensure_staff("accueil"), FixedClock(factories.MONDAY_10H))
    item = desk.open_inspection(res.id).items.first()
    with pytest.raises(Refused, match="invisible"):
        desk.set_item(item.id, remark="ok\u202egnorw")
    assert InspectionItem.get_by_id(item.id).remark == ""


def test_a_desk_opens_by_reference_only_its_own_residence(database):
    from crous_desk.base.clock import FixedClock
    from crous_desk.services import Desk, ensure_staff

    other = factories.residence("luminy", "Résidence de Luminy")
    res = factories.reservation(room_=factories.room(other, number="L-001"))
    here = Desk(ensure_staff("accueil"), FixedClock(factories.MONDAY_10H), factories.residence())
    there = Desk(ensure_staff("accueil"), FixedClock(factories.MONDAY_10H), other)
    assert here.find_reference(res.reference) is None
    assert there.find_reference(res.reference.lower()).id == res.id
