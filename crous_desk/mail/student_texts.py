"""What the residence writes to a student, in French and in English: the proposal and its
deadline, the reminder, the arrival appointment, the documents still missing.

Each function gives one language's subject and blocks; ``crous_desk.mail.compose`` puts one
language in a letter, or both side by side when the student's language is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from crous_desk.mail.letter import Block, Bullets, Facts, P
from crous_desk.mail.words import (
    Contact,
    contact_blocks,
    desk_instant,
    document,
    in_zone,
    long_day,
    paris_label,
    room_kind,
    short_day,
)

Text = tuple[str, tuple[Block, ...]]  # a subject and the blocks of one language


@dataclass(frozen=True)
class Stay:
    """The reservation as the letters tell it."""

    name: str
    reference: str
    room: str
    room_kind: str
    surface_m2: float
    rent_cents: int
    lease_start: date
    lease_end: date
    contact: Contact
    zone: ZoneInfo | None  # the student's own, when known and not Paris's


# (document code, why: missing | unverified | not_valid)
Missing = tuple[tuple[str, str], ...]

_WHY = {
    "fr": {
        "missing": "",
        "unverified": " (reçu, pas encore vérifié : apportez l'original)",
        "not_valid": " (le document reçu ne convient pas : apportez-en un valable)",
    },
    "en": {
        "missing": "",
        "unverified": " (received, not checked yet: bring the original)",
        "not_valid": " (the one received does not count: bring a valid one)",
    },
}


def _hello(lang: str, stay: Stay) -> P:
    return P(f"Bonjour {stay.name}," if lang == "fr" else f"Dear {stay.name},")


def _euros(lang: str, cents: int) -> str:
    amount = f"{cents / 100:.2f}"
    return amount.replace(".", ",") + " €" if lang == "fr" else f"€{amount}"


def _room_facts(lang: str, stay: Stay) -> Facts:
    fr = lang == "fr"
    return Facts(
        (
            ("Résidence" if fr else "Residence", stay.contact.residence),
            (
                "Logement" if fr else "Room",
                f"{stay.room} — {room_kind(lang, stay.room_kind)}, "
                f"{stay.surface_m2:g} m², {_euros(lang, stay.rent_cents)}"
                + (" par mois" if fr else " a month"),
            ),
            (
                "Bail" if fr else "Lease",
                f"du {short_day(stay.lease_start)} au {short_day(stay.lease_end)}"
                if fr
                else f"from {short_day(stay.lease_start)} to {short_day(stay.lease_end)}",
            ),
            ("Référence" if fr else "Reference", stay.reference),
        )
    )


def deadline_facts(lang: str, deadline: datetime, zone: ZoneInfo | None) -> Facts:
    """The instant the proposal expires: as the desk shows it (Paris time), and on the
    student's own clock when their zone is known."""
    fr = lang == "fr"
    pairs = [
        (
            "Date limite" if fr else "Deadline",
            f"{desk_instant(deadline)} ({paris_label(lang)}), {long_day(lang, deadline.date())}",
        )
    ]
    if zone is not None:
        pairs.append(("Chez vous" if fr else "Your time", in_zone(lang, deadline, zone)))
    return Facts(tuple(pairs))


def _missing_list(lang: str, missing: Missing) -> Bullets:
    return Bullets(tuple(document(lang, code) + _WHY[lang].get(why, "") for code, why in missing))


def proposal(lang: str, stay: Stay, deadline: datetime) -> Text:
    fr = lang == "fr"
    subject = (
        f"Proposition de logement CROUS {stay.reference} : réponse avant le "
        f"{desk_instant(deadline)} ({paris_label(lang)})"
        if fr
        else f"CROUS housing proposal {stay.reference}: answer by {desk_instant(deadline)} "
        f"({paris_label(lang)})"
    )
    blocks: list[Block] = [
        _hello(lang, stay),
        P(
            "Le CROUS vous propose un logement pour votre séjour d'études :"
            if fr
            else "The CROUS offers you a room for your study stay:"
        ),
        _room_facts(lang, stay),
        P(
            "Vous avez 120 heures (5 jours) pour accepter ou refuser cette proposition. "
            "Votre réponse doit nous parvenir au plus tard :"
            if fr
            else "You have 120 hours (5 days) to accept or refuse this proposal. "
            "Your answer must reach us by:"
        ),
        deadline_facts(lang, deadline, stay.zone),
        P(
            "Passé cet instant, la proposition expire d'elle-même et le logement est proposé à "
            "un autre étudiant."
            if fr
            else "After that instant the proposal expires by itself and the room is offered to "
            "another student."
        ),
        P(
            "Pour accepter, réglez l'avance de loyer de 100 € en ligne sur Mes Services "
            "Étudiants, par carte bancaire ; un tiers peut la payer pour vous. Si vous refusez, "
            "ou si la proposition expire, il vous faudra chercher un logement en ville."
            if fr
            else "To accept, pay the 100 € rent advance online on Mes Services Étudiants, by "
            "card; a third party may pay it for you. If you refuse, or let the proposal expire, "
            "you will have to find housing in the city."
        ),
        P(
            "Complétez ensuite votre dossier locatif en ligne avant d'arriver : sans dossier "
            "complet, l'accueil ne peut pas vous remettre vos clés."
            if fr
            else "Then complete your rental file online before you arrive: without a complete "
            "file, the desk cannot hand over your keys."
        ),
        *contact_blocks(lang, stay.contact),
    ]
    return subject, tuple(blocks)


def reminder(lang: str, stay: Stay, deadline: datetime) -> Text:
    fr = lang == "fr"
    subject = (
        f"Rappel : la proposition de logement {stay.reference} expire le "
        f"{desk_instant(deadline)} ({paris_label(lang)})"
        if fr
        else f"Reminder: housing proposal {stay.reference} expires on {desk_instant(deadline)} "
        f"({paris_label(lang)})"
    )
    blocks: list[Block] = [
        _hello(lang, stay),
        P(
            "Vous n'avez pas encore répondu à la proposition de logement du CROUS. Il vous reste "
            "moins de 24 heures :"
            if fr
            else "You have not answered the CROUS housing proposal yet. Less than 24 hours are "
            "left:"
        ),
        deadline_facts(lang, deadline, stay.zone),
        _room_facts(lang, stay),
        P(
            "Pour accepter, réglez l'avance de loyer de 100 € avant cet instant. Sans réponse, "
            "la proposition expire d'elle-même et le logement est proposé à un autre étudiant."
            if fr
            else "To accept, pay the 100 € rent advance before that instant. Without an answer "
            "the proposal expires by itself and the room is offered to another student."
        ),
        *contact_blocks(lang, stay.contact),
    ]
    return subject, tuple(blocks)


def appointment(
    lang: str, stay: Stay, start: datetime, end: datetime, moved: bool, missing: Missing
) -> Text:
    fr = lang == "fr"
    when = (
        f"{long_day(lang, start.date())}, de {start:%H:%M} à {end:%H:%M}"
        if fr
        else f"{long_day(lang, start.date())}, {start:%H:%M} to {end:%H:%M}"
    )
    if fr:
        subject = (
            f"Rendez-vous d'arrivée {'déplacé' if moved else 'confirmé'} : "
            f"{short_day(start.date())} à {start:%H:%M} ({stay.reference})"
        )
    else:
        subject = (
            f"Arrival appointment {'moved' if moved else 'booked'}: "
            f"{short_day(start.date())} at {start:%H:%M} ({stay.reference})"
        )
    pairs = [("Rendez-vous" if fr else "Appointment", f"{when} ({paris_label(lang)})")]
    if stay.zone is not None:
        pairs.append(("Chez vous" if fr else "Your time", in_zone(lang, start, stay.zone)))
    pairs.append(("Lieu" if fr else "Where", f"{stay.contact.residence}, {stay.contact.address}"))
    blocks: list[Block] = [
        _hello(lang, stay),
        P(
            ("Votre rendez-vous d'arrivée a été déplacé. " if moved else "")
            + "Nous vous attendons à l'accueil de la résidence :"
            if fr
            else ("Your arrival appointment has been moved. " if moved else "")
            + "We expect you at the residence desk:"
        ),
        Facts(tuple(pairs)),
        P(
            "Votre fiche d'arrivée est jointe (PDF) : apportez-la, imprimée ou sur votre "
            "téléphone ; l'accueil lit son code QR. L'invitation (.ics) ajoute le rendez-vous à "
            "votre agenda."
            if fr
            else "Your arrival slip is attached (PDF): bring it, printed or on your phone; the "
            "desk scans its QR code. The invitation (.ics) puts the appointment in your calendar."
        ),
    ]
    if missing:
        blocks += [
            P(
                "Il manque encore à votre dossier locatif ; sans ces documents, vos clés ne "
                "peuvent pas vous être remises :"
                if fr
                else "Your rental file still lacks the following; without them your keys cannot "
                "be handed over:",
                strong=True,
            ),
            _missing_list(lang, missing),
        ]
    else:
        blocks.append(
            P("Votre dossier locatif est complet." if fr else "Your rental file is complete.")
        )
    blocks += [
        P(
            "Les clés sont remises uniquement à l'accueil, du lundi au vendredi avant 17:00."
            if fr
            else "Keys are handed over only at the desk, Monday to Friday before 17:00."
        ),
        *contact_blocks(lang, stay.contact),
    ]
    return subject, tuple(blocks)


def documents(lang: str, stay: Stay, missing: Missing) -> Text:
    fr = lang == "fr"
    n = len(missing)
    if fr:
        subject = (
            f"Dossier locatif {stay.reference} : {n} document{'s' if n > 1 else ''} "
            f"manquant{'s' if n > 1 else ''} avant le {short_day(stay.lease_start)}"
        )
    else:
        subject = (
            f"Rental file {stay.reference}: {n} document{'s' if n > 1 else ''} missing before "
            f"{short_day(stay.lease_start)}"
        )
    blocks: list[Block] = [
        _hello(lang, stay),
        P(
            f"Votre bail commence le {long_day(lang, stay.lease_start)}. Votre dossier locatif "
            "n'est pas encore complet ; il manque :"
            if fr
            else f"Your lease starts on {long_day(lang, stay.lease_start)}. Your rental file is "
            "not complete yet; it still lacks:"
        ),
        _missing_list(lang, missing),
        P(
            "Sans dossier complet, l'accueil ne peut pas vous remettre vos clés. L'assurance "
            "doit couvrir tout le séjour, du jour d'arrivée au jour de départ."
            if fr
            else "Without a complete file, the desk cannot hand over your keys. The insurance "
            "must cover the whole stay, from the day you arrive to the day you leave."
        ),
        _room_facts(lang, stay),
        *contact_blocks(lang, stay.contact),
    ]
    return subject, tuple(blocks)
