"""Export rows: the tables of the per-cycle exports and of the district export, each the rows its
viewer may see (`pdplanner.scopes`), read in a handful of bulk statements per table."""

from collections.abc import Iterator

from sqlalchemy import String, and_, case, func, select, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased, selectinload
from sqlalchemy.sql.functions import FunctionElement

from pdplanner.accounts.models import EDUCATOR_ROLES, Role, User
from pdplanner.assessments.models import Cycle, RaterKind, Rating, SelfAssessment
from pdplanner.audit.queries import export_rows as audit_export_rows
from pdplanner.database import plain_rows
from pdplanner.extensions import db
from pdplanner.framework.models import Competency, Domain
from pdplanner.organisation.models import CaseloadAssignment, Membership, School
from pdplanner.planning.models import ActivityStatus, Cohort, PathActivity, Placement, PlannedGoal, Resource
from pdplanner.planning.queries import (
    activity_why,
    cohort_name,
    competency_names,
    focus_names,
    lane_labels,
    lane_why,
    planning_settings,
    visible_resources,
)
from pdplanner.reports.exports import RATINGS, Columns, iso
from pdplanner.scopes import (
    Educator,
    detail_view,
    in_cycles,
    person_visible,
    plan_detail,
    plan_visible,
    plans_in_scope,
    ratings_visible,
)

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


EDUCATOR_COLUMNS = (Educator.id, Educator.email, Educator.given_name, Educator.family_name)
EDUCATOR_ORDER = (Educator.family_name, Educator.given_name, Educator.id)


# -- the per-cycle tables (and the district export's) ---------------------------------------

# Educators whose ratings one statement reads (about 35 ratings each a cycle): the ratings export
# reads a district's hundreds of thousands of ratings a slice of educators at a time, in the
# export's order, so each statement sorts one slice instead of the whole, and each slice is
# written out before the next is read.
EDUCATORS_PER_READ = 500
RATINGS_READ = ("cycle_id", "educator_id", "educator_email", "given_name", "family_name", "domain_code",
                "competency_code", "rater_kind", "rater_email", "level", "not_observed", "confidence",
                "interest", "note", "updated_at")


class iso_utc(FunctionElement):
    """A naive UTC timestamp column as ISO 8601 text ending in Z, as `exports.iso` writes it (no
    fraction when the microseconds are 0), formatted by the database."""

    type = String()
    inherit_cache = True


@compiles(iso_utc, "postgresql")
def _iso_utc_postgresql(element, compiler, **kw):
    stamp = compiler.process(element.clauses, **kw)
    return (f"to_char({stamp}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN to_char({stamp}, 'US') = '000000' "
            f"THEN '' ELSE '.' || to_char({stamp}, 'US') END || 'Z'")


@compiles(iso_utc, "sqlite")
def _iso_utc_sqlite(element, compiler, **kw):
    # SQLAlchemy stores 'YYYY-MM-DD HH:MM:SS.ffffff' in SQLite.
    stamp = compiler.process(element.clauses, **kw)
    return (f"replace(substr({stamp}, 1, 19), ' ', 'T') || CASE WHEN substr({stamp}, 20) IN ('', '.000000') "
            f"THEN '' ELSE substr({stamp}, 20) END || 'Z'")


def _ratings_condition(viewer: User, cycle: Cycle | None):
    """The ratings of the export: of the cycle (or the viewer's district's every cycle), of the
    district's educators, where the viewer may see them (`ratings_visible`)."""
    return and_(in_cycles(Rating.cycle_id, viewer, cycle), Educator.district_id == viewer.district_id,
                ratings_visible(viewer, Rating.educator_id, Rating.cycle_id))


def ratings_count(viewer: User, cycle: Cycle | None) -> int:
    """How many rows `ratings_chunks` yields (for the audit record, before they are read): the
    same ratings, without the joins that only name their rater and competency (each has one)."""
    return db.session.scalar(select(func.count()).select_from(Rating)
                             .join(Educator, Educator.id == Rating.educator_id)
                             .where(_ratings_condition(viewer, cycle)))


def ratings_chunks(viewer: User, cycle: Cycle | None) -> Iterator[Columns]:
    """One row per educator, competency and rater, for the ratings the viewer may see, in the
    export's order (cycle, educator by name, competency, kind, rater): the chunks of the export,
    one for each cycle and slice of EDUCATORS_PER_READ educators that has any. Enums come as their
    stored values and times as ISO text from the database, as the driver's tuples; names, labels
    and school codes are filled in by column.

    The statement is made now, from the viewer and the cycle; the district's educators and
    school codes are read when the first chunk is taken, and the rows as the chunks are taken:
    a streamed response takes them after its view has returned (and its first byte has left), in
    a new session (Flask pushes the request's contexts again for the body, and the view's session,
    with `viewer` and `cycle`, is closed)."""
    cycles = _cycles(viewer, cycle)
    labels = {(c.id, lv.value): lv.label for c in cycles.values() for lv in c.framework.levels}
    not_observed = {c.id: c.framework.not_observed_label for c in cycles.values()}
    names = {c.id: c.name for c in cycles.values()}
    rater = aliased(User, name="rater")
    query = (
        select(Rating.cycle_id, *EDUCATOR_COLUMNS, Domain.code, Competency.code,
               type_coerce(Rating.kind, String), rater.email, Rating.level, Rating.not_observed,
               type_coerce(Rating.confidence, String), Rating.interest, Rating.note,
               iso_utc(Rating.updated_at))
        .join(Educator, Educator.id == Rating.educator_id).join(rater, rater.id == Rating.rater_id)
        .join(Competency, Competency.id == Rating.competency_id)
        .join(Domain, Domain.id == Competency.domain_id)
        .where(_ratings_condition(viewer, cycle))
        .order_by(*EDUCATOR_ORDER, Competency.position, Rating.kind, rater.email))
    return _read_ratings(query, viewer.district_id, names, labels, not_observed)


def _read_ratings(query, district_id: int, names, labels, not_observed) -> Iterator[Columns]:
    educators = db.session.scalars(select(Educator.id).where(Educator.district_id == district_id)
                                   .order_by(*EDUCATOR_ORDER)).all()
    schools = _school_codes(select(Educator.id).where(Educator.district_id == district_id))
    for cycle_id in sorted(names):
        for start in range(0, len(educators), EDUCATORS_PER_READ):
            educator_ids = educators[start:start + EDUCATORS_PER_READ]
            rows = plain_rows(db.session.connection(), query.where(Rating.cycle_id == cycle_id,
                                                                   Rating.educator_id.in_(educator_ids)))
            if rows:
                yield _ratings_chunk(rows, names, labels, not_observed, schools)


def _ratings_chunk(rows: list[tuple], names, labels, not_observed, schools) -> Columns:
    read = dict(zip(RATINGS_READ, zip(*rows, strict=True), strict=True))
    cycle_ids, educator_ids, levels = read["cycle_id"], read["educator_id"], read["level"]
    observed_not = [bool(value) for value in read["not_observed"]]   # SQLite's 0 and 1
    return {
        "cycle_id": cycle_ids, "cycle_name": [names[cycle_id] for cycle_id in cycle_ids],
        "educator_id": educator_ids, "educator_email": read["educator_email"],
        "educator_name": [f"{given} {family}"
                          for given, family in zip(read["given_name"], read["family_name"], strict=True)],
        "school_codes": [schools.get(educator_id, "") for educator_id in educator_ids],
        **{name: read[name] for name in ("domain_code", "competency_code", "rater_kind", "rater_email")},
        "level": levels,
        "level_label": [not_observed[cycle_id] if unseen else labels.get((cycle_id, level))
                        for cycle_id, level, unseen in zip(cycle_ids, levels, observed_not, strict=True)],
        "not_observed": observed_not, "confidence": read["confidence"],
        "interest": [bool(value) for value in read["interest"]],
        **{name: read[name] for name in ("note", "updated_at")},
    }


def ratings_rows(viewer: User, cycle: Cycle | None) -> list[dict]:
    """The ratings export as rows (the district export's JSON and its checks)."""
    return [dict(zip(RATINGS.names, row, strict=True)) for data in ratings_chunks(viewer, cycle)
            for row in zip(*(data[name] for name in RATINGS.names), strict=True)]


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
                                 .where(in_cycles(Cohort.cycle_id, viewer, cycle))
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


CYCLE_ROWS = {"goals": goals_rows, "cohorts": cohorts_rows,
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
