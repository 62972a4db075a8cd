"""Book or move the arrival appointment: the slots of one day, with their free places."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from crous_desk.arrivals.appointments import (
    Slot,
    SlotPolicy,
    appointment_slot,
    book_appointment,
    bookable,
    cancel_appointment,
    current_appointment,
    free_places,
    next_free_slot,
)
from crous_desk.base.dates import parse_day, plausible, show_day
from crous_desk.base.errors import Refused
from crous_desk.base.i18n import _, ngettext
from crous_desk.rules.hours import DeskCalendar, weekday_name

from .widgets import ConfirmScreen, desk_of

if TYPE_CHECKING:
    from .app import DeskApp


def policy_of(widget: object) -> SlotPolicy:
    return SlotPolicy.from_config(cast("DeskApp", widget.app).config)  # type: ignore[attr-defined]


class AppointmentScreen(ModalScreen[bool]):
    """Returns True when the appointment was booked, moved or cancelled."""

    CSS_PATH = "arrivals.tcss"
    BINDINGS = [
        Binding("left", "day(-1)", "Previous day", id="appointment.previous"),
        Binding("right", "day(1)", "Next day", id="appointment.next"),
        Binding("n", "next_free", "Next free slot", id="appointment.next_free"),
        Binding("c", "cancel_appointment", "Cancel it", id="appointment.cancel"),
        Binding("escape", "close", "Close", id="appointment.close"),
    ]

    def __init__(self, reservation_id: int) -> None:
        super().__init__()
        self.reservation_id = reservation_id
        self.slots: list[Slot] = []
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="appointment"):
            yield Static(id="appointment-title")
            yield Static(id="appointment-current")
            with Horizontal(id="appointment-day-row"):
                yield Label(_("Day "))
                yield Input(id="appointment-day", compact=True, max_length=10)
                yield Static(id="appointment-weekday")
            yield OptionList(id="appointment-slots", compact=True)
            yield Static(id="form-error")
            yield Static(
                Text(
                    _("Enter: book   ←→: day   n: next free   c: cancel it   Esc: close"),
                    style="dim",
                )
            )

    def on_mount(self) -> None:
        desk = desk_of(self)
        self.policy = policy_of(self)
        reservation, residence = bookable(desk, self.reservation_id)
        self.reservation = reservation
        self.residence = residence
        self.calendar: DeskCalendar = desk.calendar(residence)
        title = Text(_("Arrival appointment — "), style="bold")
        title.append(reservation.student.full_name, style="bold")
        title.append(f"  {reservation.reference}")
        self.query_one("#appointment-title", Static).update(title)
        self.show_day(self.first_day())
        self.query_one("#appointment-slots", OptionList).focus()

    def first_day(self) -> date:
        """The current appointment's day, else the day of the next free slot."""
        current = current_appointment(self.reservation_id)
        if current is not None:
            return appointment_slot(current, self.calendar).start.date()
        offer = self.next_free()
        return offer.start.date() if offer else desk_of(self).today(self.residence)

    def next_free(self) -> Slot | None:
        return next_free_slot(
            self.residence.id,
            desk_of(self).now(),
            self.calendar,
            self.policy,
            first_day=self.reservation.lease_start,
            last_day=self.reservation.lease_end,
            exclude=self.reservation_id,
        )

    # -- showing ----------------------------------------------------------------------------

    def show_day(self, day: date, highlight: Slot | None = None) -> None:
        self.day = day
        desk = desk_of(self)
        current = current_appointment(self.reservation_id)
        mine = appointment_slot(current, self.calendar) if current else None
        line = Text(_("Now: "))
        line.append(mine.describe() if mine else _("no appointment yet"), style="bold")
        self.query_one("#appointment-current", Static).update(line)
        day_input = self.query_one("#appointment-day", Input)
        day_input.value = show_day(day)
        self.query_one("#appointment-weekday", Static).update(Text(weekday_name(day)))
        options = self.query_one("#appointment-slots", OptionList)
        options.clear_options()
        self.slots = []
        reason = self.calendar.closed_reason(day)
        if reason is not None:
            self.error(
                _("{day}: the desk is closed ({reason})").format(
                    day=f"{weekday_name(day)} {show_day(day)}", reason=reason
                )
            )
            return
        self.error("")
        now = desk.now()
        for slot, free in free_places(
            self.residence.id, day, self.calendar, self.policy, exclude=self.reservation_id
        ):
            if mine is not None and slot == mine:
                note, usable = _("your appointment"), True
            elif slot.start < now:
                note, usable = _("past"), False
            elif free == 0:
                note, usable = _("full"), False
            else:
                note = ngettext("{n} place free", "{n} places free", free).format(n=free)
                usable = True
            mark = "(•) " if slot == mine else "( ) "
            options.add_option(Option(Text(f"{mark}{slot.label}   {note}"), disabled=not usable))
            self.slots.append(slot)
        target = highlight or mine
        index = next((i for i, s in enumerate(self.slots) if s == target), None)
        if index is None:
            index = next((i for i, o in enumerate(options.options) if not o.disabled), None)
        if index is not None:
            options.highlighted = index

    def error(self, message: str) -> None:
        self.query_one("#form-error", Static).update(Text(message, style="bold"))

    # -- acting -----------------------------------------------------------------------------

    def action_day(self, step: int) -> None:
        try:
            day = plausible(self.day + timedelta(days=step))
        except (ValueError, OverflowError) as error:
            self.error(str(error))
            return
        self.show_day(day)

    def action_next_free(self) -> None:
        offer = self.next_free()
        if offer is None:
            self.error(_("no free slot before the lease ends"))
            return
        self.show_day(offer.start.date(), highlight=offer)
        self.query_one("#appointment-slots", OptionList).focus()

    @on(Input.Submitted, "#appointment-day")
    def _day_typed(self, event: Input.Submitted) -> None:
        try:
            day = parse_day(event.value)
        except ValueError as error:
            self.error(str(error))
            return
        self.show_day(day)
        self.query_one("#appointment-slots", OptionList).focus()

    @on(OptionList.OptionSelected, "#appointment-slots")
    def _book(self, event: OptionList.OptionSelected) -> None:
        slot = self.slots[event.option_index]
        try:
            book_appointment(desk_of(self), self.reservation_id, slot.start, self.policy)
        except Refused as refused:
            self.show_day(self.day)
            self.error("\n".join(refused.reasons))
            return
        self.notify(_("Arrival appointment: {slot}").format(slot=slot.describe()), markup=False)
        self.dismiss(True)

    @work(exclusive=True, group="appointment")
    async def action_cancel_appointment(self) -> None:
        current = current_appointment(self.reservation_id)
        if current is None:
            self.error(_("there is no appointment to cancel"))
            return
        slot = appointment_slot(current, self.calendar)
        question = _("Cancel the appointment of {slot}?").format(slot=slot.describe())
        if not await self.app.push_screen_wait(ConfirmScreen(question)):
            return
        try:
            cancel_appointment(desk_of(self), self.reservation_id)
        except Refused as refused:
            self.error("\n".join(refused.reasons))
            return
        self.changed = True
        self.notify(_("Arrival appointment cancelled"), markup=False)
        self.show_day(self.day)

    def action_close(self) -> None:
        self.dismiss(self.changed)
