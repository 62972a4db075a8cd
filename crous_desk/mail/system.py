"""Who plans and sends the mail: the installation itself, as the command line's account of the
login that runs it (``os:<login>``, like every command), so that the 17:00 list reads every
residence's keys whatever desk happens to send."""

from __future__ import annotations

from datetime import datetime, time

from crous_desk.base.clock import PARIS, Clock, FixedClock
from crous_desk.base.config import Config
from crous_desk.desk.context import Desk
from crous_desk.mail.sending import RunReport, run
from crous_desk.people.auth import current_os_user
from crous_desk.people.staff import operator
from crous_desk.store import audit
from crous_desk.store.models import Residence


def installation_desk(clock: Clock, login: str | None = None) -> Desk:
    return Desk(operator(login or current_os_user(), clock.now()), clock)


def run_as_installation(config: Config, clock: Clock, login: str | None = None) -> RunReport:
    """One run of the outbox (plan, then send), as the installation's account; after 17:00,
    once a day, the audit log's head is anchored outside the database too (the timer that
    sends the 17:00 list is the installation's clock)."""
    actor = installation_desk(clock, login).actor
    audit.anchor_daily(clock.now(), PARIS, time(17, 0))

    def desk_for(residence: Residence | None, at: datetime) -> Desk:
        return Desk(actor, FixedClock(at), residence)

    return run(config, clock, desk_for)
