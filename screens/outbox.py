"""The e-mail outbox for an administrator: every message by state, its attempts, the failures
on their own (f), a failed message sent again (a), a run now (s); and, when no mail server is
configured, a line that says nothing is sent."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import DataTable, Static

from crous_desk.base.errors import Refused
from crous_desk.base.i18n import N_, _, ngettext
from crous_desk.mail import RunReport, run_as_installation, smtp_settings
from crous_desk.outbox import AttemptRow, OutboxRow, attempts_of, outbox_counts, outbox_rows
from crous_desk.outbox import send_again as send_again_action
from crous_desk.outbox.view import kind_label, state_label

from .base import DeskScreen, desk_app
from .widgets import DeskFooter

RUN = "mail-run"


def server_line(app: object) -> Text:
    """Where mail goes, or that it goes nowhere."""
    config = desk_app(app).config  # type: ignore[arg-type]
    line = Text(no_wrap=True, overflow="ellipsis")
    try:
        settings = smtp_settings(config)
    except Refused as refused:
        line.append(str(refused), style="bold")
        return line
    if settings is None:
        line.append(
            _("No mail server is configured (smtp_host): nothing is sent; messages wait here."),
            style="bold reverse",
        )
    else:
        line.append(_("Mail goes through {server}").format(server=settings.describe()))
    return line


class OutboxScreen(DeskScreen):
    CSS_PATH = "people.tcss"
    BINDINGS = [
        Binding(
            "f",
            "failures",
            N_("Failures"),
            id="outbox.failures",
            tooltip=N_("Failed messages only, or all"),
        ),
        Binding(
            "a",
            "again",
            N_("Send again"),
            id="outbox.again",
            tooltip=N_("Queue a failed one again"),
        ),
        Binding(
            "s", "send", N_("Send now"), id="outbox.send", tooltip=N_("Plan and send what is due")
        ),
        Binding("escape", "back", N_("Back"), id="outbox.back"),
    ]

    rows: reactive[list[OutboxRow]] = reactive(list, init=False, always_update=True)
    counts: reactive[dict[str, int]] = reactive(dict, init=False, always_update=True)
    tries: reactive[list[AttemptRow]] = reactive(list, init=False, always_update=True)

    def __init__(self) -> None:
        super().__init__()
        self.failures_only = False

    def compose(self) -> ComposeResult:
        yield Static(id="outbox-title")
        yield Static(id="outbox-server")
        table: DataTable[Text] = DataTable(
            id="outbox-messages", cursor_type="row", zebra_stripes=True
        )
        yield table
        yield Static(id="outbox-detail")
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one("#outbox-messages", DataTable)
        table.add_column("#", key="id", width=5)
        table.add_column(_("Queued"), key="at", width=11)
        table.add_column(_("Kind"), key="kind", width=12)
        table.add_column(_("To"), key="to", width=22)
        table.add_column(_("State"), key="state", width=8)
        table.add_column(_("Tries"), key="tries", width=5)
        table.focus()
        self.query_one("#outbox-server", Static).update(server_line(self))
        self.reload()

    def fetch(self) -> None:
        self.counts = outbox_counts(self.desk)
        self.rows = outbox_rows(self.desk, failures_only=self.failures_only)

    def cannot_show(self) -> str:
        return _("The outbox cannot be shown")

    def watch_counts(self, counts: dict[str, int]) -> None:
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(_("Outbox"), style="bold reverse")
        title.append("  ")
        title.append(" · ".join(f"{state_label(s)} {n}" for s, n in counts.items() if n) or "—")
        if self.failures_only:
            title.append("  " + _("(failures only)"), style="bold")
        self.query_one("#outbox-title", Static).update(title)

    def watch_rows(self, rows: list[OutboxRow]) -> None:
        table = self.query_one("#outbox-messages", DataTable)
        table.clear()
        tz = self.desk.calendar().tz
        for row in rows:
            failed = row.state == "failed"
            table.add_row(
                Text(str(row.message_id)),
                Text(f"{row.queued_at.astimezone(tz):%d/%m %H:%M}"),
                Text(kind_label(row.kind), no_wrap=True, overflow="ellipsis"),
                Text(row.recipient or "—", no_wrap=True, overflow="ellipsis"),
                Text(state_label(row.state), style="bold" if failed else ""),
                Text(str(row.attempts)),
                key=str(row.message_id),
            )
        self._highlighted()

    def _current(self) -> OutboxRow | None:
        table = self.query_one("#outbox-messages", DataTable)
        if 0 <= table.cursor_row < len(self.rows):
            return self.rows[table.cursor_row]
        return None

    @on(DataTable.RowHighlighted, "#outbox-messages")
    def _highlighted(self) -> None:
        row = self._current()
        if row is None:
            self.tries = []
            return
        desk, message_id = self.desk, row.message_id
        self.run_slow(lambda: attempts_of(desk, message_id), self._set_tries, group="tries")

    def _set_tries(self, tries: list[AttemptRow]) -> None:
        self.tries = tries

    def watch_tries(self, tries: list[AttemptRow]) -> None:
        problem = desk_app(self).mail_problem
        if problem:
            self.query_one("#outbox-server", Static).update(Text(problem, style="bold"))
        text = Text(no_wrap=True, overflow="ellipsis")
        row = self._current()
        if row is None:
            text.append(_("No message."))
        else:
            text.append(row.subject or "—")
            text.append("\n")
            if row.last_error:
                text.append(row.last_error, style="bold")
            elif tries:
                last = tries[-1]
                tz = self.desk.calendar().tz
                text.append(f"{last.at.astimezone(tz):%d/%m %H:%M} {last.outcome}: {last.detail}")
        self.query_one("#outbox-detail", Static).update(text)

    def action_failures(self) -> None:
        self.failures_only = not self.failures_only
        self.reload()

    def action_again(self) -> None:
        row = self._current()
        if row is None:
            return
        desk, message_id = self.desk, row.message_id
        self.run_desk_action(
            _("Not queued again"),
            lambda: send_again_action(desk, message_id),
            lambda _m: self.notify(
                _("Message #{id} is queued again").format(id=message_id), markup=False
            ),
        )

    def action_send(self) -> None:
        app = desk_app(self)
        config, clock = app.config, app.clock
        self.notify(_("Sending…"), markup=False)
        self.run_slow(
            lambda: run_as_installation(config, clock),
            self._sent,
            group=RUN,
            title=_("Nothing sent"),
        )

    def _sent(self, report: RunReport) -> None:
        if not report.configured:
            self.notify(
                _("No mail server is configured: nothing is sent"), severity="warning", markup=False
            )
        elif report.server_error:
            self.notify(report.server_error, severity="error", markup=False)
        else:
            self.notify(
                ngettext("{n} message sent", "{n} messages sent", report.sent).format(
                    n=report.sent
                ),
                markup=False,
            )
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()
