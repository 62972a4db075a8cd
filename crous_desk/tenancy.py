"""Kept importable for scripts written against earlier versions: see
crous_desk.rooms.tenancy."""

from crous_desk.rooms.tenancy import *  # noqa: F403
