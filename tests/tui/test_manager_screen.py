"""The mobility manager's students with the keyboard alone: finding one, the step, semester and
year filters, what expires within 24 hours, a refusal recorded, an acceptance refused when
there is no proposal, the export of what is shown, and a student's file opened."""

from __future__ import annotations

import csv
import os
from datetime import timedelta
from pathlib import Path

from textual.widgets import DataTable, Input, Static

from crous_desk.base.clock import SystemClock
from crous_desk.base.config import Config
from crous_desk.store.models import Reservation, Student
from screens.app import make_app
from screens.manager import ManagerScreen
from screens.reservation import ReservationScreen
from screens.widgets import ConfirmScreen, ReasonsScreen
from tests import factories
from tests.factories import MONDAY_10H
from tests.tui.driving import cells, highlight, on_screen, until


def students() -> dict[str, Reservation]:
    made = {
        "Ana Alves": factories.reservation(
            first="Ana", last="Alves", status="requested", documents="none"
        ),
        "Bea Brun": factories.reservation(
            first="Bea", last="Brun", status="proposed", paid=False, sent_at=MONDAY_10H
        ),
        "Cara Costa": factories.reservation(
            first="Cara",
            last="Costa",
            status="proposed",
            paid=False,
            sent_at=MONDAY_10H - timedelta(hours=100),  # 20 hours left to answer
        ),
    }
    for name, semester in (("Ana Alves", 1), ("Bea Brun", 2), ("Cara Costa", 1)):
        Student.update(academic_year="2026-2027", semester=semester).where(
            Student.id == made[name].student_id
        ).execute()
    return made


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_finding_filtering_and_acting_on_ones_students(database, at_time):
    made = students()
    at_time(MONDAY_10H)
    app = make_app(factories.manager(), None, SystemClock(), Config())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await on_screen(pilot, ManagerScreen)
        table = screen.query_one("#students", DataTable)
        assert sorted(cells(table)) == ["Ana Alves", "Bea Brun", "Cara Costa"]
        assert "Cara Costa 20 h" in text_of(screen, "#due-soon")

        await pilot.press("slash", *"costa")
        await until(pilot, lambda: cells(table) == ["Cara Costa"], "the search")
        screen.query_one("#find", Input).value = ""
        await pilot.press("enter")  # back to the list
        await until(pilot, lambda: len(cells(table)) == 3, "every student again")

        await pilot.press("s")  # semester 1
        await until(pilot, lambda: sorted(cells(table)) == ["Ana Alves", "Cara Costa"], "S1")
        assert "semester 1" in text_of(screen, "#students-title")
        await pilot.press("s", "s")  # semester 2, then both
        await until(pilot, lambda: len(cells(table)) == 3, "both semesters")

        await pilot.press("t", "t", "t")  # form, INE, proposal sent
        await until(pilot, lambda: sorted(cells(table)) == ["Bea Brun", "Cara Costa"], "sent")
        assert "Proposal sent" in text_of(screen, "#students-title")
        await pilot.press(*["t"] * 8)  # round every step, back to all of them
        await until(pilot, lambda: len(cells(table)) == 3, "every step again")

        await pilot.press("y")  # from 2026-2027 to every year
        await until(pilot, lambda: "every year" in text_of(screen, "#students-title"), "years")

        await highlight(pilot, table, "Ana Alves")
        await pilot.press("a")  # a request with no proposal cannot be accepted
        reasons = await on_screen(pilot, ReasonsScreen)
        assert reasons.reasons == ["there is no open proposal"]
        await pilot.press("escape")
        await on_screen(pilot, ManagerScreen)

        await highlight(pilot, table, "Bea Brun")
        await pilot.press("r")
        await on_screen(pilot, ConfirmScreen)
        await pilot.press("y")
        await until(
            pilot,
            lambda: Reservation.get_by_id(made["Bea Brun"].id).status == "refused",
            "the refusal recorded",
        )

        await pilot.press("x")
        folder = Path(os.environ["XDG_DOCUMENTS_DIR"]) / "crous-desk"
        await until(pilot, lambda: any(folder.glob("pipeline*.csv")), "the export")
        (written,) = folder.glob("pipeline*.csv")
        rows = list(csv.reader(written.read_text(encoding="utf-8-sig").splitlines()))
        assert len(rows) == 4  # the header and the three students

        await highlight(pilot, table, "Cara Costa")
        await pilot.press("enter")
        file_screen = await on_screen(pilot, ReservationScreen)
        assert file_screen.reservation_id == made["Cara Costa"].id


async def test_the_students_come_a_page_at_a_time(database, at_time, monkeypatch):
    from crous_desk.office import pipeline

    students()
    monkeypatch.setattr(pipeline, "PAGE", 2)
    at_time(MONDAY_10H)
    app = make_app(factories.manager(), None, SystemClock(), Config())
    async with app.run_test(size=(100, 24)) as pilot:
        screen = await on_screen(pilot, ManagerScreen)
        table = screen.query_one("#students", DataTable)
        await until(pilot, lambda: cells(table) == ["Ana Alves", "Bea Brun"], "the first page")
        assert "1–2 of 3" in text_of(screen, "#students-title")
        assert "INE 1 · Sent 2" in text_of(screen, "#counts")  # every student counted
        await pilot.press("left_square_bracket")  # nothing before the first page
        await pilot.press("right_square_bracket")
        await until(pilot, lambda: cells(table) == ["Cara Costa"], "the second page")
        assert "3–3 of 3" in text_of(screen, "#students-title")
        await pilot.press("right_square_bracket")  # nothing after the last
        await pilot.pause()
        assert cells(table) == ["Cara Costa"]
        await pilot.press("s")  # a filter starts again from the first page
        await until(pilot, lambda: cells(table) == ["Ana Alves", "Cara Costa"], "semester 1")
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert cells(table) == ["Ana Alves", "Cara Costa"]
