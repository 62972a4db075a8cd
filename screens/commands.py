"""The command palette finds every key binding of the screen it was opened from, every tool
of the app (even where a text box uses the same key), and what a reservation file offers."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider

from crous_desk.base.i18n import _

from .help import screen_bindings
from .language import shown


class BindingCommands(Provider):
    """One command per binding: the same definitions feed the footer, this palette and F1."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        commands: list[tuple[str, str, Callable[[], object]]] = [
            (_described(binding), key, partial(self.app.run_action, binding.action, node))
            for key, binding, node in screen_bindings(self.screen)  # in the desk's words
        ]
        seen = {binding.action for _key, binding, _node in screen_bindings(self.screen)}
        for binding in Binding.make_bindings(type(self.app).BINDINGS):
            if binding.description and binding.action not in seen:
                if self.app.check_action(binding.action, ()):  # this role's tools only
                    key = self.app.get_key_display(binding)
                    commands.append(
                        (
                            _described(shown(binding)),
                            key,
                            partial(self.app.run_action, binding.action),
                        )
                    )
        commands.extend(self._on_a_file(seen))
        return commands

    def _on_a_file(self, seen: set[str]) -> list[tuple[str, str, Callable[[], object]]]:
        """A reservation file's actions, found from anywhere: choosing one says how to get
        there (a file is opened by its student, not from the palette)."""
        from .base import DeskScreen, may_run
        from .reservation import ReservationScreen

        if isinstance(self.screen, ReservationScreen) or not isinstance(self.screen, DeskScreen):
            return []
        found: list[tuple[str, str, Callable[[], object]]] = []
        for binding in Binding.make_bindings(ReservationScreen.BINDINGS):
            runs = ReservationScreen.RUNS.get(binding.action)
            if not binding.description or binding.action in seen or binding.priority:
                continue
            if runs is not None and not may_run(self.screen, runs):
                continue
            key = self.app.get_key_display(binding)
            where = _("on a reservation file")
            found.append(
                (
                    f"{_described(shown(binding))} ({where})",
                    key,
                    partial(
                        self.app.notify,
                        _(
                            "Open the reservation file first (type a name, then Enter), then "
                            "press {key}."
                        ).format(key=key),
                        markup=False,
                    ),
                )
            )
        return found

    async def discover(self) -> Hits:
        for description, key, run in self._commands():
            yield DiscoveryHit(description, run, help=key)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for description, key, run in self._commands():
            score = matcher.match(description)
            if score > 0:
                yield Hit(score, matcher.highlight(description), run, help=key)


def _described(binding: Binding) -> str:
    return f"{binding.description}: {binding.tooltip}" if binding.tooltip else binding.description
