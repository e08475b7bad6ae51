"""Keeping school summaries true: a save that changes what a summary counts deletes it.

Every ORM flush is watched (`after_flush`): ratings, self-assessments, placements, goals and
path activities name a cycle and an educator, so the summaries of that cycle for the
educator's schools go; a cohort names its schools; a membership or an educator's `active` flag
changes a school in every cycle. Writes that bypass the ORM's unit of work (the planner's bulk
statements, bulk assignment, roster imports, the database's cascades when a person is deleted)
announce themselves by their package's signals, which `subscribe` connects.
"""

from collections.abc import Iterable

from sqlalchemy import delete, event, exc, insert, inspect, select
from sqlalchemy.orm import Session

from pdplanner.accounts.models import User
from pdplanner.assessments.models import Cycle, Rating, SelfAssessment
from pdplanner.core.summaries import headline
from pdplanner.dashboards.models import PublishedFigures, SchoolSummary
from pdplanner.database import utcnow
from pdplanner.extensions import db
from pdplanner.organisation.models import District, Membership, School
from pdplanner.organisation.signals import deleting_person, roster_applied
from pdplanner.planning.models import Cohort, PathActivity, Placement, PlannedGoal
from pdplanner.planning.signals import plans_written

PER_EDUCATOR = (Rating, SelfAssessment, Placement, PlannedGoal, PathActivity)


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


def subscribe() -> None:
    """Connect the receivers of lower packages' signals; `create_app` calls it."""
    plans_written.connect(_forget_plans)
    deleting_person.connect(_forget_district_of_person)
    roster_applied.connect(_forget_district_of_roster)


def _forget_plans(cycle: Cycle, *, educator_ids: Iterable[int] | None = None) -> None:
    """Plans written in bulk: these educators' (bulk assignment), or the whole cycle's (a
    planning run)."""
    if educator_ids is None:
        db.session.execute(delete(SchoolSummary).where(SchoolSummary.cycle_id == cycle.id))
    else:
        _forget(db.session.connection(), {cycle.id: set(educator_ids)}, {}, set())


def _forget_district_of_person(person: User) -> None:
    """A person is being deleted: their ratings of others go with them."""
    _forget_district(person.district_id)


def _forget_district_of_roster(district: District) -> None:
    """A roster rewrote the district's people."""
    _forget_district(district.id)


def _forget_district(district_id: int) -> None:
    db.session.execute(delete(SchoolSummary).where(
        SchoolSummary.cycle_id.in_(select(Cycle.id).where(Cycle.district_id == district_id))))


def _forget(connection, educators_by_cycle: dict[int, set[int]], schools_by_cycle: dict[int, set[int]],
            schools_everywhere: set[int]) -> None:
    """Delete the summaries of these schools, and the district's row of every cycle touched."""
    district = SchoolSummary.school_id.is_(None)
    for cycle_id, educator_ids in educators_by_cycle.items():
        schools = select(Membership.school_id).where(Membership.user_id.in_(sorted(educator_ids)))
        connection.execute(delete(SchoolSummary).where(SchoolSummary.cycle_id == cycle_id,
                                                       SchoolSummary.school_id.in_(schools) | district))
    for cycle_id, school_ids in schools_by_cycle.items():
        connection.execute(delete(SchoolSummary).where(
            SchoolSummary.cycle_id == cycle_id, SchoolSummary.school_id.in_(sorted(school_ids)) | district))
    if schools_everywhere:
        schools = sorted(schools_everywhere)
        their_cycles = select(Cycle.id).where(Cycle.district_id.in_(
            select(School.district_id).where(School.id.in_(schools))))
        connection.execute(delete(SchoolSummary).where(
            SchoolSummary.school_id.in_(schools) | (district & SchoolSummary.cycle_id.in_(their_cycles))))


@event.listens_for(Session, "after_flush")
def _forget_what_changed(session: Session, _context) -> None:
    educators: dict[int, set[int]] = {}
    schools: dict[int, set[int]] = {}
    everywhere: set[int] = set()
    people: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, PER_EDUCATOR):
            educators.setdefault(obj.cycle_id, set()).add(obj.educator_id)
        elif isinstance(obj, Cohort):
            schools.setdefault(obj.cycle_id, set()).update(obj.school_ids or ())
        elif isinstance(obj, Membership):
            everywhere.add(obj.school_id)
        elif isinstance(obj, User) and "active" in _changed(obj):
            people.add(obj.id)
    if people:
        everywhere.update(session.connection().execute(
            select(Membership.school_id).where(Membership.user_id.in_(sorted(people)))).scalars())
    if educators or schools or everywhere:
        _forget(session.connection(), educators, schools, everywhere)


def _changed(obj) -> set[str]:
    return {attr.key for attr in inspect(obj).attrs if attr.history.has_changes()}
