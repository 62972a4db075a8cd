"""What the desk's screens share: the desk they work for, one way to run a desk action, one
way to load what they show.

A desk action runs in a worker thread (it may wait up to 15 s on the database lock, and
typing goes on meanwhile). A refusal becomes the reasons box; a success calls back on the UI
thread, then the screen reloads. Loading sets the screen's reactives, whose ``watch_`` methods
redraw it. Nothing here touches a widget from a thread.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from textual import work
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable
from textual.worker import get_current_worker

from crous_desk.base.errors import Refused
from crous_desk.base.i18n import _
from crous_desk.desk import permissions
from crous_desk.desk.action import needs
from crous_desk.desk.context import Desk
from crous_desk.store.failures import database_refusal

from .dialogs import ReasonsScreen
from .language import SpeaksTheDesk

if TYPE_CHECKING:
    from .app import DeskApp

T = TypeVar("T")

# Worker groups. A "form" worker waits for a person (push_screen_wait); the others finish.
FORM = "form"
LOAD = "load"
ACTION = "desk-action"


def desk_app(node: DOMNode) -> DeskApp:
    return cast("DeskApp", node.app)


def desk_of(node: DOMNode) -> Desk:
    return desk_app(node).desk


if TYPE_CHECKING:
    _Mixin = Widget
else:  # at run time a plain mixin: Textual takes a node's CSS type names from its first
    _Mixin = object  # DOMNode base, which must stay Screen, ModalScreen or the widget


class DeskWork(_Mixin):
    """Mixed into the screens (and the odd widget) that read and change the desk."""

    _quiet_resume = False  # a reasons box is on top: closing it changes nothing

    @property
    def desk(self) -> Desk:
        return desk_of(self)

    # -- loading ----------------------------------------------------------------------------

    def reload(self, *, quiet: bool = False) -> None:
        """Read this screen's data again; its reactives redraw it. ``quiet``: a live redraw
        (back on top, the minute's timer) says nothing when the core refuses it — the person
        was told when they asked."""
        self._load(quiet)

    @work(exclusive=True, group=LOAD)
    async def _load(self, quiet: bool = False) -> None:
        try:
            self.fetch()
        except Refused as refused:  # e.g. filters the core cannot read
            if not quiet:
                self.refuse(self.cannot_show(), *refused.reasons)
        except Exception as error:  # a busy or damaged file is said; the unexpected: crash
            refusal = database_refusal(error)
            if refusal is not None:
                if not quiet:
                    self.refuse(self.cannot_show(), *refusal.reasons)
            else:
                self.app.call_later(desk_app(self).crash, error)

    def fetch(self) -> None:
        """Set this screen's reactives from the core: short reads, on the UI loop."""

    def cannot_show(self) -> str:
        """The title of the reasons box when ``fetch`` is refused."""
        return _("This cannot be shown")

    # -- acting -----------------------------------------------------------------------------

    def refuse(self, title: str, *reasons: str) -> None:
        """The reasons box: the action was not done, and why. Nothing changed, so closing it
        does not read the screen again (a refused filter would only be refused again)."""
        self._quiet_resume = True
        self.app.push_screen(ReasonsScreen(title, reasons))

    def checked(self, title: str, check: Callable[[], T]) -> T | None:
        """A read the rules may refuse (is there a slip, may an appointment be booked…):
        its answer, or None after the reasons box."""
        try:
            return check()
        except Refused as refused:
            self.refuse(title, *refused.reasons)
            return None

    def run_desk_action(
        self,
        title: str,
        call: Callable[[], T],
        on_done: Callable[[T], object] | None = None,
        *,
        on_refused: Callable[[Refused], object] | None = None,
        reload: bool = True,
    ) -> None:
        """Run ``call`` (a desk action) in a worker thread.

        Refused: the reasons box titled ``title`` (or ``on_refused``, for a form that shows
        them itself). Done: ``on_done(result)`` on the UI thread. Either way, then ``reload``:
        another desk may have changed what the screen shows."""
        self._in_thread(title, call, on_done, on_refused, reload, group=ACTION, exclusive=False)

    def run_slow(
        self,
        call: Callable[[], T],
        on_done: Callable[[T], object],
        *,
        group: str,
        title: str = "",
        on_refused: Callable[[Refused], object] | None = None,
    ) -> None:
        """Slow work that changes nothing (a search, an export, a verification) in a worker
        thread; only the latest of its ``group`` calls ``on_done``, on the UI thread."""
        self._in_thread(title, call, on_done, on_refused, False, group=group, exclusive=True)

    def _in_thread(
        self,
        title: str,
        call: Callable[[], T],
        on_done: Callable[[T], object] | None,
        on_refused: Callable[[Refused], object] | None,
        reload: bool,
        *,
        group: str,
        exclusive: bool,
    ) -> None:
        app = desk_app(self)

        def work() -> None:
            with app.job():
                outcome: Callable[[], object]
                try:
                    result = call()
                except Refused as refused:
                    outcome = partial(self._refused, title, refused, on_refused, reload)
                except Exception as error:  # the unexpected: see DeskApp.crash
                    refusal = database_refusal(error)  # busy, read-only, full: the form stays
                    if refusal is None:
                        app.call_later(app.crash, error)
                        return
                    outcome = partial(self._refused, title, refusal, on_refused, reload)
                else:
                    outcome = partial(self._done, result, on_done, reload)
                if not (exclusive and get_current_worker().is_cancelled):
                    app.call_later(outcome)  # unless a newer one of its group replaced it

        self.run_worker(work, thread=True, group=group, exclusive=exclusive, name=title)

    def _refused(
        self,
        title: str,
        refused: Refused,
        on_refused: Callable[[Refused], object] | None,
        reload: bool,
    ) -> None:
        if on_refused is not None and self.is_attached:
            on_refused(refused)
        else:  # even when the screen was left meanwhile: nothing was done, and why
            self.refuse(title, *refused.reasons)
        if reload and self.is_attached:  # another desk may have changed it meanwhile
            self.reload()

    def _done(self, result: Any, on_done: Callable[[Any], object] | None, reload: bool) -> None:
        if not self.is_attached:  # the screen was left meanwhile; the change stands
            return
        if on_done is not None:
            on_done(result)
        if reload:
            self.reload()


def may_run(node: DOMNode, runs: Callable[..., Any] | str) -> bool:
    """May the desk's account do this? ``runs`` is a desk action (its declared permission,
    :func:`crous_desk.desk.action.needs`) or a permission's name; the answer is the core's
    matrix for the account's role. Before sign-in nothing is offered."""
    grant = desk_app(node).grant
    if grant is None:
        return False
    permission = runs if isinstance(runs, str) else needs(runs)
    return grant.role in permissions.MATRIX[permission]


class DeskScreen(SpeaksTheDesk, DeskWork, Screen[None]):
    """A full screen of the desk. It stays live: read again whenever it comes back on top (a
    change made in a form or a screen above it) and every ``DeskApp.live_seconds`` (another
    desk's changes, countdowns)."""

    # The desk action (or permission) each of the screen's actions runs: a key is offered —
    # footer, F1, palette — only to a role the core's permission matrix lets do it.
    RUNS: ClassVar[dict[str, Callable[..., Any] | str]] = {}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        runs = self.RUNS.get(action)
        return runs is None or may_run(self, runs)

    def on_mount(self) -> None:  # Textual runs it besides each screen's own on_mount
        self.set_interval(desk_app(self).live_seconds, self.live_tick)
        self.call_after_refresh(self.stretch_tables)

    def on_resize(self) -> None:
        self.call_after_refresh(self.stretch_tables)

    def stretch_tables(self) -> None:
        """Wider than 80 columns: the tables' text columns take the room."""
        from .widgets import stretch_columns

        for table in self.query(DataTable):
            stretch_columns(table)

    def live_tick(self) -> None:
        if self.is_attached:
            self.reload(quiet=True)

    _resumed_before = False

    def on_screen_resume(self) -> None:
        quiet, self._quiet_resume = self._quiet_resume, False
        if self._resumed_before and not quiet:  # the first time, on_mount has just read it
            self.reload(quiet=True)
        self._resumed_before = True
