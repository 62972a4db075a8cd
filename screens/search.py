"""Find anyone in a keystroke; a scanned reference (the code, then Enter) opens the file.

Each keystroke searches in a worker thread; a result that comes back for an older text than
the box now holds is dropped, so typing never waits and never sees stale rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import DataTable, Input, Static

from crous_desk.arrivals.payload import find_payload, read_payload
from crous_desk.base.dates import show_day
from crous_desk.base.errors import Refused
from crous_desk.base.i18n import N_, _, ngettext
from crous_desk.reservations.search import SearchRow, find_reference, search
from crous_desk.rules.proposal import status_label

from .base import DeskScreen
from .today import TodayPanel
from .widgets import DeskFooter, DeskHeader

SEARCH = "search"


@dataclass(frozen=True)
class Found:
    """What ``text`` found."""

    text: str = ""
    rows: list[SearchRow] = field(default_factory=list)


class SearchScreen(DeskScreen):
    BINDINGS = [
        Binding("ctrl+f", "focus_search", N_("Search"), id="search.focus"),
        Binding("ctrl+l", "clear", N_("Clear"), id="search.clear"),
        Binding("down", "results", N_("Results"), show=False, id="search.results"),
    ]

    text: reactive[str] = reactive("", init=False)
    found: reactive[Found] = reactive(Found, init=False, always_update=True)

    def compose(self) -> ComposeResult:
        yield DeskHeader(id="desk-header")
        yield Input(  # no select-all on focus: it would swallow a scan typed on the results
            placeholder=_("Name, INE, reference, room or e-mail — or scan a slip"),
            id="query",
            select_on_focus=False,
        )
        yield Static(id="summary")
        yield TodayPanel(id="today")
        table: DataTable[Text] = DataTable(id="results", cursor_type="row", zebra_stripes=True)
        table.display = False
        yield table
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one("#results", DataTable)
        table.add_column(_("Ref"), key="ref", width=6)
        table.add_column(_("Name"), key="name", width=30)
        table.add_column(_("Room"), key="room", width=6)
        table.add_column(_("Status"), key="status", width=13)
        table.add_column(_("Arrival"), key="arrival", width=10)
        self.show_summary(
            _(
                "Today at the desk. Type a name (any order, accents optional), an INE, a "
                "reference, a room or an e-mail — or scan a slip."
            )
        )
        self.query_one("#query", Input).focus()

    def reload(self, *, quiet: bool = False) -> None:
        """Back from a file, F2, every minute: the day may have changed (keys handed,
        departures, a countdown); the panel is read again even while a search hides it."""
        self.query_one("#today", TodayPanel).reload()

    @property
    def rows(self) -> list[SearchRow]:
        """The results shown, when they are the box's own."""
        return self.found.rows if self.found.text == self.text else []

    def rows_now(self) -> list[SearchRow]:
        """The box's results, read here when the worker has not brought them back yet: Enter
        and ↓ want the answer now (a scanner types faster than a search)."""
        if self.text.strip() and self.found.text != self.text:
            self.found = Found(self.text, search(self.desk, self.text))
        return self.rows

    # -- searching --------------------------------------------------------------------------

    @on(Input.Changed, "#query")
    def _typed(self, event: Input.Changed) -> None:
        self.text = event.value

    def watch_text(self, text: str) -> None:
        searching = bool(text.strip())
        self.query_one("#results", DataTable).display = searching
        self.query_one("#today", TodayPanel).display = not searching
        if not searching:
            self.workers.cancel_group(self, SEARCH)
            self.reload()
            self.found = Found(text)
            self.show_summary(_("Today at the desk — type to search, or scan a slip."))
            return
        desk = self.desk
        self.run_slow(lambda: Found(text, search(desk, text)), self._found, group=SEARCH)

    def _found(self, found: Found) -> None:
        if found.text == self.text:  # else the box says more by now: its own search follows
            self.found = found

    def watch_found(self, found: Found) -> None:
        table = self.query_one("#results", DataTable)
        table.clear()
        for row in found.rows:
            table.add_row(
                Text(row.reference),
                Text(row.name, overflow="ellipsis", no_wrap=True),
                Text(row.room),
                Text(status_label(row.status)),
                Text(show_day(row.lease_start)),
                key=str(row.reservation_id),
            )
        if found.text.strip():
            n = len(found.rows)
            self.show_summary(
                ngettext("{n} reservation found", "{n} reservations found", n).format(n=n)
            )

    def show_summary(self, message: str) -> None:
        self.query_one("#summary", Static).update(Text(message, style="dim"))

    # -- opening ----------------------------------------------------------------------------

    @on(TodayPanel.Open)
    def open_from_today(self, event: TodayPanel.Open) -> None:
        self.open_reservation(event.reservation_id)

    @on(Input.Submitted, "#query")
    def open_from_input(self, event: Input.Submitted) -> None:
        """Enter: a scanned slip code or an exact reference opens it; else the first result."""
        desk = self.desk
        code = find_payload(event.value)
        if code is not None:
            self.open_scanned(code)
            return
        exact = find_reference(desk, event.value)
        if exact is not None:
            self.open_reservation(exact.id)
            return
        rows = self.rows_now()
        if rows:
            table = self.query_one("#results", DataTable)
            index = table.cursor_row if 0 <= table.cursor_row < len(rows) else 0
            self.open_reservation(rows[index].reservation_id)
        elif event.value.strip():
            self.show_summary(_("Nothing matches {text!r}.").format(text=event.value.strip()))

    def open_scanned(self, code: str) -> None:
        """A slip under the scanner opens its reservation, only if its check code matches."""
        try:
            reference = read_payload(code)
        except Refused as refused:
            self.app.bell()
            self.query_one("#summary", Static).update(
                Text(str(refused), style="bold", no_wrap=True, overflow="ellipsis")
            )
            return
        found = find_reference(self.desk, reference)
        if found is None:
            self.show_summary(
                _("Slip {ref}: no such reservation at this desk.").format(ref=reference)
            )
            return
        self.open_reservation(found.id)

    @on(DataTable.RowSelected, "#results")
    def open_from_table(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.open_reservation(int(event.row_key.value))

    def open_reservation(self, reservation_id: int) -> None:
        from .reservation import ReservationScreen

        self.app.push_screen(ReservationScreen(reservation_id))

    def on_key(self, event: events.Key) -> None:
        """Typing while the results have the focus goes on in the search box (a scanner too)."""
        query = self.query_one("#query", Input)
        if event.is_printable and event.character and not query.has_focus:
            query.focus()
            query.cursor_position = len(query.value)
            query.insert_text_at_cursor(event.character)
            event.stop()
            event.prevent_default()

    def action_focus_search(self) -> None:
        self.query_one("#query", Input).focus()

    def action_clear(self) -> None:
        query = self.query_one("#query", Input)
        query.value = ""
        query.focus()
        self.reload()

    def action_results(self) -> None:
        if self.rows_now():
            self.query_one("#results", DataTable).focus()
        elif not self.text.strip():
            self.query_one("#today", TodayPanel).focus()
