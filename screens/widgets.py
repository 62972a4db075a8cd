"""The desk header; the message boxes live in ``dialogs`` (re-exported here)."""

from __future__ import annotations

import unicodedata

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Input, Static
from textual.widgets._footer import FooterKey

from crous_desk.base.formats import weekday_clock
from crous_desk.base.i18n import N_, _
from crous_desk.rules.hours import describe_status

from .base import desk_of
from .dialogs import ConfirmScreen, ReasonsScreen

__all__ = ["ConfirmScreen", "DeskFooter", "DeskHeader", "FindBox", "ReasonsScreen", "desk_of"]


class DeskHeader(Static):
    """Residence · Paris time · desk status; refreshed every few seconds from the one clock."""

    def on_mount(self) -> None:
        self.refresh_status()
        self.set_interval(5, self.refresh_status)

    def refresh_status(self) -> None:
        desk = desk_of(self)
        status = desk.desk_status()
        residence = desk.residence.name if desk.residence else _("all residences")
        width, height = self.app.size
        # the desk status always shows whole; the residence's name gives way first
        said = describe_status(status)
        clock = weekday_clock(status.at)
        small = width < MIN_WIDTH or height < MIN_HEIGHT
        warning = (
            _("Terminal {w}×{h}: 80×24 needed").format(w=width, h=height) + " · " if small else ""
        )
        room = max(0, width - 2)  # the header's padding
        if cell_len(warning) + cell_len(clock) + cell_len(said) + 4 + 8 > room:
            clock = ""  # the clock goes before the status
        name_room = (
            room - cell_len(warning) - cell_len(said) - (cell_len(clock) + 2 if clock else 0) - 2
        )
        line = Text(no_wrap=True, overflow="ellipsis")
        if warning:
            line.append(warning, style="bold reverse")
        if name_room >= 4:
            name = (
                residence if cell_len(residence) <= name_room else residence[: name_room - 1] + "…"
            )
            line.append(name, style="bold")
            line.append("  ")
        if clock:
            line.append(f"{clock}  ")
        line.append(said, style="bold" if status.is_open else "reverse")
        self.update(line)

    def on_resize(self) -> None:
        self.refresh_status()


MIN_WIDTH, MIN_HEIGHT = 80, 24


class DeskFooter(Footer):
    """The footer at any width, never cut: the screen's own keys first, then the app-wide
    ones (F1 first, then F2…, Ctrl+Q), each shown when it fits whole; those left out are
    still in F1 and the palette, and still work."""

    def __init__(self) -> None:
        super().__init__(compact=True)

    def compose(self) -> ComposeResult:
        widgets = list(super().compose())
        keys = [w for w in widgets if isinstance(w, FooterKey)]
        palette = [k for k in keys if k.has_class("-command-palette")]
        app_wide = {binding.action for binding in Binding.make_bindings(type(self.app).BINDINGS)}
        own = [k for k in keys if k not in palette and k.action not in app_wide]
        shared = [k for k in keys if k not in palette and k.action in app_wide]
        shared.sort(key=lambda k: k.action != "help")  # Help first, then in their order
        room = self.app.size.width - sum(_width(k) + 1 for k in palette)  # its border
        # Esc (back) first, then the screen's own keys in their order, then Help and the
        # app's other keys: each one shown only if it fits whole
        for key in sorted(own, key=lambda k: k.key != "escape") + shared:
            key.display = _width(key) + 1 <= room
            if key.display:
                room -= _width(key) + 1
        yield from widgets

    async def on_resize(self) -> None:
        await self.recompose()


def _width(key: FooterKey) -> int:
    """A compact footer key's cells: "f1 Help"."""
    text = key.key_display + (" " + key.description if key.description else "")
    return cell_len(text)


class FindBox(Input):
    """Type to find in a long list: "/" opens it under the list, each key moves the list's
    cursor to the first row that contains what is typed (any column, any case); Enter or
    Esc closes it, the cursor staying on the row found."""

    BINDINGS = [
        Binding("escape", "close", N_("Close"), id="find.close"),
        Binding("down", "next", N_("Next match"), id="find.next"),
    ]

    def __init__(self, table: str) -> None:
        super().__init__(placeholder=_("Find: type a room, a name, a set…"), compact=True)
        self.table_id = table
        self.display = False

    def open(self) -> None:
        self.value = ""
        self.display = True
        self.focus()

    def action_close(self) -> None:
        self.display = False
        self.screen.query_one(self.table_id, DataTable).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_close()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.find(start=0)

    def action_next(self) -> None:
        table = self.screen.query_one(self.table_id, DataTable)
        self.find(start=table.cursor_row + 1)

    def find(self, start: int) -> None:
        wanted = _folded(self.value.strip())
        table = self.screen.query_one(self.table_id, DataTable)
        if not wanted:
            return
        count = table.row_count
        for offset in range(count):
            row = (start + offset) % count
            text = " ".join(str(getattr(c, "plain", c)) for c in table.get_row_at(row))
            if wanted in _folded(text):
                table.move_cursor(row=row)
                return
        self.app.bell()


def stretch_columns(table: DataTable[object]) -> None:
    """Use the room the table gets: its columns keep the widths they were given for 80
    columns, and the text columns (10 cells or more) share what a wider terminal adds."""
    base: dict[object, int] = table.__dict__.setdefault(
        "_widths_at_80", {key: column.width for key, column in table.columns.items()}
    )
    if not base:
        return
    padding = 2 * table.cell_padding
    room = table.scrollable_content_region.width - sum(w + padding for w in base.values()) - 1
    growing = {key: w for key, w in base.items() if w >= 10}
    extra = max(0, room) if table.app.size.width > 80 else 0  # at 80: as designed
    total = sum(growing.values()) or 1
    for key, column in table.columns.items():
        width = base.get(key, column.width)
        if key in growing:
            width += extra * growing[key] // total
        column.width = width
    table._require_update_dimensions = True
    table._clear_caches()
    table.refresh()


def _folded(text: str) -> str:
    """Without case or accents: "sofia" finds "Sofía", "oyelaran" "Oyèláràn"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
