"""The desk application: one factory builds it for the CLI, the tests and the snapshots."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.binding import Binding

from crous_desk.clock import Clock
from crous_desk.config import Config
from crous_desk.models import Residence, Staff
from crous_desk.services import Desk

from .commands import BindingCommands
from .help import HelpScreen
from .search import SearchScreen


class DeskApp(App[None]):
    CSS_PATH = "desk.tcss"
    TITLE = "crous-desk"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {BindingCommands}
    BINDINGS = [
        Binding("f1", "help", "Help", id="app.help"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit"),
    ]

    def __init__(self, desk: Desk, config: Config) -> None:
        super().__init__()
        self.desk = desk
        self.config = config

    def on_mount(self) -> None:
        self.push_screen(SearchScreen())

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))


def make_app(actor: Staff, residence: Residence | None, clock: Clock, config: Config) -> DeskApp:
    return DeskApp(Desk(actor=actor, clock=clock, residence=residence), config)


def launch(**kwargs: Any) -> int:
    make_app(**kwargs).run()
    return 0
