"""The desk's language on screen: key descriptions translated when they are shown, and
Textual's own texts (the palette, its system commands, the quit hint) in the desk's words.

A binding's description and tooltip are class attributes, read at import, before anyone has
signed in: they are written ``N_("Keys")`` (extracted, not translated) and translated here,
each time a footer, F1, the palette or Textual's key panel asks the screen for its active
bindings. So a staff member's own language applies as soon as they sign in, and
:func:`switch_language` redraws every footer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import ActiveBinding, Binding

from crous_desk.base.i18n import N_, _, current_language, set_language

# Textual's own words that reach our screens (textual/app.py, screen.py, 8.2.8), for the
# catalogue.
# get_system_commands below translates them; a Textual upgrade that adds one is caught by
# tests/unit/test_catalogue.py.
TEXTUAL_TEXTS = {
    "Theme": N_("Theme"),
    "Change the current theme": N_("Change the current theme"),
    "Quit": N_("Quit"),
    "Quit the application as soon as possible": N_("Quit the application as soon as possible"),
    "Keys": N_("Keys and help"),
    "Show help for the focused widget and a summary of available keys": N_(
        "Show help for the focused widget and a summary of available keys"
    ),
    "Hide the keys and widget help panel": N_("Hide the keys and widget help panel"),
    "Maximize": N_("Maximize"),
    "Maximize the focused widget": N_("Maximize the focused widget"),
    "Minimize": N_("Minimize"),
    "Minimize the widget and restore to normal size": N_(
        "Minimize the widget and restore to normal size"
    ),
    "Focus Next": N_("Focus Next"),  # Screen's own keys (F1 and the palette list them)
    "Focus Previous": N_("Focus Previous"),
    "Copy selected text": N_("Copy selected text"),
    "palette": N_("palette"),  # the footer's Ctrl+P
    "Open the command palette": N_("Open the command palette"),
    "Quit the app and return to the command prompt.": N_(
        "Quit the app and return to the command prompt."
    ),
    "Screenshot": N_("Screenshot"),
    "Save an SVG 'screenshot' of the current screen": N_(
        "Save an SVG 'screenshot' of the current screen"
    ),
}


def shown(binding: Binding) -> Binding:
    """``binding`` as a person reads it now: description and tooltip in the desk's language."""
    if not binding.description and not binding.tooltip:
        return binding
    return replace(binding, description=_(binding.description), tooltip=_(binding.tooltip))


class SpeaksTheDesk:
    """Mixed into every screen of the desk (tests/tui/test_language.py checks it): its
    active bindings, which feed the footer, F1, the palette and the key panel, are
    translated at the moment they are read."""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        return {
            key: ActiveBinding(
                active.node, shown(active.binding), active.enabled, _(active.tooltip)
            )
            for key, active in super().active_bindings.items()  # type: ignore[misc]
        }


def system_commands(commands: Iterable[SystemCommand]) -> Iterable[SystemCommand]:
    """Textual's system commands for the palette, in the desk's language."""
    for command in commands:
        yield command._replace(
            title=_(TEXTUAL_TEXTS.get(command.title, command.title)),
            help=_(TEXTUAL_TEXTS.get(command.help, command.help)),
        )


def quit_hint(app: App[Any]) -> None:
    """Ctrl+C does not quit (it copies in a text box): say which key does."""
    for active in app.active_bindings.values():
        if active.binding.action in ("quit", "app.quit"):
            app.notify(
                _("Press {key} to quit crous-desk").format(key=app.get_key_display(active.binding)),
                title=_("Do you want to quit?"),
                markup=False,
            )
            return


def switch_language(app: App[Any], language: str | None) -> None:
    """Speak ``language`` from now on (None: keep the current one); every footer on the
    stack redraws its keys."""
    if not language:
        return
    before = current_language()
    set_language(language)
    if current_language() != before:
        for screen in app.screen_stack:
            screen.refresh_bindings()
