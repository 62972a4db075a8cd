"""crous-desk: the reception desk of a CROUS student residence (the core, without any screen)."""

from __future__ import annotations

import sys

__version__ = "0.1.0"


class _NoDriverWhileThePeeweeLoads:
    """peewee (and playhouse) import psycopg, PostgreSQL's driver, when they are imported
    themselves: a tenth of a second and 12 MiB at every start, that a desk on an SQLite file
    never uses. While one of their modules runs, its import of psycopg fails (they go on
    without it, as on a machine without the driver); any other import of psycopg is left
    alone. ``crous_desk.store.db.PooledPostgres`` hands the driver to peewee when a server
    database is opened."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name == "psycopg" and any(
            (module == "peewee" or module.startswith("playhouse."))
            and getattr(getattr(sys.modules[module], "__spec__", None), "_initializing", False)
            for module in list(sys.modules)
        ):
            raise ModuleNotFoundError("psycopg: loaded when a server is opened", name=name)


if "peewee" not in sys.modules and "psycopg" not in sys.modules:
    sys.meta_path.insert(0, _NoDriverWhileThePeeweeLoads())  # type: ignore[arg-type]
