"""The arrival slip as a PDF page: A4, French and English side by side, the QR code drawn as
rectangles from the module matrix. reportlab alone, with a TrueType font shipped on PyPI
(Source Sans Pro: Latin Extended and Vietnamese, "Łukasz Nguyễn Østergaard Şahin Dvořák"), so
neither a system library nor PIL is needed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from crous_desk.arrivals.output import atomic_output
from crous_desk.arrivals.payload import qr_matrix
from crous_desk.arrivals.slips import Slip
from crous_desk.base.i18n import _
from crous_desk.rules.reference import document_kinds
from crous_desk.rules.rental_file import fmt

# -- the words, in both languages ---------------------------------------------------------------

_FR_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_FR_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
_EN_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_EN_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

DOCUMENTS_FR = {
    "insurance": "Attestation d'assurance responsabilité civile et habitation (incendie, "
    "dégât des eaux, vol) couvrant tout le séjour",
    "info_form": "Fiche de renseignements du CROUS avec signature manuscrite",
    "guarantor": "Attestation de garant (VISALE ou garant physique)",
    "school": "Certificat de scolarité ou lettre d'admission",
    "identity": "Pièce d'identité en cours de validité",
    "housing_aid": "Formulaire d'aide au logement (ALS/APL, CAF)",
}
_WHY_FR = {
    "missing": "",
    "unverified": " — reçu, à vérifier : apportez l'original",
    "not_valid": " — le document reçu ne convient pas : apportez-en un valable",
}
_WHY_EN = {
    "missing": "",
    "unverified": " — received, not checked yet: bring the original",
    "not_valid": " — the one received does not count: bring a valid one",
}


def day_fr(day: date) -> str:
    return f"{_FR_DAYS[day.weekday()]} {day.day} {_FR_MONTHS[day.month - 1]} {day.year}"


def day_en(day: date) -> str:
    return f"{_EN_DAYS[day.weekday()]} {day.day} {_EN_MONTHS[day.month - 1]} {day.year}"


def _zone(tz: ZoneInfo) -> tuple[str, str]:
    if tz.key == "Europe/Paris":
        return "heure de Paris", "Paris time"
    return f"heure locale, {tz.key}", f"local time, {tz.key}"


@dataclass(frozen=True)
class Section:
    title_fr: str
    title_en: str
    fr: tuple[str, ...]  # paragraphs; a leading "• " makes a bullet
    en: tuple[str, ...]


def sections(slip: Slip) -> list[Section]:
    """The bilingual body of a slip, side by side: French on the left, English on the right."""
    zone_fr, zone_en = _zone(slip.tz)
    out = []
    fr: tuple[str, ...]
    en: tuple[str, ...]
    if slip.appointment is not None:
        a = slip.appointment
        fr = (
            f"{day_fr(a.start.date())}, de {a.start:%H:%M} à {a.end:%H:%M} ({zone_fr}).",
            "Présentez-vous à l'accueil de la résidence avec cette fiche.",
        )
        en = (
            f"{day_en(a.start.date())}, {a.start:%H:%M} to {a.end:%H:%M} ({zone_en}).",
            "Come to the residence desk with this slip.",
        )
    else:
        fr = (
            "Pas encore de rendez-vous : venez à l'accueil aux heures d'ouverture, à partir "
            f"du {day_fr(slip.arrival_day)}.",
        )
        en = (
            "No appointment yet: come to the desk during opening hours, from "
            f"{day_en(slip.arrival_day)}.",
        )
    out.append(Section("Votre rendez-vous d'arrivée", "Your arrival appointment", fr, en))

    opening = f"{slip.opening:%H:%M}"
    fr_hours = [
        f"Du lundi au vendredi, de {opening} à 17:00 ({zone_fr}). Fermé le week-end et les "
        "jours fériés.",
    ]
    en_hours = [
        f"Monday to Friday, {opening} to 17:00 ({zone_en}). Closed at weekends and on public "
        "holidays.",
    ]
    for c in slip.closures:
        reason = f" ({c.reason})" if c.reason else ""
        fr_hours.append(f"• Fermé du {fmt(c.first)} au {fmt(c.last)}{reason}")
        en_hours.append(f"• Closed {fmt(c.first)} to {fmt(c.last)}{reason}")
    fr_hours.append(f"Téléphone de l'accueil : {slip.desk_phone}")
    en_hours.append(f"Desk phone: {slip.desk_phone}")
    out.append(Section("Horaires de l'accueil", "Desk hours", tuple(fr_hours), tuple(en_hours)))

    kinds = document_kinds()
    if slip.missing:
        fr_docs = tuple(
            f"• {DOCUMENTS_FR.get(m.code, kinds[m.code].label)}{_WHY_FR[m.why]}"
            for m in slip.missing
        )
        en_docs = tuple(f"• {kinds[m.code].label}{_WHY_EN[m.why]}" for m in slip.missing)
    else:
        fr_docs = ("Rien : votre dossier de location est complet.",)
        en_docs = ("Nothing: your rental file is complete.",)
    out.append(Section("À apporter", "Still to bring", fr_docs, en_docs))

    stay_fr = f"du {fmt(slip.lease_start)} au {fmt(slip.lease_end)}"
    stay_en = f"from {fmt(slip.lease_start)} to {fmt(slip.lease_end)}"
    out.append(
        Section(
            "À retenir",
            "Reminders",
            (
                "• Les clés sont remises uniquement à l'accueil, du lundi au vendredi avant 17:00.",
                "• Votre assurance doit couvrir tout le séjour, "
                f"{stay_fr} : une attestation qui s'arrête avant ne suffit pas.",
                "• Le code QR ouvre votre dossier à l'accueil.",
            ),
            (
                "• Keys are handed over only at the desk, Monday to Friday before 17:00.",
                f"• Your insurance must cover the whole stay, {stay_en}: a certificate "
                "that ends earlier is not enough.",
                "• The QR code opens your file at the desk.",
            ),
        )
    )
    return out


# -- the PDF ------------------------------------------------------------------------------------

FONT, BOLD = "SlipSans", "SlipSans-Bold"
_FONT_FILES = {FONT: "SourceSansPro-Regular.ttf", BOLD: "SourceSansPro-Bold.ttf"}


@cache
def _register_fonts() -> None:
    from reportlab.pdfbase import pdfmetrics

    folder = resources.files("font_source_sans_pro").joinpath("files")
    for name, filename in _FONT_FILES.items():
        pdfmetrics.registerFont(_font_class()(name, str(folder.joinpath(filename))))


@cache
def _font_class() -> type:
    """reportlab's TrueType font, remembering how it encoded each text in each document: a
    batch of slips draws the same titles and sentences on every page, and encoding a text
    (a subset code for each character) is most of what drawing it costs."""
    from weakref import WeakKeyDictionary

    from reportlab.pdfbase.ttfonts import TTFont

    class RememberingTTFont(TTFont):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._encoded: WeakKeyDictionary[Any, dict[str, Any]] = WeakKeyDictionary()

        def splitString(self, text: Any, doc: Any, encoding: str = "utf-8") -> Any:
            if type(text) is not str:  # a shaped or a byte string: as reportlab does it
                return super().splitString(text, doc, encoding)
            known = self._encoded.get(doc)
            if known is None:
                known = self._encoded[doc] = {}
            found = known.get(text)
            if found is None:  # the first time in this document: the codes are given now
                found = known[text] = super().splitString(text, doc, encoding)
            return found

    return RememberingTTFont


ProgressFn = Callable[[int, int], None]


def write_slips(
    slips: Sequence[Slip],
    target: str | os.PathLike[str] | IO[bytes],
    progress: ProgressFn | None = None,
) -> None:
    """Draw one A4 page per slip into ``target`` (a path or a binary file)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    _register_fonts()
    out = os.fspath(target) if isinstance(target, (str, os.PathLike)) else target
    canvas = Canvas(out, pagesize=A4, invariant=True, pageCompression=1)
    canvas.setTitle(_("Arrival slips") if len(slips) != 1 else f"{slips[0].reference}")
    canvas.setAuthor("crous-desk")
    for done, slip in enumerate(slips, start=1):
        _draw(canvas, slip)
        canvas.showPage()
        if progress is not None:
            progress(done, len(slips))
    canvas.save()


_MARGIN = 42.0
_GREY = (0.35, 0.35, 0.35)


class _Words:
    """A page's words in one PDF text object, with the canvas's calls for text: reportlab's
    ``drawString`` makes a text object and measures the string every time, for 80 strings a
    slip. Drawn over the page's lines and code by :meth:`finish`."""

    def __init__(self, canvas: Any) -> None:
        self.canvas = canvas
        self.text = canvas.beginText()
        self.font = ("", 0.0)

    def setFont(self, font: str, size: float) -> None:
        if (font, size) != self.font:
            self.text.setFont(font, size)
            self.font = (font, size)

    def setFillColorRGB(self, r: float, g: float, b: float) -> None:
        self.text.setFillColorRGB(r, g, b)

    def drawString(self, x: float, y: float, text: str) -> None:
        self.text.setTextOrigin(x, y)
        self.text.textLine(text)

    def drawCentredString(self, x: float, y: float, text: str) -> None:
        self.drawString(x - self._width(text) / 2, y, text)

    def drawRightString(self, x: float, y: float, text: str) -> None:
        self.drawString(x - self._width(text), y, text)

    def _width(self, text: str) -> float:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        return float(stringWidth(text, *self.font))

    def finish(self) -> None:
        self.canvas.drawText(self.text)


@lru_cache(maxsize=4096)
def _lines(text: str, font: str, size: float, width: float) -> tuple[str, ...]:
    """``text`` wrapped to ``width`` (remembered: most sentences are on every slip)."""
    from reportlab.lib.utils import simpleSplit

    return tuple(simpleSplit(text, font, size, width)) or ("",)


def _paragraph(
    words: _Words, x: float, y: float, text: str, font: str, size: float, width: float
) -> float:
    """Draw ``text`` wrapped to ``width`` from baseline ``y``; return the next baseline."""
    leading = size * 1.25
    indent = 0.0
    if text.startswith("• "):
        from reportlab.pdfbase.pdfmetrics import stringWidth

        words.setFont(font, size)
        words.drawString(x, y, "•")
        indent = stringWidth("• ", font, size)
        text = text[2:]
    words.setFont(font, size)
    for line in _lines(text, font, size, width - indent):
        words.drawString(x + indent, y, line)
        y -= leading
    return y


def _draw_qr(canvas: Any, payload: str, x: float, y: float, size: float) -> None:
    """The QR code as black rectangles, one per horizontal run of dark modules, in one path
    written in module units (a few hundred rectangles a slip)."""
    matrix = qr_matrix(payload)
    n = len(matrix)
    runs = []
    for r, row in enumerate(matrix):
        bottom = n - 1 - r
        c = 0
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                runs.append(f"{start} {bottom} {c - start} 1 re")
            else:
                c += 1
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    module = size / n
    canvas.transform(module, 0, 0, module, x, y)
    canvas.addLiteral("\n".join(runs) + "\nf")
    canvas.restoreState()


def _label_value(words: _Words, x: float, y: float, label: str, value: str, width: float) -> None:
    words.setFillColorRGB(*_GREY)
    words.setFont(FONT, 8)
    words.drawString(x, y, label)
    words.setFillColorRGB(0, 0, 0)
    size = 12.0
    from reportlab.pdfbase.pdfmetrics import stringWidth

    while size > 7 and stringWidth(value, BOLD, size) > width:
        size -= 0.5
    words.setFont(BOLD, size)
    words.drawString(x, y - 14, value)


def _draw(canvas: Any, slip: Slip) -> None:
    words = _Words(canvas)
    _draw_page(canvas, words, slip)
    words.finish()


def _draw_page(canvas: Any, words: _Words, slip: Slip) -> None:
    from reportlab.lib.pagesizes import A4

    page_w, page_h = A4
    left, right, top = _MARGIN, page_w - _MARGIN, page_h - _MARGIN
    width = right - left

    # the QR code, top right, with its text under it for typing by hand
    qr_size = 118.0
    qr_x, qr_y = right - qr_size, top - qr_size
    _draw_qr(canvas, slip.payload, qr_x, qr_y, qr_size)
    words.setFont(FONT, 8)
    words.drawCentredString(qr_x + qr_size / 2, qr_y - 6, slip.payload)

    # the residence
    text_w = qr_x - left - 16
    words.setFillColorRGB(0, 0, 0)
    y = _paragraph(words, left, top - 14, slip.residence_name, BOLD, 18, text_w)
    y = _paragraph(words, left, y + 4, slip.residence_address, FONT, 10, text_w)
    y = _paragraph(words, left, y, f"Accueil / Desk : {slip.desk_phone}", FONT, 10, text_w)
    y = min(y - 12, qr_y + 30)
    _paragraph(words, left, y, "FICHE D'ARRIVÉE  ·  ARRIVAL SLIP", BOLD, 15, text_w)

    # who, which room, which stay
    y = qr_y - 30
    _label_value(words, left, y, "Étudiant·e / Student", slip.student_name, width)
    y -= 36
    columns = (
        ("INE", slip.ine),
        ("Réservation / Reservation", slip.reference),
        ("Chambre / Room", slip.room),
        ("Bail / Lease", f"{fmt(slip.lease_start)} – {fmt(slip.lease_end)}"),
    )
    widths = (0.22, 0.25, 0.18, 0.35)
    x = left
    for (label, value), share in zip(columns, widths, strict=True):
        _label_value(words, x, y, label, value, width * share - 8)
        x += width * share
    y -= 28
    canvas.setLineWidth(0.6)
    canvas.line(left, y, right, y)
    y -= 18

    # the body, French | English, each section starting level on both sides
    gap = 20.0
    col_w = (width - gap) / 2
    xs = (left, left + col_w + gap)
    words.setFillColorRGB(*_GREY)
    words.setFont(BOLD, 8)
    words.drawString(xs[0], y, "FRANÇAIS")
    words.drawString(xs[1], y, "ENGLISH")
    words.setFillColorRGB(0, 0, 0)
    y -= 16
    for section in sections(slip):
        ends = []
        for x, title, paragraphs in (
            (xs[0], section.title_fr, section.fr),
            (xs[1], section.title_en, section.en),
        ):
            yy = _paragraph(words, x, y, title, BOLD, 11.5, col_w) - 1
            for text in paragraphs:
                yy = _paragraph(words, x, yy, text, FONT, 10, col_w) - 2
            ends.append(yy)
        y = min(ends) - 10

    # the CROUS, at the foot of the page
    if slip.crous is not None:
        crous = slip.crous
        box_h = 74.0
        box_y = _MARGIN
        canvas.setLineWidth(0.6)
        canvas.rect(left, box_y, width, box_h, stroke=1, fill=0)
        yy = box_y + box_h - 16
        words.setFillColorRGB(*_GREY)
        words.setFont(BOLD, 8)
        words.drawString(left + 10, yy, "VOTRE CROUS  ·  YOUR CROUS")
        words.setFillColorRGB(0, 0, 0)
        yy -= 15
        words.setFont(BOLD, 11)
        words.drawString(left + 10, yy, f"CROUS {crous.name}")
        words.setFont(FONT, 10)
        for line in crous.address:
            yy -= 12.5
            words.drawString(left + 10, yy, line)
        words.drawRightString(right - 10, box_y + box_h - 31, f"Tél. / Phone : {crous.phone}")
        words.drawRightString(right - 10, box_y + box_h - 43.5, crous.web)


def save_slips(
    slips: Sequence[Slip], path: Path, progress: ProgressFn | None = None, *, replace: bool = False
) -> Path:
    """The slips in one PDF at ``path``, which must not exist unless ``replace``."""
    with atomic_output(path, replace=replace) as out:
        write_slips(slips, out, progress)
    return path
