"""The tenant's copy of an état des lieux: an A4 PDF in French and English, for a check-in or a
check-out (the check-out beside its check-in, with the differences and their charges), ending
with the acknowledgement and the QR code that opens the record at the desk (the slip's signed
code). Drawn with reportlab alone, in the slip's font; its text is the record's, exactly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from crous_desk.arrivals.output import atomic_output
from crous_desk.arrivals.payload import make_payload
from crous_desk.arrivals.slip_pdf import (
    BOLD,
    FONT,
    _draw_qr,
    _lines,
    _register_fonts,
    day_en,
    day_fr,
)
from crous_desk.base.errors import Problem, Refused
from crous_desk.base.i18n import _, catalogue
from crous_desk.departure.view import check_out_items
from crous_desk.desk.action import Act
from crous_desk.desk.context import Desk
from crous_desk.inspections.etat import Etat, etat_of
from crous_desk.inspections.views import compare
from crous_desk.money.ledger import balance_of
from crous_desk.rules.condition import total_cents
from crous_desk.rules.reference import crous_directory, room_kinds
from crous_desk.rules.status import InspectionKind
from crous_desk.store.models import Inspection, KeyLog, Reservation

STATES_FR = {
    "new": "neuf",
    "good": "bon",
    "worn": "usé",
    "damaged": "dégradé",
    "missing": "manquant",
}


def fr(message: str) -> str:
    """The French of a label of the catalogue (checklist items, meters, keys, room kinds)."""
    return catalogue("fr").gettext(message)


def euros_fr(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole:,}".replace(",", "\u202f") + f",{rest:02d} €"


def euros_en(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole:,}.{rest:02d} €"


def both_money(cents: int) -> str:
    return f"{euros_fr(cents)} / {euros_en(cents)}"


def state_both(state: str | None) -> str:
    if state is None:
        return "—"
    return f"{STATES_FR.get(state, state)} / {state}"


def when_both(at: datetime, tz: ZoneInfo) -> tuple[str, str]:
    local = at.astimezone(tz)
    return (
        f"{day_fr(local.date())} à {local:%H:%M} (heure de Paris)",
        f"{day_en(local.date())} at {local:%H:%M} (Paris time)",
    )


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    bold: bool = False


@dataclass
class Report:
    """What the copy says, in order: plain strings, so a test compares them with the PDF."""

    title: str
    payload: str
    head: list[str]
    blocks: list[tuple[str, list[str]]] = field(default_factory=list)
    table_header: tuple[str, ...] = ()
    table: list[Row] = field(default_factory=list)
    widths: tuple[float, ...] = ()
    closing: list[str] = field(default_factory=list)


def report_of(inspection: Inspection) -> Report:
    """The copy's content for ``inspection``."""
    view: Etat = etat_of(inspection)
    reservation: Reservation = inspection.reservation
    room = inspection.room
    residence = room.residence
    tz = ZoneInfo(residence.timezone)
    crous = crous_directory().get(residence.crous_code)
    check_out = view.kind == InspectionKind.CHECK_OUT
    title = (
        "ÉTAT DES LIEUX DE SORTIE · CHECK-OUT INSPECTION REPORT"
        if check_out
        else "ÉTAT DES LIEUX D'ENTRÉE · CHECK-IN INSPECTION REPORT"
    )
    kind_label = room_kinds()[room.kind].label
    started_fr, started_en = when_both(view.started_at, tz)
    head = [
        residence.name,
        residence.address,
        f"Accueil / Desk : {residence.desk_phone}",
    ]
    parties = [
        f"Locataire / Tenant : {reservation.student.full_name}",
        "Bailleur / Landlord : "
        + (f"CROUS {crous.name} — {residence.name}" if crous else residence.name),
        f"Agent de la résidence / Staff member : {view.staff}",
        f"Date : {started_fr}",
        f"Date: {started_en}",
        f"Logement / Room : {room.number} — {fr(kind_label)} / {kind_label}, "
        f"{room.surface_m2:g} m²",
        f"Réservation / Reservation : {reservation.reference} — bail / lease "
        f"{reservation.lease_start:%d/%m/%Y} – {reservation.lease_end:%d/%m/%Y}",
    ]
    report = Report(title=title, payload=make_payload(reservation.reference), head=head)
    report.blocks.append(("Les parties · The parties", parties))

    if view.readings:
        meters = [
            f"{fr(m.label)} / {m.label} : {m.reading} {m.unit}"
            if m.reading is not None
            else f"{fr(m.label)} / {m.label} : non relevé / not read"
            for m in view.readings
        ]
    else:
        meters = ["Aucun compteur individuel / No meter of its own"]
    report.blocks.append(("Relevés des compteurs · Meter readings", meters))

    keys = [f"{fr(k.label)} / {k.label} : {k.count}" for k in view.keys if k.count]
    handed = [
        log.key_set.label
        for log in KeyLog.select()
        .where(KeyLog.reservation == reservation, KeyLog.action == "handover")
        .order_by(KeyLog.id)
        if log.key_set.room_id == room.id
    ]
    if handed:
        keys.append("Jeux de clés / Key sets : " + ", ".join(dict.fromkeys(handed)))
    report.blocks.append(
        (
            "Clés rendues · Keys given back" if check_out else "Clés remises · Keys handed over",
            keys or ["Aucune / None"],
        )
    )
    if check_out:
        report.blocks.append(
            (
                "Nouvelle adresse du locataire · The tenant's new address",
                [view.forwarding_address or "non communiquée / not given"],
            )
        )

    if check_out:
        damages = compare(inspection)
        rows = check_out_items(inspection, damages)
        report.table_header = (
            "Élément / Item",
            "Entrée / Check-in",
            "Sortie / Check-out",
            "Remarque / Remark",
            "Frais / Charge",
        )
        report.widths = (0.27, 0.16, 0.16, 0.27, 0.14)
        for item in rows:
            report.table.append(
                Row(
                    (
                        f"{fr(item.label)} / {item.label}",
                        state_both(item.check_in_state),
                        state_both(item.state),
                        item.remark,
                        euros_fr(item.amount_cents) if item.amount_cents is not None else "",
                    ),
                    bold=item.amount_cents is not None,
                )
            )
        total = total_cents(damages)
        differences = [
            f"{fr(d.label)} / {d.label} : {state_both(d.before)} → {state_both(d.after)} — "
            f"{both_money(d.amount_cents)}"
            for d in damages
        ] or ["Aucune / None"]
        differences.append(f"Total des dégradations / Damages in all : {both_money(total)}")
        balance = balance_of(reservation)
        differences.append(f"Solde du séjour / Balance of the stay : {both_money(balance)}")
        report.closing.append("Différences avec l'entrée · Differences from the check-in")
        report.closing.extend(differences)
    else:
        report.table_header = ("Élément / Item", "État / State", "Remarque / Remark")
        report.widths = (0.38, 0.2, 0.42)
        for v in view.items:
            report.table.append(
                Row(
                    (
                        f"{fr(v.label)} / {v.label}",
                        state_both(v.recorded_state),
                        v.recorded_remark,
                    ),
                    bold=v.recorded_state in ("damaged", "missing"),
                )
            )
        amendments = [(a, v) for v in view.items for a in v.amendments]
        if amendments:
            report.closing.append("Compléments datés · Dated amendments")
            for a, v in sorted(amendments, key=lambda pair: pair[0].id):
                at_fr, at_en = when_both(a.at, tz)
                change = ", ".join(
                    part
                    for part in (
                        state_both(a.state) if a.state is not None else "",
                        a.remark or "",
                    )
                    if part
                )
                report.closing.append(
                    f"{fr(v.label)} / {v.label} : {change} — {a.reason} ({at_fr} / {at_en})"
                )
        if view.window is not None:
            end = view.window.ends_at
            last_fr, last_en = when_both(end - timedelta(minutes=1), tz)
            report.closing.append(
                f"Le locataire peut faire compléter cet état des lieux jusqu'au {last_fr}, "
                "et pour le chauffage pendant le premier mois de la période de chauffe."
            )
            report.closing.append(
                f"The tenant may have this report completed until {last_en}, and for the "
                "heating during the first month of the heating season."
            )

    if view.acknowledged_at is not None:
        ack_fr, ack_en = when_both(view.acknowledged_at, tz)
        report.closing.append("Reconnaissance · Acknowledgement")
        report.closing.append(
            f"Reconnu exact par {view.tenant} le {ack_fr}, en présence de "
            f"{view.acknowledged_by or view.staff}."
        )
        report.closing.append(
            f"Acknowledged as accurate by {view.tenant} on {ack_en}, with "
            f"{view.acknowledged_by or view.staff}."
        )
    else:
        report.closing.append("Reconnaissance · Acknowledgement")
        report.closing.append(
            "PAS ENCORE RECONNU par le locataire · NOT YET ACKNOWLEDGED by the tenant"
        )
    report.closing.append(
        "Chaque partie en garde un exemplaire. Le code QR ouvre ce dossier à l'accueil. · "
        "Each party keeps a copy. The QR code opens this record at the desk."
    )
    return report


# -- drawing ---------------------------------------------------------------------------------

_MARGIN = 40.0
_GREY = (0.35, 0.35, 0.35)


class _Page:
    """A y-cursor over A4 pages: a new page when the next block does not fit."""

    def __init__(self, canvas: Any, title: str) -> None:
        from reportlab.lib.pagesizes import A4

        self.canvas = canvas
        self.title = title
        self.width, self.height = A4
        self.left, self.right = _MARGIN, self.width - _MARGIN
        self.y = self.height - _MARGIN
        self.number = 1

    def need(self, height: float) -> None:
        if self.y - height < _MARGIN + 14:
            self.footer()
            self.canvas.showPage()
            self.number += 1
            self.y = self.height - _MARGIN
            self.canvas.setFont(FONT, 8)
            self.canvas.setFillColorRGB(*_GREY)
            self.canvas.drawString(self.left, self.y, self.title)
            self.canvas.setFillColorRGB(0, 0, 0)
            self.y -= 18

    def footer(self) -> None:
        self.canvas.setFont(FONT, 8)
        self.canvas.setFillColorRGB(*_GREY)
        self.canvas.drawRightString(self.right, _MARGIN - 10, f"{self.number}")
        self.canvas.setFillColorRGB(0, 0, 0)

    def text(self, text: str, font: str = FONT, size: float = 9.5, indent: float = 0.0) -> None:
        leading = size * 1.25
        lines = _lines(text, font, size, self.right - self.left - indent)
        for line in lines:
            self.need(leading)
            self.canvas.setFont(font, size)
            self.canvas.drawString(self.left + indent, self.y - size, line)
            self.y -= leading


def _draw_table(page: _Page, report: Report) -> None:
    width = page.right - page.left
    xs = [page.left]
    for share in report.widths[:-1]:
        xs.append(xs[-1] + width * share)
    size = 8.5
    leading = size * 1.2

    def row(cells: tuple[str, ...], font: str) -> None:
        wrapped = [
            _lines(cell, font, size, width * share - 6)
            for cell, share in zip(cells, report.widths, strict=True)
        ]
        height = max(len(w) for w in wrapped) * leading + 4
        page.need(height)
        for x, lines in zip(xs, wrapped, strict=True):
            yy = page.y - size - 1
            page.canvas.setFont(font, size)
            for line in lines:
                page.canvas.drawString(x + 2, yy, line)
                yy -= leading
        page.y -= height
        page.canvas.setLineWidth(0.3)
        page.canvas.line(page.left, page.y + 1, page.right, page.y + 1)

    row(report.table_header, BOLD)
    for r in report.table:
        row(r.cells, BOLD if r.bold else FONT)
    page.y -= 8


def write_report(report: Report, target: str | os.PathLike[str] | IO[bytes]) -> None:
    from reportlab.pdfgen.canvas import Canvas

    _register_fonts()
    out = os.fspath(target) if isinstance(target, (str, os.PathLike)) else target
    canvas = Canvas(out, invariant=True, pageCompression=1)
    from reportlab.lib.pagesizes import A4

    canvas.setPageSize(A4)
    canvas.setTitle(report.title)
    canvas.setAuthor("crous-desk")
    page = _Page(canvas, report.title)
    page.text(report.head[0], BOLD, 15)
    for line in report.head[1:]:
        page.text(line, FONT, 9.5)
    page.y -= 6
    page.text(report.title, BOLD, 13)
    page.y -= 4
    for title, lines in report.blocks:
        page.y -= 4
        page.text(title, BOLD, 10.5)
        for line in lines:
            page.text(line, FONT, 9.5, indent=8)
    page.y -= 6
    _draw_table(page, report)
    headings = {
        "Différences avec l'entrée · Differences from the check-in",
        "Compléments datés · Dated amendments",
        "Reconnaissance · Acknowledgement",
    }
    qr_size = 96.0
    for line in report.closing:
        if line in headings:
            if line == "Reconnaissance · Acknowledgement":  # kept with the QR code
                page.need(qr_size + 110)
            else:
                page.need(60)
            page.y -= 4
            page.text(line, BOLD, 10.5)
        else:
            page.text(line, FONT, 9.5, indent=8 if not line.startswith("Chaque") else 0)
    page.need(qr_size + 20)
    _draw_qr(canvas, report.payload, page.right - qr_size, page.y - qr_size - 4, qr_size)
    canvas.setFont(FONT, 8)
    canvas.drawCentredString(page.right - qr_size / 2, page.y - qr_size - 12, report.payload)
    canvas.setFont(FONT, 9)
    canvas.drawString(page.left, page.y - 20, "Signature du locataire / Tenant's signature")
    canvas.drawString(page.left, page.y - 70, "Signature de l'agent / Staff member's signature")
    page.y -= qr_size + 20
    page.footer()
    canvas.showPage()
    canvas.save()


# -- from the desk ---------------------------------------------------------------------------


def inspection_for(desk: Desk, reference: str, kind: str | None = None) -> Inspection:
    """The reservation's latest inspection (of ``kind`` when told), as the actor may see it."""
    reservation = Reservation.get_or_none(Reservation.reference == reference.strip().upper())
    if reservation is None:
        raise Refused(
            Problem("not_found", _("no reservation {ref}").format(ref=reference.strip()[:20]))
        )
    desk.reservation(reservation.id)  # the actor's scope
    query = Inspection.select().where(Inspection.reservation == reservation)
    if kind is not None:
        query = query.where(Inspection.kind == kind)
    found = query.order_by(Inspection.id.desc()).first()
    if found is None:
        raise Refused(
            Problem(
                "no_inspection",
                _("reservation {ref} has no inspection yet").format(ref=reservation.reference),
            )
        )
    return found


def save_report(desk: Desk, inspection_id: int, path: Path) -> Path:
    """Write the copy of the inspection to ``path`` (written whole, or not at all)."""
    inspection = Inspection.get_or_none(Inspection.id == inspection_id)
    if inspection is None:
        raise Refused(Problem("not_found", _("no inspection #{id}").format(id=inspection_id)))
    Act(desk, "reservation.view", "reservation.view").in_scope(inspection)
    if path.suffix.lower() != ".pdf":
        raise Refused(
            Problem("not_a_pdf", _("{path}: the report is a PDF, name it .pdf").format(path=path))
        )
    report = report_of(inspection)
    with atomic_output(path) as out:
        write_report(report, out)
    return path


__all__ = ["Report", "inspection_for", "report_of", "save_report", "write_report"]
