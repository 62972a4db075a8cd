"""Configuration: a TOML file, then environment variables, then command-line options.

The file is ``CROUS_DESK_CONFIG`` or ``config.toml`` in the user's config directory::

    database = "/srv/crous-desk/desk.db"   # or CROUS_DESK_DB, or --db
    residence = "gaston-berger"           # the desk's residence (code); or --residence
    desk_user = "accueil"                 # the staff member recorded on every change
    language = "en"                       # "en" or "fr"
    slot_minutes = 30                     # arrival appointments: length of a slot
    slot_capacity = 2                     # students the desk receives in one slot
    printer = "accueil-laser"             # CUPS queue for the slips; or CROUS_DESK_PRINTER
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

import platformdirs

from .i18n import _


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Config:
    database: str | None = None
    residence: str | None = None
    desk_user: str = "accueil"
    language: str | None = None
    slot_minutes: int = 30
    slot_capacity: int = 2
    printer: str | None = None

    def with_overrides(self, **values: object) -> Config:
        return replace(self, **{k: v for k, v in values.items() if v is not None})  # type: ignore[arg-type]


def config_path() -> Path:
    env = os.environ.get("CROUS_DESK_CONFIG")
    if env:
        return Path(env)
    return Path(platformdirs.user_config_dir("crous-desk", appauthor=False)) / "config.toml"


def load_config(path: Path | None = None) -> Config:
    """Read the file if it exists (a bad file is a ConfigError with a clear message)."""
    path = path or config_path()
    values: dict[str, object] = {}
    if path.exists():
        try:
            values = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(
                _("{path}: not a valid TOML file ({error})").format(path=path, error=error)
            ) from None
    known = {f.name for f in fields(Config)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(
            _("{path}: unknown setting(s): {names}").format(path=path, names=", ".join(unknown))
        )
    for name, value in values.items():
        if name in _WHOLE_NUMBERS:
            values[name] = _whole_number(path, name, value)
        elif not isinstance(value, str):
            raise ConfigError(_("{path}: {name} must be a string").format(path=path, name=name))
    config = Config(**values)  # type: ignore[arg-type]
    return config.with_overrides(
        desk_user=os.environ.get("CROUS_DESK_USER"),
        residence=os.environ.get("CROUS_DESK_RESIDENCE"),
        language=os.environ.get("CROUS_DESK_LANG"),
        printer=os.environ.get("CROUS_DESK_PRINTER"),
    )


# name: (smallest, largest). A slot must fit between the opening hour and 17:00.
_WHOLE_NUMBERS = {"slot_minutes": (5, 480), "slot_capacity": (1, 100)}


def _whole_number(path: Path, name: str, value: object) -> int:
    """An integer setting, written as a TOML integer or as a string of digits ("30")."""
    low, high = _WHOLE_NUMBERS[name]
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    if number is None or not low <= number <= high:
        raise ConfigError(
            _("{path}: {name} must be a whole number from {low} to {high}").format(
                path=path, name=name, low=low, high=high
            )
        )
    return number
