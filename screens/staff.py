"""Staff accounts, for an administrator: who may sign in, with which role and scope; create
one, set a passphrase (which also lifts a lockout), change the role and scope, disable."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Label, Static

from crous_desk.base.errors import Refused
from crous_desk.base.i18n import _
from crous_desk.desk.permissions import ROLES, role_label
from crous_desk.people import staff
from crous_desk.people.staff import StaffRow

from .forms import Choice, _Form
from .widgets import ConfirmScreen, ReasonsScreen, desk_of


class AccountForm(_Form):
    """A new account, or a new role and scope for one; ``save`` returns a problem or None."""

    def __init__(
        self,
        title: str,
        save: Callable[[dict[str, str]], str | None],
        row: StaffRow | None = None,
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
            yield Input(_scope_text(row) if row else "", id="scope", max_length=300, compact=True)
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
        values = {
            widget.id or "": widget.value for widget in self.query(Input) if widget.id is not None
        }
        values["role"] = self.query_one("#role", Choice).value
        problem = self.save(values)
        if problem:
            self.error(problem)
            return
        self.dismiss(True)


def _scope_text(row: StaffRow) -> str:
    parts = []
    for kind, values in (
        ("residence", row.scope.residences),
        ("campus", row.scope.campuses),
        ("university", row.scope.universities),
    ):
        for value in sorted(values):
            parts.append(f'{kind}:"{value}"' if "," in value else f"{kind}:{value}")
    return ", ".join(parts)


class PassphraseForm(_Form):
    def __init__(self, username: str, save: Callable[[str], str | None]) -> None:
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
        problem = self.save(first)
        if problem:
            self.error(problem)
            return
        self.dismiss(True)


class StaffScreen(Screen[None]):
    CSS_PATH = "people.tcss"
    BINDINGS = [
        Binding("n", "new", "New", id="staff.new", tooltip="Create an account"),
        Binding("p", "passphrase", "Passphrase", id="staff.passphrase"),
        Binding("s", "scope", "Role/scope", id="staff.scope"),
        Binding("d", "toggle", "Disable", id="staff.toggle", tooltip="Disable or enable"),
        Binding("escape", "back", "Back", id="staff.back"),
    ]

    def compose(self) -> ComposeResult:
        yield Static(id="staff-title")
        table: DataTable[Text] = DataTable(
            id="staff-accounts", cursor_type="row", zebra_stripes=True
        )
        yield table
        yield Static(id="staff-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#staff-accounts", DataTable)
        table.add_column(_("Username"), key="username", width=12)
        table.add_column(_("Name"), key="name", width=18)
        table.add_column(_("Role"), key="role", width=16)
        table.add_column(_("Sign-in"), key="sign_in", width=10)
        table.add_column(_("State"), key="state", width=10)
        self.rows: list[StaffRow] = []
        self.reload()
        table.focus()

    def reload(self) -> None:
        desk = desk_of(self)
        self.rows = staff.staff_rows(desk, include_operators=False)
        now = desk.now()
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(_("Staff accounts"), style="bold reverse")
        title.append("  " + _("{n} accounts").format(n=len(self.rows)))
        self.query_one("#staff-title", Static).update(title)
        table = self.query_one("#staff-accounts", DataTable)
        cursor = table.cursor_row
        table.clear()
        for row in self.rows:
            locked = row.locked_until is not None and row.locked_until > now
            state = _("locked") if locked else (_("active") if row.active else _("disabled"))
            sign_in = _("passphrase") if row.has_passphrase else ("—" if not row.os_user else "")
            if row.os_user:
                sign_in = (sign_in + " " if sign_in else "") + "ssh"
            table.add_row(
                Text(row.username, no_wrap=True, overflow="ellipsis"),
                Text(row.display_name, no_wrap=True, overflow="ellipsis"),
                Text(role_label(row.role)),
                Text(sign_in),
                Text(state, style="bold" if locked or not row.active else ""),
                key=row.username,
            )
        if self.rows:
            table.move_cursor(row=min(max(cursor, 0), len(self.rows) - 1))
        self._detail()

    def current(self) -> StaffRow | None:
        table = self.query_one("#staff-accounts", DataTable)
        if not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def on_data_table_row_highlighted(self) -> None:
        self._detail()

    def _detail(self) -> None:
        row = self.current()
        text = Text(no_wrap=True, overflow="ellipsis")
        if row is not None:
            text.append(_("Scope: "), style="bold")
            text.append(_("everything") if row.role == "administrator" else row.scope.describe())
            if row.os_user:
                text.append("\n" + _("Trusted OS login: {login}").format(login=row.os_user))
        self.query_one("#staff-detail", Static).update(text)

    def _attempt(self, act: Callable[[], object]) -> str | None:
        try:
            act()
        except Refused as refused:
            return str(refused)
        self.reload()
        return None

    def action_new(self) -> None:
        desk = desk_of(self)

        def save(values: dict[str, str]) -> str | None:
            try:
                scopes = staff.parse_scope(values.get("scope", ""))
            except Refused as refused:
                return str(refused)
            return self._attempt(
                lambda: staff.add_staff(
                    desk,
                    values.get("username", ""),
                    values.get("name", ""),
                    values["role"],
                    scopes,
                    passphrase=values.get("passphrase") or None,
                    os_user=values.get("os-user") or None,
                )
            )

        self.app.push_screen(AccountForm(_("New staff account"), save))

    def action_scope(self) -> None:
        row = self.current()
        if row is None:
            return
        desk = desk_of(self)

        def save(values: dict[str, str]) -> str | None:
            try:
                scopes = staff.parse_scope(values.get("scope", ""))
            except Refused as refused:
                return str(refused)
            return self._attempt(
                lambda: staff.set_scope(desk, row.username, values["role"], scopes)
            )

        self.app.push_screen(
            AccountForm(_("Role and scope — {name}").format(name=row.username), save, row)
        )

    def action_passphrase(self) -> None:
        row = self.current()
        if row is None:
            return
        desk = desk_of(self)
        self.app.push_screen(
            PassphraseForm(
                row.username,
                lambda text: self._attempt(lambda: staff.set_passphrase(desk, row.username, text)),
            )
        )

    @work(exclusive=True, group="form")
    async def action_toggle(self) -> None:
        row = self.current()
        if row is None:
            return
        desk = desk_of(self)
        question = (
            _("Disable {name}? Their open sessions can do nothing more.")
            if row.active
            else _("Enable {name} again?")
        ).format(name=row.username)
        if not await self.app.push_screen_wait(ConfirmScreen(question)):
            return
        try:
            staff.set_active(desk, row.username, not row.active)
        except Refused as refused:
            self.app.push_screen(ReasonsScreen(_("Not changed"), refused.reasons))
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()
