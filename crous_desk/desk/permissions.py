"""Who may do what, and where: a role × action matrix and each account's scope.

Every service action calls :func:`require` first; a screen may hide what :func:`allowed`
refuses, but the rule lives here. The account is read again at each check, so disabling an
account or changing its role takes effect on the next action of a session already open.

- a **receptionist** works at the desk of the residences in their scope;
- a **mobility manager** follows the students of their campuses or home universities: INE,
  proposal answers, extension decisions; the residence side (documents, inspections, keys,
  rooms, departures) is read-only for them, and they never see another office's students;
- an **administrator** does everything, everywhere, and manages the staff accounts.

A scope value "*" means every residence (campus, university) of that kind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from crous_desk.base.errors import Problem, Refused
from crous_desk.base.i18n import _
from crous_desk.rules.status import Role
from crous_desk.store.models import Reservation, Residence, Room, Staff, StaffScope, Student

RECEPTIONIST = Role.RECEPTIONIST
MANAGER = Role.MANAGER
ADMINISTRATOR = Role.ADMINISTRATOR
ROLES = tuple(Role)
EVERY = "*"

_R, _M, _A = RECEPTIONIST, MANAGER, ADMINISTRATOR

# action: the roles that may do it. Keep in step with the README's table.
MATRIX: dict[str, frozenset[str]] = {
    "reservation.view": frozenset({_R, _M, _A}),
    "document.verify": frozenset({_R, _A}),
    "proposal.send": frozenset({_R, _A}),
    "proposal.answer": frozenset({_R, _M, _A}),
    "ine.record": frozenset({_M, _A}),
    "inspection.record": frozenset({_R, _A}),
    "keys.view": frozenset({_R, _A}),
    "keys.handover": frozenset({_R, _A}),
    "keys.return": frozenset({_R, _A}),
    "keys.manage": frozenset({_R, _A}),
    "appointment.book": frozenset({_R, _A}),
    "slip.print": frozenset({_R, _A}),
    "departure.manage": frozenset({_R, _A}),
    "room.view": frozenset({_R, _A}),
    "room.status": frozenset({_R, _A}),
    "price.set": frozenset({_R, _A}),
    "extension.request": frozenset({_R, _M, _A}),
    "extension.decide": frozenset({_M, _A}),
    "pipeline.view": frozenset({_M, _A}),
    "student.import": frozenset({_M, _A}),
    "export.pipeline": frozenset({_M, _A}),
    "export.arrivals": frozenset({_R, _A}),
    "export.keylog": frozenset({_R, _A}),
    "export.audit": frozenset({_A}),
    "audit.view": frozenset({_A}),
    "staff.manage": frozenset({_A}),
    "residence.manage": frozenset({_A}),
    "mail.view": frozenset({_A}),
    "mail.manage": frozenset({_A}),
    "ledger.record": frozenset({_R, _A}),
    "export.ledger": frozenset({_R, _A}),
    "person.data": frozenset({_A}),
    "stay.move": frozenset({_R, _A}),
}


def role_label(role: str) -> str:
    labels: dict[str, str] = {
        RECEPTIONIST: _("receptionist"),
        MANAGER: _("mobility manager"),
        ADMINISTRATOR: _("administrator"),
    }
    return labels.get(role, role)


def action_label(action: str) -> str:
    labels = {
        "reservation.view": _("open a reservation"),
        "document.verify": _("tick rental-file documents"),
        "proposal.answer": _("record the answer to a proposal"),
        "ine.record": _("record an INE"),
        "inspection.record": _("record room inspections"),
        "keys.view": _("see the key sets and the key log"),
        "keys.handover": _("hand over keys"),
        "keys.return": _("take keys back"),
        "keys.manage": _("lend, retire, add or declare lost key sets"),
        "appointment.book": _("book arrival appointments"),
        "slip.print": _("print arrival slips"),
        "departure.manage": _("record departures"),
        "room.view": _("see the rooms"),
        "room.status": _("change a room's status"),
        "price.set": _("set the residence's prices"),
        "extension.request": _("record an extension request"),
        "extension.decide": _("decide extension requests"),
        "pipeline.view": _("follow the students' pipeline"),
        "student.import": _("import the Accueil list"),
        "export.pipeline": _("export the pipeline"),
        "export.arrivals": _("export the arrivals"),
        "export.keylog": _("export the key log"),
        "export.audit": _("export the audit log"),
        "audit.view": _("read the audit log"),
        "staff.manage": _("manage staff accounts"),
        "proposal.send": _("offer a room"),
        "residence.manage": _("set up residences, rooms and closures"),
        "mail.view": _("read the outbox"),
        "mail.manage": _("send mail again or set mail addresses"),
        "person.data": _("export or anonymise a person's data"),
        "ledger.record": _("record the money of a stay"),
        "export.ledger": _("export the stays' balances"),
        "stay.move": _("move a tenant to another room"),
    }
    return labels.get(action, action)


@dataclass(frozen=True)
class Scope:
    residences: frozenset[str] = frozenset()  # residence codes
    campuses: frozenset[str] = frozenset()
    universities: frozenset[str] = frozenset()

    @property
    def every_residence(self) -> bool:
        return EVERY in self.residences

    @property
    def every_student(self) -> bool:
        return EVERY in self.campuses or EVERY in self.universities

    def has_residence(self, code: str | None) -> bool:
        return self.every_residence or (code is not None and code in self.residences)

    def has_student(self, campus: str, university: str) -> bool:
        return self.every_student or campus in self.campuses or university in self.universities

    def describe(self) -> str:
        parts = []
        for label, values in (
            (_("residences"), self.residences),
            (_("campuses"), self.campuses),
            (_("universities"), self.universities),
        ):
            if values:
                shown = _("all") if EVERY in values else ", ".join(sorted(values))
                parts.append(f"{label}: {shown}")
        return "; ".join(parts) or _("nothing")


def scope_of(staff: Staff | int) -> Scope:
    rows: Any = StaffScope.select(StaffScope.kind, StaffScope.value).where(
        StaffScope.staff == staff
    )
    found: dict[str, set[str]] = {"residence": set(), "campus": set(), "university": set()}
    for kind, value in rows.tuples():
        found.setdefault(kind, set()).add(value)
    return Scope(
        frozenset(found["residence"]), frozenset(found["campus"]), frozenset(found["university"])
    )


@dataclass(frozen=True)
class Grant:
    """An account as the checks see it, read afresh from the database."""

    staff_id: int
    username: str
    role: str
    active: bool
    scope: Scope

    @property
    def administrator(self) -> bool:
        return self.role == ADMINISTRATOR


_GRANT = (
    "SELECT s.username, s.role, s.active, c.kind, c.value FROM staff s "
    "LEFT JOIN staff_scope c ON c.staff_id = s.id WHERE s.id = {param}"
)


# Within one reading (:func:`one_reading`): each account's grant, read once for all of it.
_READING: ContextVar[dict[int, Grant] | None] = ContextVar("crous_desk_reading", default=None)


@contextmanager
def one_reading() -> Iterator[None]:
    """What a screen shows, read in one go (a list and its checks): each account is read once
    for it, not once per list. Outside one, every check reads the account again."""
    if _READING.get() is not None:  # already inside one
        yield
        return
    token = _READING.set({})
    try:
        yield
    finally:
        _READING.reset(token)


def grant_of(actor: Staff) -> Grant:
    """The account and its scope as stored now: one indexed statement (it runs before every
    action and every search; once in :func:`one_reading`)."""
    reading = _READING.get()
    if reading is not None:
        grant = reading.get(actor.id)
        if grant is None:
            grant = reading[actor.id] = _read_grant(actor)
        return grant
    return _read_grant(actor)


def _read_grant(actor: Staff) -> Grant:
    database = Staff._meta.database
    rows = database.execute_sql(_GRANT.format(param=database.param), (actor.id,)).fetchall()
    if not rows:
        return Grant(actor.id, actor.username, "", False, Scope())
    found: dict[str, set[str]] = {"residence": set(), "campus": set(), "university": set()}
    for _username, _role, _active, kind, value in rows:
        if kind is not None:
            found.setdefault(kind, set()).add(value)
    username, role, active = rows[0][:3]
    scope = Scope(
        frozenset(found["residence"]), frozenset(found["campus"]), frozenset(found["university"])
    )
    return Grant(actor.id, username, role, bool(active), scope)


Target = Reservation | Student | Room | Residence | None


def refusal(
    actor: Staff, action: str, target: Target = None, *, grant: Grant | None = None
) -> str | None:
    """Why ``actor`` may not do ``action`` (on ``target``), or None when they may.

    ``grant``: the account as this action already read it (one read per action); else read
    now."""
    if action not in MATRIX:
        raise ValueError(f"unknown action {action!r}")
    if grant is None:
        grant = grant_of(actor)
    if not grant.active:
        return Problem(
            "account_disabled", _("the account {user} is disabled").format(user=grant.username)
        )
    if grant.role not in MATRIX[action]:
        return Problem(
            "not_permitted",
            _("a {role} cannot {action}").format(
                role=role_label(grant.role), action=action_label(action)
            ),
        )
    if target is None or grant.administrator:
        return None
    return scope_problem(grant, target)


def require(
    actor: Staff, action: str, target: Target = None, *, grant: Grant | None = None
) -> None:
    """Refuse (changing nothing) unless ``actor`` may do ``action`` on ``target``."""
    problem = refusal(actor, action, target, grant=grant)
    if problem:
        raise Refused(problem)


def allowed(actor: Staff | None, action: str, target: Target = None) -> bool:
    return actor is not None and refusal(actor, action, target) is None


def scope_problem(grant: Grant, target: Any) -> str | None:
    scope = grant.scope
    if isinstance(target, Reservation):
        if grant.role == MANAGER:
            student = target.student
            if scope.has_student(student.campus, student.home_university):
                return None
            return Problem(
                "out_of_scope",
                _("reservation {ref} is not one of your students'").format(ref=target.reference),
            )
        if scope.every_residence:  # whatever its room: no row to read
            return None
        room = target.room
        if scope.has_residence(room.residence.code if room is not None else None):
            return None
        return Problem(
            "out_of_scope",
            _("reservation {ref} is not in your residences").format(ref=target.reference),
        )
    if isinstance(target, Student):
        if grant.role == MANAGER:
            if scope.has_student(target.campus, target.home_university):
                return None
            return Problem(
                "out_of_scope",
                _("{name} is not one of your students").format(name=target.full_name),
            )
        if scope.every_residence:
            return None
        reservations: Any = target.reservations  # type: ignore[attr-defined]
        codes = {
            r.room.residence.code
            for r in reservations
            if r.room is not None and r.room.residence.code in scope.residences
        }
        if codes:
            return None
        return Problem(
            "out_of_scope", _("{name} is not in your residences").format(name=target.full_name)
        )
    if isinstance(target, Room):
        if scope.every_residence or scope.has_residence(target.residence.code):
            return None
        return Problem(
            "out_of_scope", _("room {room} is not in your residences").format(room=target.number)
        )
    if isinstance(target, Residence):
        if scope.has_residence(target.code):
            return None
        return Problem(
            "out_of_scope", _("{name} is not one of your residences").format(name=target.name)
        )
    raise TypeError(f"no scope rule for {type(target).__name__}")


def visible(actor: Staff, reservations: list[Reservation]) -> list[Reservation]:
    """The reservations ``actor`` may see, in the same order (one account read for all)."""
    grant = grant_of(actor)
    if not grant.active or grant.role not in MATRIX["reservation.view"]:
        return []
    if grant.administrator:
        return reservations
    return [r for r in reservations if scope_problem(grant, r) is None]


def student_filter(actor: Staff) -> Any:
    """A peewee condition on Student for the students a mobility manager follows (None: no
    condition on students — every student, or a desk role that residences restrict)."""
    grant = grant_of(actor)
    if grant.role != MANAGER or grant.scope.every_student:
        return None
    campuses = sorted(grant.scope.campuses)
    universities = sorted(grant.scope.universities)
    if not campuses and not universities:
        return Student.id.is_null()  # nobody
    if not universities:  # one condition an index can answer (no "OR 0 = 1")
        return Student.campus.in_(campuses)
    if not campuses:
        return Student.home_university.in_(universities)
    return Student.campus.in_(campuses) | Student.home_university.in_(universities)


def residence_filter(actor: Staff) -> Any:
    """A peewee condition on Room for the residences a receptionist works at (None: no
    condition — an administrator, a receptionist of every residence, or a manager, whom
    :func:`student_filter` restricts). Lists filter by the account, not only by the desk."""
    grant = grant_of(actor)
    if grant.role != RECEPTIONIST or grant.scope.every_residence:
        return None
    codes = sorted(grant.scope.residences)
    return Room.residence.in_(Residence.select(Residence.id).where(Residence.code.in_(codes)))


def desk_residence(actor: Staff, wanted: Residence | None) -> Residence | None:
    """The residence a desk opens on for ``actor``: ``wanted`` if it is in their scope; for a
    receptionist of some residences only, one of them (a desk never shows another's rooms)."""
    grant = grant_of(actor)
    if grant.role == MANAGER:
        return None  # their students, wherever they live
    if wanted is not None:
        if grant.role == RECEPTIONIST:
            problem = scope_problem(grant, wanted)
            if problem:
                raise Refused(problem)
        return wanted
    if grant.role == RECEPTIONIST and not grant.scope.every_residence:
        first = (
            Residence.select()
            .where(Residence.code.in_(sorted(grant.scope.residences)))
            .order_by(Residence.code)
            .first()
        )
        if first is None:
            raise Refused(
                Problem(
                    "no_residence",
                    _("the account {user} has no residence to work at").format(user=grant.username),
                )
            )
        return first
    return None
