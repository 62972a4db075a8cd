"""Kept importable for scripts written against earlier versions: see
crous_desk.store.models."""

from crous_desk.store.models import *  # noqa: F403
