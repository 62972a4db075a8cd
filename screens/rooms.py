"""Rooms of the residence and their status (available → reserved → occupied → to inspect →
available, and out of service), with filters; a room's inspection history."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from crous_desk import rooms as tenancy
from crous_desk.base.i18n import N_, _, ngettext
from crous_desk.departure.history import RoomRecord, describe_amount, room_record
from crous_desk.rules.proposal import format_instant
from crous_desk.rules.reference import room_kinds

from .base import FORM, DeskScreen, DeskWork
from .forms import FieldsForm, Why
from .inspection import state_labels
from .language import SpeaksTheDesk
from .widgets import ConfirmScreen, DeskFooter, DeskHeader, FindBox

STATUS_FILTERS = (None, "available", "reserved", "occupied", "to_inspect", "out_of_service")


def kinds() -> list[str | None]:
    return [None, *room_kinds()]


class RoomsScreen(DeskScreen):
    BINDINGS = [
        Binding(
            "s",
            "status_filter",
            N_("Status"),
            id="rooms.status",
            tooltip=N_("Show rooms of one status at a time"),
        ),
        Binding(
            "k", "kind_filter", N_("Kind"), id="rooms.kind", tooltip=N_("Show one kind of room")
        ),
        Binding(
            "r",
            "ready",
            N_("Ready"),
            id="rooms.ready",
            tooltip=N_("The room is inspected and ready for the next student"),
        ),
        Binding(
            "o", "out_of_service", N_("Out"), id="rooms.out", tooltip=N_("Take out of service")
        ),
        Binding("b", "back_in_service", N_("In"), id="rooms.in", tooltip=N_("Back in service")),
        Binding(
            "enter",
            "history",
            N_("History"),
            id="rooms.history",
            show=False,
            tooltip=N_("The room's inspections"),
        ),
        Binding(
            "/", "find", N_("Find"), show=False, id="rooms.find", tooltip=N_("Type to find a row")
        ),
        Binding("escape", "back", N_("Back"), id="rooms.back"),
    ]

    RUNS = {
        "ready": tenancy.room_ready,
        "out_of_service": tenancy.set_out_of_service,
        "back_in_service": tenancy.back_in_service,
    }

    status_index = reactive(0, init=False)
    kind_index = reactive(0, init=False)
    rows: reactive[list[tenancy.RoomRow]] = reactive(list, init=False, always_update=True)

    def compose(self) -> ComposeResult:
        yield DeskHeader(id="desk-header")
        yield Static(id="rooms-title")
        yield DataTable(id="rooms", cursor_type="row", zebra_stripes=True)
        yield FindBox("#rooms")
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one("#rooms", DataTable)
        table.add_column(_("Room"), key="room", width=6)
        table.add_column(_("Kind"), key="kind", width=15)
        table.add_column(_("Status"), key="status", width=14)
        table.add_column(_("Tenants"), key="tenants", width=19)
        table.add_column(_("Key sets"), key="keys", width=14)
        table.focus()
        self.reload()

    def watch_status_index(self) -> None:
        self.reload()

    def watch_kind_index(self) -> None:
        self.reload()

    def fetch(self) -> None:
        status, kind = STATUS_FILTERS[self.status_index], kinds()[self.kind_index]
        self.rows = tenancy.rooms(self.desk, status=status, kind=kind)

    def watch_rows(self, rows: list[tenancy.RoomRow]) -> None:
        status, kind = STATUS_FILTERS[self.status_index], kinds()[self.kind_index]
        title = Text(_("Rooms"), style="bold")
        shown = [
            tenancy.room_status_label(status) if status else _("every status"),
            _(room_kinds()[kind].label) if kind else _("every kind"),
        ]
        title.append("  " + " · ".join(shown), style="dim")
        title.append(
            "  " + ngettext("{n} room", "{n} rooms", len(rows)).format(n=len(rows)), style="dim"
        )
        self.query_one("#rooms-title", Static).update(title)
        table = self.query_one("#rooms", DataTable)
        row = table.cursor_row
        table.clear()
        for r in rows:
            table.add_row(
                Text(r.number),
                Text(_(r.kind_label), no_wrap=True, overflow="ellipsis"),
                Text(
                    tenancy.room_status_label(r.status),
                    style="bold" if r.status in ("to_inspect", "out_of_service") else "",
                ),
                Text(", ".join(r.tenants), no_wrap=True, overflow="ellipsis"),
                Text(_("{d} in · {o} out").format(d=r.keys_at_desk, o=r.keys_out)),
                key=str(r.room_id),
            )
        if rows and row >= 0:
            table.move_cursor(row=min(row, len(rows) - 1))

    def current(self) -> tenancy.RoomRow | None:
        row = self.query_one("#rooms", DataTable).cursor_row
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def action_status_filter(self) -> None:
        self.status_index = (self.status_index + 1) % len(STATUS_FILTERS)

    def action_kind_filter(self) -> None:
        self.kind_index = (self.kind_index + 1) % len(kinds())

    @work(exclusive=True, group=FORM)
    async def action_ready(self) -> None:
        row, desk = self.current(), self.desk
        question = _("Room {room} is inspected and ready: offer it to the next student?")
        if row is None:
            return
        if row.status != "to_inspect" or await self.app.push_screen_wait(  # else: refused, why
            ConfirmScreen(question.format(room=row.number))
        ):
            self.run_desk_action(
                _("The room cannot be made ready"),
                lambda: tenancy.room_ready(desk, row.room_id),
            )

    @work(exclusive=True, group=FORM)
    async def action_out_of_service(self) -> None:
        row = self.current()
        if row is None:
            return
        desk = self.desk
        answer = await self.app.push_screen_wait(
            FieldsForm(
                _("Room {room} out of service").format(room=row.number),
                Why,
                [("reason", _("Why (e.g. water leak, works)"), "")],
                save=lambda why: tenancy.set_out_of_service(desk, row.room_id, why.reason),
                field_of={"text_required": "reason"},
            )
        )
        if answer is not None:
            self.reload()

    def action_back_in_service(self) -> None:
        row, desk = self.current(), self.desk
        if row is not None:
            self.run_desk_action(
                _("The room cannot go back in service"),
                lambda: tenancy.back_in_service(desk, row.room_id),
            )

    def action_history(self) -> None:
        row = self.current()
        if row is not None:
            self.app.push_screen(RoomHistoryScreen(row.room_id, row.number))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_history()

    def action_find(self) -> None:
        self.query_one(FindBox).open()

    def action_back(self) -> None:
        self.dismiss(None)


class RoomHistoryScreen(SpeaksTheDesk, DeskWork, ModalScreen[None]):
    """A room's history: its inspections, then every event (amendments, charges, keys, moves),
    and the last known state the next check-in starts from."""

    BINDINGS = [Binding("escape,enter", "dismiss", N_("Close"), id="roomhistory.close")]

    record: reactive[RoomRecord | None] = reactive(None, recompose=True)

    def __init__(self, room_id: int, number: str) -> None:
        super().__init__()
        self.room_id = room_id
        self.number = number

    def on_mount(self) -> None:
        self.reload()

    def fetch(self) -> None:
        self.record = room_record(self.desk, self.room_id)

    def compose(self) -> ComposeResult:
        text = Text(_("Inspections of room {room}").format(room=self.number) + "\n\n", style="bold")
        record = self.record
        rows = record.inspections if record else []
        if record is not None and not rows:
            text.append(_("No inspection yet.") + "\n")
        for r in rows:
            kind = _("check-in") if r.kind == "check_in" else _("check-out")
            text.append(f"{format_instant(r.started_at)}  {kind:<10} ")
            text.append(r.tenant)
            text.append(f"  {r.reference}")
            if r.acknowledged_at is None:
                text.append("  " + _("(not acknowledged)"), style="dim")
            if r.amendments:
                text.append(
                    "  "
                    + ngettext("{n} correction", "{n} corrections", r.amendments).format(
                        n=r.amendments
                    ),
                    style="dim",
                )
            text.append("\n")
        events = [e for e in (record.events if record else []) if e.what != "inspection"]
        if events:
            text.append("\n" + _("Tenants, keys, corrections and charges") + "\n", style="bold")
        for e in events:
            text.append(f"{format_instant(e.at)}  {e.tenant}  {e.reference}  ")
            text.append(e.detail)
            amount = describe_amount(e)
            if amount:
                text.append(f"  {amount}", style="bold")
            text.append("\n")
        known = [(label, state) for label, state in (record.last_known if record else []) if state]
        if known:
            text.append(
                "\n" + _("Last known state (the next check-in starts from it)") + "\n", style="bold"
            )
            labels = state_labels()
            text.append(
                ", ".join(f"{_(label)}: {labels.get(state or '', state)}" for label, state in known)
                + "\n"
            )
        with VerticalScroll(classes="dialog"):
            yield Static(text)
