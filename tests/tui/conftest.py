"""Driving the real app: a seeded file, a fixed Paris time, 80×24."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
import time_machine

from crous_desk.base.clock import SystemClock
from crous_desk.base.config import Config
from crous_desk.services import ensure_staff
from crous_desk.store.models import Residence
from screens.app import DeskApp, make_app
from tests import factories


@pytest.fixture
def at_time() -> Iterator[Callable[[datetime], None]]:
    """Travel to an instant (time frozen there) for the rest of the test."""
    travellers: list[time_machine.travel] = []

    def travel(at: datetime) -> None:
        while travellers:  # stop the previous trip once, before the next one
            travellers.pop().stop()
        traveller = time_machine.travel(at, tick=False)
        traveller.start()
        travellers.append(traveller)

    yield travel
    while travellers:
        travellers.pop().stop()


@pytest.fixture
def desk_app(database) -> Callable[..., DeskApp]:
    def build(residence: Residence | None = None, user: str = "accueil") -> DeskApp:
        residence = residence or factories.residence()
        actor = ensure_staff(user)
        app = make_app(
            actor=actor, residence=residence, clock=SystemClock(), config=Config(desk_user=user)
        )
        app.animation_level = "none"
        return app

    return build
