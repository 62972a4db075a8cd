"""The desk application: one factory builds it for the CLI, the tests and the snapshots."""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.screen import Screen
from textual.theme import BUILTIN_THEMES
from textual.widgets import Input

from crous_desk.base.clock import Clock
from crous_desk.base.config import Config
from crous_desk.base.i18n import N_, _
from crous_desk.desk import permissions
from crous_desk.desk.context import Desk
from crous_desk.store.models import Residence, Staff, db

from .commands import BindingCommands
from .help import HelpScreen
from .keymap import keymap_problems
from .language import quit_hint, switch_language, system_commands
from .search import SearchScreen


class DeskApp(App[None]):
    CSS_PATH = "desk.tcss"
    TITLE = "crous-desk"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {BindingCommands}
    BINDINGS = [
        Binding("f1", "help", N_("Help"), id="app.help"),
        Binding(
            "f2", "home", N_("Today"), id="app.home", tooltip=N_("Today at the desk, and search")
        ),
        Binding("f3", "rooms", N_("Rooms"), id="app.rooms", tooltip=N_("Rooms and their status")),
        Binding(
            "f4", "keys", N_("Keys"), id="app.keys", tooltip=N_("Key sets, key log, 17:00 check")
        ),
        Binding(
            "f6",
            "extensions",
            N_("Extensions"),
            id="app.extensions",
            tooltip=N_("Extension requests to decide"),
        ),
        Binding(
            "f5",
            "students",
            N_("Students"),
            show=False,
            id="app.students",
            tooltip=N_("The mobility manager's students and their pipeline"),
        ),
        Binding(
            "f7",
            "audit",
            N_("Audit"),
            show=False,
            id="app.audit",
            tooltip=N_("The audit log, filtered"),
        ),
        Binding(
            "f8", "staff", N_("Staff"), show=False, id="app.staff", tooltip=N_("Staff accounts")
        ),
        Binding(
            "f9",
            "outbox",
            N_("Outbox"),
            show=False,
            id="app.outbox",
            tooltip=N_("The e-mail outbox"),
        ),
        Binding(
            "ctrl+e",
            "export",
            N_("Export"),
            show=False,
            id="app.export",
            tooltip=N_("Write a CSV export"),
            priority=True,  # also from a text box, whose own Ctrl+E would take it
        ),
        Binding("ctrl+q", "quit", N_("Quit"), id="app.quit"),
    ]
    # the permission each app-wide action needs; a role without it does not see the key
    ACTION_NEEDS = {
        "home": "room.view",
        "rooms": "room.view",
        "keys": "keys.view",
        "extensions": "extension.request",
        "students": "pipeline.view",
        "audit": "audit.view",
        "staff": "staff.manage",
        "outbox": "mail.view",
    }

    def __init__(
        self,
        desk: Desk | None,
        config: Config,
        *,
        clock: Clock | None = None,
        residence: Residence | None = None,
        idle_lock: timedelta | None = None,
    ) -> None:
        """``desk`` None: the sign-in screen asks who works here first."""
        super().__init__()
        self.config = config
        self.clock: Clock = desk.clock if desk is not None else clock  # type: ignore[assignment]
        self.wanted_residence = desk.residence if desk is not None else residence
        self.idle_lock = idle_lock
        self.locked = False
        self.grant: permissions.Grant | None = None
        self.desk: Desk = desk  # type: ignore[assignment]  # None only until sign-in
        if desk is not None:
            self.grant = permissions.grant_of(desk.actor)
        self.last_activity = self.clock.now()
        self.crash_log: Path | None = None
        self._jobs = 0
        self._jobs_lock = threading.Lock()
        # the desk's language (the CLI resolved it into config.language), or the account's own
        switch_language(self, (desk.actor.language if desk else None) or config.language)
        if config.theme:
            self.theme = config.theme
        if config.keymap:
            self.set_keymap(dict(config.keymap))
        self.mail_problem = ""  # why the desk's last run of the outbox failed, if it did
        # every open screen reads its data again this often (another desk's changes, the
        # countdowns); after a change at this desk it is read again at once
        self.live_seconds = 60.0
        self._tools: set[type[Screen[None]]] = set()  # the screens the F-keys open

    def on_mount(self) -> None:
        if self.desk is None:
            from .signin import SignInScreen

            self.push_screen(SignInScreen())
        else:
            self.open_workspace()
        if self.idle_lock is not None:
            self.set_interval(1.0, self.lock_if_idle)
        if self.config.mail_interval_minutes and self.config.smtp_host:
            self.set_interval(self.config.mail_interval_minutes * 60, self.send_mail)

    # -- who works here ---------------------------------------------------------------------

    def sign_in_as(self, staff: Staff) -> None:
        """After a good sign-in: the desk of this account, and its own workspace."""
        residence = permissions.desk_residence(staff, self.wanted_residence)
        self.desk = Desk(actor=staff, clock=self.clock, residence=residence)
        self.grant = permissions.grant_of(staff)
        switch_language(self, staff.language or self.config.language)  # their own, if set
        self.touch()
        self.pop_screen()
        self.open_workspace()

    def open_workspace(self) -> None:
        """A mobility manager starts on their students; the desk roles on the search."""
        if self.grant is not None and self.grant.role == permissions.MANAGER:
            from .manager import ManagerScreen

            self.push_screen(ManagerScreen())
        else:
            self.push_screen(SearchScreen())

    def touch(self) -> None:
        self.last_activity = self.clock.now()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown)) and not event.is_forwarded:
            if not self.locked:
                self.touch()
            if isinstance(event, events.Key) and await self._key_in_order(event):
                return
        await super().on_event(event)

    async def _key_in_order(self, event: events.Key) -> bool:
        """A key typed into a text box is applied now, before the next key is read.

        Textual 8.2.8 forwards each key to the focused ``Input``'s own queue and reads the
        next one at once; a character is inserted when the box reads it, but a bound key
        (Backspace, ←, Tab, Enter…) goes back up to the app and runs its binding only then
        (textual#6605). In a burst — a barcode scanner, a laggy SSH link — the characters
        after it overtake it (``XYZ⌫W`` gave "XYZ"; the digits after a Tab stayed in the
        first box). So the app does the box's work itself, in order: priority bindings, a
        character into the box, else the bindings from the box up — what Textual would do,
        without the round trip. Returns whether the key was used."""
        box = self.focused
        if not isinstance(box, Input):
            return False
        if await self._check_bindings(event.key, priority=True):
            return True
        if event.is_printable and event.character is not None:
            if box.selection.is_empty:
                box.insert_text_at_cursor(event.character)
            else:
                box.replace(event.character, *box.selection)
            return True
        return await self._check_bindings(event.key)

    def lock_if_idle(self) -> None:
        """Lock the desk after ``idle_lock`` without a key or a click."""
        if self.idle_lock is None or self.desk is None or self.locked:
            return
        if self.clock.now() - self.last_activity < self.idle_lock:
            return
        from .signin import LockScreen

        self.locked = True
        minutes = int(self.idle_lock.total_seconds() // 60)
        self.push_screen(LockScreen(self.desk.actor, minutes), self._unlocked)

    def _unlocked(self, _result: object = None) -> None:
        self.locked = False
        self.touch()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Before sign-in and while locked only Quit works; a role sees the keys it may use
        (the core refuses the rest anyway)."""
        if action == "quit":
            return True
        if self.desk is None or self.locked:
            return False
        needed = self.ACTION_NEEDS.get(action)
        if needed is not None and self.grant is not None:
            return self.grant.role in permissions.MATRIX[needed]
        return True

    # -- Textual's own texts, in the desk's language --------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from system_commands(super().get_system_commands(screen))

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(
                CommandPalette(id="--command-palette", placeholder=_("Search for commands…"))
            )

    def search_themes(self) -> None:
        from textual.theme import ThemeProvider

        self.push_screen(
            CommandPalette(providers=[ThemeProvider], placeholder=_("Search for themes…"))
        )

    def action_help_quit(self) -> None:
        quit_hint(self)

    # -- the e-mail outbox ------------------------------------------------------------------

    def send_mail(self) -> None:
        """A running desk sends the outbox every ``mail_interval_minutes`` (a timer may do it
        too: a message is claimed before it is sent, so it never goes twice)."""
        if self.desk is not None:
            self.run_worker(self._send_mail, thread=True, group="mail", exclusive=True)

    def _send_mail(self) -> None:
        from crous_desk.mail import run_as_installation

        with self.job():
            try:
                run_as_installation(self.config, self.clock)
            except Exception as error:  # mail never stops the desk: the outbox screen says why
                self.mail_problem = str(error)  # the outbox screen says it
            else:
                self.mail_problem = ""

    # -- work off the UI thread, and the unexpected ---------------------------------------

    @contextmanager
    def job(self) -> Iterator[None]:
        """One piece of work in a worker thread: counted while it runs (``busy``), and the
        thread's own database connection closed after it."""
        with self._jobs_lock:
            self._jobs += 1
        try:
            yield
        finally:
            if db.obj is not None and not db.is_closed():
                db.close()
            with self._jobs_lock:
                self._jobs -= 1

    @property
    def busy(self) -> bool:
        """Some desk work is still running in a thread."""
        return self._jobs > 0

    def crash(self, error: BaseException) -> None:
        """An unexpected error: the details go to a log file, the receptionist gets one line
        (see ``crash.run``). Every change runs in one transaction, so nothing was half-written.

        Headless (under test) it is raised again, so that the test sees the real error."""
        if self.is_headless:
            raise error
        from .crash import write_crash_log

        self.crash_log = write_crash_log(
            "".join(traceback.format_exception(error)), self.clock.now()
        )
        self.bell()
        self.exit(return_code=1)

    # -- the tools --------------------------------------------------------------------------

    def action_home(self) -> None:
        """F2: back to today at the desk, with an empty search box."""
        while len(self.screen_stack) > 2 and not isinstance(self.screen, SearchScreen):
            self.pop_screen()
        if isinstance(self.screen, SearchScreen):
            self.screen.action_clear()

    def _open_tool(self, screen_type: type[Screen[None]]) -> None:
        """A tool (F3 rooms, F4 keys…) takes the place of the tool already open, and of what
        was opened from it, instead of stacking: Esc goes back to where the first one was
        opened (F3, F4, F3, F4 then Esc: home)."""
        if isinstance(self.screen, screen_type):
            return
        self._tools.add(screen_type)
        stack = self.screen_stack
        first_tool = next(
            (i for i, s in enumerate(stack) if i > 1 and type(s) in self._tools), None
        )
        if first_tool is not None:
            for _ in range(len(stack) - first_tool):
                self.pop_screen()
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

    def action_students(self) -> None:
        from .manager import ManagerScreen

        self._open_tool(ManagerScreen)

    def action_audit(self) -> None:
        from .audit import AuditScreen

        self._open_tool(AuditScreen)

    def action_staff(self) -> None:
        from .staff import StaffScreen

        self._open_tool(StaffScreen)

    def action_outbox(self) -> None:
        from .outbox import OutboxScreen

        self._open_tool(OutboxScreen)

    def action_export(self) -> None:
        from .exports import ExportScreen

        if not isinstance(self.screen, ExportScreen):
            self.push_screen(ExportScreen())


def make_app(
    actor: Staff | None,
    residence: Residence | None,
    clock: Clock,
    config: Config,
    *,
    idle_lock: timedelta | None = None,
) -> DeskApp:
    """The app for ``actor``; with no actor, it opens on the sign-in screen. ``idle_lock``:
    lock the desk after that long without a key or a click (None: never)."""
    if actor is None:
        return DeskApp(None, config, clock=clock, residence=residence, idle_lock=idle_lock)
    desk = Desk(actor=actor, clock=clock, residence=residence)
    return DeskApp(desk, config, idle_lock=idle_lock)


def launch(**kwargs: Any) -> int:
    from .crash import run

    config: Config = kwargs["config"]
    problems = keymap_problems(dict(config.keymap))
    if config.theme and config.theme not in BUILTIN_THEMES:
        problems.append(_("theme: no theme named {name!r}").format(name=config.theme))
    if problems:
        for problem in problems:
            print(f"crous-desk: {problem}", file=sys.stderr)
        return 2
    minutes = config.idle_lock_minutes
    return run(make_app(**kwargs, idle_lock=timedelta(minutes=minutes) if minutes else None))
