"""The slip preview and the appointment screen at 80×24, on the demo data at a fixed Paris
time, with a fixed slip secret so the QR code does not change. Look at the SVG before
accepting (``--snapshot-update``)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from crous_desk.arrivals.appointments import SlotPolicy, book_appointment
from crous_desk.arrivals.slips import SECRET_KEY
from crous_desk.base.clock import FixedClock
from crous_desk.office.demo import seed_demo
from crous_desk.services import Desk, ensure_staff
from crous_desk.store.models import Reservation, Residence, Setting, Student
from tests import factories
from tests.tui.settle import pressing

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def demo_app(database, desk_app, at_time):
    at_time(factories.MONDAY_10H)
    seed_demo(FixedClock(factories.MONDAY_10H))
    Setting.create(key=SECRET_KEY, value="5a" * 32)
    student = Student.get(Student.first_name == "Hélène", Student.last_name == "Dupont")
    helene = Reservation.get(Reservation.student == student)
    residence = Residence.get(Residence.code == "gaston-berger")
    book_appointment(
        Desk(ensure_staff("accueil"), FixedClock(factories.MONDAY_10H), residence),
        helene.id,
        datetime(2026, 11, 24, 14, 0, tzinfo=ZoneInfo("Europe/Paris")),
        SlotPolicy(),
    )
    return desk_app(residence)


def test_slip_preview(demo_app, snap_compare):
    assert snap_compare(
        demo_app, run_before=pressing(*"helene dupont", "enter", "s"), terminal_size=(80, 24)
    )


def test_appointment_screen(demo_app, snap_compare):
    assert snap_compare(
        demo_app, run_before=pressing(*"helene dupont", "enter", "a"), terminal_size=(80, 24)
    )
