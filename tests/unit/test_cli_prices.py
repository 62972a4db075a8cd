"""``crous-desk prices``: a residence changes its damage prices; bad input changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from crous_desk.cli.main import main
from crous_desk.money.prices import prices_for
from crous_desk.store.models import AuditLog, PriceOverride
from crous_desk.store.models import db as proxy
from tests import factories


@pytest.fixture
def db_file(database, db_path: Path) -> str:
    factories.residence()
    proxy.close()
    return str(db_path)


def test_set_list_and_reset_a_price(db_file: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "prices",
                "set",
                "--db",
                db_file,
                "--residence",
                "gaston-berger",
                "Floor",
                "damaged",
                "95,50",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "prices",
                "set",
                "--db",
                db_file,
                "--residence",
                "gaston-berger",
                "lost_key_set",
                "-",
                "60",
            ]
        )
        == 0
    )
    prices = prices_for(factories.residence())
    assert prices.damage_cents("Floor", "damaged") == 9550
    assert prices.lost_key_set_cents() == 6000
    capsys.readouterr()
    assert main(["prices", "list", "--db", db_file, "--residence", "gaston-berger"]) == 0
    listed = capsys.readouterr().out
    assert "Floor\tdamaged\t95.50 €\t*" in listed
    assert "lost_key_set\t-\t60.00 €\t*" in listed
    assert AuditLog.select().where(AuditLog.action.contains("price")).count() == 2
    assert (
        main(
            ["prices", "reset", "--db", db_file, "--residence", "gaston-berger", "Floor", "damaged"]
        )
        == 0
    )
    assert prices_for(factories.residence()).damage_cents("Floor", "damaged") != 9550


@pytest.mark.parametrize(
    ("item", "severity", "amount", "words"),
    [
        ("Floor", "damaged", "abc", "not an amount"),
        ("Floor", "damaged", "-5", "between 0 and"),
        ("Floor", "damaged", "nan", "between 0 and"),
        ("Floor", "damaged", "inf", "between 0 and"),
        ("Floor", "damaged", "99999999999999999999999", "between 0 and"),
        ("Floor", "damaged", "1.234", "euros and cents"),
        ("Floor", "broken", "10", "severity"),
        ("Jacuzzi", "damaged", "10", "neither a checklist item nor a price category"),
    ],
)
def test_bad_prices_are_refused_and_change_nothing(
    db_file: str,
    capsys: pytest.CaptureFixture[str],
    item: str,
    severity: str,
    amount: str,
    words: str,
) -> None:
    code = main(
        ["prices", "set", "--db", db_file, "--residence", "gaston-berger", item, severity, amount]
    )
    assert code != 0
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    assert PriceOverride.select().count() == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["export", "pipeline", "--year", "foo"],
        ["export", "keylog", "--from", "2026-12-01", "--to", "2026-01-01"],
        ["export", "audit", "--to", "9999-12-31"],
        ["export", "audit", "--from", "0001-01-01"],
        ["slips", "--date", "9999-12-31"],
    ],
)
def test_out_of_range_or_malformed_filters_are_one_line_and_write_nothing(
    db_file: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    out = tmp_path / "out.file"
    suffix = ".pdf" if argv[0] == "slips" else ".csv"
    out = out.with_suffix(suffix)
    code = main([*argv, "--db", db_file, "--out", str(out)])
    err = capsys.readouterr().err
    assert code != 0 and err.count("\n") == 1 and "Traceback" not in err, err
    assert not out.exists()
