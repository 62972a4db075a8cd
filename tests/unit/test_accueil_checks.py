"""The Accueil list, row by row: what a row that cannot be read says, what the header must name,
how a student already on file is recognised (or refused when the identifiers disagree), and a
requested stay that moves when the list moves it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from crous_desk.base.clock import FixedClock
from crous_desk.base.errors import Refused
from crous_desk.desk.context import Desk
from crous_desk.office import accueil
from crous_desk.store.models import AuditLog, Reservation, Student
from tests import factories
from tests.factories import MONDAY_10H

HEADER = (
    "student_number;ine;last_name;first_name;home_university;academic_year;semester;arrival;"
    "departure"
)
ROW = "HD-1001;0123456789A;Dupont;Hélène;Universität Heidelberg;2026-2027;1;01/09/2026;31/01/2027"


def reasons(*lines: str, header: str = HEADER) -> list[str]:
    checked = accueil.check("\n".join([header, *lines]) + "\n")
    return [bad.describe() for bad in checked.bad]


def header_problems(header: str) -> list[str]:
    with pytest.raises(Refused) as refused:
        accueil.check(header + "\n")
    return list(refused.value.reasons)


def test_what_a_header_must_name() -> None:
    assert header_problems(
        "last_name,first_name,home_university,academic_year,semester,arrival,departure"
    ) == ["line 1: a column ine or student_number is needed to recognise students"]
    assert header_problems(HEADER + ";ine") == ["line 1: column named twice: ine"]
    with pytest.raises(Refused, match="the file is empty"):
        accueil.check("")


def test_what_a_row_that_cannot_be_read_says() -> None:
    long_name = "A" * 121
    found = reasons(
        f"HD-1002;;{long_name};Ana;Universität Heidelberg;2026-2027;1;01/09/2026;31/01/2027",
        "HD-1003;;Alves\x07;Ana;Universität Heidelberg;2026-2027;1;01/09/2026;31/01/2027",
        "HD 1004!;;Alves;Ana;Universität Heidelberg;2026-2027;1;01/09/2026;31/01/2027",
        ";;Alves;Ana;Universität Heidelberg;2026-2027;1;01/09/2026;31/01/2027",
        "HD-1005;;Alves;Ana;Universität Heidelberg;2026-2027;1;01/03/2027;01/02/2027",
        "HD-1006;;Alves;Ana;Universität Heidelberg;2026-2027;1;01/10/2027;31/10/2027",
        "",  # a blank line is skipped, not a bad row
    )
    assert found == [
        "line 2: last_name is longer than 120 characters",
        "line 3: last_name holds control characters; last_name is empty",
        "line 4: student number 'HD 1004!': letters, digits, '.', '_', '/' or '-' only",
        "line 5: give the INE or the student number",
        "line 6: the departure must come after the arrival",
        "line 7: arrival 01/10/2027 is outside the academic year 2026-2027; "
        "departure 31/10/2027 is outside the academic year 2026-2027",
    ]


def test_a_quote_left_open_stops_the_reading_at_its_line(database) -> None:
    found = reasons(ROW, 'HD-1002;;"Alves;Ana;Universität Heidelberg;2026-2027;1;x;y\n\n')
    assert len(found) == 1 and found[0].startswith("line 3: ")


def test_an_unreadable_file_is_one_refusal(tmp_path: Path) -> None:
    with pytest.raises(Refused, match="cannot read"):
        accueil.read_text(tmp_path / "missing.csv")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes((HEADER + "\n" + ROW + "\n").encode("latin-1"))
    with pytest.raises(Refused, match="is not UTF-8 text: save the list as CSV UTF-8"):
        accueil.read_text(latin1)


def imported(*lines: str) -> accueil.ImportResult:
    checked = accueil.check("\n".join([HEADER, *lines]) + "\n")
    assert checked.bad == [], [b.describe() for b in checked.bad]
    admin = factories.staff("chef", role="administrator", scope=())
    return accueil.apply(Desk(admin, FixedClock(MONDAY_10H)), checked.good, source="accueil.csv")


def test_a_requested_stay_follows_the_new_dates_of_the_list(database) -> None:
    first = imported(ROW)
    assert (first.students_created, first.stays_created) == (1, 1)
    moved = ROW.replace("01/09/2026;31/01/2027", "15/09/2026;15/02/2027")
    again = imported(moved)
    assert (again.stays_updated, again.stays_created, again.students_created) == (1, 0, 0)
    stay = Reservation.get()
    assert (stay.lease_start, stay.lease_end) == (date(2026, 9, 15), date(2027, 2, 15))
    dates = AuditLog.get(AuditLog.action == "reservation.dates")
    assert '"lease_start": "2026-09-01"' in dates.before and dates.reservation_id == stay.id


def test_identifiers_that_disagree_with_the_file_are_refused(database) -> None:
    imported(ROW)
    other_ine = ROW.replace("0123456789A", "123456789AB")
    other_number = ROW.replace("HD-1001", "HD-9999")
    assert reasons(other_ine) == [
        "line 2: student number HD-1001 is recorded with another INE (0123456789A)"
    ]
    assert reasons(other_number) == [
        "line 2: INE 0123456789A is recorded with another student number (HD-1001)"
    ]


def test_a_database_changed_since_the_check_refuses_the_whole_import(database) -> None:
    checked = accueil.check(f"{HEADER}\n{ROW}\n")
    Student.create(
        first_name="Hélène",
        last_name="Dupont",
        ine="123456789AB",
        student_number="HD-1001",
        home_university="Universität Heidelberg",
    )  # recorded by another desk between the check and the import
    admin = factories.staff("chef", role="administrator", scope=())
    with pytest.raises(Refused, match="line 2: student number HD-1001 is recorded with another"):
        accueil.apply(Desk(admin, FixedClock(MONDAY_10H)), checked.good)
    assert Reservation.select().count() == 0


def test_a_row_matches_what_the_rows_above_it_leave(database) -> None:
    """Rows are planned in order against what the rows above them change: the first row gives
    the student on file an INE, so a second row (from another list) with that INE and another
    number is the same INE recorded with another number — refused, nothing written."""
    imported(ROW.replace("0123456789A", ""))
    first = accueil.check(f"{HEADER}\n{ROW}\n").good
    second = accueil.check(f"{HEADER}\n{ROW.replace('HD-1001', 'HD-2002')}\n").good
    admin = factories.staff("chef", role="administrator", scope=())
    entries = AuditLog.select().count()
    with pytest.raises(Refused, match="INE 0123456789A is recorded with another student number"):
        accueil.apply(Desk(admin, FixedClock(MONDAY_10H)), [*first, *second])
    assert Student.get().ine is None and Student.select().count() == 1
    assert AuditLog.select().count() == entries
