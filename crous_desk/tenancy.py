"""Kept importable for scripts written against earlier versions: see the rooms package (status,
overstays, extensions; the pure rules in crous_desk.rules.tenancy)."""

from crous_desk.rooms import *  # noqa: F403
from crous_desk.rooms import __all__ as __all__
