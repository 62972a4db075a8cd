"""The room-condition inspection: the items of the room's kind, a state and a remark for each,
acknowledged by the tenant, then locked."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from crous_desk import inspections
from crous_desk.base.errors import Refused
from crous_desk.base.i18n import _
from crous_desk.inspections.record import acknowledge_inspection, set_item
from crous_desk.rules.proposal import format_instant
from crous_desk.rules.reference import room_kinds
from crous_desk.store.models import Inspection, InspectionItem

from .forms import FieldsForm, RemarkForm
from .widgets import ConfirmScreen, DeskHeader, ReasonsScreen, desk_of


def state_labels() -> dict[str, str]:
    return {
        "new": _("new"),
        "good": _("good"),
        "worn": _("worn"),
        "damaged": _("damaged"),
        "missing": _("missing"),
    }


class InspectionScreen(Screen[None]):
    BINDINGS = [
        Binding("n", "state('new')", "New", id="inspection.new"),
        Binding("g", "state('good')", "Good", id="inspection.good"),
        Binding("w", "state('worn')", "Worn", id="inspection.worn"),
        Binding("d", "state('damaged')", "Damaged", id="inspection.damaged"),
        Binding("m", "state('missing')", "Missing", id="inspection.missing"),
        Binding("r", "remark", "Remark", id="inspection.remark"),
        Binding("a", "acknowledge", "Tenant ack.", id="inspection.acknowledge"),
        Binding(
            "c",
            "correct",
            "Correct",
            id="inspection.correct",
            tooltip="Correct an item of the locked inspection (a dated amendment, never an edit)",
        ),
        Binding("escape", "back", "Back", id="inspection.back"),
    ]

    def __init__(self, inspection_id: int) -> None:
        super().__init__()
        self.inspection_id = inspection_id
        self.items: list[InspectionItem] = []

    def compose(self) -> ComposeResult:
        yield DeskHeader(id="desk-header")
        yield Static(id="inspection-title")
        table: DataTable[Text] = DataTable(id="items", cursor_type="row", zebra_stripes=True)
        yield table
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#items", DataTable)
        table.add_column(_("Item"), key="item", width=30)
        table.add_column(_("State"), key="state", width=8)
        table.add_column(_("Remark"), key="remark", width=34)
        self.reload()
        table.focus()

    def reload(self) -> None:
        inspection = Inspection.get_by_id(self.inspection_id)
        self.inspection = inspection
        self.items = list(inspection.items.order_by(InspectionItem.position))
        self.views = {v.item_id: v for v in inspections.items(inspection.id)}
        self.refresh_bindings()
        student = inspection.reservation.student
        kind = _("Check-in") if inspection.kind == "check_in" else _("Check-out")
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(f"{kind} · {inspection.room.number} · ", style="bold")
        title.append(room_kinds()[inspection.room.kind].label)
        title.append(" · ")
        title.append(student.full_name)
        title.append("\n")
        done = sum(1 for i in self.items if i.state)
        if inspection.locked:
            title.append(
                _("Locked: acknowledged by {tenant} on {when}").format(
                    tenant=inspection.tenant_name, when=format_instant(inspection.acknowledged_at)
                ),
                style="reverse",
            )
        else:
            title.append(
                _("{done}/{total} items checked — walk the room with the tenant").format(
                    done=done, total=len(self.items)
                ),
                style="dim",
            )
        self.query_one("#inspection-title", Static).update(title)
        table = self.query_one("#items", DataTable)
        row = table.cursor_row
        table.clear()
        labels = state_labels()
        for item in self.items:
            view = self.views[item.id]  # as recorded, with any later correction applied
            corrected = "*" if view.amendments else ""
            table.add_row(
                Text(item.label, no_wrap=True, overflow="ellipsis"),
                Text(
                    labels.get(view.state or "", "·") + corrected,
                    style="bold" if view.state in ("damaged", "missing") else "",
                ),
                Text(view.remark, no_wrap=True, overflow="ellipsis"),
                key=str(item.id),
            )
        if row >= 0 and self.items:
            table.move_cursor(row=min(row, len(self.items) - 1))

    def current(self) -> InspectionItem | None:
        row = self.query_one("#items", DataTable).cursor_row
        return self.items[row] if 0 <= row < len(self.items) else None

    def action_state(self, state: str) -> None:
        item = self.current()
        if item is None:
            return
        try:
            set_item(desk_of(self), item.id, state=state)
        except Refused as refused:
            self.app.push_screen(ReasonsScreen(_("This item cannot be changed"), refused.reasons))
            return
        table = self.query_one("#items", DataTable)
        self.reload()
        table.action_cursor_down()

    @work(exclusive=True, group="form")
    async def action_remark(self) -> None:
        item = self.current()
        if item is None:
            return
        if self.inspection.locked:
            self.app.push_screen(
                ReasonsScreen(
                    _("This item cannot be changed"),
                    [_("this inspection is acknowledged by the tenant and locked")],
                )
            )
            return
        remark = await self.app.push_screen_wait(RemarkForm(item.label, item.remark))
        if not isinstance(remark, str):
            return
        try:
            set_item(desk_of(self), item.id, remark=remark)
        except Refused as refused:
            self.app.push_screen(ReasonsScreen(_("This remark cannot be saved"), refused.reasons))
        self.reload()

    @work(exclusive=True, group="form")
    async def action_acknowledge(self) -> None:
        name = self.inspection.reservation.student.full_name
        question = _(
            "{name} has walked the room and acknowledges its condition as recorded. "
            "The inspection will be locked."
        ).format(name=name)
        if not await self.app.push_screen_wait(ConfirmScreen(question)):
            return
        try:
            acknowledge_inspection(desk_of(self), self.inspection_id)
            self.notify(_("Inspection acknowledged and locked"), markup=False)
        except Refused as refused:
            self.app.push_screen(ReasonsScreen(_("Not acknowledged yet"), refused.reasons))
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Before the tenant's acknowledgement the items are edited; after, only corrected."""
        inspection = getattr(self, "inspection", None)
        if inspection is None:
            return True
        if action == "correct":
            return inspection.locked
        if action in ("state", "remark", "acknowledge"):
            return not inspection.locked
        return True

    @work(exclusive=True, group="form")
    async def action_correct(self) -> None:
        item = self.current()
        if item is None:
            return
        view = self.views[item.id]
        answer = await self.app.push_screen_wait(
            FieldsForm(
                _("Correct “{item}”").format(item=item.label),
                [
                    ("state", _("State (new, good, worn, damaged, missing)"), view.state or ""),
                    ("remark", _("Remark"), view.remark),
                    ("reason", _("Why the correction (required)"), ""),
                ],
                note=_(
                    "The inspection stays as acknowledged; the correction is added, dated "
                    "and signed by you."
                ),
            )
        )
        if not isinstance(answer, dict):
            return
        state = answer["state"].strip().lower() or None
        remark = answer["remark"] if answer["remark"] != view.remark else None
        try:
            inspections.amend_item(
                desk_of(self),
                item.id,
                reason=answer["reason"],
                state=state if state != view.state else None,
                remark=remark,
            )
        except Refused as refused:
            self.app.push_screen(ReasonsScreen(_("No correction recorded"), refused.reasons))
            return
        self.notify(_("Correction recorded"), markup=False)
        self.reload()

    def action_back(self) -> None:
        self.dismiss(None)
