"""Kept importable for scripts written against earlier versions: see
crous_desk.rules.ine."""

from crous_desk.rules.ine import *  # noqa: F403
