"""Staff accounts: created, listed, given a passphrase, scoped and disabled by an administrator
(the staff screen) or by whoever runs the command line on the database file.

The command line acts as an account of its own, ``os:<login>`` (an administrator that cannot
sign in): whoever can write the file can do anything to it, and the audit log says who it was.
An account is named by its username, the name people type (and unique).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crous_desk.base.clock import Clock, SystemClock
from crous_desk.base.errors import Problem, Refused
from crous_desk.base.i18n import LANGUAGES, _, normalise_language
from crous_desk.desk import permissions
from crous_desk.desk.action import Act, action, write_transaction
from crous_desk.desk.context import Desk
from crous_desk.desk.permissions import EVERY, Scope
from crous_desk.people import auth
from crous_desk.people.accounts import (
    OPERATOR_PREFIX,
    ROLE_SCOPES,
    Scopes,
    has_control,
    os_user_problems,
    pairs,
    parse_scope,
    public,
    role_problems,
    scope_problems,
    username_problem,
)
from crous_desk.rules.status import Role
from crous_desk.store import audit
from crous_desk.store.models import Residence, Staff, StaffScope, snapshot

__all__ = [  # what an account may be is crous_desk.people.accounts, read here too
    "OPERATOR_PREFIX",
    "ROLE_SCOPES",
    "StaffRow",
    "add_staff",
    "ensure_staff",
    "operator",
    "operator_desk",
    "parse_scope",
    "scope_problems",
    "set_active",
    "set_passphrase",
    "set_scope",
    "staff_rows",
]


@dataclass(frozen=True)
class StaffRow:
    staff_id: int
    username: str
    display_name: str
    role: str
    active: bool
    scope: Scope
    has_passphrase: bool
    os_user: str | None
    locked_until: datetime | None
    last_sign_in_at: datetime | None


# -- the accounts that exist before anyone acts ------------------------------------------------
# Nobody is signed in yet when these are created (the command line's own account, the desk
# account of a desk without sign-in): they are not desk actions, but they are audited.


def operator(login: str, now: datetime) -> Staff:
    """The account of the command line run by ``login``: created the first time."""
    username = f"{OPERATOR_PREFIX}{login}"
    found = Staff.get_or_none(Staff.username == username)
    if found is not None:
        if found.role != Role.ADMINISTRATOR or not found.active or found.passphrase_hash:
            raise Refused(
                Problem(
                    "not_the_command_line",
                    _("the account {name} is not the command line's").format(name=username),
                )
            )
        return found
    with write_transaction():
        staff = Staff.create(
            username=username,
            display_name=_("{login} (command line)").format(login=login),
            role=Role.ADMINISTRATOR,
            created_at=now,
        )
        audit.record(username, now, "staff.create", "staff", staff.id, after=public(staff, Scope()))
    return staff


def operator_desk(login: str, clock: Clock, residence: Residence | None = None) -> Desk:
    """The desk of the command line run by ``login`` (on ``residence``, or on every one)."""
    return Desk(command_line_account(login, clock.now()), clock, residence)


def command_line_account(login: str, now: datetime) -> Staff:
    """Who the command line acts as — like the desk, the account mapped to the operating-system
    login (``--os-user``), with that account's role and scope. Writing the database file is
    not a door: a login mapped to no account is refused once the installation has an
    administrator. ``root`` (who owns the machine) is the administrator ``os:root``; before
    any administrator exists, the first one is made from the command line, as ``os:<login>``."""
    if login == "root":
        return operator("root", now)
    mapped = auth.os_user_account(login)
    if mapped is not None:
        return mapped
    administrators = Staff.select().where(
        Staff.role == Role.ADMINISTRATOR,
        Staff.active == True,  # noqa: E712
    )
    if not administrators.exists():
        return operator(login, now)
    raise Refused(
        Problem(
            "login_not_mapped",
            _(
                "the login {login} is mapped to no active staff account: the command line "
                "acts as the account mapped to your login (an administrator maps it with "
                "crous-desk staff add NAME --os-user {login})"
            ).format(login=login[:40]),
        )
    )


def ensure_staff(username: str, clock: Clock | None = None) -> Staff:
    """The desk account ``username`` of a desk without sign-in, created the first time (it
    works at every residence)."""
    staff = Staff.get_or_none(Staff.username == username)
    if staff is None:
        now = (clock or SystemClock()).now()
        with write_transaction():
            staff = Staff.create(username=username, display_name=username, created_at=now)
            StaffScope.create(staff=staff, kind="residence", value=EVERY)
            audit.record(
                username,
                now,
                "staff.create",
                "staff",
                staff.id,
                after=snapshot(staff, "username", "role"),
            )
    return staff


def _account(act: Act, username: str) -> Staff:
    """The account named ``username``, or refused with every problem gathered so far."""
    staff = Staff.get_or_none(Staff.username == username.strip())
    if staff is None:
        act.refuse(
            Problem("not_found", _("no staff account {name!r}").format(name=username.strip()[:40]))
        )
    return staff


def _replace_scope(staff: Staff, scope: list[tuple[str, str]]) -> None:
    StaffScope.delete().where(StaffScope.staff == staff).execute()
    for kind, value in scope:
        StaffScope.create(staff=staff, kind=kind, value=value)


# -- the administrator's actions -----------------------------------------------------------------


@action("staff.create", needs="staff.manage")
def add_staff(
    act: Act,
    username: str,
    display_name: str,
    role: str,
    scopes: Scopes = (),
    *,
    passphrase: str | None = None,
    os_user: str | None = None,
) -> Staff:
    """A new account with its role and scope (and a passphrase or an OS login to sign in)."""
    username = username.strip()
    display_name = display_name.strip() or username
    scope = pairs(scopes)
    act.check(username_problem(username))
    if has_control(display_name):
        act.check(
            Problem("text_control_characters", _("the name cannot contain control characters"))
        )
    act.check(
        role_problems(role, scope),
        auth.passphrase_problem(passphrase, username) if passphrase is not None else None,
        os_user_problems(os_user, None),
    )
    with act.change():
        # the username and the login are unique: look again, as another desk may have been first
        free = not Staff.select().where(Staff.username == username).exists()
        act.confirm(int(free and not os_user_problems(os_user, None)), _("the staff accounts"))
        staff = Staff.create(
            username=username,
            display_name=display_name,
            role=role,
            created_at=act.now,
            passphrase_hash=auth.hash_passphrase(passphrase) if passphrase else None,
            os_user=os_user or None,
        )
        _replace_scope(staff, scope)
        act.audit("staff", staff.id, after=public(staff, permissions.scope_of(staff)))
    return staff


@action("staff.passphrase", needs="staff.manage")
def set_passphrase(act: Act, username: str, passphrase: str) -> Staff:
    """A new passphrase (an administrator's reset); it also lifts a lockout."""
    act.check(auth.passphrase_problem(passphrase, username))
    staff = _account(act, username)
    with act.change():
        auth.end_waits(staff.id)  # every terminal that failed may try again
        changed = (
            Staff.update(
                passphrase_hash=auth.hash_passphrase(passphrase),
                failed_sign_ins=0,
                locked_until=None,
            )
            .where(Staff.id == staff.id, Staff.passphrase_hash == staff.passphrase_hash)
            .execute()
        )
        act.confirm(changed, _("the account {name}").format(name=staff.username))
        act.audit(
            "staff",
            staff.id,
            before={"passphrase": bool(staff.passphrase_hash), "locked_until": None}
            if staff.locked_until is None
            else {"passphrase": True, "locked_until": staff.locked_until.isoformat()},
            after={"passphrase": "changed", "locked_until": None},
        )
    return Staff.get_by_id(staff.id)


@action("staff.active", needs="staff.manage")
def set_active(act: Act, username: str, active: bool) -> Staff:
    """Disable (or enable again) an account; a disabled account's open sessions can do
    nothing more from their next action on."""
    staff = _account(act, username)
    if staff.id == act.actor.id and not active:
        act.check(Problem("own_account", _("you cannot disable your own account")))
    elif staff.active == active:
        act.check(
            Problem("already_disabled", _("{name} is already disabled").format(name=staff.username))
            if not active
            else Problem("already_active", _("{name} is active").format(name=staff.username))
        )
    with act.change():
        changed = (
            Staff.update(active=active)
            .where(Staff.id == staff.id, Staff.active == (not active))
            .execute()
        )
        act.confirm(changed, _("the account {name}").format(name=staff.username))
        act.audit(
            "staff",
            staff.id,
            before={"active": staff.active},
            after={"active": active},
            action="staff.enable" if active else "staff.disable",
        )
    return Staff.get_by_id(staff.id)


@action("staff.language", needs="staff.manage")
def set_language(act: Act, username: str, language: str | None) -> Staff:
    """The account's own interface language ("fr", "en"), applied when they sign in; None:
    the desk's (--lang, CROUS_DESK_LANG, the configuration, the locale)."""
    staff = _account(act, username)
    wanted = normalise_language(language) if language else None
    if language and wanted is None:
        act.check(
            Problem(
                "unknown_language",
                _("{value!r} is not a language of the desk: {languages}").format(
                    value=language[:20], languages=", ".join(LANGUAGES)
                ),
            )
        )
    with act.change():
        changed = (
            Staff.update(language=wanted)
            .where(
                Staff.id == staff.id,
                Staff.language.is_null()
                if staff.language is None
                else Staff.language == staff.language,
            )
            .execute()
        )
        act.confirm(changed, _("the account {name}").format(name=staff.username))
        act.audit(
            "staff", staff.id, before={"language": staff.language}, after={"language": wanted}
        )
    return Staff.get_by_id(staff.id)


@action("staff.scope", needs="staff.manage")
def set_scope(act: Act, username: str, role: str, scopes: Scopes) -> Staff:
    """A new role and scope for an account (replacing the old scope)."""
    scope = pairs(scopes)
    staff = _account(act, username)
    act.check(role_problems(role, scope))
    if staff.id == act.actor.id and role != Role.ADMINISTRATOR:
        act.check(Problem("own_account", _("you cannot take the administrator role from yourself")))
    with act.change():
        before = {"role": staff.role, "scope": permissions.scope_of(staff).describe()}
        changed = (
            Staff.update(role=role).where(Staff.id == staff.id, Staff.role == staff.role).execute()
        )
        act.confirm(changed, _("the account {name}").format(name=staff.username))
        _replace_scope(staff, scope)
        act.audit(
            "staff",
            staff.id,
            before=before,
            after={"role": role, "scope": permissions.scope_of(staff).describe()},
        )
    return Staff.get_by_id(staff.id)


# -- reading -----------------------------------------------------------------------------------


def staff_rows(desk: Desk, *, include_operators: bool = True) -> list[StaffRow]:
    """Every account with its scope, by username (the command line's own ones if asked)."""
    permissions.require(desk.actor, "staff.manage")
    scopes: dict[int, dict[str, set[str]]] = {}
    query: Any = StaffScope.select(StaffScope.staff, StaffScope.kind, StaffScope.value)
    for staff_id, kind, value in query.tuples():
        scopes.setdefault(staff_id, {}).setdefault(kind, set()).add(value)
    rows = []
    for s in Staff.select().order_by(Staff.username):
        if not include_operators and s.username.startswith(OPERATOR_PREFIX):
            continue
        found = scopes.get(s.id, {})
        rows.append(
            StaffRow(
                staff_id=s.id,
                username=s.username,
                display_name=s.display_name,
                role=s.role,
                active=bool(s.active),
                scope=Scope(
                    frozenset(found.get("residence", ())),
                    frozenset(found.get("campus", ())),
                    frozenset(found.get("university", ())),
                ),
                has_passphrase=bool(s.passphrase_hash),
                os_user=s.os_user,
                locked_until=s.locked_until,
                last_sign_in_at=s.last_sign_in_at,
            )
        )
    return rows
