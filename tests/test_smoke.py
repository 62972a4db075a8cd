from crous_desk.store.models import Reservation
from tests import factories


def test_factory_builds_an_arrival(database):
    r = factories.reservation()
    assert Reservation.get_by_id(r.id).student.first_name == "Hélène"
