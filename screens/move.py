"""Moving a tenant to another room: prepare it (the room, why), walk the two inspections with
the tenant (the room left, the room given), then move in one action at the desk."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import Static

from crous_desk.base.i18n import N_, _
from crous_desk.departure import move as moving
from crous_desk.rules.condition import euros
from crous_desk.rules.proposal import format_instant

from .base import FORM, DeskScreen
from .forms import FieldsForm
from .widgets import ConfirmScreen, DeskFooter, DeskHeader


@dataclass(frozen=True)
class MoveAsked:
    room: str
    reason: str


def describe(lines: list[moving.MoveLine]) -> Text:
    text = Text()
    text.append(_("Moving to another room"), style="bold")
    text.append("\n")
    pending = [m for m in lines if m.moved_at is None]
    done = [m for m in lines if m.moved_at is not None]
    if not pending:
        text.append(_("No move prepared: press p to choose the room and say why.") + "\n")
    for m in pending:
        text.append(
            _("Prepared: {old} → {new} ({reason})").format(
                old=m.from_room, new=m.to_room, reason=m.reason
            )
            + "\n",
            style="bold",
        )
        for locked, label in (
            (m.check_out_locked, _("o: check-out of {room}").format(room=m.from_room)),
            (m.check_in_locked, _("i: check-in of {room}").format(room=m.to_room)),
        ):
            state = _("acknowledged") if locked else _("to walk with the tenant")
            text.append(f"  {label} — {state}\n")
        text.append(_("x: move now (keys back and handed, at the desk)") + "\n")
    for m in done:
        text.append(
            _("Moved {when}: {old} → {new} ({reason})").format(
                when=format_instant(m.moved_at) if m.moved_at else "",
                old=m.from_room,
                new=m.to_room,
                reason=m.reason,
            )
            + "\n"
        )
    return text


class MoveScreen(DeskScreen):
    BINDINGS = [
        Binding("p", "prepare", N_("Prepare"), id="move.prepare"),
        Binding("o", "check_out", N_("Check-out"), id="move.check_out"),
        Binding("i", "check_in", N_("Check-in"), id="move.check_in"),
        Binding("x", "move", N_("Move now"), id="move.move"),
        Binding("escape", "back", N_("Back"), id="move.back"),
    ]

    lines: reactive[list[moving.MoveLine] | None] = reactive(None, init=False, always_update=True)

    def __init__(self, reservation_id: int) -> None:
        super().__init__()
        self.reservation_id = reservation_id

    def compose(self) -> ComposeResult:
        yield DeskHeader(id="desk-header")
        yield Static(id="move")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.reload()

    def fetch(self) -> None:
        self.lines = moving.moves_of(self.desk, self.reservation_id)

    def watch_lines(self, lines: list[moving.MoveLine] | None) -> None:
        if lines is None:
            return
        self.refresh_bindings()
        self.query_one("#move", Static).update(describe(lines))

    @property
    def pending(self) -> moving.MoveLine | None:
        return next((m for m in self.lines or [] if m.moved_at is None), None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.lines is None:
            return True
        if action in ("check_out", "check_in", "move"):
            return self.pending is not None
        if action == "prepare":
            return self.pending is None
        return True

    @work(exclusive=True, group=FORM)
    async def action_prepare(self) -> None:
        answer = await self.app.push_screen_wait(
            FieldsForm(
                _("Move the tenant to another room"),
                MoveAsked,
                [("room", _("Room (e.g. B-214)"), ""), ("reason", _("Why (required)"), "")],
                note=_("The check-out of this room and the check-in of the new one open."),
            )
        )
        if answer is None:
            return
        desk = self.desk
        self.run_desk_action(
            _("No move prepared"),
            lambda: moving.prepare_move(
                desk, self.reservation_id, answer.room, reason=answer.reason
            ),
        )

    def _inspect(self, inspection_id: int) -> None:
        from .inspection import InspectionScreen

        self.app.push_screen(InspectionScreen(inspection_id), lambda _r: self.reload())

    def action_check_out(self) -> None:
        if self.pending is not None:
            self._inspect(self.pending.check_out_id)

    def action_check_in(self) -> None:
        if self.pending is not None:
            self._inspect(self.pending.check_in_id)

    @work(exclusive=True, group=FORM)
    async def action_move(self) -> None:
        pending = self.pending
        if pending is None:
            return
        question = _(
            "Move the tenant from {old} to {new} now: keys of {old} back, a key set of {new} "
            "handed over?"
        ).format(old=pending.from_room, new=pending.to_room)
        if not await self.app.push_screen_wait(ConfirmScreen(question)):
            return
        desk = self.desk  # the lease stays as it is (a new end is decided through the API)
        self.run_desk_action(
            _("Not moved"),
            lambda: moving.move_room(desk, self.reservation_id),
            lambda result: self.notify(
                _("Moved · keys back: {keys} · handed: {handed} · damages {total}").format(
                    keys=", ".join(result.keys_returned) or _("none"),
                    handed=result.key_handed,
                    total=euros(result.damage_cents),
                ),
                markup=False,
            ),
        )

    def action_back(self) -> None:
        self.dismiss(None)
