"""The mobility manager's pipeline and actions: where each student stands, the deadlines of
the next 24 hours, the INE, the answer to a proposal; and who signs in when the desk opens."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from crous_desk.base.clock import FixedClock
from crous_desk.base.config import Config
from crous_desk.base.errors import Refused
from crous_desk.office import pipeline
from crous_desk.people import auth
from crous_desk.people.sign_in import who_signs_in
from crous_desk.services import Desk
from crous_desk.store.models import AuditLog, Reservation, Staff, Student
from tests import factories
from tests.factories import MONDAY_10H


def manager_desk() -> Desk:
    return Desk(factories.manager(), FixedClock(MONDAY_10H), None)


def test_steps() -> None:
    assert pipeline.step_of("requested", False, False) == "form"
    assert pipeline.step_of("requested", True, False) == "ine"
    assert pipeline.step_of("proposed", True, False) == "proposed"
    assert pipeline.step_of("accepted", True, False) == "accepted"
    assert pipeline.step_of("accepted", True, True) == "file_complete"
    assert pipeline.step_of("checked_in", True, True) == "arrived"
    assert pipeline.step_of("departed", True, True) == "departed"
    assert pipeline.step_of("expired", True, False) == "expired"
    assert pipeline.academic_year_of(date(2026, 6, 30)) == "2025-2026"
    assert pipeline.academic_year_of(date(2026, 7, 1)) == "2026-2027"


def test_the_pipeline_counts_each_step_and_the_next_24_hours(database) -> None:
    form = factories.reservation(first="Ana", status="requested", documents="none")
    Student.update(ine=None).where(Student.id == form.student_id).execute()
    factories.reservation(first="Bea", status="requested", documents="none")
    soon = factories.reservation(
        first="Cyd", status="proposed", sent_at=MONDAY_10H - timedelta(hours=100)
    )
    factories.reservation(first="Dan", status="proposed", sent_at=MONDAY_10H - timedelta(hours=2))
    factories.reservation(first="Eve", status="proposed", sent_at=MONDAY_10H - timedelta(hours=121))
    factories.reservation(first="Fay", documents="received")
    factories.reservation(first="Gil", documents="verified")
    factories.reservation(first="Hal", status="checked_in", documents="verified")
    view = pipeline.pipeline(manager_desk())
    assert {k: v for k, v in view.counts.items() if v} == {
        "form": 1,
        "ine": 1,
        "proposed": 2,
        "expired": 1,
        "accepted": 1,
        "file_complete": 1,
        "arrived": 1,
    }
    assert [r.reservation_id for r in view.due_soon] == [soon.id]
    assert view.due_soon[0].time_left == timedelta(hours=20)
    only = pipeline.pipeline(manager_desk(), step="proposed", text="cyd dupont")
    assert [r.name for r in only.rows] == ["Cyd Dupont"]
    assert pipeline.pipeline(manager_desk(), step="proposed").counts["arrived"] == 1


def test_semester_and_year_filters(database) -> None:
    first = factories.reservation(first="Una")
    second = factories.reservation(first="Vic")
    Student.update(semester=2, academic_year="2026-2027").where(
        Student.id == second.student_id
    ).execute()
    Student.update(academic_year="2026-2027").where(Student.id == first.student_id).execute()
    desk = manager_desk()
    assert [r.name for r in pipeline.pipeline(desk, semester=2).rows] == ["Vic Dupont"]
    assert pipeline.pipeline(desk, year="2025-2026").rows == []
    assert pipeline.default_year(desk) == "2026-2027"


def test_record_an_ine(database) -> None:
    r = factories.reservation(status="requested", documents="none")
    Student.update(ine=None).where(Student.id == r.student_id).execute()
    desk = manager_desk()
    with pytest.raises(Refused, match="expected 10 digits and 1 letter"):
        pipeline.record_ine(desk, r.student_id, "12345")
    student = pipeline.record_ine(desk, r.student_id, " 0123456789 a ")
    assert student.ine == "0123456789A"
    entry = AuditLog.select().order_by(AuditLog.id.desc()).get()
    assert (entry.action, entry.actor, entry.reservation_id) == ("student.ine", "m.durand", r.id)
    assert json.loads(entry.before) == {"ine": None}
    assert [row.name for row in desk.search("0123456789A")] == ["Hélène Dupont"]
    other = factories.reservation(first="Zoé")
    with pytest.raises(Refused, match="already recorded for another student"):
        pipeline.record_ine(desk, other.student_id, "0123456789A")


def test_refuse_a_proposal(database) -> None:
    r = factories.reservation(status="proposed", sent_at=MONDAY_10H - timedelta(hours=3))
    desk = manager_desk()
    assert desk.refuse(r.id).status == "refused"
    with pytest.raises(Refused, match="no open proposal"):
        desk.refuse(r.id)
    late = factories.reservation(
        first="Zoé", status="proposed", sent_at=MONDAY_10H - timedelta(days=6)
    )
    with pytest.raises(Refused, match="expired"):
        desk.refuse(late.id)
    assert Reservation.get_by_id(late.id).status == "proposed"


# -- who signs in -------------------------------------------------------------------------------


def test_sign_in_off_is_the_desk_user_as_before(database) -> None:
    actor, residence = who_signs_in(
        Config(sign_in="off", desk_user="accueil"), None, FixedClock(MONDAY_10H)
    )
    assert actor is not None and actor.username == "accueil" and residence is None


def test_passphrase_sign_in_needs_an_account_that_can_sign_in(database) -> None:
    with pytest.raises(Refused, match="no staff account can sign in yet"):
        who_signs_in(Config(), None, FixedClock(MONDAY_10H))
    member = factories.staff("chef", role="administrator", scope=())
    Staff.update(passphrase_hash=auth.hash_passphrase("a long passphrase")).where(
        Staff.id == member.id
    ).execute()
    assert who_signs_in(Config(), None, FixedClock(MONDAY_10H)) == (None, None)


def test_the_trusted_os_login_signs_in_its_account(database) -> None:
    member = factories.manager()
    Staff.update(os_user=auth.current_os_user()).where(Staff.id == member.id).execute()
    actor, residence = who_signs_in(
        Config(sign_in="os_user"), factories.residence(), FixedClock(MONDAY_10H)
    )
    assert actor is not None and actor.id == member.id
    assert residence is None  # a manager's desk is their students, not a residence


def test_the_demo_signs_in_by_itself(database) -> None:
    from crous_desk.office.demo import seed_demo

    seed_demo(FixedClock(MONDAY_10H))
    actor, _residence = who_signs_in(
        Config(desk_user="s.laurent"), None, FixedClock(MONDAY_10H), demo=True
    )
    assert actor is not None and actor.role == "mobility_manager"
    with pytest.raises(Refused, match="no demo account 'nobody'"):
        who_signs_in(Config(desk_user="nobody"), None, FixedClock(MONDAY_10H), demo=True)


def test_counts_cover_every_student_and_the_rows_one_page(database) -> None:
    """The counts per step come from SQL over every student, the rows are one page by name,
    and each step's pages hold exactly the students that step counts."""
    made = [
        factories.reservation(first="Ana", status="requested", documents="none"),
        factories.reservation(first="Bea", status="requested", documents="none"),
        factories.reservation(
            first="Cyd", status="proposed", sent_at=MONDAY_10H - timedelta(hours=100)
        ),
        factories.reservation(
            first="Dan", status="proposed", sent_at=MONDAY_10H - timedelta(hours=2)
        ),
        factories.reservation(
            first="Eve", status="proposed", sent_at=MONDAY_10H - timedelta(hours=121)
        ),
        factories.reservation(first="Fay", documents="received"),
        factories.reservation(first="Gil", documents="verified"),
        factories.reservation(first="Hal", status="checked_in", documents="verified"),
        factories.reservation(first="Ivy", status="refused", documents="none"),
    ]
    Student.update(ine=None).where(Student.id == made[0].student_id).execute()
    desk = manager_desk()
    every = pipeline.pipeline(desk, limit=None)
    assert every.total == len(every.rows) == len(made)
    by_text = pipeline.pipeline(desk, text="dupont", limit=None)  # the rows read one by one
    assert every.counts == by_text.counts
    assert [r.reservation_id for r in every.rows] == [r.reservation_id for r in by_text.rows]
    pages = [pipeline.pipeline(desk, limit=4, offset=o) for o in (0, 4, 8)]
    assert [len(p.rows) for p in pages] == [4, 4, 1]
    assert all(p.total == len(made) and p.counts == every.counts for p in pages)
    assert [r.name for p in pages for r in p.rows] == [r.name for r in every.rows]
    assert [r.name for r in pages[0].due_soon] == ["Cyd Dupont"]
    for step, count in every.counts.items():
        shown = pipeline.pipeline(desk, step=step, limit=1)
        assert shown.total == count
        assert [r.step for r in shown.rows] == [step] * min(count, 1)
        rest = pipeline.pipeline(desk, step=step, limit=None, offset=1)
        assert [r.name for r in shown.rows + rest.rows] == [
            r.name for r in every.rows if r.step == step
        ]


def test_the_years_are_the_actors_only(database) -> None:
    mine = factories.reservation(first="Una")
    other = factories.reservation(first="Vic")
    Student.update(academic_year="2024-2025").where(Student.id == mine.student_id).execute()
    Student.update(academic_year="2023-2024", campus="Elsewhere").where(
        Student.id == other.student_id
    ).execute()
    campus = Student.get_by_id(mine.student_id).campus
    scoped = Desk(factories.manager("m.scoped", ("campus", campus)), FixedClock(MONDAY_10H), None)
    assert pipeline.academic_years(scoped) == ["2024-2025"]
    assert pipeline.academic_years(manager_desk()) == ["2024-2025", "2023-2024"]
