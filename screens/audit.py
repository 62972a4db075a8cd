"""The audit log for an administrator: who changed what, when, before and after, filtered by
person, reservation and days; Enter in a filter applies it, x exports what is shown."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from crous_desk.base.dates import parse_day
from crous_desk.base.errors import Refused
from crous_desk.base.i18n import _
from crous_desk.people import audit
from crous_desk.people.audit import AuditRow
from crous_desk.reservations.search import find_reference
from crous_desk.store.audit import verify_chain

from .widgets import ReasonsScreen, desk_of

SHOWN = 500


class AuditScreen(Screen[None]):
    CSS_PATH = "people.tcss"
    BINDINGS = [
        Binding("f", "filters", "Filters", id="audit.filters", tooltip="Person, reference, days"),
        Binding("v", "verify", "Verify", id="audit.verify", tooltip="Check the hash chain"),
        Binding("x", "export", "Export", id="audit.export", tooltip="Write what is shown as CSV"),
        Binding("escape", "back", "Back", id="audit.back"),
    ]

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
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#audit-entries", DataTable)
        table.add_column("#", key="id", width=5)
        table.add_column(_("When"), key="at", width=16)
        table.add_column(_("Who"), key="who", width=12)
        table.add_column(_("Action"), key="action", width=22)
        table.add_column(_("Ref"), key="ref", width=6)
        self.rows: list[AuditRow] = []
        self.filters: dict[str, object] = {}
        self.reload()
        table.focus()

    def _filters(self) -> dict[str, object]:
        desk = desk_of(self)
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
                problems.append(_("no reservation {ref!r}").format(ref=values["ref"]))
            else:
                filters["reservation_id"] = found.id
        tz = desk.calendar().tz
        for key, name in (("from", "since"), ("to", "until")):
            if values[key]:
                try:
                    day = parse_day(values[key])
                except ValueError as error:
                    problems.append(str(error))
                    continue
                if key == "to":
                    day += timedelta(days=1)
                filters[name] = datetime.combine(day, time(), tz)
        if problems:
            raise Refused(*problems)
        return filters

    def reload(self) -> None:
        desk = desk_of(self)
        try:
            self.filters = self._filters()
            self.rows = audit.read(desk, limit=SHOWN, **self.filters)
        except Refused as refused:
            self.app.push_screen(ReasonsScreen(_("The audit log cannot be shown"), refused.reasons))
            return
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(_("Audit log"), style="bold reverse")
        title.append("  ")
        shown = len(self.rows)
        title.append(
            _("{n} entries, newest first").format(n=shown)
            + (_(" (the latest {n})").format(n=SHOWN) if shown == SHOWN else "")
        )
        self.query_one("#audit-title", Static).update(title)
        table = self.query_one("#audit-entries", DataTable)
        table.clear()
        tz = desk.calendar().tz
        for row in self.rows:
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
        report = verify_chain()
        if report.intact:
            self.notify(_("Audit log intact: {n} entries").format(n=report.entries), markup=False)
        else:
            self.app.push_screen(
                ReasonsScreen(
                    _("The audit log is broken at entry #{id}").format(id=report.broken_id),
                    [report.reason],
                )
            )

    def action_export(self) -> None:
        from crous_desk.arrivals.slips import default_slip_dir
        from crous_desk.office import exports

        desk = desk_of(self)
        path = default_slip_dir() / exports.default_name("audit", desk.now())
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            count = exports.export(desk, "audit", path, **self.filters)
        except (Refused, OSError) as error:
            reasons = error.reasons if isinstance(error, Refused) else (str(error),)
            self.app.push_screen(ReasonsScreen(_("No export"), reasons))
            return
        self.notify(_("{n} row(s) written to {path}").format(n=count, path=path), markup=False)

    def action_back(self) -> None:
        self.app.pop_screen()
