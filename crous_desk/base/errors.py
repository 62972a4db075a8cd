"""The one exception a user may see: a refused action, with every reason in plain words."""

from __future__ import annotations


class Refused(Exception):
    """An action the rules do not allow. Nothing was changed."""

    def __init__(self, *reasons: str) -> None:
        self.reasons: tuple[str, ...] = tuple(reasons)
        super().__init__("\n".join(reasons))

    def __str__(self) -> str:
        return "\n".join(self.reasons)
