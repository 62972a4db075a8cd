"""Several desk processes on one SQLite file, released together: the harness of the race tests.

Each process runs ``worker(db_path, index, tasks, results, barrier)``: it takes work from its own
queue (``None`` stops it), waits at the barrier with the others, acts, and puts its outcome on
the shared results queue."""

from __future__ import annotations

import multiprocessing as mp
import queue
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

TIMEOUT = 60


@dataclass
class Pool:
    tasks: list[Any]
    results: Any

    def race(self, work: list[Any]) -> list[Any]:
        """Give process i work[i], all released together; return every outcome, sorted."""
        for task, item in zip(self.tasks, work, strict=True):
            task.put(item)
        outcomes = []
        for _ in work:
            try:
                outcomes.append(self.results.get(timeout=TIMEOUT))
            except queue.Empty:
                pytest.fail("a desk process did not answer")
        return sorted(outcomes)


@contextmanager
def desk_processes(db_path: Path, worker: Callable[..., None], count: int) -> Iterator[Pool]:
    """Start ``count`` spawned desk processes on ``db_path``; stop them on the way out."""
    context = mp.get_context("spawn")
    barrier = context.Barrier(count)
    tasks = [context.Queue() for _ in range(count)]
    results = context.Queue()
    processes = [
        context.Process(target=worker, args=(str(db_path), i, tasks[i], results, barrier))
        for i in range(count)
    ]
    for process in processes:
        process.start()
    try:
        yield Pool(tasks, results)
    finally:
        for task in tasks:
            task.put(None)
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.terminate()
                process.join()
