"""What a residence decides about the état des lieux and the money of a stay: the window to
complete a check-in (days, the heating season's first day), the security deposit it asks, and
the meters each room has of its own. Administrators' actions, audited."""

from __future__ import annotations

from crous_desk.base.formats import money
from crous_desk.base.i18n import _
from crous_desk.desk.action import Act, action
from crous_desk.rules import etat
from crous_desk.rules.ledger import amount_problem
from crous_desk.store.models import Residence, Room, snapshot

_FIELDS = ("amendment_days", "heating_starts", "deposit_cents")


@action("residence.stay", needs="residence.manage", target=Residence)
def set_stay_settings(
    act: Act,
    residence: Residence,
    *,
    amendment_days: int | None = None,
    heating_starts: str | None = None,
    deposit_cents: int | None = None,
    no_deposit: bool = False,
) -> Residence:
    """Change what is given (None: unchanged); ``no_deposit``: the residence asks none."""
    changes: dict[str, object] = {}
    if amendment_days is not None:
        act.check(etat.amendment_days_problem(amendment_days))
        changes["amendment_days"] = amendment_days
    if heating_starts is not None:
        heating_starts = heating_starts.strip()
        act.check(etat.heating_start_problem(heating_starts))
        changes["heating_starts"] = heating_starts
    if no_deposit:
        changes["deposit_cents"] = None
    elif deposit_cents is not None:
        act.check(amount_problem(deposit_cents)[1])
        changes["deposit_cents"] = deposit_cents
    with act.change():
        before = snapshot(residence, *_FIELDS)
        if changes:
            Residence.update(**changes).where(Residence.id == residence.id).execute()
        after = snapshot(Residence.get_by_id(residence.id), *_FIELDS)
        act.audit("residence", residence.id, before=before, after=after)
    return Residence.get_by_id(residence.id)


@action("rooms.meters", needs="residence.manage", target=Room)
def set_room_meters(act: Act, room: Room, meters: str | None) -> Room:
    """The meters the room has of its own ("electricity,water_cold"; "" none); None: its
    kind's."""
    cleaned: str | None = None
    if meters is not None:
        cleaned, problem = etat.meter_list_problem(meters)
        act.check(problem)
    with act.change():
        before = snapshot(room, "meters")
        Room.update(meters=cleaned).where(Room.id == room.id).execute()
        act.audit(
            "room",
            room.id,
            before=before,
            after={"meters": cleaned, "effective": list(etat.meters_of(room.kind, cleaned))},
        )
    return Room.get_by_id(room.id)


def describe(residence: Residence) -> str:
    days = (
        residence.amendment_days
        if residence.amendment_days is not None
        else etat.default_amendment_days()
    )
    return _("{code}: window {days} days, heating season from {start}, deposit {deposit}").format(
        code=residence.code,
        days=days,
        start=residence.heating_starts or etat.default_heating_start(),
        deposit=money(residence.deposit_cents) if residence.deposit_cents else "-",
    )
