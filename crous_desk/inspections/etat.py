"""The état des lieux of an inspection as its copy shows it: the parties, the items, the meter
readings, the keys, the new address at check-out, and the window to complete a check-in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from crous_desk.inspections.views import ItemView, items
from crous_desk.rules import etat
from crous_desk.rules.status import InspectionKind
from crous_desk.store.models import Inspection, InspectionKey, MeterReading, Residence


@dataclass(frozen=True)
class ReadingRow:
    meter: str
    label: str
    unit: str
    reading: str | None  # None: not read yet


@dataclass(frozen=True)
class KeyRow:
    kind: str
    label: str
    count: int


@dataclass(frozen=True)
class Etat:
    inspection: Inspection
    kind: InspectionKind
    room: str
    tenant: str
    staff: str
    started_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    items: list[ItemView]
    readings: list[ReadingRow]
    keys: list[KeyRow]
    forwarding_address: str | None
    window: etat.Window | None  # a check-in acknowledged: until when it may be completed

    @property
    def window_ends_at(self) -> datetime | None:
        return self.window.ends_at if self.window else None

    @property
    def heating_until(self) -> datetime | None:
        return self.window.heating_until if self.window else None


def window_of(inspection: Inspection) -> etat.Window | None:
    """The window to complete an acknowledged check-in, with its residence's settings."""
    if inspection.kind != InspectionKind.CHECK_IN or inspection.acknowledged_at is None:
        return None
    residence: Residence = inspection.room.residence
    return etat.window(
        inspection.acknowledged_at,
        etat.default_amendment_days()
        if residence.amendment_days is None
        else residence.amendment_days,
        residence.heating_starts or etat.default_heating_start(),
        ZoneInfo(residence.timezone),
    )


def etat_of(inspection: Inspection) -> Etat:
    room = inspection.room
    read = {
        r.meter: r.reading
        for r in MeterReading.select().where(MeterReading.inspection == inspection)
    }
    known = etat.meters()
    wanted = list(etat.meters_of(room.kind, room.meters))
    wanted += [m for m in read if m not in wanted]
    counted = {
        k.kind: k.count
        for k in InspectionKey.select().where(InspectionKey.inspection == inspection)
    }
    kinds = etat.key_kinds()
    return Etat(
        inspection=inspection,
        kind=InspectionKind(inspection.kind),
        room=room.number,
        tenant=inspection.tenant_name or inspection.reservation.student.full_name,
        staff=inspection.started_by.display_name,
        started_at=inspection.started_at,
        acknowledged_at=inspection.acknowledged_at,
        acknowledged_by=inspection.acknowledged_by.display_name
        if inspection.acknowledged_by
        else None,
        items=items(inspection.id),
        readings=[
            ReadingRow(
                m,
                known[m].label if m in known else m,
                known[m].unit if m in known else "",
                read.get(m),
            )
            for m in wanted
        ],
        keys=[
            KeyRow(k, kinds[k].label if k in kinds else k, n)
            for k, n in sorted(
                counted.items(), key=lambda kv: list(kinds).index(kv[0]) if kv[0] in kinds else 99
            )
        ],
        forwarding_address=inspection.forwarding_address,
        window=window_of(inspection),
    )
