"""Small pieces shared by the screens: the desk header and the message boxes."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from crous_desk.base.i18n import _
from crous_desk.desk.context import Desk
from crous_desk.rules.hours import describe_status

if TYPE_CHECKING:
    from .app import DeskApp


def desk_of(widget: object) -> Desk:
    return cast("DeskApp", widget.app).desk  # type: ignore[attr-defined]


class DeskHeader(Static):
    """Residence · Paris time · desk status; refreshed every few seconds from the one clock."""

    DEFAULT_CSS = """
    DeskHeader { height: 1; background: $primary; color: $text; padding: 0 1; }
    """

    def on_mount(self) -> None:
        self.refresh_status()
        self.set_interval(5, self.refresh_status)

    def refresh_status(self) -> None:
        desk = desk_of(self)
        status = desk.desk_status()
        residence = desk.residence.name if desk.residence else _("all residences")
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(residence, style="bold")
        line.append(f"  {status.at:%a %d/%m %H:%M}  ")
        line.append(describe_status(status), style="bold" if status.is_open else "reverse")
        self.update(line)


class ReasonsScreen(ModalScreen[None]):
    """A refusal, with every reason; nothing was changed."""

    BINDINGS = [Binding("escape,enter,space", "dismiss", "Close", id="reasons.close")]

    def __init__(self, title: str, reasons: list[str] | tuple[str, ...]) -> None:
        super().__init__()
        self.title_text = title
        self.reasons = list(reasons)

    def compose(self) -> ComposeResult:
        text = Text()
        text.append(self.title_text + "\n\n", style="bold")
        for reason in self.reasons:
            text.append("• ")
            text.append(reason)
            text.append("\n")
        text.append("\n" + _("Nothing was changed. Enter or Esc to close."), style="dim")
        with Vertical(classes="dialog"):
            yield Static(text)


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        text = Text(self.question + "\n\n")
        text.append(_("y: yes    n or Esc: no"), style="dim")
        with Vertical(classes="dialog"):
            yield Static(text)

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)
