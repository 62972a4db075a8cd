"""The desk application: one factory builds it for the CLI, the tests and the snapshots."""

from __future__ import annotations

import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs
from rich.text import Text
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from crous_desk.clock import Clock
from crous_desk.config import Config
from crous_desk.i18n import _
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
        Binding("f2", "home", "Today", id="app.home", tooltip="Today at the desk, and search"),
        Binding("f3", "rooms", "Rooms", id="app.rooms", tooltip="Rooms and their status"),
        Binding("f4", "keys", "Keys", id="app.keys", tooltip="Key sets, key log, 17:00 check"),
        Binding(
            "f6",
            "extensions",
            "Extensions",
            id="app.extensions",
            tooltip="Extension requests to decide",
        ),
        Binding("ctrl+q", "quit", "Quit", id="app.quit"),
    ]

    def __init__(self, desk: Desk, config: Config) -> None:
        super().__init__()
        self.desk = desk
        self.config = config

    def on_mount(self) -> None:
        self.push_screen(SearchScreen())

    def _fatal_error(self) -> None:
        """An unexpected error: the details go to a log file, the receptionist gets one line.

        Every change runs in one transaction, so nothing was half-written."""
        if self.is_headless:  # tests want the real traceback
            super()._fatal_error()
            return
        path = write_crash_log()
        self.bell()
        self._exit_renderables.append(
            Text(
                _(
                    "crous-desk stopped on an unexpected error; nothing was half-written. "
                    "Details for the support: {path}"
                ).format(path=path)
            )
        )
        self._close_messages_no_wait()

    def action_home(self) -> None:
        while len(self.screen_stack) > 2 and not isinstance(self.screen, SearchScreen):
            self.pop_screen()

    def _open_tool(self, screen_type: type[Screen[None]]) -> None:
        if not isinstance(self.screen, screen_type):
            self.push_screen(screen_type())

    def action_rooms(self) -> None:
        from .rooms import RoomsScreen

        self._open_tool(RoomsScreen)

    def action_keys(self) -> None:
        from .keys import KeysScreen

        self._open_tool(KeysScreen)

    def action_extensions(self) -> None:
        from .extensions import ExtensionsScreen

        self._open_tool(ExtensionsScreen)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))


def write_crash_log() -> Path:
    directory = Path(platformdirs.user_log_dir("crous-desk", appauthor=False))
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"crash-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.log"
    path.write_text(traceback.format_exc(), encoding="utf-8")
    return path


def make_app(actor: Staff, residence: Residence | None, clock: Clock, config: Config) -> DeskApp:
    return DeskApp(Desk(actor=actor, clock=clock, residence=residence), config)


def launch(**kwargs: Any) -> int:
    app = make_app(**kwargs)
    app.run()
    return app.return_code or 0
