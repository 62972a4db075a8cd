"""Book or move the arrival appointment: the slots of one day, with their free places."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
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
from crous_desk.base.formats import long_day
from crous_desk.base.i18n import N_, _, ngettext
from crous_desk.rules.hours import DeskCalendar, weekday_name

from .base import FORM, DeskWork, desk_app
from .language import SpeaksTheDesk
from .widgets import ConfirmScreen


@dataclass(frozen=True)
class DaySlots:
    """One day as the dialog shows it: the current appointment, and each slot with a note
    (free places, full, past) and whether it may be chosen."""

    day: date
    mine: Slot | None
    closed: str = ""
    slots: list[tuple[Slot, str, bool]] = field(default_factory=list)


class AppointmentScreen(SpeaksTheDesk, DeskWork, ModalScreen[bool]):
    """Returns True when the appointment was booked, moved or cancelled."""

    CSS_PATH = "arrivals.tcss"
    BINDINGS = [
        Binding("left", "day(-1)", N_("Previous day"), id="appointment.previous"),
        Binding("right", "day(1)", N_("Next day"), id="appointment.next"),
        Binding("n", "next_free", N_("Next free slot"), id="appointment.next_free"),
        Binding("c", "cancel_appointment", N_("Cancel it"), id="appointment.cancel"),
        Binding("escape", "close", N_("Close"), id="appointment.close"),
    ]

    day: reactive[date] = reactive(date.min, init=False, always_update=True)
    shown: reactive[DaySlots | None] = reactive(None, init=False, always_update=True)

    def __init__(self, reservation_id: int) -> None:
        super().__init__()
        self.reservation_id = reservation_id
        self.changed = False
        self.highlight: Slot | None = None  # the slot to highlight when the day shows
        self.message = ""  # what to say under the slots when the day shows

    @property
    def slots(self) -> list[Slot]:
        return [slot for slot, _note, _usable in self.shown.slots] if self.shown else []

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
        desk = self.desk
        self.policy = SlotPolicy.from_config(desk_app(self).config)
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
        return offer.start.date() if offer else self.desk.today(self.residence)

    def next_free(self) -> Slot | None:
        return next_free_slot(
            self.residence.id,
            self.desk.now(),
            self.calendar,
            self.policy,
            first_day=self.reservation.lease_start,
            last_day=self.reservation.lease_end,
            exclude=self.reservation_id,
        )

    # -- showing ----------------------------------------------------------------------------

    def show_day(self, day: date, *, highlight: Slot | None = None, message: str = "") -> None:
        self.highlight, self.message = highlight, message
        self.day = day

    def watch_day(self) -> None:
        self.reload()

    def fetch(self) -> None:
        day = self.day
        current = current_appointment(self.reservation_id)
        mine = appointment_slot(current, self.calendar) if current else None
        reason = self.calendar.closed_reason(day)
        if reason is not None:
            closed = _("{day}: the desk is closed ({reason})").format(
                day=long_day(day), reason=reason
            )
            self.shown = DaySlots(day, mine, closed)
            return
        now = self.desk.now()
        slots = []
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
            slots.append((slot, note, usable))
        self.shown = DaySlots(day, mine, "", slots)

    def watch_shown(self, shown: DaySlots | None) -> None:
        if shown is None:
            return
        line = Text(_("Now: "))
        line.append(shown.mine.describe() if shown.mine else _("no appointment yet"), style="bold")
        self.query_one("#appointment-current", Static).update(line)
        self.query_one("#appointment-day", Input).value = show_day(shown.day)
        self.query_one("#appointment-weekday", Static).update(Text(weekday_name(shown.day)))
        options = self.query_one("#appointment-slots", OptionList)
        options.clear_options()
        self.error(self.message or shown.closed)
        for slot, note, usable in shown.slots:
            mark = "(•) " if slot == shown.mine else "( ) "
            options.add_option(Option(Text(f"{mark}{slot.label}   {note}"), disabled=not usable))
        target = self.highlight or shown.mine
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

    def _booking_refused(self, refused: Refused) -> None:
        """Shown under the slots of the day, as they are now (the slot may have filled)."""
        self.show_day(self.day, message="\n".join(refused.reasons))

    @on(OptionList.OptionSelected, "#appointment-slots")
    def _book(self, event: OptionList.OptionSelected) -> None:
        slot, desk, policy = self.slots[event.option_index], self.desk, self.policy

        def booked(_result: object) -> None:
            self.notify(_("Arrival appointment: {slot}").format(slot=slot.describe()), markup=False)
            self.dismiss(True)

        self.run_desk_action(
            _("No arrival appointment"),
            lambda: book_appointment(desk, self.reservation_id, slot.start, policy),
            booked,
            on_refused=self._booking_refused,
            reload=False,
        )

    @work(exclusive=True, group=FORM)
    async def action_cancel_appointment(self) -> None:
        current = current_appointment(self.reservation_id)
        if current is None:
            self.error(_("there is no appointment to cancel"))
            return
        slot = appointment_slot(current, self.calendar)
        question = _("Cancel the appointment of {slot}?").format(slot=slot.describe())
        if not await self.app.push_screen_wait(ConfirmScreen(question)):
            return

        def cancelled(_result: object) -> None:
            self.changed = True
            self.notify(_("Arrival appointment cancelled"), markup=False)
            self.show_day(self.day)

        desk = self.desk
        self.run_desk_action(
            _("No arrival appointment"),
            lambda: cancel_appointment(desk, self.reservation_id),
            cancelled,
            on_refused=lambda refused: self.error("\n".join(refused.reasons)),
            reload=False,
        )

    def action_close(self) -> None:
        self.dismiss(self.changed)
