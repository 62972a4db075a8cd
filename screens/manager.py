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
from textual.reactive import reactive
from textual.widgets import DataTable, Input, Static

from crous_desk.base.i18n import N_, _, pgettext
from crous_desk.office import pipeline
from crous_desk.office.pipeline import STEPS, Pipeline, PipelineRow
from crous_desk.reservations.proposal import accept, refuse

from . import manager_view as show
from .base import FORM, DeskScreen
from .exports import EXPORT, write_export
from .forms import PaymentForm
from .people_forms import IneForm
from .widgets import ConfirmScreen, DeskFooter

FIND = "find"


class ManagerScreen(DeskScreen):
    CSS_PATH = "people.tcss"
    BINDINGS = [
        Binding("i", "ine", N_("INE"), id="students.ine", tooltip=N_("Record the student's INE")),
        Binding(
            "a",
            "accept",
            N_("Accept"),
            id="students.accept",
            tooltip=N_("The student accepted the proposal and the 100 € advance is paid"),
        ),
        Binding(
            "r", "refuse", N_("Refuse"), id="students.refuse", tooltip=N_("The student refused")
        ),
        Binding(
            "e",
            "app.extensions",
            N_("Extensions"),
            show=False,  # F6 in the footer already
            id="students.extensions",
            tooltip=N_("Decide the extension requests of your students"),
        ),
        Binding("s", "semester", N_("Semester"), id="students.semester"),
        Binding(
            "t",
            "step",
            N_("Step"),
            show=False,
            id="students.step",
            tooltip=N_("Show one step of the pipeline"),
        ),
        Binding("y", "year", N_("Year"), show=False, id="students.year"),
        Binding(
            "right_square_bracket",
            "page(1)",
            N_("Next page"),
            show=False,
            id="students.next_page",
            tooltip=N_("The next students by name"),
        ),
        Binding(
            "left_square_bracket",
            "page(-1)",
            N_("Previous page"),
            show=False,
            id="students.previous_page",
            tooltip=N_("The previous students by name"),
        ),
        Binding("slash", "find", N_("Find"), show=False, id="students.find"),
        Binding(
            "x",
            "export",
            N_("Export"),
            show=False,
            id="students.export",
            tooltip=N_("Write the pipeline shown as CSV"),
        ),
        Binding("enter", "open", N_("Open"), show=False, id="students.open"),
    ]

    year: reactive[str | None] = reactive(None, init=False)
    semester: reactive[int | None] = reactive(None, init=False)
    step: reactive[str | None] = reactive(None, init=False)
    text: reactive[str] = reactive("", init=False)
    first_row: reactive[int] = reactive(0, init=False)  # the page shown: rows from there
    view: reactive[Pipeline | None] = reactive(None, init=False, always_update=True)

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
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one("#students", DataTable)
        table.add_column(_("Name"), key="name", width=20)
        table.add_column(_("INE"), key="ine", width=11)
        table.add_column(_("Step"), key="step", width=14)
        table.add_column(pgettext("time", "Left"), key="left", width=8)
        table.add_column(_("Arrival"), key="arrival", width=10)
        table.add_column(_("S"), key="semester", width=1)
        self.set_reactive(ManagerScreen.year, pipeline.default_year(self.desk))
        table.focus()
        self.reload()

    # -- showing ----------------------------------------------------------------------------

    def students(self) -> Callable[[str], Pipeline]:
        """The pipeline as the filters now say, for a text: a read that runs on any thread."""
        desk, year, semester, step = self.desk, self.year, self.semester, self.step
        offset, limit = self.first_row, pipeline.PAGE
        return lambda text: pipeline.pipeline(
            desk, year=year, semester=semester, step=step, text=text, limit=limit, offset=offset
        )

    def fetch(self) -> None:
        self.view = self.students()(self.text)

    def cannot_show(self) -> str:
        return _("The students cannot be shown")

    def watch_year(self) -> None:
        self._first_page()

    def watch_semester(self) -> None:
        self._first_page()

    def watch_step(self) -> None:
        self._first_page()

    def watch_first_row(self) -> None:
        self.reload()

    def _first_page(self) -> None:
        if self.first_row:
            self.first_row = 0  # reloads
        else:
            self.reload()

    def watch_text(self, text: str) -> None:
        """Each keystroke in the find box reads in a worker; a late answer for an older text
        is dropped."""
        self.set_reactive(ManagerScreen.first_row, 0)
        students = self.students()
        self.run_slow(
            lambda: (text, students(text)), self._found, group=FIND, title=self.cannot_show()
        )

    def _found(self, found: tuple[str, Pipeline]) -> None:
        text, view = found
        if text == self.text:
            self.view = view

    def watch_view(self, view: Pipeline | None) -> None:
        if view is None:
            return
        self.query_one("#students-title", Static).update(show.title(view, self.desk, self.step))
        self.query_one("#counts", Static).update(show.counts(view, self.step))
        self.query_one("#due-soon", Static).update(show.due(view))
        table = self.query_one("#students", DataTable)
        row = table.cursor_row
        table.clear()
        for r in view.rows:
            table.add_row(*show.cells(r), key=str(r.reservation_id))
        if view.rows:
            table.move_cursor(row=min(max(row, 0), len(view.rows) - 1))
        self._show_detail()

    def current(self) -> PipelineRow | None:
        table = self.query_one("#students", DataTable)
        if self.view is None or not 0 <= table.cursor_row < len(self.view.rows):
            return None
        return self.view.rows[table.cursor_row]

    @on(DataTable.RowHighlighted, "#students")
    def _show_detail(self) -> None:
        self.query_one("#student-detail", Static).update(show.detail(self.current()))

    # -- filters ----------------------------------------------------------------------------

    @on(Input.Changed, "#find")
    def _find(self, event: Input.Changed) -> None:
        self.text = event.value

    @on(Input.Submitted, "#find")
    def _found_it(self) -> None:
        self.query_one("#students", DataTable).focus()

    def action_find(self) -> None:
        self.query_one("#find", Input).focus()

    def action_semester(self) -> None:
        self.semester = {None: 1, 1: 2, 2: None}[self.semester]

    def action_step(self) -> None:
        order: list[str | None] = [None, *STEPS]
        self.step = order[(order.index(self.step) + 1) % len(order)]

    def action_page(self, direction: int) -> None:
        """The next or previous page of students (by name); nothing past either end."""
        if self.view is None:
            return
        offset = self.first_row + direction * pipeline.PAGE
        if 0 <= offset < self.view.total:
            self.first_row = offset

    def action_year(self) -> None:
        years: list[str | None] = [*(self.view.years if self.view else []), None]
        self.year = years[(years.index(self.year) + 1) % len(years)] if self.year in years else None

    # -- acting -----------------------------------------------------------------------------

    @work(exclusive=True, group=FORM)
    async def action_ine(self) -> None:
        r = self.current()
        if r is None:
            return
        desk = self.desk
        form = IneForm(r.name, r.ine, lambda text: pipeline.record_ine(desk, r.student_id, text))
        if await self.app.push_screen_wait(form):
            self.notify(_("INE recorded for {name}").format(name=r.name), markup=False)
        self.reload()

    @work(exclusive=True, group=FORM)
    async def action_accept(self) -> None:
        r = self.current()
        if r is None:
            return
        if r.status != "proposed":
            self.refuse(_("Acceptance not possible"), _("there is no open proposal"))
            return
        answer = await self.app.push_screen_wait(PaymentForm(r.name))
        if answer is None:
            return
        desk = self.desk
        self.run_desk_action(
            _("Acceptance refused"),
            lambda: accept(desk, r.reservation_id, answer.payer_kind, answer.payer_name),
            lambda _r: self.notify(
                _("{name}: accepted, advance recorded").format(name=r.name), markup=False
            ),
        )

    @work(exclusive=True, group=FORM)
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
        desk = self.desk
        self.run_desk_action(
            _("The refusal cannot be recorded"),
            lambda: refuse(desk, r.reservation_id),
            lambda _r: self.notify(_("{name}: refusal recorded").format(name=r.name), markup=False),
        )

    def action_open(self) -> None:
        r = self.current()
        if r is None:
            return
        from .reservation import ReservationScreen

        self.app.push_screen(ReservationScreen(r.reservation_id))

    def action_export(self) -> None:
        desk, year, semester = self.desk, self.year, self.semester
        self.run_slow(
            lambda: write_export("pipeline", desk, year=year, semester=semester),
            lambda written: self.notify(str(written), markup=False),
            group=EXPORT,
            title=_("No export"),
        )

    @on(DataTable.RowSelected, "#students")
    def _selected(self) -> None:
        self.action_open()
