"""What the law adds to an inspection (Décret 2016-382): the meter readings, the keys handed
over by kind and number, the tenant's new address at check-out, the window to complete a
check-in; and the tenant's copy, a PDF in French and English, saved or printed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import partial
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import Static

from crous_desk.arrivals.slips import default_slip_dir, save_and_print
from crous_desk.base.errors import Problem, Refused
from crous_desk.base.i18n import N_, _
from crous_desk.inspections.etat import Etat, etat_of
from crous_desk.inspections.record import record_forwarding_address, record_keys, record_meter
from crous_desk.office.etat_report import save_report
from crous_desk.rules.proposal import format_instant
from crous_desk.store.models import Inspection

from .base import FORM, DeskScreen, desk_app
from .forms import FieldsForm
from .widgets import DeskFooter, DeskHeader

REPORT = "report"


def _fields(**values: str) -> dict[str, str]:
    return values


def window_line(view: Etat) -> str:
    if view.window is None:
        return ""
    end = format_instant(view.window.ends_at - timedelta(minutes=1))
    heating = format_instant(view.window.heating_until - timedelta(minutes=1))
    return _("The tenant may complete it until {end} (heating items: until {heating})").format(
        end=end, heating=heating
    )


def describe(view: Etat) -> Text:
    text = Text()
    kind = _("Check-in") if view.kind == "check_in" else _("Check-out")
    text.append(f"{kind} · {view.room} · ", style="bold")
    text.append(view.tenant)
    text.append(
        "\n"
        + _("Started {when} by {staff}").format(
            when=format_instant(view.started_at), staff=view.staff
        )
    )
    if view.acknowledged_at:
        text.append(
            "\n" + _("Acknowledged {when}").format(when=format_instant(view.acknowledged_at)),
            style="reverse",
        )
    text.append("\n\n" + _("Meter readings") + "\n", style="bold")
    if not view.readings:
        text.append(_("No meter of its own") + "\n")
    for m in view.readings:
        reading = f"{m.reading} {m.unit}" if m.reading is not None else _("not read yet")
        text.append(f"  {_(m.label)}: {reading}\n")
    text.append("\n" + _("Keys (kind and number)") + "\n", style="bold")
    for k in view.keys:
        text.append(f"  {_(k.label)}: {k.count}\n")
    if view.kind == "check_out":
        text.append("\n" + _("The tenant's new address") + "\n", style="bold")
        text.append("  " + (view.forwarding_address or _("not given yet")) + "\n")
    line = window_line(view)
    if line:
        text.append("\n" + line + "\n", style="bold")
    return text


class EtatScreen(DeskScreen):
    BINDINGS = [
        Binding("e", "meters", N_("Meters"), id="etat.meters"),
        Binding("k", "keys", N_("Keys"), id="etat.keys"),
        Binding("f", "address", N_("New address"), id="etat.address"),
        Binding(
            "s",
            "save",
            N_("Save PDF"),
            id="etat.save",
            tooltip=N_("The tenant's copy, in French and English, in the documents folder"),
        ),
        Binding("p", "print", N_("Print"), id="etat.print"),
        Binding("escape", "back", N_("Back"), id="etat.back"),
    ]

    view: reactive[Etat | None] = reactive(None, init=False, always_update=True)

    def __init__(self, inspection_id: int, directory: Path | None = None) -> None:
        super().__init__()
        self.inspection_id = inspection_id
        self.directory = directory or default_slip_dir()

    def compose(self) -> ComposeResult:
        yield DeskHeader(id="desk-header")
        yield Static(id="etat")
        yield Static(id="etat-status")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.reload()

    def fetch(self) -> None:
        self.view = etat_of(Inspection.get_by_id(self.inspection_id))

    def watch_view(self, view: Etat | None) -> None:
        if view is None:
            return
        self.refresh_bindings()
        self.query_one("#etat", Static).update(describe(view))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.view is None:
            return True
        if action in ("meters", "keys"):
            return self.view.acknowledged_at is None
        if action == "address":
            return self.view.acknowledged_at is None and self.view.kind == "check_out"
        return True

    def _all(self, calls: list[Callable[[], object]]) -> Callable[[], None]:
        """Every change asked, each its own action; the refusals said together."""

        def run() -> None:
            reasons: list[str] = []
            for call in calls:
                try:
                    call()
                except Refused as refused:
                    reasons += refused.reasons
            if reasons:
                raise Refused(*reasons)

        return run

    @work(exclusive=True, group=FORM)
    async def action_meters(self) -> None:
        view = self.view
        if view is None or not view.readings:
            return
        answer = await self.app.push_screen_wait(
            FieldsForm(
                _("Meter readings (the digits on the dial)"),
                _fields,
                [(m.meter, f"{_(m.label)} ({m.unit})", m.reading or "") for m in view.readings],
            )
        )
        if answer is None:
            return
        desk, inspection = self.desk, self.inspection_id
        calls: list[Callable[[], object]] = [
            partial(record_meter, desk, inspection, meter, text)
            for meter, text in answer.items()
            if text.strip()
            and text.strip() != next((m.reading for m in view.readings if m.meter == meter), None)
        ]
        self.run_desk_action(_("Not recorded"), self._all(calls))

    @work(exclusive=True, group=FORM)
    async def action_keys(self) -> None:
        view = self.view
        if view is None:
            return
        from crous_desk.rules.etat import key_kinds

        counted = {k.kind: k.count for k in view.keys}
        answer = await self.app.push_screen_wait(
            FieldsForm(
                _("Keys handed over, by kind (a number)"),
                _fields,
                [(k.code, _(k.label), str(counted.get(k.code, 0))) for k in key_kinds().values()],
            )
        )
        if answer is None:
            return
        desk, inspection = self.desk, self.inspection_id
        calls: list[Callable[[], object]] = []
        problems: list[str] = []
        for kind, text in answer.items():
            if not text.strip().isdigit():
                problems.append(
                    Problem(
                        "key_count_invalid",
                        _("{text!r} is not a number of keys").format(text=text.strip()[:10]),
                    )
                )
                continue
            count = int(text)
            if count != counted.get(kind, 0):
                calls.append(partial(record_keys, desk, inspection, kind, count))
        if problems:
            self.refuse(_("Not recorded"), *problems)
            return
        self.run_desk_action(_("Not recorded"), self._all(calls))

    @work(exclusive=True, group=FORM)
    async def action_address(self) -> None:
        view = self.view
        if view is None:
            return
        answer = await self.app.push_screen_wait(
            FieldsForm(
                _("The tenant's new address"),
                _fields,
                [("address", _("Address (one line)"), view.forwarding_address or "")],
            )
        )
        if answer is None:
            return
        desk, inspection, address = self.desk, self.inspection_id, answer["address"]
        self.run_desk_action(
            _("Not recorded"), lambda: record_forwarding_address(desk, inspection, address)
        )

    # -- the tenant's copy ------------------------------------------------------------------

    @property
    def path(self) -> Path:
        view = self.view
        ref = view.inspection.reservation.reference if view else "report"
        kind = view.kind if view else "inspection"
        return self.directory / f"etat-{ref}-{kind}-{self.inspection_id}.pdf"

    def action_save(self) -> None:
        self.write_pdf(None)

    def action_print(self) -> None:
        self.write_pdf(desk_app(self).config.printer or "")

    def write_pdf(self, printer: str | None) -> None:
        desk, path, inspection = self.desk, self.path, self.inspection_id

        def write() -> str:
            return save_and_print(path, partial(save_report, desk, inspection), printer)

        self.run_slow(
            write, lambda said: self.show(said, ok=True), group=REPORT, on_refused=self._failed
        )

    def _failed(self, refused: Refused) -> None:
        self.show(str(refused), ok=False)
        self.app.bell()

    def show(self, message: str, ok: bool) -> None:
        self.query_one("#etat-status", Static).update(
            Text(message, style="bold" if ok else "bold reverse")
        )

    def action_back(self) -> None:
        self.dismiss(None)
