"""What a staff account may be: a username, a role and the scope that fits it, an operating-
system login; checked before an administrator's action writes it. Plain checks that read the
accounts and residences already recorded."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable

from crous_desk.base.errors import Problem, Refused
from crous_desk.base.i18n import _
from crous_desk.base.text import has_control as text_has_control
from crous_desk.desk.permissions import EVERY, Scope, role_label
from crous_desk.rules.status import Role
from crous_desk.store.models import SCOPE_KINDS, Residence, Staff, snapshot

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")
OS_USER = re.compile(r"[a-z_][a-z0-9_.-]{0,31}")
OPERATOR_PREFIX = "os:"  # the command line's own accounts: os:<login>
# the scope kinds each role may hold
ROLE_SCOPES: dict[str, tuple[str, ...]] = {
    Role.RECEPTIONIST: ("residence",),
    Role.MANAGER: ("campus", "university"),
    Role.ADMINISTRATOR: (),
}
Scopes = Iterable[tuple[str, str]]


def username_problem(username: str) -> Problem | None:
    if not USERNAME.fullmatch(username):
        return Problem(
            "username_invalid",
            _(
                "a username is 2 to 32 characters: lower-case letters, digits, '.', '_' or "
                "'-', starting with a letter or digit"
            ),
        )
    if Staff.select().where(Staff.username == username).exists():
        return Problem("username_taken", _("the username {name!r} is taken").format(name=username))
    return None


def public(staff: Staff, scope: Scope) -> dict[str, object]:
    """What the audit log keeps of an account: never the passphrase hash."""
    return {
        **snapshot(staff, "username", "display_name", "role", "active", "os_user"),
        "passphrase": bool(staff.passphrase_hash),
        "scope": scope.describe(),
    }


def has_control(text: str) -> bool:
    """Controls, escapes, bidi overrides, zero-width spaces (crous_desk.base.text)."""
    return text_has_control(text)


def scope_problems(role: str, scopes: Scopes) -> list[str]:
    """Why ``scopes`` do not fit ``role`` (a known role): wrong kinds, unknown residences, none."""
    problems: list[str] = []
    scopes = list(scopes)
    allowed_kinds = ROLE_SCOPES.get(role, ())
    for kind, value in scopes:
        if kind not in SCOPE_KINDS or kind not in allowed_kinds:
            problems.append(
                Problem(
                    "scope_kind",
                    _("a {role} has no {kind} in their scope").format(
                        role=role_label(role), kind=kind
                    ),
                )
            )
        elif not value.strip() or has_control(value):
            problems.append(
                Problem("scope_value", _("a scope value is empty or holds control characters"))
            )
        elif kind == "residence" and value != EVERY:
            if not Residence.select().where(Residence.code == value).exists():
                codes = ", ".join(r.code for r in Residence.select().order_by(Residence.code))
                problems.append(
                    Problem(
                        "unknown_residence",
                        _("no residence {code!r} (known: {codes})").format(
                            code=value, codes=codes or _("none")
                        ),
                    )
                )
    if role == Role.RECEPTIONIST and not scopes:
        problems.append(
            Problem(
                "scope_required", _("name the receptionist's residences (or every residence: *)")
            )
        )
    if role == Role.MANAGER and not scopes:
        problems.append(
            Problem(
                "scope_required",
                _("name the manager's campuses or home universities (or all: *)"),
            )
        )
    return problems


def role_problems(role: str, scopes: Scopes) -> list[str]:
    if role not in tuple(Role):
        roles = ", ".join(tuple(Role))
        return [
            Problem(
                "unknown_role",
                _("unknown role {role!r}: choose one of {roles}").format(role=role, roles=roles),
            )
        ]
    return scope_problems(role, scopes)


def os_user_problems(os_user: str | None, staff: Staff | None) -> list[str]:
    if not os_user:
        return []
    if not OS_USER.fullmatch(os_user):
        return [
            Problem(
                "os_user_invalid",
                _("{login!r} is not an operating-system login").format(login=os_user[:40]),
            )
        ]
    other = Staff.get_or_none(Staff.os_user == os_user)
    if other is not None and (staff is None or other.id != staff.id):
        return [
            Problem(
                "os_user_taken",
                _("the login {login!r} is already mapped to {name}").format(
                    login=os_user, name=other.username
                ),
            )
        ]
    return []


def pairs(scopes: Scopes) -> list[tuple[str, str]]:
    return sorted({(kind, value.strip()) for kind, value in scopes})


def parse_scope(text: str) -> list[tuple[str, str]]:
    """``residence:gaston-berger, campus:Luminy`` (or ``*``-valued entries) as pairs; a value
    may hold commas when it is quoted: ``university:"University of California, Berkeley"``."""
    pairs = []
    for item in next(csv.reader([text], skipinitialspace=True), []):
        item = item.strip()
        if not item:
            continue
        kind, sep, value = item.partition(":")
        if not sep:
            raise Refused(
                Problem(
                    "scope_syntax",
                    _("{item!r}: write a scope as kind:value, e.g. residence:gaston-berger").format(
                        item=item[:40]
                    ),
                )
            )
        pairs.append((kind.strip().lower(), value.strip()))
    return pairs
