"""The "Accueil" list may say each student's language and zone (optional columns): their
e-mails follow them; a language or zone that is not one is refused with the row's line."""

from __future__ import annotations

from crous_desk.base.clock import FixedClock
from crous_desk.desk.context import Desk
from crous_desk.office import accueil
from crous_desk.store.models import Student
from tests import factories
from tests.factories import MONDAY_10H

HEADER = "ine;last_name;first_name;home_university;academic_year;semester;arrival;departure"


def test_language_and_zone_come_from_the_list(database: object) -> None:
    text = (
        f"{HEADER};language;timezone\n"
        "0123456789A;Dupont;Hélène;Heidelberg;2026-2027;1;01/09/2026;31/01/2027;EN;Asia/Tokyo\n"
        "0123456789B;Nowak;Łukasz;Heidelberg;2026-2027;1;01/09/2026;31/01/2027;;\n"
        "0123456789C;Bad;Row;Heidelberg;2026-2027;1;01/09/2026;31/01/2027;de;Mars/Olympus\n"
    )
    checked = accueil.check(text)
    [bad] = checked.bad
    assert bad.line == 4
    assert bad.reasons == (
        "language 'de': fr or en",
        "time zone 'Mars/Olympus': a name such as America/Montreal",
    )
    manager = factories.manager()
    accueil.apply(Desk(manager, FixedClock(MONDAY_10H)), checked.good)
    assert [
        (s.last_name, s.language, s.timezone) for s in Student.select().order_by(Student.id)
    ] == [
        ("Dupont", "en", "Asia/Tokyo"),
        ("Nowak", None, None),
    ]
    # a list without the columns leaves what is recorded
    again = f"{HEADER}\n0123456789A;Dupont;Hélène;Heidelberg;2026-2027;1;01/09/2026;31/01/2027\n"
    accueil.apply(Desk(manager, FixedClock(MONDAY_10H)), accueil.check(again).good)
    assert Student.get(Student.last_name == "Dupont").language == "en"
