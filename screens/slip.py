"""The arrival slip in the terminal: its QR code in half blocks and what the page says; the
PDF (French and English) is saved to the documents folder or sent to the printer."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from crous_desk.arrivals.slip_pdf import save_slips
from crous_desk.arrivals.slips import Slip, default_slip_dir, qr_half_blocks, save_and_print
from crous_desk.base.dates import show_day
from crous_desk.base.errors import Refused
from crous_desk.base.formats import long_day
from crous_desk.base.i18n import N_, _
from crous_desk.rules.reference import document_kinds

from .base import DeskScreen, desk_app
from .widgets import DeskFooter, DeskHeader

SLIP = "slip"

QR_STYLE = "#000000 on #ffffff"  # dark modules on white, whatever the terminal's theme


class SlipScreen(DeskScreen):
    CSS_PATH = "arrivals.tcss"
    BINDINGS = [
        Binding(
            "s",
            "save",
            N_("Save PDF"),
            id="slip.save",
            tooltip=N_("Save the slip as a PDF in the documents folder"),
        ),
        Binding(
            "p", "print", N_("Print"), id="slip.print", tooltip=N_("Send the slip to the printer")
        ),
        Binding("escape", "back", N_("Back"), id="slip.back"),
    ]

    def __init__(self, slip: Slip, directory: Path | None = None) -> None:
        super().__init__()
        self.slip = slip
        self.directory = directory or default_slip_dir()

    def compose(self) -> ComposeResult:
        yield DeskHeader(id="desk-header")
        with Horizontal(id="slip"):
            with Vertical(id="slip-code"):
                yield Static(self._qr(), id="slip-qr")
                yield Static(Text(self.slip.payload), id="slip-payload")
            yield Static(self._text(), id="slip-text")
        yield Static(
            Text(_("The printed slip is in French and English. s: save as PDF   p: print")),
            id="slip-status",
        )
        yield DeskFooter()

    def _qr(self) -> Text:
        return Text("\n".join(qr_half_blocks(self.slip.payload)), style=QR_STYLE, no_wrap=True)

    def _text(self) -> Text:
        s = self.slip
        text = Text()
        text.append(s.residence_name + "\n", style="bold")
        text.append(s.residence_address + "\n")
        text.append(
            _("Desk {phone} · Mon–Fri {opening}–17:00").format(
                phone=s.desk_phone, opening=f"{s.opening:%H:%M}"
            )
            + "\n\n"
        )
        text.append(s.student_name + "\n", style="bold")
        text.append(
            _("INE {ine} · Ref {ref} · Room {room}").format(ine=s.ine, ref=s.reference, room=s.room)
            + "\n"
        )
        text.append(
            _("Lease {start} → {end}").format(
                start=show_day(s.lease_start), end=show_day(s.lease_end)
            )
            + "\n"
        )
        if s.appointment is not None:
            text.append(
                _("Appointment {slot}").format(slot=s.appointment.describe()) + "\n", style="bold"
            )
        else:
            day = s.arrival_day
            text.append(
                _("No appointment: any opening hour from {day}").format(day=long_day(day)) + "\n"
            )
        text.append("\n")
        if s.missing:
            text.append(_("Still to bring:") + "\n", style="bold")
            why = {
                "missing": "",
                "unverified": _(" (received, not checked)"),
                "not_valid": _(" (does not count)"),
            }
            for m in s.missing:
                text.append(f"• {_(document_kinds()[m.code].short)}{why[m.why]}\n")
        else:
            text.append(_("Nothing to bring: the rental file is complete.") + "\n")
        text.append(
            _(
                "Keys at the desk only, Mon–Fri before 17:00. Insurance must cover {start}–{end}."
            ).format(start=show_day(s.lease_start), end=show_day(s.lease_end))
            + "\n",
            style="dim",
        )
        if s.crous is not None:
            text.append(f"CROUS {s.crous.name} · {s.crous.phone}", style="dim")
        return text

    # -- saving and printing ----------------------------------------------------------------

    @property
    def path(self) -> Path:
        return self.directory / f"slip-{self.slip.reference}.pdf"

    def action_save(self) -> None:
        self.show(_("Writing {path}…").format(path=self.path), ok=True)
        self.write_pdf(None)

    def action_print(self) -> None:
        printer = desk_app(self).config.printer
        self.show(_("Writing and printing…"), ok=True)
        self.write_pdf(printer or "")

    def write_pdf(self, printer: str | None) -> None:
        """Write the PDF in a worker, then print it when ``printer`` is not None ("" = none
        configured)."""
        slip, path = self.slip, self.path

        def write() -> str:  # this slip again, in the desk's folder
            return save_and_print(path, lambda out: save_slips([slip], out, replace=True), printer)

        self.run_slow(
            write,
            lambda said: self.show(said, ok=True),
            group=SLIP,
            on_refused=self._failed,
        )

    def _failed(self, refused: Refused) -> None:
        self.show(str(refused), ok=False)
        self.app.bell()

    def show(self, message: str, ok: bool) -> None:
        self.query_one("#slip-status", Static).update(
            Text(message, style="bold" if ok else "bold reverse")
        )

    def action_back(self) -> None:
        self.app.pop_screen()
