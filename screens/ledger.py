"""The money of a stay: the advance, the deposit asked and held, every movement of its ledger
(never edited: a mistake is reversed), and the balance; the desk records a deposit received, a
payment or a refund, and reverses a movement with its reason."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import DataTable, Static

from crous_desk.base.i18n import N_, _
from crous_desk.money import ledger
from crous_desk.rules.condition import euros
from crous_desk.rules.ledger import MovementKind, kind_label, parse_euros
from crous_desk.rules.proposal import format_instant

from .base import FORM, DeskScreen
from .forms import FieldsForm
from .widgets import DeskFooter, DeskHeader


@dataclass(frozen=True)
class AmountAnswer:
    amount: str
    note: str


@dataclass(frozen=True)
class ReasonAnswer:
    reason: str


def balance_line(cents: int) -> Text:
    line = Text(no_wrap=True, overflow="ellipsis")
    if cents > 0:
        line.append(_("Balance: the tenant owes {amount}").format(amount=euros(cents)), "bold")
    elif cents < 0:
        line.append(_("Balance: the residence owes {amount}").format(amount=euros(-cents)), "bold")
    else:
        line.append(_("Balance: settled"), "bold")
    return line


def heading(statement: ledger.Statement) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(_("Money of the stay"), style="bold")
    text.append(f" · {statement.reference} · ")
    text.append(statement.tenant)
    text.append("\n")
    if statement.advance_cents:
        text.append(
            _("Advance {amount} · {payer} · {when} · towards the first rent").format(
                amount=euros(statement.advance_cents),
                payer=statement.advance_payer,
                when=format_instant(statement.advance_paid_at)
                if statement.advance_paid_at
                else "?",
            )
        )
    else:
        text.append(_("No advance paid"))
    text.append("\n")
    if statement.deposit_asked_cents:
        text.append(
            _("Security deposit asked: {asked} · held: {held}").format(
                asked=euros(statement.deposit_asked_cents),
                held=euros(statement.deposit_held_cents),
            )
        )
    else:
        text.append(_("This residence asks no security deposit"))
    return text


def movement_label(row: ledger.MovementRow) -> str:
    if row.kind in (MovementKind.DAMAGE,):
        label = _(row.label)
    else:
        label = row.label
    return f"{label} · {row.note}" if row.note else label


class LedgerScreen(DeskScreen):
    BINDINGS = [
        Binding("p", "record('payment')", N_("Payment"), id="ledger.payment"),
        Binding("g", "record('deposit')", N_("Deposit"), id="ledger.deposit"),
        Binding("r", "record('refund')", N_("Refund"), id="ledger.refund"),
        Binding(
            "v",
            "reverse",
            N_("Reverse"),
            id="ledger.reverse",
            tooltip=N_("Cancel the highlighted movement by its opposite, with the reason"),
        ),
        Binding("escape", "back", N_("Back"), id="ledger.back"),
    ]

    statement: reactive[ledger.Statement | None] = reactive(None, init=False, always_update=True)

    def __init__(self, reservation_id: int) -> None:
        super().__init__()
        self.reservation_id = reservation_id

    def compose(self) -> ComposeResult:
        yield DeskHeader(id="desk-header")
        yield Static(id="ledger-heading")
        yield DataTable(id="movements", cursor_type="row", zebra_stripes=True)
        yield Static(id="ledger-balance")
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one("#movements", DataTable)
        table.add_column(_("When"), key="at", width=16)
        table.add_column(_("Movement"), key="what", width=36)
        table.add_column(_("Amount"), key="amount", width=12)
        table.add_column(_("By"), key="by", width=10)
        table.focus()
        self.reload()

    def fetch(self) -> None:
        self.statement = ledger.statement(self.desk, self.reservation_id)

    def watch_statement(self, statement: ledger.Statement | None) -> None:
        if statement is None:
            return
        self.query_one("#ledger-heading", Static).update(heading(statement))
        table = self.query_one("#movements", DataTable)
        row = table.cursor_row
        table.clear()
        for m in statement.movements:
            style = "strike" if m.reversed_by else ""
            table.add_row(
                Text(format_instant(m.at)),
                Text(f"#{m.id} " + movement_label(m), no_wrap=True, overflow="ellipsis"),
                Text(euros(m.amount_cents), style=style, justify="right"),
                Text(m.staff, no_wrap=True, overflow="ellipsis"),
                key=str(m.id),
            )
        if statement.movements and row >= 0:
            table.move_cursor(row=min(row, len(statement.movements) - 1))
        self.query_one("#ledger-balance", Static).update(balance_line(statement.balance_cents))

    @work(exclusive=True, group=FORM)
    async def action_record(self, kind: str) -> None:
        note_label = {
            "payment": _("Who paid, how (cash, card, transfer)"),
            "deposit": _("Who paid, how"),
            "refund": _("Why, and how it is paid back"),
        }[kind]
        answer = await self.app.push_screen_wait(
            FieldsForm(
                kind_label(kind).capitalize(),
                AmountAnswer,
                [("amount", _("Amount in euros (e.g. 12.50)"), ""), ("note", note_label, "")],
            )
        )
        if answer is None:
            return
        title = _("Not recorded")
        cents, problem = parse_euros(answer.amount)
        if problem is not None or cents is None:
            self.refuse(title, problem or "")
            return
        desk, amount = self.desk, cents
        self.run_desk_action(
            title,
            lambda: ledger.record_movement(
                desk, self.reservation_id, kind, amount, note=answer.note
            ),
            lambda _m: self.notify(
                _("{what}: {amount} recorded").format(what=kind_label(kind), amount=euros(amount)),
                markup=False,
            ),
        )

    @work(exclusive=True, group=FORM)
    async def action_reverse(self) -> None:
        statement = self.statement
        row = self.query_one("#movements", DataTable).cursor_row
        if statement is None or not 0 <= row < len(statement.movements):
            return
        movement = statement.movements[row]
        answer = await self.app.push_screen_wait(
            FieldsForm(
                _("Reverse #{id}: {label} ({amount})").format(
                    id=movement.id,
                    label=movement_label(movement),
                    amount=euros(movement.amount_cents),
                ),
                ReasonAnswer,
                [("reason", _("Reason"), "")],
                note=_("The movement stays in the ledger; its opposite is added."),
            )
        )
        if answer is None:
            return
        desk = self.desk
        self.run_desk_action(
            _("Not reversed"),
            lambda: ledger.reverse_movement(
                desk, self.reservation_id, movement.id, reason=answer.reason
            ),
        )

    def action_back(self) -> None:
        self.dismiss(None)
