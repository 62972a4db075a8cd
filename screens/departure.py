"""Departure: the appointment, the check-out inspection started from the check-in one, the
damages it shows with their price, and closing the stay (keys back, room to inspect)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import DataTable, Static

from crous_desk import departure
from crous_desk.base.dates import parse_instant, show_day
from crous_desk.base.i18n import N_, _, ngettext
from crous_desk.inspections.record import record_forwarding_address, set_item
from crous_desk.rules.condition import Damage, euros
from crous_desk.rules.proposal import format_instant

from .base import FORM, DeskScreen
from .forms import EarlyDepartureForm, FieldsForm, RemarkForm, Why
from .inspection import state_labels
from .widgets import ConfirmScreen, DeskFooter, DeskHeader


@dataclass(frozen=True)
class DepartureTime:
    day: str
    time: str


@dataclass(frozen=True)
class NewAddress:
    address: str


def title_of(view: departure.DepartureView) -> Text:
    title = Text(no_wrap=True, overflow="ellipsis")
    title.append(_("Departure"), style="bold")
    title.append(f" · {view.room} · ")
    title.append(view.reservation.student.full_name)
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
    return title


def summary_of(view: departure.DepartureView) -> Text:
    summary = Text(no_wrap=True, overflow="ellipsis")
    if view.check_out is None:
        summary.append(_("No check-out inspection yet: press o to start it from the check-in."))
    else:
        summary.append(
            ngettext(
                "Damages: {n} item, {total}", "Damages: {n} items, {total}", len(view.damages)
            ).format(n=len(view.damages), total=euros(view.damage_cents)),
            style="bold",
        )
        if view.check_out.acknowledged_at:
            summary.append(" · " + _("acknowledged by the tenant"))
    summary.append(
        "\n" + _("Keys held: {keys}").format(keys=", ".join(view.keys_held) or _("none"))
    )
    summary.append(" · " + balance_text(view.balance_cents))
    for blocker in view.blockers[:2]:
        summary.append("\n• " + blocker)
    return summary


def balance_text(cents: int) -> str:
    if cents > 0:
        return _("Balance: the tenant owes {amount}").format(amount=euros(cents))
    if cents < 0:
        return _("Balance: the residence owes {amount}").format(amount=euros(-cents))
    return _("Balance: settled")


class DepartureScreen(DeskScreen):
    BINDINGS = [
        Binding(
            "o",
            "open",
            N_("Check-out"),
            id="departure.open",
            tooltip=N_("Open the check-out inspection from the check-in one"),
        ),
        Binding(
            "s", "same", N_("Same"), id="departure.same", tooltip=N_("The item is as at check-in")
        ),
        Binding("g", "state('good')", N_("Good"), id="departure.good", show=False),
        Binding("w", "state('worn')", N_("Worn"), id="departure.worn", show=False),
        Binding(
            "d",
            "damaged",
            N_("Damaged"),
            id="departure.damaged",
            tooltip=N_("Damaged, saying what: it is charged"),
        ),
        Binding("m", "state('missing')", N_("Missing"), id="departure.missing", show=False),
        Binding("n", "state('new')", N_("New"), id="departure.new", show=False),
        Binding("r", "remark", N_("Remark"), id="departure.remark", show=False),
        Binding(
            "a",
            "acknowledge",
            N_("Tenant ack."),
            id="departure.acknowledge",
            tooltip=N_("The tenant acknowledges the check-out; damages are charged"),
        ),
        Binding(
            "b",
            "book",
            N_("Appointment"),
            id="departure.book",
            show=False,
            tooltip=N_("Book the departure appointment (desk hours)"),
        ),
        Binding(
            "x",
            "depart",
            N_("Close stay"),
            id="departure.depart",
            tooltip=N_("Keys back, reservation closed, room to inspect"),
        ),
        Binding(
            "l",
            "etat",
            N_("Meters, keys, PDF"),
            id="departure.etat",
            show=False,
            tooltip=N_("Meter readings, keys given back, new address; the tenant's PDF copy"),
        ),
        Binding(
            "dollar_sign",
            "money",
            N_("Money"),
            id="departure.money",
            show=False,
            tooltip=N_("The stay's ledger: deposit, payments, refunds, charges"),
        ),
        Binding("escape", "back", N_("Back"), id="departure.back"),
    ]

    view: reactive[departure.DepartureView | None] = reactive(None, init=False, always_update=True)

    def __init__(self, reservation_id: int) -> None:
        super().__init__()
        self.reservation_id = reservation_id

    def compose(self) -> ComposeResult:
        yield DeskHeader(id="desk-header")
        yield Static(id="departure-title")
        yield DataTable(id="check-out", cursor_type="row", zebra_stripes=True)
        yield Static(id="departure-summary")
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one("#check-out", DataTable)
        table.add_column(_("Item"), key="item", width=27)
        table.add_column(_("Check-in"), key="in", width=8)
        table.add_column(_("Now"), key="now", width=8)
        table.add_column(_("Charge / remark"), key="charge", width=25)
        table.focus()
        self.reload()

    def fetch(self) -> None:
        self.view = departure.departure_view(self.desk, self.reservation_id)

    def watch_view(self, view: departure.DepartureView | None) -> None:
        if view is None:
            return
        self.query_one("#departure-title", Static).update(title_of(view))
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
                Text(_(item.label), no_wrap=True, overflow="ellipsis"),
                Text(labels.get(item.check_in_state or "", "·")),
                Text(now, style="" if item.same else "bold"),
                charge,
                key=str(item.item_id),
            )
        if view.items and row >= 0:
            table.move_cursor(row=min(row, len(view.items) - 1))
        self.query_one("#departure-summary", Static).update(summary_of(view))

    def current(self) -> departure.CheckOutItem | None:
        row = self.query_one("#check-out", DataTable).cursor_row
        items = self.view.items if self.view else []
        return items[row] if 0 <= row < len(items) else None

    def action_open(self) -> None:
        desk = self.desk
        self.run_desk_action(
            _("No check-out possible"),
            lambda: departure.open_check_out(desk, self.reservation_id),
        )

    def _item_change(self, change: Callable[[], object]) -> None:
        """Change the highlighted item and move on at once: the walk goes at the pace of the
        keys, the saves follow."""
        self.query_one("#check-out", DataTable).action_cursor_down()
        self.run_desk_action(_("This item cannot be changed"), change)

    def action_same(self) -> None:
        item, desk = self.current(), self.desk
        if item is not None:
            self._item_change(lambda: departure.mark_same(desk, item.item_id))

    def action_state(self, state: str) -> None:
        item, desk = self.current(), self.desk
        if item is not None:
            self._item_change(lambda: set_item(desk, item.item_id, state=state))

    @work(exclusive=True, group=FORM)
    async def action_damaged(self) -> None:
        """A damage is charged: it is recorded with what is damaged, never without."""
        item, desk = self.current(), self.desk
        if item is None:
            return
        item_id = item.item_id
        answer = await self.app.push_screen_wait(
            FieldsForm(
                _("Damaged — {item}").format(item=_(item.label)),
                Why,
                [("reason", _("What is damaged (required)"), item.remark)],
                save=lambda what: departure.mark_damaged(desk, item_id, what.reason),
            )
        )
        if answer is not None:
            self.query_one("#check-out", DataTable).action_cursor_down()
            self.reload()

    @work(exclusive=True, group=FORM)
    async def action_remark(self) -> None:
        item = self.current()
        if item is None:
            return
        remark = await self.app.push_screen_wait(RemarkForm(_(item.label), item.remark))
        if remark is not None:
            desk = self.desk
            self.run_desk_action(
                _("This remark cannot be saved"),
                lambda: set_item(desk, item.item_id, remark=remark.text),
            )

    @work(exclusive=True, group=FORM)
    async def action_acknowledge(self) -> None:
        view = self.view
        if view is None or view.check_out is None:
            self.refuse(_("Nothing to acknowledge"), _("open the check-out inspection first (o)"))
            return
        question = ngettext(
            "{name} acknowledges the room's condition at departure. Damages: {n} "
            "item, {total}. The inspection will be locked.",
            "{name} acknowledges the room's condition at departure. Damages: {n} "
            "items, {total}. The inspection will be locked.",
            len(view.damages),
        ).format(
            name=view.reservation.student.full_name,
            n=len(view.damages),
            total=euros(view.damage_cents),
        )
        if not await self.app.push_screen_wait(ConfirmScreen(question)):
            return
        address = view.check_out.forwarding_address
        if not address:  # the law asks for it at exit
            asked = await self.app.push_screen_wait(
                FieldsForm(
                    _("The tenant's new address"),
                    NewAddress,
                    [("address", _("Address (one line)"), "")],
                )
            )
            if asked is None:
                return
            address = asked.address
        desk, check_out_id = self.desk, view.check_out.id
        given = address if address != view.check_out.forwarding_address else None

        def acknowledge() -> list[Damage]:
            if given is not None:
                record_forwarding_address(desk, check_out_id, given)
            return departure.acknowledge_check_out(desk, check_out_id)

        self.run_desk_action(
            _("Not acknowledged yet"),
            acknowledge,
            lambda damages: self.notify(
                ngettext(
                    "Check-out locked; {n} damage charged",
                    "Check-out locked; {n} damages charged",
                    len(damages),
                ).format(n=len(damages)),
                markup=False,
            ),
        )

    @work(exclusive=True, group=FORM)
    async def action_book(self) -> None:
        if self.view is None:
            return
        answer = await self.app.push_screen_wait(
            FieldsForm(
                _("Departure appointment (desk hours)"),
                DepartureTime,
                [
                    ("day", _("Day (dd/mm/yyyy)"), show_day(self.view.lease_end)),
                    ("time", _("Time (HH:MM)"), "10:00"),
                ],
            )
        )
        if answer is None:
            return
        desk, title = self.desk, _("No appointment booked")
        try:
            at = parse_instant(answer.day, answer.time, desk.calendar().tz)
        except ValueError as error:
            self.refuse(title, str(error))
            return
        self.run_desk_action(title, lambda: departure.book_departure(desk, self.reservation_id, at))

    @work(exclusive=True, group=FORM)
    async def action_depart(self) -> None:
        view = self.view
        if view is None:
            return
        accept_open_balance = False
        if view.balance_cents:  # said first, whatever the departure
            question = _("{balance}. Close the stay with this balance open?").format(
                balance=balance_text(view.balance_cents)
            )
            if not await self.app.push_screen_wait(ConfirmScreen(question)):
                return
            accept_open_balance = True
        desk = self.desk
        if view.early:  # force majeure chosen, not typed; the form closes the stay
            early = await self.app.push_screen_wait(
                EarlyDepartureForm(
                    view.reservation.student.full_name,
                    view.lease_end,
                    lambda answer: departure.depart(
                        desk,
                        self.reservation_id,
                        force_majeure=answer.force_majeure,
                        reason=answer.reason,
                        accept_open_balance=accept_open_balance,
                    ),
                )
            )
            if early is not None:
                self.notify(_("Stay closed: early departure recorded"), markup=False)
                self.reload()
            return
        if not view.balance_cents:
            question = _("Close the stay of {name}: keys back, room to inspect?").format(
                name=view.reservation.student.full_name
            )
            if not await self.app.push_screen_wait(ConfirmScreen(question)):
                return

        def closed(result: departure.DepartureResult) -> None:
            self.notify(
                _("Stay closed · keys back: {keys} · damages {total}").format(
                    keys=", ".join(result.keys_returned) or _("none"),
                    total=euros(result.damage_cents),
                ),
                markup=False,
            )

        self.run_desk_action(
            _("The stay cannot be closed"),
            lambda: departure.depart(
                desk,
                self.reservation_id,
                accept_open_balance=accept_open_balance,
            ),
            closed,
        )

    def action_etat(self) -> None:
        from .etat import EtatScreen

        if self.view is None or self.view.check_out is None:
            self.refuse(
                _("No check-out inspection yet"), _("open the check-out inspection first (o)")
            )
            return
        self.app.push_screen(EtatScreen(self.view.check_out.id), lambda _r: self.reload())

    def action_money(self) -> None:
        from .ledger import LedgerScreen

        self.app.push_screen(LedgerScreen(self.reservation_id), lambda _r: self.reload())

    def action_back(self) -> None:
        self.dismiss(None)
