"""The money of a stay: a ledger in integer cents, appended and never edited (the database
refuses it), reversed by a movement naming the one it cancels; deposits, payments, refunds
(an early departure refunded only for force majeure), damage and lost-key charges; every
movement audited; the balance the departure screen and the export show."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

import peewee
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crous_desk import departure, keys
from crous_desk.base.errors import Refused
from crous_desk.money import ledger
from crous_desk.office import exports
from crous_desk.rules import ledger as rules
from crous_desk.store.locks import on_server
from crous_desk.store.models import (
    InspectionItem,
    KeySet,
    LedgerMovement,
    Reservation,
    Residence,
    db,
)
from tests import factories
from tests.factories import MONDAY_10H
from tests.tenants import FRIDAY_10H, addressed, desk_at, dump, last_audit, tenant


@pytest.fixture(autouse=True)
def _db(database) -> Iterator[None]:
    yield


def with_deposit(cents: int = 30000) -> Residence:
    residence = factories.residence()
    Residence.update(deposit_cents=cents).where(Residence.id == residence.id).execute()
    return Residence.get_by_id(residence.id)


# -- the pure rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("45", 4500), ("12,50", 1250), ("12.50 €", 1250), ("1 234,56", 123456), ("0.01", 1)],
)
def test_an_amount_is_read_in_euros_and_kept_in_cents(typed: str, cents: int) -> None:
    assert rules.parse_euros(typed) == (cents, None)


@pytest.mark.parametrize("typed", ["", "abc", "12.345", "-5", "0", "1e9", "NaN", "100000.01"])
def test_a_bad_amount_is_refused_with_a_code(typed: str) -> None:
    cents, problem = rules.parse_euros(typed)
    assert cents is None and problem is not None and problem.code == "amount_invalid"


@given(st.lists(st.integers(min_value=-(10**7), max_value=10**7), max_size=30))
def test_the_balance_is_the_sum_and_a_reversal_brings_it_back(amounts: list[int]) -> None:
    lines = [rules.Line(i, a) for i, a in enumerate(amounts)]
    reversals = [rules.Line(100 + i, -a, reverses=i) for i, a in enumerate(amounts)]
    assert rules.balance(lines) == sum(amounts)
    assert rules.balance(lines + reversals) == 0


def test_a_refund_beyond_what_is_held_needs_an_early_departure_for_force_majeure() -> None:
    assert rules.refund_problem(300, -300, early=False, force_majeure=None) is None
    assert rules.refund_problem(301, -300, early=False, force_majeure=None).code == (
        "refund_too_much"
    )
    assert rules.refund_problem(5000, 0, early=True, force_majeure=False).code == (
        "refund_not_force_majeure"
    )
    assert rules.refund_problem(5000, 0, early=True, force_majeure=True) is None


def test_closing_with_an_open_balance_is_confirmed_either_way() -> None:
    assert rules.open_balance_problem(0, False) is None
    assert rules.open_balance_problem(500, True) is None
    assert "owes 5.00 €" in rules.open_balance_problem(500, False)
    assert "owes the tenant 5.00 €" in rules.open_balance_problem(-500, False)


# -- the actions ------------------------------------------------------------------------------


def test_a_deposit_a_payment_and_a_refund_make_the_balance_and_are_each_audited() -> None:
    residence = with_deposit(30000)
    r = tenant(factories.room(residence, "B-201"))
    desk = desk_at(FRIDAY_10H)
    ledger.record_movement(desk, r.id, "deposit", 30000, note="card")
    assert ledger.balance_of(r.id) == -30000
    audit = last_audit("ledger.post")
    assert json.loads(audit.after)["amount_cents"] == -30000
    assert (audit.actor, audit.reservation_id) == ("accueil", r.id)
    with pytest.raises(Refused) as refused:
        ledger.record_movement(desk, r.id, "deposit", 30000)
    assert refused.value.codes == ("deposit_held",)
    ledger.record_movement(desk, r.id, "refund", 30000, note="bank transfer")
    assert ledger.balance_of(r.id) == 0
    statement = ledger.statement(desk, r.id)
    assert [m.kind for m in statement.movements] == ["deposit", "refund"]
    assert (statement.advance_cents, statement.deposit_asked_cents) == (10000, 30000)
    assert statement.deposit_held_cents == 30000
    assert statement.advance_payer == "Hélène Dupont"


def test_a_refused_movement_says_every_reason_and_changes_nothing() -> None:
    r = factories.reservation(status="requested", paid=False)
    desk = desk_at(FRIDAY_10H)
    before = dump()
    with pytest.raises(Refused) as refused:
        ledger.record_movement(desk, r.id, "deposit", 0, note="\x1b[31m")
    assert set(refused.value.codes) == {
        "no_stay_money",
        "amount_invalid",
        "no_deposit_asked",
        "text_control_characters",
    }
    with pytest.raises(Refused) as refused:
        ledger.record_movement(desk, r.id, "rent", 100)
    assert refused.value.codes == ("no_stay_money", "unknown_movement")
    assert dump() == before


def test_a_refund_needs_a_reason_and_force_majeure_for_an_early_departure() -> None:
    r = tenant()
    desk = desk_at(FRIDAY_10H)
    with pytest.raises(Refused) as refused:
        ledger.record_movement(desk, r.id, "refund", 5000)
    assert set(refused.value.codes) == {"text_required", "refund_too_much"}
    departure.acknowledge_check_out(desk, addressed(desk, departure.open_check_out(desk, r.id).id))
    departure.depart(desk, r.id, force_majeure=False, reason="a flat in town")
    with pytest.raises(Refused) as refused:
        ledger.record_movement(desk, r.id, "refund", 5000, note="rent")
    assert refused.value.codes == ("refund_not_force_majeure",)


def test_an_early_departure_for_force_majeure_may_be_refunded() -> None:
    r = tenant()
    desk = desk_at(FRIDAY_10H)
    departure.acknowledge_check_out(desk, addressed(desk, departure.open_check_out(desk, r.id).id))
    departure.depart(desk, r.id, force_majeure=True, reason="hospitalised at home")
    ledger.record_movement(desk, r.id, "refund", 21000, note="December's rent")
    assert ledger.balance_of(r.id) == 21000


def test_a_movement_is_reversed_once_by_its_opposite_never_edited() -> None:
    r = tenant()
    desk = desk_at(FRIDAY_10H)
    paid = ledger.record_movement(desk, r.id, "payment", 4500, note="cash")
    with pytest.raises(Refused) as refused:
        ledger.reverse_movement(desk, r.id, paid.id, reason="")
    assert refused.value.codes == ("text_required",)
    reversal = ledger.reverse_movement(desk, r.id, paid.id, reason="typed twice")
    assert (reversal.amount_cents, reversal.reverses_id, reversal.kind) == (
        4500,
        paid.id,
        "reversal",
    )
    assert ledger.balance_of(r.id) == 0
    with pytest.raises(Refused) as refused:
        ledger.reverse_movement(desk, r.id, paid.id, reason="again")
    assert refused.value.codes == ("already_reversed",)
    with pytest.raises(Refused) as refused:
        ledger.reverse_movement(desk, r.id, reversal.id, reason="undo")
    assert refused.value.codes == ("reverse_reversal",)
    other = tenant(first="Zoé")
    with pytest.raises(Refused) as refused:
        ledger.reverse_movement(desk, other.id, paid.id, reason="wrong file")
    assert refused.value.codes == ("not_found",)
    rows = ledger.movements(r.id)
    assert rows[0].reversed_by == reversal.id


def test_the_database_refuses_to_edit_or_delete_a_movement_or_a_fraction_of_a_cent() -> None:
    r = tenant()
    paid = ledger.record_movement(desk_at(FRIDAY_10H), r.id, "payment", 4500)
    with pytest.raises(peewee.IntegrityError, match="append-only"):
        LedgerMovement.update(amount_cents=1).where(LedgerMovement.id == paid.id).execute()
    with pytest.raises(peewee.IntegrityError, match="append-only"):
        LedgerMovement.delete().where(LedgerMovement.id == paid.id).execute()
    # SQLite stores whatever it is given, so a trigger refuses a fraction (and zero); a
    # PostgreSQL integer column holds no fraction, and a CHECK refuses zero
    amount, says = ("0", "ledger_movement_not_zero") if on_server() else ("12.5", "whole non-zero")
    with pytest.raises(peewee.IntegrityError, match=says):
        db.execute_sql(
            "INSERT INTO ledger_movement (reservation_id, kind, amount_cents, label, note, at,"
            f" staff_id) VALUES ({db.param}, 'payment', {amount}, 'x', '', "
            f"'2026-11-27T09:00:00.000000+00:00', {db.param})",
            (r.id, paid.staff_id),
        )


def test_damages_at_check_out_and_a_lost_key_enter_the_ledger() -> None:
    r = tenant()
    desk = desk_at(FRIDAY_10H)
    key_set = KeySet.get(KeySet.holder == r.id)
    keys.declare_lost(desk, key_set.id, note="lost in town")
    check_out = departure.open_check_out(desk, r.id)
    item = InspectionItem.get(inspection=check_out, label="Desk")
    desk.set_item(item.id, state="damaged", remark="burn mark")
    departure.acknowledge_check_out(desk, addressed(desk, check_out.id))
    kinds = [(m.kind, m.amount_cents) for m in ledger.movements(r.id)]
    assert kinds == [("lost_key", 4500), ("damage", 6000)]
    view = departure.departure_view(desk, r.id)
    assert view.balance_cents == 10500


def test_the_ledger_export_lists_each_stay_with_its_balance(tmp_path) -> None:
    r = tenant()
    other = tenant(first="=HYPERLINK(1)", last="Zoé")
    desk = desk_at(FRIDAY_10H)
    ledger.record_movement(desk, r.id, "payment", 4500)
    out = tmp_path / "ledger.csv"
    exports.export(desk, "ledger", out)
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    got = {row["reference"]: row for row in rows}
    assert got[r.reference]["balance_eur"] == "-45.00"
    assert got[r.reference]["movements"] == "1"
    assert got[other.reference]["tenant"].startswith("'=")
    assert Reservation.get_by_id(other.id).status == "checked_in"
    assert last_audit("export.ledger").reservation_id is None


def test_a_manager_cannot_record_money() -> None:
    r = tenant()
    from crous_desk.base.clock import FixedClock
    from crous_desk.services import Desk

    desk = Desk(factories.manager(), FixedClock(MONDAY_10H), None)
    with pytest.raises(Refused) as refused:
        ledger.record_movement(desk, r.id, "payment", 100)
    assert refused.value.codes == ("not_permitted",)
