"""Shared fixtures: a real SQLite file per test, a fixed Paris time, a zone that is not Paris,
and folders of the test's own for what the desk writes."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from peewee import Database

from crous_desk.base.i18n import set_language
from crous_desk.store.db import connect
from crous_desk.store.models import db as proxy


@pytest.fixture(autouse=True)
def _english_and_foreign_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test runs in English, with the machine's zone set far from Paris."""
    set_language(None)
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    monkeypatch.delenv("CROUS_DESK_DB", raising=False)
    monkeypatch.delenv("CROUS_DESK_CONFIG", raising=False)
    yield
    time.tzset()


@pytest.fixture(autouse=True)
def _own_folders(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The user's documents, data, config and log folders are the test's own: no test writes
    an export, a slip or a log into the home of whoever runs it."""
    home = tmp_path_factory.mktemp("home")
    for variable, folder in (
        ("XDG_DOCUMENTS_DIR", "Documents"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
    ):
        monkeypatch.setenv(variable, str(home / folder))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "desk.db"


@pytest.fixture
def database(db_path: Path) -> Iterator[Database]:
    """A migrated SQLite file in tmp_path, bound to the models."""
    database = connect(db_path)
    yield database
    database.close()
    proxy.initialize(None)
