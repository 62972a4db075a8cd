"""The demo's end of stays, through the desk actions themselves (as the desk would record
them): departures due today, an overstay, a lost key set, an extension request."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from crous_desk import rooms as tenancy
from crous_desk.base.clock import PARIS, FixedClock
from crous_desk.departure import actions as departure
from crous_desk.desk.context import Desk
from crous_desk.keys import actions as keys
from crous_desk.rules.hours import desk_status
from crous_desk.rules.status import ReservationStatus
from crous_desk.store.models import KeySet, Reservation, Residence, Room, Staff


def end_of_stays(residence: Residence, today: date, now: datetime, staff: dict[str, Staff]) -> None:
    """The end of stays at the first residence: two departures due today (one with an
    appointment this afternoon when the desk is open then), an overstay, a key set lost
    yesterday, and an extension request waiting for a decision."""
    tenants = list(
        Reservation.select()
        .join(Room)
        .where(Room.residence == residence, Reservation.status == ReservationStatus.CHECKED_IN)
        .order_by(Reservation.id)
        .limit(5)
    )
    if len(tenants) < 5:
        return
    leaving, booked, overstaying, careless, staying = tenants
    for reservation, end in (
        (leaving, today),
        (booked, today),
        (overstaying, today - timedelta(days=3)),
    ):
        Reservation.update(lease_end=end).where(Reservation.id == reservation.id).execute()
    desk = Desk(staff["accueil"], FixedClock(now), residence)
    afternoon = datetime.combine(today, time(15), tzinfo=PARIS)
    if now < afternoon and desk_status(afternoon, desk.calendar()).is_open:
        departure.book_departure(desk, booked.id, afternoon)
    yesterday = Desk(staff["k.benali"], FixedClock(now - timedelta(days=1)), residence)
    lost = KeySet.get(KeySet.holder == careless.id)
    keys.declare_lost(yesterday, lost.id, note="lost on the campus, reported by phone")
    tenancy.request_extension(
        Desk(staff["m.martin"], FixedClock(now - timedelta(hours=5)), residence),
        staying.id,
        staying.lease_end + timedelta(days=61),
        "internship at the laboratory extended by two months",
    )
