"""The pieces of a message, each held to its promise: the configuration never holds the
password, names are data in the text, the HTML and the headers, the invitation's lines are
folded without breaking a character; the addresses staff mail goes to."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import icalendar
import pytest

from crous_desk.base.config import ConfigError, load_config
from crous_desk.base.errors import Refused
from crous_desk.cli.main import main
from crous_desk.mail import address_problem, ics, set_residence_addresses, set_staff_address
from crous_desk.mail.letter import Bullets, Facts, Letter, P, Part, Table
from crous_desk.mail.settings import sender, smtp_settings
from crous_desk.store.models import Residence, Staff
from crous_desk.store.models import db as proxy
from tests import factories
from tests.mail.conftest import World, mail_config


def config_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_password_is_never_in_the_configuration(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="smtp_password must not be written"):
        load_config(config_file(tmp_path, 'smtp_host = "x"\nsmtp_password = "hunter2"\n'))
    with pytest.raises(ConfigError, match="smtp_security must be one of starttls, tls, none"):
        load_config(config_file(tmp_path, 'smtp_security = "ssl"\n'))
    with pytest.raises(ConfigError, match="smtp_port must be a whole number from 1 to 65535"):
        load_config(config_file(tmp_path, "smtp_port = 0\n"))
    config = load_config(config_file(tmp_path, 'smtp_host = "mail"\nsmtp_security = "tls"\n'))
    settings = smtp_settings(config)
    assert settings is not None and (settings.port, settings.security) == (465, "tls")


def test_the_password_comes_from_a_file_or_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = mail_config(None, smtp_host="mail", smtp_user="u", smtp_password_file="/nope")
    with pytest.raises(Refused) as refused:
        smtp_settings(missing)
    assert refused.value.codes == ("smtp_password_unreadable",)
    with pytest.raises(Refused) as refused:
        smtp_settings(mail_config(None, smtp_host="mail", smtp_user="u"))
    assert refused.value.codes == ("smtp_no_password",)
    monkeypatch.setenv("CROUS_DESK_SMTP_PASSWORD", "from the environment")
    settings = smtp_settings(missing)  # the environment wins over the file
    assert settings is not None and settings.password == "from the environment"
    assert "from the environment" not in repr(settings)


def test_the_sender_must_be_an_address() -> None:
    with pytest.raises(Refused) as refused:
        sender(mail_config(None, mail_from=None))
    assert refused.value.codes == ("no_mail_from",)
    with pytest.raises(Refused) as refused:
        sender(mail_config(None, mail_from="CROUS <nowhere>"))
    assert refused.value.codes == ("bad_mail_from",)


@pytest.mark.parametrize(
    ("address", "code"),
    [
        ("", "no_address"),
        ("   ", "no_address"),
        ("jean@@example.org", "bad_address"),
        ("jean@example", "bad_address"),
        ("jean dupont@example.org", "bad_address"),
        ("jean..dupont@example.org", "bad_address"),
        ("jean@example.org\r\nBcc: x@example.org", "bad_address"),
        ("jean.dupont+crous@example.org", None),
    ],
)
def test_what_is_an_address(address: str, code: str | None) -> None:
    problem = address_problem(address)
    assert (getattr(problem, "code", None) if problem else None) == code


def test_names_are_data_in_the_text_and_the_html() -> None:
    name = "<script>alert(1)</script> [bold]Zoé\r\nBcc: x@example.org"
    letter = Letter(
        f"Hello {name}",
        (
            Part(
                (
                    P(name, strong=True),
                    Bullets((name,)),
                    Facts((("Name", name),)),
                    Table(("Who",), ((name,),)),
                ),
                heading="English",
                lang="en",
            ),
        ),
    )
    html = letter.html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "\r" not in letter.text and "Bcc: x@example.org" in letter.text  # on the same line
    assert all(not line.startswith("Bcc:") for line in letter.text.splitlines())
    assert "[bold]Zoé" in letter.text


def test_the_invitation_folds_long_lines_without_breaking_a_character() -> None:
    at = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    data = ics.invitation(
        uid="arrival-K7Q2MX-1@crous-desk",
        sequence=2,
        stamp=at,
        start=at,
        end=at,
        summary="Arrivée; à la résidence, " + "é" * 80,
        location="Résidence Łukasz Nguyễn Østergaard Şahin Dvořák, " * 3,
        description="line one\nline two; with, marks",
        organizer=("Résidence", "accueil@example.org"),
        attendee=('Zoé "Z" Martin', "zoe@example.org"),
    )
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    data.decode("utf-8")  # every folded line is still whole UTF-8
    [event] = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Arrivée; à la résidence, " + "é" * 80
    assert str(event["DESCRIPTION"]) == "line one\nline two; with, marks"
    assert int(event["SEQUENCE"]) == 2


def test_an_administrator_sets_where_staff_mail_goes(world: World) -> None:
    from crous_desk.desk.context import Desk

    admin = Desk(world.admin, world.clock)
    residence = set_residence_addresses(admin, world.residence.id, manager_email="")
    assert (residence.email, residence.manager_email) == (
        "accueil.gaston-berger@crous-aix-marseille.fr",
        None,
    )
    with pytest.raises(Refused) as refused:
        set_residence_addresses(
            admin, world.residence.id, desk_email="nope", manager_email="also nope"
        )
    assert refused.value.codes == ("bad_address", "bad_address")
    with pytest.raises(Refused) as refused:
        set_residence_addresses(admin, world.residence.id)
    assert refused.value.codes == ("nothing_to_change",)
    manager = factories.manager()
    assert set_staff_address(admin, manager.username, "m.durand@univ-amu.fr").email == (
        "m.durand@univ-amu.fr"
    )
    with pytest.raises(Refused) as refused:
        set_staff_address(admin, "nobody", "a@example.org")
    assert refused.value.codes == ("not_found",)
    with pytest.raises(Refused) as refused:
        set_staff_address(world.desk, manager.username, "a@example.org")
    assert refused.value.codes == ("not_permitted",)


def test_the_mail_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from crous_desk.store.db import connect

    db = tmp_path / "desk.db"
    connect(db)
    factories.residence()
    factories.manager()
    proxy.obj.close()
    proxy.initialize(None)
    monkeypatch.setenv("CROUS_DESK_CONFIG", str(tmp_path / "none.toml"))

    def cli(*args: str) -> int:
        try:
            return main([*args, "--db", str(db)])
        finally:
            if proxy.obj is not None:
                proxy.obj.close()
            proxy.initialize(None)

    assert cli("mail", "address", "residence", "gaston-berger", "--manager", "g@example.org") == 0
    assert "manager g@example.org" in capsys.readouterr().out
    assert cli("mail", "address", "staff", "m.durand", "md@example.org") == 0
    assert cli("mail", "address", "staff", "m.durand", "not an address") == 1
    assert "is not an e-mail address" in capsys.readouterr().err
    assert cli("mail", "again", "7") == 1
    assert "no message #7 in the outbox" in capsys.readouterr().err
    assert cli("mail", "status") == 0
    assert "server: none configured" in capsys.readouterr().out
    connect(db)
    try:
        assert Residence.get().manager_email == "g@example.org"
        assert Staff.get(Staff.username == "m.durand").email == "md@example.org"
    finally:
        proxy.obj.close()
        proxy.initialize(None)
