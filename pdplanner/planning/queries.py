"""Planning reads."""

from collections.abc import Collection

from sqlalchemy import String, func, or_, select, type_coerce

from pdplanner.accounts.models import Role, User
from pdplanner.assessments.models import Cycle, Rating
from pdplanner.core.types import (
    CohortProposal,
    CompetencyInfo,
    EducatorInfo,
    PlanningInput,
    PlanningSettings,
    RatingRecord,
    ResourceInfo,
    Target,
)
from pdplanner.extensions import db
from pdplanner.framework.models import Competency
from pdplanner.organisation.models import CaseloadAssignment, Membership
from pdplanner.planning.models import (
    Cohort,
    CohortStatus,
    DistrictPlanningSettings,
    Placement,
    Resource,
)

SETTING_FIELDS = ("current_level_policy", "interest_bonus", "foundational_bonus", "goals_per_educator",
                  "goals_per_domain", "fast_lane_readiness", "fast_lane_min_domain_mean",
                  "cohort_min_size", "cohort_max_size", "coach_caseload_limit")


def settings_row(district_id: int) -> DistrictPlanningSettings:
    """The district's settings row, or an unsaved one holding the defaults."""
    row = db.session.scalar(select(DistrictPlanningSettings).where(
        DistrictPlanningSettings.district_id == district_id))
    if row is None:
        defaults = PlanningSettings()
        row = DistrictPlanningSettings(district_id=district_id, fast_lane_label="Ready to move",
                                       slow_lane_label="Building readiness",
                                       **{f: getattr(defaults, f) for f in SETTING_FIELDS})
    return row


def planning_settings(district_id: int) -> PlanningSettings:
    """The district's rules as the core takes them."""
    row = settings_row(district_id)
    return PlanningSettings(**{f: getattr(row, f) for f in SETTING_FIELDS})


def visible_resources(district_id: int, *, include_inactive: bool = False) -> list[Resource]:
    """The district's own activities, and shared ones it has not replaced with its own copy."""
    rows = db.session.scalars(
        select(Resource).where(or_(Resource.district_id.is_(None), Resource.district_id == district_id))
        .order_by(Resource.title, Resource.id))
    resources = list(rows)
    own_keys = {r.key for r in resources if r.district_id == district_id}
    return [r for r in resources
            if (r.district_id == district_id or r.key not in own_keys)
            and (include_inactive or r.active)]


def planning_input(cycle: Cycle) -> PlanningInput:
    """Everything the core needs to plan a cycle, read in a handful of bulk queries. Where a
    district has thousands of rows (people, caseloads, ratings, placements) they select plain
    columns: no model objects are needed."""
    framework = cycle.framework
    competencies = tuple(
        CompetencyInfo(
            code=c.code, name=c.name, domain=c.domain.code, position=c.position,
            foundational=c.foundational,
            next_level_descriptors=tuple((d.level, d.text) for d in c.descriptors),
        )
        for c in framework.competencies
    )
    memberships = db.session.execute(
        select(Membership.user_id, Membership.school_id)
        .join(User, User.id == Membership.user_id)
        .where(User.district_id == cycle.district_id, User.active.is_(True),
               Membership.role.in_([Role.TEACHER, Role.COACH]))
        .order_by(Membership.user_id, Membership.school_id)).all()
    school_of: dict[int, int] = {}
    for user_id, school_id in memberships:
        school_of.setdefault(user_id, school_id)
    # Filtered here rather than with IN (every educator id): SQLite caps the parameters of a query.
    coaches: dict[int, list[int]] = {}
    for coach_id, educator_id in db.session.execute(
            select(CaseloadAssignment.coach_id, CaseloadAssignment.educator_id)
            .join(User, User.id == CaseloadAssignment.educator_id)
            .where(User.district_id == cycle.district_id).order_by(CaseloadAssignment.coach_id)):
        if educator_id in school_of:
            coaches.setdefault(educator_id, []).append(coach_id)
    educators = tuple(EducatorInfo(i, school_of[i], tuple(coaches.get(i, ()))) for i in sorted(school_of))
    ratings = _latest_ratings(cycle, school_of.keys())
    schools = sorted(set(school_of.values()))
    targets = tuple(Target(s, c.code, framework.target_level, 1.0) for s in schools for c in competencies)
    resources = tuple(
        ResourceInfo(r.id, r.title, r.kind.value, tuple(r.competencies), r.level_min, r.level_max,
                     r.hours, tuple(r.lanes))
        for r in visible_resources(cycle.district_id))
    placements = db.session.execute(
        select(Placement.educator_id, Placement.override_lane, Placement.override_reason, Placement.cohort_id)
        .where(Placement.cycle_id == cycle.id)).all()
    overrides = tuple((educator_id, lane, reason) for educator_id, lane, reason, _ in placements if lane)
    members: dict[int, list[int]] = {}
    for educator_id, _, _, cohort_id in placements:
        if cohort_id is not None:
            members.setdefault(cohort_id, []).append(educator_id)
    confirmed = tuple(
        CohortProposal(c.key, c.lane, c.focus, tuple(c.school_ids), tuple(sorted(members.get(c.id, ()))),
                       c.coach_id, tuple(c.mentor_ids), c.why)
        for c in db.session.scalars(select(Cohort).where(
            Cohort.cycle_id == cycle.id, Cohort.status == CohortStatus.CONFIRMED).order_by(Cohort.key)))
    return PlanningInput(settings=planning_settings(cycle.district_id), competencies=competencies,
                         educators=educators, ratings=ratings, targets=targets, resources=resources,
                         lane_overrides=overrides, confirmed_cohorts=confirmed)


def _latest_ratings(cycle: Cycle, educator_ids: Collection[int]) -> tuple[RatingRecord, ...]:
    """Each educator's ratings from the most recent cycle, up to this one, in which they have any:
    until someone rates in this cycle, their plan stands on their last cycle's ratings.

    The database picks that cycle per educator (from the distinct (cycle, educator) pairs, which
    the (cycle_id, educator_id) index holds), so only the ratings planned on are read: a third
    of three cycles' rows. They are read as Core rows, not through the ORM, whose per-row work
    would double the time for a few hundred thousand plain tuples."""
    earlier = select(Cycle.id).where(Cycle.district_id == cycle.district_id, Cycle.opens_on <= cycle.opens_on)
    rated = (select(Rating.cycle_id, Rating.educator_id).distinct()
             .where(Rating.cycle_id.in_(earlier)).subquery())
    newest = (select(rated.c.cycle_id, rated.c.educator_id, Cycle.opens_on,
                     func.max(Cycle.opens_on).over(partition_by=rated.c.educator_id).label("latest"))
              .join(Cycle, Cycle.id == rated.c.cycle_id).subquery())
    code_of = dict(db.session.execute(select(Competency.id, Competency.code)).all())
    rows = db.session.connection().execute(
        # The stored kind is the RatingRecord's kind string: no Enum round trip for every row.
        select(Rating.educator_id, Rating.competency_id, type_coerce(Rating.kind, String), Rating.level,
               Rating.interest)
        .join(newest, (newest.c.cycle_id == Rating.cycle_id) & (newest.c.educator_id == Rating.educator_id))
        .where(newest.c.opens_on == newest.c.latest)).all()
    return tuple(RatingRecord(educator_id, code_of[competency_id], kind, level, interest)
                 for educator_id, competency_id, kind, level, interest in rows if educator_id in educator_ids)
