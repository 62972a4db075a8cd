"""The suite on a PostgreSQL server: ``CROUS_DESK_TEST_DB=postgresql://…`` (a database the
suite may connect to, e.g. ``postgresql://postgres@127.0.0.1:5432/postgres``, as a user who may
create databases) runs every test on a database of that server made for this run,
``crous_test_<random>``: migrated once, and emptied before each test (every table but the
migrations', identities restarted, so ids start at 1 as in a new file). A test marked
``empty_database`` gets a new, empty database of its own instead. The run drops every
database it made at its end."""

from __future__ import annotations

import os
import secrets
from typing import Any
from urllib.parse import urlsplit, urlunsplit

SERVER_URL = os.environ.get("CROUS_DESK_TEST_DB", "").strip()


def database_url(url: str, name: str) -> str:
    """``url`` naming the database ``name`` instead (same server, user, options)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


class TestServer:
    """Throwaway databases on one server, for one test run."""

    __test__ = False  # not a test class, whatever its name

    def __init__(self, url: str) -> None:
        self.url = url
        self.prefix = f"crous_test_{secrets.token_hex(4)}"
        self.count = 0
        self._template: str | None = None
        self._shared: str | None = None

    def _admin(self) -> Any:
        import psycopg

        return psycopg.connect(self.url, autocommit=True)

    def create(self, *, migrated: bool = False) -> str:
        """A new database's URL: empty, or migrated (a copy of a migrated template)."""
        self.count += 1
        name = f"{self.prefix}_{self.count}"
        template = self._migrated_template() if migrated else "template0"
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return database_url(self.url, name)

    def shared(self) -> str:
        """The run's migrated database, emptied (its schema kept)."""
        if self._shared is None:
            self._shared = self.create(migrated=True)
        import psycopg

        with psycopg.connect(self._shared, autocommit=True) as conn:
            tables = [
                name
                for (name,) in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                    "AND tablename NOT LIKE 'schema_migration%'"
                ).fetchall()
            ]
            sequences = [
                name
                for (name,) in conn.execute(
                    "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()"
                ).fetchall()
            ]
            # DELETE is much quicker than TRUNCATE on small tables; this session's triggers
            # (the append-only ones, the foreign keys') are off while it empties them
            conn.execute("SET session_replication_role = replica")
            conn.execute("SET lock_timeout = '10s'")
            with conn.transaction():
                for table in tables:
                    conn.execute(f'DELETE FROM "{table}"')
                for sequence in sequences:
                    conn.execute(f'ALTER SEQUENCE "{sequence}" RESTART')
        return self._shared

    def drop(self, url: str) -> None:
        name = urlsplit(url).path.lstrip("/")
        assert name.startswith(self.prefix), name
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def drop_all(self) -> None:
        with self._admin() as conn:
            names = [
                name
                for (name,) in conn.execute(
                    "SELECT datname FROM pg_database WHERE datname LIKE %s",
                    (self.prefix + "%",),
                ).fetchall()
            ]
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _migrated_template(self) -> str:
        if self._template is None:
            from crous_desk.store.db import close, connect
            from crous_desk.store.models import db as proxy

            name = f"{self.prefix}_template"
            with self._admin() as conn:
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
            try:
                close(connect(database_url(self.url, name)))
            except BaseException:  # a migration failed: the next test tries again, afresh
                proxy.initialize(None)
                self.drop(database_url(self.url, name))
                raise
            proxy.initialize(None)
            self._template = name
        return self._template


SERVER = TestServer(SERVER_URL) if SERVER_URL else None

# The tests that compare both backends (the same data on an SQLite file and on a server) run in
# the SQLite pass too, on this server when it answers: CROUS_DESK_TEST_SERVER, by default the
# machine's own. Under CI (CI=true) the server is there: one that does not answer is a failure.
PEER_URL = (
    os.environ.get("CROUS_DESK_TEST_SERVER", "").strip()
    or "postgresql://postgres@127.0.0.1:5432/postgres"
)
_peer: list[TestServer] = []


def comparison_server() -> TestServer:
    """The server a backend comparison runs on: the run's (``CROUS_DESK_TEST_DB``), else
    :data:`PEER_URL` if it answers. None answers: the test is skipped, or fails under CI."""
    if SERVER is not None:
        return SERVER
    if not _peer:
        import psycopg
        import pytest

        try:
            psycopg.connect(PEER_URL, autocommit=True, connect_timeout=5).close()
        except psycopg.Error as error:
            said = f"no PostgreSQL server answers at {PEER_URL} (CROUS_DESK_TEST_SERVER): {error}"
            if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
                pytest.fail(said)
            pytest.skip(said)
        _peer.append(TestServer(PEER_URL))
    return _peer[0]


def drop_all() -> None:
    """Every database the run made, on the run's server and on the comparison's."""
    for server in [SERVER, *_peer]:
        if server is not None:
            server.drop_all()
