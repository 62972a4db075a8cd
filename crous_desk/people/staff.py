"""Staff accounts: created, listed, given a passphrase, scoped and disabled by an administrator
(the staff screen) or by whoever runs the command line on the database file.

The command line acts as an account of its own, ``os:<login>`` (an administrator that cannot
sign in): whoever can write the file can do anything to it, and the audit log says who it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crous_desk.base.clock import Clock, SystemClock
from crous_desk.base.errors import Refused
from crous_desk.base.i18n import _
from crous_desk.desk import permissions
from crous_desk.desk.permissions import (
    ADMINISTRATOR,
    EVERY,
    MANAGER,
    RECEPTIONIST,
    ROLES,
    Scope,
    role_label,
)
from crous_desk.people import auth
from crous_desk.store import audit
from crous_desk.store.models import SCOPE_KINDS, Residence, Staff, StaffScope, db, snapshot

_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")
_OS_USER = re.compile(r"[a-z_][a-z0-9_.-]{0,31}")
# the scope kinds each role may hold
ROLE_SCOPES = {
    RECEPTIONIST: ("residence",),
    MANAGER: ("campus", "university"),
    ADMINISTRATOR: (),
}


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


def operator(login: str, now: datetime) -> Staff:
    """The account of the command line run by ``login``: created the first time."""
    username = f"os:{login}"
    found = Staff.get_or_none(Staff.username == username)
    if found is not None:
        if found.role != ADMINISTRATOR or not found.active or found.passphrase_hash:
            raise Refused(_("the account {name} is not the command line's").format(name=username))
        return found
    with db.atomic():
        staff = Staff.create(
            username=username,
            display_name=_("{login} (command line)").format(login=login),
            role=ADMINISTRATOR,
            created_at=now,
        )
        audit.record(
            username, now, "staff.create", "staff", staff.id, after=_public(staff, Scope())
        )
    return staff


def _public(staff: Staff, scope: Scope) -> dict[str, object]:
    """What the audit log keeps of an account: never the passphrase hash."""
    return {
        **snapshot(staff, "username", "display_name", "role", "active", "os_user"),
        "passphrase": bool(staff.passphrase_hash),
        "scope": scope.describe(),
    }


def scope_problems(role: str, scopes: Iterable[tuple[str, str]]) -> list[str]:
    problems = []
    scopes = list(scopes)
    allowed_kinds = ROLE_SCOPES.get(role, ())
    for kind, value in scopes:
        if kind not in SCOPE_KINDS or kind not in allowed_kinds:
            problems.append(
                _("a {role} has no {kind} in their scope").format(role=role_label(role), kind=kind)
            )
        elif not value.strip() or any(ord(c) < 32 or ord(c) == 127 for c in value):
            problems.append(_("a scope value is empty or holds control characters"))
        elif kind == "residence" and value != EVERY:
            if not Residence.select().where(Residence.code == value).exists():
                codes = ", ".join(r.code for r in Residence.select().order_by(Residence.code))
                problems.append(
                    _("no residence {code!r} (known: {codes})").format(
                        code=value, codes=codes or _("none")
                    )
                )
    if role == RECEPTIONIST and not scopes:
        problems.append(_("name the receptionist's residences (or every residence: *)"))
    if role == MANAGER and not scopes:
        problems.append(_("name the manager's campuses or home universities (or all: *)"))
    return problems


def _account(username: str) -> Staff:
    staff = Staff.get_or_none(Staff.username == username.strip())
    if staff is None:
        raise Refused(_("no staff account {name!r}").format(name=username.strip()[:40]))
    return staff


def add_staff(
    by: Staff,
    now: datetime,
    username: str,
    display_name: str,
    role: str,
    scopes: Iterable[tuple[str, str]] = (),
    *,
    passphrase: str | None = None,
    os_user: str | None = None,
) -> Staff:
    """A new account with its role and scope (and a passphrase or an OS login to sign in)."""
    permissions.require(by, "staff.manage")
    username = username.strip()
    display_name = display_name.strip() or username
    scopes = sorted({(k, v.strip()) for k, v in scopes})
    problems = []
    if not _USERNAME.fullmatch(username):
        problems.append(
            _(
                "a username is 2 to 32 characters: lower-case letters, digits, '.', '_' or '-', "
                "starting with a letter or digit"
            )
        )
    elif Staff.select().where(Staff.username == username).exists():
        problems.append(_("the username {name!r} is taken").format(name=username))
    if any(ord(c) < 32 or ord(c) == 127 for c in display_name):
        problems.append(_("the name cannot contain control characters"))
    if role not in ROLES:
        problems.append(
            _("unknown role {role!r}: choose one of {roles}").format(
                role=role, roles=", ".join(ROLES)
            )
        )
    else:
        problems.extend(scope_problems(role, scopes))
    if passphrase is not None:
        problem = auth.passphrase_problem(passphrase)
        if problem:
            problems.append(problem)
    problems.extend(_os_user_problems(os_user, None))
    if problems:
        raise Refused(*problems)
    with db.atomic():
        staff = Staff.create(
            username=username,
            display_name=display_name,
            role=role,
            created_at=now,
            passphrase_hash=auth.hash_passphrase(passphrase) if passphrase else None,
            os_user=os_user or None,
        )
        for kind, value in scopes:
            StaffScope.create(staff=staff, kind=kind, value=value)
        audit.record(
            by.username,
            now,
            "staff.create",
            "staff",
            staff.id,
            after=_public(staff, permissions.scope_of(staff)),
        )
    return staff


def _os_user_problems(os_user: str | None, staff: Staff | None) -> list[str]:
    if not os_user:
        return []
    if not _OS_USER.fullmatch(os_user):
        return [_("{login!r} is not an operating-system login").format(login=os_user[:40])]
    other = Staff.get_or_none(Staff.os_user == os_user)
    if other is not None and (staff is None or other.id != staff.id):
        return [
            _("the login {login!r} is already mapped to {name}").format(
                login=os_user, name=other.username
            )
        ]
    return []


def set_passphrase(by: Staff, now: datetime, username: str, passphrase: str) -> Staff:
    """A new passphrase (an administrator's reset); it also lifts a lockout."""
    permissions.require(by, "staff.manage")
    problem = auth.passphrase_problem(passphrase)
    if problem:
        raise Refused(problem)
    with db.atomic():
        staff = _account(username)
        Staff.update(
            passphrase_hash=auth.hash_passphrase(passphrase), failed_sign_ins=0, locked_until=None
        ).where(Staff.id == staff.id).execute()
        audit.record(
            by.username,
            now,
            "staff.passphrase",
            "staff",
            staff.id,
            before={"passphrase": bool(staff.passphrase_hash), "locked_until": None}
            if staff.locked_until is None
            else {"passphrase": True, "locked_until": staff.locked_until.isoformat()},
            after={"passphrase": "changed", "locked_until": None},
        )
    return Staff.get_by_id(staff.id)


def set_active(by: Staff, now: datetime, username: str, active: bool) -> Staff:
    """Disable (or enable again) an account; a disabled account's open sessions can do
    nothing more from their next action on."""
    permissions.require(by, "staff.manage")
    with db.atomic():
        staff = _account(username)
        if staff.id == by.id and not active:
            raise Refused(_("you cannot disable your own account"))
        if staff.active == active:
            raise Refused(
                (_("{name} is already disabled") if not active else _("{name} is active")).format(
                    name=staff.username
                )
            )
        Staff.update(active=active).where(Staff.id == staff.id).execute()
        audit.record(
            by.username,
            now,
            "staff.enable" if active else "staff.disable",
            "staff",
            staff.id,
            before={"active": staff.active},
            after={"active": active},
        )
    return Staff.get_by_id(staff.id)


def set_scope(
    by: Staff, now: datetime, username: str, role: str, scopes: Iterable[tuple[str, str]]
) -> Staff:
    """A new role and scope for an account (replacing the old scope)."""
    permissions.require(by, "staff.manage")
    scopes = sorted({(k, v.strip()) for k, v in scopes})
    with db.atomic():
        staff = _account(username)
        problems = []
        if role not in ROLES:
            problems.append(
                _("unknown role {role!r}: choose one of {roles}").format(
                    role=role, roles=", ".join(ROLES)
                )
            )
        else:
            problems.extend(scope_problems(role, scopes))
        if staff.id == by.id and role != ADMINISTRATOR:
            problems.append(_("you cannot take the administrator role from yourself"))
        if problems:
            raise Refused(*problems)
        before = {"role": staff.role, "scope": permissions.scope_of(staff).describe()}
        Staff.update(role=role).where(Staff.id == staff.id).execute()
        StaffScope.delete().where(StaffScope.staff == staff).execute()
        for kind, value in scopes:
            StaffScope.create(staff=staff, kind=kind, value=value)
        audit.record(
            by.username,
            now,
            "staff.scope",
            "staff",
            staff.id,
            before=before,
            after={"role": role, "scope": permissions.scope_of(staff).describe()},
        )
    return Staff.get_by_id(staff.id)


def staff_rows(by: Staff, include_operators: bool = True) -> list[StaffRow]:
    permissions.require(by, "staff.manage")
    scopes: dict[int, dict[str, set[str]]] = {}
    query: Any = StaffScope.select(StaffScope.staff, StaffScope.kind, StaffScope.value)
    for staff_id, kind, value in query.tuples():
        scopes.setdefault(staff_id, {}).setdefault(kind, set()).add(value)
    rows = []
    for s in Staff.select().order_by(Staff.username):
        if not include_operators and s.username.startswith("os:"):
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


def parse_scope(text: str) -> list[tuple[str, str]]:
    """``residence:gaston-berger, campus:Luminy`` (or ``*``-valued entries) as pairs; a value
    may hold commas when it is quoted: ``university:"University of California, Berkeley"``."""
    import csv

    pairs = []
    for item in next(csv.reader([text], skipinitialspace=True), []):
        item = item.strip()
        if not item:
            continue
        kind, sep, value = item.partition(":")
        if not sep:
            raise Refused(
                _("{item!r}: write a scope as kind:value, e.g. residence:gaston-berger").format(
                    item=item[:40]
                )
            )
        pairs.append((kind.strip().lower(), value.strip()))
    return pairs


def ensure_staff(username: str, clock: Clock | None = None) -> Staff:
    """The desk account ``username`` of a desk without sign-in, created the first time (it
    works at every residence)."""
    staff = Staff.get_or_none(Staff.username == username)
    if staff is None:
        now = (clock or SystemClock()).now()
        with db.atomic():
            staff = Staff.create(username=username, display_name=username, created_at=now)
            StaffScope.create(staff=staff, kind="residence", value=permissions.EVERY)
            audit.record(
                username,
                now,
                "staff.create",
                "staff",
                staff.id,
                after=snapshot(staff, "username", "role"),
            )
    return staff
