"""The reservation file: student, stay, proposal, payment, the five documents, inspections, keys."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.widgets import DataTable, Static

from crous_desk.arrivals.appointments import book_appointment, current_appointment
from crous_desk.base.dates import show_day
from crous_desk.base.i18n import N_, _
from crous_desk.departure import depart
from crous_desk.desk import permissions
from crous_desk.inspections.record import open_inspection
from crous_desk.keys.handover import hand_over_keys, set_to_hand_over
from crous_desk.reservations.documents import unverify_document, verify_document
from crous_desk.reservations.file import DocumentRow, ReservationFile, file_view
from crous_desk.reservations.proposal import accept, send_proposal
from crous_desk.rooms import request_extension
from crous_desk.rules.proposal import status_label
from crous_desk.store.models import Appointment, Inspection, KeySet

from . import reservation_view as show
from .base import FORM, DeskScreen
from .forms import DocumentFactsForm, FactsAnswer, FieldsForm, PaymentForm, RoomChoice
from .widgets import ConfirmScreen, DeskFooter, DeskHeader


class ReservationScreen(DeskScreen):
    BINDINGS = [
        Binding(
            "space",
            "toggle_document",
            N_("Tick"),
            id="reservation.tick",
            tooltip=N_("Tick or untick the highlighted document"),
        ),
        Binding(
            "i",
            "inspection",
            N_("Inspect"),
            id="reservation.inspection",
            tooltip=N_("Check-in inspection of the room"),
        ),
        Binding("k", "keys", N_("Keys"), id="reservation.keys", tooltip=N_("Hand over the keys")),
        Binding(
            "o",
            "offer",
            N_("Offer room"),
            id="reservation.offer",
            tooltip=N_("Record the CROUS proposal: a room of this residence for this request"),
        ),
        Binding(
            "p",
            "payment",
            N_("Accept"),
            id="reservation.accept",
            tooltip=N_("Record the acceptance and the 100 € advance"),
        ),
        Binding(
            "a",
            "appointment",
            N_("Appointment"),
            show=False,
            id="reservation.appointment",
            tooltip=N_("Book or move the arrival appointment"),
        ),
        Binding(
            "s",
            "slip",
            N_("Slip"),
            show=False,
            id="reservation.slip",
            tooltip=N_("Preview, save or print the arrival slip"),
        ),
        Binding(
            "d",
            "departure",
            N_("Departure"),
            id="reservation.departure",
            tooltip=N_("Check-out inspection, damages, keys back, close the stay"),
        ),
        Binding(
            "e",
            "extension",
            N_("Extend"),
            id="reservation.extension",
            tooltip=N_("Record an extension request for the mobility manager"),
        ),
        Binding("h", "history", N_("History"), id="reservation.history"),
        # the file is taller than 24 lines: these scroll it whatever has the focus
        Binding(
            "pagedown",
            "scroll_file('scroll_page_down')",
            N_("Page down"),
            show=False,
            priority=True,
            id="reservation.page_down",
        ),
        Binding(
            "pageup",
            "scroll_file('scroll_page_up')",
            N_("Page up"),
            show=False,
            priority=True,
            id="reservation.page_up",
        ),
        Binding(
            "end",
            "scroll_file('scroll_end')",
            N_("End of the file"),
            show=False,
            priority=True,
            id="reservation.end",
        ),
        Binding(
            "home",
            "scroll_file('scroll_home')",
            N_("Top of the file"),
            show=False,
            priority=True,
            id="reservation.top",
        ),
        Binding(
            "m",
            "move",
            N_("Move"),
            id="reservation.move",
            show=False,
            tooltip=N_("Move the tenant to another room (two inspections, keys, in one action)"),
        ),
        Binding(
            "dollar_sign",
            "money",
            N_("Money"),
            id="reservation.money",
            show=False,
            tooltip=N_("The stay's ledger: advance, deposit, payments, refunds, charges"),
        ),
        Binding("escape", "back", N_("Back"), id="reservation.back"),
    ]

    RUNS = {
        "toggle_document": verify_document,
        "inspection": open_inspection,
        "keys": hand_over_keys,
        "offer": send_proposal,
        "payment": accept,
        "appointment": book_appointment,
        "slip": "slip.print",
        "departure": depart,
        "extension": request_extension,
        "move": "stay.move",
    }

    view: reactive[ReservationFile | None] = reactive(None, init=False, always_update=True)

    def __init__(self, reservation_id: int) -> None:
        super().__init__()
        self.reservation_id = reservation_id
        self.appointment: Appointment | None = None

    def compose(self) -> ComposeResult:
        yield DeskHeader(id="desk-header")
        with VerticalScroll(id="file"):
            yield Static(id="identity")
            yield Static(id="stay")
            docs: DataTable[Text] = DataTable(id="documents", cursor_type="row")
            yield docs
            yield Static(id="inspections")
            yield Static(id="readiness")
            yield Static(id="history")
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one("#documents", DataTable)
        table.add_column("", key="tick", width=3)
        table.add_column(_("Document"), key="doc", width=21)
        table.add_column(_("Verified by / on"), key="by", width=24)
        table.add_column(_("Facts"), key="facts", width=20)
        table.focus()
        self.reload()

    # -- showing ----------------------------------------------------------------------------

    def fetch(self) -> None:
        self.appointment = current_appointment(self.reservation_id)
        self.view = file_view(self.desk, self.reservation_id)

    def watch_view(self, view: ReservationFile | None) -> None:
        if view is None:
            return
        self.refresh_bindings()
        self.query_one("#identity", Static).update(show.identity(view))
        self.query_one("#stay", Static).update(show.stay(view, self.appointment))
        table = self.query_one("#documents", DataTable)
        row = table.cursor_row
        table.clear()
        for doc in view.documents:
            table.add_row(*show.document_cells(doc), key=doc.kind)
        if row >= 0:
            table.move_cursor(row=min(row, len(view.documents) - 1))
        self.query_one("#inspections", Static).update(show.inspections_and_keys(view))
        self.query_one("#readiness", Static).update(show.readiness(view))
        self.query_one("#history", Static).update(show.history(view))
        if self._ticked is not None:
            self._tell_ticked(view)

    # -- acting -----------------------------------------------------------------------------

    def current_document(self) -> DocumentRow | None:
        table = self.query_one("#documents", DataTable)
        if self.view is None or not 0 <= table.cursor_row < len(self.view.documents):
            return None
        return self.view.documents[table.cursor_row]

    @work(exclusive=True, group=FORM)
    async def action_toggle_document(self) -> None:
        doc = self.current_document()
        if doc is None or self.view is None:
            return
        desk, title = self.desk, _("This document cannot be ticked")
        if doc.verified_at:
            question = (
                _("Untick “{doc}”? It goes back to missing.")
                if doc.received_at == doc.verified_at
                else _("Untick “{doc}”? It goes back to received, to check.")
            ).format(doc=doc.label)
            if await self.app.push_screen_wait(ConfirmScreen(question)):
                self.run_desk_action(
                    title, lambda: unverify_document(desk, self.reservation_id, doc.kind)
                )
            return
        if doc.kind not in ("insurance", "guarantor", "identity") and not doc.received_at:
            question = _(
                "“{doc}” is missing from the file. Tick it as received and verified now?"
            ).format(doc=doc.label)
            if not await self.app.push_screen_wait(ConfirmScreen(question)):
                return

        def tick(facts: FactsAnswer) -> object:
            return verify_document(
                desk,
                self.reservation_id,
                doc.kind,
                covers_from=facts.covers_from,
                covers_until=facts.covers_until,
                guarantor_kind=facts.guarantor_kind,
                id_expires=facts.id_expires,
            )

        if doc.kind in ("insurance", "guarantor", "identity"):
            lease = (self.view.reservation.lease_start, self.view.reservation.lease_end)
            form = DocumentFactsForm(doc.kind, doc.facts, lease, save=tick)
            if await self.app.push_screen_wait(form) is not None:  # saved by the form
                self._say_ticked(doc.kind)
                self.reload()
            return
        self.run_desk_action(
            title, lambda: tick(FactsAnswer()), lambda _r: self._say_ticked(doc.kind)
        )

    def _say_ticked(self, kind: str) -> None:
        """Once the file is read again: verified, or recorded but it does not count, and why."""
        self._ticked = kind

    _ticked: str | None = None

    def _tell_ticked(self, view: ReservationFile) -> None:
        kind, self._ticked = self._ticked, None
        doc = next((d for d in view.documents if d.kind == kind), None)
        if doc is None:
            return
        if show.fails(doc):
            self.notify(
                _("{doc}: recorded, but it does not count — {why}").format(
                    doc=doc.label, why=doc.problem
                ),
                severity="warning",
                markup=False,
            )
        else:
            self.notify(_("{doc}: verified").format(doc=doc.label), markup=False)

    @work(exclusive=True, group=FORM)
    async def action_payment(self) -> None:
        if self.view is None:
            return
        if self.view.status != "proposed":
            self.refuse(
                _("Acceptance not possible"),
                _("there is no open proposal (status: {status})").format(
                    status=status_label(self.view.status)
                ),
            )
            return
        answer = await self.app.push_screen_wait(PaymentForm(self.view.student.full_name))
        if answer is None:
            return
        desk = self.desk
        self.run_desk_action(
            _("Acceptance refused"),
            lambda: accept(desk, self.reservation_id, answer.payer_kind, answer.payer_name),
            lambda _r: self.notify(_("Proposal accepted, advance recorded"), markup=False),
        )

    def action_inspection(self) -> None:
        from .inspection import InspectionScreen

        def opened(inspection: Inspection) -> None:
            self.app.push_screen(InspectionScreen(inspection.id), lambda _r: self.reload())

        desk = self.desk
        self.run_desk_action(
            _("No inspection possible"),
            lambda: open_inspection(desk, self.reservation_id, "check_in"),
            opened,
        )

    @work(exclusive=True, group=FORM)
    async def action_keys(self) -> None:
        view = self.view
        if view is None:
            return
        key_set = set_to_hand_over(view.room.id) if view.room is not None else None
        may = permissions.allowed(self.desk.actor, "keys.handover")
        if may and not view.blockers and key_set is not None:  # else the refusal says why not
            question = _("Hand key set {label} (room {room}) to {name}?").format(
                label=key_set.label, room=key_set.room.number, name=view.student.full_name
            )
            if not await self.app.push_screen_wait(ConfirmScreen(question)):
                return

        def handed(key_set: KeySet) -> None:
            name = self.view.student.full_name if self.view else ""
            self.notify(
                _("Key set {label} handed to {name}").format(label=key_set.label, name=name),
                markup=False,
            )

        desk = self.desk
        self.run_desk_action(
            _("The keys cannot be handed over"),
            lambda: hand_over_keys(desk, self.reservation_id),
            handed,
        )

    def action_appointment(self) -> None:
        from crous_desk.arrivals.appointments import bookable

        from .appointment import AppointmentScreen

        desk = self.desk
        if self.checked(
            _("No arrival appointment possible"), lambda: bookable(desk, self.reservation_id)
        ):
            self.app.push_screen(AppointmentScreen(self.reservation_id), lambda _c: self.reload())

    def action_slip(self) -> None:
        from crous_desk.arrivals.slips import desk_slips

        from .slip import SlipScreen

        desk = self.desk
        slips = self.checked(
            _("No slip for this reservation"), lambda: desk_slips(desk, [self.reservation_id])
        )
        if slips:
            self.app.push_screen(SlipScreen(slips[0]))

    # The footer, F1 and the palette offer what belongs to the file's phase: before the keys
    # (payment, documents, appointment, slip, handover) or during the stay (departure,
    # extension). Within a phase, an action the rules refuse stays offered and says why.
    _BEFORE_KEYS = frozenset({"payment", "keys", "appointment", "slip"})
    _DURING_STAY = frozenset({"departure", "extension", "move"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not super().check_action(action, parameters):
            return False  # not this role's to do
        if self.view is None:
            return True
        living = self.view.status in ("checked_in", "departed")
        if action == "offer":
            return self.view.status == "requested"
        if action in self._BEFORE_KEYS:
            return not living
        if action == "extension":  # nothing to extend once departed
            return self.view.status == "checked_in"
        if action in self._DURING_STAY:
            return living
        return True

    @work(exclusive=True, group=FORM)
    async def action_offer(self) -> None:
        desk = self.desk
        answer = await self.app.push_screen_wait(
            FieldsForm(
                _("Offer a room (the CROUS proposal)"),
                RoomChoice,
                [("room", _("Room number, e.g. B-112"), "")],
                note=_("The student then has 120 hours to accept with the 100 € advance."),
                save=lambda chosen: send_proposal(desk, self.reservation_id, chosen.room),
            )
        )
        if answer is not None:
            self.notify(_("Proposal recorded: 120 hours to answer"), markup=False)
            self.reload()

    def action_departure(self) -> None:
        from .departure import DepartureScreen

        self.app.push_screen(DepartureScreen(self.reservation_id), lambda _r: self.reload())

    @work(exclusive=True, group=FORM)
    async def action_extension(self) -> None:
        from .extensions import ask_extension

        if self.view is not None:
            await ask_extension(
                self, self.reservation_id, show_day(self.view.reservation.lease_end)
            )

    def action_scroll_file(self, how: str) -> None:
        file = self.query_one("#file", VerticalScroll)
        getattr(file, how)(animate=False)

    def action_history(self) -> None:
        self.query_one("#file", VerticalScroll).scroll_end(animate=False)

    def action_move(self) -> None:
        from .move import MoveScreen

        self.app.push_screen(MoveScreen(self.reservation_id), lambda _r: self.reload())

    def action_money(self) -> None:
        from .ledger import LedgerScreen

        self.app.push_screen(LedgerScreen(self.reservation_id), lambda _r: self.reload())

    def action_back(self) -> None:
        self.app.pop_screen()

    @on(DataTable.RowSelected, "#documents")
    def _selected(self) -> None:
        self.action_toggle_document()
