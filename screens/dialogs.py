"""The two message boxes every screen uses: the reasons of a refusal, and a yes/no question."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from crous_desk.base.i18n import N_, _

from .language import SpeaksTheDesk


class ReasonsScreen(SpeaksTheDesk, ModalScreen[None]):
    """A refusal, with every reason; nothing was changed."""

    BINDINGS = [Binding("escape,enter,space", "dismiss", N_("Close"), id="reasons.close")]

    def __init__(self, title: str, reasons: Iterable[str], *, done: bool = False) -> None:
        """``done``: the change was made, and these are what still needs attention."""
        super().__init__()
        self.title_text = title
        self.reasons = list(reasons)
        self.done = done

    def compose(self) -> ComposeResult:
        text = Text()
        text.append(self.title_text + "\n\n", style="bold")
        for reason in self.reasons:
            text.append("• ")
            text.append(reason)
            text.append("\n")
        closing = (
            _("This was recorded. Enter or Esc to close.")
            if self.done
            else _("Nothing was changed. Enter or Esc to close.")
        )
        text.append("\n" + closing, style="dim")
        with Vertical(classes="dialog"):
            yield Static(text)


class ConfirmScreen(SpeaksTheDesk, ModalScreen[bool]):
    """Before a change that matters (keys handed, a set lost, an extension decided, a room made
    ready): the question names what will happen — the set and the tenant, the charge."""

    BINDINGS = [
        Binding("y,o", "answer(True)", N_("Yes"), id="confirm.yes"),
        Binding("n,escape", "answer(False)", N_("No"), id="confirm.no"),
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
