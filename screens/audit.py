"""The audit log for an administrator: who changed what, when, before and after, filtered by
person, reservation and days; Enter in a filter applies it, x exports what is shown, v checks
the hash chain (in a worker: the whole log is read)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import DataTable, Input, Static

from crous_desk.base.dates import parse_day
from crous_desk.base.errors import Problem, Refused
from crous_desk.base.i18n import N_, _
from crous_desk.people import audit
from crous_desk.people.audit import AuditRow
from crous_desk.reservations.search import find_reference
from crous_desk.store.audit import ChainReport, verify_chain

from .base import DeskScreen
from .exports import EXPORT, write_export
from .widgets import DeskFooter

SHOWN = 500
VERIFY = "verify"


class AuditScreen(DeskScreen):
    CSS_PATH = "people.tcss"
    BINDINGS = [
        Binding(
            "f", "filters", N_("Filters"), id="audit.filters", tooltip=N_("Person, reference, days")
        ),
        Binding("v", "verify", N_("Verify"), id="audit.verify", tooltip=N_("Check the hash chain")),
        Binding(
            "x", "export", N_("Export"), id="audit.export", tooltip=N_("Write what is shown as CSV")
        ),
        Binding("escape", "back", N_("Back"), id="audit.back"),
    ]

    rows: reactive[list[AuditRow]] = reactive(list, init=False, always_update=True)

    def __init__(self) -> None:
        super().__init__()
        self.filters: dict[str, object] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="audit-title")
        with Horizontal(id="audit-filters"):
            yield Input(placeholder=_("person"), id="who", compact=True, max_length=40)
            yield Input(placeholder=_("reference"), id="ref", compact=True, max_length=10)
            yield Input(placeholder=_("from dd/mm/yyyy"), id="from", compact=True, max_length=10)
            yield Input(placeholder=_("to dd/mm/yyyy"), id="to", compact=True, max_length=10)
        table: DataTable[Text] = DataTable(
            id="audit-entries", cursor_type="row", zebra_stripes=True
        )
        yield table
        yield Static(id="audit-detail")
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one("#audit-entries", DataTable)
        table.add_column("#", key="id", width=5)
        table.add_column(_("When"), key="at", width=16)
        table.add_column(_("Who"), key="who", width=12)
        table.add_column(_("Action"), key="action", width=22)
        table.add_column(_("Ref"), key="ref", width=6)
        table.focus()
        self.reload()

    def _filters(self) -> dict[str, object]:
        """The filters typed in the boxes; Refused with every one that cannot be read."""
        desk = self.desk
        values = {
            key: self.query_one(f"#{key}", Input).value.strip()
            for key in ("who", "ref", "from", "to")
        }
        problems = []
        filters: dict[str, object] = {}
        if values["who"]:
            filters["actor"] = values["who"]
        if values["ref"]:
            found = find_reference(desk, values["ref"])
            if found is None:
                problems.append(
                    Problem("not_found", _("no reservation {ref!r}").format(ref=values["ref"]))
                )
            else:
                filters["reservation_id"] = found.id
        tz = desk.calendar().tz
        for key, name in (("from", "since"), ("to", "until")):
            if values[key]:
                try:
                    day = parse_day(values[key])
                except ValueError as error:
                    problems.append(Problem("bad_date", str(error)))
                    continue
                if key == "to":
                    day += timedelta(days=1)
                filters[name] = datetime.combine(day, time(), tz)
        if problems:
            raise Refused(*problems)
        return filters

    def fetch(self) -> None:
        filters = self._filters()
        self.rows = audit.read(self.desk, limit=SHOWN, **filters)
        self.filters = filters

    def cannot_show(self) -> str:
        return _("The audit log cannot be shown")

    def watch_rows(self, rows: list[AuditRow]) -> None:
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(_("Audit log"), style="bold reverse")
        title.append("  ")
        shown = len(rows)
        title.append(
            _("{n} entries, newest first").format(n=shown)
            + (_(" (the latest {n})").format(n=SHOWN) if shown == SHOWN else "")
        )
        self.query_one("#audit-title", Static).update(title)
        table = self.query_one("#audit-entries", DataTable)
        table.clear()
        tz = self.desk.calendar().tz
        for row in rows:
            table.add_row(
                Text(str(row.id)),
                Text(f"{row.at.astimezone(tz):%d/%m/%Y %H:%M}"),
                Text(row.actor, no_wrap=True, overflow="ellipsis"),
                Text(row.action, no_wrap=True, overflow="ellipsis"),
                Text(row.reference),
                key=str(row.id),
            )
        self._detail()

    @on(DataTable.RowHighlighted, "#audit-entries")
    def _detail(self) -> None:
        table = self.query_one("#audit-entries", DataTable)
        text = Text(no_wrap=True, overflow="ellipsis")
        if not 0 <= table.cursor_row < len(self.rows):
            text.append(_("No entry matches."))
        else:
            row = self.rows[table.cursor_row]
            text.append(_("before "), style="bold")
            text.append(row.before or "—")
            text.append("\n")
            text.append(_("after  "), style="bold")
            text.append(row.after or "—")
        self.query_one("#audit-detail", Static).update(text)

    @on(Input.Submitted)
    def _apply(self) -> None:
        self.reload()
        self.query_one("#audit-entries", DataTable).focus()

    def action_filters(self) -> None:
        self.query_one("#who", Input).focus()

    def action_verify(self) -> None:
        self.notify(_("Checking the audit log…"), markup=False)
        self.run_slow(verify_chain, self._verified, group=VERIFY)

    def _verified(self, report: ChainReport) -> None:
        if report.intact:
            self.notify(_("Audit log intact: {n} entries").format(n=report.entries), markup=False)
        else:
            self.refuse(
                _("The audit log is broken at entry #{id}").format(id=report.broken_id)
                if report.broken_id is not None
                else _("The audit log cannot be trusted"),
                report.reason,
            )

    def action_export(self) -> None:
        desk, filters = self.desk, dict(self.filters)
        self.run_slow(
            lambda: write_export("audit", desk, **filters),
            lambda written: self.notify(str(written), markup=False),
            group=EXPORT,
            title=_("No export"),
        )

    def action_back(self) -> None:
        self.app.pop_screen()
