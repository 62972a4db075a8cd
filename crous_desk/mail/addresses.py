"""Where mail goes besides the students: a residence's desk address (the Reply-To of its mail,
shown in its contact details) and its manager's (the 17:00 list of keys), and a staff
member's own (a mobility manager's morning list). Set by an administrator, audited."""

from __future__ import annotations

from crous_desk.base.errors import Problem
from crous_desk.base.i18n import _
from crous_desk.desk.action import Act, action
from crous_desk.mail.settings import address_problem
from crous_desk.store.models import Residence, Staff, snapshot

KEEP = None  # an address not given is left as it is; "" clears it


def _checked(act: Act, value: str | None, what: str) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if value:
        problem = address_problem(value)
        if problem:
            act.check(Problem(problem.code, f"{what}: {problem}"))  # type: ignore[attr-defined]
    return value


@action("residence.mail", needs="mail.manage", target=Residence)
def set_residence_addresses(
    act: Act,
    residence: Residence,
    *,
    desk_email: str | None = KEEP,
    manager_email: str | None = KEEP,
) -> Residence:
    """The desk's and the residence manager's addresses (None: unchanged, "": none)."""
    changes = {
        name: value
        for name, value in (
            ("email", _checked(act, desk_email, _("the desk's address"))),
            ("manager_email", _checked(act, manager_email, _("the residence manager's address"))),
        )
        if value is not None
    }
    if not changes:
        act.refuse(Problem("nothing_to_change", _("give --desk or --manager (an address, or '')")))
    with act.change():
        before = snapshot(residence, *changes)
        changed = (
            Residence.update(**{k: v or None for k, v in changes.items()})
            .where(Residence.id == residence.id)
            .execute()
        )
        act.confirm(changed, residence.name)
        fresh = Residence.get_by_id(residence.id)
        act.audit("residence", fresh.id, before=before, after=snapshot(fresh, *changes))
    return fresh


@action("staff.mail", needs="mail.manage")
def set_staff_address(act: Act, username: str, address: str) -> Staff:
    """A staff member's own address ("" clears it)."""
    staff = Staff.get_or_none(Staff.username == username.strip())
    if staff is None:
        act.refuse(
            Problem("not_found", _("no staff member {name!r}").format(name=username.strip()[:40]))
        )
    value = _checked(act, address, username) or None
    with act.change():
        before = snapshot(staff, "email")
        changed = Staff.update(email=value).where(Staff.id == staff.id).execute()
        act.confirm(changed, staff.username)
        fresh = Staff.get_by_id(staff.id)
        act.audit("staff", fresh.id, before=before, after=snapshot(fresh, "email"))
    return fresh
