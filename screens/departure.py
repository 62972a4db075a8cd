"""Departure: the appointment, the check-out inspection started from the check-in one, the
damages it shows with their price, and closing the stay (keys back, room to inspect)."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from crous_desk import departure
from crous_desk.base.dates import parse_instant, show_day
from crous_desk.base.errors import Refused
from crous_desk.base.i18n import _
from crous_desk.inspections.record import set_item
from crous_desk.rules.condition import euros
from crous_desk.rules.proposal import format_instant

from .forms import FieldsForm, RemarkForm
from .inspection import state_labels
from .widgets import ConfirmScreen, DeskHeader, ReasonsScreen, desk_of


class DepartureScreen(Screen[None]):
    BINDINGS = [
        Binding(
            "o",
            "open",
            "Check-out",
            id="departure.open",
            tooltip="Open the check-out inspection from the check-in one",
        ),
        Binding("s", "same", "Same", id="departure.same", tooltip="The item is as at check-in"),
        Binding("g", "state('good')", "Good", id="departure.good", show=False),
        Binding("w", "state('worn')", "Worn", id="departure.worn", show=False),
        Binding("d", "state('damaged')", "Damaged", id="departure.damaged"),
        Binding("m", "state('missing')", "Missing", id="departure.missing", show=False),
        Binding("n", "state('new')", "New", id="departure.new", show=False),
        Binding("r", "remark", "Remark", id="departure.remark", show=False),
        Binding(
            "a",
            "acknowledge",
            "Tenant ack.",
            id="departure.acknowledge",
            tooltip="The tenant acknowledges the check-out; damages are charged",
        ),
        Binding(
            "b",
            "book",
            "Appointment",
            id="departure.book",
            show=False,
            tooltip="Book the departure appointment (desk hours)",
        ),
        Binding(
            "x",
            "depart",
            "Close stay",
            id="departure.depart",
            tooltip="Keys back, reservation closed, room to inspect",
        ),
        Binding("escape", "back", "Back", id="departure.back"),
    ]

    def __init__(self, reservation_id: int) -> None:
        super().__init__()
        self.reservation_id = reservation_id
        self.view: departure.DepartureView | None = None

    def compose(self) -> ComposeResult:
        yield DeskHeader(id="desk-header")
        yield Static(id="departure-title")
        yield DataTable(id="check-out", cursor_type="row", zebra_stripes=True)
        yield Static(id="departure-summary")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#check-out", DataTable)
        table.add_column(_("Item"), key="item", width=27)
        table.add_column(_("Check-in"), key="in", width=8)
        table.add_column(_("Now"), key="now", width=8)
        table.add_column(_("Charge / remark"), key="charge", width=25)
        self.reload()
        table.focus()

    def reload(self) -> None:
        view = departure.departure_view(desk_of(self), self.reservation_id)
        self.view = view
        student = view.reservation.student
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(_("Departure"), style="bold")
        title.append(f" · {view.room} · ")
        title.append(student.full_name)
        title.append("\n")
        title.append(_("Lease ends {day}").format(day=show_day(view.lease_end)))
        if view.early:
            title.append(" · " + _("EARLY departure"), style="bold")
        if view.appointment_at:
            title.append(
                " · " + _("appointment {when}").format(when=format_instant(view.appointment_at))
            )
        if view.departed_at:
            title.append(
                " · " + _("departed {when}").format(when=format_instant(view.departed_at)),
                style="reverse",
            )
        self.query_one("#departure-title", Static).update(title)
        table = self.query_one("#check-out", DataTable)
        row = table.cursor_row
        table.clear()
        labels = state_labels()
        for item in view.items:
            now = _("same") if item.same else labels.get(item.state or "", "·")
            charge = Text(no_wrap=True, overflow="ellipsis")
            if item.amount_cents is not None:
                charge.append(euros(item.amount_cents), style="bold")
                charge.append(" ")
            charge.append(item.remark)
            table.add_row(
                Text(item.label, no_wrap=True, overflow="ellipsis"),
                Text(labels.get(item.check_in_state or "", "·")),
                Text(now, style="" if item.same else "bold"),
                charge,
                key=str(item.item_id),
            )
        if view.items and row >= 0:
            table.move_cursor(row=min(row, len(view.items) - 1))
        summary = Text(no_wrap=True, overflow="ellipsis")
        if view.check_out is None:
            summary.append(_("No check-out inspection yet: press o to start it from the check-in."))
        else:
            summary.append(
                _("Damages: {n} item(s), {total}").format(
                    n=len(view.damages), total=euros(view.damage_cents)
                ),
                style="bold",
            )
            if view.check_out.acknowledged_at:
                summary.append(" · " + _("acknowledged by the tenant"))
        summary.append(
            "\n" + _("Keys held: {keys}").format(keys=", ".join(view.keys_held) or _("none"))
        )
        for blocker in view.blockers[:2]:
            summary.append("\n• " + blocker)
        self.query_one("#departure-summary", Static).update(summary)

    def refuse(self, title: str, refused: Refused) -> None:
        self.app.push_screen(ReasonsScreen(title, refused.reasons))

    def current(self) -> departure.CheckOutItem | None:
        row = self.query_one("#check-out", DataTable).cursor_row
        items = self.view.items if self.view else []
        return items[row] if 0 <= row < len(items) else None

    def action_open(self) -> None:
        try:
            departure.open_check_out(desk_of(self), self.reservation_id)
        except Refused as refused:
            self.refuse(_("No check-out possible"), refused)
            return
        self.reload()

    def _item_change(self, change: Callable[[], object]) -> None:
        try:
            change()
        except Refused as refused:
            self.refuse(_("This item cannot be changed"), refused)
            return
        table = self.query_one("#check-out", DataTable)
        self.reload()
        table.action_cursor_down()

    def action_same(self) -> None:
        item = self.current()
        if item is not None:
            self._item_change(lambda: departure.mark_same(desk_of(self), item.item_id))

    def action_state(self, state: str) -> None:
        item = self.current()
        if item is not None:
            self._item_change(lambda: set_item(desk_of(self), item.item_id, state=state))

    @work(exclusive=True, group="form")
    async def action_remark(self) -> None:
        item = self.current()
        if item is None:
            return
        remark = await self.app.push_screen_wait(RemarkForm(item.label, item.remark))
        if isinstance(remark, str):
            try:
                set_item(desk_of(self), item.item_id, remark=remark)
            except Refused as refused:
                self.refuse(_("This remark cannot be saved"), refused)
            self.reload()

    @work(exclusive=True, group="form")
    async def action_acknowledge(self) -> None:
        if self.view is None or self.view.check_out is None:
            self.refuse(
                _("Nothing to acknowledge"), Refused(_("open the check-out inspection first (o)"))
            )
            return
        name = self.view.reservation.student.full_name
        question = _(
            "{name} acknowledges the room's condition at departure. Damages: {n} "
            "item(s), {total}. The inspection will be locked."
        ).format(name=name, n=len(self.view.damages), total=euros(self.view.damage_cents))
        if not await self.app.push_screen_wait(ConfirmScreen(question)):
            return
        try:
            damages = departure.acknowledge_check_out(desk_of(self), self.view.check_out.id)
        except Refused as refused:
            self.refuse(_("Not acknowledged yet"), refused)
            return
        self.notify(
            _("Check-out locked; {n} damage(s) charged").format(n=len(damages)), markup=False
        )
        self.reload()

    @work(exclusive=True, group="form")
    async def action_book(self) -> None:
        if self.view is None:
            return
        answer = await self.app.push_screen_wait(
            FieldsForm(
                _("Departure appointment (desk hours)"),
                [
                    ("day", _("Day (dd/mm/yyyy)"), show_day(self.view.lease_end)),
                    ("time", _("Time (HH:MM)"), "10:00"),
                ],
            )
        )
        if not isinstance(answer, dict):
            return
        desk = desk_of(self)
        try:
            at = parse_instant(answer["day"], answer["time"], desk.calendar().tz)
            departure.book_departure(desk, self.reservation_id, at)
        except ValueError as error:
            self.refuse(_("No appointment booked"), Refused(str(error)))
            return
        except Refused as refused:
            self.refuse(_("No appointment booked"), refused)
            return
        self.reload()

    @work(exclusive=True, group="form")
    async def action_depart(self) -> None:
        if self.view is None:
            return
        force_majeure: bool | None = None
        reason = ""
        if self.view.early:
            answer = await self.app.push_screen_wait(
                FieldsForm(
                    _("Early departure (lease ends {day})").format(
                        day=show_day(self.view.lease_end)
                    ),
                    [("force", _("Force majeure? (yes / no)"), ""), ("reason", _("Reason"), "")],
                    note=_("Without force majeure, no refund."),
                )
            )
            if not isinstance(answer, dict):
                return
            force_majeure = {
                "yes": True,
                "y": True,
                "oui": True,
                "no": False,
                "n": False,
                "non": False,
            }.get(answer["force"].strip().lower())
            reason = answer["reason"]
        else:
            question = _("Close the stay of {name}: keys back, room to inspect?").format(
                name=self.view.reservation.student.full_name
            )
            if not await self.app.push_screen_wait(ConfirmScreen(question)):
                return
        try:
            result = departure.depart(
                desk_of(self), self.reservation_id, force_majeure=force_majeure, reason=reason
            )
        except Refused as refused:
            self.refuse(_("The stay cannot be closed"), refused)
            return
        self.notify(
            _("Stay closed · keys back: {keys} · damages {total}").format(
                keys=", ".join(result.keys_returned) or _("none"), total=euros(result.damage_cents)
            ),
            markup=False,
        )
        self.reload()

    def action_back(self) -> None:
        self.dismiss(None)
