"""Which database a setting names: an SQLite file or a ``postgresql://`` URL, and how it is
said to a person. Nothing here opens it (no peewee, no driver): the command line answers
``--help`` and reads its settings without loading the database layer."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

SERVER_SCHEMES = ("postgresql://", "postgres://")

Target = str | os.PathLike[str]  # a file path or a postgresql:// URL


def is_server(target: Target) -> bool:
    """``target`` names a PostgreSQL server (a ``postgresql://`` URL), not a file."""
    return isinstance(target, str) and target.startswith(SERVER_SCHEMES)


def location(text: str) -> Path | str:
    """What a ``--db``, ``CROUS_DESK_DB`` or configuration value names: a URL stays as it is
    (``postgres://`` is read as ``postgresql://``), anything else is a file path."""
    text = text.strip()
    if text.startswith("postgres://"):
        return "postgresql://" + text.removeprefix("postgres://")
    if is_server(text):
        return text
    return Path(text)


def shown(target: Target) -> str:
    """The database as said to a person: a URL without its password."""
    if not is_server(target):
        return str(target)
    parts = urlsplit(str(target))
    if parts.password is None:
        return str(target)
    netloc = parts.netloc.rpartition("@")
    user = netloc[0].partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[2]}"))


def default_path() -> Path | str:
    """The database: ``CROUS_DESK_DB`` or a file in the user's data directory."""
    env = os.environ.get("CROUS_DESK_DB")
    if env:
        return location(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("crous-desk", appauthor=False)) / "crous-desk.db"
