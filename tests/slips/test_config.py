"""The slot length, slot capacity and printer settings: TOML values checked honestly."""

from __future__ import annotations

from pathlib import Path

import pytest

from crous_desk.arrivals.appointments import SlotPolicy
from crous_desk.base.config import Config, ConfigError, load_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CROUS_DESK_PRINTER", raising=False)
    config = load_config(tmp_path / "missing.toml")
    assert (config.slot_minutes, config.slot_capacity, config.printer) == (30, 2, None)
    assert SlotPolicy.from_config(config) == SlotPolicy(minutes=30, capacity=2)


@pytest.mark.parametrize(
    ("toml", "minutes", "capacity"),
    [
        ("slot_minutes = 20\nslot_capacity = 4\n", 20, 4),
        ('slot_minutes = "45"\nslot_capacity = " 3 "\n', 45, 3),
    ],
)
def test_integers_or_strings_of_digits(
    tmp_path: Path, toml: str, minutes: int, capacity: int
) -> None:
    config = load_config(write(tmp_path, toml))
    assert (config.slot_minutes, config.slot_capacity) == (minutes, capacity)


@pytest.mark.parametrize(
    "toml",
    [
        "slot_minutes = 0\n",
        "slot_minutes = 481\n",
        "slot_minutes = 12.5\n",
        'slot_minutes = "half an hour"\n',
        "slot_minutes = true\n",
        'slot_capacity = "-1"\n',
        "slot_capacity = 0\n",
        'slot_capacity = "٣"\n',  # an Arabic-Indic digit is not what the desk meant
    ],
)
def test_bad_numbers_are_refused(tmp_path: Path, toml: str) -> None:
    path = write(tmp_path, toml)
    with pytest.raises(ConfigError, match=r"must be a whole number from \d+ to \d+") as error:
        load_config(path)
    assert str(path) in str(error.value)


def test_printer_from_the_file_or_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CROUS_DESK_PRINTER", raising=False)
    path = write(tmp_path, 'printer = "accueil-laser"\n')
    assert load_config(path).printer == "accueil-laser"
    monkeypatch.setenv("CROUS_DESK_PRINTER", "bureau")
    assert load_config(path).printer == "bureau"
    with pytest.raises(ConfigError, match="printer must be a string"):
        load_config(write(tmp_path, "printer = 3\n"))


def test_overrides_keep_integers() -> None:
    assert Config().with_overrides(slot_capacity=5).slot_capacity == 5
