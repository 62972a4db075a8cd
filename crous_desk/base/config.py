"""Configuration: a TOML file, then environment variables, then command-line options.

The file is ``CROUS_DESK_CONFIG`` or ``config.toml`` in the user's config directory::

    database = "/srv/crous-desk/desk.db"   # or CROUS_DESK_DB, or --db
    residence = "gaston-berger"           # the desk's residence (code); or --residence
    desk_user = "accueil"                 # the staff member recorded on every change
    language = "fr"                       # "fr" or "en"; or CROUS_DESK_LANG, or --lang
    theme = "ansi-dark"                   # the terminal's own palette (or ansi-light)
    [keymap]                              # any key by its id (F1 shows them), e.g. AZERTY
    "search.clear" = "ctrl+l,ctrl+w"
    slot_minutes = 30                     # arrival appointments: length of a slot
    slot_capacity = 2                     # students the desk receives in one slot
    printer = "accueil-laser"             # CUPS queue for the slips; or CROUS_DESK_PRINTER
    sign_in = "passphrase"                # passphrase | os_user | off; or CROUS_DESK_SIGN_IN
    idle_lock_minutes = 10                # lock an idle desk after this long; 0: never

The e-mail a residence sends (crous_desk.mail; nothing is sent while smtp_host is unset, the
outbox still fills)::

    smtp_host = "smtp.crous-aix-marseille.fr"
    smtp_port = 587                       # default: 587 starttls, 465 tls, 25 none
    smtp_security = "starttls"            # starttls | tls | none
    smtp_user = "crous-desk"
    smtp_password_file = "/etc/crous-desk/smtp-password"   # or CROUS_DESK_SMTP_PASSWORD
    smtp_ca_file = "/etc/crous-desk/ca.pem"  # a private CA to trust (optional)
    mail_from = "CROUS Aix-Marseille <ne-pas-repondre@crous-aix-marseille.fr>"
    mail_documents_days = 7               # missing documents: this many days before the lease
    mail_morning_hour = 8                 # the mobility managers' morning list, from this hour
    mail_interval_minutes = 5             # a running desk sends every so often; 0: never
    retention_request_days = 365          # a request never accepted: anonymised after this
    retention_tenant_years = 3            # a tenant: anonymised this long after they left

The password itself is never in this file: a setting ``smtp_password`` is refused.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

import platformdirs

from crous_desk.base.i18n import LANGUAGES, _, ngettext, normalise_language


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
    sign_in: str = "passphrase"
    idle_lock_minutes: int = 10
    theme: str | None = None  # a Textual theme: "ansi-dark"/"ansi-light" use the terminal's colours
    keymap: tuple[tuple[str, str], ...] = ()  # binding id → keys, from the [keymap] table
    smtp_host: str | None = None
    smtp_port: int = 0  # 0: the usual port of smtp_security
    smtp_security: str = "starttls"
    smtp_user: str | None = None
    smtp_password_file: str | None = None
    smtp_ca_file: str | None = None
    mail_from: str | None = None
    mail_documents_days: int = 7
    mail_morning_hour: int = 8
    mail_interval_minutes: int = 5
    retention_request_days: int = 365
    retention_tenant_years: int = 3

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
        import tomllib  # only when there is a file to read: --help starts without it

        try:
            values = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(
                _("{path}: not a valid TOML file ({error})").format(path=path, error=error)
            ) from None
    if "smtp_password" in values:
        raise ConfigError(
            _(
                "{path}: smtp_password must not be written in the configuration: put it in a "
                "file named by smtp_password_file, or in CROUS_DESK_SMTP_PASSWORD"
            ).format(path=path)
        )
    known = {f.name for f in fields(Config)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(
            ngettext(
                "{path}: unknown setting: {names}",
                "{path}: unknown settings: {names}",
                len(unknown),
            ).format(path=path, names=", ".join(unknown))
        )
    for name, value in values.items():
        if name == "keymap":
            values[name] = _keymap(path, value)
        elif name in _WHOLE_NUMBERS:
            values[name] = _whole_number(path, name, value)
        elif not isinstance(value, str):
            raise ConfigError(_("{path}: {name} must be a string").format(path=path, name=name))
    _check_sign_in(path, values.get("sign_in"))
    _check_language(path, values.get("language"))
    _check_language(Path("CROUS_DESK_LANG"), os.environ.get("CROUS_DESK_LANG"))
    _check_security(path, values.get("smtp_security"))
    _check_sign_in(Path("CROUS_DESK_SIGN_IN"), os.environ.get("CROUS_DESK_SIGN_IN"))
    config = Config(**values)  # type: ignore[arg-type]
    return config.with_overrides(
        desk_user=os.environ.get("CROUS_DESK_USER"),
        residence=os.environ.get("CROUS_DESK_RESIDENCE"),
        language=os.environ.get("CROUS_DESK_LANG"),
        printer=os.environ.get("CROUS_DESK_PRINTER"),
        sign_in=os.environ.get("CROUS_DESK_SIGN_IN"),
    )


SIGN_IN_MODES = ("passphrase", "os_user", "off")


def _check_sign_in(where: Path, value: object) -> None:
    """sign_in: a passphrase at the sign-in screen, the trusted OS login (over SSH), or none
    (every change is recorded under desk_user, as before accounts existed)."""
    if value is not None and value not in SIGN_IN_MODES:
        raise ConfigError(
            _("{path}: sign_in must be one of {modes}").format(
                path=where, modes=", ".join(SIGN_IN_MODES)
            )
        )


def _check_language(where: Path, value: object) -> None:
    if value and normalise_language(str(value)) is None:
        raise ConfigError(
            _("{path}: language must be one of {languages}").format(
                path=where, languages=", ".join(LANGUAGES)
            )
        )


SMTP_SECURITY = ("starttls", "tls", "none")


def _check_security(where: Path, value: object) -> None:
    """smtp_security: STARTTLS on the submission port, TLS from the first byte, or none (a
    relay on the same machine)."""
    if value is not None and value not in SMTP_SECURITY:
        raise ConfigError(
            _("{path}: smtp_security must be one of {modes}").format(
                path=where, modes=", ".join(SMTP_SECURITY)
            )
        )


def _keymap(path: Path, value: object) -> tuple[tuple[str, str], ...]:
    """The [keymap] table: each binding id (shown by F1) to the keys that run it."""
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in value.items()
    ):
        raise ConfigError(
            _(
                '{path}: keymap must be a table of binding ids to keys, e.g. "app.quit" = "ctrl+q"'
            ).format(path=path)
        )
    return tuple(sorted((k, v.strip()) for k, v in value.items()))


# name: (smallest, largest). A slot must fit between the opening hour and 17:00.
_WHOLE_NUMBERS = {
    "slot_minutes": (5, 480),
    "slot_capacity": (1, 100),
    "idle_lock_minutes": (0, 480),
    "smtp_port": (1, 65535),
    "mail_documents_days": (1, 60),
    "mail_morning_hour": (0, 16),
    "mail_interval_minutes": (0, 1440),
    "retention_request_days": (30, 3650),
    "retention_tenant_years": (1, 10),
}


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
