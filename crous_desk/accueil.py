"""Kept importable for scripts written against earlier versions: see crous_desk.office.accueil (the
pure checks: crous_desk.rules.accueil)."""

from crous_desk.office.accueil import *  # noqa: F403
from crous_desk.office.accueil import __all__ as __all__
