"""Sign-in, the idle lock, the manager's workspace, the audit log, the staff accounts and the
export dialog at 80×24 on the demo data, at a fixed Paris time. Look at the SVG before
accepting (``--snapshot-update``)."""

from __future__ import annotations

import pytest

from crous_desk.base.clock import FixedClock, SystemClock
from crous_desk.base.config import Config
from crous_desk.office.demo import seed_demo
from crous_desk.store.models import Residence, Staff
from screens.app import make_app
from screens.signin import LockScreen
from tests import factories
from tests.tui.settle import pressing, settle

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def demo(database, at_time):
    at_time(factories.MONDAY_10H)
    seed_demo(FixedClock(factories.MONDAY_10H))


def app_for(username: str | None):
    actor = Staff.get(Staff.username == username) if username else None
    residence = Residence.get(Residence.code == "gaston-berger")
    return make_app(actor, residence, SystemClock(), Config())


def test_sign_in_screen(demo, snap_compare):
    assert snap_compare(
        app_for(None),
        run_before=pressing(*"accueil", "enter", *"nope", "enter"),
        terminal_size=(80, 24),
    )


def test_lock_screen(demo, snap_compare):
    async def lock(pilot):
        await settle(pilot)
        app = pilot.app
        app.locked = True
        app.push_screen(LockScreen(Staff.get(Staff.username == "accueil"), 10))
        await settle(pilot)

    assert snap_compare(app_for("accueil"), run_before=lock, terminal_size=(80, 24))


def test_manager_workspace(demo, snap_compare):
    assert snap_compare(app_for("s.laurent"), run_before=pressing(), terminal_size=(80, 24))


def test_manager_workspace_one_step(demo, snap_compare):
    assert snap_compare(app_for("s.laurent"), run_before=pressing("t", "s"), terminal_size=(80, 24))


def test_ine_form(demo, snap_compare):
    assert snap_compare(app_for("s.laurent"), run_before=pressing("t", "i"), terminal_size=(80, 24))


def test_audit_screen(demo, snap_compare):
    assert snap_compare(app_for("admin"), run_before=pressing("f7"), terminal_size=(80, 24))


def test_staff_screen(demo, snap_compare):
    assert snap_compare(app_for("admin"), run_before=pressing("f8", "down"), terminal_size=(80, 24))


def test_export_dialog(demo, snap_compare):
    assert snap_compare(app_for("s.laurent"), run_before=pressing("ctrl+e"), terminal_size=(80, 24))


def test_new_account_form(demo, snap_compare):
    assert snap_compare(app_for("admin"), run_before=pressing("f8", "n"), terminal_size=(80, 24))
