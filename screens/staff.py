"""Staff accounts, for an administrator: who may sign in, with which role and scope; create
one, set a passphrase (which also lifts a lockout), change the role and scope, disable."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import DataTable, Static

from crous_desk.base.i18n import N_, _
from crous_desk.desk.permissions import role_label
from crous_desk.people import staff
from crous_desk.people.staff import StaffRow

from .base import FORM, DeskScreen
from .people_forms import Account, AccountForm, PassphraseForm
from .widgets import ConfirmScreen, DeskFooter


class StaffScreen(DeskScreen):
    CSS_PATH = "people.tcss"
    BINDINGS = [
        Binding("n", "new", N_("New"), id="staff.new", tooltip=N_("Create an account")),
        Binding("p", "passphrase", N_("Passphrase"), id="staff.passphrase"),
        Binding("s", "scope", N_("Role/scope"), id="staff.scope"),
        Binding(
            "d",
            "toggle_active",
            N_("Disable"),
            id="staff.toggle_active",
            tooltip=N_("Disable or enable"),
        ),
        Binding("escape", "back", N_("Back"), id="staff.back"),
    ]

    rows: reactive[list[StaffRow]] = reactive(list, init=False, always_update=True)

    def compose(self) -> ComposeResult:
        yield Static(id="staff-title")
        table: DataTable[Text] = DataTable(
            id="staff-accounts", cursor_type="row", zebra_stripes=True
        )
        yield table
        yield Static(id="staff-detail")
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one("#staff-accounts", DataTable)
        table.add_column(_("Username"), key="username", width=12)
        table.add_column(_("Name"), key="name", width=18)
        table.add_column(_("Role"), key="role", width=16)
        table.add_column(_("Sign-in"), key="sign_in", width=10)
        table.add_column(_("State"), key="state", width=10)
        table.focus()
        self.reload()

    def fetch(self) -> None:
        self.rows = staff.staff_rows(self.desk, include_operators=False)

    def watch_rows(self, rows: list[StaffRow]) -> None:
        now = self.desk.now()
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(_("Staff accounts"), style="bold reverse")
        title.append("  " + _("{n} accounts").format(n=len(rows)))
        self.query_one("#staff-title", Static).update(title)
        table = self.query_one("#staff-accounts", DataTable)
        cursor = table.cursor_row
        table.clear()
        for row in rows:
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
        if rows:
            table.move_cursor(row=min(max(cursor, 0), len(rows) - 1))
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

    @work(exclusive=True, group=FORM)
    async def action_new(self) -> None:
        desk = self.desk

        def save(account: Account) -> object:
            return staff.add_staff(
                desk,
                account.username,
                account.name,
                account.role,
                staff.parse_scope(account.scope),
                passphrase=account.passphrase or None,
                os_user=account.os_user or None,
            )

        if await self.app.push_screen_wait(AccountForm(_("New staff account"), save)):
            self.reload()

    @work(exclusive=True, group=FORM)
    async def action_scope(self) -> None:
        row = self.current()
        if row is None:
            return
        desk = self.desk

        def save(account: Account) -> object:
            scopes = staff.parse_scope(account.scope)
            return staff.set_scope(desk, row.username, account.role, scopes)

        title = _("Role and scope — {name}").format(name=row.username)
        if await self.app.push_screen_wait(AccountForm(title, save, row)):
            self.reload()

    @work(exclusive=True, group=FORM)
    async def action_passphrase(self) -> None:
        row = self.current()
        if row is None:
            return
        desk = self.desk
        form = PassphraseForm(
            row.username,
            lambda text: staff.set_passphrase(desk, row.username, text),
        )
        if await self.app.push_screen_wait(form):
            self.reload()

    @work(exclusive=True, group=FORM)
    async def action_toggle_active(self) -> None:
        row = self.current()
        if row is None:
            return
        question = (
            _("Disable {name}? Their open sessions can do nothing more.")
            if row.active
            else _("Enable {name} again?")
        ).format(name=row.username)
        if not await self.app.push_screen_wait(ConfirmScreen(question)):
            return
        desk = self.desk
        self.run_desk_action(
            _("Not changed"),
            lambda: staff.set_active(desk, row.username, not row.active),
        )

    def action_back(self) -> None:
        self.app.pop_screen()
