"""The slip as a person gets it: a PDF whose QR code zbar reads back, whose name keeps its
accents, and which lists exactly the documents the student must still bring."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crous_desk.arrivals.appointments import SlotPolicy, book_appointment
from crous_desk.arrivals.slip_pdf import DOCUMENTS_FR, save_slips
from crous_desk.arrivals.slips import read_payload, slips_for
from crous_desk.base.clock import FixedClock
from crous_desk.rules.reference import document_kinds, required_documents
from crous_desk.services import Desk
from crous_desk.store.models import Closure, Document, Reservation
from tests import factories
from tests.factories import MONDAY_10H
from tests.slips.conftest import pdf_pages, pdf_text, scan_page

NAME = ("Łukasz", "Nguyễn Østergaard Şahin Dvořák")
PARIS = ZoneInfo("Europe/Paris")


def desk() -> Desk:
    return Desk(factories.staff(), FixedClock(MONDAY_10H), factories.residence())


def slip_pdf(tmp_path: Path, *reservations: Reservation, name: str = "slip.pdf") -> Path:
    path = tmp_path / name
    save_slips(slips_for([r.id for r in reservations], MONDAY_10H), path)
    return path


@pytest.fixture
def lukasz(database) -> Reservation:
    r = factories.reservation(first=NAME[0], last=NAME[1], documents="received")
    book_appointment(desk(), r.id, datetime(2026, 11, 24, 14, 0, tzinfo=PARIS), SlotPolicy())
    return r


def test_the_qr_code_scans_back_to_the_reservation(lukasz: Reservation, tmp_path: Path) -> None:
    pdf = slip_pdf(tmp_path, lukasz)
    assert pdf.read_bytes().startswith(b"%PDF")
    decoded = scan_page(pdf)
    assert len(decoded) == 1
    assert read_payload(decoded[0]) == lukasz.reference


def test_the_slip_says_who_where_and_when(lukasz: Reservation, tmp_path: Path) -> None:
    text = pdf_text(slip_pdf(tmp_path, lukasz))
    assert " ".join(NAME) in text  # accents as typed: Latin Extended and Vietnamese
    for value in (
        lukasz.student.ine,
        lukasz.reference,
        lukasz.room.number,
        "Résidence Gaston Berger",
        "Avenue Gaston Berger, 13100 Aix-en-Provence",
        "04 42 93 47 00",  # the desk's phone
        "CROUS Aix-Marseille",  # the CROUS from the directory
        "6 avenue Benjamin Abram",
        "04 42 16 13 13",
        "mardi 24 novembre 2026, de 14:00 à 14:30 (heure de Paris)",  # the appointment, in French
        "Tuesday 24 November 2026, 14:00 to 14:30 (Paris time)",  # and in English
        "Monday to Friday, 09:00 to 17:00",
        "Du lundi au vendredi, de 09:00 à 17:00",
        "Keys are handed over only at the desk, Monday to Friday before 17:00.",
        "Your insurance must cover the whole stay, from 23/11/2026 to 30/04/2027",
    ):
        assert value in text, value


def test_the_slip_lists_exactly_the_documents_still_missing(database, tmp_path: Path) -> None:
    r = factories.reservation(documents="none")
    verifier = factories.staff()
    Document.create(  # verified: counts
        reservation=r,
        kind="school",
        received_at=MONDAY_10H,
        verified_at=MONDAY_10H,
        verified_by=verifier,
    )
    Document.create(  # received, not yet verified: still to bring
        reservation=r, kind="info_form", received_at=MONDAY_10H
    )
    Document.create(  # verified, but the cover ends before the lease: does not count
        reservation=r,
        kind="insurance",
        received_at=MONDAY_10H,
        verified_at=MONDAY_10H,
        verified_by=verifier,
        covers_from=r.lease_start,
        covers_until=r.lease_end - timedelta(days=1),
    )
    Document.create(  # verified and valid: counts
        reservation=r,
        kind="guarantor",
        received_at=MONDAY_10H,
        verified_at=MONDAY_10H,
        verified_by=verifier,
        guarantor_kind="visale",
    )
    # identity: nothing at all
    text = pdf_text(slip_pdf(tmp_path, r))
    kinds = document_kinds()
    expected = {"info_form", "insurance", "identity"}
    for kind in required_documents():
        listed_en = kinds[kind.code].label in text
        listed_fr = DOCUMENTS_FR[kind.code] in text
        assert (listed_en, listed_fr) == ((kind.code in expected),) * 2, kind.code
    assert "CROUS information form with handwritten signature — received, not checked yet" in text
    assert "for the whole stay — the one received does not count" in text
    assert kinds["housing_aid"].label not in text  # tracked, never blocking: not asked for
    assert "Nothing: your rental file is complete." not in text


def test_a_complete_file_asks_for_nothing(database, tmp_path: Path) -> None:
    r = factories.reservation(documents="verified")
    text = pdf_text(slip_pdf(tmp_path, r))
    assert "Nothing: your rental file is complete." in text
    assert "Rien : votre dossier de location est complet." in text
    for kind in required_documents():
        assert kind.label not in text


def test_without_an_appointment_the_slip_says_from_when(database, tmp_path: Path) -> None:
    r = factories.reservation(lease_start=date(2026, 12, 1))
    Closure.create(
        residence=factories.residence(),
        first=date(2026, 12, 24),
        last=date(2027, 1, 3),
        reason="fermeture d'hiver",
    )
    text = pdf_text(slip_pdf(tmp_path, r))
    assert (
        "No appointment yet: come to the desk during opening hours, from Tuesday 1 December 2026."
        in text
    )
    assert "Closed 24/12/2026 to 03/01/2027 (fermeture d'hiver)" in text
    assert "Fermé du 24/12/2026 au 03/01/2027 (fermeture d'hiver)" in text


def test_one_page_per_slip_each_with_its_own_code(database, tmp_path: Path) -> None:
    people = [factories.reservation(last=last) for last in ("Martin", "Bernard", "Petit")]
    pdf = slip_pdf(tmp_path, *people)
    assert pdf_pages(pdf) == 3
    assert read_payload(scan_page(pdf, page=3)[0]) == people[2].reference


def test_student_names_are_data(database, tmp_path: Path) -> None:
    r = factories.reservation(first="<b>Zoé</b>", last="[bold]O'Brien & Fils")
    text = pdf_text(slip_pdf(tmp_path, r))
    assert "<b>Zoé</b> [bold]O'Brien & Fils" in text


def test_without_appointment_the_slip_names_the_first_open_day(database) -> None:
    """A lease starting on a Saturday: the student is told to come on Monday, not Saturday."""
    from datetime import UTC, date, datetime

    from crous_desk.arrivals.slips import slips_for
    from tests import factories as f

    res = f.reservation(lease_start=date(2026, 11, 28), documents="none")
    (slip,) = slips_for([res.id], datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    assert slip.arrival_day == date(2026, 11, 30)
