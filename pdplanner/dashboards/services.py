"""Keeping school summaries true and warm: a save recomputes its schools' summaries when it
commits, and moves the district's row by the schools' change.

Every ORM flush is watched (`after_flush`): ratings, self-assessments, placements, goals and
path activities name a cycle and an educator, so the summaries of that cycle for the
educator's schools are touched; a cohort names its schools; a membership or an educator's
`active` flag touches a school in every cycle. The touched schools are kept on the session and
refreshed just before it commits (`before_commit`, `refresh`): each kept row is recomputed
from its school's rows and updated in place, and the district's row (school NULL) changes by
the difference between the school's old and new figures, so readers never find a row missing
and never wait for one. Writes that bypass the unit of work announce themselves by their
package's signals, which `subscribe` connects: a planning run recomputes the whole cycle inside
itself; bulk assignment touches its educators' schools; a roster or a person's deletion (rare,
and reaching every school) still forgets the district's summaries for the next reader.
"""

from collections.abc import Iterable

import numpy as np
from flask import current_app
from sqlalchemy import (
    String,
    bindparam,
    delete,
    event,
    exc,
    func,
    insert,
    inspect,
    select,
    type_coerce,
    update,
)
from sqlalchemy.orm import Session

from pdplanner.accounts.models import Role, User
from pdplanner.assessments.models import AssessmentStatus, Cycle, Rating, SelfAssessment
from pdplanner.core.disclosure import figure_paths, publish, served, stat_at, suppress_parts, unknown_people
from pdplanner.core.summaries import SUMMARY_VERSION, CycleFacts, combine, headline, shift, summarise_schools
from pdplanner.dashboards.models import PublishedFigures, SchoolSummary
from pdplanner.database import plain_rows, utcnow
from pdplanner.extensions import db
from pdplanner.framework.terms import framework_terms
from pdplanner.organisation.models import CaseloadAssignment, District, Membership, School
from pdplanner.organisation.signals import deleting_person, roster_applied
from pdplanner.planning.models import (
    ActivityStatus,
    Cohort,
    GoalStatus,
    PathActivity,
    Placement,
    PlannedGoal,
)
from pdplanner.planning.queries import cycle_ratings, settings_row
from pdplanner.planning.signals import plans_written

PER_EDUCATOR = (Rating, SelfAssessment, Placement, PlannedGoal, PathActivity)
NOTHING_PUBLISHED = {"school": None, "cohorts": {}}
TOUCHED = "pdplanner.summaries_touched"   # session.info: cycle id -> school ids; None: every cycle


# -- computing ---------------------------------------------------------------------------------

def compute_summaries(cycle: Cycle, school_ids: list[int]) -> dict[int, dict]:
    """What leaders read of these schools (`core.disclosure.served`), computed from their rows
    and published where enough people changed (`core.disclosure.publish`)."""
    live = live_summaries(cycle, school_ids)
    previous = dict(db.session.execute(
        select(PublishedFigures.school_id, PublishedFigures.snapshot)
        .where(PublishedFigures.cycle_id == cycle.id, PublishedFigures.school_id.in_(sorted(live)))).all())
    threshold = current_app.config["PRIVACY_MIN_GROUP"]
    snapshots = {school_id: publish(figures, previous.get(school_id), threshold)
                 for school_id, figures in live.items()}
    replaced = {school_id: snapshot for school_id, snapshot in snapshots.items()
                if snapshot != previous.get(school_id, NOTHING_PUBLISHED)}
    if replaced and not keep_published(cycle.id, replaced):
        snapshots |= {school_id: previous.get(school_id, NOTHING_PUBLISHED) for school_id in replaced}
    return {school_id: served(live[school_id], snapshot) for school_id, snapshot in snapshots.items()}


def district_figures(schools: dict[int, dict]) -> dict:
    """The district's row from all of its schools' served figures: their `combine` (cohorts left
    out: there are thousands), with the complementary suppression of the total and its schools
    (`withheld`: school id -> paths; `total_withheld`: paths withheld from the total)."""
    total = combine(schools.values(), cohorts=False)
    by_school, from_total = suppress_parts(total, schools, current_app.config["PRIVACY_MIN_GROUP"])
    total["withheld"] = {str(school_id): sorted(paths) for school_id, paths in by_school.items() if paths}
    total["total_withheld"] = sorted(from_total)
    return total


# What `live_summaries` reads, built once: a statement built per call costs more than running
# it does for one school, which is what every save recomputes. Parameters: cycle, district, and
# schools (a list).
_MEMBERS = (select(Membership.user_id, Membership.school_id)
            .join(User, User.id == Membership.user_id)
            .where(Membership.school_id.in_(bindparam("schools", expanding=True)), User.active.is_(True),
                   Membership.role.in_([Role.TEACHER, Role.COACH])))
_PEOPLE = select(_MEMBERS.subquery().c.user_id)
_ASSESSMENTS = (select(SelfAssessment.educator_id,
                       type_coerce(SelfAssessment.status, String) == AssessmentStatus.SUBMITTED.value,
                       SelfAssessment.shared_with_principal)
                .where(SelfAssessment.cycle_id == bindparam("cycle"),
                       SelfAssessment.educator_id.in_(_PEOPLE)))
_PLACEMENTS = (select(Placement.educator_id, Placement.lane, Placement.readiness,
                      func.coalesce(Placement.cohort_id, -1))
               .where(Placement.cycle_id == bindparam("cycle"), Placement.educator_id.in_(_PEOPLE)))
_GOALS = (select(PlannedGoal.educator_id, PlannedGoal.competency_code,
                 type_coerce(PlannedGoal.status, String) == GoalStatus.VERIFIED.value)
          .where(PlannedGoal.cycle_id == bindparam("cycle"), PlannedGoal.educator_id.in_(_PEOPLE)))
_ACTIVITIES = (select(PathActivity.educator_id,
                      type_coerce(PathActivity.status, String) == ActivityStatus.DONE.value,
                      type_coerce(PathActivity.status, String) == ActivityStatus.VERIFIED.value)
               .where(PathActivity.cycle_id == bindparam("cycle"), PathActivity.educator_id.in_(_PEOPLE)))
# A leader who also coaches knows the ratings of their caseload (docs/PRIVACY.md).
_LEADERS = select(Membership.user_id).where(Membership.role == Role.PRINCIPAL).union(
    select(User.id).where(User.district_id == bindparam("district"), User.is_district_admin.is_(True)))
_COACHED_BY_LEADERS = select(CaseloadAssignment.educator_id).where(
    CaseloadAssignment.educator_id.in_(_PEOPLE), CaseloadAssignment.coach_id.in_(_LEADERS))


def live_summaries(cycle: Cycle, school_ids: list[int]) -> dict[int, dict]:
    """Live summaries of several schools from their rows (`core.summaries.summarise_schools`):
    seven statements whatever their size, each read as columns."""
    connection = db.session.connection()
    params = {"cycle": cycle.id, "district": cycle.district_id, "schools": list(school_ids)}

    def columns(statement, *dtypes) -> tuple[np.ndarray, ...]:
        found = tuple(zip(*plain_rows(connection, statement, params), strict=True)) or ((),) * len(dtypes)
        return tuple(np.asarray(column, dtype=dtype) for column, dtype in zip(found, dtypes, strict=True))

    facts = CycleFacts(
        members=columns(_MEMBERS, np.int64, np.int64),
        ratings=cycle_ratings(cycle, Rating.educator_id.in_(_PEOPLE), params),
        assessments=columns(_ASSESSMENTS, np.int64, bool, bool),
        placements=columns(_PLACEMENTS, np.int64, object, np.float64, np.int64),
        goals=columns(_GOALS, np.int64, object, bool),
        activities=columns(_ACTIVITIES, np.int64, bool, bool),
        coached_by_leaders=columns(_COACHED_BY_LEADERS, np.int64)[0])
    terms = framework_terms(cycle.framework_id)   # kept per process: no read on a save
    return summarise_schools(facts, school_ids, [(c.code, c.domain_code) for c in terms.competencies],
                             target_level=terms.target_level,
                             policy=settings_row(cycle.district_id).current_level_policy)


# -- keeping -----------------------------------------------------------------------------------

def store_summaries(cycle_id: int, figures_by_school: dict[int | None, dict]) -> None:
    """Keep freshly computed summaries (school None: the district's). In a savepoint: if another
    request stored the same one first, or SQLite cannot take the write lock at once, the figures
    are still served and the next reader stores them."""
    if not figures_by_school:
        return
    now = utcnow()
    try:
        with db.session.begin_nested():
            db.session.execute(insert(SchoolSummary), [
                {"cycle_id": cycle_id, "school_id": school_id, "figures": figures,
                 "headline": headline(figures), "computed_at": now}
                for school_id, figures in figures_by_school.items()])
    except (exc.IntegrityError, exc.OperationalError):
        pass


def keep_published(cycle_id: int, snapshots: dict[int, dict]) -> bool:
    """Replace these schools' published figures. False when they could not be written (another
    request published at the same moment, or SQLite's write lock was busy): the caller then
    serves the previous ones, since figures shown but not kept could be followed by others that
    differ from them by fewer than the threshold."""
    now = utcnow()
    try:
        with db.session.begin_nested():
            db.session.execute(delete(PublishedFigures).where(PublishedFigures.cycle_id == cycle_id,
                                                              PublishedFigures.school_id.in_(sorted(snapshots))))
            db.session.execute(insert(PublishedFigures), [
                {"cycle_id": cycle_id, "school_id": school_id, "snapshot": snapshot, "published_at": now}
                for school_id, snapshot in snapshots.items()])
    except (exc.IntegrityError, exc.OperationalError):
        return False
    return True


def refresh(cycle: Cycle, school_ids: Iterable[int]) -> None:
    """Recompute the kept summaries of these schools in `cycle` and move the district's row by
    their change. The school rows are locked first (in school order), then the district's, so
    two saves of one school wait for each other (the second then reads the first's rows: a
    statement reads what is committed when it starts) and saves of different schools meet only
    on the district's row, for the moment of its update. Rows computed under an older
    `SUMMARY_VERSION`, or a school without a row while the district has one (a new school),
    are forgotten with the district's row: the next reader computes them, as on a first read."""
    wanted = sorted(set(school_ids))
    if not wanted:
        return
    kept = dict(db.session.execute(
        select(SchoolSummary.school_id, SchoolSummary.figures)
        .where(SchoolSummary.cycle_id == cycle.id, SchoolSummary.school_id.in_(wanted))
        .order_by(SchoolSummary.school_id).with_for_update()).all())
    district = db.session.scalar(select(SchoolSummary.figures).where(
        SchoolSummary.cycle_id == cycle.id, SchoolSummary.school_id.is_(None)).with_for_update())
    current = {school_id: figures for school_id, figures in kept.items()
               if figures.get("version") == SUMMARY_VERSION}
    outdated = sorted(kept.keys() - current.keys())
    if outdated or (district is not None and (district.get("version") != SUMMARY_VERSION
                                              or len(current) < len(wanted))):
        db.session.execute(delete(SchoolSummary).where(
            SchoolSummary.cycle_id == cycle.id,
            SchoolSummary.school_id.in_(outdated) | SchoolSummary.school_id.is_(None)))
        district = None
    if not current:
        return
    fresh = compute_summaries(cycle, sorted(current))
    changed = {school_id: figures for school_id, figures in fresh.items() if figures != current[school_id]}
    if not changed:
        return
    now = utcnow()
    table = SchoolSummary.__table__
    db.session.execute(
        update(table).where(table.c.cycle_id == cycle.id, table.c.school_id == bindparam("school"))
        .values(figures=bindparam("new_figures"), headline=bindparam("new_headline"), computed_at=now),
        [{"school": school_id, "new_figures": figures, "new_headline": headline(figures)}
         for school_id, figures in changed.items()])
    if district is None:
        return
    total = shift(district, [current[s] for s in changed], changed.values())
    if any(_unknowns(current[s]) != _unknowns(figures) for s, figures in changed.items()):
        # Who is withheld depends on the people unknown to leaders in each figure of each
        # school: only when those counts change is the suppression decided again, over all.
        schools = dict(db.session.execute(select(SchoolSummary.school_id, SchoolSummary.figures).where(
            SchoolSummary.cycle_id == cycle.id, SchoolSummary.school_id.is_not(None))).all()) | changed
        suppressed = district_figures(schools)
        total["withheld"], total["total_withheld"] = suppressed["withheld"], suppressed["total_withheld"]
    db.session.execute(
        update(table).where(table.c.cycle_id == cycle.id, table.c.school_id.is_(None))
        .values(figures=total, headline=headline(total), computed_at=now))


def recompute_cycle(cycle: Cycle) -> None:
    """Every school's summary of `cycle` and the district's, computed again now (after a planning
    run, which rewrites every placement): kept rows are replaced in this transaction, so
    readers serve the previous ones until it commits. A cycle nobody has read is left to its
    first reader."""
    district = db.session.scalar(select(SchoolSummary.figures).where(
        SchoolSummary.cycle_id == cycle.id, SchoolSummary.school_id.is_(None)))
    _delete_in_lock_order(SchoolSummary.cycle_id == cycle.id)
    if district is None or district.get("version") != SUMMARY_VERSION:
        return
    school_ids = db.session.scalars(select(School.id).where(School.district_id == cycle.district_id)
                                    .order_by(School.id)).all()
    schools = compute_summaries(cycle, list(school_ids))
    store_summaries(cycle.id, schools | {None: district_figures(schools)})


def _unknowns(figures: dict) -> list[int]:
    known = figures.get("known", 0)
    return [unknown_people(stat_at(figures, path), known) for path in figure_paths(figures)]


# -- what touches a summary ------------------------------------------------------------------

def subscribe() -> None:
    """Connect the receivers of lower packages' signals; `create_app` calls it."""
    plans_written.connect(_forget_plans)
    deleting_person.connect(_forget_district_of_person)
    roster_applied.connect(_forget_district_of_roster)


def _forget_plans(cycle: Cycle, *, educator_ids: Iterable[int] | None = None) -> None:
    """Plans written in bulk: these educators' (bulk assignment: their schools are refreshed
    when the session commits), or the whole cycle's (a planning run: recomputed here)."""
    if educator_ids is None:
        recompute_cycle(cycle)
    else:
        _touch(db.session, {cycle.id: _schools_of(db.session, educator_ids)})


def _forget_district_of_person(person: User) -> None:
    """A person is being deleted: their ratings of others go with them."""
    _forget_district(person.district_id)


def _forget_district_of_roster(district: District) -> None:
    """A roster rewrote the district's people."""
    _forget_district(district.id)


def _forget_district(district_id: int) -> None:
    cycles = select(Cycle.id).where(Cycle.district_id == district_id)
    _delete_in_lock_order(SchoolSummary.cycle_id.in_(cycles))


def _delete_in_lock_order(condition) -> None:
    """Delete many kept rows, locking them first in the order a save locks them (`refresh`: a
    cycle's schools by id, then the district's row), so a re-plan or a roster import never
    deadlocks with the saves arriving meanwhile."""
    db.session.execute(select(SchoolSummary.id).where(condition)
                       .order_by(SchoolSummary.cycle_id, SchoolSummary.school_id.asc().nulls_last())
                       .with_for_update())
    db.session.execute(delete(SchoolSummary).where(condition))


def _schools_of(session: Session, educator_ids: Iterable[int]) -> set[int]:
    return set(session.connection().execute(
        select(Membership.school_id).where(Membership.user_id.in_(sorted(set(educator_ids))))).scalars())


def _touch(session: Session, schools_by_cycle: dict[int | None, set[int]]) -> None:
    touched = session.info.setdefault(TOUCHED, {})
    for cycle_id, school_ids in schools_by_cycle.items():
        touched.setdefault(cycle_id, set()).update(school_ids)


@event.listens_for(Session, "after_flush")
def _note_what_changed(session: Session, _context) -> None:
    educators: dict[int, set[int]] = {}
    schools: dict[int | None, set[int]] = {}
    people: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, PER_EDUCATOR):
            educators.setdefault(obj.cycle_id, set()).add(obj.educator_id)
        elif isinstance(obj, Cohort):
            schools.setdefault(obj.cycle_id, set()).update(obj.school_ids or ())
        elif isinstance(obj, Membership):
            schools.setdefault(None, set()).add(obj.school_id)
        elif isinstance(obj, User) and "active" in _changed(obj):
            people.add(obj.id)
    if people:
        schools.setdefault(None, set()).update(_schools_of(session, people))
    for cycle_id, educator_ids in educators.items():
        schools.setdefault(cycle_id, set()).update(_schools_of(session, educator_ids))
    if schools:
        _touch(session, schools)


@event.listens_for(Session, "before_commit")
def _refresh_what_changed(session: Session) -> None:
    """Refresh what this transaction touched, after its last flush and before it commits."""
    session.flush()
    if not session.info.get(TOUCHED):
        return
    touched = session.info.pop(TOUCHED)
    everywhere = touched.pop(None, set())
    if everywhere:
        # A membership or a person's `active` flag: their schools in every cycle kept.
        for cycle_id in session.execute(select(SchoolSummary.cycle_id).distinct().where(
                SchoolSummary.cycle_id.in_(select(Cycle.id).where(Cycle.district_id.in_(
                    select(School.district_id).where(School.id.in_(sorted(everywhere)))))))).scalars():
            touched.setdefault(cycle_id, set()).update(everywhere)
    for cycle_id in sorted(touched):
        cycle = session.get(Cycle, cycle_id)
        if cycle is not None:
            refresh(cycle, touched[cycle_id])


@event.listens_for(Session, "after_transaction_end")
def _drop_what_changed(session: Session, transaction) -> None:
    """A rolled back transaction's touched schools go with it (a committed one's are gone)."""
    if transaction.parent is None:
        session.info.pop(TOUCHED, None)


def _changed(obj) -> set[str]:
    return {attr.key for attr in inspect(obj).attrs if attr.history.has_changes()}
