"""Summaries kept warm: a save recomputes its own school's summary and moves the district's row
by the change, never recomputing the district; after any run of saves every kept row equals a
recomputation from scratch; and a single save still shows nothing to leaders."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from pdplanner.accounts.models import Role
from pdplanner.assessments.services import (
    AssessmentError,
    RatingInput,
    reopen_self_assessment,
    save_coach_ratings,
    save_self_ratings,
    set_sharing,
    submit_self_assessment,
)
from pdplanner.dashboards import services
from pdplanner.dashboards.models import SchoolSummary
from pdplanner.organisation.models import Membership
from pdplanner.organisation.services import set_active
from pdplanner.planning.models import PathActivity
from pdplanner.planning.services import ProgressUpdate, override_lane, update_progress
from tests.dashboards.test_dashboards import counted_statements, page
from tests.dashboards.warm import assert_kept_summaries_current, kept
from tests.scenarios import District

PROPERTIES = settings(derandomize=True, max_examples=20, deadline=None, database=None,
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
CODES = ("COG.1", "COG.2", "INTRA.1", "INST.6")
LIVE_SUMMARIES = services.live_summaries
TEACHERS = 6   # per school; the privacy threshold is 5

save = st.one_of(
    st.tuples(st.just("self"), st.integers(0, 2 * TEACHERS - 1), st.sampled_from(CODES), st.integers(1, 4)),
    st.tuples(st.just("coach"), st.integers(0, 2 * TEACHERS - 1), st.sampled_from(CODES), st.integers(1, 4)),
    st.tuples(st.just("submit"), st.integers(0, 2 * TEACHERS - 1)),
    st.tuples(st.just("reopen"), st.integers(0, 2 * TEACHERS - 1)),
    st.tuples(st.just("share"), st.integers(0, 2 * TEACHERS - 1), st.booleans()),
    st.tuples(st.just("lane"), st.integers(0, 2 * TEACHERS - 1), st.sampled_from(("fast", "slow"))),
    st.tuples(st.just("progress"), st.integers(0, 2 * TEACHERS - 1)),
    st.tuples(st.just("join"), st.integers(0, 2 * TEACHERS - 1)),
    st.tuples(st.just("active"), st.integers(0, 2 * TEACHERS - 1), st.booleans()),
)


def _apply(db, d: District, change: tuple) -> None:
    kind, index, *rest = change
    teacher = d.teachers[index]
    school = index // TEACHERS
    coach = d.coaches[school]
    if kind == "self":
        save_self_ratings(teacher, d.cycle, [RatingInput(rest[0], level=rest[1])])
    elif kind == "coach":
        save_coach_ratings(coach, teacher, d.cycle, [RatingInput(rest[0], level=rest[1])])
    elif kind == "submit":
        submit_self_assessment(teacher, d.cycle)
    elif kind == "reopen":
        reopen_self_assessment(coach, teacher, d.cycle)
    elif kind == "share":
        set_sharing(teacher, d.cycle, rest[0])
    elif kind == "lane":
        override_lane(d.cycle, teacher, rest[0], "Seen in class.", actor=d.principals[school])
    elif kind == "progress":
        activity = db.session.scalar(select(PathActivity).where(PathActivity.educator_id == teacher.id)
                                     .order_by(PathActivity.id))
        if activity is not None and activity.status == "planned":
            update_progress(activity, ProgressUpdate(status="done", reflection="Done it."), actor=teacher)
    elif kind == "join":   # a teacher of one school joins the other as well
        other = d.schools[1 - school]
        if db.session.scalar(select(Membership).where(Membership.user_id == teacher.id,
                                                      Membership.school_id == other.id)) is None:
            db.session.add(Membership(user_id=teacher.id, school_id=other.id, role=Role.TEACHER))
    elif kind == "active":
        set_active(teacher, rest[0])


def test_kept_summaries_equal_a_recomputation_after_any_saves(db, client):
    d = District(db, schools=2, teachers=TEACHERS, level=2, submitted=True)
    page(client, d.admin)
    assert d.summaries(db) == 3

    @PROPERTIES
    @given(st.lists(save, min_size=1, max_size=10))
    def saves_keep_them_current(changes):
        for change in changes:
            try:
                _apply(db, d, change)
            except AssessmentError:   # a refused save (submitting twice, rating a submitted one)
                db.session.rollback()
                continue
            db.session.commit()
        assert d.summaries(db) == 3
        assert_kept_summaries_current(db, d.cycle)

    saves_keep_them_current()


def _save_statements(db, d: District, monkeypatch) -> tuple[int, list[list[int]]]:
    """(statements of one teacher's submitted self-assessment, saved and committed; the school
    ids each computation of live summaries was asked for)."""
    computed = []
    def spied(cycle, school_ids):
        computed.append(list(school_ids))
        return LIVE_SUMMARIES(cycle, school_ids)

    monkeypatch.setattr(services, "live_summaries", spied)
    teacher = d.teachers[-1]
    db.session.expire_all()
    with counted_statements(db) as statements:
        save_self_ratings(teacher, d.cycle, [RatingInput("COG.1", level=4)])
        submit_self_assessment(teacher, d.cycle)
        db.session.commit()
    return len(statements), computed


def test_a_save_recomputes_its_school_only_in_statements_that_do_not_grow_with_the_district(
        db, client, monkeypatch):
    """What keeps every page warm: a save costs the same statements in a district of one school
    and of three, and computes its own school's figures, never every school's."""
    small, large = District(db, schools=1, teachers=3), District(db, schools=3, teachers=9)
    for d in (small, large):
        page(client, d.admin)
    (few, small_computed), (many, large_computed) = (_save_statements(db, small, monkeypatch),
                                                     _save_statements(db, large, monkeypatch))
    assert few == many
    assert small_computed == [[small.schools[0].id]] and large_computed == [[large.schools[-1].id]]
    assert large.summaries(db) == 4
    assert_kept_summaries_current(db, large.cycle)


def test_one_teachers_save_changes_no_rating_figure_a_leader_reads(db, client):
    """Differencing the kept rows before and after one teacher's save reveals nothing: the
    rating-derived figures of the school and of the district stay as published."""
    d = District(db, schools=2, teachers=6, level=2, submitted=True)
    page(client, d.admin)
    before = kept(db, d.cycle)
    save_coach_ratings(d.coaches[0], d.teachers[0], d.cycle, [RatingInput("COG.1", level=4)])
    db.session.commit()
    db.session.expire_all()
    after = kept(db, d.cycle)
    for school_id in (d.schools[0].id, None):
        for key in ("competencies", "domains", "readiness"):
            assert after[school_id][key] == before[school_id][key]
    assert_kept_summaries_current(db, d.cycle)
    assert db.session.scalar(select(SchoolSummary.id).where(SchoolSummary.school_id.is_(None))) is not None
