"""The words both languages need: days, instants in a zone, room kinds, documents, and the
residence's contact details that end every letter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crous_desk.arrivals.slip_pdf import DOCUMENTS_FR, day_en, day_fr
from crous_desk.base.clock import PARIS
from crous_desk.mail.letter import Facts, P
from crous_desk.rules.reference import CrousOffice, document_kinds, room_kinds

LANGUAGES = ("fr", "en")

ROOM_KINDS_FR = {
    "traditional": "chambre traditionnelle",
    "renovated": "chambre rénovée (cabine douche-WC-lavabo)",
    "studio": "studio T1 avec kitchenette",
    "flat_t1": "logement T1",
    "flat_t2": "logement T2",
    "flat_t3": "logement T3",
    "flat_t4": "logement T4",
    "flat_t5": "logement T5",
}


def room_kind(lang: str, code: str) -> str:
    if lang == "fr":
        return ROOM_KINDS_FR.get(code, code)
    kind = room_kinds().get(code)
    return kind.label if kind else code


def document(lang: str, code: str) -> str:
    if lang == "fr":
        return DOCUMENTS_FR.get(code, code)
    kind = document_kinds().get(code)
    return kind.label if kind else code


def long_day(lang: str, day: date) -> str:
    return day_fr(day) if lang == "fr" else day_en(day)


def short_day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def desk_instant(at: datetime) -> str:
    """An instant as the desk shows it: Paris time, dd/mm/yyyy HH:MM."""
    return at.astimezone(PARIS).strftime("%d/%m/%Y %H:%M")


def zone_of(name: str | None) -> ZoneInfo | None:
    """The student's own zone, when it is known, valid, and not Paris's."""
    if not name:
        return None
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return None if zone.key == PARIS.key else zone


def utc_offset(at: datetime) -> str:
    offset = at.utcoffset()
    assert offset is not None
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def in_zone(lang: str, at: datetime, zone: ZoneInfo) -> str:
    """``at`` on the student's clock: "30/11/2026 04:00 (America/New_York, UTC−05:00)"."""
    local = at.astimezone(zone)
    where = f"{zone.key}, {utc_offset(local)}"
    said = f"{local:%d/%m/%Y %H:%M} ({where})"
    return f"{said}, {long_day(lang, local.date())}"


def paris_label(lang: str) -> str:
    return "heure de Paris" if lang == "fr" else "Paris time"


@dataclass(frozen=True)
class Contact:
    """Who the student writes to or calls: the residence's desk, and its CROUS."""

    residence: str
    address: str
    phone: str
    email: str
    opening: time
    crous: CrousOffice | None


def contact_blocks(lang: str, contact: Contact) -> tuple[P, Facts]:
    fr = lang == "fr"
    pairs = [
        ("Résidence" if fr else "Residence", contact.residence),
        ("Adresse" if fr else "Address", contact.address),
        ("Téléphone de l'accueil" if fr else "Desk phone", contact.phone),
    ]
    if contact.email:
        pairs.append(("E-mail de l'accueil" if fr else "Desk e-mail", contact.email))
    opens = f"{contact.opening:%H:%M}"
    pairs.append(
        (
            "Accueil" if fr else "Desk hours",
            f"du lundi au vendredi, de {opens} à 17:00 ; fermé le week-end et les jours fériés"
            if fr
            else f"Monday to Friday, {opens} to 17:00; closed at weekends and on public holidays",
        )
    )
    if contact.crous is not None:
        crous = contact.crous
        pairs.append(
            (
                "CROUS",
                f"{crous.name}, {', '.join(crous.address)} · {crous.phone} · {crous.web}",
            )
        )
    title = "Pour nous joindre" if fr else "How to reach us"
    return P(title, strong=True), Facts(tuple(pairs))
