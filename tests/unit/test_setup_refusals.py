"""Setting up a residence, its closures and its rooms: what is refused, each reason said, and
nothing written."""

from __future__ import annotations

import pytest

from crous_desk.base.clock import FixedClock
from crous_desk.base.errors import Refused
from crous_desk.desk.context import Desk
from crous_desk.office import setup
from crous_desk.store.models import Closure, Residence, Room
from tests import factories
from tests.factories import MONDAY_10H

HEADER = "number;building;floor;kind;surface_m2;rent_eur;key_sets"


@pytest.fixture
def admin(database) -> Desk:
    return Desk(factories.staff("chef", role="administrator", scope=()), FixedClock(MONDAY_10H))


def test_a_residence_is_refused_with_every_reason(admin: Desk) -> None:
    factories.residence()
    with pytest.raises(Refused) as refused:
        setup.add_residence(
            admin,
            "gaston-berger",
            name="",
            crous="aix-marseille",
            address="Avenue\x00",
            desk_phone="04 42 93 47 00",
        )
    assert refused.value.reasons[0] == "a residence 'gaston-berger' exists already"
    assert "name is required" in refused.value.reasons
    assert any("address" in r and "control" in r for r in refused.value.reasons)
    assert Residence.select().count() == 1


def test_a_closure_must_be_days_in_order(admin: Desk) -> None:
    residence = factories.residence()
    with pytest.raises(Refused, match="is not a date"):
        setup.declare_closure(admin, residence, "24/12/2026", "Noël", "Christmas break")
    with pytest.raises(Refused, match="the closure ends before it starts"):
        setup.declare_closure(admin, residence, "02/01/2027", "24/12/2026", "Christmas break")
    assert Closure.select().count() == 0


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "line 1: the header must be number;building;floor;kind;surface_m2;rent_eur;key_sets"),
        (f"{HEADER}\nB-112;B;1;renovated\n", "line 2: 4 fields where the header names 7"),
        (
            f"{HEADER}\nB-112;B;1;renovated;12;210;1\nb-112;B;2;renovated;12;210;1\n",
            "line 3: room B-112 is also on line 2",
        ),
        (
            f"{HEADER}\nB-112;B;61;castle;2;-5;9\n",
            "line 2: kind 'castle': one of traditional, renovated, studio, flat_t1, flat_t2, "
            "flat_t3, flat_t4, flat_t5; floor '61': a whole number; surface '2': square metres, "
            "5 to 300; rent '-5': euros a month, 0 to 5000; key_sets '9': 1 to 6",
        ),
        (f"{HEADER}\nB 112!;B;1;renovated;12;210;1\n", "line 2: room number 'B 112!'"),
        (f"{HEADER}\nB-112;B;1;flat_t1;12;210;1\n", "line 2: 12 m² is under the 16 m² minimum"),
    ],
)
def test_what_a_rooms_file_may_not_hold(admin: Desk, text: str, problem: str) -> None:
    residence = factories.residence()
    with pytest.raises(Refused) as refused:
        setup.import_rooms(admin, residence, text)
    assert any(r.startswith(problem) or problem in r for r in refused.value.reasons), (
        refused.value.reasons
    )
    assert Room.select().count() == 0


def test_a_blank_line_in_a_rooms_file_is_skipped(admin: Desk) -> None:
    residence = factories.residence()
    created, existing = setup.import_rooms(
        admin, residence, f"{HEADER}\nB-112;B;1;renovated;12;210;1\n;;;;;;\n"
    )
    assert (created, existing) == (1, 0)
    assert setup.import_rooms(admin, residence, f"{HEADER}\nB-112;B;1;renovated;12;210;1\n") == (
        0,
        1,
    )
