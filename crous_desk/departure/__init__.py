"""Departure: see crous_desk.departure.actions."""

from crous_desk.departure.actions import *  # noqa: F403
