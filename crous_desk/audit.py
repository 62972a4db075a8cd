"""Kept importable for scripts written against earlier versions: see
crous_desk.store.audit."""

from crous_desk.store.audit import *  # noqa: F403
