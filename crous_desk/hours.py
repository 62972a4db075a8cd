"""Kept importable for scripts written against earlier versions: see
crous_desk.rules.hours."""

from crous_desk.rules.hours import *  # noqa: F403
