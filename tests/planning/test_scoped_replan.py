"""A re-plan scoped to what its person leads (issue 15, item 5): a coach re-plans their caseload,
a principal their school, a district admin the district; everyone else's rows stay exactly as
they are, the kept summaries stay true, and the page says what would change before it changes."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from pdplanner.accounts.models import Role
from pdplanner.assessments.models import Rating
from pdplanner.audit.models import AuditEvent
from pdplanner.extensions import db as extension_db
from pdplanner.planning.models import Cohort, PathActivity, Placement, PlannedGoal
from pdplanner.planning.queries import WHOLE_DISTRICT, replan_preview, replan_scope
from pdplanner.planning.services import run_plan
from tests.conftest import csrf_from
from tests.dashboards.warm import assert_kept_summaries_current, kept
from tests.factories import create_user
from tests.helpers import sign_in_directly
from tests.scenarios import District, load, module_scenario


def two_schools() -> SimpleNamespace:
    """Two schools of six teachers rated 2 by themselves and their coach, planned; in the first
    school a seventh teacher on no caseload (in the principal's scope, not the coach's)."""
    d = District(extension_db, schools=2, teachers=6, level=2, submitted=True)
    loner = create_user(Role.TEACHER, school=d.schools[0])
    run_plan(d.cycle)
    return SimpleNamespace(cycle=d.cycle, schools=d.schools, teachers=d.teachers, coaches=d.coaches,
                           principals=d.principals, admin=d.admin, loner=loner)


@pytest.fixture(scope="module")
def built(app):
    yield from module_scenario(app, two_schools)


@pytest.fixture
def town(db, built):
    return load(built)


def _rows(db, model, educator_ids):
    """Every column of every row of these educators, as the database holds it."""
    columns = model.__table__.columns
    return sorted(db.session.execute(select(*columns).where(model.educator_id.in_(educator_ids))).all(),
                  key=repr)


def _everything_of(db, educator_ids):
    cohorts = select(Placement.cohort_id).where(Placement.educator_id.in_(educator_ids))
    return ([_rows(db, model, educator_ids) for model in (Placement, PlannedGoal, PathActivity)]
            + [sorted(db.session.execute(select(*Cohort.__table__.columns)
                                         .where(Cohort.id.in_(cohorts))).all(), key=repr)])


def _raise_everyone(town):
    """New levels for everyone's ratings (through the ORM, as a save writes them): a full
    re-plan would change every plan (most competencies reach the target 3, so lanes, goals and
    cohorts move)."""
    raised = {c.id for i, c in enumerate(town.cycle.framework.competencies) if i % 4}
    for rating in extension_db.session.scalars(select(Rating).where(Rating.cycle_id == town.cycle.id)):
        rating.level = 3 if rating.competency_id in raised else 2
    extension_db.session.flush()


def test_the_scope_is_what_the_person_leads(db, town):
    first = {t.id for t in town.teachers[:6]}
    coach, principal = town.coaches[0], town.principals[0]
    assert set(db.session.scalars(replan_scope(coach).educators)) == first
    assert set(db.session.scalars(replan_scope(principal).educators)) == first | {town.loner.id, coach.id}
    assert replan_scope(coach).label == "your caseload"
    assert replan_scope(principal).label == town.schools[0].name
    assert replan_scope(town.admin) is WHOLE_DISTRICT
    assert set(db.session.scalars(replan_scope(town.teachers[0]).educators)) == set()


@pytest.mark.parametrize("who", ["coach", "principal"])
def test_a_scoped_replan_leaves_everyone_elses_rows_byte_identical(db, town, who):
    leader = town.coaches[0] if who == "coach" else town.principals[0]
    scope = replan_scope(leader)
    mine = set(db.session.scalars(scope.educators))
    others = [t.id for t in town.teachers if t.id not in mine] + [town.coaches[1].id]
    if who == "coach":
        others.append(town.loner.id)
    _raise_everyone(town)
    db.session.commit()
    before_others, before_mine = _everything_of(db, others), _everything_of(db, sorted(mine))

    summary = run_plan(town.cycle, actor=leader, scope=scope)
    db.session.commit()
    db.session.expire_all()

    assert _everything_of(db, others) == before_others
    assert _everything_of(db, sorted(mine)) != before_mine      # the scope's plans did change
    assert summary.educators == len(mine)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "plan.run")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.actor_id == leader.id and event.details["educators"] == len(mine)
    assert event.details["scope"] == (f"the caseload of {leader.name}" if who == "coach"
                                      else town.schools[0].name)


def test_a_cohort_shared_with_someone_outside_the_scope_is_kept_whole(db, town):
    """A principal's re-plan never breaks up a cohort that has a member from another school."""
    first, second = town.teachers[:6], town.teachers[6:]
    shared = db.session.scalar(select(Placement.cohort_id).where(Placement.educator_id == second[0].id))
    moved = db.session.scalar(select(Placement).where(Placement.educator_id == first[0].id,
                                                      Placement.cycle_id == town.cycle.id))
    moved.cohort_id = shared
    _raise_everyone(town)
    db.session.commit()
    cohort_before = _everything_of(db, [t.id for t in second])[3]

    run_plan(town.cycle, scope=replan_scope(town.principals[0]))
    db.session.commit()
    db.session.expire_all()

    assert db.session.scalar(select(Placement.cohort_id)
                             .where(Placement.educator_id == first[0].id)) == shared
    assert _everything_of(db, [t.id for t in second])[3] == cohort_before


def test_kept_summaries_after_a_scoped_replan_equal_a_full_recompute(db, client, town):
    sign_in_directly(client, town.admin)
    assert client.get("/").status_code == 200          # the district's and schools' rows are kept
    db.session.expire_all()
    assert set(kept(db, town.cycle)) == {None, *(s.id for s in town.schools)}
    _raise_everyone(town)
    db.session.commit()

    run_plan(town.cycle, scope=replan_scope(town.principals[0]))
    db.session.commit()

    assert set(kept(db, town.cycle)) == {None, *(s.id for s in town.schools)}
    assert_kept_summaries_current(db, town.cycle)


def test_the_preview_says_what_would_change_and_writes_nothing(db, town):
    _raise_everyone(town)
    db.session.commit()
    mine = [t.id for t in town.teachers[:6]]
    before = _everything_of(db, mine)
    preview = replan_preview(town.cycle, replan_scope(town.coaches[0]))
    assert preview.people == 6 and preview.not_planned_yet == 0
    assert preview.lane_moves == {"fast": 6}        # everyone reached the fast lane's readiness
    assert preview.cohort_moves == 6
    assert len(preview.replaced) == 1 and len(preview.proposed) == 1
    assert preview.kept == 0
    assert _everything_of(db, mine) == before


def test_the_replan_page_previews_then_the_button_replans_only_the_scope(db, client, town):
    _raise_everyone(town)
    db.session.commit()
    others = [t.id for t in town.teachers[6:]]
    before = _everything_of(db, others)
    sign_in_directly(client, town.coaches[0])
    page = client.get(f"/planning?cycle={town.cycle.id}").get_data(as_text=True)
    assert f'href="/planning/run?cycle={town.cycle.id}"' in page and "Re-plan" in page
    preview = client.get(f"/planning/run?cycle={town.cycle.id}").get_data(as_text=True)
    assert "Re-plan your caseload" in preview and "Re-plan 6 people" in preview
    assert _everything_of(db, others) == before
    token = csrf_from(client, f"/planning/run?cycle={town.cycle.id}")
    response = client.post(f"/planning/run?cycle={town.cycle.id}", data={"csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert _everything_of(db, others) == before
    lanes = set(db.session.scalars(select(Placement.lane).where(Placement.educator_id.in_(
        [t.id for t in town.teachers[:6]]))))
    assert lanes == {"fast"}


def test_another_districts_cycle_is_not_found(app, db, client, town, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    elsewhere = District(db, teachers=1)
    sign_in_directly(client, town.principals[0])
    assert client.get(f"/planning/run?cycle={elsewhere.cycle.id}").status_code == 404
    assert client.post(f"/planning/run?cycle={elsewhere.cycle.id}").status_code == 404

