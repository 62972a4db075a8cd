"""Issue 12: the file, the today panel and the forms at 80×24 and at 120×40, on the demo data
at a fixed Paris time. Look at each SVG (rsvg-convert it to a PNG) before accepting it."""

from __future__ import annotations

import pytest

from crous_desk.base.clock import FixedClock
from crous_desk.office.demo import seed_demo
from crous_desk.store.models import Reservation, Residence
from tests import factories
from tests.tui.settle import pressing

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


@pytest.fixture
def demo_app(database, desk_app, at_time):
    at_time(factories.MONDAY_10H)
    seed_demo(FixedClock(factories.MONDAY_10H))
    return desk_app(Residence.get(Residence.code == "gaston-berger"))


def tenant() -> Reservation:
    return (
        Reservation.select()
        .where(Reservation.status == "checked_in")
        .order_by(Reservation.lease_end, Reservation.id)
        .first()
    )


@SIZES
def test_the_file(demo_app, snap_compare, size):
    keys = (*"helene dupont", "enter")
    assert snap_compare(demo_app, run_before=pressing(*keys), terminal_size=size)


@SIZES
def test_the_file_scrolled_to_its_end(demo_app, snap_compare, size):
    keys = (*"helene dupont", "enter", "end")
    assert snap_compare(demo_app, run_before=pressing(*keys), terminal_size=size)


@SIZES
def test_today_at_the_desk(demo_app, snap_compare, size):
    assert snap_compare(demo_app, run_before=pressing(), terminal_size=size)


@SIZES
def test_the_insurance_form_with_its_problems(demo_app, snap_compare, size):
    keys = (*"helene dupont", "enter", "space", "end", *["backspace"] * 10, *"1/13/2026", "ctrl+s")
    assert snap_compare(demo_app, run_before=pressing(*keys), terminal_size=size)


@SIZES
def test_the_extension_request_with_its_problems(demo_app, snap_compare, size):
    keys = (*tenant().reference, "enter", "e", *"31/02/2027", "ctrl+s")
    assert snap_compare(demo_app, run_before=pressing(*keys), terminal_size=size)


@SIZES
def test_the_key_log_filter(demo_app, snap_compare, size):
    keys = ("f4", "l", "f", *"Z-999", "ctrl+s")
    assert snap_compare(demo_app, run_before=pressing(*keys), terminal_size=size)


@SIZES
def test_the_handover_question(demo_app, snap_compare, size):
    ready = Reservation.get(Reservation.reference == _ready_reference())
    keys = (*ready.reference, "enter", "k")
    assert snap_compare(demo_app, run_before=pressing(*keys), terminal_size=size)


def _ready_reference() -> str:
    """The demo's arrival that is ready for the keys (Adèle Fournier)."""
    from crous_desk.store.models import Student

    student = Student.get(Student.first_name == "Adèle", Student.last_name == "Fournier")
    return (
        Reservation.select()
        .where(Reservation.student == student, Reservation.status == "accepted")
        .get()
        .reference
    )
