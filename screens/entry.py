"""The ``crous-desk`` console script: the core's command line, with this interface plugged in."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def _launch(**kwargs: object) -> int:
    from .app import launch  # textual is imported only when the interface opens

    return launch(**kwargs)


def main(argv: Sequence[str] | None = None) -> int:
    if list(sys.argv[1:] if argv is None else argv) == ["--version"]:
        from crous_desk import __version__  # nothing else: a version is a quick question

        print(f"crous-desk {__version__}")
        return 0
    from crous_desk.cli.main import main as core_main

    return core_main(argv, launcher=_launch)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
