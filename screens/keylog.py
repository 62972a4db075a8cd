"""The key log with its filters, and the 17:00 closing list of keys that are out and should
not be."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import DataTable, Static

from crous_desk import keys
from crous_desk.base.i18n import N_, _, ngettext, pgettext
from crous_desk.rules.proposal import format_instant
from crous_desk.rules.status import KeyEvent
from crous_desk.store.anchor import last_anchor

from .base import FORM, LOAD, DeskScreen
from .forms import FieldsForm
from .widgets import DeskFooter, DeskHeader


def event_label(event: str) -> str:
    """A key-log row's event as the desk says it (the code stays in exports)."""
    labels: dict[str, str] = {
        KeyEvent.HANDOVER: pgettext("key event", "handover"),
        KeyEvent.RETURN: pgettext("key event", "return"),
        KeyEvent.LOST: pgettext("key event", "lost"),
        KeyEvent.REPLACED: pgettext("key event", "replaced"),
        KeyEvent.RETIRED: pgettext("key event", "retired"),
        KeyEvent.ADDED: pgettext("key event", "added"),
        KeyEvent.LOAN: pgettext("key event", "loan"),
    }
    return labels.get(event, event)


@dataclass(frozen=True)
class KeyLogFilter:
    """What a person typed; the core reads it (``keys.key_log_for``)."""

    room: str = ""
    tenant: str = ""
    staff: str = ""
    first_day: str = ""
    last_day: str = ""


class KeyLogScreen(DeskScreen):
    """Who held what, when, and who handed it: filtered by room, tenant, staff and dates."""

    BINDINGS = [
        Binding(
            "f",
            "filter",
            N_("Filter"),
            id="keylog.filter",
            tooltip=N_("By room, tenant reference, staff member, dates"),
        ),
        Binding("escape", "back", N_("Back"), id="keylog.back"),
    ]

    rows: reactive[list[keys.KeyLogRow]] = reactive(list, init=False, always_update=True)

    def __init__(self) -> None:
        super().__init__()
        self.filters = KeyLogFilter()

    def compose(self) -> ComposeResult:
        yield DeskHeader(id="desk-header")
        yield Static(id="log-title")
        yield DataTable(id="log", cursor_type="row", zebra_stripes=True)
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one("#log", DataTable)
        table.add_column(_("When"), key="at", width=16)
        table.add_column(_("What"), key="what", width=9)
        table.add_column(_("Set"), key="set", width=15)
        table.add_column(_("Tenant"), key="tenant", width=17)
        table.add_column(_("By"), key="by", width=10)
        table.focus()
        self.reload()

    def fetch(self) -> None:
        self.rows = keys.key_log(self.desk)

    def watch_rows(self, rows: list[keys.KeyLogRow]) -> None:
        active = ", ".join(f"{k}={v}" for k, v in asdict(self.filters).items() if v.strip())
        title = Text(_("Key log"), style="bold")
        title.append("  " + (active or _("everything")), style="dim")
        title.append("  " + _("{n} entries").format(n=len(rows)), style="dim")
        self.query_one("#log-title", Static).update(title)
        table = self.query_one("#log", DataTable)
        table.clear()
        for r in rows:
            table.add_row(
                Text(format_instant(r.at)),
                Text(event_label(r.action)),
                Text(r.label),
                Text(r.tenant, no_wrap=True, overflow="ellipsis"),
                Text(r.staff),
                key=str(r.id),
            )

    @work(exclusive=True, group=FORM)
    async def action_filter(self) -> None:
        now = self.filters
        fields = [
            ("room", _("Room (e.g. B-112)"), now.room),
            ("tenant", _("Tenant's reservation reference"), now.tenant),
            ("staff", _("Staff member (username)"), now.staff),
            ("first_day", _("From (dd/mm/yyyy)"), now.first_day),
            ("last_day", _("Until (dd/mm/yyyy)"), now.last_day),
        ]
        desk = self.desk
        answer = await self.app.push_screen_wait(  # it stays open until the core reads it
            FieldsForm(
                _("Filter the key log"),
                KeyLogFilter,
                fields,
                save=lambda asked: keys.key_log_for(desk, **asdict(asked)),
            )
        )
        if answer is None:
            return

        def filtered(rows: list[keys.KeyLogRow]) -> None:
            self.filters = answer
            self.rows = rows

        self.run_slow(
            lambda: keys.key_log_for(desk, **asdict(answer)),
            filtered,
            group=LOAD,
            title=_("This filter cannot be used"),
        )

    def action_back(self) -> None:
        self.dismiss(None)


class ClosingScreen(DeskScreen):
    """At 17:00: every key set that is out and should not be."""

    BINDINGS = [Binding("escape", "back", N_("Back"), id="closing.back")]

    rows: reactive[list[keys.KeyOut]] = reactive(list, init=False, always_update=True)
    audit_anchor = ""

    def compose(self) -> ComposeResult:
        yield DeskHeader(id="desk-header")
        yield Static(id="closing-title")
        yield DataTable(id="closing", cursor_type="row", zebra_stripes=True)
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one("#closing", DataTable)
        table.add_column(_("Set"), key="set", width=16)
        table.add_column(_("Room"), key="room", width=6)
        table.add_column(_("Why"), key="why", width=50)
        table.focus()
        self.reload()

    def fetch(self) -> None:
        last = last_anchor()  # the audit log's head, kept outside the database
        self.audit_anchor = (
            f"{last.at} entries={last.entries} head={last.head[:16]}…" if last else ""
        )
        self.rows = keys.closing_check(self.desk)

    def watch_rows(self, rows: list[keys.KeyOut]) -> None:
        title = Text(_("Closing check: keys out that should not be"), style="bold")
        title.append(
            "  " + ngettext("{n} set", "{n} sets", len(rows)).format(n=len(rows)), style="dim"
        )
        if self.audit_anchor:
            title.append(
                "\n" + _("Audit anchor: {anchor}").format(anchor=self.audit_anchor), style="dim"
            )
        self.query_one("#closing-title", Static).update(title)
        table = self.query_one("#closing", DataTable)
        table.clear()
        for i, r in enumerate(rows):
            table.add_row(
                Text(r.label),
                Text(r.room),
                Text(r.message, no_wrap=True, overflow="ellipsis"),
                key=str(i),
            )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        row = self.rows[int(event.row_key.value or 0)]
        if row.reservation_id is not None:
            from .reservation import ReservationScreen

            self.app.push_screen(ReservationScreen(row.reservation_id))

    def action_back(self) -> None:
        self.dismiss(None)
