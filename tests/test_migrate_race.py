"""Several desks starting together on a new file: every one of them opens it, none fails."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest


def _open(path: str, barrier: multiprocessing.synchronize.Barrier, results) -> None:  # type: ignore[name-defined]
    from crous_desk.store.db import connect

    barrier.wait()
    try:
        connect(path).close()
        results.put("ok")
    except Exception as error:
        results.put(f"{type(error).__name__}: {error}")


@pytest.mark.slow
def test_desks_starting_together_migrate_one_at_a_time(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    for round_ in range(3):
        path = str(tmp_path / f"new-{round_}.db")
        barrier = ctx.Barrier(6)
        results = ctx.Queue()
        workers = [ctx.Process(target=_open, args=(path, barrier, results)) for _ in range(6)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(timeout=60)
        outcomes = [results.get(timeout=5) for _ in workers]
        assert outcomes == ["ok"] * 6, outcomes
