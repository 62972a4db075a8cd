"""The reservation file: student, stay, proposal, payment, the five documents, inspections, keys."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from crous_desk.arrivals.appointments import current_appointment
from crous_desk.base.dates import show_day
from crous_desk.base.errors import Refused
from crous_desk.base.i18n import _
from crous_desk.inspections.record import open_inspection
from crous_desk.keys.handover import hand_over_keys
from crous_desk.reservations.documents import unverify_document, verify_document
from crous_desk.reservations.file import DocumentRow, ReservationFile, file_view
from crous_desk.reservations.proposal import accept, send_proposal
from crous_desk.rules.hours import format_duration
from crous_desk.rules.proposal import format_instant, status_label
from crous_desk.rules.reference import room_kinds

from .forms import DocumentFactsForm, FactsAnswer, FieldsForm, PaymentAnswer, PaymentForm
from .widgets import ConfirmScreen, DeskHeader, ReasonsScreen, desk_of


def action_labels() -> dict[str, str]:
    return {
        "document.verify": _("document ticked"),
        "reservation.refuse": _("proposal refused by the student"),
        "reservation.create": _("Accueil form imported"),
        "reservation.dates": _("stay dates changed by the Accueil list"),
        "student.ine": _("INE recorded"),
        "document.unverify": _("document unticked"),
        "reservation.accept": _("proposal accepted, advance paid"),
        "inspection.open": _("inspection started"),
        "inspection.item": _("inspection item recorded"),
        "inspection.acknowledge": _("inspection acknowledged by the tenant"),
        "keys.handover": _("keys handed over"),
        "appointment.book": _("arrival appointment booked"),
        "appointment.move": _("arrival appointment moved"),
        "appointment.cancel": _("arrival appointment cancelled"),
    }


def _when(at: object) -> str:
    return format_instant(at) if at is not None else "—"  # type: ignore[arg-type]


class ReservationScreen(Screen[None]):
    BINDINGS = [
        Binding(
            "space",
            "toggle_document",
            "Tick",
            id="reservation.tick",
            tooltip="Tick or untick the highlighted document",
        ),
        Binding(
            "i",
            "inspection",
            "Inspect",
            id="reservation.inspection",
            tooltip="Check-in inspection of the room",
        ),
        Binding("k", "keys", "Keys", id="reservation.keys", tooltip="Hand over the keys"),
        Binding(
            "o",
            "offer",
            "Offer room",
            id="reservation.offer",
            tooltip="Record the CROUS proposal: a room of this residence for this request",
        ),
        Binding(
            "p",
            "payment",
            "Accept",
            id="reservation.accept",
            tooltip="Record the acceptance and the 100 € advance",
        ),
        Binding(
            "a",
            "appointment",
            "Appointment",
            show=False,
            id="reservation.appointment",
            tooltip="Book or move the arrival appointment",
        ),
        Binding(
            "s",
            "slip",
            "Slip",
            show=False,
            id="reservation.slip",
            tooltip="Preview, save or print the arrival slip",
        ),
        Binding(
            "d",
            "departure",
            "Departure",
            id="reservation.departure",
            tooltip="Check-out inspection, damages, keys back, close the stay",
        ),
        Binding(
            "e",
            "extension",
            "Extend",
            id="reservation.extension",
            tooltip="Record an extension request for the mobility manager",
        ),
        Binding("h", "history", "History", id="reservation.history"),
        Binding("escape", "back", "Back", id="reservation.back"),
    ]

    def __init__(self, reservation_id: int) -> None:
        super().__init__()
        self.reservation_id = reservation_id
        self.view: ReservationFile | None = None

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
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#documents", DataTable)
        table.add_column("", key="tick", width=3)
        table.add_column(_("Document"), key="doc", width=21)
        table.add_column(_("Verified by / on"), key="by", width=24)
        table.add_column(_("Facts"), key="facts", width=20)
        self.reload()
        table.focus()

    # -- showing ----------------------------------------------------------------------------

    def reload(self) -> None:
        view = file_view(desk_of(self), self.reservation_id)
        self.view = view
        self.refresh_bindings()
        self.query_one("#identity", Static).update(self._identity(view))
        self.query_one("#stay", Static).update(self._stay(view))
        table = self.query_one("#documents", DataTable)
        row = table.cursor_row
        table.clear()
        for doc in view.documents:
            table.add_row(*self._doc_cells(doc), key=doc.kind)
        if row >= 0:
            table.move_cursor(row=min(row, len(view.documents) - 1))
        self.query_one("#inspections", Static).update(self._inspections(view))
        self.query_one("#readiness", Static).update(self._readiness(view))
        self.query_one("#history", Static).update(self._history(view))

    def _identity(self, view: ReservationFile) -> Text:
        s = view.student
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(s.full_name, style="bold")
        text.append(f"  {view.reservation.reference}  ")
        text.append(status_label(view.status), style="reverse")
        text.append("\n")
        text.append(_("INE {ine} · {email}").format(ine=s.ine or "—", email=s.email or "—"))
        return text

    def _stay(self, view: ReservationFile) -> Text:
        r = view.reservation
        text = Text(no_wrap=True, overflow="ellipsis")
        if view.room is not None:
            kind = room_kinds()[view.room.kind].label
            text.append(
                _("Room {room} · {kind} · {m2:g} m²").format(
                    room=view.room.number, kind=kind, m2=view.room.surface_m2
                )
            )
        else:
            text.append(_("No room assigned yet"))
        text.append("\n")
        text.append(
            _("Lease {start} → {end}").format(
                start=show_day(r.lease_start), end=show_day(r.lease_end)
            )
        )
        appointment = current_appointment(r.id)
        if appointment is not None and view.status in ("accepted", "proposed"):
            text.append(
                " · " + _("arrival {when}").format(when=_when(appointment.starts_at)),
                style="bold",
            )
        text.append("\n")
        if view.status == "proposed" and view.time_left is not None:
            text.append(
                _("Proposal: {left} left to answer (until {deadline})").format(
                    left=format_duration(view.time_left), deadline=_when(view.deadline)
                ),
                style="bold",
            )
        elif view.status == "expired":
            text.append(
                _("Proposal expired on {deadline}").format(deadline=_when(view.deadline)),
                style="bold",
            )
        elif r.proposal_sent_at:
            text.append(_("Proposal sent {sent}").format(sent=_when(r.proposal_sent_at)))
        text.append("\n")
        if r.advance_cents:
            payer = (
                _("a third party: {name}").format(name=r.paid_by_name or "?")
                if r.paid_by_kind == "third_party"
                else _("the student")
            )
            text.append(
                _("Advance {amount} € paid {when} by ").format(
                    amount=r.advance_cents // 100, when=_when(r.advance_paid_at)
                )
            )
            text.append(payer)
        else:
            text.append(_("Advance of 100 € not paid"))
        return text

    def _doc_cells(self, doc: DocumentRow) -> tuple[Text, Text, Text, Text]:
        tick = Text("[x]" if doc.verified_at else ("[~]" if doc.received_at else "[ ]"))
        name = Text(doc.label + ("" if doc.required else " *"), no_wrap=True, overflow="ellipsis")
        if doc.verified_at:
            by = Text(
                f"{_when(doc.verified_at)[:5]} {_when(doc.verified_at)[11:]} "
                f"{doc.verified_by or '?'}",
                no_wrap=True,
                overflow="ellipsis",
            )
        elif doc.received_at:
            by = Text(_("received {day} — check").format(day=_when(doc.received_at)[:5]))
        else:
            by = Text(_("missing"), style="bold")
        f = doc.facts
        if f.covers_from or f.covers_until:
            facts = Text(f"{show_day(f.covers_from)[:5]}–{show_day(f.covers_until)}")
        elif f.guarantor_kind:
            facts = Text("VISALE" if f.guarantor_kind == "visale" else _("physical"))
        elif f.id_expires:
            facts = Text(_("until {day}").format(day=show_day(f.id_expires)))
        else:
            facts = Text("")
        if doc.problem and doc.verified_at:  # verified, yet it does not count: say so
            facts = Text("⚠ ", style="bold") + facts
            facts.stylize("bold")
        return tick, name, by, facts

    def _inspections(self, view: ReservationFile) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        if not view.inspections:
            text.append(_("Check-in inspection: not started (press i)"))
        for inspection in view.inspections:
            kind = _("Check-in") if inspection.kind == "check_in" else _("Check-out")
            if inspection.locked:
                text.append(
                    _("{kind}: acknowledged by the tenant {when}").format(
                        kind=kind, when=_when(inspection.acknowledged_at)
                    )
                )
            else:
                text.append(_("{kind}: in progress, not acknowledged").format(kind=kind))
            text.append("  ")
        text.append("\n")
        states = {
            "desk": _("at the desk"),
            "out": _("with the tenant"),
            "lost": _("lost"),
            "retired": _("retired"),
        }
        keys = ", ".join(f"{k.label} ({states.get(k.state, k.state)})" for k in view.key_sets)
        keys = keys or _("none")
        text.append(_("Key sets: {keys}").format(keys=keys))
        return text

    def _readiness(self, view: ReservationFile) -> Text:
        if view.status == "checked_in":
            return Text(
                _("Keys handed over {when}").format(when=_when(view.reservation.keys_handed_at)),
                style="bold",
            )
        if view.status != "accepted":
            return Text("")
        if not view.blockers:
            return Text(_("Ready: press k to hand over the keys"), style="bold reverse")
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(_("Keys not yet possible:"), style="bold")
        for blocker in view.blockers:
            text.append("\n• ")
            text.append(blocker)
        return text

    def _history(self, view: ReservationFile) -> Text:
        labels = action_labels()
        text = Text(_("History") + "\n", style="bold")
        for entry in view.history[:8]:
            text.append(f"{_when(entry.at)}  {entry.actor}  ")
            text.append(labels.get(entry.action, entry.action) + "\n")
        return text

    # -- acting -----------------------------------------------------------------------------

    def refuse(self, title: str, refused: Refused) -> None:
        self.app.push_screen(ReasonsScreen(title, refused.reasons))

    def current_document(self) -> DocumentRow | None:
        table = self.query_one("#documents", DataTable)
        if self.view is None or not 0 <= table.cursor_row < len(self.view.documents):
            return None
        return self.view.documents[table.cursor_row]

    @work(exclusive=True, group="form")
    async def action_toggle_document(self) -> None:
        doc = self.current_document()
        if doc is None or self.view is None:
            return
        desk = desk_of(self)
        try:
            if doc.verified_at:
                question = _("Untick “{doc}”?").format(doc=doc.label)
                if await self.app.push_screen_wait(ConfirmScreen(question)):
                    unverify_document(desk, self.reservation_id, doc.kind)
            else:
                answer = FactsAnswer()
                if doc.kind in ("insurance", "guarantor", "identity"):
                    lease = (self.view.reservation.lease_start, self.view.reservation.lease_end)
                    result = await self.app.push_screen_wait(
                        DocumentFactsForm(doc.kind, doc.facts, lease)
                    )
                    if not isinstance(result, FactsAnswer):
                        return
                    answer = result
                verify_document(
                    desk,
                    self.reservation_id,
                    doc.kind,
                    covers_from=answer.covers_from,
                    covers_until=answer.covers_until,
                    guarantor_kind=answer.guarantor_kind,
                    id_expires=answer.id_expires,
                )
                self.notify(_("{doc}: verified").format(doc=doc.label), markup=False)
                table = self.query_one("#documents", DataTable)
                self.reload()
                table.move_cursor(row=table.cursor_row + 1)  # on to the next document
                return
        except Refused as refused:
            self.refuse(_("This document cannot be ticked"), refused)
        self.reload()

    @work(exclusive=True, group="form")
    async def action_payment(self) -> None:
        if self.view is None:
            return
        if self.view.status != "proposed":
            self.refuse(
                _("Acceptance not possible"),
                Refused(
                    _("there is no open proposal (status: {status})").format(
                        status=status_label(self.view.status)
                    )
                ),
            )
            return
        answer = await self.app.push_screen_wait(PaymentForm(self.view.student.full_name))
        if not isinstance(answer, PaymentAnswer):
            return
        try:
            accept(desk_of(self), self.reservation_id, answer.payer_kind, answer.payer_name)
            self.notify(_("Proposal accepted, advance recorded"), markup=False)
        except Refused as refused:
            self.refuse(_("Acceptance refused"), refused)
        self.reload()

    def action_inspection(self) -> None:
        from .inspection import InspectionScreen

        try:
            inspection = open_inspection(desk_of(self), self.reservation_id, "check_in")
        except Refused as refused:
            self.refuse(_("No inspection possible"), refused)
            return
        self.app.push_screen(InspectionScreen(inspection.id), lambda _result: self.reload())

    def action_keys(self) -> None:
        try:
            key_set = hand_over_keys(desk_of(self), self.reservation_id)
        except Refused as refused:
            self.refuse(_("The keys cannot be handed over"), refused)
            self.reload()
            return
        assert self.view is not None
        self.notify(
            _("Key set {label} handed to {name}").format(
                label=key_set.label, name=self.view.student.full_name
            ),
            markup=False,
        )
        self.reload()

    def action_appointment(self) -> None:
        from crous_desk.arrivals.appointments import bookable

        from .appointment import AppointmentScreen

        try:
            bookable(desk_of(self), self.reservation_id)
        except Refused as refused:
            self.refuse(_("No arrival appointment possible"), refused)
            return
        self.app.push_screen(AppointmentScreen(self.reservation_id), lambda _changed: self.reload())

    def action_slip(self) -> None:
        from crous_desk.arrivals.slips import desk_slips

        from .slip import SlipScreen

        try:
            slip = desk_slips(desk_of(self), [self.reservation_id])[0]
        except Refused as refused:
            self.refuse(_("No slip for this reservation"), refused)
            return
        self.app.push_screen(SlipScreen(slip))

    # The footer, F1 and the palette offer what belongs to the file's phase: before the keys
    # (payment, documents, appointment, slip, handover) or during the stay (departure,
    # extension). Within a phase, an action the rules refuse stays offered and says why.
    _BEFORE_KEYS = frozenset({"payment", "keys", "appointment", "slip"})
    _DURING_STAY = frozenset({"departure", "extension"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.view is None:
            return True
        living = self.view.status in ("checked_in", "departed")
        if action == "offer":
            return self.view.status == "requested"
        if action in self._BEFORE_KEYS:
            return not living
        if action in self._DURING_STAY:
            return living
        return True

    @work(exclusive=True, group="form")
    async def action_offer(self) -> None:
        answer = await self.app.push_screen_wait(
            FieldsForm(
                _("Offer a room (the CROUS proposal)"),
                [("room", _("Room number, e.g. B-112"), "")],
                note=_("The student then has 120 hours to accept with the 100 € advance."),
            )
        )
        if not isinstance(answer, dict):
            return
        try:
            send_proposal(desk_of(self), self.reservation_id, answer["room"])
        except Refused as refused:
            self.refuse(_("No proposal recorded"), refused)
            return
        self.notify(_("Proposal recorded: 120 hours to answer"), markup=False)
        self.reload()

    def action_departure(self) -> None:
        from .departure import DepartureScreen

        self.app.push_screen(DepartureScreen(self.reservation_id), lambda _r: self.reload())

    @work(exclusive=True, group="form")
    async def action_extension(self) -> None:
        from .extensions import ask_extension

        if self.view is not None and await ask_extension(
            self, self.reservation_id, show_day(self.view.reservation.lease_end)
        ):
            self.reload()

    def action_history(self) -> None:
        self.query_one("#file", VerticalScroll).scroll_end(animate=False)

    def action_back(self) -> None:
        self.app.pop_screen()

    @on(DataTable.RowSelected, "#documents")
    def _selected(self) -> None:
        self.action_toggle_document()
