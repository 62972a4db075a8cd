"""Each screen at 80×24 on the demo data, at a fixed Paris time. Look at the SVG before accepting.

Update with ``pytest tests/tui/test_snapshots.py --snapshot-update`` after checking the report.
"""

from __future__ import annotations

import pytest

from crous_desk.base.clock import FixedClock
from crous_desk.office.demo import seed_demo
from crous_desk.store.models import Reservation, Residence, Student
from tests import factories
from tests.tui.settle import pressing

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def demo_app(database, desk_app, at_time):
    at_time(factories.MONDAY_10H)
    seed_demo(FixedClock(factories.MONDAY_10H))
    return desk_app(Residence.get(Residence.code == "gaston-berger"))


def helene() -> Reservation:
    student = Student.get(Student.first_name == "Hélène", Student.last_name == "Dupont")
    return Reservation.get(Reservation.student == student)


def test_search_screen(demo_app, snap_compare):
    assert snap_compare(demo_app, run_before=pressing(*"du"), terminal_size=(80, 24))


def test_reservation_screen(demo_app, snap_compare):
    assert snap_compare(
        demo_app, run_before=pressing(*"helene dupont", "enter"), terminal_size=(80, 24)
    )


def test_insurance_form(demo_app, snap_compare):
    assert snap_compare(
        demo_app, run_before=pressing(*"helene dupont", "enter", "space"), terminal_size=(80, 24)
    )


def test_inspection_screen(demo_app, snap_compare):
    from crous_desk.services import Desk, ensure_staff

    res = helene()
    desk = Desk(ensure_staff("accueil"), FixedClock(factories.MONDAY_10H))
    inspection = desk.open_inspection(res.id)
    items = list(inspection.items)
    desk.set_item(items[0].id, state="good")
    desk.set_item(items[1].id, state="worn", remark="Scuff marks near the window")
    assert snap_compare(
        demo_app,
        run_before=pressing(*res.reference, "enter", "i", "down", "down"),
        terminal_size=(80, 24),
    )


def test_refused_handover(demo_app, snap_compare):
    assert snap_compare(
        demo_app, run_before=pressing(*"helene dupont", "enter", "k"), terminal_size=(80, 24)
    )


def test_help_screen(demo_app, snap_compare):
    assert snap_compare(
        demo_app, run_before=pressing(*"helene dupont", "enter", "f1"), terminal_size=(80, 24)
    )


def test_today_at_the_desk(demo_app, snap_compare):
    assert snap_compare(demo_app, run_before=pressing(), terminal_size=(80, 24))


def test_keys_screen(demo_app, snap_compare):
    assert snap_compare(demo_app, run_before=pressing("f4", "f"), terminal_size=(80, 24))


def test_key_log_screen(demo_app, snap_compare):
    assert snap_compare(demo_app, run_before=pressing("f4", "l"), terminal_size=(80, 24))


def test_rooms_screen(demo_app, snap_compare):
    assert snap_compare(demo_app, run_before=pressing("f3"), terminal_size=(80, 24))


def test_extensions_screen(demo_app, snap_compare):
    assert snap_compare(demo_app, run_before=pressing("f6"), terminal_size=(80, 24))


def test_departure_screen(demo_app, snap_compare):
    from crous_desk.store.models import Reservation

    tenant = (
        Reservation.select()
        .where(Reservation.status == "checked_in")
        .order_by(Reservation.lease_end, Reservation.id)
        .first()
    )
    assert snap_compare(
        demo_app,
        run_before=pressing(
            *tenant.reference, "enter", "d", "o", "down", "d", *"cracked handset", "enter"
        ),
        terminal_size=(80, 24),
    )
