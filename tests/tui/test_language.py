"""The desk in French: the footer, F1, the palette and Textual's own texts, a staff member's
own language after sign-in, the whole arrival at 80×24 with a refusal at 17:00, and the
keyboard remapped by binding id."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from textual.app import App
from textual.command import CommandInput, CommandPalette
from textual.screen import Screen
from textual.widgets import Static

import screens
from crous_desk.base.clock import SystemClock
from crous_desk.base.config import Config
from crous_desk.base.errors import Refused
from crous_desk.base.i18n import current_language, set_language
from crous_desk.people.staff import set_language as set_staff_language
from crous_desk.services import Desk as ServiceDesk
from crous_desk.services import ensure_staff
from crous_desk.store.models import AuditLog, Reservation, Staff
from screens.app import DeskApp, launch, make_app
from screens.help import HelpScreen
from screens.inspection import InspectionScreen
from screens.language import TEXTUAL_TEXTS, SpeaksTheDesk
from screens.reservation import ReservationScreen
from screens.search import SearchScreen
from screens.widgets import ReasonsScreen
from tests import factories
from tests.factories import MONDAY_10H
from tests.tui.conftest import cut_texts
from tests.tui.driving import on_screen, until
from tests.tui.settle import press
from tests.tui.test_people import PASSPHRASE, error_text, with_passphrase


def footer_words(app: App[object]) -> list[str]:
    return [str(key.description) for key in app.screen.query("FooterKey")]  # type: ignore[attr-defined]


def test_every_screen_of_the_desk_speaks_the_desk_language() -> None:
    """A screen without the mixin would show its keys in English whatever the language."""
    for module in pkgutil.iter_modules(screens.__path__):
        importlib.import_module(f"screens.{module.name}")
    pending: list[type] = [Screen]
    missing = []
    while pending:
        kind = pending.pop()
        pending.extend(kind.__subclasses__())
        if kind.__module__.startswith("screens.") and not issubclass(kind, SpeaksTheDesk):
            missing.append(kind.__qualname__)
    assert missing == []


async def test_textuals_own_texts_are_translated(database, desk_app, at_time) -> None:
    """The palette's placeholder, its system commands and the quit hint, in French; a system
    command Textual adds in a later version fails here until it is in the catalogue."""
    at_time(MONDAY_10H)
    set_language("fr")
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        english = list(App.get_system_commands(app, app.screen))
        assert {c.title for c in english} | {c.help for c in english} <= set(TEXTUAL_TEXTS)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Thème", "Quitter", "Touches et aide", "Capture d'écran"} <= titles
        await press(pilot, "ctrl+p")
        palette = await on_screen(pilot, CommandPalette)
        assert palette.query_one(CommandInput).placeholder == "Rechercher une commande…"
        await press(pilot, "escape")
        app.action_help_quit()
        await pilot.pause()
        notes = list(app._notifications)
        assert notes[-1].title == "Voulez-vous quitter ?"
        assert notes[-1].message == "Appuyez sur ^q pour quitter crous-desk"
        assert "menu" in footer_words(app)


async def test_a_staff_members_own_language_applies_after_sign_in(database, at_time) -> None:
    """An English desk; Sophie prefers French: from her sign-in on, the footer, F1 and the
    palette speak French, and they were English on the sign-in screen."""
    at_time(MONDAY_10H)
    admin = factories.staff("chef", role="administrator")
    with_passphrase(factories.staff("accueil"))
    from crous_desk.desk.context import Desk

    set_staff_language(Desk(admin, SystemClock()), "accueil", "fr")
    assert AuditLog.select().where(AuditLog.action == "staff.language").count() == 1
    app = make_app(None, factories.residence(), SystemClock(), Config(language="en"))
    async with app.run_test(size=(80, 24)) as pilot:
        hint = "\n".join(str(s.render()) for s in app.screen.query(Static))
        assert "Ctrl+Q: quit" in hint
        await press(pilot, *"accueil", "enter", *"nope", "enter")
        assert "wrong username or passphrase" in error_text(app)
        await press(pilot, *PASSPHRASE, "enter")
        assert isinstance(app.screen, SearchScreen)
        assert current_language() == "fr"
        await until(pilot, lambda: "Quitter" in footer_words(app), "the French footer")
        assert {"Chercher", "Vider", "Aide", "Chambres"} <= set(footer_words(app))
        await press(pilot, "f1")
        help_screen = await on_screen(pilot, HelpScreen)
        shown = str(help_screen.query_one(Static).render())
        assert (
            "Les touches de cet écran" in shown
            and "Chambres — Les chambres et leur statut" in shown
        )


async def test_the_footer_redraws_when_the_language_changes(database, desk_app, at_time) -> None:
    from screens.language import switch_language

    at_time(MONDAY_10H)
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Rooms" in footer_words(app)
        switch_language(app, "fr")
        await until(pilot, lambda: "Chambres" in footer_words(app), "the footer in French")
        switch_language(app, "en")
        await until(pilot, lambda: "Rooms" in footer_words(app), "the footer in English")


async def test_the_whole_arrival_in_french_at_80x24(database, desk_app, at_time) -> None:
    """Search, the dossier locatif, the état des lieux, the remise des clés, in French with
    nothing cut; then another student at 17:05 is refused, in French, with the next opening
    and the stable codes."""
    at_time(MONDAY_10H)
    room = factories.room(number="B-112", kind="traditional")
    res = factories.reservation(room_=room, documents="received")
    late = factories.reservation(first="Luc", last="Martin", documents="received")
    set_language("fr")
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, *"helene dupont", "enter")
        assert isinstance(app.screen, ReservationScreen)
        assert cut_texts(app) == []
        await press(pilot, "space")  # l'attestation d'assurance: dates pre-filled
        said = "\n".join(str(s.render()) for s in app.screen.query(Static))
        assert "l'assurance doit couvrir toute la période" in said
        await press(pilot, "ctrl+s")
        for _ in range(4):
            await press(pilot, "down", "space")
            if not isinstance(app.screen, ReservationScreen):
                assert cut_texts(app) == []
                await press(pilot, "ctrl+s")
        await press(pilot, "i")
        assert isinstance(app.screen, InspectionScreen)
        assert cut_texts(app) == []
        for _ in app.screen.items:
            await press(pilot, "g")
        await press(pilot, "a", "o")  # "o" for oui
        await press(pilot, "escape", "k", "o")  # "o" for oui
        assert not isinstance(app.screen, ReasonsScreen)
    assert Reservation.get_by_id(res.id).status == "checked_in"

    at_time(datetime(2026, 11, 23, 17, 5, tzinfo=ZoneInfo("Europe/Paris")))
    app = desk_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, *"luc martin", "enter")
        assert isinstance(app.screen, ReservationScreen)
        await press(pilot, "k")
        box = await on_screen(pilot, ReasonsScreen)
        said = "\n".join(str(s.render()) for s in box.query(Static))
        assert "Les clés ne peuvent pas être remises" in said
        assert "l'accueil est fermé" in said and "ouvre demain 09:00" in said
        assert "Rien n'a été modifié" in said
        assert cut_texts(app) == []
    with pytest.raises(Refused) as refused:
        ServiceDesk(ensure_staff("accueil"), SystemClock()).hand_over_keys(late.id)
    assert "desk_closed" in refused.value.codes
    assert "check_in_not_acknowledged" in refused.value.codes


async def test_a_binding_is_remapped_by_its_id_from_the_configuration(database, at_time) -> None:
    """An AZERTY desk moves F3 and "i" where it likes them; the footer shows the new keys."""
    at_time(MONDAY_10H)
    actor = factories.staff("accueil")
    keymap = (("app.rooms", "ctrl+r"), ("reservation.inspect", "e"))
    app = make_app(actor, factories.residence(), SystemClock(), Config(keymap=keymap))
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "f3")
        assert isinstance(app.screen, SearchScreen)  # F3 no longer opens the rooms
        await press(pilot, "ctrl+r")
        assert type(app.screen).__name__ == "RoomsScreen"
        keys = {str(k.key_display) for k in app.screen.query("FooterKey")}  # type: ignore[attr-defined]
        assert "^r" in keys and "f3" not in keys


def test_a_keymap_naming_no_binding_or_an_unknown_theme_stops_before_the_desk_opens(
    database, capsys
) -> None:
    actor = factories.staff("accueil")
    config = Config(keymap=(("app.roooms", "ctrl+r"),), theme="solarized-nope")
    assert launch(actor=actor, residence=None, clock=SystemClock(), config=config) == 2
    err = capsys.readouterr().err
    assert "keymap: no key has the id 'app.roooms'" in err
    assert "theme: no theme named 'solarized-nope'" in err


async def test_the_ansi_themes_use_the_terminals_own_colours(database, at_time) -> None:
    at_time(MONDAY_10H)
    actor = factories.staff("accueil")
    app = make_app(actor, factories.residence(), SystemClock(), Config(theme="ansi-dark"))
    async with app.run_test(size=(80, 24)):
        assert app.theme == "ansi-dark" and app.current_theme.ansi
        assert {"ansi-dark", "ansi-light"} <= set(app.available_themes)


def test_deskapp_bindings_all_have_ids() -> None:
    """Every key can be remapped only if every binding has an id."""
    from screens.keymap import desk_bindings

    found = desk_bindings()
    assert len(found) > 100
    assert "app.quit" in found and "confirm.yes" in found
    assert isinstance(DeskApp.BINDINGS, list)


_ = timedelta, Staff  # kept for readers of this module's imports
