"""The issue's "done when", with the keyboard alone at 80×24: a check-in with a meter reading
and the keys counted, its copy printed (a PDF read back with pdftotext, its QR code decoded by
zbarimg), the tenant's report within the window (refused after it), a move to another room
(two inspections, then keys and rooms in one action), a damage at check-out and the stay
closed with its balance; the QR code typed as a scanner does opens the record."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from crous_desk.arrivals.payload import make_payload
from crous_desk.base.clock import SystemClock
from crous_desk.base.config import Config
from crous_desk.store.models import (
    Departure,
    Inspection,
    InspectionAmendment,
    KeySet,
    LedgerMovement,
    MeterReading,
    Reservation,
    Room,
    RoomMove,
)
from screens.app import make_app
from screens.departure import DepartureScreen
from screens.etat import EtatScreen
from screens.forms import EarlyDepartureForm, FieldsForm
from screens.inspection import InspectionScreen
from screens.move import MoveScreen
from screens.reservation import ReservationScreen
from screens.widgets import ConfirmScreen
from tests import factories
from tests.slips.conftest import need
from tests.tui.driving import cells, field_errors, on_screen, until

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 10:00 Paris
WEDNESDAY_DAY_9 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
FRIDAY_DAY_11 = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)  # the window closed at midnight
MONDAY_DAY_14 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
FRIDAY_DAY_18 = datetime(2026, 12, 11, 9, 0, tzinfo=UTC)


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def pdf_text(path: Path) -> str:
    out = subprocess.run([need("pdftotext"), str(path), "-"], capture_output=True, check=True)
    return re.sub(r"\s+", " ", out.stdout.decode())


def qr_codes(path: Path) -> list[str]:
    prefix = path.with_name(path.stem + "-page")
    subprocess.run([need("pdftoppm"), "-r", "150", "-png", str(path), str(prefix)], check=True)
    found = []
    for page in sorted(path.parent.glob(prefix.name + "*.png")):
        run = subprocess.run([need("zbarimg"), "--raw", "-q", str(page)], capture_output=True)
        found += run.stdout.decode().split()
    return found


def saved_path(screen: EtatScreen) -> Path:
    said = text_of(screen, "#etat-status")
    assert said.startswith("Saved: "), said
    return Path(said.removeprefix("Saved: ").strip())


async def walk_all(pilot, screen: InspectionScreen, key: str = "g") -> None:
    table = screen.query_one("#items", DataTable)
    await until(pilot, lambda: table.row_count > 3, "the items")
    table.move_cursor(row=0)
    await pilot.press(*[key] * table.row_count)
    await until(
        pilot,
        lambda: all(c != "·" for c in cells(table, 1)),
        "every item with a state",
    )


async def acknowledge(pilot, screen: InspectionScreen) -> None:
    await pilot.press("a")
    await on_screen(pilot, ConfirmScreen)
    await pilot.press("y")
    title = screen.query_one("#inspection-title", Static)
    await until(pilot, lambda: "Locked" in str(title.render()), "the acknowledgement")


async def read_meter(pilot, reading: str) -> EtatScreen:
    await pilot.press("l")
    etat = await on_screen(pilot, EtatScreen)
    await pilot.press("e")
    await on_screen(pilot, FieldsForm)
    await pilot.press("ctrl+u", *reading, "enter")
    await until(pilot, lambda: reading in text_of(etat, "#etat"), "the reading shown")
    return etat


async def test_the_etat_des_lieux_from_check_in_to_closed_stay(
    database, at_time, tmp_path: Path
) -> None:
    studio = factories.room(number="S-301", kind="studio")
    factories.room(number="B-214")  # free, with a key set at the desk
    res = factories.reservation(
        first="Łukasz", last="Nguyễn Østergaard", room_=studio, documents="verified"
    )
    at_time(MONDAY)
    app = make_app(
        actor=factories.staff("accueil"),
        residence=factories.residence(),
        clock=SystemClock(),
        config=Config(desk_user="accueil", idle_lock_minutes=0),
    )
    app.animation_level = "none"
    async with app.run_test(size=(80, 24)) as pilot:
        # -- the check-in: every item, the meter, the keys, the tenant's acknowledgement
        await pilot.press(*res.reference, "enter")
        await on_screen(pilot, ReservationScreen)
        await pilot.press("i")
        inspection = await on_screen(pilot, InspectionScreen)
        await walk_all(pilot, inspection)
        etat = await read_meter(pilot, "012345.6")
        await pilot.press("k")
        form = await on_screen(pilot, FieldsForm)
        assert [i.value for i in form.query("Input")] == ["2", "0", "1", "1"]  # the studio's
        await pilot.press("enter", "enter", "enter", "ctrl+u", "2", "enter")  # two badges
        await until(pilot, lambda: "Access badges: 2" in text_of(etat, "#etat"), "the keys")
        await pilot.press("escape")
        await on_screen(pilot, InspectionScreen)
        await acknowledge(pilot, inspection)
        assert "completed until 03/12/2026 23:59" in text_of(inspection, "#inspection-title")

        # -- the tenant's copy, printed to PDF from the inspection
        await pilot.press("l")
        etat = await on_screen(pilot, EtatScreen)
        await pilot.press("s")
        await until(pilot, lambda: "Saved" in text_of(etat, "#etat-status"), "the PDF saved")
        check_in_pdf = saved_path(etat)
        await pilot.press("escape", "escape")
        file = await on_screen(pilot, ReservationScreen)
        await until(pilot, lambda: file.view is not None and not file.view.blockers, "ready")
        assert "The tenant may complete it until 03/12/2026 23:59" in text_of(file, "#inspections")
        await pilot.press("k")  # the keys, now that the check-in is acknowledged
        await on_screen(pilot, ConfirmScreen)
        await pilot.press("y")
        await until(
            pilot,
            lambda: Reservation.get_by_id(res.id).status == "checked_in",
            "the keys handed over",
        )

        # -- day 9: the tenant reports a scuff missed at check-in: a dated amendment
        at_time(WEDNESDAY_DAY_9)
        await pilot.press("i")
        inspection = await on_screen(pilot, InspectionScreen)
        table = inspection.query_one("#items", DataTable)
        await until(pilot, lambda: table.row_count > 3, "the items")
        table.move_cursor(row=1)
        await pilot.press("c")
        await on_screen(pilot, FieldsForm)
        await pilot.press("ctrl+u", *"worn", "enter", *"scuff by the door", "enter")
        await pilot.press(*"the tenant's report", "enter", "enter")
        await until(pilot, lambda: cells(table, 1)[1] == "worn*", "the amendment shown")

        # -- day 11: the window has closed
        at_time(FRIDAY_DAY_11)
        table.move_cursor(row=2)
        await pilot.press("c")
        form = await on_screen(pilot, FieldsForm)
        await pilot.press("ctrl+u", *"worn", "enter", "enter", *"late", "enter", "enter")
        await until(pilot, lambda: field_errors(form), "the refusal, in the form")
        assert any("closed on 03/12/2026 23:59" in e for e in field_errors(form).values())
        await pilot.press("escape")
        await on_screen(pilot, InspectionScreen)
        await pilot.press("escape")
        await on_screen(pilot, ReservationScreen)

        # -- day 14: a move to B-214, two inspections then one action
        at_time(MONDAY_DAY_14)
        await pilot.press("m")
        moving = await on_screen(pilot, MoveScreen)
        await pilot.press("p")
        await on_screen(pilot, FieldsForm)
        await pilot.press(*"b-214", "enter", *"noise from the street", "enter")
        await until(pilot, lambda: "Prepared: S-301 → B-214" in text_of(moving, "#move"), "ready")
        await pilot.press("o")  # the studio left: as at check-in, the meter read again
        leaving = await on_screen(pilot, InspectionScreen)
        await read_meter(pilot, "012400")
        await pilot.press("escape")
        await on_screen(pilot, InspectionScreen)
        await acknowledge(pilot, leaving)
        await pilot.press("escape")
        await on_screen(pilot, MoveScreen)
        await pilot.press("i")  # the room given: nothing known of it yet
        arriving = await on_screen(pilot, InspectionScreen)
        await walk_all(pilot, arriving)
        await acknowledge(pilot, arriving)
        await pilot.press("escape")
        await on_screen(pilot, MoveScreen)
        await pilot.press("x")
        await on_screen(pilot, ConfirmScreen)
        await pilot.press("y")
        await until(pilot, lambda: "Moved" in text_of(moving, "#move"), "the move done")
        await pilot.press("escape")
        await on_screen(pilot, ReservationScreen)

        # -- day 18: the departure, a damage at check-out, the stay closed with its balance
        at_time(FRIDAY_DAY_18)
        await pilot.press("d")
        leaving_for_good = await on_screen(pilot, DepartureScreen)
        await pilot.press("o")
        items = leaving_for_good.query_one("#check-out", DataTable)
        await until(pilot, lambda: items.row_count > 3, "the check-out items")
        items.move_cursor(row=8)  # the desk: damaged, saying what
        await pilot.press("d")
        await on_screen(pilot, FieldsForm)
        await pilot.press(*"burn mark on the top", "enter")
        await on_screen(pilot, DepartureScreen)
        await until(pilot, lambda: cells(items, 2)[8] == "damaged", "the damage")
        await pilot.press("a")
        await on_screen(pilot, ConfirmScreen)
        await pilot.press("y")
        await on_screen(pilot, FieldsForm)  # the tenant's new address
        await pilot.press(*"ul. Długa 5, 00-238 Warszawa", "enter")
        await until(
            pilot,
            lambda: "acknowledged" in text_of(leaving_for_good, "#departure-summary"),
            "the check-out acknowledged",
        )
        assert "the tenant owes 60.00 €" in text_of(leaving_for_good, "#departure-summary")
        await pilot.press("l")
        etat = await on_screen(pilot, EtatScreen)
        await pilot.press("s")
        await until(pilot, lambda: "Saved" in text_of(etat, "#etat-status"), "the PDF saved")
        check_out_pdf = saved_path(etat)
        await pilot.press("escape")
        await on_screen(pilot, DepartureScreen)
        await pilot.press("x")  # early: the lease runs to April; the balance is said first
        confirm = await on_screen(pilot, ConfirmScreen)
        assert "the tenant owes 60.00 €" in confirm.question
        await pilot.press("y")
        await on_screen(pilot, EarlyDepartureForm)  # force majeure chosen: No
        await pilot.press("down", "tab", *"internship abroad", "ctrl+s")
        await until(
            pilot, lambda: "departed" in text_of(leaving_for_good, "#departure-title"), "closed"
        )
        await pilot.press("escape", "escape")

        # -- the copy's QR code, typed as a scanner does, opens the record
        payload = make_payload(res.reference)
        await pilot.press("f2")
        await pilot.press(*payload, "enter")
        opened = await on_screen(pilot, ReservationScreen)
        assert opened.reservation_id == res.id

    # the record
    check_in = Inspection.get(Inspection.room == studio.id, Inspection.kind == "check_in")
    assert MeterReading.get(MeterReading.inspection == check_in).reading == "012345.6"
    amendment = InspectionAmendment.get()
    assert (amendment.by_tenant, amendment.at) == (True, WEDNESDAY_DAY_9)
    move = RoomMove.get()
    assert (move.from_room.number, move.to_room.number, move.moved_at) == (
        "S-301",
        "B-214",
        MONDAY_DAY_14,
    )
    assert Room.get(Room.number == "S-301").status == "to_inspect"
    assert KeySet.get(KeySet.label == "GAS/B-214/1").state == "desk"
    assert [m.amount_cents for m in LedgerMovement.select()] == [6000]
    departure = Departure.get(Departure.reservation == res.id)
    assert (departure.open_balance_cents, departure.force_majeure) == (6000, False)

    # the copies, read back
    text = pdf_text(check_in_pdf)
    for expected in (
        "ÉTAT DES LIEUX D'ENTRÉE · CHECK-IN INSPECTION REPORT",
        "Locataire / Tenant : Łukasz Nguyễn Østergaard",
        "Compteur d'électricité / Electricity meter : 012345.6 kWh",
        "Badges d'accès / Access badges : 2",
        "jusqu'au jeudi 3 décembre 2026 à 23:59",
        "Reconnu exact par Łukasz Nguyễn Østergaard le lundi 23 novembre 2026 à 10:00",
    ):
        assert expected in text, expected
    text = pdf_text(check_out_pdf)
    for expected in (
        "ÉTAT DES LIEUX DE SORTIE · CHECK-OUT INSPECTION REPORT",
        "Logement / Room : B-214",
        "ul. Długa 5, 00-238 Warszawa",
        "burn mark on the top",
        "Bureau / Desk : bon / good → dégradé / damaged — 60,00 € / 60.00 €",
        "Solde du séjour / Balance of the stay : 60,00 € / 60.00 €",
    ):
        assert expected in text, expected
    assert qr_codes(check_in_pdf) == [payload]
    assert qr_codes(check_out_pdf) == [payload]


pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")
