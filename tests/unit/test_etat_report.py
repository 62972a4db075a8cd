"""The tenant's copy of the état des lieux: a PDF in French and English whose text is the
record's (read back with pdftotext), for the check-in and for the check-out beside it with the
differences and their charges, ending with the acknowledgement and a QR code that zbarimg
decodes into the slip's signed code of the reservation."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from crous_desk import departure
from crous_desk.arrivals.payload import make_payload, read_payload
from crous_desk.base.errors import Refused
from crous_desk.inspections.record import record_forwarding_address, record_keys, record_meter
from crous_desk.office.etat_report import inspection_for, save_report
from crous_desk.store.models import InspectionItem, Reservation
from tests import factories
from tests.factories import MONDAY_10H
from tests.tenants import FRIDAY_10H, desk_at

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("zbarimg") and shutil.which("pdftoppm"))
    and not os.environ.get("CI"),  # .ci/run installs them: missing there fails, not skips
    reason="poppler-utils and zbar-tools are needed",
)


@pytest.fixture(autouse=True)
def _db(database) -> Iterator[None]:
    yield


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode()


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def qr_codes(path: Path, tmp: Path) -> list[str]:
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(path), str(tmp / "page")], check=True)
    found = []
    for page in sorted(tmp.glob("page*.png")):
        run = subprocess.run(["zbarimg", "--raw", "-q", str(page)], capture_output=True)
        found += run.stdout.decode().split()
    return found


def studio_tenant() -> Reservation:
    """Łukasz checks in a studio: a remark on the desk, the electricity meter read, keys
    counted, acknowledged; then the keys are handed over."""
    room = factories.room(number="S-301", kind="studio")
    r = factories.reservation(
        first="Łukasz", last="Nguyễn Østergaard", room_=room, documents="verified"
    )
    desk = desk_at(MONDAY_10H)
    inspection = desk.open_inspection(r.id)
    for item in inspection.items:
        desk.set_item(item.id, state="good")
    desk_item = InspectionItem.get(inspection=inspection, label="Desk")
    desk.set_item(desk_item.id, state="worn", remark="scratch on the top, left corner")
    record_meter(desk, inspection.id, "electricity", "012345.6")
    record_keys(desk, inspection.id, "badge", 2)
    desk.acknowledge_inspection(inspection.id)
    desk.hand_over_keys(r.id)
    return Reservation.get_by_id(r.id)


def test_the_check_in_copy_reads_back_as_recorded(tmp_path: Path) -> None:
    r = studio_tenant()
    desk = desk_at(MONDAY_10H)
    inspection = inspection_for(desk, r.reference.lower(), "check_in")
    out = save_report(desk, inspection.id, tmp_path / "check-in.pdf")
    text = flat(pdf_text(out))
    for expected in (
        "ÉTAT DES LIEUX D'ENTRÉE · CHECK-IN INSPECTION REPORT",
        "Locataire / Tenant : Łukasz Nguyễn Østergaard",
        "Agent de la résidence / Staff member : Accueil",
        "lundi 23 novembre 2026 à 10:00 (heure de Paris)",
        "Monday 23 November 2026 at 10:00 (Paris time)",
        "Compteur d'électricité / Electricity meter : 012345.6 kWh",
        "Badges d'accès / Access badges : 2",
        "Jeux de clés / Key sets : GAS/S-301/1",
        "scratch on the top, left corner",
        "usé / worn",
        "jusqu'au jeudi 3 décembre 2026 à 23:59",
        "Reconnu exact par Łukasz Nguyễn Østergaard le lundi 23 novembre 2026 à 10:00",
    ):
        assert expected in text, expected
    codes = qr_codes(out, tmp_path)
    assert codes == [make_payload(r.reference)]
    assert read_payload(codes[0]) == r.reference


def test_the_check_out_copy_shows_the_differences_and_their_charges(tmp_path: Path) -> None:
    r = studio_tenant()
    desk = desk_at(FRIDAY_10H)
    check_out = departure.open_check_out(desk, r.id)
    chair = InspectionItem.get(inspection=check_out, label="Chair")
    desk.set_item(chair.id, state="damaged", remark="leg broken")
    record_meter(desk, check_out.id, "electricity", "013000")
    record_forwarding_address(desk, check_out.id, "Calle Mayor 5, 28013 Madrid, España")
    departure.acknowledge_check_out(desk, check_out.id)
    out = save_report(desk, check_out.id, tmp_path / "check-out.pdf")
    text = flat(pdf_text(out))
    for expected in (
        "ÉTAT DES LIEUX DE SORTIE · CHECK-OUT INSPECTION REPORT",
        "Compteur d'électricité / Electricity meter : 013000 kWh",
        "Calle Mayor 5, 28013 Madrid, España",
        "leg broken",
        "Chaise / Chair : bon / good → dégradé / damaged — 30,00 € / 30.00 €",
        "Total des dégradations / Damages in all : 30,00 € / 30.00 €",
        "Solde du séjour / Balance of the stay : 30,00 € / 30.00 €",
        "Acknowledged as accurate by Łukasz Nguyễn Østergaard on Friday 27 November 2026",
    ):
        assert expected in text, expected
    assert qr_codes(out, tmp_path) == [make_payload(r.reference)]


def test_a_copy_for_nothing_or_not_a_pdf_is_refused(tmp_path: Path) -> None:
    r = factories.reservation()
    desk = desk_at(MONDAY_10H)
    with pytest.raises(Refused) as refused:
        inspection_for(desk, r.reference)
    assert refused.value.codes == ("no_inspection",)
    with pytest.raises(Refused) as refused:
        inspection_for(desk, "ZZZZZZ")
    assert refused.value.codes == ("not_found",)
    inspection = desk.open_inspection(r.id)
    with pytest.raises(Refused) as refused:
        save_report(desk, inspection.id, tmp_path / "copy.txt")
    assert refused.value.codes == ("not_a_pdf",)
    assert not (tmp_path / "copy.txt").exists()
    out = save_report(desk, inspection.id, tmp_path / "draft.pdf")
    assert "NOT YET ACKNOWLEDGED" in flat(pdf_text(out))


def test_the_command_line_writes_the_copy_or_says_why_not(
    db_path: Path, tmp_path: Path, capsys
) -> None:
    import time_machine

    from crous_desk.cli.main import main
    from crous_desk.store.models import db as proxy

    r = studio_tenant()
    ref = r.reference
    proxy.obj.close()
    proxy.initialize(None)

    def run(*argv: str) -> int:
        with time_machine.travel(MONDAY_10H, tick=False):
            try:
                return main([*argv, "--db", str(db_path)])
            finally:
                if proxy.obj is not None:
                    proxy.obj.close()
                proxy.initialize(None)

    out = tmp_path / "copy.pdf"
    assert run("report", "inspection", ref, "--out", str(out)) == 0
    assert f"the check-in report of {ref}" in capsys.readouterr().out
    assert "Łukasz Nguyễn Østergaard" in pdf_text(out)
    assert run("report", "inspection", ref, "--kind", "check_out", "--out", str(out)) == 1
    assert "has no inspection yet" in capsys.readouterr().err
    not_pdf = tmp_path / "notes.txt"
    not_pdf.write_text("keep me")
    assert run("report", "inspection", ref, "--out", str(not_pdf)) == 1
    assert not_pdf.read_text() == "keep me"
