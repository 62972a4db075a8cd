"""Extension requests: the desk asks, the mobility manager (until roles exist, any staff
member) grants or refuses. A granted extension moves the lease end, and the rental file then
checks the insurance against the new end."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import DataTable, Static

from crous_desk import rooms as tenancy
from crous_desk.base.dates import show_day
from crous_desk.base.i18n import N_, _

from .base import FORM, DeskScreen, DeskWork
from .forms import FieldsForm
from .widgets import ConfirmScreen, DeskFooter, DeskHeader, ReasonsScreen


class ExtensionsScreen(DeskScreen):
    BINDINGS = [
        Binding(
            "y",
            "decide(True)",
            N_("Grant"),
            id="extensions.grant",
            tooltip=N_("Grant: the lease end moves"),
        ),
        Binding("n", "decide(False)", N_("Refuse"), id="extensions.refuse"),
        Binding("escape", "back", N_("Back"), id="extensions.back"),
    ]

    RUNS = {"decide": tenancy.decide_extension}

    rows: reactive[list[tenancy.ExtensionRow]] = reactive(list, init=False, always_update=True)

    def compose(self) -> ComposeResult:
        yield DeskHeader(id="desk-header")
        yield Static(id="extensions-title")
        yield DataTable(id="extensions", cursor_type="row", zebra_stripes=True)
        yield Static(id="extension-reason")
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one("#extensions", DataTable)
        table.add_column(_("Name"), key="name", width=22)
        table.add_column(_("Room"), key="room", width=6)
        table.add_column(_("Lease end"), key="end", width=10)
        table.add_column(_("Asked"), key="asked", width=10)
        table.add_column(_("By"), key="by", width=12)
        table.focus()
        self.reload()

    def fetch(self) -> None:
        self.rows = tenancy.extension_requests(self.desk)

    def watch_rows(self, rows: list[tenancy.ExtensionRow]) -> None:
        self.query_one("#extensions-title", Static).update(
            Text(
                _("Extension requests waiting for a decision: {n}").format(n=len(rows)),
                style="bold",
            )
        )
        table = self.query_one("#extensions", DataTable)
        table.clear()
        for r in rows:
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
        return self.rows[row] if 0 <= row < len(self.rows) else None

    @work(exclusive=True, group=FORM)
    async def action_decide(self, grant: bool) -> None:
        row = self.current()
        if row is None:
            return
        question = (
            _("Grant {name}'s extension? The lease end moves from {old} to {new}.")
            if grant
            else _("Refuse {name}'s extension to {new}? The lease still ends {old}.")
        ).format(name=row.name, old=show_day(row.previous_end), new=show_day(row.requested_end))
        if not await self.app.push_screen_wait(ConfirmScreen(question)):
            return

        def decided(decision: tenancy.ExtensionDecision) -> None:
            if grant and decision.file_problems:
                self.app.push_screen(
                    ReasonsScreen(
                        _(
                            "Granted: the lease now ends {day}; the rental file needs attention"
                        ).format(day=show_day(decision.lease_end)),
                        decision.file_problems,
                        done=True,
                    )
                )
            else:
                self.notify(
                    _("Granted: the lease now ends {day}").format(day=show_day(decision.lease_end))
                    if grant
                    else _("Extension refused"),
                    markup=False,
                )

        desk = self.desk
        self.run_desk_action(
            _("No decision recorded"),
            lambda: tenancy.decide_extension(desk, row.request_id, grant=grant),
            decided,
        )

    def action_back(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class ExtensionAsked:
    new_end: str
    reason: str


async def ask_extension(screen: DeskWork, reservation_id: int, lease_end: str) -> None:
    """The desk records a tenant's extension request (from a worker of ``screen``); the form
    stays open, with what was typed, until the core accepts it."""
    desk = screen.desk
    answer = await screen.app.push_screen_wait(
        FieldsForm(
            _("Extension request"),
            ExtensionAsked,
            [
                ("new_end", _("New lease end (dd/mm/yyyy)"), ""),
                ("reason", _("Reason (e.g. study stay extended to June)"), ""),
            ],
            note=_("The lease now ends {day}. The mobility manager decides.").format(day=lease_end),
            save=lambda asked: tenancy.request_extension(
                desk, reservation_id, asked.new_end, asked.reason
            ),
            field_of={"end_not_later": "new_end", "extension_too_long": "new_end"},
        )
    )
    if answer is not None:
        screen.notify(_("Extension request recorded"), markup=False)
