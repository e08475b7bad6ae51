"""Planning reads."""

from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Integer,
    LargeBinary,
    Select,
    String,
    and_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import selectinload

from pdplanner.accounts.models import Role, User
from pdplanner.assessments.models import Cycle, CycleStatus, RaterKind, Rating
from pdplanner.assessments.queries import current_cycle, progress_of
from pdplanner.core.gaps import VIEW_OF_KIND, missing_views
from pdplanner.core.goals import private_goal_why
from pdplanner.core.lanes import private_lane_why
from pdplanner.core.paths import private_step_why
from pdplanner.core.planner import plan
from pdplanner.core.types import (
    CohortProposal,
    CompetencyInfo,
    EducatorInfo,
    PlanningInput,
    PlanningSettings,
    RatingColumns,
    ResourceInfo,
    Target,
)
from pdplanner.core.wording import assessment_status, plan_basis
from pdplanner.core.wording import returned_message as returned_message_words
from pdplanner.core.wording import verified_message as verified_words
from pdplanner.database import plain_rows
from pdplanner.extensions import db
from pdplanner.framework.models import Competency
from pdplanner.framework.terms import framework_terms
from pdplanner.organisation.models import CaseloadAssignment, Membership
from pdplanner.permissions import (
    NOTHING,
    PersonView,
    can_lead_cohort,
    person_view,
    person_views,
    visible_people_query,
)
from pdplanner.planning.models import (
    ActivityStatus,
    Cohort,
    CohortStatus,
    DistrictPlanningSettings,
    GoalStatus,
    PathActivity,
    Placement,
    PlannedGoal,
    Resource,
)

SETTING_FIELDS = ("current_level_policy", "interest_bonus", "foundational_bonus", "goals_per_educator",
                  "goals_per_domain", "fast_lane_readiness", "fast_lane_min_domain_mean",
                  "cohort_min_size", "cohort_max_size", "coach_caseload_limit")


# Built once: the home pages read it on every request (see `PLAN_SUMMARY`).
SETTINGS_ROW = select(DistrictPlanningSettings).where(
    DistrictPlanningSettings.district_id == bindparam("district_id"))


def settings_row(district_id: int) -> DistrictPlanningSettings:
    """The district's settings row, or an unsaved one holding the defaults."""
    row = db.session.scalar(SETTINGS_ROW, {"district_id": district_id})
    if row is None:
        defaults = PlanningSettings()
        row = DistrictPlanningSettings(district_id=district_id, fast_lane_label="Ready to move",
                                       slow_lane_label="Building readiness",
                                       **{f: getattr(defaults, f) for f in SETTING_FIELDS})
    return row


def planning_settings(district_id: int) -> PlanningSettings:
    """The district's rules as the core takes them."""
    row = settings_row(district_id)
    return PlanningSettings(**{f: getattr(row, f) for f in SETTING_FIELDS},
                            fast_lane_label=row.fast_lane_label, slow_lane_label=row.slow_lane_label)


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


@dataclass(frozen=True)
class PlanScope:
    """Whose plans a re-plan rewrites: the people `educators` selects (ids; None: the whole
    district), and who they are in words ("your caseload", a school's name)."""

    label: str
    educators: Select | None = None
    described: str = "the whole district"    # for the audit log: `label` in the third person


WHOLE_DISTRICT = PlanScope("the whole district")


def replan_scope(viewer: User) -> PlanScope:
    """What a re-plan by `viewer` may rewrite: what they lead. A district admin re-plans the
    district; a principal the teachers and coaches of their schools; a coach their caseload (a
    principal who also coaches: both)."""
    if Role.DISTRICT_ADMIN in viewer.roles:
        return WHOLE_DISTRICT
    led = sorted(viewer.school_ids(Role.PRINCIPAL))
    conditions, words, described = [], [], []
    if led:
        conditions.append(User.id.in_(select(Membership.user_id).where(
            Membership.school_id.in_(led), Membership.role.in_([Role.TEACHER, Role.COACH]))))
        schools = " and ".join(sorted({m.school.name for m in viewer.memberships
                                       if m.role == Role.PRINCIPAL}))
        words.append(schools)
        described.append(schools)
    if Role.COACH in viewer.roles:
        conditions.append(User.id.in_(select(CaseloadAssignment.educator_id).where(
            CaseloadAssignment.coach_id == viewer.id)))
        words.append("your caseload")
        described.append(f"the caseload of {viewer.name}")
    return PlanScope(" and ".join(words) or "nobody",
                     select(User.id).where(User.district_id == viewer.district_id,
                                           or_(*conditions) if conditions else literal(False)),
                     " and ".join(described) or "nobody")


def planning_input(cycle: Cycle, scope: PlanScope = WHOLE_DISTRICT) -> PlanningInput:
    """Everything the core needs to plan a cycle, read in a handful of bulk queries. Where a
    district has thousands of rows (people, caseloads, ratings, placements) they select plain
    columns: no model objects are needed.

    A narrower `scope` plans only its people. Every cohort it may not rewrite comes in as one to
    keep (`confirmed_cohorts`): confirmed ones, and proposed ones with anyone outside the scope
    in them or no one in the scope, so the planner leaves them and their members where they are
    and counts their coaches' load."""
    framework = cycle.framework
    competencies = tuple(
        CompetencyInfo(
            code=c.code, name=c.name, domain=c.domain.code, domain_name=c.domain.name, position=c.position,
            foundational=c.foundational,
            next_level_descriptors=tuple((d.level, d.text) for d in c.descriptors),
        )
        for c in framework.competencies
    )
    planned = (select(Membership.user_id).join(User, User.id == Membership.user_id)
               .where(User.district_id == cycle.district_id, User.active.is_(True),
                      Membership.role.in_([Role.TEACHER, Role.COACH])))
    if scope.educators is not None:
        planned = planned.where(Membership.user_id.in_(scope.educators))
    memberships = db.session.execute(planned.add_columns(Membership.school_id)
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
    ratings = _latest_ratings(cycle, planned, school_of.keys())
    schools = sorted(set(school_of.values()))
    targets = tuple(Target(s, c.code, framework.target_level, 1.0) for s in schools for c in competencies)
    resources = tuple(
        ResourceInfo(r.id, r.title, r.kind.value, tuple(r.competencies), r.level_min, r.level_max,
                     r.hours, tuple(r.lanes))
        for r in visible_resources(cycle.district_id))
    placements = db.session.execute(
        select(Placement.educator_id, Placement.override_lane, Placement.override_reason, Placement.cohort_id)
        .where(Placement.cycle_id == cycle.id)).all()
    overrides = tuple((educator_id, lane, reason) for educator_id, lane, reason, _ in placements
                      if lane and educator_id in school_of)
    members: dict[int, list[int]] = {}
    for educator_id, _, _, cohort_id in placements:
        if cohort_id is not None:
            members.setdefault(cohort_id, []).append(educator_id)
    kept = select(Cohort).where(Cohort.cycle_id == cycle.id)
    if scope.educators is None:
        kept = kept.where(Cohort.status == CohortStatus.CONFIRMED)
    confirmed = tuple(
        CohortProposal(c.key, c.lane, c.focus, tuple(c.school_ids), tuple(sorted(members.get(c.id, ()))),
                       c.coach_id, tuple(c.mentor_ids), c.why)
        for c in db.session.scalars(kept.order_by(Cohort.key))
        if c.status == CohortStatus.CONFIRMED or not _rewritable(members.get(c.id, ()), school_of))
    return PlanningInput(settings=planning_settings(cycle.district_id), competencies=competencies,
                         educators=educators, ratings=ratings, targets=targets, resources=resources,
                         lane_overrides=overrides, confirmed_cohorts=confirmed,
                         level_labels=tuple(level_labels(cycle).items()))


@dataclass(frozen=True)
class ReplanPreview:
    """What a re-plan would change for the people in its scope, before anything is written: the
    planner's proposal compared with the plans stored now."""

    cycle: Cycle
    scope: PlanScope
    people: int                 # planned by this run
    not_planned_yet: int        # of them, with no plan in the cycle yet
    lane_moves: dict[str, int]  # lane -> how many would move into it
    cohort_moves: int           # with a plan now, whose cohort (or individual coaching) would change
    replaced: list[str]         # proposed cohorts the run rewrites that would not come back
    proposed: list[str]         # cohorts it would propose that are not there now
    kept: int                   # cohorts of these people that stay as they are


def replan_preview(cycle: Cycle, scope: PlanScope) -> ReplanPreview:
    """Plan `scope`'s people as `services.run_plan` would, and say what would change."""
    inputs = planning_input(cycle, scope)
    result = plan(inputs)
    planned = {e.id for e in inputs.educators}
    kept_keys = {c.key for c in inputs.confirmed_cohorts}
    now = {educator_id: (lane, key) for educator_id, lane, key in db.session.execute(
        select(Placement.educator_id, Placement.lane, Cohort.key)
        .outerjoin(Cohort, Cohort.id == Placement.cohort_id).where(Placement.cycle_id == cycle.id))
        if educator_id in planned}
    cohort_of = {m: c.key for c in result.cohorts for m in c.member_ids}
    stays = [d for d in result.lanes if d.educator_id in now]
    lane_moves = Counter(d.lane for d in stays if now[d.educator_id][0] != d.lane)
    rewritten = [c for c in db.session.scalars(select(Cohort).where(
        Cohort.cycle_id == cycle.id, Cohort.status == CohortStatus.PROPOSED)) if c.key not in kept_keys]
    fresh = [c for c in result.cohorts if c.key not in kept_keys]
    names, labels = focus_names(cycle), lane_labels(cycle.district_id)
    fresh_keys, rewritten_keys = {c.key for c in fresh}, {c.key for c in rewritten}
    return ReplanPreview(
        cycle=cycle, scope=scope, people=len(planned), not_planned_yet=len(planned) - len(now),
        lane_moves=dict(lane_moves),
        cohort_moves=sum(1 for d in stays if now[d.educator_id][1] != cohort_of.get(d.educator_id)),
        replaced=sorted(cohort_name(c, names, labels) for c in rewritten if c.key not in fresh_keys),
        proposed=sorted(cohort_name(c, names, labels) for c in fresh if c.key not in rewritten_keys),
        kept=sum(1 for c in inputs.confirmed_cohorts if not planned.isdisjoint(c.member_ids)))


def _rewritable(member_ids: Collection[int], planned: Collection[int]) -> bool:
    """A proposed cohort a scoped re-plan may rewrite: someone planned is in it, and only they."""
    return bool(member_ids) and all(i in planned for i in member_ids)


# Ids in one IN (...): within SQLite's and PostgreSQL's limits on parameters per statement.
IDS_PER_STATEMENT = 10_000


def _latest_ratings(cycle: Cycle, planned: Select, planned_ids: Collection[int]) -> RatingColumns:
    """Each planned educator's (`planned` selects the `planned_ids`) self and coach view of each
    competency from the most recent cycle, up to this one, that has it. Mostly that is one
    cycle: the newest in which they have any rating. Someone half-way through this cycle's
    self-assessment keeps last cycle's levels for what they have not re-rated yet, and a
    competency their coach has not re-rated keeps the coach's (or a verified goal's evidence)
    level from before.

    Most people have rated in the newest cycles (this one, and any other opening the same day):
    those are read in one go by cycle id, which both databases answer from the index on it. For
    the rest the database finds each one's newest rated cycle by probing the (cycle_id,
    educator_id) index, and only those ratings are read. (Asking it for everyone's newest cycle
    at once reads every rating of every earlier cycle.) Earlier cycles are read again only for
    the few educators with a gap. The ratings reach the core as numpy columns (see
    `_ratings_in`): no row objects for a few hundred thousand ratings."""
    cycles_of: dict[date, list[int]] = {}
    for cycle_id, opens_on in db.session.execute(
            select(Cycle.id, Cycle.opens_on).where(Cycle.district_id == cycle.district_id,
                                                   Cycle.opens_on <= cycle.opens_on)
            .order_by(Cycle.opens_on.desc(), Cycle.id)):
        cycles_of.setdefault(opens_on, []).append(cycle_id)
    newest = next(iter(cycles_of))     # the cycle being planned is one of them
    parts = [_ratings_in(cycles_of[newest], Rating.educator_id.in_(planned))]
    rated = set(np.unique(parts[0][0]).tolist())
    unseen = [i for i in sorted(planned_ids) if i not in rated]
    for opens_on, ids in _newest_rated(cycle, unseen).items():
        for i in range(0, len(ids), IDS_PER_STATEMENT):
            parts.append(_ratings_in(cycles_of[opens_on],
                                     Rating.educator_id.in_(ids[i:i + IDS_PER_STATEMENT])))
    ids_and_codes = db.session.execute(select(Competency.id, Competency.code)).all()
    code_of = dict(ids_and_codes)
    competency_ids = pd.Index([i for i, _ in ids_and_codes], dtype=np.int64)
    codes = np.array([c for _, c in ids_and_codes] + [None], dtype=object)   # -1: no such id
    educator_ids, competency, kinds, levels, interests = (np.concatenate(column)
                                                            for column in zip(*parts, strict=True))
    latest = RatingColumns(educator_ids, codes[competency_ids.get_indexer(competency)], kinds, levels,
                           interests)
    gaps = missing_views(latest, [c.code for c in cycle.framework.competencies])
    earlier = _earlier_views(cycle, gaps, code_of)
    if not earlier:
        return latest
    older = tuple(zip(*earlier, strict=True))
    return RatingColumns(
        np.concatenate([latest.educator_ids, np.asarray(older[0], dtype=np.int64)]),
        np.concatenate([latest.competencies, np.asarray(older[1], dtype=object)]),
        np.concatenate([latest.kinds, np.asarray(older[2], dtype=object)]),
        np.concatenate([latest.levels, np.asarray(older[3], dtype=np.float64)]),      # None: NaN
        np.concatenate([latest.interests, np.asarray(older[4], dtype=bool)]))


def cycle_ratings(cycle: Cycle, which_educators: ColumnElement[bool], params: Mapping) -> RatingColumns:
    """The ratings with a level in one cycle of the educators the condition (with its bound
    `params`) selects, as columns (`_ratings_in`) with their competencies' codes; ratings of
    competencies outside the cycle's framework are left out."""
    educators, competency_ids, kinds, levels, interests = _ratings_in([cycle.id], which_educators, params)
    framework = cycle.framework.competencies
    found = pd.Index([c.id for c in framework], dtype=np.int64).get_indexer(competency_ids)
    kept = (found >= 0) & ~np.isnan(levels)
    return RatingColumns(educators[kept], np.array([c.code for c in framework], dtype=object)[found[kept]],
                         kinds[kept], levels[kept], interests[kept])


def _ratings_in(cycle_ids: list[int], which_educators: ColumnElement[bool], params: Mapping | None = None,
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(educator ids, competency ids, kinds, levels with NaN for "not yet observed", interests)
    of the ratings of the cycles, of the educators the condition selects, as numpy columns.

    A few hundred thousand rows are not turned into row objects. PostgreSQL sends each
    column of each kind as one `bytea` of 4-byte (1 for interest) big-endian values, which
    numpy reads in one call: the aggregates of one group see its rows in the same order, so
    position i of every column is one rating. SQLite's rows are fetched as plain tuples from
    the driver (`database.plain_rows`)."""
    where = (Rating.cycle_id.in_(cycle_ids), which_educators)
    kind = type_coerce(Rating.kind, String)
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        groups = connection.execute(
            select(kind, *(_joined(func.int4send(value)) for value in (
                       Rating.educator_id, Rating.competency_id, func.coalesce(Rating.level, -1))),
                   _joined(func.boolsend(Rating.interest)))
            .where(*where).group_by(kind).order_by(kind), params).all()
        educators, competencies, levels = (
            np.concatenate([np.zeros(0, dtype=np.int64)]
                           + [np.frombuffer(group[i], dtype=">i4").astype(np.int64) for group in groups])
            for i in (1, 2, 3))
        kinds = np.concatenate([np.zeros(0, dtype=object)]
                               + [np.full(len(group[1]) // 4, group[0], dtype=object) for group in groups])
        interests = np.concatenate([np.zeros(0, dtype=bool)]
                                   + [np.frombuffer(group[4], dtype=bool) for group in groups])
        return educators, competencies, kinds, np.where(levels < 0, np.nan, levels), interests
    rows = plain_rows(connection, select(Rating.educator_id, Rating.competency_id, kind, Rating.level,
                                         type_coerce(Rating.interest, Integer)).where(*where), params)
    educators, competencies, kinds, levels, interests = tuple(zip(*rows, strict=True)) or ((),) * 5
    return (np.asarray(educators, dtype=np.int64), np.asarray(competencies, dtype=np.int64),
            np.asarray(kinds, dtype=object), np.asarray(levels, dtype=np.float64),   # None: NaN
            np.asarray(interests, dtype=bool))


def _joined(values: ColumnElement) -> ColumnElement:
    """PostgreSQL: a group's `bytea` values one after the other, as one `bytea`."""
    return func.string_agg(values, literal(b"", LargeBinary), type_=LargeBinary)


def _newest_rated(cycle: Cycle, educator_ids: list[int]) -> dict[date, list[int]]:
    """The opening day of each educator's newest cycle, up to this one, with a rating of theirs
    -> the ids of those educators; educators with no rating are left out. One probe of the
    (cycle_id, educator_id) index per educator and cycle: reading the cycles' ratings for a list
    of ids instead leads PostgreSQL to read every rating of each cycle, to find that most of
    these people (coaches, say) have none."""
    newest = (select(Cycle.opens_on)
              .where(Cycle.district_id == cycle.district_id, Cycle.opens_on <= cycle.opens_on,
                     select(Rating.id).where(Rating.cycle_id == Cycle.id, Rating.educator_id == User.id)
                     .correlate(Cycle, User).exists())
              .order_by(Cycle.opens_on.desc()).limit(1).scalar_subquery())
    found: dict[date, list[int]] = {}
    for i in range(0, len(educator_ids), IDS_PER_STATEMENT):
        for educator_id, opens_on in db.session.execute(
                select(User.id, newest).where(User.id.in_(educator_ids[i:i + IDS_PER_STATEMENT]))
                .order_by(User.id)):
            if opens_on is not None:
                found.setdefault(opens_on, []).append(educator_id)
    return found


def _earlier_views(cycle: Cycle, gaps: dict[int, set[tuple[str, str]]], code_of: dict[int, str],
                   ) -> list[tuple[int, str, str, int | None, bool]]:
    """For each educator in `gaps` (educator id -> the (code, view) pairs their newest rated
    cycle lacks), the ratings (educator id, code, kind, level, interest) of each of those pairs
    from the newest earlier cycle that has it.

    Only the views someone lacks are read: the kinds of a view they have on every competency
    are left out. Most gaps are an educator their coach has not rated, whose self-ratings are
    all there already. (Left out with NOT IN: picking the kinds wanted with IN would lead SQLite
    to the index on kind, a scan of every rating of those kinds.)"""
    by_complete: dict[tuple[str, ...], list[int]] = {}
    for educator_id, pairs in gaps.items():
        lacking = {view for _, view in pairs}
        complete = tuple(kind for kind, view in VIEW_OF_KIND.items() if view not in lacking)
        by_complete.setdefault(complete, []).append(educator_id)
    found = []
    chosen: dict[tuple[int, str, str], object] = {}   # (educator, code, view) -> the cycle's opens_on
    for complete, ids in sorted(by_complete.items()):
        for i in range(0, len(ids), IDS_PER_STATEMENT):
            rows = db.session.connection().execute(
                select(Rating.educator_id, Cycle.opens_on, Rating.competency_id,
                       type_coerce(Rating.kind, String), Rating.level, Rating.interest)
                .join(Cycle, Cycle.id == Rating.cycle_id)
                .where(Cycle.district_id == cycle.district_id, Cycle.opens_on <= cycle.opens_on,
                       Rating.educator_id.in_(ids[i:i + IDS_PER_STATEMENT]),
                       Rating.kind.not_in([RaterKind(kind) for kind in complete]))
                .order_by(Cycle.opens_on.desc())).all()
            # The newest cycle's rows give no missing pair, so they are passed over here.
            for educator_id, opens_on, competency_id, kind, level, interest in rows:
                code, view = code_of[competency_id], VIEW_OF_KIND[kind]
                if (code, view) not in gaps[educator_id]:
                    continue
                if chosen.setdefault((educator_id, code, view), opens_on) == opens_on:
                    found.append((educator_id, code, kind, level, interest))
    return found


# -- plans as people see them ---------------------------------------------------------------

def planned_cycle(district_id: int) -> Cycle | None:
    """The cycle a plan page opens on: the open cycle, else the newest cycle with a plan."""
    cycle = current_cycle(district_id)
    if cycle is not None and cycle.status == CycleStatus.OPEN:
        return cycle
    planned = db.session.scalar(
        select(Cycle).join(Placement, Placement.cycle_id == Cycle.id)
        .where(Cycle.district_id == district_id).order_by(Cycle.opens_on.desc()).limit(1))
    return planned or cycle


def lane_labels(district_id: int) -> dict[str, str]:
    row = settings_row(district_id)
    return {"fast": row.fast_lane_label, "slow": row.slow_lane_label}


def level_labels(cycle: Cycle) -> dict[int, str]:
    return {level.value: level.label for level in cycle.framework.levels}


def focus_names(cycle: Cycle) -> dict[str, str]:
    """Competency and domain codes -> names: a cohort's focus is one or the other."""
    framework = cycle.framework
    return {d.code: d.name for d in framework.domains} | {c.code: c.name for c in framework.competencies}


def cohort_name(cohort: Cohort, names: dict[str, str], labels: dict[str, str], *, lane: bool = True) -> str:
    """"Competency-based assessment · Ready to move", with the schools counted when pooled;
    without the lane for whoever may not see it (`lane` False)."""
    name = names.get(cohort.focus, cohort.focus)
    name += f" · {labels.get(cohort.lane, cohort.lane)}" if lane else ""
    return name + (f" · {len(cohort.school_ids)} schools" if len(cohort.school_ids) > 1 else "")


@dataclass(frozen=True)
class GoalPlan:
    goal: PlannedGoal
    competency: Competency | None
    activities: list[PathActivity]


@dataclass(frozen=True)
class CohortView:
    """A cohort as one viewer sees it. Whoever leads it (`can_lead_cohort`) sees its lane and its
    why; its members and the coach of one of them see its focus, coach and members only: the
    lane and the why (which names the members' top goals) are each member's own."""

    cohort: Cohort
    name: str
    members: list[User]
    detail: bool

    @property
    def lane(self) -> str | None:
        return self.cohort.lane if self.detail else None

    @property
    def why(self) -> str | None:
        return self.cohort.why if self.detail else None


def lane_why(placement: Placement | None, view: PersonView, settings: PlanningSettings) -> str:
    """A lane's why as a viewer may see it: with its numbers only for whoever sees the levels."""
    if placement is None or not view.lane:
        return ""
    if view.levels:
        return placement.why
    return private_lane_why(placement.lane, placement.override_reason if placement.override_lane else None,
                            settings)


def competency_names(cycle: Cycle) -> dict[str, str]:
    return {c.code: c.name for c in cycle.framework.competencies}


def activity_why(activity: PathActivity, view: PersonView, names: dict[str, str]) -> str:
    """A path activity's why as a viewer may see it: the step between two levels only for whoever
    sees the levels (`names`: competency code -> name, see `competency_names`)."""
    if view.levels:
        return activity.why
    return private_step_why(names.get(activity.competency_code, activity.competency_code))


@dataclass(frozen=True)
class EducatorPlan:
    """One educator's plan as one viewer sees it: `view` (permissions.person_view) decides, and
    the methods below are the only way a page, the API or a PDF reads a why or a level."""

    cycle: Cycle
    educator: User
    placement: Placement | None
    lane_label: str
    goals: list[GoalPlan]
    other_activities: list[PathActivity]   # assigned on a competency that is not one of the goals
    cohort: CohortView | None
    levels: dict[int, str]
    view: PersonView
    settings: PlanningSettings
    competency_names: dict[str, str]
    basis: str = ""     # which cycle's ratings the plan is built on (`core.wording.plan_basis`)
    status: str = ""    # the plan's cycle's self-assessment while it is not submitted

    def from_level(self, goal: PlannedGoal) -> int | None:
        return goal.from_level if self.view.levels else None

    def to_level(self, goal: PlannedGoal) -> int | None:
        return goal.to_level if self.view.levels else None

    def goal_why(self, goal_plan: GoalPlan) -> str:
        goal = goal_plan.goal
        if self.view.levels:
            return goal.why
        return private_goal_why(self.competency_names.get(goal.competency_code, goal.competency_code))

    def activity_why(self, activity: PathActivity) -> str:
        return activity_why(activity, self.view, self.competency_names)

    @property
    def lane_why(self) -> str:
        return lane_why(self.placement, self.view, self.settings)

    @property
    def individual_reason(self) -> str:
        """Why they are coached one to one; it names their levels or top goal, so with them."""
        placement = self.placement
        return placement.individual_reason if placement and self.view.levels else ""


def plan_of(educator: User, cycle: Cycle, viewer: User, *, summary: bool = False) -> EducatorPlan:
    """One educator's plan in a cycle as `viewer` sees it (`permissions.person_view`): goals in
    rank order with their activities, lane, cohort.

    A `summary` (the home page's) leaves out the cohort and does not read the activities'
    resources ahead: it needs only the goals, the activities' status and the lane."""
    view = person_view(viewer, educator, cycle)
    placement = db.session.scalar(select(Placement).where(
        Placement.cycle_id == cycle.id, Placement.educator_id == educator.id))
    goals = db.session.scalars(select(PlannedGoal).where(
        PlannedGoal.cycle_id == cycle.id, PlannedGoal.educator_id == educator.id)
        .order_by(PlannedGoal.rank, PlannedGoal.competency_code)).all()
    activities = db.session.scalars(
        select(PathActivity).options(*(() if summary else (selectinload(PathActivity.resource),)))
        .where(PathActivity.cycle_id == cycle.id, PathActivity.educator_id == educator.id)
        .order_by(PathActivity.position, PathActivity.id)).all()
    competencies = {c.code: c for c in cycle.framework.competencies}
    goal_codes = {g.competency_code for g in goals}
    settings = planning_settings(cycle.district_id)
    labels = {"fast": settings.fast_lane_label, "slow": settings.slow_lane_label}
    return EducatorPlan(
        cycle=cycle, educator=educator, placement=placement,
        lane_label=labels.get(placement.lane, "") if placement and view.lane else "",
        goals=[GoalPlan(g, competencies.get(g.competency_code),
                        [a for a in activities if a.competency_code == g.competency_code]) for g in goals],
        other_activities=[a for a in activities if a.competency_code not in goal_codes],
        cohort=(_cohort_views([placement.cohort], cycle, labels, viewer)[0]
                if not summary and placement and placement.cohort_id else None),
        levels=level_labels(cycle), view=view, settings=settings,
        competency_names=competency_names(cycle),
        **({} if placement is None else _plan_words(educator, cycle, viewer, view)))


def _plan_words(educator: User, cycle: Cycle, viewer: User, view: PersonView) -> dict[str, str]:
    """The plan's `basis` and `status` sentences for `viewer`. The planner reads each
    competency from the newest cycle that rates it: the newest cycle with a rating of the
    educator's, and an earlier one while this cycle's self-assessment is not complete."""
    progress = progress_of(cycle, [educator])[educator.id]
    rated = db.session.scalars(
        select(Cycle.name).where(Cycle.district_id == cycle.district_id, Cycle.opens_on <= cycle.opens_on,
                                 select(Rating.id).where(Rating.cycle_id == Cycle.id,
                                                         Rating.educator_id == educator.id).exists())
        .order_by(Cycle.opens_on.desc(), Cycle.id).limit(2)).all()
    if not (rated and rated[0] == cycle.name and progress.answered < progress.total):
        rated = rated[:1]
    own = educator.id == viewer.id
    status = (assessment_status(own, educator.name, cycle.name, progress.started, progress.submitted,
                                (progress.answered, progress.total) if view.ratings else None)
              if cycle.is_open else "")
    return {"basis": plan_basis(own, educator.name, rated), "status": status}


@dataclass(frozen=True)
class GoalLine:
    name: str               # the competency's name (its code when the framework lacks it)
    met: bool               # verified


@dataclass(frozen=True)
class PlanSummary:
    """What the home page says of one's plan: the goals in rank order, how many of their
    activities are done, and the lane."""

    cycle_name: str
    goals: list[GoalLine]
    done: int               # the goals' activities done or verified
    activities: int         # the goals' activities
    placed: bool
    lane_label: str         # empty unless the viewer may see the lane (`person_view`)
    basis: str = ""         # as `EducatorPlan`'s (`_plan_words`)
    status: str = ""


def _plan_summary_statement() -> Select:
    cycle_id, educator_id = bindparam("cycle_id"), bindparam("educator_id")
    activities = (
        select(PathActivity.competency_code, func.count().label("total"),
               func.sum(case((PathActivity.status.in_([ActivityStatus.DONE, ActivityStatus.VERIFIED]), 1),
                             else_=0)).label("done"))
        .where(PathActivity.cycle_id == cycle_id, PathActivity.educator_id == educator_id)
        .group_by(PathActivity.competency_code).subquery())
    lane = select(Placement.lane).where(Placement.cycle_id == cycle_id, Placement.educator_id == educator_id)
    return (select(PlannedGoal.competency_code, PlannedGoal.status, activities.c.total, activities.c.done,
                   lane.scalar_subquery())
            .outerjoin(activities, activities.c.competency_code == PlannedGoal.competency_code)
            .where(PlannedGoal.cycle_id == cycle_id, PlannedGoal.educator_id == educator_id)
            .order_by(PlannedGoal.rank, PlannedGoal.competency_code))


# Built once: building a statement and its cache key takes more of the home page's CPU than
# the database takes to answer it.
PLAN_SUMMARY = _plan_summary_statement()


def plan_summary(educator: User, cycle: Cycle, viewer: User, settings: PlanningSettings) -> PlanSummary:
    """`plan_of`'s summary for the home page as plain values in one statement: each goal with
    its activities counted in SQL, and the placement's lane beside them."""
    view = person_view(viewer, educator, cycle)
    rows = db.session.execute(PLAN_SUMMARY, {"cycle_id": cycle.id, "educator_id": educator.id}).all()
    names = {c.code: c.name for c in framework_terms(cycle.framework_id).competencies}
    placed_lane = rows[0][4] if rows else None
    labels = {"fast": settings.fast_lane_label, "slow": settings.slow_lane_label}
    return PlanSummary(
        cycle_name=cycle.name,
        goals=[GoalLine(names.get(code, code), status == GoalStatus.VERIFIED) for code, status, *_ in rows],
        done=sum(int(done or 0) for *_, done, _ in rows),
        activities=sum(total or 0 for _, _, total, _, _ in rows),
        placed=placed_lane is not None,
        lane_label=labels.get(placed_lane, "") if placed_lane is not None and view.lane else "",
        **({} if placed_lane is None else _plan_words(educator, cycle, viewer, view)))


def _cohort_views(cohorts: list[Cohort], cycle: Cycle, labels: dict[str, str],
                  viewer: User) -> list[CohortView]:
    """Cohorts with their names and members as `viewer` sees them, the members of all of them
    read at once."""
    members: dict[int, list[User]] = {}
    for cohort_id, user in db.session.execute(
            select(Placement.cohort_id, User).join(User, User.id == Placement.educator_id)
            .where(Placement.cohort_id.in_([c.id for c in cohorts]))
            .order_by(User.family_name, User.given_name)).all():
        members.setdefault(cohort_id, []).append(user)
    names = focus_names(cycle)
    views = []
    for c in cohorts:
        detail = can_lead_cohort(viewer, c)
        views.append(CohortView(c, cohort_name(c, names, labels, lane=detail), members.get(c.id, []), detail))
    return views


@dataclass(frozen=True)
class PlacementRow:
    educator: User
    placement: Placement | None
    why: str                # the lane's why as the viewer may see it (`EducatorPlan.lane_why`)
    cohort_name: str
    goals: int
    done: int               # activities done or verified
    activities: int


@dataclass(frozen=True)
class PlanningOverview:
    cycle: Cycle
    rows: list[PlacementRow]
    cohorts: list[CohortView]
    queue: list[PathActivity]   # evidence waiting for the viewer to verify
    labels: dict[str, str]
    openable: set[int]          # cohort members whose plan the viewer may open

    def lane_count(self, lane: str) -> int:
        return sum(1 for r in self.rows if r.placement and r.placement.lane == lane)


def planning_people(viewer: User, school_ids: set[int]) -> list[User]:
    """Whose plans a planning page lists: the educators of the schools the viewer leads (chosen
    by the caller), else the viewer's caseload."""
    query = select(User).where(User.district_id == viewer.district_id, User.active.is_(True))
    if school_ids:
        query = query.where(User.id.in_(select(Membership.user_id).where(
            Membership.school_id.in_(school_ids), Membership.role.in_([Role.TEACHER, Role.COACH]))))
    else:
        query = query.where(User.id.in_(select(CaseloadAssignment.educator_id).where(
            CaseloadAssignment.coach_id == viewer.id)))
    return list(db.session.scalars(query.order_by(User.family_name, User.given_name)))


def planning_overview(viewer: User, cycle: Cycle, people: list[User]) -> PlanningOverview:
    """Lanes, cohorts and the evidence queue of a cycle for the people a planning page lists."""
    ids = [p.id for p in people]
    placements = {p.educator_id: p for p in db.session.scalars(
        select(Placement).options(selectinload(Placement.cohort))
        .where(Placement.cycle_id == cycle.id, Placement.educator_id.in_(ids)))}
    goals = _count_by_educator(PlannedGoal, cycle, ids)
    activities = _count_by_educator(PathActivity, cycle, ids)
    done = _count_by_educator(PathActivity, cycle, ids, PathActivity.status.in_(
        [ActivityStatus.DONE, ActivityStatus.VERIFIED]))
    labels, names = lane_labels(cycle.district_id), focus_names(cycle)
    cohorts = db.session.scalars(select(Cohort).where(Cohort.cycle_id == cycle.id, or_(
        Cohort.coach_id == viewer.id,
        Cohort.id.in_(select(Placement.cohort_id).where(Placement.cycle_id == cycle.id,
                                                        Placement.educator_id.in_(ids)))))
        .order_by(Cohort.status.desc(), Cohort.lane, Cohort.focus, Cohort.key)).all()
    settings, seen = planning_settings(cycle.district_id), person_views(viewer, people, cycle)
    rows = [PlacementRow(p, placements.get(p.id),
                         lane_why(placements.get(p.id), seen.get(p.id, NOTHING), settings),
                         cohort_name(placements[p.id].cohort, names, labels)
                         if p.id in placements and placements[p.id].cohort else "",
                         goals.get(p.id, 0), done.get(p.id, 0), activities.get(p.id, 0)) for p in people]
    views = _cohort_views(list(cohorts), cycle, labels, viewer)
    return PlanningOverview(cycle, rows, views, evidence_queue(viewer, cycle), labels,
                            _openable(viewer, views))


def _openable(viewer: User, views: list[CohortView]) -> set[int]:
    """`permissions.can_see_plan` for every member at once: whom the viewer may see, and the
    members of the cohorts they lead as coach."""
    ids = {m.id for v in views for m in v.members}
    visible = set(db.session.scalars(visible_people_query(viewer).where(User.id.in_(ids))
                                     .with_only_columns(User.id)))
    return visible | {m.id for v in views if v.cohort.coach_id == viewer.id for m in v.members}


def _count_by_educator(model, cycle: Cycle, ids: list[int], *conditions) -> dict[int, int]:
    return dict(db.session.execute(
        select(model.educator_id, func.count()).where(model.cycle_id == cycle.id, model.educator_id.in_(ids),
                                                      *conditions)
        .group_by(model.educator_id)).all())


def _awaiting_verification(coach: User, cycle: Cycle):
    """The condition on path activities of `evidence_queue`."""
    guided = select(CaseloadAssignment.educator_id).where(CaseloadAssignment.coach_id == coach.id).union(
        select(Placement.educator_id).join(Cohort, Cohort.id == Placement.cohort_id)
        .where(Placement.cycle_id == cycle.id, Cohort.coach_id == coach.id))
    return and_(PathActivity.cycle_id == cycle.id, PathActivity.status == ActivityStatus.DONE,
                PathActivity.educator_id.in_(guided), PathActivity.educator_id != coach.id)


def evidence_queue(coach: User, cycle: Cycle) -> list[PathActivity]:
    """Activities marked done by the people this coach guides (caseload and cohorts they lead),
    oldest first; never the coach's own (nobody verifies their own evidence)."""
    if Role.COACH not in coach.roles:
        return []
    return list(db.session.scalars(
        select(PathActivity).options(selectinload(PathActivity.resource), selectinload(PathActivity.educator))
        .where(_awaiting_verification(coach, cycle))
        .order_by(PathActivity.updated_at, PathActivity.id)))


def evidence_queue_length(coach: User, cycle: Cycle) -> int:
    """How many activities `evidence_queue` holds, counted by the database."""
    if Role.COACH not in coach.roles:
        return 0
    return db.session.scalar(select(func.count(PathActivity.id)).where(_awaiting_verification(coach, cycle)))


def cohort_view(cohort: Cohort, viewer: User) -> CohortView:
    return _cohort_views([cohort], cohort.cycle, lane_labels(cohort.cycle.district_id), viewer)[0]


def focus_codes(cycle: Cycle, focus: str) -> list[str]:
    """The competency codes a cohort focus stands for: itself, or every competency of a domain."""
    return [c.code for c in cycle.framework.competencies if focus in (c.code, c.domain.code)]


def activity_options(cycle: Cycle, codes: list[str]) -> list[tuple[str, str]]:
    """(value "resource id|code", label) for each active activity on each competency of `codes`
    (every competency when empty), in framework order."""
    order = [c.code for c in cycle.framework.competencies]
    wanted = [code for code in order if code in codes] if codes else order
    resources = visible_resources(cycle.district_id)
    return [(f"{r.id}|{code}", f"{code}: {r.title} ({r.kind.label}, {r.hours:g} h)")
            for code in wanted for r in resources if code in r.competencies]


def district_coaches(district_id: int) -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.district_id == district_id, User.active.is_(True), User.id.in_(
            select(Membership.user_id).where(Membership.role == Role.COACH)))
        .order_by(User.family_name, User.given_name)))


def verified_message(activity: PathActivity, goal: PlannedGoal | None) -> str:
    """What the coach reads after verifying `activity` (and marking `goal` met, if they did)."""
    if goal is None:
        return verified_words(activity.resource.title, activity.educator.name, None, None)
    cycle = db.session.get(Cycle, activity.cycle_id)
    labels = level_labels(cycle)
    level = (f"{labels[goal.to_level]} ({goal.to_level})" if goal.to_level in labels
             else f"level {goal.to_level}")
    return verified_words(activity.resource.title, activity.educator.name,
                          competency_names(cycle).get(goal.competency_code, goal.competency_code), level)


def returned_message(activity: PathActivity) -> str:
    return returned_message_words(activity.resource.title, activity.educator.name)
