"""What the desk writes to staff, in French and in English: the 17:00 list of keys that should
be back (to the residence manager) and the morning list of deadlines (to a mobility manager)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from crous_desk.mail.letter import Block, P, Table
from crous_desk.mail.words import desk_instant, long_day, paris_label, short_day

Text = tuple[str, tuple[Block, ...]]

_WHY = {
    "fr": {
        "loan_overdue": "prêt échu",
        "nobody": "sorti sans locataire ni prêt",
        "departed": "locataire parti",
        "not_a_tenant": "pas locataire",
        "lease_ended": "bail terminé",
        "lease_ends_today": "bail finissant aujourd'hui",
    },
    "en": {
        "loan_overdue": "loan overdue",
        "nobody": "out, no tenant or loan",
        "departed": "tenant departed",
        "not_a_tenant": "not a tenant",
        "lease_ended": "lease ended",
        "lease_ends_today": "lease ends today",
    },
}


@dataclass(frozen=True)
class KeyLine:
    label: str
    room: str
    holder: str
    reason: str  # crous_desk.rules.keys.OutReason
    due_at: datetime | None


@dataclass(frozen=True)
class DeadlineLine:
    name: str
    reference: str
    where: str  # residence and room
    deadline: datetime


def closing(
    lang: str, residence: str, day: date, lines: tuple[KeyLine, ...], anchor: str = ""
) -> Text:
    fr = lang == "fr"
    n = len(lines)
    subject = (
        f"{residence} : {n} jeu{'x' if n > 1 else ''} de clés à récupérer, {short_day(day)} 17:00"
        if fr
        else f"{residence}: {n} key set{'s' if n > 1 else ''} to get back, {short_day(day)} 17:00"
    )
    header = (
        ("Jeu", "Chambre", "Détenteur", "Motif", "Échéance")
        if fr
        else ("Set", "Room", "Holder", "Why", "Due")
    )
    rows = tuple(
        (
            line.label,
            line.room,
            line.holder or "—",
            _WHY[lang].get(line.reason, line.reason),
            desk_instant(line.due_at) if line.due_at else "—",
        )
        for line in lines
    )
    blocks: tuple[Block, ...] = (
        P(
            f"À la fermeture de l'accueil, le {long_day(lang, day)} à 17:00 ({paris_label(lang)}), "
            "ces jeux de clés sont sortis et devraient être rendus :"
            if fr
            else f"At the desk's closing, {long_day(lang, day)} at 17:00 ({paris_label(lang)}), "
            "these key sets are out and should be back:"
        ),
        Table(header, rows),
        P(
            "La même liste est dans crous-desk (F4, puis c)."
            if fr
            else "The same list is in crous-desk (F4, then c)."
        ),
    )
    if anchor:  # the audit log's head, kept outside the database (crous-desk audit verify)
        blocks = (
            *blocks,
            P(
                f"Ancre du journal d'audit (à conserver) : {anchor}"
                if fr
                else f"Audit log anchor (keep it): {anchor}"
            ),
        )
    return subject, blocks


def deadlines(lang: str, manager: str, day: date, lines: tuple[DeadlineLine, ...]) -> Text:
    fr = lang == "fr"
    n = len(lines)
    subject = (
        f"{n} proposition{'s' if n > 1 else ''} expire{'nt' if n > 1 else ''} dans les 24 heures "
        f"({short_day(day)})"
        if fr
        else f"{n} proposal{'s' if n > 1 else ''} expire{'' if n > 1 else 's'} within 24 hours "
        f"({short_day(day)})"
    )
    header = (
        ("Étudiant", "Référence", "Logement", "Date limite")
        if fr
        else ("Student", "Reference", "Room", "Deadline")
    )
    rows = tuple(
        (line.name, line.reference, line.where, desk_instant(line.deadline)) for line in lines
    )
    blocks: tuple[Block, ...] = (
        P(f"Bonjour {manager}," if fr else f"Dear {manager},"),
        P(
            "Ces étudiants que vous suivez n'ont pas encore répondu à leur proposition, qui "
            f"expire dans les 24 heures ({paris_label(lang)}) :"
            if fr
            else "These students you follow have not answered their proposal yet, and it "
            f"expires within 24 hours ({paris_label(lang)}):"
        ),
        Table(header, rows),
        P(
            "Leur réponse s'enregistre dans crous-desk (F5, puis a ou r)."
            if fr
            else "Record their answer in crous-desk (F5, then a or r)."
        ),
    )
    return subject, blocks
