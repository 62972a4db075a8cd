"""Kept importable for scripts written against earlier versions: see
crous_desk.reservations.file."""

from crous_desk.reservations.file import *  # noqa: F403
