"""The command palette finds every key binding of the screen it was opened from."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from .help import screen_bindings


class BindingCommands(Provider):
    """One command per binding: the same definitions feed the footer, this palette and F1."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        return [
            (
                f"{binding.description}: {binding.tooltip}"
                if binding.tooltip
                else binding.description,
                key,
                partial(self.app.run_action, binding.action, node),
            )
            for key, binding, node in screen_bindings(self.screen)
        ]

    async def discover(self) -> Hits:
        for description, key, run in self._commands():
            yield DiscoveryHit(description, run, help=key)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for description, key, run in self._commands():
            score = matcher.match(description)
            if score > 0:
                yield Hit(score, matcher.highlight(description), run, help=key)
