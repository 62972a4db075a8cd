"""The desk's keys, remappable by id from the configuration (``[keymap]``; Textual's keymap).

An AZERTY desk, a screen reader's own shortcuts, a terminal that eats F-keys: each binding has
a stable id (F1 shows the keys; the README lists the ids), and the configuration may give it
other keys. An id that no binding has is a mistake worth saying before the desk opens.
"""

from __future__ import annotations

import importlib
import pkgutil

from textual.binding import Binding
from textual.dom import DOMNode

from crous_desk.base.i18n import _


def desk_bindings() -> dict[str, Binding]:
    """Every binding of the desk's screens and widgets, by id."""
    import screens

    for module in pkgutil.iter_modules(screens.__path__):
        importlib.import_module(f"screens.{module.name}")
    found: dict[str, Binding] = {}
    pending: list[type[DOMNode]] = [DOMNode]
    while pending:
        node_type = pending.pop()
        pending.extend(node_type.__subclasses__())
        if not node_type.__module__.startswith("screens."):
            continue
        for binding in Binding.make_bindings(node_type.__dict__.get("BINDINGS", [])):
            if binding.id:
                found.setdefault(binding.id, binding)
    return found


def keymap_problems(keymap: dict[str, str]) -> list[str]:
    """Why a configured keymap cannot be used: ids that name no binding."""
    known = desk_bindings()
    return [
        _("keymap: no key has the id {id!r} (F1 shows each screen's keys)").format(id=name)
        for name in sorted(keymap)
        if name not in known
    ]
