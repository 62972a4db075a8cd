"""The ``crous-desk`` console script: the core's command line, with this interface plugged in."""

from __future__ import annotations

from collections.abc import Sequence

from crous_desk.cli.main import main as core_main


def _launch(**kwargs: object) -> int:
    from .app import launch  # textual is imported only when the interface opens

    return launch(**kwargs)


def main(argv: Sequence[str] | None = None) -> int:
    return core_main(argv, launcher=_launch)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
