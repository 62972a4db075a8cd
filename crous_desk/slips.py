"""Kept importable for scripts written against earlier versions: see
crous_desk.arrivals.slips."""

from crous_desk.arrivals.slips import *  # noqa: F403
