"""The desk header; the message boxes live in ``dialogs`` (re-exported here)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from crous_desk.base.formats import weekday_clock
from crous_desk.base.i18n import _
from crous_desk.rules.hours import describe_status

from .base import desk_of
from .dialogs import ConfirmScreen, ReasonsScreen

__all__ = ["ConfirmScreen", "DeskHeader", "ReasonsScreen", "desk_of"]


class DeskHeader(Static):
    """Residence · Paris time · desk status; refreshed every few seconds from the one clock."""

    def on_mount(self) -> None:
        self.refresh_status()
        self.set_interval(5, self.refresh_status)

    def refresh_status(self) -> None:
        desk = desk_of(self)
        status = desk.desk_status()
        residence = desk.residence.name if desk.residence else _("all residences")
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(residence, style="bold")
        line.append(f"  {weekday_clock(status.at)}  ")
        line.append(describe_status(status), style="bold" if status.is_open else "reverse")
        self.update(line)
