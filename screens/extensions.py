"""Extension requests: the desk asks, the mobility manager (until roles exist, any staff
member) grants or refuses. A granted extension moves the lease end, and the rental file then
checks the insurance against the new end."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from crous_desk import rooms as tenancy
from crous_desk.base.dates import show_day
from crous_desk.base.errors import Refused
from crous_desk.base.i18n import _

from .forms import FieldsForm
from .widgets import DeskHeader, ReasonsScreen, desk_of


class ExtensionsScreen(Screen[None]):
    BINDINGS = [
        Binding(
            "y",
            "decide(True)",
            "Grant",
            id="extensions.grant",
            tooltip="Grant: the lease end moves",
        ),
        Binding("n", "decide(False)", "Refuse", id="extensions.refuse"),
        Binding("escape", "back", "Back", id="extensions.back"),
    ]

    def compose(self) -> ComposeResult:
        yield DeskHeader(id="desk-header")
        yield Static(id="extensions-title")
        yield DataTable(id="extensions", cursor_type="row", zebra_stripes=True)
        yield Static(id="extension-reason")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#extensions", DataTable)
        table.add_column(_("Name"), key="name", width=22)
        table.add_column(_("Room"), key="room", width=6)
        table.add_column(_("Lease end"), key="end", width=10)
        table.add_column(_("Asked"), key="asked", width=10)
        table.add_column(_("By"), key="by", width=12)
        self.reload()
        table.focus()

    def reload(self) -> None:
        self.rows = tenancy.extension_requests(desk_of(self))
        self.query_one("#extensions-title", Static).update(
            Text(
                _("Extension requests waiting for a decision: {n}").format(n=len(self.rows)),
                style="bold",
            )
        )
        table = self.query_one("#extensions", DataTable)
        table.clear()
        for r in self.rows:
            table.add_row(
                Text(r.name, no_wrap=True, overflow="ellipsis"),
                Text(r.room),
                Text(show_day(r.previous_end)),
                Text(show_day(r.requested_end)),
                Text(r.requested_by),
                key=str(r.request_id),
            )
        self.show_reason()

    def on_data_table_row_highlighted(self) -> None:
        self.show_reason()

    def show_reason(self) -> None:
        row = self.current()
        text = Text()
        if row is not None:
            text.append(_("Reason: "), style="bold")
            text.append(row.reason)
        self.query_one("#extension-reason", Static).update(text)

    def current(self) -> tenancy.ExtensionRow | None:
        row = self.query_one("#extensions", DataTable).cursor_row
        rows = getattr(self, "rows", [])
        return rows[row] if 0 <= row < len(rows) else None

    def action_decide(self, grant: bool) -> None:
        row = self.current()
        if row is None:
            return
        try:
            decision = tenancy.decide_extension(desk_of(self), row.request_id, grant=grant)
        except Refused as refused:
            self.app.push_screen(ReasonsScreen(_("No decision recorded"), refused.reasons))
            return
        if grant and decision.file_problems:
            self.app.push_screen(
                ReasonsScreen(
                    _("Granted: the lease now ends {day}; the rental file needs attention").format(
                        day=show_day(decision.lease_end)
                    ),
                    decision.file_problems,
                )
            )
        else:
            self.notify(
                _("Granted: the lease now ends {day}").format(day=show_day(decision.lease_end))
                if grant
                else _("Extension refused"),
                markup=False,
            )
        self.reload()

    def action_back(self) -> None:
        self.dismiss(None)


async def ask_extension(screen: Screen[object], reservation_id: int, lease_end: str) -> bool:
    """The desk records a tenant's extension request; True when it was recorded."""
    answer = await screen.app.push_screen_wait(
        FieldsForm(
            _("Extension request"),
            [
                ("new_end", _("New lease end (dd/mm/yyyy)"), ""),
                ("reason", _("Reason (e.g. study stay extended to June)"), ""),
            ],
            note=_("The lease now ends {day}. The mobility manager decides.").format(day=lease_end),
        )
    )
    if not isinstance(answer, dict):
        return False
    from crous_desk.base.dates import parse_day

    try:
        tenancy.request_extension(
            desk_of(screen), reservation_id, parse_day(answer["new_end"]), answer["reason"]
        )
    except ValueError as error:
        screen.app.push_screen(ReasonsScreen(_("No extension requested"), [str(error)]))
        return False
    except Refused as refused:
        screen.app.push_screen(ReasonsScreen(_("No extension requested"), refused.reasons))
        return False
    screen.notify(_("Extension request recorded"), markup=False)
    return True
