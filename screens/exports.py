"""Ctrl+E: write a CSV export (the exports this account may make) into the documents folder.

Cells that a spreadsheet would run as a formula (starting with = + - @) are written with a
leading apostrophe: see crous_desk.exports."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from crous_desk.arrivals.slips import default_slip_dir
from crous_desk.base.errors import Refused
from crous_desk.base.i18n import _
from crous_desk.desk import permissions
from crous_desk.office import exports

from .widgets import desk_of


def export_labels() -> dict[str, str]:
    return {
        "pipeline": _("Pipeline — your students and where each stands"),
        "arrivals": _("Arrivals — today's, with their rental file"),
        "keylog": _("Key log — who held which set, when, handed by whom"),
        "audit": _("Audit log — every change, before and after"),
    }


class ExportScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape", "dismiss", "Close", id="export.close")]

    def compose(self) -> ComposeResult:
        desk = desk_of(self)
        labels = export_labels()
        kinds = [k for k in exports.KINDS if permissions.allowed(desk.actor, f"export.{k}")]
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

    @on(OptionList.OptionSelected, "#export-kinds")
    def write(self, event: OptionList.OptionSelected) -> None:
        kind = event.option.id or ""
        desk = desk_of(self)
        path = default_slip_dir() / exports.default_name(kind, desk.now())
        result = self.query_one("#export-result", Static)
        filters: dict[str, object] = {}
        if kind == "pipeline":
            from crous_desk.office.pipeline import default_year

            filters["year"] = default_year(desk)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            count = exports.export(desk, kind, path, **filters)
        except Refused as refused:
            result.update(Text(str(refused), style="bold"))
            return
        except OSError as error:
            result.update(Text(str(error), style="bold"))
            return
        result.update(Text(_("{n} row(s) written to {path}").format(n=count, path=path)))
