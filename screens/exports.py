"""Ctrl+E: write a CSV export (the exports this account may make) into the documents folder.

Cells that a spreadsheet would run as a formula (starting with = + - @) are written with a
leading apostrophe: see crous_desk.office.exports. Writing runs in a worker thread."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from crous_desk.arrivals.slips import default_slip_dir
from crous_desk.base.errors import Problem, Refused
from crous_desk.base.files import free_name
from crous_desk.base.i18n import N_, _, ngettext
from crous_desk.desk import permissions
from crous_desk.desk.context import Desk
from crous_desk.office import exports

from .base import DeskWork
from .language import SpeaksTheDesk

EXPORT = "export"


def export_labels() -> dict[str, str]:
    return {
        "pipeline": _("Pipeline — your students and where each stands"),
        "arrivals": _("Arrivals — today's, with their rental file"),
        "keylog": _("Key log — who held which set, when, handed by whom"),
        "audit": _("Audit log — every change, before and after"),
        "ledger": _("Ledger — each stay's money and its balance"),
    }


@dataclass(frozen=True)
class Written:
    rows: int
    path: Path

    def __str__(self) -> str:
        return ngettext(
            "{n} row written to {path}", "{n} rows written to {path}", self.rows
        ).format(n=self.rows, path=self.path)


def write_export(kind: str, desk: Desk, **filters: Any) -> Written:
    """Write one export into the documents folder; a file that cannot be written is refused."""
    folder = default_slip_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = free_name(folder / exports.default_name(kind, desk.now()))  # never over a file
        return Written(exports.export(desk, kind, path, **filters), path)
    except OSError as error:
        raise Refused(Problem("cannot_write", str(error))) from error


class ExportScreen(SpeaksTheDesk, DeskWork, ModalScreen[None]):
    BINDINGS = [Binding("escape", "dismiss", N_("Close"), id="export.close")]

    def compose(self) -> ComposeResult:
        labels = export_labels()
        actor = self.desk.actor
        kinds = [k for k in exports.KINDS if permissions.allowed(actor, f"export.{k}")]
        with Vertical(classes="dialog"):
            yield Static(Text(_("Export as CSV"), style="bold"))
            yield OptionList(*[Option(labels[k], id=k) for k in kinds], id="export-kinds")
            yield Static(id="export-result")
            yield Static(
                Text(
                    _("Enter: write it into the documents folder (crous-desk)    Esc: close"),
                    style="dim",
                )
            )

    def on_mount(self) -> None:
        self.query_one("#export-kinds", OptionList).focus()

    def show(self, text: str, style: str = "") -> None:
        self.query_one("#export-result", Static).update(Text(text, style=style))

    @on(OptionList.OptionSelected, "#export-kinds")
    def write(self, event: OptionList.OptionSelected) -> None:
        kind, desk = event.option.id or "", self.desk
        filters: dict[str, object] = {}
        if kind == "pipeline":
            from crous_desk.office.pipeline import default_year

            filters["year"] = default_year(desk)
        self.show(_("Writing…"), "dim")
        self.run_slow(
            lambda: write_export(kind, desk, **filters),
            lambda written: self.show(str(written)),
            group=EXPORT,
            on_refused=lambda refused: self.show(str(refused), "bold"),
        )
