"""Kept importable for scripts written against earlier versions: see
crous_desk.arrivals.appointments (the slot rules: crous_desk.rules.slots)."""

from crous_desk.arrivals.appointments import *  # noqa: F403
from crous_desk.arrivals.appointments import __all__ as __all__
