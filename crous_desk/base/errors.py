"""The one exception a user may see: a refused action, with every reason in plain words.

Each reason is a :class:`Problem`: the sentence a person reads (in their language) and a
stable code that a test, an export or a script matches instead of the wording. A Problem is a
``str``, so a list of reasons reads, joins and compares as the sentences it holds.
"""

from __future__ import annotations

from typing import Any

REFUSED = "refused"  # the code of a reason given as a bare sentence


class Problem(str):
    """One reason an action is refused: ``code`` is stable, the text is the user's language."""

    code: str
    about: str | None  # the argument it is about (a form shows it under that field)

    def __new__(cls, code: str, text: str, about: str | None = None) -> Problem:
        self = super().__new__(cls, text)
        self.code = code
        self.about = about
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # a Problem crosses process boundaries intact
        return (Problem, (self.code, str(self), self.about))

    def __repr__(self) -> str:
        return f"Problem({self.code!r}, {str(self)!r})"


def code_of(reason: str) -> str:
    return reason.code if isinstance(reason, Problem) else REFUSED


def about_of(reason: str) -> str | None:
    """The argument a refusal's reason is about, when it says."""
    return reason.about if isinstance(reason, Problem) else None


class Refused(Exception):
    """An action the rules do not allow. Nothing was changed."""

    def __init__(self, *reasons: str) -> None:
        self.reasons: tuple[str, ...] = tuple(reasons)
        super().__init__("\n".join(reasons))

    @property
    def codes(self) -> tuple[str, ...]:
        """The stable code of each reason, in order."""
        return tuple(code_of(r) for r in self.reasons)

    def __str__(self) -> str:
        return "\n".join(self.reasons)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Refused, self.reasons)
