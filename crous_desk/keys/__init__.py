"""Keys: see crous_desk.keys.actions."""

from crous_desk.keys.actions import *  # noqa: F403
