"""The mobility manager's workspace: their students by academic year and semester, where each
one stands (form → INE → proposal and its 120 hours → accepted and paid / refused / expired →
rental file → arrived → departed), the deadlines of the next 24 hours, and their actions:
record an INE, record the student's answer to a proposal, decide extension requests, export.
The residence side is read-only for them: the core refuses the rest."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Label, Static

from crous_desk.base.dates import show_day
from crous_desk.base.errors import Refused
from crous_desk.base.i18n import _
from crous_desk.office import pipeline
from crous_desk.office.pipeline import STEPS, Pipeline, PipelineRow, step_label, step_short
from crous_desk.reservations.proposal import accept, refuse
from crous_desk.rules.hours import format_duration

from .forms import PaymentAnswer, PaymentForm, _Form
from .widgets import ConfirmScreen, ReasonsScreen, desk_of


class IneForm(_Form):
    """The student's INE; the core checks its shape and that no other student has it."""

    def __init__(self, name: str, current: str, save: Callable[[str], str | None]) -> None:
        super().__init__()
        self.student_name = name
        self.current = current
        self.save = save

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(_("INE — {name}").format(name=self.student_name), style="bold"))
            yield Static(Text(_("10 digits and 1 letter, or 9 digits and 2 letters"), style="dim"))
            yield Label(_("INE"))
            yield Input(self.current, id="ine", max_length=20)
            yield Static(id="form-error")
            yield Static(Text(_("Enter: save    Esc: cancel"), style="dim"))

    def on_mount(self) -> None:
        self.query_one("#ine", Input).focus()

    def action_submit(self) -> None:
        problem = self.save(self.query_one("#ine", Input).value)
        if problem:
            self.error(problem)
            return
        self.dismiss(True)


class ManagerScreen(Screen[None]):
    CSS_PATH = "people.tcss"
    BINDINGS = [
        Binding("i", "ine", "INE", id="students.ine", tooltip="Record the student's INE"),
        Binding(
            "a",
            "accept",
            "Accept",
            id="students.accept",
            tooltip="The student accepted the proposal and the 100 € advance is paid",
        ),
        Binding("r", "refuse", "Refuse", id="students.refuse", tooltip="The student refused"),
        Binding(
            "e",
            "app.extensions",
            "Extensions",
            show=False,  # F6 in the footer already
            id="students.extensions",
            tooltip="Decide the extension requests of your students",
        ),
        Binding("s", "semester", "Semester", id="students.semester"),
        Binding(
            "t",
            "step",
            "Step",
            show=False,
            id="students.step",
            tooltip="Show one step of the pipeline",
        ),
        Binding("y", "year", "Year", show=False, id="students.year"),
        Binding("slash", "find", "Find", show=False, id="students.find"),
        Binding(
            "x",
            "export",
            "Export",
            show=False,
            id="students.export",
            tooltip="Write the pipeline shown as CSV",
        ),
        Binding("enter", "open", "Open", show=False, id="students.open"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.year: str | None = None
        self.semester: int | None = None
        self.step: str | None = None
        self.view: Pipeline | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="students-title")
        yield Input(
            placeholder=_("Find: name, INE, student number or reference  (/ to come back)"),
            id="find",
            compact=True,
        )
        yield Static(id="counts")
        yield Static(id="due-soon")
        table: DataTable[Text] = DataTable(id="students", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static(id="student-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#students", DataTable)
        table.add_column(_("Name"), key="name", width=20)
        table.add_column(_("INE"), key="ine", width=11)
        table.add_column(_("Step"), key="step", width=14)
        table.add_column(_("Left"), key="left", width=8)
        table.add_column(_("Arrival"), key="arrival", width=10)
        table.add_column(_("S"), key="semester", width=1)
        self.year = pipeline.default_year(desk_of(self))
        self.reload()
        table.focus()

    def on_screen_resume(self) -> None:
        if self.view is not None:
            self.reload()

    # -- showing ----------------------------------------------------------------------------

    def reload(self) -> None:
        desk = desk_of(self)
        text = self.query_one("#find", Input).value
        try:
            view = pipeline.pipeline(
                desk, year=self.year, semester=self.semester, step=self.step, text=text
            )
        except Refused as refused:
            self.app.push_screen(ReasonsScreen(_("The students cannot be shown"), refused.reasons))
            return
        self.view = view
        self.query_one("#students-title", Static).update(self._title(view))
        self.query_one("#counts", Static).update(self._counts(view))
        self.query_one("#due-soon", Static).update(self._due(view))
        table = self.query_one("#students", DataTable)
        row = table.cursor_row
        table.clear()
        for r in view.rows:
            table.add_row(*self._cells(r), key=str(r.reservation_id))
        if view.rows:
            table.move_cursor(row=min(max(row, 0), len(view.rows) - 1))
        self._show_detail()

    def _title(self, view: Pipeline) -> Text:
        desk = desk_of(self)
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(_("Students"), style="bold reverse")
        text.append(f"  {desk.actor.display_name}  ")
        text.append(view.year or _("every year"), style="bold")
        text.append(" · ")
        text.append(
            _("semester {n}").format(n=view.semester) if view.semester else _("both semesters")
        )
        if self.step:
            text.append(" · " + step_label(self.step))
        text.append(f"  {view.now.astimezone(desk.calendar().tz):%a %d/%m %H:%M}", style="dim")
        return text

    def _counts(self, view: Pipeline) -> Text:
        text = Text()
        for i, step in enumerate(STEPS):
            if i:
                text.append("\n" if step == "refused" else " · ", style="dim")
            style = "bold reverse" if step == self.step else ("bold" if view.counts[step] else "")
            text.append(f"{step_short(step)} {view.counts[step]}", style=style)
        return text

    def _due(self, view: Pipeline) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        if not view.due_soon:
            text.append(_("No proposal expires within 24 hours."), style="dim")
            return text
        text.append(_("Within 24 h: "), style="bold")
        text.append(
            ", ".join(
                f"{r.name} {format_duration(r.time_left)}"
                for r in view.due_soon
                if r.time_left is not None
            )
        )
        return text

    def _cells(self, r: PipelineRow) -> tuple[Text, ...]:
        left = Text(format_duration(r.time_left) if r.time_left is not None else "")
        if r.time_left is not None and r.time_left <= pipeline.DEADLINE_HORIZON:
            left.stylize("bold reverse")
        return (
            Text(r.name, no_wrap=True, overflow="ellipsis"),
            Text(r.ine or "—"),
            Text(step_label(r.step), no_wrap=True, overflow="ellipsis"),
            left,
            Text(show_day(r.lease_start)),
            Text(str(r.semester)),
        )

    def current(self) -> PipelineRow | None:
        table = self.query_one("#students", DataTable)
        if self.view is None or not 0 <= table.cursor_row < len(self.view.rows):
            return None
        return self.view.rows[table.cursor_row]

    @on(DataTable.RowHighlighted, "#students")
    def _show_detail(self) -> None:
        r = self.current()
        text = Text(no_wrap=True, overflow="ellipsis")
        if r is None:
            text.append(_("No student here: change the filters (s, t, y) or the search."))
        else:
            text.append(f"{r.reference} · {r.university}")
            if r.student_number:
                text.append(f" · {r.student_number}")
            text.append(" · ")
            text.append(
                f"{r.residence} {r.room}".strip() if r.room else _("no room yet"),
            )
            text.append("\n")
            if r.pending_extension is not None:
                text.append(
                    _("Extension asked until {day} (e to decide)").format(
                        day=show_day(r.pending_extension)
                    ),
                    style="bold",
                )
            elif r.step == "accepted" and r.file_problems:
                text.append(_("File: ") + "; ".join(r.file_problems))
            elif r.paid_by:
                text.append(_("Advance paid by {who}").format(who=r.paid_by))
        self.query_one("#student-detail", Static).update(text)

    # -- filters ----------------------------------------------------------------------------

    @on(Input.Changed, "#find")
    def _find(self) -> None:
        self.reload()

    @on(Input.Submitted, "#find")
    def _found(self) -> None:
        self.query_one("#students", DataTable).focus()

    def action_find(self) -> None:
        self.query_one("#find", Input).focus()

    def action_semester(self) -> None:
        self.semester = {None: 1, 1: 2, 2: None}[self.semester]
        self.reload()

    def action_step(self) -> None:
        order: list[str | None] = [None, *STEPS]
        self.step = order[(order.index(self.step) + 1) % len(order)]
        self.reload()

    def action_year(self) -> None:
        years: list[str | None] = [*(self.view.years if self.view else []), None]
        self.year = years[(years.index(self.year) + 1) % len(years)] if self.year in years else None
        self.reload()

    # -- acting -----------------------------------------------------------------------------

    def refuse(self, title: str, refused: Refused) -> None:
        self.app.push_screen(ReasonsScreen(title, refused.reasons))

    def action_ine(self) -> None:
        r = self.current()
        if r is None:
            return
        desk = desk_of(self)

        def save(text: str) -> str | None:
            try:
                pipeline.record_ine(desk, r.student_id, text)
            except Refused as refused:
                return str(refused)
            return None

        def done(saved: object) -> None:
            if saved:
                self.notify(_("INE recorded for {name}").format(name=r.name), markup=False)
            self.reload()

        self.app.push_screen(IneForm(r.name, r.ine, save), done)

    @work(exclusive=True, group="form")
    async def action_accept(self) -> None:
        r = self.current()
        if r is None:
            return
        if r.status != "proposed":
            self.refuse(_("Acceptance not possible"), Refused(_("there is no open proposal")))
            return
        answer = await self.app.push_screen_wait(PaymentForm(r.name))
        if not isinstance(answer, PaymentAnswer):
            return
        try:
            accept(desk_of(self), r.reservation_id, answer.payer_kind, answer.payer_name)
            self.notify(_("{name}: accepted, advance recorded").format(name=r.name), markup=False)
        except Refused as refused:
            self.refuse(_("Acceptance refused"), refused)
        self.reload()

    @work(exclusive=True, group="form")
    async def action_refuse(self) -> None:
        r = self.current()
        if r is None:
            return
        question = _(
            "{name} refused the proposal? The reservation ends; the student must find "
            "housing in the city."
        ).format(name=r.name)
        if not await self.app.push_screen_wait(ConfirmScreen(question)):
            return
        try:
            refuse(desk_of(self), r.reservation_id)
            self.notify(_("{name}: refusal recorded").format(name=r.name), markup=False)
        except Refused as refused:
            self.refuse(_("The refusal cannot be recorded"), refused)
        self.reload()

    def action_open(self) -> None:
        r = self.current()
        if r is None:
            return
        from .reservation import ReservationScreen

        self.app.push_screen(ReservationScreen(r.reservation_id))

    def action_export(self) -> None:
        from crous_desk.arrivals.slips import default_slip_dir
        from crous_desk.office import exports

        desk = desk_of(self)
        path = default_slip_dir() / exports.default_name("pipeline", desk.now())
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            count = exports.export(desk, "pipeline", path, year=self.year, semester=self.semester)
        except (Refused, OSError) as error:
            reasons = error.reasons if isinstance(error, Refused) else (str(error),)
            self.app.push_screen(ReasonsScreen(_("No export"), reasons))
            return
        self.notify(_("{n} row(s) written to {path}").format(n=count, path=path), markup=False)

    @on(DataTable.RowSelected, "#students")
    def _selected(self) -> None:
        self.action_open()
