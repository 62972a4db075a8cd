"""The one way to write a desk action.

An action is a function of an :class:`Act` and what it acts on, decorated with what it needs::

    @action("keys.return", target=KeySet)
    def take_back(act: Act, key_set: KeySet, *, note: str = "") -> KeySet:
        note = act.text(note, _("a note"))
        act.desk_open(key_set.room.residence, _("keys are taken back"))
        act.check(state_problem(key_set, {KeyState.OUT}, _("taking it back")))
        with act.change():
            act.confirm(move(key_set, state=KeyState.DESK), _("key set {label}")...)
            act.audit("key_set", key_set.id, before=..., after=...)
        return key_set

and it is called the same way by the screens, the command line and scripts, with the desk
first and the target's id: ``take_back(desk, key_set_id, note="...")``.

What :func:`action` does around the function, in order:

1. **Permission.** The actor's role may do ``needs`` (the permission matrix), or the action is
   refused at once: a role that may not act learns nothing more.
2. **Target.** With ``target=Model``, the row is loaded from its id (refused at once when it
   does not exist) and its scope checked: the actor's residences or students, and the
   residence the desk is opened on (:meth:`Act.in_scope`, also callable on any other row).
3. **Problems.** The body gathers every problem with :meth:`Act.check`, :meth:`Act.text`,
   :meth:`Act.desk_open`… and goes on: the person sees all of them at once.
4. **Change.** :meth:`Act.change` refuses with every problem gathered, or lets the body change
   rows. Each change confirms the state it read (a conditional update, :meth:`Act.confirm`),
   so what another desk did in between is refused, never overwritten. Every change records at
   least one audit row (:meth:`Act.audit`) with the values before and after.
5. **One transaction.** The action runs in one write transaction (:func:`write_transaction`):
   a refusal or an error anywhere rolls everything back, audit rows included.

The write lock and the audit step live here and nowhere else.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date, datetime
from typing import Any, Concatenate, NoReturn, ParamSpec, TypeVar, overload

from peewee import JOIN, DatabaseError, Model, OperationalError, SqliteDatabase

from crous_desk.base.dates import parse_day
from crous_desk.base.errors import Problem, Refused
from crous_desk.base.i18n import _
from crous_desk.base.text import text_problem
from crous_desk.desk import permissions
from crous_desk.desk.context import Desk
from crous_desk.rules.hours import closed_problem
from crous_desk.store import audit, locks
from crous_desk.store.audit import Entry as AuditEntry
from crous_desk.store.models import (
    ExtensionRequest,
    Inspection,
    InspectionItem,
    KeySet,
    Reservation,
    Residence,
    Room,
    Student,
    db,
)

P = ParamSpec("P")
T = TypeVar("T")
M = TypeVar("M", bound=Model)

Reason = str | None | Iterable[str | None]


def write_transaction() -> AbstractContextManager[Any]:
    """The one write transaction of an action. On SQLite it begins IMMEDIATE: it holds the
    write lock from its first statement, so the checks read in it are still true when the
    action writes. On PostgreSQL (READ COMMITTED) transactions run side by side: each change
    confirms what it read (a conditional update waits for the other desk, then finds the row
    changed), and the checks that count rows take a named lock first
    (:mod:`crous_desk.store.locks`: the audit chain, a residence's slots, a room's promise, a
    room's key labels); a transaction that loses a race the database detects (a unique key
    taken meanwhile, a deadlock) is refused as changed meanwhile."""
    return db.atomic()


BUSY_PROBE_MS = 200


def write_lock_busy() -> bool:
    """Whether another desk holds the write lock now (tried for a moment). Only then does an
    action check first without it, so that one the rules refuse anyway says so at once instead
    of waiting for the lock."""
    database = db.obj
    if not isinstance(database, SqliteDatabase) or database.in_transaction():
        return False
    (waited,) = database.execute_sql("PRAGMA busy_timeout").fetchone()
    database.execute_sql(f"PRAGMA busy_timeout = {BUSY_PROBE_MS}")
    try:
        database.execute_sql("BEGIN IMMEDIATE")
        database.execute_sql("ROLLBACK")
        return False
    except OperationalError:
        return True
    finally:
        database.execute_sql(f"PRAGMA busy_timeout = {int(waited)}")


class _WouldChange(Exception):
    """The checks passed without the write lock: the action now waits for it."""


# -- what a target is, for the scope checks -------------------------------------------------

_NAMES: dict[type[Model], Callable[[], str]] = {
    Reservation: lambda: _("reservation"),
    KeySet: lambda: _("key set"),
    Room: lambda: _("room"),
    Inspection: lambda: _("inspection"),
    InspectionItem: lambda: _("inspection item"),
    ExtensionRequest: lambda: _("extension request"),
    Residence: lambda: _("residence"),
    Student: lambda: _("student"),
}


def scope_target(row: Any) -> permissions.Target:
    """The row whose scope decides whether an actor may act on ``row``."""
    if isinstance(row, KeySet):
        return row.room
    if isinstance(row, Inspection):
        return row.reservation
    if isinstance(row, InspectionItem):
        return row.inspection.reservation
    if isinstance(row, ExtensionRequest):
        return row.reservation
    return row


# The rows a target's scope is read from, loaded with it in one statement (no lazy load of the
# room and the residence for the scope check): (model, the foreign key that reaches it).
_WITH: dict[type[Model], tuple[tuple[type[Model], str], ...]] = {
    Reservation: ((Room, "room"), (Residence, "residence")),
    KeySet: ((Room, "room"), (Residence, "residence")),
    Room: ((Residence, "residence"),),
}
_QUERIES: dict[type[Model], tuple[Any, str]] = {}


def load_target(model: type[M], row_id: Any) -> M | None:
    """The row ``row_id`` of ``model`` (with its room and residence, as a query joining them
    would give it), or None.

    Its SQL is built once per database, then run again with each id, and the rows made into
    models directly: building a peewee query and its row reader costs far more than running
    it, and every action loads its target."""
    database = db.obj
    chain = _WITH.get(model, ())
    primary_key: Any = model._meta.primary_key  # type: ignore[attr-defined]
    cached = _QUERIES.get(model)
    if cached is None or cached[0] is not database:
        query = model.select(model, *(other for other, _fk in chain))
        joined: type[Model] = model
        for other, _fk in chain:
            query = query.join_from(joined, other, JOIN.LEFT_OUTER)
            joined = other
        sql, _params = query.where(primary_key == 0).sql()
        cached = _QUERIES[model] = (database, sql)
    row = database.execute_sql(cached[1], (primary_key.db_value(row_id),)).fetchone()
    if row is None:
        return None
    rows: list[Any] = []
    start = 0
    for part in (model, *(other for other, _fk in chain)):
        fields = part._meta.sorted_fields  # type: ignore[attr-defined]
        values = row[start : start + len(fields)]
        start += len(fields)
        if rows and values[0] is None:  # the room of a reservation not placed yet
            rows.append(None)
            continue
        instance: Any = part(__no_default__=True)  # type: ignore[call-arg]
        instance.__data__.update(
            (f.name, f.python_value(v)) for f, v in zip(fields, values, strict=True)
        )
        rows.append(instance)
    for (parent, child), (_other, fk) in zip(itertools.pairwise(rows), chain, strict=True):
        if parent is None:
            break
        if child is None:
            parent.__rel__[fk] = None  # known to have none: no lazy load
        else:
            setattr(parent, fk, child)
    for instance in rows:
        if instance is not None:
            instance._dirty.clear()
    return rows[0]  # type: ignore[no-any-return]


def room_of(row: Any) -> Room | None:
    """The room a row belongs to (None: a request not yet placed, a person, a residence)."""
    if isinstance(row, Room):
        return row
    if isinstance(row, (KeySet, Inspection, Reservation)):
        return row.room
    if isinstance(row, InspectionItem):
        return row.inspection.room
    if isinstance(row, ExtensionRequest):
        return row.reservation.room
    return None


# -- the action in progress -------------------------------------------------------------------


class Act:
    """One action in progress: who acts, at which instant, and the problems found so far."""

    def __init__(
        self,
        desk: Desk,
        name: str,
        needs: str,
        *,
        checking_only: bool = False,
        checks_first: bool = False,
        grant: permissions.Grant | None = None,
    ) -> None:
        self.desk = desk
        self.actor = desk.actor
        self.name = name
        self.needs = needs
        self.now: datetime = desk.now()
        self.problems: list[str] = []
        self.audited = 0
        self._changing = False
        self.checking_only = (
            checking_only  # checks read without the write lock (another desk holds it)
        )
        # the checks are read before the write lock, which :meth:`change` takes
        self.checks_first = checks_first
        self._grant = grant
        self._scoped: list[Any] = []  # the rows checked by in_scope, checked again if need be

    @property
    def grant(self) -> permissions.Grant:
        """The actor's account and scope, read once for the whole action."""
        if self._grant is None:
            self._grant = permissions.grant_of(self.actor)
        return self._grant

    # -- what the action works on -----------------------------------------------------------

    def get(self, model: type[M], row_id: int) -> M:
        """The row, or a refusal at once: there is nothing to check on a row that is not there."""
        row = load_target(model, row_id)
        if row is None:
            what = _NAMES[model]() if model in _NAMES else model.__name__
            raise Refused(Problem("not_found", _("no {what} #{id}").format(what=what, id=row_id)))
        return row

    def in_scope(self, row: Any) -> None:
        """Refuse at once unless the actor may do this action on ``row`` (their residences or
        students) and ``row`` belongs to the residence the desk is opened on."""
        permissions.require(self.actor, self.needs, scope_target(row), grant=self.grant)
        self._scoped.append(row)
        room = room_of(row)
        residence = self.desk.residence
        if residence is not None and room is not None and room.residence_id != residence.id:
            raise Refused(
                Problem(
                    "other_residence",
                    _("room {room} belongs to another residence").format(room=room.number),
                )
            )

    # -- gathering every problem ---------------------------------------------------------------

    def check(self, *reasons: Reason) -> None:
        """Note problems (None entries are the checks that passed) and go on checking."""
        for reason in reasons:
            if reason is None or isinstance(reason, str):
                if reason:
                    self.problems.append(reason)
            else:
                self.check(*reason)

    def text(
        self, value: str, what: str, *, required: bool = False, about: str | None = None
    ) -> str:
        """Free text cleaned (trimmed); control characters, a missing or too long text noted
        (about the argument ``about``, for a form to show under that field)."""
        cleaned, problem = text_problem(value, what, required=required)
        if problem is not None and about is not None:
            problem = Problem(problem.code, str(problem), about)
        self.check(problem)
        return cleaned

    def day(self, text: str, about: str) -> date | None:
        """A day typed as dd/mm/yyyy, or None with the problem noted (about ``about``)."""
        try:
            return parse_day(text)
        except ValueError as error:
            self.check(Problem("not_a_date", str(error), about=about))
            return None

    def desk_open(self, residence: Residence | None, doing: str) -> None:
        """Note that the desk is closed, when it is: ``doing`` happens only at the desk."""
        status = self.desk.desk_status(residence)
        if not status.is_open:
            sentence = _(
                "the desk is closed: {doing} only at the desk, Monday to Friday "
                "before 17:00 ({status})"
            )
            self.check(closed_problem(status, sentence.replace("{doing}", doing)))

    @property
    def refused(self) -> bool:
        return bool(self.problems)

    @property
    def changing(self) -> bool:
        """Inside :meth:`change`: what is written now commits or rolls back with the change
        (an audit row, a message queued in the outbox)."""
        return self._changing

    def refuse(self, *reasons: Reason) -> NoReturn:
        """Stop here, refused with every problem gathered so far and ``reasons``."""
        self.check(*reasons)
        raise Refused(*self.problems)

    # -- changing rows ---------------------------------------------------------------------------

    @contextmanager
    def change(self) -> Iterator[None]:
        """Refuse with every problem gathered, or change rows (and audit them) inside."""
        if self.problems:
            raise Refused(*self.problems)
        if self.checking_only:
            raise _WouldChange
        if not self.checks_first:  # already inside the action's write transaction
            self._changing = True
            yield
            self._audited_or_fail()
            return
        with write_transaction():  # the write lock, from here to the end of the change
            self._account_unchanged()
            self._changing = True
            yield
            self._audited_or_fail()

    def _audited_or_fail(self) -> None:
        if not self.audited:
            raise RuntimeError(f"the action {self.name} changed rows without an audit row")

    def _account_unchanged(self) -> None:
        """Inside the write lock: the account read before it still allows the action on every
        row checked (read again: one statement; checked again only when it changed)."""
        grant = permissions.grant_of(self.actor)
        if grant == self._grant:
            return
        self._grant = grant
        permissions.require(self.actor, self.needs, grant=grant)
        for row in self._scoped:
            permissions.require(self.actor, self.needs, scope_target(row), grant=grant)

    def confirm(self, changed: int, what: str) -> None:
        """A conditional update changed exactly one row; else another desk was first (refused:
        the transaction rolls back). ``what``: "this reservation", "key set GAS/B-112/1"…"""
        if changed != 1:
            raise Refused(
                Problem(
                    "changed_meanwhile",
                    _("another desk changed {what} just now; look again").format(what=what),
                )
            )

    def audit(
        self,
        entity: str,
        entity_id: int | None,
        *,
        reservation: Reservation | int | None = None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        action: str | None = None,
    ) -> None:
        """One audit row: who, when, what (the action's name unless told), before and after."""
        if not self._changing:
            raise RuntimeError("audit rows are written inside act.change()")
        audit.record(
            self.actor.username,
            self.now,
            action or self.name,
            entity,
            entity_id,
            reservation=reservation,
            before=before,
            after=after,
        )
        self.audited += 1

    def audit_many(self, entries: list[AuditEntry]) -> None:
        """Many audit rows at once, in order (an import of thousands of rows): the same rows as
        one :meth:`audit` each, written in one statement."""
        if not self._changing:
            raise RuntimeError("audit rows are written inside act.change()")
        self.audited += audit.record_many(self.actor.username, self.now, entries)


# -- the decorator ------------------------------------------------------------------------------


@overload
def action(
    name: str, *, needs: str | None = None, target: None = None, checks_first: bool = False
) -> Callable[[Callable[Concatenate[Act, P], T]], Callable[Concatenate[Desk, P], T]]: ...


@overload
def action(
    name: str, *, needs: str | None = None, target: type[M], checks_first: bool = False
) -> Callable[[Callable[Concatenate[Act, M, P], T]], Callable[Concatenate[Desk, int, P], T]]: ...


def action(
    name: str,
    *,
    needs: str | None = None,
    target: type[Model] | None = None,
    checks_first: bool = False,
) -> Any:
    """Make ``fn(act, [row,] ...)`` the desk action ``name`` (its name in the audit log),
    called as ``fn(desk, [row_id,] ...)``. ``needs``: the permission (``name`` when not told);
    ``target``: the model of the row the first argument names by id.

    ``checks_first``: the action reads its checks before the write lock, and
    :meth:`Act.change` takes the lock; inside, the action confirms what it read (reads it
    again and compares, conditional updates) and the account is read again. The lock is then
    held for a few statements, not for the whole action: for the busiest actions (the
    handover). Without it, the whole action runs in the write transaction."""
    permission = needs or name
    if permission not in permissions.MATRIX:
        raise ValueError(f"unknown permission {permission!r}")

    def decorate(fn: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(fn)
        def run(desk: Desk, *args: Any, **kwargs: Any) -> T:
            grant = permissions.grant_of(desk.actor)
            permissions.require(desk.actor, permission, grant=grant)
            if checks_first:
                with raced_refused():
                    return attempt(
                        Act(desk, name, permission, checks_first=True, grant=grant), args, kwargs
                    )
            if write_lock_busy():
                try:  # refused anyway? say so now, without waiting for the lock
                    with db.atomic(lock_type="DEFERRED"):
                        return attempt(
                            Act(desk, name, permission, checking_only=True, grant=grant),
                            args,
                            kwargs,
                        )
                except _WouldChange:
                    pass  # the checks pass: wait for the lock, then check again and change
            with raced_refused(), write_transaction():
                return attempt(Act(desk, name, permission), args, kwargs)

        def attempt(act: Act, args: Any, kwargs: Any) -> T:
            if target is not None:
                row_id, *args = args
                row = act.get(target, row_id)
                act.in_scope(row)
                args = [row, *args]
            result = fn(act, *args, **kwargs)
            if act.problems:  # gathered, then returned without act.change()
                raise Refused(*act.problems)
            return result

        run.action_name = name  # type: ignore[attr-defined]
        run.needs = permission  # type: ignore[attr-defined]
        return run

    return decorate


@contextmanager
def raced_refused() -> Iterator[None]:
    """PostgreSQL: a transaction that lost a race the database detected (rolled back: nothing
    changed) is a refusal, another desk was first."""
    try:
        yield
    except DatabaseError as error:
        if not locks.raced(error):
            raise
        raise Refused(
            Problem("changed_meanwhile", _("another desk changed this just now; look again"))
        ) from None


def needs(fn: Callable[..., Any]) -> str:
    """The permission a desk action needs (screens show an action only to who may do it)."""
    return str(fn.needs)  # type: ignore[attr-defined]
