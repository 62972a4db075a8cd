"""Keys: every set of the residence and where it is; take back, lost, retire, reissue; the key
log with its filters; and the 17:00 closing list of keys that are out and should not be."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from crous_desk import keys
from crous_desk.base.errors import Refused
from crous_desk.base.i18n import _
from crous_desk.rules.condition import euros
from crous_desk.rules.proposal import format_instant

from .forms import FieldsForm
from .widgets import ConfirmScreen, DeskHeader, ReasonsScreen, desk_of

FILTERS = (None, "out", "desk", "lost", "retired")


def where_label(location: str) -> str:
    return {
        "desk": _("at the desk"),
        "tenant": _("with the tenant"),
        "loan": _("lent"),
        "lost": _("lost"),
        "retired": _("retired"),
    }.get(location, location)


class KeysScreen(Screen[None]):
    BINDINGS = [
        Binding(
            "t",
            "take_back",
            "Take back",
            id="keys.take_back",
            tooltip="The highlighted set comes back to the desk",
        ),
        Binding(
            "x",
            "lost",
            "Lost",
            id="keys.lost",
            tooltip="Declare the set lost: blocked, replaced, charged",
        ),
        Binding(
            "g",
            "reissue",
            "Give",
            id="keys.reissue",
            tooltip="Give this set to the room's tenant who has none",
        ),
        Binding(
            "r", "retire", "Retire", id="keys.retire", show=False, tooltip="Retire the set for good"
        ),
        Binding("f", "filter", "Filter", id="keys.filter", tooltip="All, out, desk, lost, retired"),
        Binding("l", "log", "Log", id="keys.log", tooltip="The key log, with filters"),
        Binding(
            "c",
            "closing",
            "17:00",
            id="keys.closing",
            tooltip="Keys that are out and should not be",
        ),
        Binding("escape", "back", "Back", id="keys.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter_index = 0
        self.rows: list[keys.KeySetRow] = []

    def compose(self) -> ComposeResult:
        yield DeskHeader(id="desk-header")
        yield Static(id="keys-title")
        yield DataTable(id="key-sets", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#key-sets", DataTable)
        table.add_column(_("Set"), key="set", width=16)
        table.add_column(_("Room"), key="room", width=6)
        table.add_column(_("Where"), key="where", width=15)
        table.add_column(_("Holder"), key="holder", width=20)
        table.add_column(_("Since"), key="since", width=11)
        self.reload()
        table.focus()

    def reload(self) -> None:
        state = FILTERS[self.filter_index]
        self.rows = keys.inventory(desk_of(self), states=[state] if state else None)
        title = Text(_("Key sets"), style="bold")
        title.append("  " + _("showing: {what}").format(what=state or _("all")), style="dim")
        title.append("  " + _("{n} set(s)").format(n=len(self.rows)), style="dim")
        self.query_one("#keys-title", Static).update(title)
        table = self.query_one("#key-sets", DataTable)
        row = table.cursor_row
        table.clear()
        for r in self.rows:
            where = where_label(r.location)
            if r.due_at:
                where += " " + format_instant(r.due_at)[:5]
            table.add_row(
                Text(r.label),
                Text(r.room),
                Text(where),
                Text(r.holder, no_wrap=True, overflow="ellipsis"),
                Text(format_instant(r.since)[:10] if r.since else ""),
                key=str(r.key_set_id),
            )
        if self.rows and row >= 0:
            table.move_cursor(row=min(row, len(self.rows) - 1))

    def current(self) -> keys.KeySetRow | None:
        row = self.query_one("#key-sets", DataTable).cursor_row
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def refuse(self, title: str, refused: Refused) -> None:
        self.app.push_screen(ReasonsScreen(title, refused.reasons))

    def action_take_back(self) -> None:
        row = self.current()
        if row is None:
            return
        try:
            keys.take_back(desk_of(self), row.key_set_id, from_reservation=row.reservation_id)
        except Refused as refused:
            self.refuse(_("The set cannot be taken back"), refused)
            return
        self.notify(_("{label} is back at the desk").format(label=row.label), markup=False)
        self.reload()

    @work(exclusive=True, group="form")
    async def action_lost(self) -> None:
        row = self.current()
        if row is None:
            return
        question = _(
            "Declare {label} lost? It is blocked for good, a replacement set is made "
            "and the holder is charged."
        ).format(label=row.label)
        if not await self.app.push_screen_wait(ConfirmScreen(question)):
            return
        try:
            lost = keys.declare_lost(desk_of(self), row.key_set_id)
        except Refused as refused:
            self.refuse(_("The set cannot be declared lost"), refused)
            return
        charge = euros(lost.charge.amount_cents) if lost.charge else _("no charge")
        self.notify(
            _("{old} lost · replacement {new} at the desk · {charge}").format(
                old=lost.lost.label, new=lost.replacement.label, charge=charge
            ),
            markup=False,
        )
        self.reload()

    def action_reissue(self) -> None:
        row = self.current()
        if row is None:
            return
        tenants = keys.tenants_without_keys(row.room_id)
        if not tenants:
            self.refuse(
                _("Nobody to give it to"),
                Refused(_("every tenant of room {room} already holds a set").format(room=row.room)),
            )
            return
        try:
            keys.reissue(desk_of(self), row.key_set_id, tenants[0].id)
        except Refused as refused:
            self.refuse(_("The set cannot be given"), refused)
            return
        self.notify(
            _("{label} given to {name}").format(label=row.label, name=tenants[0].student.full_name),
            markup=False,
        )
        self.reload()

    @work(exclusive=True, group="form")
    async def action_retire(self) -> None:
        row = self.current()
        if row is None:
            return
        answer = await self.app.push_screen_wait(
            FieldsForm(
                _("Retire {label}").format(label=row.label),
                [("reason", _("Why (e.g. lock changed)"), "")],
            )
        )
        if not isinstance(answer, dict):
            return
        try:
            keys.retire(desk_of(self), row.key_set_id, answer["reason"])
        except Refused as refused:
            self.refuse(_("The set cannot be retired"), refused)
            return
        self.reload()

    def action_filter(self) -> None:
        self.filter_index = (self.filter_index + 1) % len(FILTERS)
        self.reload()

    def action_log(self) -> None:
        self.app.push_screen(KeyLogScreen())

    def action_closing(self) -> None:
        self.app.push_screen(ClosingScreen())

    def action_back(self) -> None:
        self.dismiss(None)


class KeyLogScreen(Screen[None]):
    """Who held what, when, and who handed it: filtered by room, tenant, staff and dates."""

    BINDINGS = [
        Binding(
            "f",
            "filter",
            "Filter",
            id="keylog.filter",
            tooltip="By room, tenant reference, staff member, dates",
        ),
        Binding("escape", "back", "Back", id="keylog.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filters = {"room": "", "tenant": "", "staff": "", "first_day": "", "last_day": ""}

    def compose(self) -> ComposeResult:
        yield DeskHeader(id="desk-header")
        yield Static(id="log-title")
        yield DataTable(id="log", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#log", DataTable)
        table.add_column(_("When"), key="at", width=16)
        table.add_column(_("What"), key="what", width=9)
        table.add_column(_("Set"), key="set", width=15)
        table.add_column(_("Tenant"), key="tenant", width=17)
        table.add_column(_("By"), key="by", width=10)
        self.show(keys.key_log(desk_of(self)))
        table.focus()

    def show(self, rows: list[keys.KeyLogRow]) -> None:
        active = ", ".join(f"{k}={v}" for k, v in self.filters.items() if v.strip())
        title = Text(_("Key log"), style="bold")
        title.append("  " + (active or _("everything")), style="dim")
        title.append("  " + _("{n} entries").format(n=len(rows)), style="dim")
        self.query_one("#log-title", Static).update(title)
        table = self.query_one("#log", DataTable)
        table.clear()
        for r in rows:
            table.add_row(
                Text(format_instant(r.at)),
                Text(r.action),
                Text(r.label),
                Text(r.tenant, no_wrap=True, overflow="ellipsis"),
                Text(r.staff),
                key=str(r.id),
            )

    @work(exclusive=True, group="form")
    async def action_filter(self) -> None:
        fields = [
            ("room", _("Room (e.g. B-112)"), self.filters["room"]),
            ("tenant", _("Tenant's reservation reference"), self.filters["tenant"]),
            ("staff", _("Staff member (username)"), self.filters["staff"]),
            ("first_day", _("From (dd/mm/yyyy)"), self.filters["first_day"]),
            ("last_day", _("Until (dd/mm/yyyy)"), self.filters["last_day"]),
        ]
        answer = await self.app.push_screen_wait(FieldsForm(_("Filter the key log"), fields))
        if not isinstance(answer, dict):
            return
        try:
            rows = keys.key_log_for(desk_of(self), **answer)
        except Refused as refused:
            self.app.push_screen(ReasonsScreen(_("This filter cannot be used"), refused.reasons))
            return
        self.filters = answer
        self.show(rows)

    def action_back(self) -> None:
        self.dismiss(None)


class ClosingScreen(Screen[None]):
    """At 17:00: every key set that is out and should not be."""

    BINDINGS = [Binding("escape", "back", "Back", id="closing.back")]

    def compose(self) -> ComposeResult:
        yield DeskHeader(id="desk-header")
        yield Static(id="closing-title")
        yield DataTable(id="closing", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        rows = keys.closing_check(desk_of(self))
        self.rows = rows
        title = Text(_("Closing check: keys out that should not be"), style="bold")
        title.append("  " + _("{n} set(s)").format(n=len(rows)), style="dim")
        self.query_one("#closing-title", Static).update(title)
        table = self.query_one("#closing", DataTable)
        table.add_column(_("Set"), key="set", width=16)
        table.add_column(_("Room"), key="room", width=6)
        table.add_column(_("Why"), key="why", width=50)
        for i, r in enumerate(rows):
            table.add_row(
                Text(r.label),
                Text(r.room),
                Text(r.message, no_wrap=True, overflow="ellipsis"),
                key=str(i),
            )
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        row = self.rows[int(event.row_key.value or 0)]
        if row.reservation_id is not None:
            from .reservation import ReservationScreen

            self.app.push_screen(ReservationScreen(row.reservation_id))

    def action_back(self) -> None:
        self.dismiss(None)
