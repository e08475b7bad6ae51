"""Export reads: the rows each caller may see, in a handful of bulk statements per table.

The rules are those of `permissions.py`, written as SQL conditions on an (educator, cycle) pair
so that one statement reads a whole school or district:

- `person_visible`  = `can_see_person`   (self, caseload, principal's schools, the district)
- `ratings_visible` = `can_see_ratings`  (self and caseload; others only for a cycle they shared)
- `guided`          = `guides`           (a coach's caseload and the cohorts they lead)
- `plan_visible`    = `can_see_plan`     (person_visible or guided)

tests/reports/test_scopes.py checks each condition against its predicate for every pair of a
small district.
"""

from sqlalchemy import and_, case, false, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from pdplanner.accounts.models import EDUCATOR_ROLES, ApiToken, Role, User
from pdplanner.assessments.models import Cycle, EvidenceFile, RaterKind, Rating, SelfAssessment
from pdplanner.assessments.queries import rating_history, ratings_by_code
from pdplanner.audit.models import AuditEvent
from pdplanner.audit.queries import export_rows as audit_export_rows
from pdplanner.core.charts import Chart, Series, domain_means_chart, radar_chart
from pdplanner.core.gaps import LEVEL_TOLERANCE, domain_means, levels_by_educator
from pdplanner.core.types import RatingRecord
from pdplanner.dashboards.queries import LeaderDashboard
from pdplanner.database import utcnow
from pdplanner.extensions import db
from pdplanner.framework.models import Competency, Domain
from pdplanner.organisation.models import CaseloadAssignment, Membership, School
from pdplanner.permissions import PersonView, visible_people_query
from pdplanner.planning.models import (
    ActivityStatus,
    Cohort,
    GoalStatus,
    PathActivity,
    Placement,
    PlannedGoal,
    Resource,
)
from pdplanner.planning.queries import (
    EducatorPlan,
    GoalPlan,
    activity_why,
    cohort_name,
    competency_names,
    focus_names,
    lane_labels,
    lane_why,
    plan_of,
    planning_settings,
    visible_resources,
)
from pdplanner.reports.exports import iso, safe_file_name
from pdplanner.reports.pdf import (
    NOT_SHOWN,
    FiguresTable,
    GrowthPlan,
    LeaderReport,
    PlanActivity,
    PlanGoal,
    long_date,
)

# -- who may see what, as SQL ---------------------------------------------------------------


def _visible_ids(viewer: User):
    # Never correlated: an outer query over users must not turn this list into a condition on
    # its own row.
    return visible_people_query(viewer).with_only_columns(User.id).correlate(None)


def _caseload_ids(viewer: User):
    return select(CaseloadAssignment.educator_id).where(CaseloadAssignment.coach_id == viewer.id)


def person_visible(viewer: User, educator_id):
    return educator_id.in_(_visible_ids(viewer))


# The subqueries below read their tables through aliases, so that an outer query over the same
# table (cohort members are read from placements) correlates only through `educator_id` and
# `cycle_id`, never by merging the two.

def ratings_visible(viewer: User, educator_id, cycle_id):
    assessment = aliased(SelfAssessment)
    shared = select(assessment.id).where(
        assessment.cycle_id == cycle_id, assessment.educator_id == educator_id,
        assessment.shared_with_principal.is_(True)).exists()
    return or_(educator_id == viewer.id, educator_id.in_(_caseload_ids(viewer)),
               and_(person_visible(viewer, educator_id), shared))


def guided(viewer: User, educator_id, cycle_id):
    if Role.COACH not in viewer.roles:
        return false()
    placement, cohort = aliased(Placement), aliased(Cohort)
    in_led_cohort = select(placement.id).join(cohort, cohort.id == placement.cohort_id).where(
        placement.cycle_id == cycle_id, placement.educator_id == educator_id,
        cohort.coach_id == viewer.id).exists()
    return or_(educator_id.in_(_caseload_ids(viewer)), in_led_cohort)


def plan_visible(viewer: User, educator_id, cycle_id):
    return or_(person_visible(viewer, educator_id), guided(viewer, educator_id, cycle_id))


def plans_in_scope(viewer: User, educator_id, cycle_id, cycle: Cycle | None):
    """Plan rows (placements, goals, path activities) of `cycle` (None: every cycle of the
    district) that the viewer may see. The query joins `Educator` on `educator_id`."""
    return and_(_in_cycles(cycle_id, viewer, cycle), Educator.district_id == viewer.district_id,
                plan_visible(viewer, educator_id, cycle_id))


def plan_detail(viewer: User, educator_id, cycle_id):
    """True where the viewer may see a plan's levels, whys and reflections: they may see the
    educator's ratings, or guide them (the plan page's and the plan API's rule)."""
    return case((or_(ratings_visible(viewer, educator_id, cycle_id), guided(viewer, educator_id, cycle_id)),
                 True), else_=False)


def detail_view(shown: bool) -> PersonView:
    """The `PersonView` a row's `plan_detail` stands for (rows are of plans the viewer may see)."""
    return PersonView(plan=True, lane=True, levels=shown, evidence=shown)


def _in_cycles(cycle_id, viewer: User, cycle: Cycle | None):
    """One cycle, or (None) every cycle of the viewer's district; never another district's."""
    if cycle is not None:
        return cycle_id == cycle.id if cycle.district_id == viewer.district_id else false()
    return cycle_id.in_(select(Cycle.id).where(Cycle.district_id == viewer.district_id))


def scope_label(viewer: User) -> str:
    """What an export covers, for the audit log: 'own', 'caseload', 'schools S1,S2', 'district'."""
    parts = ["own"]
    if Role.COACH in viewer.roles:
        parts.append("caseload")
    if Role.DISTRICT_ADMIN in viewer.roles:
        parts.append("district")
    elif schools := sorted(m.school.code for m in viewer.memberships if m.role == Role.PRINCIPAL):
        parts.append("schools " + ",".join(schools))
    return "; ".join(parts)


# -- shared pieces --------------------------------------------------------------------------

def _cycles(viewer: User, cycle: Cycle | None) -> dict[int, Cycle]:
    if cycle is not None:
        return {cycle.id: cycle}
    return {c.id: c for c in db.session.scalars(select(Cycle).where(Cycle.district_id == viewer.district_id))}


def _school_codes(user_ids) -> dict[int, str]:
    """Each person's school codes, 'S1;S2', for the people of a select of ids."""
    codes: dict[int, list[str]] = {}
    for user_id, code in db.session.execute(
            select(Membership.user_id, School.code).join(School, School.id == Membership.school_id)
            .where(Membership.user_id.in_(user_ids)).order_by(School.code)):
        codes.setdefault(user_id, []).append(code)
    return {user_id: ";".join(found) for user_id, found in codes.items()}


def _educator(user_id: int, email: str, given: str, family: str, schools: dict[int, str]) -> dict:
    return {"educator_id": user_id, "educator_email": email, "educator_name": f"{given} {family}",
            "school_codes": schools.get(user_id, "")}


def _cycle_columns(cycle: Cycle) -> dict:
    return {"cycle_id": cycle.id, "cycle_name": cycle.name}


Educator = aliased(User, name="educator")
EDUCATOR_COLUMNS = (Educator.id, Educator.email, Educator.given_name, Educator.family_name)
EDUCATOR_ORDER = (Educator.family_name, Educator.given_name, Educator.id)


# -- the per-cycle tables (and the district export's) ---------------------------------------

def ratings_rows(viewer: User, cycle: Cycle | None) -> list[dict]:
    """One row per educator, competency and rater, for the ratings the viewer may see."""
    cycles = _cycles(viewer, cycle)
    labels = {c.id: {lv.value: lv.label for lv in c.framework.levels} for c in cycles.values()}
    not_observed = {c.id: c.framework.not_observed_label for c in cycles.values()}
    rater = aliased(User, name="rater")
    condition = and_(_in_cycles(Rating.cycle_id, viewer, cycle),
                     Educator.district_id == viewer.district_id,
                     ratings_visible(viewer, Rating.educator_id, Rating.cycle_id))
    rows = db.session.execute(
        select(Rating.cycle_id, *EDUCATOR_COLUMNS, Domain.code, Competency.code, Rating.kind, rater.email,
               Rating.level, Rating.not_observed, Rating.confidence, Rating.interest, Rating.note,
               Rating.updated_at)
        .join(Educator, Educator.id == Rating.educator_id).join(rater, rater.id == Rating.rater_id)
        .join(Competency, Competency.id == Rating.competency_id)
        .join(Domain, Domain.id == Competency.domain_id).where(condition)
        .order_by(Rating.cycle_id, *EDUCATOR_ORDER, Competency.position, Rating.kind, rater.email)).all()
    schools = _school_codes(select(Rating.educator_id).join(Educator, Educator.id == Rating.educator_id)
                            .where(condition))
    return [
        _cycle_columns(cycles[cycle_id]) | _educator(user_id, email, given, family, schools) | {
            "domain_code": domain, "competency_code": code, "rater_kind": kind.value,
            "rater_email": rater_email, "level": level,
            "level_label": not_observed[cycle_id] if seen_not else labels[cycle_id].get(level),
            "not_observed": seen_not, "confidence": confidence.value if confidence else None,
            "interest": interest, "note": note, "updated_at": iso(updated_at)}
        for (cycle_id, user_id, email, given, family, domain, code, kind, rater_email, level, seen_not,
             confidence, interest, note, updated_at) in rows]


def goals_rows(viewer: User, cycle: Cycle | None) -> list[dict]:
    """Goals of the plans the viewer may see; levels and whys only where they may see the ratings
    or guide the educator (the rule of the plan page and the plan API)."""
    cycles = _cycles(viewer, cycle)
    condition = plans_in_scope(viewer, PlannedGoal.educator_id, PlannedGoal.cycle_id, cycle)
    detail = plan_detail(viewer, PlannedGoal.educator_id, PlannedGoal.cycle_id)
    rows = db.session.execute(
        select(PlannedGoal.cycle_id, *EDUCATOR_COLUMNS, PlannedGoal.competency_code, PlannedGoal.rank,
               PlannedGoal.status, PlannedGoal.from_level, PlannedGoal.to_level, PlannedGoal.why, detail)
        .join(Educator, Educator.id == PlannedGoal.educator_id).where(condition)
        .order_by(PlannedGoal.cycle_id, *EDUCATOR_ORDER, PlannedGoal.rank, PlannedGoal.competency_code)).all()
    schools = _school_codes(select(PlannedGoal.educator_id)
                            .join(Educator, Educator.id == PlannedGoal.educator_id).where(condition))
    return [
        _cycle_columns(cycles[cycle_id]) | _educator(user_id, email, given, family, schools) | {
            "competency_code": code, "rank": rank, "status": status.value,
            "from_level": from_level if shown else None, "to_level": to_level if shown else None,
            "why": why if shown else None}
        for (cycle_id, user_id, email, given, family, code, rank, status, from_level, to_level, why,
             shown) in rows]


def cohorts_rows(viewer: User, cycle: Cycle | None) -> list[dict]:
    """Cohorts the viewer leads or oversees (as their coach, a principal of one of their schools, a
    district admin) or that hold someone whose plan they may see. Members' emails are listed for
    those the viewer may see, for every member to the cohort's coach, and to a member (their plan
    page shows them their cohort)."""
    cycles = _cycles(viewer, cycle)
    cohorts = db.session.scalars(select(Cohort).options(selectinload(Cohort.coach))
                                 .where(_in_cycles(Cohort.cycle_id, viewer, cycle))
                                 .order_by(Cohort.cycle_id, Cohort.lane, Cohort.focus, Cohort.key)).all()
    members: dict[int, list[tuple[int, str]]] = {}
    visible_members: set[int] = set()
    for cohort_id, member_id, email, shown in db.session.execute(
            select(Placement.cohort_id, User.id, User.email,
                   case((plan_visible(viewer, Placement.educator_id, Placement.cycle_id), True), else_=False))
            .join(User, User.id == Placement.educator_id)
            .where(Placement.cohort_id.in_([c.id for c in cohorts])).order_by(User.email)):
        members.setdefault(cohort_id, []).append((member_id, email))
        if shown:
            visible_members.add(member_id)
    school_code = dict(db.session.execute(
        select(School.id, School.code).where(School.district_id == viewer.district_id)).all())
    led_schools = viewer.school_ids(Role.PRINCIPAL)
    labels = lane_labels(viewer.district_id)
    names = {c.id: focus_names(c) for c in cycles.values()}
    rows = []
    for cohort in cohorts:
        ids = {member_id for member_id, _ in members.get(cohort.id, [])}
        leads = (cohort.coach_id == viewer.id or Role.DISTRICT_ADMIN in viewer.roles
                 or bool(led_schools & set(cohort.school_ids)))
        if not (leads or ids & visible_members):
            continue
        everyone = cohort.coach_id == viewer.id or viewer.id in ids
        # A member, or who sees a member, without leading the cohort: its focus and members, not
        # its lane (each member's own; planning.queries.CohortView).
        rows.append(_cycle_columns(cycles[cohort.cycle_id]) | {
            "cohort_id": cohort.id,
            "cohort_name": cohort_name(cohort, names[cohort.cycle_id], labels, lane=leads),
            "focus": cohort.focus, "lane": cohort.lane if leads else None,
            "lane_label": labels.get(cohort.lane, cohort.lane) if leads else None,
            "status": cohort.status.value,
            "school_codes": ";".join(sorted(school_code.get(s, str(s)) for s in cohort.school_ids)),
            "coach_email": cohort.coach.email if cohort.coach else None, "member_count": len(ids),
            "member_emails": ";".join(email for member_id, email in members.get(cohort.id, [])
                                      if everyone or member_id in visible_members)})
    return rows


def participation_rows(viewer: User, cycle: Cycle) -> list[dict]:
    """Per educator (teacher or coach) the viewer may see: self-assessment state (not started, in
    progress, submitted), how many competencies they rated only where the viewer may see their
    ratings (else None), coach ratings counted, lane, goals and activities. No levels."""
    if cycle.district_id != viewer.district_id:
        return []
    people = db.session.execute(
        select(*EDUCATOR_COLUMNS, Educator.active)
        .where(Educator.district_id == viewer.district_id, person_visible(viewer, Educator.id),
               Educator.id.in_(select(Membership.user_id).where(Membership.role.in_(EDUCATOR_ROLES))))
        .order_by(*EDUCATOR_ORDER)).all()
    scope = (select(Educator.id).where(Educator.district_id == viewer.district_id,
                                       person_visible(viewer, Educator.id)))
    answered = (Rating.level.is_not(None)) | Rating.not_observed.is_(True)

    def count_by_educator(column, *conditions):
        return dict(db.session.execute(
            select(column, func.count()).where(column.in_(scope), *conditions).group_by(column)).all())

    # How far along a draft is, only where the viewer may see the ratings themselves: a count
    # that moves as someone types tells a leader which competency a new rating landed on.
    self_rated = count_by_educator(Rating.educator_id, Rating.cycle_id == cycle.id,
                                   Rating.kind == RaterKind.SELF, answered,
                                   ratings_visible(viewer, Rating.educator_id, cycle.id))
    coach_rated = dict(db.session.execute(
        select(Rating.educator_id, func.count(func.distinct(Rating.competency_id)))
        .where(Rating.educator_id.in_(scope), Rating.cycle_id == cycle.id, Rating.kind == RaterKind.COACH,
               answered).group_by(Rating.educator_id)).all())
    status = dict(db.session.execute(select(SelfAssessment.educator_id, SelfAssessment.status).where(
        SelfAssessment.cycle_id == cycle.id, SelfAssessment.educator_id.in_(scope))).all())
    lanes = dict(db.session.execute(select(Placement.educator_id, Placement.lane).where(
        Placement.cycle_id == cycle.id, Placement.educator_id.in_(scope))).all())
    goals = count_by_educator(PlannedGoal.educator_id, PlannedGoal.cycle_id == cycle.id)
    activities = count_by_educator(PathActivity.educator_id, PathActivity.cycle_id == cycle.id)
    done = count_by_educator(PathActivity.educator_id, PathActivity.cycle_id == cycle.id,
                             PathActivity.status.in_([ActivityStatus.DONE, ActivityStatus.VERIFIED]))
    rated_visible = set(db.session.scalars(select(Educator.id).where(
        Educator.id.in_(scope), ratings_visible(viewer, Educator.id, cycle.id))))
    schools = _school_codes(scope)
    labels = lane_labels(viewer.district_id)
    total = len(cycle.framework.competencies)
    return [
        _cycle_columns(cycle) | _educator(user_id, email, given, family, schools) | {
            "active": active,
            "self_assessment": status[user_id].value if user_id in status else "not_started",
            "self_rated": self_rated.get(user_id, 0) if user_id in rated_visible else None,
            "competencies": total,
            "coach_rated": coach_rated.get(user_id, 0), "lane": lanes.get(user_id),
            "lane_label": labels.get(lanes.get(user_id)), "goals": goals.get(user_id, 0),
            "activities_done": done.get(user_id, 0), "activities_total": activities.get(user_id, 0)}
        for user_id, email, given, family, active in people]


CYCLE_ROWS = {"ratings": ratings_rows, "goals": goals_rows, "cohorts": cohorts_rows,
              "participation": participation_rows}


# -- the district export's own tables (district admins; every row is of their district) -------

def schools_rows(district_id: int) -> list[dict]:
    return [{"school_id": s.id, "code": s.code, "name": s.name} for s in db.session.scalars(
        select(School).where(School.district_id == district_id).order_by(School.code))]


def people_rows(district_id: int) -> list[dict]:
    return [{"person_id": u.id, "email": u.email, "given_name": u.given_name, "family_name": u.family_name,
             "active": u.active, "district_admin": u.is_district_admin, "created_at": iso(u.created_at),
             "last_sign_in_at": iso(u.last_sign_in_at)}
            for u in db.session.execute(
                select(User.id, User.email, User.given_name, User.family_name, User.active,
                       User.is_district_admin, User.created_at, User.last_sign_in_at)
                .where(User.district_id == district_id).order_by(User.id))]


def memberships_rows(district_id: int) -> list[dict]:
    return [{"person_id": user_id, "email": email, "school_code": code, "role": role.value}
            for user_id, email, code, role in db.session.execute(
                select(User.id, User.email, School.code, Membership.role)
                .join(Membership, Membership.user_id == User.id)
                .join(School, School.id == Membership.school_id)
                .where(User.district_id == district_id).order_by(User.id, School.code))]


def caseloads_rows(district_id: int) -> list[dict]:
    coach = aliased(User, name="coach")
    return [{"coach_id": coach_id, "coach_email": coach_email, "educator_id": educator_id,
             "educator_email": educator_email}
            for coach_id, coach_email, educator_id, educator_email in db.session.execute(
                select(coach.id, coach.email, Educator.id, Educator.email)
                .select_from(CaseloadAssignment)
                .join(coach, coach.id == CaseloadAssignment.coach_id)
                .join(Educator, Educator.id == CaseloadAssignment.educator_id)
                .where(Educator.district_id == district_id).order_by(coach.id, Educator.id))]


def cycles_rows(district_id: int) -> list[dict]:
    return [{"cycle_id": c.id, "name": c.name, "status": c.status.value, "opens_on": iso(c.opens_on),
             "closes_on": iso(c.closes_on), "framework": c.framework.slug,
             "framework_version": c.framework.version}
            for c in db.session.scalars(select(Cycle).where(Cycle.district_id == district_id)
                                        .order_by(Cycle.opens_on, Cycle.id))]


# What a lane is computed from: blank where the viewer may not see the levels.
PLACEMENT_NUMBERS = ("readiness", "rated", "at_target", "lowest_domain", "lowest_domain_mean")


def placements_rows(viewer: User) -> list[dict]:
    """Lanes of the plans the viewer may see; the numbers behind them, their whys and the reasons
    for individual coaching only where the viewer may see the levels (`plan_detail`)."""
    cycles = _cycles(viewer, None)
    condition = plans_in_scope(viewer, Placement.educator_id, Placement.cycle_id, None)
    schools = _school_codes(select(Placement.educator_id).join(Educator, Educator.id == Placement.educator_id)
                            .where(condition))
    labels, settings = lane_labels(viewer.district_id), planning_settings(viewer.district_id)
    detail = plan_detail(viewer, Placement.educator_id, Placement.cycle_id)
    rows = db.session.execute(
        select(Placement, *EDUCATOR_COLUMNS, detail).join(Educator, Educator.id == Placement.educator_id)
        .where(condition).order_by(Placement.cycle_id, *EDUCATOR_ORDER)).all()
    return [
        _cycle_columns(cycles[p.cycle_id]) | _educator(user_id, email, given, family, schools) | {
            "lane": p.lane, "lane_label": labels.get(p.lane, p.lane),
            **{name: getattr(p, name) if shown else None for name in PLACEMENT_NUMBERS},
            "why": lane_why(p, detail_view(shown), settings),
            "override_lane": p.override_lane, "override_reason": p.override_reason, "cohort_id": p.cohort_id,
            "individual_reason": p.individual_reason if shown else None}
        for p, user_id, email, given, family, shown in rows]


def path_activities_rows(viewer: User) -> list[dict]:
    """Reflections, evidence links, whys that name levels and which catalogue activity it is (the
    catalogue says which levels it suits) only where the viewer may see the educator's ratings or
    guides them (`plan_detail`), as on the plan page."""
    cycles = _cycles(viewer, None)
    condition = plans_in_scope(viewer, PathActivity.educator_id, PathActivity.cycle_id, None)
    detail = plan_detail(viewer, PathActivity.educator_id, PathActivity.cycle_id)
    schools = _school_codes(select(PathActivity.educator_id)
                            .join(Educator, Educator.id == PathActivity.educator_id).where(condition))
    names = {cycle_id: competency_names(c) for cycle_id, c in cycles.items()}
    rows = db.session.execute(
        select(PathActivity, Resource.key, Resource.title, *EDUCATOR_COLUMNS, detail)
        .join(Resource, Resource.id == PathActivity.resource_id)
        .join(Educator, Educator.id == PathActivity.educator_id).where(condition)
        .order_by(PathActivity.cycle_id, *EDUCATOR_ORDER, PathActivity.position, PathActivity.id)).all()
    return [
        _cycle_columns(cycles[a.cycle_id]) | _educator(user_id, email, given, family, schools) | {
            "competency_code": a.competency_code, "position": a.position,
            "resource_key": key if shown else None, "resource_title": title if shown else None,
            "source": a.source, "status": a.status.value,
            "why": activity_why(a, detail_view(shown), names[a.cycle_id]),
            "reflection": a.reflection if shown else None, "evidence_url": a.evidence_url if shown else None,
            "verified_at": iso(a.verified_at)}
        for a, key, title, user_id, email, given, family, shown in rows]


def resources_rows(district_id: int) -> list[dict]:
    return [{"resource_id": r.id, "key": r.key, "title": r.title, "kind": r.kind.value,
             "competencies": ";".join(r.competencies), "level_min": r.level_min, "level_max": r.level_max,
             "hours": r.hours, "lanes": ";".join(r.lanes), "active": r.active,
             "shared": r.district_id is None}
            for r in visible_resources(district_id, include_inactive=True)]


def district_rows(viewer: User) -> dict[str, list[dict]]:
    """Every table of the district export, by table name."""
    district_id = viewer.district_id
    return {
        "schools": schools_rows(district_id), "people": people_rows(district_id),
        "memberships": memberships_rows(district_id), "caseloads": caseloads_rows(district_id),
        "cycles": cycles_rows(district_id), "ratings": ratings_rows(viewer, None),
        "goals": goals_rows(viewer, None), "cohorts": cohorts_rows(viewer, None),
        "placements": placements_rows(viewer), "path_activities": path_activities_rows(viewer),
        "resources": resources_rows(district_id), "audit_events": audit_export_rows(district_id),
    }



# -- a person's own data (GET /me/data.zip) --------------------------------------------------

def my_data_document(user: User) -> tuple[dict, list[tuple[str, EvidenceFile]]]:
    """Everything about `user` that is theirs, as a JSON-ready document, and the evidence files
    that go with it, each with its path inside the zip. What counts as theirs is in
    docs/DECISIONS.md; another person's data is left out even where `user` wrote it (a coach's
    ratings of their caseload belong with the rated educator)."""
    rater = aliased(User, name="rater")
    ratings = db.session.execute(
        select(Rating, Domain.code, Competency.code, rater.email)
        .join(Competency, Competency.id == Rating.competency_id)
        .join(Domain, Domain.id == Competency.domain_id)
        .join(rater, rater.id == Rating.rater_id).where(Rating.educator_id == user.id)
        .order_by(Rating.cycle_id, Competency.position, Rating.kind, rater.email)).all()
    assessments = db.session.scalars(select(SelfAssessment).where(SelfAssessment.educator_id == user.id)
                                     .order_by(SelfAssessment.cycle_id)).all()
    goals = db.session.scalars(select(PlannedGoal).where(PlannedGoal.educator_id == user.id)
                               .order_by(PlannedGoal.cycle_id, PlannedGoal.rank)).all()
    activities = db.session.scalars(
        select(PathActivity).options(selectinload(PathActivity.resource))
        .where(PathActivity.educator_id == user.id)
        .order_by(PathActivity.cycle_id, PathActivity.position, PathActivity.id)).all()
    placements = db.session.scalars(
        select(Placement).options(selectinload(Placement.cohort).selectinload(Cohort.coach))
        .where(Placement.educator_id == user.id).order_by(Placement.cycle_id)).all()
    led = db.session.execute(
        select(Cohort, func.count(Placement.id)).outerjoin(Placement, Placement.cohort_id == Cohort.id)
        .where(Cohort.coach_id == user.id).group_by(Cohort.id).order_by(Cohort.cycle_id, Cohort.key)).all()
    cycle_ids = ({r.cycle_id for r, *_ in ratings} | {a.cycle_id for a in assessments}
                 | {g.cycle_id for g in goals} | {a.cycle_id for a in activities}
                 | {p.cycle_id for p in placements} | {c.cycle_id for c, _ in led})
    cycles = {c.id: c for c in db.session.scalars(select(Cycle).where(Cycle.id.in_(cycle_ids))
                                                  .order_by(Cycle.opens_on))}
    labels = lane_labels(user.district_id)
    names = {c.id: focus_names(c) for c in cycles.values()}
    level_labels = {c.id: {lv.value: lv.label for lv in c.framework.levels} for c in cycles.values()}

    attached = ({r.evidence_file_id for r, *_ in ratings} | {a.evidence_file_id for a in activities}) - {None}
    files = db.session.scalars(select(EvidenceFile).where(
        or_(EvidenceFile.owner_id == user.id, EvidenceFile.id.in_(attached))).order_by(EvidenceFile.id)).all()
    zip_path = {f.id: f"evidence/{f.id}-{safe_file_name(f.original_name)}" for f in files}

    def cohort(c: Cohort | None) -> dict | None:
        return None if c is None else {
            "id": c.id, "name": cohort_name(c, names[c.cycle_id], labels), "focus": c.focus, "lane": c.lane,
            "status": c.status.value, "coach_email": c.coach.email if c.coach else None}

    document = {
        "format": "pdplanner-my-data", "version": 1, "generated_at": iso(utcnow()),
        "person": _person_document(user),
        "coaches": [{"email": c.email, "name": c.name} for c in _people_linked(user, as_coach=False)],
        "caseload": [{"email": e.email, "name": e.name} for e in _people_linked(user, as_coach=True)],
        "cycles": [{"id": c.id, "name": c.name, "status": c.status.value, "opens_on": iso(c.opens_on),
                    "closes_on": iso(c.closes_on)} for c in cycles.values()],
        "self_assessments": [
            {"cycle_id": a.cycle_id, "status": a.status.value, "submitted_at": iso(a.submitted_at),
             "shared_with_principal": a.shared_with_principal, "updated_at": iso(a.updated_at)}
            for a in assessments],
        "ratings": [
            {"cycle_id": r.cycle_id, "domain": domain, "competency": code, "kind": r.kind.value,
             "rater_email": rater_email, "level": r.level,
             "level_label": level_labels[r.cycle_id].get(r.level) if r.level is not None else None,
             "not_observed": r.not_observed, "confidence": r.confidence.value if r.confidence else None,
             "interest": r.interest, "note": r.note, "evidence_url": r.evidence_url or None,
             "evidence_file": zip_path.get(r.evidence_file_id), "created_at": iso(r.created_at),
             "updated_at": iso(r.updated_at)}
            for r, domain, code, rater_email in ratings],
        "goals": [
            {"cycle_id": g.cycle_id, "competency": g.competency_code, "from_level": g.from_level,
             "to_level": g.to_level, "rank": g.rank, "priority": g.priority, "status": g.status.value,
             "why": g.why, "verified_at": iso(g.verified_at)} for g in goals],
        "path_activities": [
            {"cycle_id": a.cycle_id, "competency": a.competency_code, "position": a.position,
             "activity": {"key": a.resource.key, "title": a.resource.title, "kind": a.resource.kind.value,
                          "hours": a.resource.hours},
             "source": a.source, "status": a.status.value, "why": a.why, "reflection": a.reflection,
             "evidence_url": a.evidence_url or None, "evidence_file": zip_path.get(a.evidence_file_id),
             "coach_note": a.coach_note, "verified_at": iso(a.verified_at), "updated_at": iso(a.updated_at)}
            for a in activities],
        "placements": [
            {"cycle_id": p.cycle_id, "lane": p.lane, "lane_label": labels.get(p.lane, p.lane),
             "readiness": p.readiness, "rated": p.rated, "at_target": p.at_target,
             "lowest_domain": p.lowest_domain, "lowest_domain_mean": p.lowest_domain_mean, "why": p.why,
             "override_lane": p.override_lane, "override_reason": p.override_reason or None,
             "cohort": cohort(p.cohort), "individual_reason": p.individual_reason or None}
            for p in placements],
        "cohorts_led": [cohort(c) | {"cycle_id": c.cycle_id, "member_count": n} for c, n in led],
        "evidence_files": [
            {"id": f.id, "file": zip_path[f.id], "original_name": f.original_name,
             "content_type": f.content_type, "size": f.size, "uploaded_at": iso(f.created_at)}
            for f in files],
        "api_tokens": [
            {"name": t.name, "prefix": t.prefix, "created_at": iso(t.created_at),
             "last_used_at": iso(t.last_used_at), "revoked_at": iso(t.revoked_at)}
            for t in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                        .order_by(ApiToken.id))],
        "audit_events": _own_audit_events(user),
    }
    return document, [(zip_path[f.id], f) for f in files]


def _person_document(user: User) -> dict:
    return {
        "id": user.id, "email": user.email, "given_name": user.given_name, "family_name": user.family_name,
        "active": user.active, "district": {"code": user.district.code, "name": user.district.name},
        "district_admin": user.is_district_admin, "created_at": iso(user.created_at),
        "last_sign_in_at": iso(user.last_sign_in_at),
        "memberships": [{"school_code": m.school.code, "school_name": m.school.name, "role": m.role.value,
                         "since": iso(m.created_at)}
                        for m in sorted(user.memberships, key=lambda m: m.school.code)],
    }


def _people_linked(user: User, *, as_coach: bool) -> list[User]:
    """Their coaches, or (as_coach) the educators on their caseload."""
    mine, theirs = ((CaseloadAssignment.coach_id, CaseloadAssignment.educator_id) if as_coach
                    else (CaseloadAssignment.educator_id, CaseloadAssignment.coach_id))
    return list(db.session.scalars(select(User).join(CaseloadAssignment, theirs == User.id)
                                   .where(mine == user.id).order_by(User.email)))


def _own_audit_events(user: User) -> list[dict]:
    """Events the person caused, and events whose subject is their account. Only from their
    account's creation on: SQLite may give a new account the id of a deleted one, and the
    deleted person's events must not become the new person's."""
    actor = aliased(User, name="actor")
    about_them = and_(AuditEvent.subject_type == "user", AuditEvent.subject_id == user.id)
    rows = db.session.execute(
        select(AuditEvent, actor.email).outerjoin(actor, actor.id == AuditEvent.actor_id)
        .where(or_(AuditEvent.actor_id == user.id, about_them), AuditEvent.occurred_at >= user.created_at)
        .order_by(AuditEvent.occurred_at, AuditEvent.id)).all()
    return [{"occurred_at": iso(e.occurred_at), "action": e.action, "actor_email": actor_email,
             "subject_type": e.subject_type, "subject_id": e.subject_id, "details": e.details,
             "remote_addr": e.remote_addr} for e, actor_email in rows]


# -- the growth plan PDF ---------------------------------------------------------------------

def growth_plan(plan: EducatorPlan) -> GrowthPlan:
    """The growth plan PDF's content for the plan's viewer (`plan.view`, permissions.person_view):
    goal levels, whys, lane numbers, evidence and reflections with the levels; the rating charts
    and strengths with the ratings."""
    cycle, educator, placement = plan.cycle, plan.educator, plan.placement
    cohort, view = plan.cohort, plan.view
    detail, ratings_visible = view.levels, view.ratings
    return GrowthPlan(
        educator=educator.name, school=", ".join(s.name for s in educator.schools), cycle=cycle.name,
        cycle_dates=f"{long_date(cycle.opens_on)} to {long_date(cycle.closes_on)}",
        has_plan=placement is not None,
        lane=plan.lane_label, lane_why=plan.lane_why,
        lane_overridden=bool(placement and placement.override_lane),
        cohort=cohort.name if cohort else "",
        cohort_coach=cohort.cohort.coach.name if cohort and cohort.cohort.coach else "",
        cohort_why=(cohort.why or "") if cohort else "",
        cohort_members=tuple(m.name for m in cohort.members) if cohort else (),
        individual_reason=plan.individual_reason,
        goals=tuple(_goal(g, plan) for g in plan.goals),
        other_activities=tuple(_activity(a, view) for a in plan.other_activities),
        strengths=strengths(cycle, educator) if ratings_visible else None,
        charts=(profile_chart(cycle, educator), growth_chart(cycle, educator)) if ratings_visible else (),
        hidden_note=_hidden_note(educator, cycle, detail, ratings_visible),
    )


def _hidden_note(educator: User, cycle: Cycle, detail: bool, ratings_visible: bool) -> str:
    if not detail:
        return (f"Goal levels, the reasons for each goal, evidence and reflections are not shown: "
                f"{educator.name} has not shared the ratings of {cycle.name} with their principal.")
    if not ratings_visible:
        return f"Ratings are not shown: they are private to {educator.name} and their coaches."
    return ""


def _goal(goal_plan: GoalPlan, plan: EducatorPlan) -> PlanGoal:
    goal, competency, cycle, detail = goal_plan.goal, goal_plan.competency, plan.cycle, plan.view.levels
    start = (f"{plan.levels.get(goal.from_level, 'Level')} ({goal.from_level})" if goal.from_level
             else "not yet observed")
    criteria = [d.text for d in competency.descriptors if d.level == goal.to_level] if competency else []
    return PlanGoal(
        code=goal.competency_code, name=competency.name if competency else "",
        from_level=start if detail else None,
        to_level=f"{plan.levels.get(goal.to_level, 'Level')} ({goal.to_level})" if detail else None,
        due=long_date(cycle.closes_on),
        why=goal.why if detail else None,
        success=criteria[0] if detail and criteria else "",
        met=goal.status == GoalStatus.VERIFIED,
        activities=tuple(_activity(a, plan.view) for a in goal_plan.activities))


def _activity(activity: PathActivity, view: PersonView) -> PlanActivity:
    """Which catalogue activity it is only with the levels (it tells the levels it suits)."""
    resource, shown, detail = activity.resource, view.levels, view.evidence
    return PlanActivity(
        title=resource.title if shown else NOT_SHOWN, kind=resource.kind.label if shown else "",
        hours=resource.hours if shown else None, status=activity.status.label,
        evidence=bool(activity.evidence_url or activity.evidence_file_id) if detail else None,
        reflection=bool(activity.reflection.strip()) if detail else None)


def strengths(cycle: Cycle, educator: User) -> tuple[str, ...]:
    """"COG.1 Content and learning progressions" for each competency whose current level in
    this cycle (the district's policy) reaches the framework's target."""
    competencies = cycle.framework.competencies
    policy = planning_settings(cycle.district_id).current_level_policy
    levels = levels_by_educator(_cycle_records(cycle, educator), [c.code for c in competencies],
                                policy).get(educator.id, {})
    reached = cycle.framework.target_level - LEVEL_TOLERANCE
    return tuple(f"{c.code} {c.name}" for c in competencies if levels.get(c.code, 0) >= reached)


def _cycle_records(cycle: Cycle, educator: User) -> list[RatingRecord]:
    return [RatingRecord(educator.id, code, kind.value, rating.level, rating.interest)
            for kind in RaterKind for code, rating in ratings_by_code(cycle, educator, kind).items()]


def profile_chart(cycle: Cycle, educator: User) -> Chart:
    """Self and coach levels per competency in one cycle, against the target. A verified goal's
    evidence rating stands for the coach's, as in the planner."""
    competencies = cycle.framework.competencies
    levels: dict[tuple[str, RaterKind], int | None] = {}
    for code, kind, level in db.session.execute(
            select(Competency.code, Rating.kind, Rating.level).join(Rating.competency)
            .where(Rating.cycle_id == cycle.id, Rating.educator_id == educator.id)
            .order_by(Rating.updated_at)).all():
        levels[(code, kind)] = level
    mine = {code: level for (code, kind), level in levels.items() if kind == RaterKind.SELF}
    # The evidence rating is newer than the coach's: it wins where both exist.
    theirs = ({code: level for (code, kind), level in levels.items() if kind == RaterKind.COACH}
              | {code: level for (code, kind), level in levels.items() if kind == RaterKind.EVIDENCE})
    return radar_chart(
        [c.code for c in competencies],
        [Series("Self", tuple(_level(mine, c.code) for c in competencies)),
         Series("Coach", tuple(_level(theirs, c.code) for c in competencies)),
         Series("Target", tuple(float(cycle.framework.target_level) for _ in competencies))],
        max_level=max(level.value for level in cycle.framework.levels),
        title=f"Profile in {cycle.name}: self and coach levels by competency")


def _level(levels: dict[str, int | None], code: str) -> float | None:
    level = levels.get(code)
    return float(level) if level is not None else None


def growth_chart(cycle: Cycle, educator: User) -> Chart:
    """Domain means (current levels by the district's policy) in every cycle up to this one."""
    cycles, rows = rating_history(educator)
    # Oldest first, so the cycles up to this one are a prefix and the rows' cells still line up.
    cycles = [c for c in cycles if c.opens_on <= cycle.opens_on]
    framework = cycle.framework
    domain_of = {c.code: c.domain.code for c in framework.competencies}
    policy = planning_settings(cycle.district_id).current_level_policy
    # One pass over every cycle: each cycle's position stands as the "educator".
    records = [RatingRecord(index, row.code, rating.kind.value, rating.level)
               for index in range(len(cycles)) for row in rows
               for rating in row.cells[index] if rating is not None]
    levels = levels_by_educator(records, list(domain_of), policy)
    means = [domain_means(levels.get(index, {}), domain_of) for index in range(len(cycles))]
    return domain_means_chart(
        [c.name for c in cycles],
        [Series(d.name, tuple(m.get(d.code) for m in means)) for d in framework.domains],
        max_level=max(level.value for level in framework.levels),
        title="Growth since baseline: domain means by cycle")


# -- the school readiness report and the district summary --------------------------------------

def leader_report(board: LeaderDashboard, charts: dict[str, Chart]) -> LeaderReport:
    """A LeaderDashboard as a report: the figures worded as the dashboards word them, so the
    page, the PDF and the API agree. The whole district gets its schools side by side; a school
    gets its cohorts."""
    m, cycle, threshold = board.measures, board.cycle, board.min_group
    where = (board.schools[0].district.name if board.whole_district
             else ", ".join(s.name for s in board.schools))
    lanes = "; ".join(f"{label}: {m.lanes.get(lane, 0)}" for lane, label in board.lane_labels.items())
    tables = []
    if board.whole_district:
        schools = [(s.name, board.by_school[s.id]) for s in board.schools]
        figures = 3 + len(board.lane_labels)
        tables.append(FiguresTable(
            "Schools side by side",
            ("School", "Educators", "Submitted", *board.lane_labels.values(), "Readiness"),
            tuple((name, str(f.educators), f.submitted_text,
                   *(str(f.lanes.get(lane, 0)) for lane in board.lane_labels),
                   f.readiness.text(threshold, share=True)) for name, f in schools),
            widths=_side_by_side_widths(figures), numeric=tuple(range(1, figures + 1))))
        tables.append(FiguresTable(
            "Domain means by school", ("School", *board.domain_names.values()),
            tuple((name, *(f.domains[code].text(threshold) if code in f.domains else "no ratings"
                           for code in board.domain_names)) for name, f in schools),
            widths=_side_by_side_widths(len(board.domain_names)),
            numeric=tuple(range(1, len(board.domain_names) + 1)),
            note="The mean current level of each domain."))
    tables.append(FiguresTable(
        "Competencies", ("Competency", "Self mean", "Coach mean", "Current mean", "At target", "Goals set"),
        tuple((f"{c.code} {c.name}", c.self_mean.text(threshold), c.coach_mean.text(threshold),
               c.current_mean.text(threshold), c.at_target.text(threshold, share=True),
               str(m.goal_focus.get(c.code, 0))) for c in m.competencies),
        widths=(0.40, 0.12, 0.12, 0.12, 0.12, 0.12), numeric=(1, 2, 3, 4, 5),
        note="Current mean: the district's current-level policy over self and coach ratings."))
    if not board.whole_district:
        tables.append(FiguresTable(
            "Cohorts", ("Cohort", "Coach", "Status", "Members", "Readiness", "Goals met", "Activities done"),
            tuple((row.name, row.cohort.coach.name if row.cohort.coach else "No coach yet",
                   row.cohort.status.value, str(row.figures.members),
                   row.figures.readiness.text(threshold, share=True),
                   f"{row.figures.goals_met} of {row.figures.goals_total}",
                   f"{row.figures.activities_done} of {row.figures.activities_total}")
                  for row in board.cohorts),
            widths=(0.25, 0.15, 0.10, 0.10, 0.14, 0.12, 0.14), numeric=(3, 4, 5, 6)))
    return LeaderReport(
        title="District summary" if board.whole_district else "School readiness report",
        subtitle=f"{where} · {cycle.name}",
        facts=(("District" if board.whole_district else "School", where),
               ("Cycle", f"{cycle.name} ({long_date(cycle.opens_on)} to {long_date(cycle.closes_on)})"),
               ("Educators", str(m.educators)),
               ("Self-assessments submitted", m.submitted_text),
               ("Rated by a coach", str(m.coach_rated)),
               ("Lanes", f"{lanes}; not planned yet: {max(m.educators - m.planned, 0)}"),
               ("Mean readiness", m.readiness.text(threshold, share=True)),
               ("Goals met", f"{m.goals_met} of {m.goals_total}"),
               ("Activities done", f"{m.activities_done} of {m.activities_total} "
                                   f"({m.activities_verified} verified by a coach)"),
               ("Cohorts", str(board.cohort_count))),
        privacy_note=(f"Means and shares count submitted self-assessments only and change only once "
                      f"{threshold} people who do not share their ratings have submitted or changed them. "
                      f"A figure over fewer than {threshold} such people is withheld (\"fewer than "
                      f"{threshold}\"), and so is one that would give a withheld figure away by subtraction "
                      f"(\"withheld\"), so that no one can be singled out; counts of people are shown."),
        strengths=tuple(f"{c.code} {c.name}: {c.at_target.text(threshold, share=True)} at target"
                        for c in m.strengths),
        opportunities=tuple(f"{c.code} {c.name}: {c.at_target.text(threshold, share=True)} at target"
                            for c in m.opportunities),
        tables=tuple(tables),
        charts=tuple(charts[name] for name in ("participation", "lanes", "profile", "growth", "heatmap")
                     if name in charts))


def _side_by_side_widths(figures: int) -> tuple[float, ...]:
    """The school's name gets a third of the page; its figures share the rest."""
    return (0.34, *([0.66 / figures] * figures))


def own_plans(user: User) -> list[EducatorPlan]:
    """The person's plan in every cycle they were planned in, oldest first (for their data.zip)."""
    cycles = db.session.scalars(select(Cycle).join(Placement, Placement.cycle_id == Cycle.id)
                                .where(Placement.educator_id == user.id).order_by(Cycle.opens_on)).all()
    return [plan_of(user, cycle, user) for cycle in cycles]
