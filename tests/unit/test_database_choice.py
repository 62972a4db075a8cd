"""One setting picks the database: a file path (SQLite) or a postgresql:// URL (a server), from
--db, CROUS_DESK_DB or the configuration; a password is never shown; an unreachable server is
one clear line; a race PostgreSQL detects is a plain refusal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import peewee
import pytest

from crous_desk.base.errors import Refused
from crous_desk.cli.main import main
from crous_desk.store import locks
from crous_desk.store.db import default_path, is_server, location, shown
from tests.server import SERVER


def test_a_url_names_a_server_and_anything_else_a_file(monkeypatch: pytest.MonkeyPatch) -> None:
    assert location("postgresql://u@h:5432/d") == "postgresql://u@h:5432/d"
    assert location(" postgres://u@h/d ") == "postgresql://u@h/d"
    assert location("/srv/crous-desk/desk.db") == Path("/srv/crous-desk/desk.db")
    assert location("postgresql.db") == Path("postgresql.db")
    assert is_server("postgresql://h/d") and not is_server(Path("postgresql://h/d"))
    monkeypatch.setenv("CROUS_DESK_DB", "postgresql://desk@db/crous")
    assert default_path() == "postgresql://desk@db/crous"
    monkeypatch.setenv("CROUS_DESK_DB", "/tmp/x.db")
    assert default_path() == Path("/tmp/x.db")


def test_a_password_is_never_shown() -> None:
    assert shown("postgresql://desk:s3cret@db:5432/crous") == "postgresql://desk:***@db:5432/crous"
    assert shown("postgresql://desk@db/crous") == "postgresql://desk@db/crous"
    assert shown(Path("/srv/desk.db")) == "/srv/desk.db"


def test_an_unreachable_server_is_one_line_and_no_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from crous_desk.store import db as store_db

    monkeypatch.setattr(store_db, "POOL_TIMEOUT_S", 1)
    url = "postgresql://desk:s3cret@127.0.0.1:1/crous?connect_timeout=1"
    assert main(["migrate", "--db", url]) == 1
    err = capsys.readouterr().err
    assert "cannot reach the database server" in err
    assert "s3cret" not in err and "Traceback" not in err
    assert err.count("\n") == 1


def test_the_config_and_the_environment_name_a_server(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from crous_desk.base.config import Config
    from crous_desk.cli.common import db_path

    class Args:
        db = None

    assert db_path(Args(), Config(database="postgresql://a@b/c")) == "postgresql://a@b/c"  # type: ignore[arg-type]
    monkeypatch.setenv("CROUS_DESK_DB", "postgresql://x@y/z")
    assert db_path(Args(), Config(database=str(tmp_path / "f.db"))) == "postgresql://x@y/z"  # type: ignore[arg-type]


class _Raced(Exception):
    sqlstate = "23505"


@pytest.mark.parametrize(("code", "raced"), [("23505", True), ("40P01", True), ("23503", False)])
def test_a_race_the_server_detects_is_told_apart(code: str, raced: bool) -> None:
    cause: Any = type("Cause", (Exception,), {"sqlstate": code})()
    assert locks.raced(peewee.IntegrityError(cause)) is raced
    assert not locks.raced(peewee.IntegrityError("UNIQUE constraint failed: key_set.label"))


def test_an_action_that_loses_a_race_is_refused_and_changes_nothing(
    database: peewee.Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a desk sees when PostgreSQL finds that another desk was first (a unique key taken
    meanwhile, a deadlock): a refusal with a code, the transaction rolled back."""
    from crous_desk.base.clock import FixedClock
    from crous_desk.keys import actions
    from crous_desk.services import Desk
    from crous_desk.store.models import AuditLog, KeySet
    from tests import factories
    from tests.factories import MONDAY_10H

    room = factories.room(kind="renovated", key_sets=1)
    desk = Desk(factories.staff(), FixedClock(MONDAY_10H), factories.residence())
    before = (KeySet.select().count(), AuditLog.select().count())

    def taken_meanwhile(key_set: Any) -> str:
        cause = _Raced("duplicate key value violates unique constraint")
        raise peewee.IntegrityError(cause)

    monkeypatch.setattr(actions, "next_label", taken_meanwhile)
    with pytest.raises(Refused, match="another desk changed this just now") as refused:
        actions.add_key_set(desk, room.id)
    assert refused.value.codes == ("changed_meanwhile",)
    assert (KeySet.select().count(), AuditLog.select().count()) == before


def test_a_lock_is_taken_inside_a_transaction_only(database: peewee.Database) -> None:
    with database.atomic():
        locks.hold("test", 1)  # SQLite: the transaction's write lock already; a server: waits
    if locks.on_server():
        with pytest.raises(RuntimeError, match="inside one"):
            locks.hold("test", 1)
    assert locks.lock_key("a", 1) == locks.lock_key("a", 1) != locks.lock_key("a", 2)


@pytest.mark.server_only
def test_the_command_line_runs_on_a_server(
    database: peewee.Database, db_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert SERVER is not None
    assert main(["migrate", "--db", str(db_path)]) == 0
    assert "schema up to date" in capsys.readouterr().out
    assert main(["audit", "verify", "--db", str(db_path)]) in (0, 1)


_PEEWEE_STATE = """
import sys
{first}
import peewee
import playhouse.migrations, playhouse.postgres_ext
print('psycopg' in sys.modules)
{then}
import enum, types
def name(v):
    if isinstance(v, (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType)):
        return str(getattr(v, "__module__", "")) + "." + v.__name__
    return repr(v) if isinstance(v, (int, str, enum.Enum, type(None))) else ""
def shape(namespace):
    return sorted((k, type(v).__name__, name(v))
                  for k, v in vars(namespace).items() if not k.startswith('__'))
print(shape(peewee))
print(shape(playhouse.postgres_ext))
print(shape(peewee.Psycopg3Adapter))
"""


def test_an_sqlite_desk_loads_no_postgresql_driver_and_a_server_gets_it_whole() -> None:
    """peewee imports psycopg when it is imported itself (0.1 s and 12 MiB at every start):
    the core keeps it from loading until a server is opened, then gives peewee everything its
    own import would have set (checked against a process that imported the driver first)."""
    import subprocess
    import sys

    def state(first: str, then: str) -> list[str]:
        code = _PEEWEE_STATE.format(first=first, then=then)
        return subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.splitlines()

    plain = state("import psycopg", "")
    ours = state("import crous_desk.store.db", "")
    handed = state("import crous_desk.store.db", "crous_desk.store.db.peewee_driver()")
    assert plain[0] == "True" and ours[0] == "False"  # an SQLite desk: no driver
    assert ours[1:] != plain[1:]
    assert handed[1:] == plain[1:]  # a server: peewee as if it had the driver from the start
