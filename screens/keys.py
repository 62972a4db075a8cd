"""Keys: every set of the residence and where it is; take back, lost, retire, reissue. The key
log and the 17:00 closing list are in ``keylog``."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import DataTable, Static

from crous_desk import keys
from crous_desk.base.i18n import N_, _, ngettext
from crous_desk.rules.condition import euros
from crous_desk.rules.keys import key_state_label
from crous_desk.rules.proposal import format_instant
from crous_desk.store.models import KeySet

from .base import FORM, DeskScreen
from .forms import FieldsForm, Why
from .widgets import ConfirmScreen, DeskFooter, DeskHeader, FindBox

FILTERS = (None, "out", "desk", "lost", "retired")


def where_label(location: str) -> str:
    return {
        "desk": _("at the desk"),
        "tenant": _("with the tenant"),
        "loan": _("lent"),
        "lost": _("lost"),
        "retired": _("retired"),
    }.get(location, location)


class KeysScreen(DeskScreen):
    BINDINGS = [
        Binding(
            "t",
            "take_back",
            N_("Take back"),
            id="keys.take_back",
            tooltip=N_("The highlighted set comes back to the desk"),
        ),
        Binding(
            "x",
            "lost",
            N_("Lost"),
            id="keys.lost",
            tooltip=N_("Declare the set lost: blocked, replaced, charged"),
        ),
        Binding(
            "g",
            "reissue",
            N_("Give"),
            id="keys.reissue",
            tooltip=N_("Give this set to the room's tenant who has none"),
        ),
        Binding(
            "r",
            "retire",
            N_("Retire"),
            id="keys.retire",
            show=False,
            tooltip=N_("Retire the set for good"),
        ),
        Binding(
            "f",
            "filter",
            N_("Filter"),
            id="keys.filter",
            tooltip=N_("All, out, desk, lost, retired"),
        ),
        Binding("l", "log", N_("Log"), id="keys.log", tooltip=N_("The key log, with filters")),
        Binding(
            "c",
            "closing",
            N_("17:00"),
            id="keys.closing",
            tooltip=N_("Keys that are out and should not be"),
        ),
        Binding(
            "/", "find", N_("Find"), show=False, id="keys.find", tooltip=N_("Type to find a row")
        ),
        Binding("escape", "back", N_("Back"), id="keys.back"),
    ]

    RUNS = {
        "take_back": keys.take_back,
        "lost": keys.declare_lost,
        "reissue": keys.reissue,
        "retire": keys.retire,
    }

    filter_index = reactive(0, init=False)
    rows: reactive[list[keys.KeySetRow]] = reactive(list, init=False, always_update=True)

    def compose(self) -> ComposeResult:
        yield DeskHeader(id="desk-header")
        yield Static(id="keys-title")
        yield DataTable(id="key-sets", cursor_type="row", zebra_stripes=True)
        yield FindBox("#key-sets")
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one("#key-sets", DataTable)
        table.add_column(_("Set"), key="set", width=16)
        table.add_column(_("Room"), key="room", width=6)
        table.add_column(_("Where"), key="where", width=15)
        table.add_column(_("Holder"), key="holder", width=20)
        table.add_column(_("Since"), key="since", width=11)
        table.focus()
        self.reload()

    def fetch(self) -> None:
        state = FILTERS[self.filter_index]
        self.rows = keys.inventory(self.desk, states=[state] if state else None)

    def watch_filter_index(self) -> None:
        self.reload()

    def watch_rows(self, rows: list[keys.KeySetRow]) -> None:
        state = FILTERS[self.filter_index]
        title = Text(_("Key sets"), style="bold")
        shown = key_state_label(state) if state else _("all")
        title.append("  " + _("showing: {what}").format(what=shown), style="dim")
        title.append(
            "  " + ngettext("{n} set", "{n} sets", len(rows)).format(n=len(rows)), style="dim"
        )
        self.query_one("#keys-title", Static).update(title)
        table = self.query_one("#key-sets", DataTable)
        row = table.cursor_row
        table.clear()
        for r in rows:
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
        if rows and row >= 0:
            table.move_cursor(row=min(row, len(rows) - 1))

    def current(self) -> keys.KeySetRow | None:
        row = self.query_one("#key-sets", DataTable).cursor_row
        return self.rows[row] if 0 <= row < len(self.rows) else None

    @work(exclusive=True, group=FORM)
    async def action_take_back(self) -> None:
        row = self.current()
        if row is None:
            return
        if row.holder:  # a set at the desk: the core says why it cannot come back
            question = _("Take back {label} (room {room}) from {holder}?").format(
                label=row.label, room=row.room, holder=row.holder
            )
            if not await self.app.push_screen_wait(ConfirmScreen(question)):
                return
        desk = self.desk
        self.run_desk_action(
            _("The set cannot be taken back"),
            lambda: keys.take_back(desk, row.key_set_id, from_reservation=row.reservation_id),
            lambda _r: self.notify(
                _("{label} is back at the desk").format(label=row.label), markup=False
            ),
        )

    @work(exclusive=True, group=FORM)
    async def action_lost(self) -> None:
        row = self.current()
        if row is None:
            return
        amount = keys.lost_charge_cents(KeySet.get_by_id(row.key_set_id))
        if amount is not None:
            question = _(
                "Declare {label} lost? It is blocked for good, a replacement set is made, "
                "and {holder} is charged {charge}."
            ).format(label=row.label, holder=row.holder or _("its holder"), charge=euros(amount))
        else:
            question = _(
                "Declare {label} lost? It is blocked for good and a replacement set is made; "
                "it was at the desk, so nobody is charged."
            ).format(label=row.label)
        if not await self.app.push_screen_wait(ConfirmScreen(question)):
            return

        def declared(lost: keys.LostKey) -> None:
            charge = euros(lost.charge.amount_cents) if lost.charge else _("no charge")
            self.notify(
                _("{old} lost · replacement {new} at the desk · {charge}").format(
                    old=lost.lost.label, new=lost.replacement.label, charge=charge
                ),
                markup=False,
            )

        desk = self.desk
        self.run_desk_action(
            _("The set cannot be declared lost"),
            lambda: keys.declare_lost(desk, row.key_set_id),
            declared,
        )

    @work(exclusive=True, group=FORM)
    async def action_reissue(self) -> None:
        row = self.current()
        if row is None:
            return
        tenants = keys.tenants_without_keys(row.room_id)
        if not tenants:
            self.refuse(
                _("Nobody to give it to"),
                _("every tenant of room {room} already holds a set").format(room=row.room),
            )
            return
        desk, tenant = self.desk, tenants[0]
        question = _("Give {label} (room {room}) to {name}?").format(
            label=row.label, room=row.room, name=tenant.student.full_name
        )
        if not await self.app.push_screen_wait(ConfirmScreen(question)):
            return
        self.run_desk_action(
            _("The set cannot be given"),
            lambda: keys.reissue(desk, row.key_set_id, tenant.id),
            lambda _r: self.notify(
                _("{label} given to {name}").format(label=row.label, name=tenant.student.full_name),
                markup=False,
            ),
        )

    @work(exclusive=True, group=FORM)
    async def action_retire(self) -> None:
        row = self.current()
        if row is None:
            return
        desk = self.desk
        answer = await self.app.push_screen_wait(
            FieldsForm(
                _("Retire {label}").format(label=row.label),
                Why,
                [("reason", _("Why (e.g. lock changed)"), "")],
                save=lambda why: keys.retire(desk, row.key_set_id, why.reason),
                field_of={"text_required": "reason"},
            )
        )
        if answer is not None:
            self.reload()

    def action_filter(self) -> None:
        self.filter_index = (self.filter_index + 1) % len(FILTERS)

    def action_log(self) -> None:
        from .keylog import KeyLogScreen

        self.app.push_screen(KeyLogScreen())

    def action_closing(self) -> None:
        from .keylog import ClosingScreen

        self.app.push_screen(ClosingScreen())

    def action_find(self) -> None:
        self.query_one(FindBox).open()

    def action_back(self) -> None:
        self.dismiss(None)
