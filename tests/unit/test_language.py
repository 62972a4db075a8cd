"""Which language the desk speaks, and French days, times and amounts without system locales."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from crous_desk.base import formats
from crous_desk.base.config import ConfigError, load_config
from crous_desk.base.i18n import (
    _,
    choose_language,
    current_language,
    language_from_environment,
    set_language,
)
from crous_desk.cli.main import main
from crous_desk.cli.speech import command_line_language
from crous_desk.rules.condition import euros
from crous_desk.rules.hours import weekday_name


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "fr_FR.UTF-8"}, "fr"),
        ({"LANG": "fr_BE.UTF-8"}, "fr"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({"LC_MESSAGES": "fr_FR.UTF-8", "LANG": "en_GB.UTF-8"}, "fr"),
        ({"LC_ALL": "C.UTF-8", "LC_MESSAGES": "fr_FR.UTF-8"}, "en"),  # LC_ALL decides
        ({"LC_ALL": "fr_CA.UTF-8", "LANG": "C"}, "fr"),
        ({}, "en"),
    ],
)
def test_the_locale_decides_when_nothing_else_does(environ: dict[str, str], expected: str):
    assert choose_language(None, None, environ=environ) == expected


def test_the_order_of_the_wishes() -> None:
    """The account's own preference, then --lang, then CROUS_DESK_LANG, then the
    configuration, then the locale."""
    french_terminal = {"LANG": "fr_FR.UTF-8"}
    assert choose_language("en", "fr", environ=french_terminal) == "en"
    assert choose_language(None, "en", environ=french_terminal) == "en"
    assert choose_language(None, None, "fr", environ={"LANG": "C.UTF-8"}) == "fr"
    assert choose_language("klingon", None, environ=french_terminal) == "fr"  # unknown: ignored
    assert language_from_environment({"LANG": "POSIX"}) == "en"


def test_the_command_line_reads_lang_before_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    assert command_line_language(["--lang", "en", "staff", "list"]) == "en"
    assert command_line_language(["--lang=en"]) == "en"
    assert command_line_language(["staff", "list"]) == "fr"
    monkeypatch.setenv("CROUS_DESK_LANG", "en")
    assert command_line_language([], configured="fr") == "en"
    monkeypatch.delenv("CROUS_DESK_LANG")
    assert command_line_language([], configured="en") == "en"
    assert command_line_language(["--", "--lang", "en"]) == "fr"  # after --, not an option


def test_the_configuration_checks_the_language_the_keymap_and_reads_the_theme(
    tmp_path: Path, monkeypatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('language = "fr"\ntheme = "ansi-dark"\n[keymap]\n"app.quit" = "ctrl+x"\n')
    loaded = load_config(config)
    assert (loaded.language, loaded.theme, loaded.keymap) == (
        "fr",
        "ansi-dark",
        (("app.quit", "ctrl+x"),),
    )
    config.write_text('language = "klingon"\n')
    with pytest.raises(ConfigError, match="language must be one of en, fr"):
        load_config(config)
    config.write_text('keymap = "ctrl+x"\n')
    with pytest.raises(ConfigError, match="keymap must be a table"):
        load_config(config)
    config.write_text("")
    monkeypatch.setenv("CROUS_DESK_LANG", "fr")
    assert load_config(config).language == "fr"
    monkeypatch.setenv("CROUS_DESK_LANG", "xx")
    with pytest.raises(ConfigError, match="CROUS_DESK_LANG"):
        load_config(config)


def test_french_days_times_and_amounts_come_from_babel_not_the_system() -> None:
    """The test machine's locale is C.UTF-8: no French comes from the system."""
    set_language("fr")
    day = date(2026, 12, 1)
    assert formats.long_day(day) == "mardi 1 décembre 2026"
    assert formats.weekday_day(day) == "mar. 01/12"
    assert weekday_name(day) == "mardi"
    assert formats.clock(datetime(2026, 12, 1, 17, 5)) == "17:05"
    assert formats.money(123450).replace("\u202f", " ").replace("\xa0", " ") == "1 234,50 €"
    assert euros(-500).replace("\xa0", " ") == "-5,00 €"
    assert formats.number(1234).replace("\u202f", " ") == "1 234"
    set_language("en")
    assert formats.long_day(day) == "Tuesday 1 December 2026"
    assert weekday_name(day) == "Tuesday"
    assert euros(123450) == "1234.50 €"
    assert current_language() == "en"


def test_the_short_day_names_are_babel_s_own() -> None:
    """The header's "mar. 01/12" is written without loading Babel's data at start: each
    interface language's short day names are exactly Babel's, every day of the week."""
    from babel.dates import format_date

    from crous_desk.base.i18n import LANGUAGES

    assert set(formats.SHORT_DAYS) == set(LANGUAGES)
    for language in LANGUAGES:
        set_language(language)
        for offset in range(7):
            day = date(2026, 11, 30) + timedelta(days=offset)
            babel = format_date(day, "EEE dd/MM", locale=formats.locale())
            assert formats.weekday_day(day) == babel
    set_language("en")


def test_the_desk_hours_line_says_the_next_opening_in_french() -> None:
    from zoneinfo import ZoneInfo

    from crous_desk.rules.hours import DeskCalendar, describe_status, desk_status

    set_language("fr")
    paris = ZoneInfo("Europe/Paris")
    friday_evening = datetime(2026, 11, 27, 17, 30, tzinfo=paris)
    status = desk_status(friday_evening, DeskCalendar(tz=paris))
    assert describe_status(status) == "Fermé — ouvre lundi 09:00"


def test_crous_desk_help_answers_in_french(capsys, monkeypatch) -> None:
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage : crous-desk")
    for words in (
        "L'accueil d'une résidence universitaire du CROUS.",
        "afficher cette aide et quitter",
        "ouvrir l'accueil (par défaut)",
        "arguments positionnels",
        "afficher la version du programme et quitter",
    ):
        assert words in out
    with pytest.raises(SystemExit):
        main(["staff", "add", "--help"])
    assert "créer un compte d'agent" not in capsys.readouterr().out  # the sub-help is its own
    with pytest.raises(SystemExit):
        main(["staff", "--help"])
    assert "créer un compte d'agent" in capsys.readouterr().out


def test_the_command_line_says_its_errors_and_refusals_in_the_users_language(
    capsys, monkeypatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CROUS_DESK_CONFIG", str(tmp_path / "none.toml"))
    with pytest.raises(SystemExit) as done:
        main(["--lang", "fr", "slips", "--out", "x.pdf"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "erreur : l'un des arguments --date --reservation est obligatoire" in err
    missing = tmp_path / "missing.db"
    assert (
        main(
            [
                "--lang",
                "fr",
                "slips",
                "--reservation",
                "K7Q2MX",
                "--out",
                "x.pdf",
                "--db",
                str(missing),
            ]
        )
        == 1
    )
    assert capsys.readouterr().err == (
        f"crous-desk: {missing} : ce fichier de base de données n'existe pas\n"
    )
    assert (
        main(
            [
                "--lang",
                "en",
                "slips",
                "--reservation",
                "K7Q2MX",
                "--out",
                "x.pdf",
                "--db",
                str(missing),
            ]
        )
        == 1
    )
    assert "no such database file" in capsys.readouterr().err
    assert _("Hand over the keys") == "Hand over the keys"


def test_a_staff_members_language_is_set_by_an_administrator_and_audited(
    database, capsys, monkeypatch, tmp_path: Path
) -> None:
    from crous_desk.base.clock import SystemClock
    from crous_desk.base.errors import Refused
    from crous_desk.desk.context import Desk
    from crous_desk.people.staff import set_language as set_staff_language
    from crous_desk.store.models import AuditLog, Staff
    from tests import factories

    admin = Desk(factories.staff("chef", role="administrator"), SystemClock())
    factories.staff("b.roux")
    assert set_staff_language(admin, "b.roux", "fr_FR.UTF-8").language == "fr"
    with pytest.raises(Refused) as refused:
        set_staff_language(admin, "b.roux", "klingon")
    assert refused.value.codes == ("unknown_language",)
    receptionist = Desk(Staff.get(Staff.username == "b.roux"), SystemClock())
    with pytest.raises(Refused) as refused:
        set_staff_language(receptionist, "b.roux", "en")
    assert refused.value.codes == ("not_permitted",)
    assert set_staff_language(admin, "b.roux", None).language is None
    entries = AuditLog.select().where(AuditLog.action == "staff.language").order_by(AuditLog.id)
    assert [e.after for e in entries] == ['{"language": "fr"}', '{"language": null}']
