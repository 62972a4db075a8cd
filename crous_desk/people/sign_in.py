"""Who works at a desk that opens: decided before the interface starts.

- ``sign_in = "passphrase"`` (the default): nobody yet; the sign-in screen asks.
- ``sign_in = "os_user"``: the account mapped to the operating-system login (sshd has
  authenticated it); without such an account, the sign-in screen asks.
- ``sign_in = "off"``: the ``desk_user`` account, created if needed, as before accounts existed.
- the demo signs in by itself as ``desk_user`` (the demo receptionist, or ``--user``).
"""

from __future__ import annotations

from crous_desk.base.clock import Clock
from crous_desk.base.config import Config
from crous_desk.base.errors import Problem, Refused
from crous_desk.base.i18n import _
from crous_desk.desk.permissions import desk_residence
from crous_desk.people.accounts import OPERATOR_PREFIX
from crous_desk.people.auth import os_user_account, trusted_login, trusted_sign_in
from crous_desk.people.staff import ensure_staff
from crous_desk.store.db import database_owner
from crous_desk.store.models import Residence, Staff


def who_signs_in(
    config: Config, residence: Residence | None, clock: Clock, *, demo: bool = False
) -> tuple[Staff | None, Residence | None]:
    """The account already signed in (None: the sign-in screen asks) and the desk's residence."""
    actor: Staff | None = None
    if demo:
        actor = Staff.get_or_none(Staff.username == config.desk_user)
        if actor is None:
            names = ", ".join(
                s.username
                for s in Staff.select().order_by(Staff.username)
                if not s.username.startswith(OPERATOR_PREFIX)
            )
            raise Refused(
                Problem(
                    "not_found",
                    _("no demo account {name!r} (known: {names})").format(
                        name=config.desk_user, names=names
                    ),
                )
            )
    elif config.sign_in == "off":
        actor = ensure_staff(config.desk_user, clock)
    elif config.sign_in == "os_user":
        login = trusted_login(database_owner())  # the SSH wrapper's, through sudo
        if os_user_account(login) is not None:
            actor = trusted_sign_in(login, clock.now())
    if actor is None:
        can_sign_in = (
            Staff.select()
            .where(Staff.active == True, Staff.passphrase_hash.is_null(False))  # noqa: E712
            .exists()
        )
        if not can_sign_in:
            raise Refused(
                Problem(
                    "nobody_can_sign_in",
                    _(
                        "no staff account can sign in yet: create one with "
                        "crous-desk staff add NAME --role administrator (it asks for a passphrase)"
                    ),
                )
            )
        return None, residence
    if not actor.active:
        raise Refused(
            Problem(
                "account_disabled", _("the account {name} is disabled").format(name=actor.username)
            )
        )
    return actor, desk_residence(actor, residence)
