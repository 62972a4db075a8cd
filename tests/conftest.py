"""Shared fixtures: a real SQLite file per test (or a fresh PostgreSQL database, with
``CROUS_DESK_TEST_DB=postgresql://…``: see tests/server.py), a fixed Paris time, a zone that is
not Paris, and folders of the test's own for what the desk writes."""

from __future__ import annotations

import time
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest
from peewee import Database

from crous_desk.base.errors import Problem, Refused
from crous_desk.base.i18n import set_language
from crous_desk.store.db import close, connect
from crous_desk.store.models import db as proxy
from tests.server import SERVER, drop_all


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only: about the SQLite file itself (skipped on a PostgreSQL server)"
    )
    config.addinivalue_line(
        "markers", "server_only: about a PostgreSQL server (skipped without CROUS_DESK_TEST_DB)"
    )
    config.addinivalue_line(
        "markers", "empty_database: on a server, a new empty database (not the run's, emptied)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if SERVER is not None and item.get_closest_marker("sqlite_only"):
            item.add_marker(pytest.mark.skip(reason="about the SQLite file itself"))
        if SERVER is None and item.get_closest_marker("server_only"):
            item.add_marker(pytest.mark.skip(reason="needs CROUS_DESK_TEST_DB=postgresql://…"))


def pytest_report_header(config: pytest.Config) -> str:
    if SERVER is None:
        return "crous-desk databases: an SQLite file per test"
    return f"crous-desk databases: PostgreSQL, {SERVER.prefix}_* on {SERVER.url}"


@pytest.fixture(autouse=True)
def _english_and_foreign_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test runs in English, with the machine's zone set far from Paris."""
    set_language(None)
    for variable in ("CROUS_DESK_LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")  # English unless a test says otherwise
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
def db_path(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path]:
    """Where the test's database is: a file in tmp_path, not made yet; on a server, the URL
    of the run's database, emptied (or of a new empty one: ``empty_database``)."""
    if SERVER is None:
        yield tmp_path / "desk.db"
        return
    own = request.node.get_closest_marker("empty_database") is not None
    url = SERVER.create() if own else SERVER.shared()
    yield url  # type: ignore[misc]  # a str where the SQLite suite has a Path
    if isinstance(proxy.obj, Database) and getattr(proxy.obj, "database", None) == url:
        close(proxy.obj)
        proxy.initialize(None)
    if own:
        SERVER.drop(url)


@pytest.fixture
def database(db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """A migrated database (an SQLite file in tmp_path, or a server's), bound to the models.
    On a server the audit key and anchor log are the test's own files (nothing to keep them
    beside), as a server's installation sets them (CROUS_DESK_AUDIT_KEY, _ANCHORS)."""
    if SERVER is not None:
        monkeypatch.setenv("CROUS_DESK_AUDIT_KEY", str(tmp_path / "audit-key"))
        monkeypatch.setenv("CROUS_DESK_AUDIT_ANCHORS", str(tmp_path / "audit-anchors"))
    database = connect(db_path)
    yield database
    close(database)
    proxy.initialize(None)


@pytest.fixture(scope="session", autouse=True)
def _server_databases() -> Iterator[None]:
    """On a server, every database the run made is dropped at its end."""
    yield
    drop_all()


# -- every refusal has a stable code -------------------------------------------------------------
# A reason given as a bare sentence (not a Problem) can only be matched by its English wording.
# Every Refused built while the suite runs is looked at; the run fails naming each bare one.

_bare_refusals: dict[str, str] = {}
_refused_init = Refused.__init__
_bare_on_purpose = [False]  # a test marked bare_refusal builds them to test the fallback


@pytest.fixture(autouse=True)
def _bare_refusals_allowed(request: pytest.FixtureRequest) -> Iterator[None]:
    _bare_on_purpose[0] = request.node.get_closest_marker("bare_refusal") is not None
    yield
    _bare_on_purpose[0] = False


def _refused_with_codes_only(self: Refused, *reasons: str) -> None:
    for reason in reasons:
        if not isinstance(reason, Problem) and not _bare_on_purpose[0]:
            caller = traceback.extract_stack(limit=2)[0]
            _bare_refusals.setdefault(f"{caller.filename}:{caller.lineno}", reason)
    _refused_init(self, *reasons)


Refused.__init__ = _refused_with_codes_only  # type: ignore[method-assign]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _bare_refusals:
        print("\nRefusals without a code (give each a Problem(code, text)):")
        for where, reason in sorted(_bare_refusals.items()):
            print(f"  {where}: {reason!r}")
        session.exitstatus = 1
