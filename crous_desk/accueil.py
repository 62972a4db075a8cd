"""Kept importable for scripts written against earlier versions: see
crous_desk.office.accueil."""

from crous_desk.office.accueil import *  # noqa: F403
