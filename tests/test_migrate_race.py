"""Several desks starting together on a new file (or a new, empty PostgreSQL database): every
one of them opens it, none fails, and the schema is migrated once."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from crous_desk.store.db import close, connect, pending
from crous_desk.store.models import db as proxy
from tests.server import SERVER


def _open(path: str, barrier: multiprocessing.synchronize.Barrier, results) -> None:  # type: ignore[name-defined]
    from crous_desk.store.db import close, connect

    barrier.wait()
    try:
        close(connect(path))
        results.put("ok")
    except Exception as error:
        results.put(f"{type(error).__name__}: {error}")


@pytest.mark.slow
def test_desks_starting_together_migrate_one_at_a_time(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    for round_ in range(3):
        path = SERVER.create() if SERVER is not None else str(tmp_path / f"new-{round_}.db")
        barrier = ctx.Barrier(6)
        results = ctx.Queue()
        workers = [ctx.Process(target=_open, args=(path, barrier, results)) for _ in range(6)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(timeout=60)
        outcomes = [results.get(timeout=5) for _ in workers]
        assert outcomes == ["ok"] * 6, outcomes
        database = connect(path, migrate=False)
        try:
            applied = database.execute_sql("SELECT name FROM schema_migration").fetchall()
            assert len(applied) == len(set(applied)) and pending(database) == []
        finally:
            close(database)
            proxy.initialize(None)
