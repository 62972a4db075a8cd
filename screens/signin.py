"""Sign-in, and the lock an idle desk puts over whatever it was showing.

The lock is a modal screen on top of the current one: nothing underneath is lost, and it is
hidden until the same person gives their passphrase again (failures count towards the
lockout, as at sign-in). An account without a passphrase (the demo, a trusted SSH login
without one) gets the same cover, lifted with Enter.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Label, Static

from crous_desk.base.errors import Refused
from crous_desk.base.i18n import N_, _
from crous_desk.people import auth
from crous_desk.store.models import Staff

from .base import DeskWork, desk_app
from .language import SpeaksTheDesk


class SignInScreen(SpeaksTheDesk, DeskWork, Screen[None]):
    CSS_PATH = "people.tcss"
    BINDINGS = [Binding("ctrl+q", "app.quit", N_("Quit"), id="sign-in.quit")]

    def compose(self) -> ComposeResult:
        with Vertical(id="sign-in-box"):
            yield Static(Text(_("crous-desk — sign in"), style="bold"))
            yield Static(Text(self.where(), style="dim"))
            yield Label(_("Username"))
            yield Input(id="username", classes="compact-input", compact=True, max_length=40)
            yield Label(_("Passphrase"))
            yield Input(
                id="passphrase",
                classes="compact-input",
                password=True,
                compact=True,
                max_length=200,
            )
            yield Static(id="form-error")
            yield Static(Text(_("Enter: next / sign in    Ctrl+Q: quit"), style="dim"))

    def where(self) -> str:
        residence = desk_app(self).wanted_residence
        return residence.name if residence is not None else _("CROUS residence desk")

    def on_mount(self) -> None:
        self.query_one("#username", Input).focus()

    @on(Input.Submitted, "#username")
    def _next(self) -> None:
        self.query_one("#passphrase", Input).focus()

    @on(Input.Submitted, "#passphrase")
    def submit(self) -> None:
        """Check the passphrase in a worker (a failure is written down, and counts)."""
        app = desk_app(self)
        username = self.query_one("#username", Input).value
        passphrase = self.query_one("#passphrase", Input).value
        now = app.clock.now()

        def signed_in(staff: Staff) -> None:
            try:
                app.sign_in_as(staff)
            except Refused as refused:  # e.g. an account with no desk here
                self.refused(refused)

        self.run_desk_action(
            "",
            lambda: auth.sign_in(username, passphrase, now),
            signed_in,
            on_refused=self.refused,
            reload=False,
        )

    def refused(self, refused: Refused) -> None:
        passphrase = self.query_one("#passphrase", Input)
        passphrase.value = ""
        self.query_one("#form-error", Static).update(Text(str(refused), style="bold"))
        if not self.query_one("#username", Input).value.strip():
            self.query_one("#username", Input).focus()
        else:
            passphrase.focus()


class LockScreen(SpeaksTheDesk, DeskWork, ModalScreen[None]):
    """The idle desk's cover. Only the person who signed in lifts it; Ctrl+Q quits."""

    CSS_PATH = "people.tcss"
    BINDINGS = [Binding("ctrl+q", "app.quit", N_("Quit"), id="lock.quit")]

    def __init__(self, staff: Staff, idle_minutes: int) -> None:
        super().__init__()
        self.staff = staff
        self.idle_minutes = idle_minutes

    def compose(self) -> ComposeResult:
        with Vertical(id="lock-box"):
            yield Static(Text(_("Desk locked"), style="bold"))
            yield Static(
                Text(
                    _("Nobody used it for {n} minutes; the screen underneath is kept.").format(
                        n=self.idle_minutes
                    ),
                    style="dim",
                )
            )
            who = Text(_("Signed in: "))
            who.append(f"{self.staff.display_name} ({self.staff.username})", style="bold")
            yield Static(who)
            if self.staff.passphrase_hash:
                yield Label(_("Passphrase"))
                yield Input(
                    id="unlock",
                    classes="compact-input",
                    password=True,
                    compact=True,
                    max_length=200,
                )
                hint = _("Enter: unlock    Ctrl+Q: quit (what was typed is lost)")
            else:
                hint = _("Enter: back to the desk    Ctrl+Q: quit")
            yield Static(id="form-error")
            yield Static(Text(hint, style="dim"))

    def on_mount(self) -> None:
        if self.staff.passphrase_hash:
            self.query_one("#unlock", Input).focus()

    def key_enter(self) -> None:
        if not self.staff.passphrase_hash:
            self.unlock()

    @on(Input.Submitted, "#unlock")
    def submit(self, event: Input.Submitted) -> None:
        event.stop()
        passphrase, now = event.value, desk_app(self).clock.now()
        self.run_desk_action(
            "",
            lambda: auth.confirm(self.staff, passphrase, now),
            lambda _staff: self.unlock(),
            on_refused=self.refused,
            reload=False,
        )

    def refused(self, refused: Refused) -> None:
        self.query_one("#unlock", Input).value = ""
        self.query_one("#form-error", Static).update(Text(str(refused), style="bold"))

    def unlock(self) -> None:
        desk_app(self).touch()
        self.dismiss(None)
