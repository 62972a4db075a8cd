"""The forms of the people screens: an account, a passphrase, a student's INE. Each one asks
the core before it closes, and shows a refusal in place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from crous_desk.base.i18n import _
from crous_desk.desk.permissions import ROLES, role_label
from crous_desk.people.staff import StaffRow

from .forms import Choice, SavingForm


@dataclass(frozen=True)
class IneRecorded:
    ine: str


class IneForm(SavingForm[IneRecorded]):
    """The student's INE; the core checks its shape and that no other student has it."""

    def __init__(self, name: str, current: str, save: Callable[[str], object]) -> None:
        super().__init__()
        self.student_name = name
        self.current = current
        self.save = save

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(_("INE — {name}").format(name=self.student_name), style="bold"))
            yield Static(Text(_("10 digits and 1 letter, or 9 digits and 2 letters"), style="dim"))
            yield Label(_("INE"))
            yield Input(self.current, id="ine", max_length=20)
            yield Static(id="form-error")
            yield Static(Text(_("Enter: save    Esc: cancel"), style="dim"))

    def on_mount(self) -> None:
        self.query_one("#ine", Input).focus()

    def action_submit(self) -> None:
        text = self.query_one("#ine", Input).value
        self.save_and_close(IneRecorded(text), lambda: self.save(text))


@dataclass(frozen=True)
class Account:
    """A new account (every field), or a new role and scope for one (the rest empty)."""

    role: str
    scope: str
    username: str = ""
    name: str = ""
    passphrase: str = ""
    os_user: str = ""


class AccountForm(SavingForm[Account]):
    """A new account, or a new role and scope for ``row``; ``save`` asks the core."""

    def __init__(
        self, title: str, save: Callable[[Account], object], row: StaffRow | None = None
    ) -> None:
        super().__init__()
        self.title_text = title
        self.save = save
        self.row = row

    def compose(self) -> ComposeResult:
        row = self.row
        with Vertical(classes="dialog"):
            yield Static(Text(self.title_text, style="bold"))
            if row is None:
                yield Label(_("Username"))
                yield Input(id="username", max_length=32, compact=True)
                yield Label(_("Full name"))
                yield Input(id="name", max_length=80, compact=True)
            yield Choice(
                [(r, role_label(r)) for r in ROLES],
                value=row.role if row else "receptionist",
                id="role",
            )
            yield Label(_("Scope: residence:CODE, campus:NAME, university:NAME (* for all)"))
            yield Input(scope_text(row) if row else "", id="scope", max_length=300, compact=True)
            if row is None:
                yield Label(_("Passphrase (10 characters or more; empty: none yet)"))
                yield Input(id="passphrase", password=True, max_length=200, compact=True)
                yield Label(_("Trusted OS login over SSH (optional)"))
                yield Input(id="os-user", max_length=32, compact=True)
            yield Static(id="form-error")
            yield Static(Text(_("Tab: next    Ctrl+S: save    Esc: cancel"), style="dim"))

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def action_submit(self) -> None:
        values = {widget.id: widget.value for widget in self.query(Input) if widget.id}
        account = Account(
            role=self.query_one("#role", Choice).value,
            scope=values.get("scope", ""),
            username=values.get("username", ""),
            name=values.get("name", ""),
            passphrase=values.get("passphrase", ""),
            os_user=values.get("os-user", ""),
        )
        self.save_and_close(account, lambda: self.save(account))


def scope_text(row: StaffRow) -> str:
    parts = []
    for kind, values in (
        ("residence", row.scope.residences),
        ("campus", row.scope.campuses),
        ("university", row.scope.universities),
    ):
        for value in sorted(values):
            parts.append(f'{kind}:"{value}"' if "," in value else f"{kind}:{value}")
    return ", ".join(parts)


@dataclass(frozen=True)
class PassphraseSet:
    username: str


class PassphraseForm(SavingForm[PassphraseSet]):
    def __init__(self, username: str, save: Callable[[str], object]) -> None:
        super().__init__()
        self.username = username
        self.save = save

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                Text(_("New passphrase — {name}").format(name=self.username), style="bold")
            )
            yield Label(_("Passphrase"))
            yield Input(id="first", password=True, max_length=200, compact=True)
            yield Label(_("Again"))
            yield Input(id="second", password=True, max_length=200, compact=True)
            yield Static(id="form-error")
            yield Static(Text(_("Enter: next / save    Esc: cancel"), style="dim"))

    def on_mount(self) -> None:
        self.query_one("#first", Input).focus()

    def action_submit(self) -> None:
        first = self.query_one("#first", Input).value
        if first != self.query_one("#second", Input).value:
            self.error(_("The two passphrases differ."))
            return
        self.save_and_close(PassphraseSet(self.username), lambda: self.save(first))
