"""Dashboards: real figures, the privacy threshold, summaries kept true on every save, and a
number of statements that does not grow with the people in scope."""

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from pdplanner.accounts.models import Role
from pdplanner.assessments.services import (
    RatingInput,
    save_coach_ratings,
    save_self_ratings,
    set_sharing,
    submit_self_assessment,
)
from pdplanner.dashboards.models import SchoolSummary
from pdplanner.framework.terms import forget_framework_terms, framework_terms
from pdplanner.organisation.services import delete_person, set_active
from pdplanner.planning.models import ActivityStatus, GoalStatus, PathActivity, Resource
from pdplanner.planning.queries import plan_of
from pdplanner.planning.services import (
    ProgressUpdate,
    assign_activity,
    override_lane,
    run_plan,
    update_progress,
    verify_activity,
)
from tests.dashboards.warm import assert_kept_summaries_current
from tests.factories import create_user
from tests.helpers import sign_in_directly
from tests.scenarios import District


def page(client, user, url="/"):
    sign_in_directly(client, user)
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def readiness(client, user, school, cycle):
    sign_in_directly(client, user)
    return client.get(f"/api/v1/schools/{school.id}/readiness?cycle={cycle.id}")


def test_the_principal_sees_the_schools_real_figures(db, client):
    d = District(db, teachers=6, level=2, submitted=True)
    html = page(client, d.principals[0])
    # 6 teachers and their coach are educators of the school; the coach is not rated.
    assert "<dt>Educators</dt><dd>7</dd>" in html
    assert "<dt>Rated by a coach</dt><dd>6</dd>" in html
    assert re.search(r">\s*2\.0\s*<", html) and "0%" in html   # everyone at 2: nobody at target 3
    body = readiness(client, d.principals[0], d.schools[0], d.cycle).get_json()
    assert body["participation"]["educators"] == 7
    first = body["competencies"][0]
    assert first["competency"] == "COG.1"
    assert first["current"] == {"people": 6, "mean": 2.0, "suppressed": False}
    assert first["at_target"]["mean"] == 0.0
    planned = sum(lane["count"] for lane in body["lanes"])
    assert planned == body["participation"]["educators"] - body["not_planned"]


def test_a_principal_never_sees_a_figure_over_fewer_than_the_threshold(db, client):
    d = District(db, teachers=4, level=2, submitted=True)
    html = page(client, d.principals[0])
    assert not re.search(r">\s*2\.0\s*<", html) and "fewer than 5" in html   # no mean shown as text
    body = readiness(client, d.principals[0], d.schools[0], d.cycle).get_json()
    assert body["privacy_min_group"] == 5
    for competency in body["competencies"]:
        for view in ("self", "coach", "current", "at_target"):
            assert competency[view]["mean"] is None and competency[view]["suppressed"]
    assert all(domain["mean"] is None for domain in body["domains"])
    assert body["readiness"]["mean"] is None
    assert all(c["readiness"]["mean"] is None for c in body["cohorts"])
    assert body["strengths"] == [] and body["opportunities"] == []


def test_the_district_admin_sees_schools_side_by_side_and_can_narrow_to_one(db, client):
    d = District(db, schools=2, teachers=5, level=3, submitted=True)
    html = page(client, d.admin)
    assert "Schools side by side" in html
    for school in d.schools:
        assert school.name in html
    assert "100%" in html                          # everyone at target 3
    narrowed = page(client, d.admin, f"/?school={d.schools[1].id}&cycle={d.cycle.id}")
    assert "Schools side by side" not in narrowed
    assert d.schools[1].name in narrowed


def test_filters_outside_the_callers_scope_are_not_found(db, client):
    d = District(db, schools=2, teachers=1)
    elsewhere = District(db, teachers=1)
    sign_in_directly(client, d.principals[0])
    assert client.get(f"/?school={d.schools[1].id}").status_code == 404
    assert client.get(f"/?cycle={elsewhere.cycle.id}").status_code == 404
    assert readiness(client, d.principals[0], d.schools[1], d.cycle).status_code == 404
    assert readiness(client, d.teachers[0], d.schools[0], d.cycle).status_code == 404
    assert readiness(client, elsewhere.admin, d.schools[0], elsewhere.cycle).status_code == 404
    assert readiness(client, d.coaches[0], d.schools[0], d.cycle).status_code == 200


def test_the_coach_sees_caseload_completion_lanes_cohorts_and_the_queue(db, client):
    d = District(db, teachers=3)
    teacher = d.teachers[0]
    submit_self_assessment(teacher, d.cycle)
    activity = db.session.scalar(select(PathActivity).where(PathActivity.educator_id == teacher.id))
    update_progress(activity, ProgressUpdate(status="done", reflection="Tried it in class."), actor=teacher)
    db.session.commit()
    html = page(client, d.coaches[0])
    assert "<dt>Self-assessments submitted</dt><dd>1</dd>" in html
    assert "<dt>Rated by you</dt><dd>3</dd>" in html
    assert "<strong>1</strong> activity waits" in html
    assert teacher.name in html and "Building readiness" in html


def test_the_educator_sees_their_profile_plan_and_growth(db, client):
    d = District(db, teachers=1, level=2)
    html = page(client, d.teachers[0])
    assert "Your profile in Autumn" in html
    assert "Your plan" in html and "goals in Autumn" in html
    assert "Profile in Autumn: self and coach levels by competency" in html
    assert "Growth since baseline: domain means by cycle" in html


def test_the_educators_plan_card_says_what_their_plan_says(db, client):
    """The home page reads its summary of the plan in one statement; it must say what the plan
    itself (`plan_of`) says: the goals in rank order by name, the met one tagged, the goals'
    activities done out of all of them, and the lane."""
    d = District(db, teachers=1, level=2)
    teacher, coach = d.teachers[0], d.coaches[0]
    first = _first_activity(teacher)
    update_progress(first, ProgressUpdate(status="done", reflection="Tried it."), actor=teacher)
    verify_activity(first, actor=coach, goal_met=True)
    second = db.session.scalar(select(PathActivity).where(
        PathActivity.educator_id == teacher.id, PathActivity.id != first.id).order_by(PathActivity.id))
    update_progress(second, ProgressUpdate(status="done", reflection="Again."), actor=teacher)
    db.session.commit()
    plan = plan_of(teacher, d.cycle, teacher)
    activities = [a for g in plan.goals for a in g.activities]
    done = sum(a.status in (ActivityStatus.DONE, ActivityStatus.VERIFIED) for a in activities)
    assert done == 2 and len(activities) > 2
    html = page(client, teacher)
    card = html[html.index('id="plan-heading"'):html.index("Open your plan")]
    assert f"{len(plan.goals)} goals in Autumn · {done} of {len(activities)} activities done." in card
    names = [name.strip() for name in re.findall(r"<li>([^<]+)", card)]
    assert names == [g.competency.name for g in plan.goals]
    met = [g.competency.name for g in plan.goals if g.goal.status == GoalStatus.VERIFIED]
    assert len(met) == 1 and f"<li>{met[0]} <span class=\"tag\">Met</span></li>" in card
    assert card.count("Met</span>") == 1
    assert f"Lane: {plan.lane_label} <span" in card and plan.lane_label
    assert plan.basis and plan.basis in card and plan.status and plan.status not in card


# -- summaries stay true --------------------------------------------------------------------

def _first_activity(teacher):
    from pdplanner.extensions import db
    return db.session.scalar(select(PathActivity).where(PathActivity.educator_id == teacher.id)
                             .order_by(PathActivity.id))


WRITES = {
    "self rating": lambda d: save_self_ratings(d.teachers[0], d.cycle, [RatingInput("COG.1", level=4)]),
    "coach rating": lambda d: save_coach_ratings(d.coaches[0], d.teachers[0], d.cycle,
                                                 [RatingInput("COG.1", level=4)]),
    "submit": lambda d: submit_self_assessment(d.teachers[0], d.cycle),
    "share": lambda d: set_sharing(d.teachers[0], d.cycle, True),
    "progress": lambda d: update_progress(_first_activity(d.teachers[0]), ProgressUpdate(
        status="done", reflection="Done it."), actor=d.teachers[0]),
    "verify": lambda d: (update_progress(_first_activity(d.teachers[0]), ProgressUpdate(
        status="done", reflection="Done it."), actor=d.teachers[0]),
        verify_activity(_first_activity(d.teachers[0]), actor=d.coaches[0], goal_met=True)),
    "lane override": lambda d: override_lane(d.cycle, d.teachers[0], "fast", "Leads the PLC already.",
                                             actor=d.principals[0]),
    "re-plan": lambda d: run_plan(d.cycle),
    "bulk assignment": lambda d: assign_activity(
        d.cycle, d.teachers, _resource_for("COG.1"), "COG.1", actor=d.coaches[0]),
    "new teacher": lambda d: create_user(Role.TEACHER, school=d.schools[0], commit=False),
    "deactivation": lambda d: set_active(d.teachers[0], False),
    "deletion": lambda d: delete_person(d.teachers[0], actor=d.admin),
}


def _resource_for(code):
    from pdplanner.extensions import db
    return next(r for r in db.session.scalars(select(Resource).where(Resource.active.is_(True)))
                if code in r.competencies)


@pytest.mark.parametrize("write", WRITES)
def test_every_save_that_changes_a_figure_keeps_the_kept_summaries_current(db, client, write):
    """Was: every save forgot the kept summaries (the next reader recomputed them); now the save
    recomputes its school's and moves the district's, and they equal a recomputation. A
    person's deletion still forgets the district's summaries."""
    d = District(db, teachers=5)
    page(client, d.principals[0])
    assert d.summaries(db) == 2                  # the school's and the district's (its suppression)
    WRITES[write](d)
    db.session.commit()
    if write == "deletion":
        assert d.summaries(db) == 0
        return
    assert d.summaries(db) == 2
    assert_kept_summaries_current(db, d.cycle)


def test_the_page_shows_the_new_figure_once_enough_people_submitted(db, client):
    """Was: the figure followed each save (drafts included), which let a principal difference
    one teacher's rating; now it follows submitted self-assessments, five at a time."""
    d = District(db, teachers=5, level=2)
    page(client, d.principals[0])
    for teacher in d.teachers:
        save_self_ratings(teacher, d.cycle, [RatingInput("COG.1", level=4)])
        submit_self_assessment(teacher, d.cycle)
    db.session.commit()
    body = readiness(client, d.principals[0], d.schools[0], d.cycle).get_json()
    assert body["competencies"][0]["self"]["mean"] == 4.0


def test_a_summary_of_another_school_or_cycle_is_kept(db, client):
    """Was: the saved school's row and the district's were deleted and the other's kept; now
    the other school's row is not rewritten, and the district's moves by the saved school's
    change."""
    d = District(db, schools=2, teachers=5)
    page(client, d.admin)
    assert d.summaries(db) == 3                  # each school's and the district's own
    before = dict(db.session.execute(select(SchoolSummary.school_id, SchoolSummary.computed_at)).all())
    save_self_ratings(d.teachers[0], d.cycle, [RatingInput("COG.1", level=4)])
    submit_self_assessment(d.teachers[0], d.cycle)
    db.session.commit()
    db.session.expire_all()
    after = dict(db.session.execute(select(SchoolSummary.school_id, SchoolSummary.computed_at)).all())
    assert {school_id for school_id in after if after[school_id] != before[school_id]} == {
        d.schools[0].id, None}
    assert_kept_summaries_current(db, d.cycle)


# -- statements per request -----------------------------------------------------------------

@contextmanager
def counted_statements(db):
    statements = []

    def count(*_args):
        statements.append(_args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _statements(db, client, user, url="/") -> tuple[int, int]:
    """(statements on a request that computes the summaries, on one that reads them)."""
    sign_in_directly(client, user)
    counts = []
    for _ in range(2):
        db.session.expire_all()
        with counted_statements(db) as statements:
            assert client.get(url).status_code == 200
        counts.append(len(statements))
    return counts[0], counts[1]


@pytest.mark.real_commits  # counts what a request sends: no SAVEPOINT of the test's among it
@pytest.mark.parametrize("role", ["principal", "admin"])
def test_dashboard_statements_do_not_grow_with_the_educators_in_scope(db, client, role):
    small = District(db, schools=1, teachers=3)    # one cohort: cohorts are read in the same statements
    large = District(db, schools=3, teachers=9)
    who = (lambda d: d.principals[0]) if role == "principal" else (lambda d: d.admin)
    framework_terms(small.cycle.framework_id)    # kept per process: read by whichever comes first
    few, many = _statements(db, client, who(small)), _statements(db, client, who(large))
    assert few == many
    assert few[1] < few[0]                        # reading kept summaries is cheaper than computing


@pytest.mark.real_commits  # counts what a request sends: no SAVEPOINT of the test's among it
def test_readiness_api_statements_do_not_grow_with_the_educators_in_scope(db, client):
    small, large = District(db, teachers=3), District(db, teachers=9)
    url = "/api/v1/schools/{}/readiness"
    framework_terms(small.cycle.framework_id)    # kept per process: read by whichever comes first
    assert (_statements(db, client, small.principals[0], url.format(small.schools[0].id))
            == _statements(db, client, large.principals[0], url.format(large.schools[0].id)))


EDUCATOR_HOME_STATEMENTS = 10


@pytest.mark.real_commits  # counts what a request sends: no SAVEPOINT of the test's among it
def test_educator_home_reads_a_fixed_handful_of_statements(db, client):
    """The educator page is the most opened one: its statements are counted, not only kept
    from growing (each is a round trip to the database; see docs/PERFORMANCE.md). Warm, it
    reads: the signed-in user and their memberships, the district's cycles, the planning
    settings, the educator's ratings (both charts), their coaches, the plan's summary and the
    self-assessment's progress, and for the plan's words (`_plan_words`) the progress again and
    the cycles rated; the framework's terms are kept per process, so only the first
    request reads them (three statements). SQLite adds its explicit BEGIN (`harden_sqlite`)."""
    small, large = District(db, teachers=3), District(db, schools=2, teachers=9)
    forget_framework_terms()
    few, many = _statements(db, client, small.teachers[0]), _statements(db, client, large.teachers[-1])
    warm = EDUCATOR_HOME_STATEMENTS + (db.engine.dialect.name == "sqlite")
    assert few == (warm + 3, warm)
    assert many == (warm, warm)   # the same framework


@pytest.mark.real_commits  # counts what a request sends: no SAVEPOINT of the test's among it
def test_coach_home_statements_do_not_grow_with_the_caseload(db, client):
    small, large = District(db, teachers=3), District(db, teachers=9)   # each with a cohort
    framework_terms(small.cycle.framework_id)    # kept per process: read by whichever comes first
    few, many = _statements(db, client, small.coaches[0]), _statements(db, client, large.coaches[0])
    assert few == many
    assert few[1] <= 24
