"""The room-condition inspection: the items of the room's kind, a state and a remark for each,
acknowledged by the tenant, then locked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import DataTable, Static

from crous_desk import inspections
from crous_desk.base.i18n import N_, _
from crous_desk.inspections.etat import window_of
from crous_desk.inspections.record import acknowledge_inspection, set_item
from crous_desk.rules.proposal import format_instant
from crous_desk.rules.reference import room_kinds
from crous_desk.store.models import Inspection, InspectionItem

from .base import FORM, DeskScreen
from .forms import FieldsForm, RemarkForm
from .widgets import ConfirmScreen, DeskFooter, DeskHeader


def state_labels() -> dict[str, str]:
    return {
        "new": _("new"),
        "good": _("good"),
        "worn": _("worn"),
        "damaged": _("damaged"),
        "missing": _("missing"),
    }


@dataclass(frozen=True)
class Walk:
    """The inspection as recorded, its items in order, and each one as it reads now (with any
    later correction applied)."""

    inspection: Inspection
    items: list[InspectionItem] = field(default_factory=list)
    views: dict[int, inspections.ItemView] = field(default_factory=dict)


@dataclass(frozen=True)
class Correction:
    state: str
    remark: str
    reason: str
    tenant: str = ""

    @property
    def by_tenant(self) -> bool:
        return self.tenant.strip().lower() in ("yes", "y", "oui", "o")


def title_of(walk: Walk) -> Text:
    inspection = walk.inspection
    kind = _("Check-in") if inspection.kind == "check_in" else _("Check-out")
    title = Text(no_wrap=True, overflow="ellipsis")
    title.append(f"{kind} · {inspection.room.number} · ", style="bold")
    title.append(_(room_kinds()[inspection.room.kind].label))
    title.append(" · ")
    title.append(inspection.reservation.student.full_name)
    title.append("\n")
    if inspection.locked:
        title.append(
            _("Locked: acknowledged by {tenant} on {when}").format(
                tenant=inspection.tenant_name, when=format_instant(inspection.acknowledged_at)
            ),
            style="reverse",
        )
        window = window_of(inspection)
        if window is not None:
            title.append(
                " · "
                + _("completed until {end}").format(
                    end=format_instant(window.ends_at - timedelta(minutes=1))
                )
            )
    else:
        done = sum(1 for i in walk.items if i.state)
        title.append(
            _("{done}/{total} items checked — walk the room with the tenant").format(
                done=done, total=len(walk.items)
            ),
            style="dim",
        )
    return title


class InspectionScreen(DeskScreen):
    BINDINGS = [
        Binding("n", "state('new')", N_("New"), id="inspection.new"),
        Binding("g", "state('good')", N_("Good"), id="inspection.good"),
        Binding("w", "state('worn')", N_("Worn"), id="inspection.worn"),
        Binding("d", "state('damaged')", N_("Damaged"), id="inspection.damaged"),
        Binding("m", "state('missing')", N_("Missing"), id="inspection.missing"),
        Binding("r", "remark", N_("Remark"), id="inspection.remark"),
        Binding("a", "acknowledge", N_("Tenant ack."), id="inspection.acknowledge"),
        Binding(
            "c",
            "correct",
            N_("Correct"),
            id="inspection.correct",
            tooltip=N_(
                "Correct an item of the locked inspection (a dated amendment, never an edit)"
            ),
        ),
        Binding(
            "l",
            "etat",
            N_("Meters, keys, PDF"),
            id="inspection.etat",
            show=False,
            tooltip=N_("Meter readings, keys handed over, new address; the tenant's PDF copy"),
        ),
        Binding("escape", "back", N_("Back"), id="inspection.back"),
    ]

    walk: reactive[Walk | None] = reactive(None, init=False, always_update=True)

    def __init__(self, inspection_id: int) -> None:
        super().__init__()
        self.inspection_id = inspection_id

    @property
    def items(self) -> list[InspectionItem]:
        return self.walk.items if self.walk else []

    def compose(self) -> ComposeResult:
        yield DeskHeader(id="desk-header")
        yield Static(id="inspection-title")
        table: DataTable[Text] = DataTable(id="items", cursor_type="row", zebra_stripes=True)
        yield table
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one("#items", DataTable)
        table.add_column(_("Item"), key="item", width=30)
        table.add_column(_("State"), key="state", width=8)
        table.add_column(_("Remark"), key="remark", width=34)
        table.focus()
        self.reload()

    def fetch(self) -> None:
        inspection = Inspection.get_by_id(self.inspection_id)
        self.walk = Walk(
            inspection,
            list(inspection.items.order_by(InspectionItem.position)),
            {v.item_id: v for v in inspections.items(inspection.id)},
        )

    def watch_walk(self, walk: Walk | None) -> None:
        if walk is None:
            return
        self.refresh_bindings()
        self.query_one("#inspection-title", Static).update(title_of(walk))
        table = self.query_one("#items", DataTable)
        row = table.cursor_row
        table.clear()
        labels = state_labels()
        for item in walk.items:
            view = walk.views[item.id]
            corrected = "*" if view.amendments else ""
            table.add_row(
                Text(_(item.label), no_wrap=True, overflow="ellipsis"),
                Text(
                    labels.get(view.state or "", "·") + corrected,
                    style="bold" if view.state in ("damaged", "missing") else "",
                ),
                Text(view.remark, no_wrap=True, overflow="ellipsis"),
                key=str(item.id),
            )
        if row >= 0 and walk.items:
            table.move_cursor(row=min(row, len(walk.items) - 1))

    def current(self) -> InspectionItem | None:
        row = self.query_one("#items", DataTable).cursor_row
        return self.items[row] if 0 <= row < len(self.items) else None

    def action_state(self, state: str) -> None:
        """Record the highlighted item and move on at once: the walk goes at the pace of the
        keys, the saves follow."""
        item, desk = self.current(), self.desk
        if item is None:
            return
        self.query_one("#items", DataTable).action_cursor_down()
        self.run_desk_action(
            _("This item cannot be changed"), lambda: set_item(desk, item.id, state=state)
        )

    @work(exclusive=True, group=FORM)
    async def action_remark(self) -> None:
        item = self.current()
        if item is None or self.walk is None:
            return
        if self.walk.inspection.locked:
            self.refuse(
                _("This item cannot be changed"),
                _("this inspection is acknowledged by the tenant and locked"),
            )
            return
        remark = await self.app.push_screen_wait(RemarkForm(_(item.label), item.remark))
        if remark is not None:
            desk = self.desk
            self.run_desk_action(
                _("This remark cannot be saved"),
                lambda: set_item(desk, item.id, remark=remark.text),
            )

    @work(exclusive=True, group=FORM)
    async def action_acknowledge(self) -> None:
        if self.walk is None:
            return
        name = self.walk.inspection.reservation.student.full_name
        question = _(
            "{name} has walked the room and acknowledges its condition as recorded. "
            "The inspection will be locked."
        ).format(name=name)
        if not await self.app.push_screen_wait(ConfirmScreen(question)):
            return
        desk = self.desk
        self.run_desk_action(
            _("Not acknowledged yet"),
            lambda: acknowledge_inspection(desk, self.inspection_id),
            lambda _r: self.notify(_("Inspection acknowledged and locked"), markup=False),
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Before the tenant's acknowledgement the items are edited; after, only corrected."""
        if self.walk is None:
            return True
        locked = self.walk.inspection.locked
        if action == "correct":
            return locked
        if action in ("state", "remark", "acknowledge"):
            return not locked
        return True

    @work(exclusive=True, group=FORM)
    async def action_correct(self) -> None:
        item = self.current()
        if item is None or self.walk is None:
            return
        view = self.walk.views[item.id]
        desk = self.desk

        def amend(answer: Correction) -> object:
            state = answer.state.strip().lower() or None
            return inspections.amend_item(
                desk,
                item.id,
                reason=answer.reason,
                state=state if state != view.state else None,
                remark=answer.remark if answer.remark != view.remark else None,
                by_tenant=answer.by_tenant,
            )

        answer = await self.app.push_screen_wait(  # open until recorded: nothing typed is lost
            FieldsForm(
                _("Correct “{item}”").format(item=_(item.label)),
                Correction,
                [
                    ("state", _("State (new, good, worn, damaged, missing)"), view.state or ""),
                    ("remark", _("Remark"), view.remark),
                    ("reason", _("Why the correction (required)"), ""),
                    (
                        "tenant",
                        _("Reported by the tenant? (yes / no)"),
                        _("yes") if self.walk.inspection.kind == "check_in" else _("no"),
                    ),
                ],
                note=_(
                    "The inspection stays as acknowledged; the correction is added, dated "
                    "and signed by you."
                ),
                save=amend,
                field_of={"unknown_state": "state", "text_required": "reason"},
            )
        )
        if answer is not None:
            self.notify(_("Correction recorded"), markup=False)
            self.reload()

    def action_etat(self) -> None:
        from .etat import EtatScreen

        self.app.push_screen(EtatScreen(self.inspection_id), lambda _r: self.reload())

    def action_back(self) -> None:
        self.dismiss(None)
