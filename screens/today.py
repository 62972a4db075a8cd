"""The desk's day, shown under the empty search box: arrivals and their readiness, departures,
proposals about to expire, overstays and keys that should be back. Each line opens its file."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable

from crous_desk.base.dates import show_day
from crous_desk.base.errors import Refused
from crous_desk.base.i18n import _, ngettext
from crous_desk.office import today
from crous_desk.rules.hours import format_duration
from crous_desk.rules.proposal import format_instant

from .base import DeskWork


def _readiness(arrival: today.Arrival) -> Text:
    if arrival.checked_in:
        return Text(_("keys handed"))
    if arrival.ready:
        return Text(_("ready for keys"), style="bold reverse")
    missing = [
        label
        for done, label in (
            (arrival.paid, _("payment")),
            (arrival.file_complete, _("file")),
            (arrival.inspection_done, _("inspection")),
            (arrival.key_set_ready, _("key set")),
        )
        if not done
    ]
    text = _("to do: {what}").format(what=", ".join(missing)) if missing else _("desk closed")
    if arrival.late:
        text = _("late · ") + text
    return Text(text, no_wrap=True, overflow="ellipsis")


class TodayPanel(DeskWork, DataTable[Text]):
    """One table, one section per concern; the row key is the reservation it opens."""

    class Open(Message):
        def __init__(self, reservation_id: int) -> None:
            super().__init__()
            self.reservation_id = reservation_id

    # the desk's day, or why it is not this account's to see (e.g. a mobility manager's)
    home: reactive[today.Home | Refused | None] = reactive(None, init=False, always_update=True)

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.add_column("", key="what", width=3)
        self.add_column(_("Name"), key="name", width=26)
        self.add_column(_("Room"), key="room", width=6)
        self.add_column(_("Where things stand"), key="detail", width=33)
        self.reload()

    def fetch(self) -> None:
        try:
            self.home = today.home(self.desk)
        except Refused as refused:
            self.home = refused

    def watch_home(self, home: today.Home | Refused | None) -> None:
        row = self.cursor_row  # a redraw every minute keeps the receptionist's place
        self.clear()
        self._rows = 0
        if isinstance(home, Refused):
            self._section(str(home))
        elif home is not None:
            self._show(home)
        if row > 0 and self.row_count:
            self.move_cursor(row=min(row, self.row_count - 1))

    def _show(self, home: today.Home) -> None:
        self._section(_("Arrivals ({n})").format(n=len(home.arrivals)))
        for a in home.arrivals:
            self._row(a.reservation_id, "→", a.name, a.room, _readiness(a))
        self._section(_("Departures ({n})").format(n=len(home.departures)))
        for d in home.departures:
            detail = _("leaves") if not d.departed else _("departed")
            if d.appointment_at and not d.departed:
                detail += " " + format_instant(d.appointment_at)[11:]
            if d.check_out != "none":
                detail += " · " + (
                    _("check-out done") if d.check_out == "acknowledged" else _("check-out open")
                )
            if d.keys_out:
                detail += " · " + ngettext(
                    "{n} key set out", "{n} key sets out", d.keys_out
                ).format(n=d.keys_out)
            self._row(d.reservation_id, "←", d.name, d.room, Text(detail))
        self._section(_("Expiring within 24 h ({n})").format(n=len(home.expiring)))
        for p in home.expiring:
            self._row(
                p.reservation_id,
                "~",
                p.name,
                p.room,
                Text(_("{left} left").format(left=format_duration(p.time_left))),
            )
        self._section(_("Past their lease end ({n})").format(n=len(home.overstays)))
        for o in home.overstays:
            detail = ngettext("{n} day past {day}", "{n} days past {day}", o.days_over).format(
                n=o.days_over, day=show_day(o.lease_end)
            )
            if o.pending_extension:
                detail += " · " + _("extension asked")
            self._row(o.reservation_id, "!", o.name, o.room, Text(detail))
        self._section(_("Keys to get back ({n})").format(n=len(home.keys_to_return)))
        for k in home.keys_to_return:
            self._row(
                k.reservation_id,
                "k",
                k.holder or k.label,
                k.room,
                Text(k.message, no_wrap=True, overflow="ellipsis"),
            )
        if home.pending_extensions:
            self._section(
                _("Extension requests waiting for a decision: {n} (F6)").format(
                    n=home.pending_extensions
                )
            )

    def _section(self, title: str) -> None:
        self._rows += 1
        self.add_row(Text(""), Text(title, style="bold"), Text(""), Text(""), key=f"s{self._rows}")

    def _row(
        self, reservation_id: int | None, mark: str, name: str, room: str, detail: Text
    ) -> None:
        self._rows += 1
        row_key = f"r{reservation_id}:{self._rows}" if reservation_id else f"x{self._rows}"
        self.add_row(
            Text(mark),
            Text(name, no_wrap=True, overflow="ellipsis"),
            Text(room),
            detail,
            key=row_key,
        )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value or ""
        if key.startswith("r") and key[1:].split(":")[0].isdigit():
            event.stop()
            self.post_message(self.Open(int(key[1:].split(":")[0])))
