"""Kept importable for scripts written against earlier versions: see crous_desk.arrivals.slips (the
code scanned back: crous_desk.arrivals.payload; saving and printing:
crous_desk.arrivals.output)."""

from crous_desk.arrivals.slips import *  # noqa: F403
from crous_desk.arrivals.slips import __all__ as __all__
