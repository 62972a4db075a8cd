"""Arrival appointments and slips in the app: booked and moved from the reservation file,
previewed, saved and printed; and a printed slip, read by zbar, opens its reservation when
typed into the search screen as a USB scanner does."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crous_desk.arrivals.appointments import SlotPolicy, book_appointment, current_appointment
from crous_desk.arrivals.slip_pdf import save_slips
from crous_desk.arrivals.slips import slips_for
from crous_desk.base.clock import FixedClock
from crous_desk.base.config import Config
from crous_desk.services import Desk
from crous_desk.store.models import AuditLog, Reservation
from screens.appointment import AppointmentScreen
from screens.reservation import ReservationScreen
from screens.search import SearchScreen
from screens.slip import SlipScreen
from screens.widgets import ReasonsScreen
from tests import factories
from tests.factories import MONDAY_10H
from tests.slips.conftest import pdf_pages, scan_page
from tests.tui.settle import press, settle

PARIS = ZoneInfo("Europe/Paris")


def summary(app) -> str:
    return str(app.screen.query_one("#summary").render())


@pytest.fixture
def scanned(database, tmp_path: Path, at_time) -> tuple[Reservation, str]:
    """A reservation, its slip printed to PDF and read back by zbar as a scanner would."""
    at_time(MONDAY_10H)
    wanted = factories.reservation(first="Łukasz", last="Nguyễn")
    factories.reservation(first="Hélio", last="Durand")
    pdf = tmp_path / "slip.pdf"
    save_slips(slips_for([wanted.id], MONDAY_10H), pdf)
    (payload,) = scan_page(pdf)
    return wanted, payload


async def test_a_scanned_slip_opens_its_reservation(scanned, desk_app) -> None:
    wanted, payload = scanned
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*payload, "enter")  # as fast as a scanner
        await settle(pilot)
        assert isinstance(app.screen, ReservationScreen)
        assert app.screen.reservation_id == wanted.id


async def test_a_scan_while_the_results_have_the_focus(scanned, desk_app) -> None:
    wanted, payload = scanned
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, *"durand", "down")  # the receptionist was looking at someone else
        assert app.screen.query_one("#results").has_focus
        await pilot.press(*payload, "enter")  # as fast as a scanner
        await settle(pilot)
        assert isinstance(app.screen, ReservationScreen)
        assert app.screen.reservation_id == wanted.id


async def test_a_forged_code_is_refused_and_nothing_opens(scanned, desk_app) -> None:
    wanted, payload = scanned
    last = payload[-1]
    forged = payload[:-1] + ("0" if last != "0" else "1")  # one character of the check changed
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*forged, "enter")  # as fast as a scanner
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        assert len(app.screen_stack) == 2  # the default screen and the search, nothing pushed
        assert f"slip code for {wanted.reference} refused: its check code is wrong" in summary(app)
        # the next, good scan works straight after
        await pilot.press(*payload, "enter")  # as fast as a scanner
        await settle(pilot)
        assert isinstance(app.screen, ReservationScreen)
        assert app.screen.reservation_id == wanted.id


async def test_a_slip_of_a_reservation_that_is_gone(scanned, desk_app) -> None:
    wanted, payload = scanned
    other = factories.residence("les-cuques", "Résidence Les Cuques")
    app = desk_app(residence=other)  # another desk: the reservation is not one of its own
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*payload, "enter")  # as fast as a scanner
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        assert f"Slip {wanted.reference}: no such reservation at this desk." in summary(app)


# --- appointments ------------------------------------------------------------------------------


async def open_file(pilot, reservation: Reservation) -> None:
    await press(pilot, *reservation.reference, "enter")
    assert isinstance(pilot.app.screen, ReservationScreen)


async def test_book_then_move_from_the_reservation_file(database, desk_app, at_time) -> None:
    at_time(MONDAY_10H)  # Monday 23/11 10:00, Paris
    r = factories.reservation()
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_file(pilot, r)
        await press(pilot, "a")
        assert isinstance(app.screen, AppointmentScreen)
        await press(pilot, "enter")  # the first free slot: today 10:00 (09:00 and 09:30 are past)
        assert isinstance(app.screen, ReservationScreen)
        assert current_appointment(r.id).starts_at == datetime(2026, 11, 23, 10, tzinfo=PARIS)

        await press(pilot, "a")
        await press(pilot, "right", "down", "enter")  # Tuesday, second slot
        assert isinstance(app.screen, ReservationScreen)
        assert current_appointment(r.id).starts_at == datetime(2026, 11, 24, 9, 30, tzinfo=PARIS)
        history = str(app.screen.query_one("#history").render())
        assert "arrival appointment booked" in history and "arrival appointment moved" in history
    actions = [a.action for a in AuditLog.select().where(AuditLog.entity == "appointment")]
    assert actions == ["appointment.book", "appointment.move"]


async def test_a_slot_taken_meanwhile_is_refused_with_the_next_free_one(
    database, desk_app, at_time
) -> None:
    at_time(MONDAY_10H)
    r = factories.reservation()
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_file(pilot, r)
        await press(pilot, "a")
        # two other desks fill the highlighted 10:00 slot while this one hesitates
        other_desk = Desk(factories.staff("m.roux"), FixedClock(MONDAY_10H), factories.residence())
        for last in ("Martin", "Bernard"):
            book_appointment(
                other_desk,
                factories.reservation(last=last).id,
                datetime(2026, 11, 23, 10, tzinfo=PARIS),
                SlotPolicy(),
            )
        await press(pilot, "enter")
        assert isinstance(app.screen, AppointmentScreen)
        error = str(app.screen.query_one("#form-error").render())
        assert "the slot Monday 23/11/2026 10:00–10:30 is full (2 of 2 places taken)" in error
        assert "next free slot: Monday 23/11/2026 10:30–11:00" in error
        assert current_appointment(r.id) is None


async def test_the_desk_is_closed_on_the_day_shown(database, desk_app, at_time) -> None:
    at_time(MONDAY_10H)
    r = factories.reservation()
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_file(pilot, r)
        await press(pilot, "a")
        for _ in range(5):
            await press(pilot, "right")  # to Saturday
        error = str(app.screen.query_one("#form-error").render())
        assert "Saturday 28 November 2026: the desk is closed (weekend)" in error
        await press(pilot, "n")  # back to the next free slot
        assert app.screen.day.isoformat() == "2026-11-23"


async def test_no_appointment_for_a_proposal(database, desk_app, at_time) -> None:
    at_time(MONDAY_10H)
    r = factories.reservation(status="proposed")
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_file(pilot, r)
        await press(pilot, "a")
        assert isinstance(app.screen, ReasonsScreen)
        assert "needs an accepted reservation" in " ".join(app.screen.reasons)


async def test_cancel_asks_first(database, desk_app, at_time) -> None:
    at_time(MONDAY_10H)
    r = factories.reservation()
    book_appointment(
        Desk(factories.staff(), FixedClock(MONDAY_10H), factories.residence()),
        r.id,
        datetime(2026, 11, 24, 14, tzinfo=PARIS),
        SlotPolicy(),
    )
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_file(pilot, r)
        await press(pilot, "a")
        await press(pilot, "c")
        await press(pilot, "n")  # no: nothing changes
        assert current_appointment(r.id) is not None
        await press(pilot, "c")
        await press(pilot, "y")
        assert current_appointment(r.id) is None


# --- the slip ----------------------------------------------------------------------------------


async def test_preview_save_and_print(
    database, desk_app, at_time, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at_time(MONDAY_10H)
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(tmp_path / "docs"))
    r = factories.reservation()
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_file(pilot, r)
        await press(pilot, "s")
        assert isinstance(app.screen, SlipScreen)
        await press(pilot, "s")
        await app.workers.wait_for_complete()
        await settle(pilot)
        saved = tmp_path / "docs" / "crous-desk" / f"slip-{r.reference}.pdf"
        status = str(app.screen.query_one("#slip-status").render())
        assert f"Saved: {saved}" in status.replace("\n", "")
        assert pdf_pages(saved) == 1

        await press(pilot, "p")  # no printer configured: said, and the PDF is still there
        await app.workers.wait_for_complete()
        await settle(pilot)
        status = str(app.screen.query_one("#slip-status").render())
        assert "no printer is configured" in status
        await press(pilot, "escape")
        assert isinstance(app.screen, ReservationScreen)


async def test_print_from_the_preview(
    database, desk_app, at_time, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at_time(MONDAY_10H)
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(tmp_path / "docs"))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "lp.log"
    lp = bin_dir / "lp"
    lp.write_text(f'#!/bin/sh\necho "$@" > "{log}"\necho "request id is $2-7"\n', encoding="utf-8")
    lp.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    r = factories.reservation()
    app = desk_app()
    app.config = Config(printer="accueil-laser")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_file(pilot, r)
        await press(pilot, "s", "p")
        await app.workers.wait_for_complete()
        await settle(pilot)
        status = str(app.screen.query_one("#slip-status").render())
        assert "Sent to accueil-laser (request id is accueil-laser-7)" in status
    saved = tmp_path / "docs" / "crous-desk" / f"slip-{r.reference}.pdf"
    assert log.read_text(encoding="utf-8").split() == ["-d", "accueil-laser", str(saved)]
