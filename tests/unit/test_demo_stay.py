"""The demo shows the whole stay: departures due today, an overstay, a lost key set and an
extension request waiting for a decision, at the first residence."""

from __future__ import annotations

import peewee

from crous_desk import keys
from crous_desk import rooms as tenancy
from crous_desk.base.clock import FixedClock
from crous_desk.office import today
from crous_desk.office.demo import seed_demo
from crous_desk.services import Desk
from crous_desk.store.models import Charge, KeySet, Residence, Staff
from tests.factories import MONDAY_10H


def test_the_demo_has_departures_an_overstay_a_lost_key_and_an_extension_request(
    database: peewee.Database,
) -> None:
    seed_demo(FixedClock(MONDAY_10H))
    desk = Desk(
        Staff.get(Staff.username == "accueil"),
        FixedClock(MONDAY_10H),
        Residence.get(Residence.code == "gaston-berger"),
    )
    home = today.home(desk)
    assert len(home.departures) == 2
    assert [d.appointment_at is not None for d in home.departures] == [True, False]
    assert len(home.overstays) == 1
    assert home.overstays[0].days_over == 3
    assert [k.reason for k in home.keys_to_return] == ["lease_ended"]
    assert home.pending_extensions == 1
    (lost,) = keys.inventory(desk, states=["lost"])
    assert KeySet.select().where(KeySet.room == lost.room_id, KeySet.state == "desk").exists()
    (charge,) = Charge.select()
    assert (charge.kind, charge.amount_cents) == ("lost_key", 4500)
    (request,) = tenancy.extension_requests(desk)
    assert request.requested_by == "m.martin"
    assert any(a.ready for a in home.arrivals)
