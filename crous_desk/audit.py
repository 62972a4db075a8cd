"""Kept importable for scripts written against earlier versions: see
crous_desk.store.audit (the chain) and crous_desk.people.audit (reading it)."""

from crous_desk.people.audit import *  # noqa: F403
from crous_desk.store.audit import *  # noqa: F403
