"""Kept importable for scripts written against earlier versions: see
crous_desk.arrivals.appointments."""

from crous_desk.arrivals.appointments import *  # noqa: F403
