"""The small forms: choices that show without colour, the acceptance with a third-party payer."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Input

from crous_desk.store.models import Document, Reservation
from screens.forms import Choice, DocumentFactsForm, PaymentForm
from screens.reservation import ReservationScreen
from screens.widgets import ReasonsScreen
from tests import factories
from tests.tui.settle import press


async def test_physical_guarantor_is_chosen_with_the_arrows(database, desk_app, at_time):
    at_time(factories.MONDAY_10H)
    res = factories.reservation(documents="none")
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, *res.reference, "enter", "down", "down", "space")
        assert isinstance(app.screen, DocumentFactsForm) and app.screen.kind == "guarantor"
        await press(pilot, "down")
        choice = app.screen.query_one(Choice)
        assert choice.value == "physical"
        assert "(•) Physical guarantor" in str(choice.get_option_at_index(1).prompt)
        await press(pilot, "enter")
        assert isinstance(app.screen, ReservationScreen)
    doc = Document.get(Document.reservation == res.id, Document.kind == "guarantor")
    assert doc.guarantor_kind == "physical" and doc.verified_at is not None


async def test_acceptance_paid_by_a_named_third_party(database, desk_app, at_time):
    at_time(factories.MONDAY_10H)
    res = factories.reservation(
        status="proposed",
        paid=False,
        documents="none",
        sent_at=factories.MONDAY_10H - timedelta(hours=100),
    )
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, *res.reference, "enter", "p")
        assert isinstance(app.screen, PaymentForm)
        await press(pilot, "down", "enter")  # third party: the focus goes to the name
        assert app.screen.query_one("#payer-name", Input).has_focus
        await press(pilot, "enter")  # no name yet: refused in the form
        assert isinstance(app.screen, PaymentForm)
        await press(pilot, *"Campus France", "enter")
        assert isinstance(app.screen, ReservationScreen)
    saved = Reservation.get_by_id(res.id)
    assert (saved.status, saved.paid_by_kind, saved.paid_by_name, saved.advance_cents) == (
        "accepted",
        "third_party",
        "Campus France",
        10000,
    )


async def test_acceptance_after_120_hours_is_refused(database, desk_app, at_time):
    at_time(factories.MONDAY_10H)
    res = factories.reservation(
        status="proposed",
        paid=False,
        documents="none",
        sent_at=factories.MONDAY_10H - timedelta(hours=120),
    )
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, *res.reference, "enter", "p")
        assert isinstance(app.screen, ReasonsScreen)
        assert "expired" in " ".join(app.screen.reasons)
    assert Reservation.get_by_id(res.id).status == "proposed"
    assert Reservation.get_by_id(res.id).advance_cents is None


async def test_the_file_counts_down_the_proposal_window(database, desk_app, at_time):
    at_time(factories.MONDAY_10H)
    res = factories.reservation(
        status="proposed",
        paid=False,
        documents="none",
        sent_at=factories.MONDAY_10H - timedelta(hours=117, minutes=30),
    )
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, *res.reference, "enter")
        stay = str(app.screen.query_one("#stay").render())
        assert "2 h 30 left to answer (until 23/11/2026 12:30)" in stay


async def test_the_file_shows_the_arrival_appointment(database, desk_app, at_time):
    from datetime import UTC, datetime

    from crous_desk.arrivals.appointments import SlotPolicy, book_appointment
    from crous_desk.base.clock import FixedClock
    from crous_desk.services import Desk, ensure_staff

    at_time(factories.MONDAY_10H)
    res = factories.reservation(documents="none")
    desk = Desk(ensure_staff("accueil"), FixedClock(factories.MONDAY_10H), factories.residence())
    book_appointment(desk, res.id, datetime(2026, 11, 23, 13, 30, tzinfo=UTC), SlotPolicy())
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, *res.reference, "enter")
        assert "arrival 23/11/2026 14:30" in str(app.screen.query_one("#stay").render())


async def test_a_request_is_offered_a_room_from_its_file(database, desk_app, at_time):
    from crous_desk.store import search_index as search
    from screens.forms import FieldsForm

    at_time(factories.MONDAY_10H)
    factories.room(number="B-112")
    res = factories.reservation(status="requested", paid=False, documents="none")
    Reservation.update(room=None, proposal_sent_at=None).where(Reservation.id == res.id).execute()
    search.index_reservation(Reservation.get_by_id(res.id))
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, *res.reference, "enter", "o")
        assert isinstance(app.screen, FieldsForm)
        await press(pilot, *"b-112", "enter")
        assert isinstance(app.screen, ReservationScreen)
        assert "120 h" in str(app.screen.query_one("#stay").render()) or "left to answer" in str(
            app.screen.query_one("#stay").render()
        )
    saved = Reservation.get_by_id(res.id)
    assert saved.status == "proposed" and saved.room.number == "B-112"
