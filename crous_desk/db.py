"""Kept importable for scripts written against earlier versions: see
crous_desk.store.db."""

from crous_desk.store.db import *  # noqa: F403
