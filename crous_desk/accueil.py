"""Kept importable for scripts written against earlier versions: see
crous_desk.office.accueil (the import) and crous_desk.rules.accueil (reading the list)."""

from crous_desk.office.accueil import (
    COLUMNS,
    MAX_TEXT,
    REQUIRED,
    AccueilRow,
    BadRow,
    Checked,
    ImportResult,
    apply,
    check,
    read_text,
    write_rejected,
)

__all__ = [
    "COLUMNS",
    "MAX_TEXT",
    "REQUIRED",
    "AccueilRow",
    "BadRow",
    "Checked",
    "ImportResult",
    "apply",
    "check",
    "read_text",
    "write_rejected",
]
