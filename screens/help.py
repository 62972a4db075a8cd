"""F1: the keys of the current screen, from the same bindings the footer shows."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from crous_desk.base.i18n import N_, _

from .language import SpeaksTheDesk
from .widgets import DeskFooter


def screen_bindings(screen: Screen[object]) -> list[tuple[str, Binding, DOMNode]]:
    """(key shown, binding, where it is defined) for every described binding of ``screen``
    and of the app: our own actions, not the widgets' cursor keys."""
    seen: set[str] = set()
    out: list[tuple[str, Binding, DOMNode]] = []
    for active in screen.active_bindings.values():
        binding = active.binding
        if not isinstance(active.node, (Screen, App)):
            continue
        if not binding.description or binding.action in seen or not active.enabled:
            continue
        seen.add(binding.action)
        out.append((screen.app.get_key_display(binding), binding, active.node))
    return out


class HelpScreen(SpeaksTheDesk, ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "dismiss", N_("Close help"), id="help.close")]

    def __init__(self, under: Screen[object]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        text = Text()
        text.append(_("Keys on this screen") + "\n\n", style="bold")
        for key, binding, _node in screen_bindings(self.under):
            text.append(f"{key:>12}  ", style="bold")
            text.append(binding.description)
            if binding.tooltip:
                text.append(f" — {binding.tooltip}", style="dim")
            text.append("\n")
        text.append(
            "\n"
            + _(
                "Arrows, Tab and Enter move and choose. Ctrl+P opens the command "
                "palette: type what you want to do."
            )
        )
        with VerticalScroll(id="help-box"):
            yield Static(text)
        yield DeskFooter()
