"""The suite on a PostgreSQL server: ``CROUS_DESK_TEST_DB=postgresql://…`` (a database the
suite may connect to, e.g. ``postgresql://postgres@127.0.0.1:5432/postgres``) makes every
test database a fresh database on that server, named ``crous_test_<random>_<n>``, dropped
after the test; the run drops whatever it made at its end."""

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
            close(connect(database_url(self.url, name)))
            proxy.initialize(None)
            self._template = name
        return self._template


SERVER = TestServer(SERVER_URL) if SERVER_URL else None
